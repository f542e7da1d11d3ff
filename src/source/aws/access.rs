//! Each API's methods with their authorization, API key and CORS answer (GetResources with
//! `embed=methods`, GetAuthorizers): two listings per API; and the custom domain names with
//! their mutual TLS and base path mappings. Read with discovery.

use std::collections::HashMap;

use aws_sdk_apigateway::Client;
use aws_sdk_apigateway::types::AuthorizerType;

use super::Calls;
use super::apigateway::{ApiConf, PAGE, endpoint_of, paged};
use super::connect::{Failure, failure};
use super::pace::Pacer;
use crate::model::Text;
use crate::model::access::{Authorization, BasePath, CustomDomain, Method};

/// An authorizer by id: its name, and what it is.
struct AuthorizerConf {
    name: String,
    kind: Option<AuthorizerType>,
}

async fn authorizers(
    c: &Client,
    pace: &Pacer,
    calls: &mut Calls,
    api_id: &str,
) -> Result<HashMap<String, AuthorizerConf>, Failure> {
    let list = paged(
        pace,
        calls,
        "apigateway:GetAuthorizers",
        |position| async move {
            let page = c
                .get_authorizers()
                .rest_api_id(api_id)
                .limit(PAGE)
                .set_position(position)
                .send()
                .await
                .map_err(|e| failure("apigateway:GET /restapis/*/authorizers", &e))?;
            let items = page
                .items()
                .iter()
                .map(|a| {
                    (
                        a.id().unwrap_or_default().to_string(),
                        AuthorizerConf {
                            name: a.name().unwrap_or_default().to_string(),
                            kind: a.r#type().cloned(),
                        },
                    )
                })
                .collect();
            Ok((items, page.position().map(str::to_string)))
        },
    )
    .await?;
    Ok(list.into_iter().collect())
}

/// authorizationType, with the authorizer it names (API Gateway: NONE, AWS_IAM, CUSTOM,
/// COGNITO_USER_POOLS).
fn authorization(
    kind: Option<&str>,
    authorizer: Option<&str>,
    known: &HashMap<String, AuthorizerConf>,
) -> Authorization {
    let named = authorizer.and_then(|id| known.get(id));
    let name = |fallback: &str| Text::new(named.map_or(fallback, |a| a.name.as_str()));
    match kind.unwrap_or("NONE") {
        "NONE" => Authorization::None,
        "AWS_IAM" => Authorization::Iam,
        "COGNITO_USER_POOLS" => Authorization::Cognito(name(authorizer.unwrap_or("?"))),
        "CUSTOM" => Authorization::Lambda {
            name: name(authorizer.unwrap_or("?")),
            request: matches!(
                named.and_then(|a| a.kind.as_ref()),
                Some(AuthorizerType::Request)
            ),
        },
        other => Authorization::Other(Text::new(other)),
    }
}

/// The Access-Control-Allow-Origin a method's integration answers with: a response
/// parameter's value is a quoted literal (`'*'`) or a mapping, shown as written.
fn cors_origin(m: &aws_sdk_apigateway::types::Method) -> Option<Text> {
    let responses = m.method_integration()?.integration_responses()?;
    let mut codes: Vec<_> = responses.keys().collect();
    codes.sort();
    codes.into_iter().find_map(|code| {
        let params = responses[code].response_parameters()?;
        let (_, v) = params.iter().find(|(k, _)| {
            k.eq_ignore_ascii_case("method.response.header.Access-Control-Allow-Origin")
        })?;
        Some(Text::new(v.trim_matches('\'')))
    })
}

/// GetResources' own quota, on top of the account's: 5 requests every 2 seconds per account
/// (API Gateway's quotas page, "API Gateway quotas for creating, deploying and managing an
/// API"). A bucket of 5 refilled at 2.5 a second would let 10 through in two seconds; one call
/// every half second, no burst, is at most 4 in any two seconds, with room for the network's
/// jitter between our clock and AWS's.
pub fn resources_pacer() -> Pacer {
    Pacer::new(2.0, 1)
}

