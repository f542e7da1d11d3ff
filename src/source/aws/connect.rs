//! Connecting: the SDK's default credential chain (environment, profiles, SSO, a bastion's
//! instance role), the region, an optional endpoint, and one client per service. Problems are
//! found before the screen opens and explained with their fix.

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::ProvideCredentials;
use aws_sdk_sts::error::{ProvideErrorMetadata, SdkError};

pub use super::clock::ClockSkew;
use super::clock::DateHeader;
pub use super::failure::{Failure, failure, in_words};
use super::partition::Partition;
use super::profiles::{Named, Profiles};

/// Where and as whom to connect.
#[derive(Clone, Debug, Default)]
pub struct Target {
    pub profile: Option<String>,
    /// A role to assume with the profile's (or the default chain's) credentials.
    pub role_arn: Option<String>,
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
    /// Attempts per call, the first included (the SDK's standard retry with backoff).
    pub max_attempts: u32,
}

/// The clients edgetop uses. WAF's CLOUDFRONT scope, CloudFront itself, Shield and the
/// CloudWatch metrics of CLOUDFRONT web ACLs live in one region of the partition (us-east-1 in
/// the commercial one), or not at all ([`Partition`]).
#[derive(Clone, Debug)]
pub struct Clients {
    pub region: String,
    /// The region's partition, and where what is global to the account is read in it.
    pub partition: Partition,
    pub apigateway: aws_sdk_apigateway::Client,
    /// HTTP APIs.
    pub apigatewayv2: aws_sdk_apigatewayv2::Client,
    pub waf: aws_sdk_wafv2::Client,
    pub waf_global: aws_sdk_wafv2::Client,
    pub cloudfront: aws_sdk_cloudfront::Client,
    /// For CloudFront's origin-facing managed prefix list (regional, like every prefix list).
    pub ec2: aws_sdk_ec2::Client,
    /// Shield Advanced (global, in us-east-1).
    pub shield: aws_sdk_shield::Client,
    pub cloudwatch: aws_sdk_cloudwatch::Client,
    pub cloudwatch_global: aws_sdk_cloudwatch::Client,
    /// Logs Insights, in the region read and in us-east-1 (where CLOUDFRONT web ACLs log).
    pub logs: aws_sdk_cloudwatchlogs::Client,
    pub logs_global: aws_sdk_cloudwatchlogs::Client,
    pub sts: aws_sdk_sts::Client,
    /// Observability Access Manager: a monitoring account's sinks and links.
    pub oam: aws_sdk_oam::Client,
    /// IAM (global): only `edgetop doctor`'s policy simulator.
    pub iam: aws_sdk_iam::Client,
    /// AWS's clock against ours, from the regional CloudWatch client's answers.
    pub skew: ClockSkew,
}

/// Where the CLOUDFRONT scope is in the commercial partition (and the fallback for an unknown
/// region, which is taken as commercial).
pub const GLOBAL_REGION: &str = "us-east-1";

impl Clients {
    /// Where WAF's CLOUDFRONT scope, and its web ACLs' metrics and logs, are read: the
    /// partition's region for it (or this region, where the scope is not offered and nothing
    /// is read there).
    pub fn global_region(&self) -> &str {
        self.partition.waf_cloudfront.unwrap_or(&self.region)
    }
}

impl Clients {
    /// The WAF client for a scope: CLOUDFRONT lives in us-east-1.
    pub fn waf_for(&self, scope: crate::model::Scope) -> &aws_sdk_wafv2::Client {
        match scope {
            crate::model::Scope::Cloudfront => &self.waf_global,
            crate::model::Scope::Regional => &self.waf,
        }
    }
}

pub async fn load(t: &Target) -> SdkConfig {
    let base = loader(t).load().await;
    match &t.role_arn {
        None => base,
        Some(arn) => {
            let role = aws_config::sts::AssumeRoleProvider::builder(arn)
                .session_name("edgetop")
                .configure(&base)
                .build()
                .await;
            loader(t).credentials_provider(role).load().await
        }
    }
}

