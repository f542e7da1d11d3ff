//! The config file: `config.toml` in the XDG config directory (`~/.config/edgetop/`), or
//! `--config PATH`. Every setting is optional; command-line options win, except that
//! `read_only = true` is lifted only by `--read-write`, so a shared bastion can default to
//! looking, not touching.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Start read-only unless `--read-write` is given.
    #[serde(default)]
    pub read_only: bool,
    /// Ring the bell when an alarm goes to ALARM or a critical finding appears (`--bell`).
    #[serde(default)]
    pub bell: bool,
    /// Take the mouse (`--mouse`): tabs, rows, double click, wheel.
    #[serde(default)]
    pub mouse: bool,
    /// The time range shown at the start (`--range`): 15m, 1h, 3h, 12h, 24h, 3d or 7d.
    pub range: Option<crate::model::Range>,
    /// `:compare`: how many times its value a day or a week before a series must be for the
    /// Overview to say so (3 by default; more than 1).
    pub compare_factor: Option<f64>,
    /// Record every run of the dashboard, each to a new file in `record_dir` (`--record FILE`
    /// names one file instead).
    #[serde(default)]
    pub record: bool,
    /// Where `record = true` keeps recordings (default: recordings/ in the state directory).
    pub record_dir: Option<PathBuf>,
    /// How much a recording keeps: a time (24h) or a size (500MB) (`--record-keep`).
    pub record_keep: Option<String>,
    /// Origin custom header names that carry an API key.
    #[serde(default)]
    pub key_headers: Vec<String>,
    /// Minutes a rotation waits for a distribution to deploy.
    pub deploy_timeout_minutes: Option<u64>,
    /// `[keys]`: `action = ["key", …]`, as read (with where each is in the file).
    #[serde(default, rename = "keys")]
    keys_table: BTreeMap<String, toml::Spanned<Vec<String>>>,
    /// The `[keys]` table as rebindings, with their lines, in the file's order.
    #[serde(skip)]
    pub keys: Vec<Rebinding>,
    /// `[[accounts]]`: the accounts to read, each with its regions (command-line `--profile`
    /// and `--region` win).
    #[serde(default)]
    pub accounts: Vec<AccountEntry>,
}

/// One account to read: through a profile or a role to assume, in some regions.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AccountEntry {
    /// What the screens call it (default: the profile's name, else the account id).
    pub label: Option<String>,
    /// A profile of the AWS config (default: the SDK's chain).
    pub profile: Option<String>,
    /// A role to assume, from the profile's (or the default chain's) credentials.
    pub role_arn: Option<String>,
    /// Its regions (default: the profile's, or AWS_REGION); "all" for every region with an
    /// API or a web ACL.
    #[serde(default)]
    pub regions: Vec<String>,
    /// Operations here are refused, and key values not shown, whatever `--read-write` says;
    /// in this account, whichever profile, role or label reaches it.
    #[serde(default)]
    pub read_only: bool,
    /// Its 12-digit account id, when known: a read-only account is known by it before any
    /// profile is tried (else it is learnt from the role's ARN, or by asking STS who the
    /// profile is).
    pub account_id: Option<String>,
}

impl AccountEntry {
    /// What the screens call it: its label, else its profile's name.
    pub fn name(&self) -> Option<&str> {
        self.label.as_deref().or(self.profile.as_deref())
    }

    /// The account it reaches, where the config says: its `account_id`, else its role's.
    pub fn known_account(&self) -> Option<&str> {
        self.account_id
            .as_deref()
            .or_else(|| self.role_arn.as_deref()?.split(':').nth(4))
            .filter(|a| !a.is_empty())
    }
}

/// One entry of the `[keys]` table: an action, as help names it, and the keys that replace its
/// keys. Checked against the bindings when the dashboard starts (`app::bindings::Keymap`).
#[derive(Clone, Debug, PartialEq)]
pub struct Rebinding {
    pub action: String,
    pub keys: Vec<String>,
    /// Where it is in the config file (1-based).
    pub line: usize,
}

/// Why the config file cannot be used; each names the file.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the config file {path}: {source}")]
    Unreadable {
        path: String,
        source: std::io::Error,
    },
    /// Not TOML, or a setting misspelt or of the wrong type (the line is in the message).
    #[error("the config file {path} is not valid: {message}")]
    Invalid { path: String, message: String },
    /// A setting out of its range.
    #[error("the config file {path}: {message}")]
    OutOfRange { path: String, message: String },
}