/// One API's methods, by path then method. GetResources waits for its own quota too.
async fn methods_of(
    c: &Client,
    pace: &Pacer,
    resources_pace: &Pacer,
    calls: &mut Calls,
    api_id: &str,
) -> Result<Vec<Method>, Failure> {
    let known = authorizers(c, pace, calls, api_id).await?;
    let known = &known;
    let mut out = paged(
        pace,
        calls,
        "apigateway:GetResources",
        |position| async move {
            resources_pace.wait().await;
            let page = c
                .get_resources()
                .rest_api_id(api_id)
                .embed("methods")
                .limit(PAGE)
                .set_position(position)
                .send()
                .await
                .map_err(|e| failure("apigateway:GET /restapis/*/resources", &e))?;
            let mut items = Vec::new();
            for r in page.items() {
                let path = r.path().unwrap_or("/");
                for (verb, m) in r.resource_methods().into_iter().flatten() {
                    items.push(Method {
                        method: Text::new(m.http_method().unwrap_or(verb)),
                        path: Text::new(path),
                        authorization: authorization(
                            m.authorization_type(),
                            m.authorizer_id(),
                            known,
                        ),
                        api_key_required: m.api_key_required().unwrap_or(false),
                        cors_origin: cors_origin(m),
                    });
                }
            }
            Ok((items, page.position().map(str::to_string)))
        },
    )
    .await?;
    out.sort_by(|a, b| (&a.path, &a.method).cmp(&(&b.path, &b.method)));
    Ok(out)
}

/// Every API's methods, by API id, each read on its own: one API's failure (a throttle, a
/// denied permission) leaves the others read.
pub async fn methods(
    c: &Client,
    pace: &Pacer,
    resources_pace: &Pacer,
    calls: &mut Calls,
    apis: &[ApiConf],
) -> HashMap<String, Result<Vec<Method>, Failure>> {
    let mut out = HashMap::new();
    for api in apis {
        let read = methods_of(c, pace, resources_pace, calls, &api.id).await;
        if let Err(f) = &read {
            tracing::warn!(api = %Text::new(&api.id), failure = %f, "an API's methods not read");
        }
        out.insert(api.id.clone(), read);
    }
    out
}

/// Every custom domain name with its mappings: a listing, then one per domain.
pub async fn domains(
    c: &Client,
    pace: &Pacer,
    calls: &mut Calls,
) -> Result<Vec<CustomDomain>, Failure> {
    let mut out = paged(
        pace,
        calls,
        "apigateway:GetDomainNames",
        |position| async move {
            let page = c
                .get_domain_names()
                .limit(PAGE)
                .set_position(position)
                .send()
                .await
                .map_err(|e| failure("apigateway:GET /domainnames", &e))?;
            let items = page
                .items()
                .iter()
                .map(|d| {
                    let raw = d.domain_name().unwrap_or_default().to_string();
                    let domain = CustomDomain {
                        place: Default::default(),
                        name: Text::new(&raw),
                        endpoint: endpoint_of(d.endpoint_configuration()),
                        mtls_truststore: d
                            .mutual_tls_authentication()
                            .and_then(|m| m.truststore_uri())
                            .filter(|u| !u.is_empty())
                            .map(Text::new),
                        security_policy: Text::new(d.security_policy().map_or("", |p| p.as_str())),
                        mappings: Vec::new(),
                    };
                    (raw, domain)
                })
                .collect();
            Ok((items, page.position().map(str::to_string)))
        },
    )
    .await?;
    for (name, d) in &mut out {
        // The name as AWS gave it, not as it is shown.
        let name = name.as_str();
        d.mappings = paged(
            pace,
            calls,
            "apigateway:GetBasePathMappings",
            |position| async move {
                let page = c
                    .get_base_path_mappings()
                    .domain_name(name)
                    .limit(PAGE)
                    .set_position(position)
                    .send()
                    .await
                    .map_err(|e| failure("apigateway:GET /domainnames/*/basepathmappings", &e))?;
                let items = page
                    .items()
                    .iter()
                    .map(|m| BasePath {
                        base_path: Text::new(m.base_path().unwrap_or("(none)")),
                        api_id: Text::new(m.rest_api_id().unwrap_or_default()),
                        stage: m.stage().filter(|s| !s.is_empty()).map(Text::new),
                    })
                    .collect();
                Ok((items, page.position().map(str::to_string)))
            },
        )
        .await?;
    }
    Ok(out.into_iter().map(|(_, d)| d).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorization_names_its_authorizer() {
        let known = HashMap::from([(
            "az1".to_string(),
            AuthorizerConf {
                name: "jwt-check".into(),
                kind: Some(AuthorizerType::Request),
            },
        )]);
        assert_eq!(
            authorization(Some("CUSTOM"), Some("az1"), &known).label(),
            "LAMBDA jwt-check (REQUEST)"
        );
        assert_eq!(
            authorization(Some("COGNITO_USER_POOLS"), Some("gone"), &known).label(),
            "COGNITO gone"
        );
        assert_eq!(authorization(None, None, &known), Authorization::None);
        assert_eq!(
            authorization(Some("NEW_KIND"), None, &known).label(),
            "NEW_KIND"
        );
    }
}
