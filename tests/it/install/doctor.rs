//! `edgetop doctor` against the peer with IAM enforced as AWS does: an identity missing one
//! read or one write is told which, and which screen or key needs it; and, on a machine with
//! no credentials or with a profile that does not exist, `doctor` and the dashboard's start
//! both say exactly that, with the fix.

use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};

use crate::common::moto::{BIN, Moto, as_user};
use crate::common::tmux::Tmux;

/// Who doctor runs as: an IAM user's long-term key, or a role session's.
enum Identity<'a> {
    User(&'a (String, String)),
    Role(&'a (String, String, String)),
}

/// `edgetop doctor --json` (or text) against the peer, as `who`, on a clean machine: a UTF-8
/// locale, a known terminal, no tmux, a state directory of its own.
fn doctor(m: &Moto, who: Identity, json: bool) -> (i32, String, String) {
    let mut cmd = crate::common::moto::edgetop(m, &["doctor"]);
    if json {
        cmd.arg("--json");
    }
    match who {
        Identity::User(user) => as_user(&mut cmd, &user.0, &user.1),
        Identity::Role(session) => crate::common::moto::as_role(&mut cmd, session),
    }
    cmd.env("LANG", "C.UTF-8")
        .env("TERM", "xterm-256color")
        .env_remove("TMUX")
        .env_remove("STY")
        .env("XDG_STATE_HOME", m.dir.join("state"))
        .env("XDG_CONFIG_HOME", m.dir.join("config"));
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The one check that failed: `action`, with `needed_by` among who needs it.
fn the_one_failure<'a>(checks: &'a [Value], action: &str, needed_by: &str) -> &'a Value {
    let failed: Vec<&Value> = checks.iter().filter(|c| c["status"] == "fail").collect();
    assert_eq!(
        failed.len(),
        1,
        "only the missing action fails: {failed:#?}"
    );
    assert_eq!(failed[0]["action"], action);
    assert!(
        failed[0]["needed_by"].as_str().unwrap().contains(needed_by),
        "{}",
        failed[0]
    );
    failed[0]
}

/// A policy file of the repository's, changed by `change`, for a user of its own.
fn policy(m: &Moto, name: &str, change: impl FnOnce(&mut Value)) -> std::path::PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut p: Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("iam").join(name)).unwrap())
            .unwrap();
    change(&mut p);
    let path = m.dir.join(format!("policy-{}", name));
    std::fs::write(&path, p.to_string()).unwrap();
    path
}

fn without(action: &str) -> impl FnOnce(&mut Value) + '_ {
    move |p: &mut Value| {
        for st in p["Statement"].as_array_mut().unwrap() {
            if let Some(actions) = st["Action"].as_array_mut() {
                actions.retain(|a| a != action);
            }
        }
    }
}

/// The statement that lets an identity ask the policy simulator about itself (a user's own
/// ARN, as `aws:username` names it).
fn may_simulate_itself(p: &mut Value) {
    p["Statement"].as_array_mut().unwrap().push(json!({
        "Sid": "DoctorAsksAboutItself",
        "Effect": "Allow",
        "Action": "iam:SimulatePrincipalPolicy",
        "Resource": "*"
    }));
}

/// A Shield Advanced attack a day ago: Shield answers an unknown attack's id as it answers a
/// missing permission (AccessDeniedException), so only a real one can be asked about.
fn an_attack(m: &Moto) {
    let now = chrono::Utc::now().timestamp();
    m.shield_attacks(json!([{
        "AttackId": "doctor-1",
        "ResourceArn": "arn:aws:cloudfront::123456789012:distribution/E1",
        "StartTime": now - 86_400, "EndTime": now - 86_000, "Vectors": ["SYN_FLOOD"]
    }]));
}

fn checks(out: &str) -> Vec<Value> {
    let v: Value = serde_json::from_str(out).unwrap_or_else(|e| panic!("{e}: {out}"));
    v["checks"].as_array().unwrap().clone()
}

