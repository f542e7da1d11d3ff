//! The AWS profile files (`~/.aws/config` and `~/.aws/credentials`, or where
//! `AWS_CONFIG_FILE` and `AWS_SHARED_CREDENTIALS_FILE` say), read by the SDK's own parser, so
//! that a start that cannot connect says what is really missing: a profile that is not there,
//! no credentials anywhere, or an SSO profile's session (and only for a profile that uses SSO).

use std::path::PathBuf;

use aws_config::profile::ProfileSet;
use aws_runtime::env_config::file::EnvConfigFiles as FileSet;
use aws_types::os_shim_internal::{Env, Fs};

/// What the profile files hold, and where they are.
#[derive(Debug)]
pub struct Profiles {
    /// The profiles, or why the files could not be read.
    pub set: Result<ProfileSet, String>,
    pub config: PathBuf,
    pub credentials: PathBuf,
}

/// Where a profile's name came from, for the sentence that says it is not there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Named {
    /// `--profile`, or a profile of an `[[accounts]]` entry of edgetop's config file.
    Option,
    /// `AWS_PROFILE`.
    Environment,
}

/// The keys of a profile that give credentials, as the AWS SDKs read them ("Configuration and
/// credential file settings" in the AWS CLI's user guide, and the SDKs and Tools reference).
const CREDENTIAL_KEYS: &[&str] = &[
    "aws_access_key_id",
    "role_arn",
    "credential_process",
    "sso_session",
    "sso_start_url",
    "web_identity_token_file",
    "login_session",
];

impl Profiles {
    /// Read them as the SDK does.
    pub async fn read() -> Profiles {
        let home = || {
            std::env::var_os("HOME")
                .map(PathBuf::from)
                .unwrap_or_default()
        };
        let path_of = |var: &str, name: &str| {
            std::env::var_os(var)
                .map(PathBuf::from)
                .unwrap_or_else(|| home().join(".aws").join(name))
        };
        let set = aws_config::profile::load(&Fs::real(), &Env::real(), &FileSet::default(), None)
            .await
            .map_err(|e| super::failure::in_words(&e));
        Profiles {
            set,
            config: path_of("AWS_CONFIG_FILE", "config"),
            credentials: path_of("AWS_SHARED_CREDENTIALS_FILE", "credentials"),
        }
    }

    /// The files, in words: "~/.aws/config or ~/.aws/credentials" (`joined` by "or", say).
    pub fn files(&self, joined: &str) -> String {
        format!(
            "{} {joined} {}",
            self.config.display(),
            self.credentials.display()
        )
    }

    /// The files hold no profile at all (or cannot be read).
    pub fn is_empty(&self) -> bool {
        self.set.as_ref().map_or(true, |s| s.is_empty())
    }

    /// The profile a command uses: `named`, else `AWS_PROFILE`, with where it came from; None
    /// for the SDK's default chain.
    pub fn selected(named: Option<&str>) -> Option<(String, Named)> {
        match named {
            Some(n) => Some((n.to_string(), Named::Option)),
            None => std::env::var("AWS_PROFILE")
                .ok()
                .filter(|p| !p.is_empty())
                .map(|p| (p, Named::Environment)),
        }
    }

    pub fn has(&self, name: &str) -> bool {
        self.set
            .as_ref()
            .is_ok_and(|s| s.get_profile(name).is_some())
    }

    /// The profiles there are, sorted, in words ("prod, staging" or "none").
    pub fn names(&self) -> String {
        let mut names: Vec<String> = match &self.set {
            Ok(s) => s.profiles().map(crate::model::text::escape).collect(),
            Err(_) => Vec::new(),
        };
        names.sort();
        if names.is_empty() {
            "there are none".into()
        } else {
            format!("there are {}", names.join(", "))
        }
    }

    /// The profile uses IAM Identity Center (SSO), whose session may expire.
    pub fn uses_sso(&self, name: &str) -> bool {
        self.profile_has(name, &["sso_session", "sso_start_url"])
    }

    /// The profile names some way to get credentials (keys, a role, a process, SSO, ...).
    pub fn gives_credentials(&self, name: &str) -> bool {
        self.profile_has(name, CREDENTIAL_KEYS)
    }

    fn profile_has(&self, name: &str, keys: &[&str]) -> bool {
        let Ok(set) = &self.set else { return false };
        set.get_profile(name)
            .is_some_and(|p| keys.iter().any(|k| p.get(k).is_some()))
    }

    /// Neither file exists.
    pub fn none_exist(&self) -> bool {
        !self.config.exists() && !self.credentials.exists()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn of(config: &str, credentials: &str) -> Profiles {
        let fs = Fs::from_slice(&[("/c", config), ("/k", credentials)]);
        let env = Env::from_slice(&[
            ("AWS_CONFIG_FILE", "/c"),
            ("AWS_SHARED_CREDENTIALS_FILE", "/k"),
        ]);
        let set = aws_config::profile::load(&fs, &env, &FileSet::default(), None)
            .await
            .map_err(|e| e.to_string());
        Profiles {
            set,
            config: "/c".into(),
            credentials: "/k".into(),
        }
    }

    #[tokio::test]
    async fn profiles_of_both_files_are_known_and_sso_only_where_it_is_set() {
        let p = of(
            "[profile oncall]\nsso_session = corp\nregion = eu-west-1\n[profile plain]\nregion = eu-west-1\n\
             [profile role]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = keys\n",
            "[keys]\naws_access_key_id = AKIA\naws_secret_access_key = s\n",
        )
        .await;
        assert!(p.has("oncall") && p.has("keys") && !p.has("nosuch"));
        assert!(p.uses_sso("oncall") && !p.uses_sso("plain") && !p.uses_sso("keys"));
        assert!(p.gives_credentials("keys") && p.gives_credentials("role"));
        assert!(!p.gives_credentials("plain"));
        assert_eq!(p.names(), "there are keys, oncall, plain, role");
        assert!(!p.is_empty());
        let none = of("", "").await;
        assert_eq!(none.names(), "there are none");
        assert!(none.is_empty());
    }
}