impl Config {
    pub fn default_path() -> Option<PathBuf> {
        directories::ProjectDirs::from("", "", "edgetop")
            .map(|d| d.config_dir().join("config.toml"))
    }

    /// Read `path`. A missing file is an empty config only when it is the default path (not
    /// one the operator named); a broken one is an error naming the file, line and key.
    pub fn load(path: &Path, named: bool) -> Result<Config, ConfigError> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !named => {
                return Ok(Config::default());
            }
            Err(source) => {
                return Err(ConfigError::Unreadable {
                    path: path.display().to_string(),
                    source,
                });
            }
        };
        Config::parse(&text, path)
    }

    /// The settings in `text` (the file at `path`, named in errors), checked.
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let mut c: Config = toml::from_str(text).map_err(|e| ConfigError::Invalid {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        let line = |at: usize| text[..at.min(text.len())].matches('\n').count() + 1;
        c.keys = std::mem::take(&mut c.keys_table)
            .into_iter()
            .map(|(action, keys)| Rebinding {
                action,
                line: line(keys.span().start),
                keys: keys.into_inner(),
            })
            .collect();
        c.keys.sort_by_key(|r| r.line);
        if let Some(Err(e)) = c
            .record_keep
            .as_deref()
            .map(str::parse::<crate::host::keep::Keep>)
        {
            return Err(ConfigError::OutOfRange {
                path: path.display().to_string(),
                message: format!("record_keep: {e}"),
            });
        }
        if let Some(f) = c.compare_factor.filter(|f| !(f.is_finite() && *f > 1.0)) {
            return Err(ConfigError::OutOfRange {
                path: path.display().to_string(),
                message: format!("compare_factor must be a number above 1, not {f}"),
            });
        }
        check_accounts(&c.accounts).map_err(|message| ConfigError::OutOfRange {
            path: path.display().to_string(),
            message,
        })?;
        if c.deploy_timeout_minutes
            .is_some_and(|m| !(1..=1440).contains(&m))
        {
            return Err(ConfigError::OutOfRange {
                path: path.display().to_string(),
                message: "deploy_timeout_minutes must be from 1 to 1440 (a day)".into(),
            });
        }
        Ok(c)
    }
}

