//! A moto server (with the operations moto lacks, see tests/aws/moto_server.py) on 127.0.0.1,
//! seeded by tests/aws/seed.py, for tests of the real binary against the AWS wire protocols.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

pub const BIN: &str = env!("CARGO_BIN_EXE_edgetop");
const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The Python of the pinned moto virtualenv (scripts/moto-env.sh makes it when missing).
pub fn python() -> String {
    let out = Command::new("bash")
        .arg(format!("{ROOT}/scripts/moto-env.sh"))
        .output()
        .expect("moto-env.sh runs");
    assert!(
        out.status.success(),
        "moto-env.sh failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .last()
        .expect("moto-env.sh prints the python path")
        .trim()
        .to_string()
}

pub struct Moto {
    child: Option<Child>,
    pub port: u16,
    pub dir: PathBuf,
    python: String,
}

impl Moto {
    pub fn start(name: &str) -> Moto {
        let dir = std::env::temp_dir().join(format!("edgetop-moto-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let mut m = Moto {
            child: None,
            port: 0,
            dir,
            python: python(),
        };
        m.spawn(0);
        m
    }

    fn spawn(&mut self, port: u16) {
        let mut child = Command::new(&self.python)
            .arg(format!("{ROOT}/tests/aws/moto_server.py"))
            .args(["--port", &port.to_string(), "--extras"])
            .arg(self.dir.join("extras.json"))
            .stdout(Stdio::piped())
            .stderr(Stdio::from(
                std::fs::File::create(self.dir.join("moto.log")).unwrap(),
            ))
            .spawn()
            .expect("moto starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .trim()
            .strip_prefix("PORT=")
            .unwrap_or_else(|| panic!("moto said {line:?}"));
        self.port = port.parse().unwrap();
        self.child = Some(child);
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Seed the account; returns what was seeded (tests/aws/seed.py's expected.json).
    pub fn seed(&self, keys: u32) -> serde_json::Value {
        self.seed_with(keys, &[])
    }

    /// Seed the account and the parts of a real one that differ from it (tests/aws/untidy.py).
    pub fn seed_untidy(&self, keys: u32) -> serde_json::Value {
        self.seed_with(keys, &["--untidy"])
    }

    /// Seed the account with `plans` usage plans in all (tenant plans beside the named three).
    pub fn seed_plans(&self, keys: u32, plans: u32) -> serde_json::Value {
        self.seed_with(keys, &["--plans", &plans.to_string()])
    }

    fn seed_with(&self, keys: u32, extra: &[&str]) -> serde_json::Value {
        let expected = self.dir.join("expected.json");
        let (extras, exp) = (self.dir.join("extras.json"), expected.display().to_string());
        let keys = keys.to_string();
        let mut args = vec!["--keys", &keys, "--expected", &exp];
        let extras = extras.display().to_string();
        args.extend(["--extras", &extras]);
        args.extend_from_slice(extra);
        self.script("seed.py", &args);
        serde_json::from_str(&std::fs::read_to_string(expected).unwrap()).unwrap()
    }

    /// Run tests/aws/`name` against the server with the dummy credentials: its standard
    /// output, or a panic with its standard error.
    fn script(&self, name: &str, args: &[&str]) -> Vec<u8> {
        let out = Command::new(&self.python)
            .arg(format!("{ROOT}/tests/aws/{name}"))
            .args(["--endpoint", &self.endpoint()])
            .args(args)
            .envs(aws_env())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{name} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    }

    /// Stop the server (its state is lost).
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Start again on the same port.
    pub fn restart(&mut self) {
        self.stop();
        let port = self.port;
        self.spawn(port);
    }

    fn control(&self, method: &str, path: &str, body: Option<&str>) -> String {
        let mut cmd = Command::new(&self.python);
        cmd.arg("-c").arg(
            "import sys, urllib.request as u\n\
             req = u.Request(sys.argv[1], method=sys.argv[2], data=(sys.argv[3].encode() if len(sys.argv) > 3 else None), headers={'Content-Type': 'application/json'})\n\
             print(u.urlopen(req).read().decode())",
        );
        cmd.arg(format!("{}{path}", self.endpoint())).arg(method);
        if let Some(b) = body {
            cmd.arg(b);
        }
        let out = cmd.output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Make the next `count` calls of `operation` fail with `error` (-1: until cleared).
    pub fn fault(&self, operation: &str, error: &str, count: i32) {
        let body =
            serde_json::json!({"operation": operation, "error": error, "count": count}).to_string();
        self.control("POST", "/_edgetop/faults", Some(&body));
    }

    /// As [`Moto::fault`], for calls in `region` only.
    pub fn fault_in(&self, operation: &str, error: &str, count: i32, region: &str) {
        let body = serde_json::json!({"operation": operation, "error": error, "count": count,
            "region": region})
        .to_string();
        self.control("POST", "/_edgetop/faults", Some(&body));
    }

    pub fn clear_faults(&self) {
        self.control("DELETE", "/_edgetop/faults", None);
    }

    /// Calls per operation since the last reset.
    pub fn calls(&self) -> serde_json::Value {
        serde_json::from_str(&self.control("GET", "/_edgetop/calls", None)).unwrap()
    }

    /// Every call since the last reset: (unix seconds, service, operation).
    pub fn call_log(&self) -> Vec<(f64, Option<String>, String)> {
        serde_json::from_str(&self.control("GET", "/_edgetop/call-log", None)).unwrap()
    }

    pub fn reset_calls(&self) {
        self.control("POST", "/_edgetop/calls/reset", None);
    }

    /// Another client's change, made inside the server between our read and our next
    /// UpdateWebACL of that web ACL (see /_edgetop/second-writer in moto_server.py).
    pub fn second_writer(&self, spec: serde_json::Value) {
        self.control("POST", "/_edgetop/second-writer", Some(&spec.to_string()));
    }

    /// Another client's ranges, added inside the server between our read of an IP set and our
    /// next UpdateIPSet of it (see /_edgetop/ip-set-writer in moto_server.py).
    pub fn ip_set_writer(&self, spec: serde_json::Value) {
        self.control("POST", "/_edgetop/ip-set-writer", Some(&spec.to_string()));
    }

    /// How the next Logs Insights queries go: "Running" to `polls` GetQueryResults (-1: until
    /// stopped), then `status`. Returns every query started so far, as the server saw it.
    pub fn logs_queries(&self, plan: Option<(i32, &str)>) -> serde_json::Value {
        let out = match plan {
            Some((polls, status)) => {
                let body = serde_json::json!({"polls": polls, "status": status}).to_string();
                self.control("POST", "/_edgetop/logs/queries", Some(&body))
            }
            None => self.control("GET", "/_edgetop/logs/queries", None),
        };
        serde_json::from_str(&out).unwrap()
    }

    /// From now on, GetApiKey and GetApiKeys answer without these keys' values.
    pub fn valueless_keys(&self, ids: &[&str]) {
        let body = serde_json::json!({ "ids": ids }).to_string();
        self.control("POST", "/_edgetop/valueless-keys", Some(&body));
    }

    /// Shield's ListAttacks and DescribeAttack answer with these (DescribeAttack's shape).
    pub fn shield_attacks(&self, attacks: serde_json::Value) {
        let body = serde_json::json!({ "attacks": attacks }).to_string();
        self.control("POST", "/_edgetop/shield-attacks", Some(&body));
    }

    /// From now on, GetMetricData answers carry result ids that were not asked for.
    pub fn strange_ids(&self) {
        self.control("POST", "/_edgetop/strange-ids", None);
    }

    /// Calls of `operation` wait (a slow AWS) until [`Moto::release`].
    pub fn hold(&self, operation: &str) {
        let body = serde_json::json!({ "operation": operation }).to_string();
        self.control("POST", "/_edgetop/hold", Some(&body));
    }

    /// As [`Moto::hold`], only the one call after the next `skip` (the others go on).
    pub fn hold_one_after(&self, operation: &str, skip: u32) {
        let body =
            serde_json::json!({ "operation": operation, "skip": skip, "count": 1 }).to_string();
        self.control("POST", "/_edgetop/hold", Some(&body));
    }

    /// As [`Moto::hold`], for calls signed for `region` only (a blackholed region).
    pub fn hold_in(&self, operation: &str, region: &str) {
        let body = serde_json::json!({ "operation": operation, "region": region }).to_string();
        self.control("POST", "/_edgetop/hold", Some(&body));
    }

    /// Let held calls go on; returns which calls waited and which arrived meanwhile.
    pub fn release(&self) -> serde_json::Value {
        serde_json::from_str(&self.control("DELETE", "/_edgetop/hold", None)).unwrap()
    }

    /// Which calls wait on a hold now, and which arrived while one waited.
    pub fn holds(&self) -> serde_json::Value {
        serde_json::from_str(&self.control("GET", "/_edgetop/hold", None)).unwrap()
    }

    /// After each UpdateDistribution, the next `polls` GetDistribution calls say InProgress.
    /// AWS's clock `secs` seconds from this machine's: the answers' Date header says so, and a
    /// request signed more than five minutes off is refused, as SigV4 refuses it.
    pub fn clock(&self, secs: i64) {
        let body = serde_json::json!({ "offset_seconds": secs }).to_string();
        self.control("POST", "/_edgetop/clock", Some(&body));
    }

    pub fn deploy_delay(&self, polls: i32) {
        let body = serde_json::json!({ "polls": polls }).to_string();
        self.control("POST", "/_edgetop/cloudfront/deploy-delay", Some(&body));
    }

    /// Another writer updates distribution `id` when our next UpdateDistribution of it arrives.
    pub fn touch_before_next_update(&self, id: &str) {
        let body = serde_json::json!({ "id": id, "before_next_update": true }).to_string();
        self.control("POST", "/_edgetop/cloudfront/touch", Some(&body));
    }

    /// Every UpdateDistribution the server saw: its If-Match, the ETag it had, the status.
    pub fn distribution_updates(&self) -> serde_json::Value {
        serde_json::from_str(&self.control("GET", "/_edgetop/requests/UpdateDistribution", None))
            .unwrap()
    }

    /// Another operator's change (tests/aws/tamper.py): its stdout.
    pub fn tamper(&self, args: &[&str]) -> String {
        String::from_utf8_lossy(&self.script("tamper.py", args))
            .trim()
            .to_string()
    }

    /// The account as tests/aws/state.py reads it: keys, plans, distributions' headers, web ACLs.
    pub fn state(&self) -> serde_json::Value {
        self.state_in("eu-west-1")
    }

    /// [`Self::state`], of API Gateway and regional WAF in `region`.
    pub fn state_in(&self, region: &str) -> serde_json::Value {
        serde_json::from_slice(&self.script("state.py", &["--region", region])).unwrap()
    }

    /// Seed a second region and a second account beside the first (tests/aws/places_seed.py):
    /// what it made.
    pub fn seed_places(&self) -> serde_json::Value {
        serde_json::from_slice(&self.script("places_seed.py", &[])).unwrap()
    }

    /// As [`Moto::seed_places`], the second account's distribution sending a key of the first
    /// (acme-logistics): a shared CDN account.
    pub fn seed_places_shared_cdn(&self) -> serde_json::Value {
        serde_json::from_slice(&self.script("places_seed.py", &["--shared-cdn"])).unwrap()
    }

    /// As [`Moto::seed_places`], with the first account monitoring the second through
    /// CloudWatch cross-account observability, and metrics only the second account has.
    pub fn seed_places_observed(&self) -> serde_json::Value {
        serde_json::from_slice(&self.script("places_seed.py", &["--observability"])).unwrap()
    }

    /// As [`Moto::seed_places_observed`], the link sharing only the metric namespaces `filter`
    /// lets through (`LinkConfiguration.MetricConfiguration.Filter`).
    pub fn seed_places_observed_filtered(&self, filter: &str) -> serde_json::Value {
        serde_json::from_slice(&self.script(
            "places_seed.py",
            &["--observability", "--metric-filter", filter],
        ))
        .unwrap()
    }

    /// Every call since the last reset, with where it went and who signed it.
    pub fn place_log(&self) -> Vec<PlacedCall> {
        serde_json::from_str(&self.control("GET", "/_edgetop/place-log", None)).unwrap()
    }

    /// The cross-account CloudWatch reads since the last reset: (operation, caller's account,
    /// the accounts read).
    pub fn metric_accounts(&self) -> Vec<(String, String, Vec<String>)> {
        serde_json::from_str(&self.control("GET", "/_edgetop/metric-accounts", None)).unwrap()
    }
}

/// One call as the peer logged it (GET /_edgetop/place-log).
#[derive(Debug, serde::Deserialize)]
pub struct PlacedCall {
    pub at: f64,
    pub service: Option<String>,
    pub operation: String,
    pub region: Option<String>,
    pub key: Option<String>,
}

impl Drop for Moto {
    fn drop(&mut self) {
        self.stop();
    }
}

impl Moto {
    /// A role `path/name` with `policy` inline, assumed (session "doctor"), and IAM enforced
    /// from now on: the session's access key id, secret and token.
    pub fn iam_role(&self, policy: &Path, role: &str) -> (String, String, String) {
        let out_file = self.dir.join("role-session.json");
        let (policy, out) = (policy.display().to_string(), out_file.display().to_string());
        self.script(
            "iam_user.py",
            &["--role", role, "--policy", &policy, "--out", &out],
        );
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out_file).unwrap()).unwrap();
        let s = |k: &str| v[k].as_str().unwrap().to_string();
        (s("AccessKeyId"), s("SecretAccessKey"), s("SessionToken"))
    }

    /// An IAM user with `policy` (a JSON file) inline, and IAM enforced from now on for every
    /// signed call (tests/aws/iam_user.py). Returns its access key id and secret.
    pub fn iam_user(&self, policy: &Path, user: &str) -> (String, String) {
        let out_file = self.dir.join(format!("{user}.json"));
        let (policy, out) = (policy.display().to_string(), out_file.display().to_string());
        self.script(
            "iam_user.py",
            &["--user", user, "--policy", &policy, "--out", &out],
        );
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out_file).unwrap()).unwrap();
        (
            v["AccessKeyId"].as_str().unwrap().to_string(),
            v["SecretAccessKey"].as_str().unwrap().to_string(),
        )
    }
}

/// `edgetop snapshot --json` as an IAM user: (exit status, JSON, stderr).
pub fn snapshot_as(
    m: &Moto,
    key: &str,
    secret: &str,
) -> (std::process::ExitStatus, serde_json::Value, String) {
    run_snapshot(m, &[], Some((key, secret)))
}

/// Dummy credentials and no instance metadata: nothing leaves 127.0.0.1.
pub fn aws_env() -> Vec<(&'static str, &'static str)> {
    vec![
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_SESSION_TOKEN", "testing"),
        ("AWS_DEFAULT_REGION", "eu-west-1"),
        ("AWS_EC2_METADATA_DISABLED", "true"),
        ("AWS_CONFIG_FILE", "/dev/null"),
        ("AWS_SHARED_CREDENTIALS_FILE", "/dev/null"),
    ]
}

/// `edgetop snapshot --json` against the server: (exit status, JSON on stdout, stderr).
pub fn snapshot(m: &Moto, extra: &[&str]) -> (std::process::ExitStatus, serde_json::Value, String) {
    run_snapshot(m, extra, None)
}

/// The real binary against the server: `args`, then the region, the endpoint, one attempt per
/// call, the server's log file, and the dummy credentials.
pub fn edgetop(m: &Moto, args: &[&str]) -> Command {
    program(BIN, m, args)
}

/// As [`edgetop`], the tests' hooked build ([`super::hooked`]).
pub fn edgetop_hooked(m: &Moto, args: &[&str]) -> Command {
    program(&super::hooked(), m, args)
}

/// `bin` (another build of edgetop) against the server in eu-west-1.
pub fn program(bin: &str, m: &Moto, args: &[&str]) -> Command {
    program_in(bin, m, "eu-west-1", args)
}

/// `edgetop snapshot --json` in `region` (another partition's, say): (status, JSON, stderr).
pub fn snapshot_in(
    m: &Moto,
    region: &str,
) -> (std::process::ExitStatus, serde_json::Value, String) {
    let out = program_in(BIN, m, region, &["snapshot", "--json", "--no-logs"])
        .output()
        .unwrap();
    let json = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    (
        out.status,
        json,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn program_in(bin: &str, m: &Moto, region: &str, args: &[&str]) -> Command {
    let mut cmd = Command::new(bin);
    cmd.args(args)
        .args([
            "--region",
            region,
            "--endpoint-url",
            &m.endpoint(),
            "--max-attempts",
            "1",
        ])
        .arg("--log-file")
        .arg(m.dir.join("edgetop.log"))
        .envs(aws_env());
    cmd
}

/// Run as an assumed role's session: its key, secret and session token.
pub fn as_role(cmd: &mut Command, session: &(String, String, String)) {
    cmd.env("AWS_ACCESS_KEY_ID", &session.0)
        .env("AWS_SECRET_ACCESS_KEY", &session.1)
        .env("AWS_SESSION_TOKEN", &session.2);
}

/// Run as an IAM user: its long-term key, no session token.
pub fn as_user(cmd: &mut Command, key: &str, secret: &str) {
    cmd.env_remove("AWS_SESSION_TOKEN")
        .env("AWS_ACCESS_KEY_ID", key)
        .env("AWS_SECRET_ACCESS_KEY", secret);
}

/// The dummy credentials (and `extra`) as `K=V` words for a tmux command line.
pub fn env_words(extra: &[(&str, &str)]) -> String {
    aws_env()
        .iter()
        .chain(extra)
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The dashboard against the server in a private tmux (160×48): the region, the endpoint and
/// one attempt per call, then `args`; the dummy credentials and `env` in its environment.
pub fn dashboard(m: &Moto, name: &str, env: &[(&str, &str)], args: &[&str]) -> super::tmux::Tmux {
    let endpoint = m.endpoint();
    let mut all = vec![
        "--region",
        "eu-west-1",
        "--endpoint-url",
        &endpoint,
        "--max-attempts",
        "1",
    ];
    all.extend_from_slice(args);
    super::tmux::Tmux::start_with_env(name, 160, 48, &env_words(env), &all)
}

/// With the seeder's dummy credentials, or as an IAM user (key id, secret).
fn run_snapshot(
    m: &Moto,
    extra: &[&str],
    user: Option<(&str, &str)>,
) -> (std::process::ExitStatus, serde_json::Value, String) {
    let mut cmd = edgetop(m, &["snapshot", "--json"]);
    cmd.args(extra);
    if let Some((key, secret)) = user {
        as_user(&mut cmd, key, secret);
    }
    let out = cmd.output().unwrap();
    let json = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    (
        out.status,
        json,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