fn loader(t: &Target) -> aws_config::ConfigLoader {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .retry_config(RetryConfig::standard().with_max_attempts(t.max_attempts.max(1)))
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(5))
                .operation_attempt_timeout(Duration::from_secs(20))
                .build(),
        );
    if let Some(p) = &t.profile {
        loader = loader.profile_name(p);
    }
    if let Some(r) = &t.region {
        loader = loader.region(Region::new(r.clone()));
    }
    if let Some(e) = &t.endpoint_url {
        loader = loader.endpoint_url(e);
    }
    loader
}

/// Why the account cannot be read, with what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error(
        "no AWS region: pass --region, set AWS_REGION, or set a region in the profile \
         (or run `edgetop --demo` for the built-in simulated account)"
    )]
    NoRegion,
    #[error(
        "no AWS credentials ({0}): set AWS_PROFILE or --profile, run `aws sso login` for an SSO \
         profile, or use an instance role on the bastion (or run `edgetop --demo`)"
    )]
    NoCredentials(String),
    /// Nothing that could give credentials is configured anywhere the SDK looks.
    #[error(
        "no AWS credentials ({0}): make a profile with `aws configure` (keys) or `aws configure \
         sso` (IAM Identity Center), or attach an instance role to this machine (or run `edgetop \
         --demo` for the built-in simulated account)"
    )]
    NoneConfigured(String),
    /// A profile named that gives no credentials.
    #[error(
        "no AWS credentials ({0}): give the profile keys (`aws configure --profile {1}`), SSO \
         (`aws configure sso --profile {1}`), or a role_arn with its source_profile"
    )]
    ProfileWithout(String, String),
    /// AWS refused the request's signature, and its clock is more than SigV4's five minutes
    /// from this machine's.
    #[error(
        "AWS refused the request ({said}): this machine's clock is {off} AWS's, and AWS refuses \
         a signature more than 5 minutes off: fix the clock (`timedatectl set-ntp true`, or \
         chrony)"
    )]
    ClockOff { said: String, off: String },
    /// More than one place was asked for, and none could be read.
    #[error("no account could be read: {0}")]
    NoPlace(String),
    /// A profile named (`--profile`, `AWS_PROFILE`, an `[[accounts]]` entry) that the profile
    /// files do not have.
    #[error("there is no AWS profile {name} in {files} ({from}; {there}): {fix}")]
    NoProfile {
        name: String,
        files: String,
        from: &'static str,
        there: String,
        fix: &'static str,
    },
    /// The profile files do not parse.
    #[error("the AWS profile files cannot be read ({0}): fix the line it names")]
    ProfileFiles(String),
    /// An SSO profile whose session has expired, or was never started on this host.
    #[error(
        "the SSO session of profile {0} has expired or was never started here: run `aws sso login --profile {0}`"
    )]
    SsoExpired(String),
    #[error("AWS refused the credentials ({0}): if this is an SSO profile, run `aws sso login`{1}")]
    Refused(String, String),
    #[error("cannot reach AWS in region {region} ({detail}): check --region{hint}")]
    Unreachable {
        region: String,
        detail: String,
        hint: String,
    },
    /// A region name that is not a host name: no endpoint can be made of it.
    #[error(
        "'{0}' is not a region AWS has an endpoint for ({1}): check --region (a region is named like eu-west-1)"
    )]
    BadRegion(String, String),
}

/// A profile named but not in the profile files, said with where the name came from and the
/// profiles there are.
fn check_profile(
    profiles: &Profiles,
    selected: Option<&(String, Named)>,
) -> Result<(), ConnectError> {
    let Some((name, from)) = selected else {
        return Ok(());
    };
    if let Err(e) = &profiles.set {
        return Err(ConnectError::ProfileFiles(e.clone()));
    }
    if profiles.has(name) {
        return Ok(());
    }
    let from_what = match from {
        Named::Option => "--profile or the config file's [[accounts]] names it",
        Named::Environment => "AWS_PROFILE names it",
    };
    let fix = match (from, profiles.is_empty()) {
        (Named::Option, false) => {
            "name one of those, or add it with `aws configure --profile NAME`"
        }
        (Named::Environment, false) => {
            "set AWS_PROFILE to one of those, or unset it for the default chain"
        }
        (Named::Option, true) => {
            "make it with `aws configure --profile NAME` or `aws configure sso`"
        }
        (Named::Environment, true) => {
            "make it with `aws configure --profile NAME` or `aws configure sso`, or unset \
             AWS_PROFILE for the default chain"
        }
    };
    Err(ConnectError::NoProfile {
        name: crate::model::text::escape(name),
        files: profiles.files("or"),
        from: from_what,
        there: profiles.names(),
        fix,
    })
}