/// The `[[accounts]]` entries, checked: a role's ARN, an account's 12 digits, one name each.
fn check_accounts(accounts: &[AccountEntry]) -> Result<(), String> {
    if let Some(i) = accounts.iter().position(|a| {
        a.role_arn
            .as_deref()
            .is_some_and(|r| !r.starts_with("arn:"))
    }) {
        return Err(format!(
            "[[accounts]] entry {}: role_arn must be a role's ARN (arn:aws:iam::…:role/…)",
            i + 1
        ));
    }
    if let Some(i) = accounts.iter().position(|a| {
        a.account_id
            .as_deref()
            .is_some_and(|id| id.len() != 12 || !id.bytes().all(|b| b.is_ascii_digit()))
    }) {
        return Err(format!(
            "[[accounts]] entry {}: account_id must be the account's 12 digits",
            i + 1
        ));
    }
    // One name, one place: `:scope`, Enter's narrowing, the confirmation and the audit
    // record all go by it.
    for (i, a) in accounts.iter().enumerate() {
        let Some(name) = a.name() else { continue };
        if let Some(j) = accounts[..i].iter().position(|b| b.name() == Some(name)) {
            return Err(format!(
                "[[accounts]] entries {} and {} are both called {:?} (a label, else the \
                     profile's name): give each a label of its own",
                j + 1,
                i + 1,
                crate::model::Text::new(name).as_str()
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<Config, String> {
        let p = std::env::temp_dir().join(format!(
            "edgetop-config-{}-{}.toml",
            std::process::id(),
            text.len()
        ));
        std::fs::write(&p, text).unwrap();
        let r = Config::load(&p, true).map_err(|e| e.to_string());
        let _ = std::fs::remove_file(&p);
        r
    }

    /// The example the packages ship (examples/config.toml) loads, and so does every setting
    /// it shows commented out.
    #[test]
    fn the_shipped_example_loads_with_and_without_its_commented_settings() {
        let text = include_str!("../../examples/config.toml");
        let c = load(text).unwrap();
        assert!(c.read_only, "the example keeps a bastion read-only");
        let all: String = text
            .lines()
            .map(|l| match l.strip_prefix("# ") {
                Some(rest) if rest.starts_with('[') || rest.contains(" = ") => rest,
                _ => l,
            })
            .map(|l| format!("{l}\n"))
            .collect();
        let c = load(&all).unwrap();
        assert_eq!(c.accounts.len(), 2);
        assert_eq!(c.record_keep.as_deref(), Some("7d"));
        crate::app::keymap::Keymap::with(&c.keys).unwrap();
    }

    #[test]
    fn settings_load_and_mistakes_are_named() {
        let c = load("read_only = true\nkey_headers = [\"x-partner-key\"]\n").unwrap();
        assert!(c.read_only);
        assert_eq!(c.key_headers, ["x-partner-key"]);
        let e = load("read_only = true\nreadonly = false\n").unwrap_err();
        assert!(e.contains("line 2") && e.contains("readonly"), "{e}");
        let e = load("read_only = \"yes\"\n").unwrap_err();
        assert!(e.contains("line 1"), "{e}");
        assert!(
            load("deploy_timeout_minutes = 0")
                .unwrap_err()
                .contains("from 1 to 1440")
        );
        assert!(load("deploy_timeout_minutes = 18446744073709551615").is_err());
    }

    #[test]
    fn the_keys_table_keeps_each_line() {
        let c =
            load("read_only = false\n\n[keys]\nquit = [\"x\"]\nscreen_keys = [\"K\", \"F6\"]\n")
                .unwrap();
        assert_eq!(
            c.keys,
            [
                Rebinding {
                    action: "quit".into(),
                    keys: vec!["x".into()],
                    line: 4
                },
                Rebinding {
                    action: "screen_keys".into(),
                    keys: vec!["K".into(), "F6".into()],
                    line: 5
                }
            ]
        );
        let e = load("[keys]\nquit = \"x\"\n").unwrap_err();
        assert!(e.contains("line 2"), "{e}");
    }

    proptest::proptest! {
        #[test]
        fn any_bytes_give_a_config_or_an_error(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..400)) {
            let text = String::from_utf8_lossy(&bytes);
            let _ = Config::parse(&text, Path::new("fuzz.toml"));
        }

        #[test]
        fn any_toml_like_text_gives_a_config_or_an_error(text in "(read_only|key_headers|deploy_timeout_minutes|x)( ?= ?)(true|[0-9]{1,25}|\\[\"[a-z-]{0,8}\"\\]|\"\\PC{0,6}\")\n{0,2}") {
            let _ = Config::parse(&text, Path::new("fuzz.toml"));
        }
    }

    #[test]
    fn two_accounts_of_one_name_are_refused_naming_both() {
        let e = load(
            "[[accounts]]\nlabel = \"prod\"\nprofile = \"a\"\n\n[[accounts]]\nprofile = \"b\"\n\n\
             [[accounts]]\nlabel = \"prod\"\nprofile = \"c\"\n",
        )
        .unwrap_err();
        assert!(
            e.contains("entries 1 and 3") && e.contains("\"prod\""),
            "{e}"
        );
        // A profile's name is the label when there is none.
        let e = load("[[accounts]]\nprofile = \"p\"\n\n[[accounts]]\nlabel = \"p\"\n").unwrap_err();
        assert!(e.contains("entries 1 and 2"), "{e}");
        let ok = load(
            "[[accounts]]\nlabel = \"prod\"\nprofile = \"p\"\nread_only = true\n\
             account_id = \"123456789012\"\n\n[[accounts]]\nprofile = \"p2\"\n\
             role_arn = \"arn:aws:iam::222222222222:role/r\"\n",
        )
        .unwrap();
        assert_eq!(ok.accounts[0].known_account(), Some("123456789012"));
        assert_eq!(ok.accounts[1].known_account(), Some("222222222222"));
        assert!(
            load("[[accounts]]\naccount_id = \"12\"\n")
                .unwrap_err()
                .contains("12 digits")
        );
    }

    #[test]
    fn a_missing_default_file_is_empty_but_a_named_one_is_an_error() {
        let p = Path::new("/nonexistent/edgetop/config.toml");
        assert_eq!(Config::load(p, false).unwrap(), Config::default());
        let e = Config::load(p, true).unwrap_err();
        assert!(matches!(e, ConfigError::Unreadable { .. }), "{e}");
        assert!(e.to_string().contains("cannot read"), "{e}");
    }
}