#[test]
fn a_read_the_identity_lacks_is_named_with_the_screen_that_needs_it() {
    let m = Moto::start("doctor-read");
    m.seed(10);
    an_attack(&m);
    let p = policy(&m, "read-only.json", without("wafv2:GetSampledRequests"));
    let user = m.iam_user(&p, "edgetop-no-samples");
    let (code, out, err) = doctor(&m, Identity::User(&user), true);
    assert_eq!(code, 1, "{out}{err}");
    let checks = checks(&out);
    let failed = the_one_failure(&checks, "wafv2:GetSampledRequests", "Origins");
    assert!(
        failed["fix"]
            .as_str()
            .unwrap()
            .contains("iam/read-only.json")
    );
    let summary = checks
        .iter()
        .find(|c| c["check"] == "reads" && c["status"] == "ok")
        .unwrap();
    assert!(
        summary["said"]
            .as_str()
            .unwrap()
            .starts_with("40 of the 41 actions")
            && summary["said"]
                .as_str()
                .unwrap()
                .ends_with("; 1 denied (below)"),
        "{summary}"
    );
    let who = checks.iter().find(|c| c["check"] == "credentials").unwrap();
    assert!(
        who["said"]
            .as_str()
            .unwrap()
            .contains(":user/edgetop-no-samples"),
        "{who}"
    );
    // The read-only policy may not ask the simulator: the changes are said to be unchecked.
    let changes = checks.iter().find(|c| c["check"] == "changes").unwrap();
    assert_eq!(changes["status"], "skip", "{changes}");
    assert!(
        changes["said"]
            .as_str()
            .unwrap()
            .contains("iam:SimulatePrincipalPolicy"),
        "{changes}"
    );
    let clock = checks.iter().find(|c| c["check"] == "clock").unwrap();
    assert_eq!(clock["status"], "ok", "{clock}");

    // The same, as a person reads it.
    let (code, out, _) = doctor(&m, Identity::User(&user), false);
    assert_eq!(code, 1);
    let line = out
        .lines()
        .find(|l| l.contains("wafv2:GetSampledRequests"))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(
        line.contains("✗") && line.contains("Origins: the sampled requests needs it"),
        "{line}"
    );
}

#[test]
fn a_write_the_identity_lacks_is_named_with_the_key_that_needs_it() {
    let m = Moto::start("doctor-write");
    m.seed(10);
    an_attack(&m);
    let p = policy(&m, "operator.json", |p| {
        without("wafv2:UpdateWebACL")(p);
        may_simulate_itself(p);
    });
    let user = m.iam_user(&p, "edgetop-no-toggle");
    let (code, out, err) = doctor(&m, Identity::User(&user), true);
    assert_eq!(code, 1, "{out}{err}");
    let checks = checks(&out);
    let failed = the_one_failure(&checks, "wafv2:UpdateWebACL", "`t` toggle a rule");
    assert_eq!(failed["check"], "changes");

    // With every action the policies name, everything passes.
    let p = policy(&m, "operator.json", may_simulate_itself);
    let user = m.iam_user(&p, "edgetop-operator");
    let (code, out, err) = doctor(&m, Identity::User(&user), false);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("all 41 actions the screens read are allowed"),
        "{out}"
    );
    assert!(
        out.contains("all 12 actions the operations make are allowed"),
        "{out}"
    );
}

/// A bastion's identity is most often a role (an instance role, SSO): the simulator is asked
/// about the role behind the session, found with GetRole where the role has a path.
#[test]
fn a_role_sessions_missing_write_is_asked_of_the_role_behind_it() {
    let m = Moto::start("doctor-role");
    m.seed(10);
    an_attack(&m);
    let p = policy(&m, "operator.json", |p| {
        without("wafv2:UpdateIPSet")(p);
        may_simulate_itself(p);
        p["Statement"].as_array_mut().unwrap().push(json!({
            "Sid": "DoctorFindsItsRole", "Effect": "Allow", "Action": "iam:GetRole", "Resource": "*"
        }));
    });
    let session = m.iam_role(&p, "edgetop/oncall");
    let (code, out, err) = doctor(&m, Identity::Role(&session), true);
    assert_eq!(code, 1, "{out}{err}");
    let checks = checks(&out);
    let who = checks.iter().find(|c| c["check"] == "credentials").unwrap();
    assert!(
        who["said"]
            .as_str()
            .unwrap()
            .contains(":assumed-role/oncall/doctor"),
        "{who}"
    );
    the_one_failure(&checks, "wafv2:UpdateIPSet", "`b` block an address");
}

/// An empty home of its own.
fn bare_home(name: &str) -> std::path::PathBuf {
    let home = std::env::temp_dir().join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&home);
    std::fs::create_dir_all(&home).unwrap();
    home
}

/// `edgetop doctor` on a machine with nothing set up but `env`: no credentials in the
/// environment, no instance role (its metadata service switched off, as off EC2), `home` as
/// its home. It must fail (exit 1): what it printed.
fn bare_doctor(home: &Path, args: &[&str], env: &[(&str, &str)]) -> String {
    let out = Command::new(BIN)
        .arg("doctor")
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap())
        .env("HOME", home)
        .env("LANG", "C.UTF-8")
        .env("TERM", "xterm-256color")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .envs(env.iter().copied())
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(1), "{said}");
    said
}