/// Credentials that cannot be loaded, in one sentence with its fix: an SSO profile's session
/// expired (only for a profile that uses SSO: the SSO portal's GetRoleCredentials answers an
/// expired or unknown token with 401 UnauthorizedException "Session token not found or
/// invalid"), nothing configured anywhere (said place by place), or the provider's own words.
fn credentials_error(
    e: &aws_credential_types::provider::error::CredentialsError,
    selected: Option<&(String, Named)>,
    profiles: &Profiles,
) -> ConnectError {
    let name = selected.map_or("default", |(n, _)| n.as_str());
    let shown = crate::model::text::escape(name);
    if profiles.uses_sso(name) {
        return ConnectError::SsoExpired(shown);
    }
    let set = |v: &str| std::env::var_os(v).is_some_and(|v| !v.is_empty());
    let elsewhere = [
        "AWS_ACCESS_KEY_ID",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    ];
    if elsewhere.iter().any(|v| set(v)) || profiles.gives_credentials(name) {
        return ConnectError::NoCredentials(in_words(e));
    }
    // Nothing that could give credentials is configured: say where edgetop looked.
    match selected {
        Some(_) => ConnectError::ProfileWithout(
            format!(
                "profile {shown} in {} names none: no aws_access_key_id, role_arn, sso_session \
                 or credential_process",
                profiles.files("or")
            ),
            shown,
        ),
        None => {
            let files = if profiles.none_exist() {
                format!("no profile files ({} do not exist)", profiles.files("and"))
            } else {
                format!(
                    "no default profile with credentials in {}",
                    profiles.files("or")
                )
            };
            let imds = if std::env::var("AWS_EC2_METADATA_DISABLED")
                .is_ok_and(|v| v.eq_ignore_ascii_case("true"))
            {
                "and the instance metadata service is switched off (AWS_EC2_METADATA_DISABLED)"
            } else {
                "and no instance role (the instance metadata service gave none: not an EC2 \
                 instance, or no role attached)"
            };
            ConnectError::NoneConfigured(format!(
                "none in the environment (AWS_ACCESS_KEY_ID), {files}, {imds}"
            ))
        }
    }
}

/// What a failed connection's cause says, in a few words: refused, no name, no answer.
fn unreachable_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let words = in_words(e);
    let lower = words.to_lowercase();
    if lower.contains("connection refused") {
        "connection refused".into()
    } else if lower.contains("dns") || lower.contains("lookup") || lower.contains("resolve") {
        "its name does not resolve: the region has no such service, or no network".into()
    } else if lower.contains("timed out") || lower.contains("timeout") {
        "no answer in time".into()
    } else {
        words
    }
}

/// Build the clients and check, with STS GetCallerIdentity, that the credentials work.
/// Returns the clients and the caller's account id and ARN.
pub async fn connect(t: &Target) -> Result<(Clients, String, String), ConnectError> {
    let profiles = Profiles::read().await;
    let selected = Profiles::selected(t.profile.as_deref());
    check_profile(&profiles, selected.as_ref())?;
    let conf = load(t).await;
    let region = conf
        .region()
        .map(|r| r.to_string())
        .ok_or(ConnectError::NoRegion)?;
    let profile = crate::model::text::escape(selected.as_ref().map_or("default", |(n, _)| n));
    let creds = conf
        .credentials_provider()
        .ok_or_else(|| ConnectError::NoCredentials("no provider".into()))?;
    if let Err(e) = creds.provide_credentials().await {
        return Err(credentials_error(&e, selected.as_ref(), &profiles));
    }
    let clients = clients_for(&conf, region.clone());
    identify(clients, t, region, &profile).await
}

