//! `edgetop doctor [--json]`: everything edgetop needs on this machine and in each account it
//! reads, checked at once, one line each with ✓ or ✗ and the fix, so that a first run on a new
//! bastion does not teach what is missing one panel at a time. Exit status 0 when nothing is
//! missing, 1 when something is.
//!
//! It changes nothing: the reads are made once each, as cheaply as they can be
//! ([`crate::source::aws::permissions`]), the writes asked of IAM's policy simulator, and the
//! files looked at, not written.

mod aws;
mod here;

use std::process::ExitCode;

use serde::Serialize;

use crate::commands::startup::Run;

/// How a check came out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// ✓
    Ok,
    /// ✗: something edgetop needs is missing or wrong.
    Fail,
    /// –: not checked, or nothing to check (said why).
    Skip,
}

/// One line of the report.
#[derive(Clone, Debug, Serialize)]
pub struct Check {
    /// The account and region it is about; none for this machine.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
    /// What was checked: "config", "credentials", "permission"...
    pub check: &'static str,
    pub status: Status,
    /// What was found.
    pub said: String,
    /// What to do about it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
    /// The IAM action, for a permission.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// Which screen, panel or key needs it, for a permission.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub needed_by: Option<&'static str>,
}

impl Check {
    pub fn ok(check: &'static str, said: impl Into<String>) -> Check {
        Check::new(check, Status::Ok, said.into(), None)
    }

    pub fn fail(check: &'static str, said: impl Into<String>, fix: impl Into<String>) -> Check {
        Check::new(check, Status::Fail, said.into(), Some(fix.into()))
    }

    pub fn skip(check: &'static str, said: impl Into<String>) -> Check {
        Check::new(check, Status::Skip, said.into(), None)
    }

    fn new(check: &'static str, status: Status, said: String, fix: Option<String>) -> Check {
        Check {
            place: None,
            check,
            status,
            said,
            fix,
            action: None,
            needed_by: None,
        }
    }
}

/// The whole report, as `--json` prints it.
#[derive(Debug, Serialize)]
struct Report {
    edgetop: &'static str,
    /// Nothing failed.
    ok: bool,
    checks: Vec<Check>,
}

/// `edgetop doctor`: `broken` is the config file's error, if it does not read (the run is then
/// without it).
pub fn run(run: &Run, broken: Option<anyhow::Error>, json: bool) -> anyhow::Result<ExitCode> {
    let mut checks = here::checks(run, broken.as_ref());
    if run.demo {
        checks.push(Check::skip(
            "aws",
            "--demo: the built-in simulated account, no AWS account is read",
        ));
    } else {
        let runtime = crate::commands::startup::runtime()?;
        let config_reads = broken.is_none();
        checks.extend(runtime.block_on(aws::checks(run, config_reads)));
    }
    let ok = checks.iter().all(|c| c.status != Status::Fail);
    if json {
        let report = Report {
            edgetop: env!("CARGO_PKG_VERSION"),
            ok,
            checks,
        };
        let text = serde_json::to_string_pretty(&report)?;
        for line in crate::model::text::json_safe(&text).lines() {
            crate::outln!("{line}");
        }
    } else {
        print(&checks, here::utf8_locale());
    }
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The report as lines: this machine's checks, then each place's under its name; a fix on the
/// line after its check. ✓ ✗ – in a UTF-8 locale, ok !! -- elsewhere.
fn print(checks: &[Check], utf8: bool) {
    let (ok, fail, skip, arrow) = if utf8 {
        ("✓", "✗", "–", "→")
    } else {
        ("ok", "!!", "--", "->")
    };
    // Outside a UTF-8 locale, edgetop's own signs in ASCII too.
    let plain = |s: &str| {
        if utf8 {
            s.to_string()
        } else {
            s.replace('·', "-").replace('×', "x").replace('–', "-")
        }
    };
    crate::outln!("edgetop {} doctor", env!("CARGO_PKG_VERSION"));
    let mut place: Option<Option<&str>> = None;
    for c in checks {
        if place != Some(c.place.as_deref()) {
            place = Some(c.place.as_deref());
            crate::outln!("");
            crate::outln!("{}", plain(c.place.as_deref().unwrap_or("this machine")));
        }
        let mark = match c.status {
            Status::Ok => ok,
            Status::Fail => fail,
            Status::Skip => skip,
        };
        crate::outln!("  {mark} {:<12} {}", c.check, plain(&c.said));
        if let Some(fix) = &c.fix {
            // Under the text of its check: the marks are one column wide, or two in ASCII.
            let indent = if utf8 { 17 } else { 18 };
            crate::outln!("{:indent$}{arrow} {}", "", plain(fix));
        }
    }
    let count = |s: Status| checks.iter().filter(|c| c.status == s).count();
    crate::outln!("");
    crate::outln!(
        "{} passed, {} failed, {} not checked",
        count(Status::Ok),
        count(Status::Fail),
        count(Status::Skip)
    );
}