/// The line of the check `name` that failed.
fn failed<'a>(said: &'a str, name: &str) -> &'a str {
    said.lines()
        .find(|l| l.contains(&format!("✗ {name} ")))
        .unwrap_or_else(|| panic!("no failed {name}: {said}"))
}

/// The dashboard started on a terminal with `env` on a bare machine: the screen it leaves.
fn dashboard_start(name: &str, home: &Path, env: &str) -> String {
    let t = Tmux::start_with_env(
        name,
        240,
        10,
        &format!(
            "HOME={} AWS_EC2_METADATA_DISABLED=true {env}",
            home.display()
        ),
        &["--region", "eu-west-1"],
    );
    t.wait_dead();
    // Lines the pane wrapped, joined again.
    t.tmux(&["capture-pane", "-p", "-J", "-S", "-100", "-t", "e2e"])
}

#[test]
fn with_no_credentials_anywhere_doctor_and_the_dashboard_say_so() {
    let home = bare_home("edgetop-bare");
    let said = bare_doctor(&home, &["--region", "eu-west-1"], &[]);
    let line = failed(&said, "credentials");
    assert!(
        line.contains("none in the environment (AWS_ACCESS_KEY_ID)")
            && line.contains(".aws/config and")
            && line.contains("do not exist")
            && line.contains("AWS_EC2_METADATA_DISABLED"),
        "{line}"
    );
    assert!(
        !said.contains("SSO"),
        "no SSO profile, no SSO session: {said}"
    );
    assert!(said.contains("`aws configure`"), "the fix: {said}");

    let screen = dashboard_start("doctor-bare", &home, "");
    assert!(
        screen.contains("edgetop: no AWS credentials (none in the environment")
            && screen.contains("`edgetop doctor` checks everything"),
        "{screen}"
    );
    assert!(!screen.contains("SSO session"), "{screen}");
    let _ = std::fs::remove_dir_all(&home);
}

#[test]
fn a_profile_that_does_not_exist_is_said_to_be_missing_not_a_region() {
    let home = bare_home("edgetop-noprofile");
    std::fs::create_dir_all(home.join(".aws")).unwrap();
    std::fs::write(
        home.join(".aws/config"),
        "[profile prod]\nregion = eu-west-1\n[profile staging]\nregion = eu-west-1\n",
    )
    .unwrap();
    let said = bare_doctor(&home, &[], &[("AWS_PROFILE", "nosuch")]);
    let line = failed(&said, "profile");
    assert!(
        line.contains("there is no AWS profile nosuch in")
            && line.contains("AWS_PROFILE names it; there are prod, staging"),
        "{line}"
    );
    assert!(!said.contains("no AWS region"), "{said}");

    let screen = dashboard_start("doctor-noprofile", &home, "AWS_PROFILE=nosuch");
    assert!(
        screen.contains("edgetop: there is no AWS profile nosuch in")
            && screen.contains("set AWS_PROFILE to one of those, or unset it"),
        "{screen}"
    );
    let _ = std::fs::remove_dir_all(&home);
}

#[test]
fn a_clock_minutes_off_is_said_by_doctor_and_one_past_five_minutes_by_the_start_too() {
    let m = Moto::start("doctor-clock");
    m.seed(5);
    let testing = ("testing".to_string(), "testing".to_string());
    let clock_line = |out: &str| {
        checks(out)
            .into_iter()
            .find(|c| c["check"] == "clock")
            .unwrap_or_else(|| panic!("{out}"))
    };
    // Two minutes: AWS still takes the signatures, but the figures' ages are off.
    m.clock(120);
    let (code, out, _) = doctor(&m, Identity::User(&testing), true);
    assert_eq!(code, 1, "{out}");
    let c = clock_line(&out);
    assert_eq!(c["status"], "fail", "{c}");
    assert!(
        c["said"].as_str().unwrap().starts_with("2m behind AWS's"),
        "{c}"
    );
    // Seven: AWS refuses every request, and says why.
    m.clock(420);
    let (code, out, _) = doctor(&m, Identity::User(&testing), true);
    assert_eq!(code, 1, "{out}");
    let c = clock_line(&out);
    assert!(
        c["said"]
            .as_str()
            .unwrap()
            .contains("this machine's clock is 7m behind AWS's, and AWS refuses a signature more than 5 minutes off"),
        "{c}"
    );
    assert!(c["fix"].as_str().unwrap().contains("timedatectl"), "{c}");
    let (status, _, err) = crate::common::moto::snapshot(&m, &[]);
    assert_eq!(status.code(), Some(2));
    assert!(
        err.contains("Signature expired") && err.contains("7m behind AWS's"),
        "{err}"
    );
}