/// Who the credentials are (STS GetCallerIdentity): the account and the ARN, or why not.
async fn identify(
    clients: Clients,
    t: &Target,
    region: String,
    profile: &str,
) -> Result<(Clients, String, String), ConnectError> {
    match clients.sts.get_caller_identity().send().await {
        Ok(id) => Ok((
            clients,
            id.account().unwrap_or_default().to_string(),
            id.arn().unwrap_or_default().to_string(),
        )),
        Err(SdkError::ServiceError(se)) => {
            let e = se.err();
            let code = e.code().unwrap_or("error").to_string();
            let msg = format!("{code}: {}", e.message().unwrap_or_default());
            if let Some(off) = clients.skew.seconds().filter(|s| s.abs() > 300) {
                return Err(ConnectError::ClockOff {
                    said: crate::model::text::escape(&msg),
                    off: ClockSkew::off_by(off),
                });
            }
            let hint = if code.contains("Expired") {
                format!(" --profile {profile} again: the session has expired")
            } else {
                String::new()
            };
            Err(ConnectError::Refused(
                crate::model::text::escape(&msg),
                hint,
            ))
        }
        Err(e @ (SdkError::DispatchFailure(_) | SdkError::TimeoutError(_))) => {
            Err(ConnectError::Unreachable {
                hint: if t.endpoint_url.is_some() {
                    " and --endpoint-url".into()
                } else {
                    ", the network, or a proxy (HTTPS_PROXY)".into()
                },
                region,
                detail: unreachable_cause(&e),
            })
        }
        // No request was made of it: the endpoint (from the region's name) could not be.
        Err(e @ SdkError::ConstructionFailure(_)) => Err(ConnectError::BadRegion(
            crate::model::text::escape(&region),
            in_words(&e),
        )),
        Err(e) => Err(ConnectError::NoCredentials(in_words(&e))),
    }
}

/// One client per service, each global service in its partition's region for it.
fn clients_for(conf: &SdkConfig, region: String) -> Clients {
    // Where the partition has none, the client is the region's own and is never called
    // (discovery says it is not offered).
    let partition = Partition::of(&region);
    let in_region = |r: Option<&str>| {
        conf.to_builder()
            .region(Region::new(r.unwrap_or(&region).to_string()))
            .build()
    };
    let (global, cdn, shield) = (
        in_region(partition.waf_cloudfront),
        in_region(partition.cloudfront),
        in_region(partition.shield),
    );
    let skew = ClockSkew::default();
    let cloudwatch = aws_sdk_cloudwatch::Client::from_conf(
        aws_sdk_cloudwatch::config::Builder::from(conf)
            .interceptor(DateHeader(skew.clone()))
            .build(),
    );
    Clients {
        region: region.clone(),
        partition,
        apigateway: aws_sdk_apigateway::Client::new(conf),
        apigatewayv2: aws_sdk_apigatewayv2::Client::new(conf),
        waf: aws_sdk_wafv2::Client::new(conf),
        waf_global: aws_sdk_wafv2::Client::new(&global),
        cloudfront: aws_sdk_cloudfront::Client::new(&cdn),
        ec2: aws_sdk_ec2::Client::new(conf),
        shield: aws_sdk_shield::Client::new(&shield),
        cloudwatch,
        cloudwatch_global: aws_sdk_cloudwatch::Client::new(&global),
        logs: aws_sdk_cloudwatchlogs::Client::new(conf),
        logs_global: aws_sdk_cloudwatchlogs::Client::new(&global),
        sts: aws_sdk_sts::Client::from_conf(
            aws_sdk_sts::config::Builder::from(conf)
                .interceptor(DateHeader(skew.clone()))
                .build(),
        ),
        oam: aws_sdk_oam::Client::new(conf),
        iam: aws_sdk_iam::Client::new(conf),
        skew,
    }
}
