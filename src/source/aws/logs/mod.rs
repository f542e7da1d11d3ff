//! The account's own logs, through CloudWatch Logs Insights: which logs the stages and web ACLs
//! write (discovery found them), the queries each gets every `--logs-every`, and their runs.
//!
//! A run starts every query at once (StartQuery), then asks for each one's answer
//! (GetQueryResults) with a growing pause, for as long as the poll may wait; what is still
//! running is asked for again at the next poll, and stopped (StopQuery) once past the time limit
//! or when edgetop exits. A query that fails or times out keeps the figures of the run before,
//! their window saying how old they are.

mod answers;
mod planning;

use std::sync::Mutex;

use aws_sdk_cloudwatchlogs::types::QueryStatus;

use super::*;
use crate::model::logs::{LogKind, LogSource, LogState, Logs, ScanCost, Window};
use crate::source::log_queries::{self, AccessFields, Row};
use answers::{answer_of, is_throttle};
pub(super) use planning::{access_groups, plan};

#[cfg(test)]
use planning::{queryable, source};

/// How long the dashboard's poll waits for answers; the rest come at the next poll.
const IN_POLL_WAIT: Duration = Duration::from_secs(4);
/// The pause between asks for answers grows from this to [`MOST_PAUSE`].
const FIRST_PAUSE: Duration = Duration::from_millis(200);
const MOST_PAUSE: Duration = Duration::from_secs(2);
/// No more queries at once than this: AWS allows 100 an account, dashboards included (the
/// CloudWatch Logs user guide, "View running queries or query history"; StartQuery's API
/// reference still says 30), and people and dashboards query too.
const AT_ONCE: usize = 10;

/// Whether to query logs, how often, and for how long one query may run.
#[derive(Clone, Copy, Debug)]
pub struct LogSettings {
    /// None: `--no-logs`.
    pub every: Option<Duration>,
    pub time_limit: Duration,
}

/// One query of a log, and how to read its answer.
#[derive(Clone, Debug)]
pub(super) struct Job {
    key: String,
    group: String,
    global: bool,
    query: String,
    kind: JobKind,
}

#[derive(Clone, Debug)]
enum JobKind {
    /// 429s; `only` is the one stage (API id, stage) a log group serves, for formats that do
    /// not say which.
    Access {
        fields: AccessFields,
        only: Option<(String, String)>,
    },
    WafSources(Text),
    WafPaths(Text),
    WafAgents(Text),
}

/// A log, its queries, and (before any run) what is known of it.
pub(super) struct Planned {
    source: LogSource,
    jobs: Vec<Job>,
}

/// A query AWS is running.
#[derive(Clone, Debug)]
struct Running {
    job: Job,
    id: String,
    started: Instant,
    window: (DateTime<Utc>, DateTime<Utc>),
}

/// How a query's last run ended.
#[derive(Clone, Debug)]
enum Ended {
    Read,
    TimedOut(DateTime<Utc>),
    Failed(DateTime<Utc>, String),
}

/// Queries running and done, the answers kept, and what they scanned.
#[derive(Default)]
pub struct LogBook {
    last_run: Option<DateTime<Utc>>,
    running: Vec<Running>,
    ended: HashMap<String, Ended>,
    /// The last good answer of each query, with its window.
    answers: HashMap<String, (Window, Vec<Row>)>,
    /// Queries not started for want of room (AWS's limit, or [`AT_ONCE`]): tried next poll.
    waiting: Vec<Job>,
    cost: ScanCost,
    /// The running queries' ids (and whether in us-east-1), for StopQuery when edgetop exits.
    live: Arc<Mutex<Vec<(String, bool)>>>,
}

impl LogBook {
    pub fn new(every: Option<Duration>) -> LogBook {
        LogBook {
            cost: ScanCost {
                every_secs: every.map_or(0, |e| e.as_secs() as u32),
                ..Default::default()
            },
            ..Default::default()
        }
    }

    /// What stops the running queries when edgetop exits.
    pub fn live(&self) -> Arc<Mutex<Vec<(String, bool)>>> {
        self.live.clone()
    }

    fn publish_live(&self) {
        let ids = self
            .running
            .iter()
            .map(|r| (r.id.clone(), r.job.global))
            .collect();
        *self.live.lock().unwrap_or_else(|e| e.into_inner()) = ids;
    }

    fn is_due(&self, now: DateTime<Utc>, every: Duration) -> bool {
        self.running.is_empty()
            && self
                .last_run
                .is_none_or(|t| now - t >= TimeDelta::from_std(every).unwrap_or(TimeDelta::MAX))
    }

    /// Start queries, as many as there is room for.
    async fn start(
        &mut self,
        clients: &Clients,
        jobs: Vec<Job>,
        window: (DateTime<Utc>, DateTime<Utc>),
        calls: &mut Calls,
    ) {
        for job in jobs {
            if self.running.len() >= AT_ONCE {
                self.waiting.push(job);
                continue;
            }
            let client = if job.global {
                &clients.logs_global
            } else {
                &clients.logs
            };
            calls.add("logs:StartQuery");
            let r = client
                .start_query()
                .log_group_names(&job.group)
                .start_time(window.0.timestamp())
                .end_time(window.1.timestamp())
                .query_string(&job.query)
                .send()
                .await;
            match r {
                Ok(out) => {
                    self.running.push(Running {
                        id: out.query_id().unwrap_or_default().to_string(),
                        job,
                        started: Instant::now(),
                        window,
                    });
                    // Known to be stopped at exit at once: quitting in the middle of this
                    // loop leaves none running.
                    self.publish_live();
                }
                // No room (AWS's concurrency limit) or throttled: queued, started at a later
                // poll, not failed.
                Err(e)
                    if is_throttle(&e)
                        || e.as_service_error()
                            .is_some_and(|se| se.is_limit_exceeded_exception()) =>
                {
                    self.waiting.push(job);
                }
                Err(e) => {
                    let f = connect::failure("logs:StartQuery", &e);
                    self.ended
                        .insert(job.key.clone(), Ended::Failed(window.1, f.to_string()));
                }
            }
        }
        self.publish_live();
    }

    /// Ask for each running query's answer once; stop those past the limit.
    async fn ask(&mut self, clients: &Clients, limit: Duration, calls: &mut Calls) {
        let mut still = Vec::new();
        for r in std::mem::take(&mut self.running) {
            let client = if r.job.global {
                &clients.logs_global
            } else {
                &clients.logs
            };
            calls.add("logs:GetQueryResults");
            let got = client.get_query_results().query_id(&r.id).send().await;
            let ended_at = Utc::now();
            let out = match got {
                Ok(out) => out,
                // Throttled (after the SDK's own retries): asked again at the next ask, unless
                // it has run too long.
                Err(e) if is_throttle(&e) && r.started.elapsed() < limit => {
                    tracing::info!(query = %r.id, "GetQueryResults throttled: asked again later");
                    still.push(r);
                    continue;
                }
                Err(e) => {
                    // Nobody will read its answer: AWS would run (and bill) it for nothing.
                    calls.add("logs:StopQuery");
                    let _ = client.stop_query().query_id(&r.id).send().await;
                    let f = connect::failure("logs:GetQueryResults", &e);
                    self.ended
                        .insert(r.job.key.clone(), Ended::Failed(ended_at, f.to_string()));
                    continue;
                }
            };
            match out.status() {
                Some(QueryStatus::Complete) => {
                    let (window, rows) = answer_of(&out, r.window);
                    self.cost.bytes_last_run += window.bytes_scanned;
                    self.cost.bytes_total += window.bytes_scanned;
                    self.answers.insert(r.job.key.clone(), (window, rows));
                    self.ended.insert(r.job.key.clone(), Ended::Read);
                }
                Some(QueryStatus::Timeout) => {
                    self.ended
                        .insert(r.job.key.clone(), Ended::TimedOut(ended_at));
                }
                Some(s @ (QueryStatus::Failed | QueryStatus::Cancelled)) => {
                    let why = format!("Logs Insights says the query {}", s.as_str());
                    self.ended
                        .insert(r.job.key.clone(), Ended::Failed(ended_at, why));
                }
                _ if r.started.elapsed() >= limit => {
                    calls.add("logs:StopQuery");
                    let _ = client.stop_query().query_id(&r.id).send().await;
                    self.ended
                        .insert(r.job.key.clone(), Ended::TimedOut(ended_at));
                }
                _ => still.push(r),
            }
        }
        self.running = still;
        self.publish_live();
    }

    /// Forget the answers and ends of queries no log asks any more (a log group or a web ACL
    /// gone since), so the book does not grow with every change to the account.
    fn keep_only(&mut self, planned: &[Planned]) {
        let wanted: std::collections::HashSet<&str> = planned
            .iter()
            .flat_map(|p| p.jobs.iter().map(|j| j.key.as_str()))
            .collect();
        self.answers.retain(|k, _| wanted.contains(k.as_str()));
        self.ended.retain(|k, _| wanted.contains(k.as_str()));
        self.waiting.retain(|j| wanted.contains(j.key.as_str()));
    }

    /// The logs' state and figures, for the snapshot.
    pub(super) fn logs(&self, planned: &[Planned]) -> Logs {
        let mut out = Logs {
            cost: self.cost,
            ..Default::default()
        };
        for p in planned {
            let mut src = p.source.clone();
            src.queries = p
                .jobs
                .iter()
                .map(|j| Text::with_limit(&j.query, crate::model::text::WIDE))
                .collect();
            if !p.jobs.is_empty() {
                src.query_states = p
                    .jobs
                    .iter()
                    .map(|j| self.state_of(std::slice::from_ref(j), &src.state))
                    .collect();
                src.state = self.state_of(&p.jobs, &src.state);
            }
            for job in &p.jobs {
                let Some((w, rows)) = self.answers.get(&job.key) else {
                    continue;
                };
                match &job.kind {
                    JobKind::Access { fields, only } => {
                        let only = only.as_ref().map(|(a, s)| (a.as_str(), s.as_str()));
                        out.refused
                            .extend(log_queries::refused(rows, fields, only, w.minutes()));
                    }
                    JobKind::WafSources(acl) => out.blocked.extend(log_queries::blocked(rows, acl)),
                    JobKind::WafPaths(acl) => {
                        out.blocked_paths
                            .extend(log_queries::tallies(rows, "httpRequest.uri", acl))
                    }
                    JobKind::WafAgents(acl) => out
                        .blocked_agents
                        .extend(log_queries::tallies(rows, "agent", acl)),
                }
            }
            out.sources.push(src);
        }
        out.blocked.sort_by_key(|b| std::cmp::Reverse(b.requests));
        out.blocked_paths
            .sort_by_key(|b| std::cmp::Reverse(b.requests));
        out.blocked_agents
            .sort_by_key(|b| std::cmp::Reverse(b.requests));
        out
    }

    /// A log's state: running while any of its queries runs, else the worst way one ended,
    /// else read (over the newest window), else as planned.
    fn state_of(&self, jobs: &[Job], planned: &LogState) -> LogState {
        if let Some(r) = self
            .running
            .iter()
            .find(|r| jobs.iter().any(|j| j.key == r.job.key))
        {
            return LogState::Running {
                since: r.window.1,
                previous: self.read_over(jobs),
            };
        }
        if self
            .waiting
            .iter()
            .any(|w| jobs.iter().any(|j| j.key == w.key))
        {
            return LogState::Waiting {
                why: Text::new(
                    "waiting for room: AWS allows 100 queries at once an account, dashboards \
                     included (or StartQuery was throttled)",
                ),
            };
        }
        for j in jobs {
            let previous = || self.answers.get(&j.key).map(|(w, _)| w.clone());
            match self.ended.get(&j.key) {
                Some(Ended::TimedOut(at)) => {
                    return LogState::TimedOut {
                        at: *at,
                        previous: previous(),
                    };
                }
                Some(Ended::Failed(at, m)) => {
                    return LogState::Failed {
                        at: *at,
                        message: Text::new(m),
                        previous: previous(),
                    };
                }
                _ => {}
            }
        }
        self.read_over(jobs)
            .map_or_else(|| planned.clone(), LogState::Read)
    }

    /// The window every query of a log has an answer over (the newest), if each has one.
    fn read_over(&self, jobs: &[Job]) -> Option<Window> {
        let windows: Vec<&Window> = jobs
            .iter()
            .filter_map(|j| self.answers.get(&j.key).map(|(w, _)| w))
            .collect();
        let newest = windows.iter().max_by_key(|w| w.to)?;
        (windows.len() == jobs.len()).then(|| Window {
            records_scanned: windows.iter().map(|w| w.records_scanned).sum(),
            bytes_scanned: windows.iter().map(|w| w.bytes_scanned).sum(),
            ..(*newest).clone()
        })
    }
}

impl AwsSource {
    /// Start the logs' queries when due, and take the answers of earlier ones that have come.
    /// The poll reads the samples while they run, then [`Self::collect_logs`].
    pub(super) async fn start_logs(&mut self, now: DateTime<Utc>, calls: &mut Calls) {
        let Some(every) = self.settings.logs.every else {
            return;
        };
        let planned = plan(
            &self.found,
            &self.clients.region,
            self.clients.global_region(),
        );
        let limit = self.settings.logs.time_limit;
        let book = &mut self.logs;
        book.keep_only(&planned);
        if !book.running.is_empty() {
            book.ask(&self.clients, limit, calls).await;
        }
        if !book.waiting.is_empty() && book.running.len() < AT_ONCE {
            let jobs = std::mem::take(&mut book.waiting);
            let window = (now - TimeDelta::from_std(every).unwrap_or_default(), now);
            book.start(&self.clients, jobs, window, calls).await;
        } else if book.is_due(now, every) {
            let jobs: Vec<Job> = planned.iter().flat_map(|p| p.jobs.clone()).collect();
            if !jobs.is_empty() {
                book.last_run = Some(now);
                book.cost.bytes_last_run = 0;
                let window = (now - TimeDelta::from_std(every).unwrap_or_default(), now);
                book.start(&self.clients, jobs, window, calls).await;
            }
        }
        self.logs_planned = planned;
    }

    /// Wait for the running queries' answers, asking with a growing pause: the dashboard a
    /// little (the rest come next poll), `snapshot` up to the time limit.
    pub(super) async fn collect_logs(&mut self, calls: &mut Calls) {
        let limit = self.settings.logs.time_limit;
        let wait = if self.early.is_some() {
            IN_POLL_WAIT
        } else {
            limit
        };
        let every = self.settings.logs.every;
        let book = &mut self.logs;
        let until = Instant::now() + wait;
        let mut pause = FIRST_PAUSE;
        while (!book.running.is_empty() || !book.waiting.is_empty()) && Instant::now() < until {
            tokio::time::sleep(pause.min(until - Instant::now())).await;
            pause = (pause * 2).min(MOST_PAUSE);
            if !book.running.is_empty() {
                book.ask(&self.clients, limit, calls).await;
            }
            // Queued (no room at AWS, or throttled): tried again after the growing pause, over
            // this run's window.
            let run = book
                .last_run
                .zip(every.and_then(|e| TimeDelta::from_std(e).ok()));
            match run {
                Some((at, every)) if !book.waiting.is_empty() && book.running.len() < AT_ONCE => {
                    let jobs = std::mem::take(&mut book.waiting);
                    book.start(&self.clients, jobs, (at - every, at), calls)
                        .await;
                }
                None => break,
                _ => {}
            }
        }
    }
}

/// Stop the queries still running (edgetop is exiting: nobody will read their answers).
pub async fn stop_all(clients: &Clients, live: &Mutex<Vec<(String, bool)>>) {
    let ids = std::mem::take(&mut *live.lock().unwrap_or_else(|e| e.into_inner()));
    for (id, global) in ids {
        let client = if global {
            &clients.logs_global
        } else {
            &clients.logs
        };
        let _ = client.stop_query().query_id(id).send().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// While a log's next query runs, the figures of the one before stay, with their window;
    /// once it fails, they are no longer shown as current.
    #[test]
    fn a_running_query_keeps_the_figures_of_the_one_before() {
        let job = Job {
            key: "waf x".into(),
            group: "aws-waf-logs-x".into(),
            global: false,
            query: log_queries::WAF_SOURCES.into(),
            kind: JobKind::WafSources(Text::new("x")),
        };
        let t = |m: i64| DateTime::from_timestamp(1_800_000_000 + m * 60, 0).unwrap();
        let before = Window {
            from: t(0),
            to: t(5),
            records_scanned: 10,
            bytes_scanned: 1000,
        };
        let mut book = LogBook::default();
        let waiting = LogState::Waiting {
            why: Text::new("due"),
        };
        let jobs = [job.clone()];
        assert_eq!(book.state_of(&jobs, &waiting), waiting);
        book.answers
            .insert(job.key.clone(), (before.clone(), Vec::new()));
        assert_eq!(
            book.state_of(&jobs, &waiting),
            LogState::Read(before.clone())
        );
        book.running.push(Running {
            job: job.clone(),
            id: "q".into(),
            started: Instant::now(),
            window: (t(5), t(10)),
        });
        assert_eq!(
            book.state_of(&jobs, &waiting),
            LogState::Running {
                since: t(10),
                previous: Some(before)
            }
        );
        book.running.clear();
        book.ended
            .insert(job.key.clone(), Ended::Failed(t(10), "no".into()));
        assert!(matches!(
            book.state_of(&jobs, &waiting),
            LogState::Failed { .. }
        ));
    }

    /// A log no longer planned (its log group or web ACL gone) leaves nothing behind: the book
    /// does not grow with every change to the account.
    #[test]
    fn answers_of_logs_no_longer_planned_are_forgotten() {
        let job = |key: &str| Job {
            key: key.into(),
            group: "g".into(),
            global: false,
            query: log_queries::WAF_PATHS.into(),
            kind: JobKind::WafPaths(Text::new("x")),
        };
        let window = Window {
            from: DateTime::UNIX_EPOCH,
            to: DateTime::UNIX_EPOCH,
            records_scanned: 0,
            bytes_scanned: 0,
        };
        let mut book = LogBook::default();
        for k in ["kept", "gone"] {
            book.answers.insert(k.into(), (window.clone(), Vec::new()));
            book.ended.insert(k.into(), Ended::Read);
        }
        book.waiting.push(job("gone"));
        let planned = [Planned {
            source: source(
                LogKind::Waf,
                vec![],
                "g",
                LogState::Waiting { why: Text::new("") },
            ),
            jobs: vec![job("kept")],
        }];
        book.keep_only(&planned);
        assert_eq!(book.answers.keys().collect::<Vec<_>>(), ["kept"]);
        assert_eq!(book.ended.len(), 1);
        assert!(book.waiting.is_empty());
    }

    /// Two stages writing to one log group, spelt with and without the trailing `:*`: one log,
    /// whose lines need the API and stage to be told apart, not two logs each crediting its
    /// stage with the other's 429s.
    #[test]
    fn one_log_group_spelt_two_ways_is_one_log() {
        let group = "arn:aws:logs:eu-west-1:111122223333:log-group:api-access";
        let format = r#"{"key":"$context.identity.apiKeyId","status":"$context.status","err":"$context.error.responseType"}"#;
        let stage = |name: &str, dest: String| apigateway::StageConf {
            name: name.into(),
            access_log_raw: Some((dest, format.into())),
            ..Default::default()
        };
        let found = Discovery {
            apis: vec![ApiConf {
                id: "a1".into(),
                name: "orders".into(),
                stages: vec![
                    stage("prod", group.into()),
                    stage("beta", format!("{group}:*")),
                ],
                ..Default::default()
            }],
            ..Default::default()
        };
        let planned = plan(&found, "eu-west-1", "us-east-1");
        assert_eq!(planned.len(), 1, "one log");
        assert_eq!(planned[0].source.of.len(), 2);
        assert!(
            matches!(&planned[0].source.state, LogState::Lacking { variables }
                if variables.iter().any(|v| v.as_str() == "$context.apiId")),
            "{:?}",
            planned[0].source.state
        );
    }

    #[test]
    fn destinations_are_queryable_only_as_log_groups_here() {
        let r = "eu-west-1";
        assert_eq!(
            queryable(
                "arn:aws:logs:eu-west-1:111122223333:log-group:api-access:*",
                r,
                "us-east-1"
            ),
            Ok(("api-access".into(), false))
        );
        assert_eq!(
            queryable(
                "arn:aws:logs:us-east-1:111122223333:log-group:aws-waf-logs-edge",
                r,
                "us-east-1"
            ),
            Ok(("aws-waf-logs-edge".into(), true))
        );
        assert!(
            queryable("arn:aws:s3:::aws-waf-logs-bucket", r, "us-east-1")
                .unwrap_err()
                .contains("S3")
        );
        assert!(
            queryable(
                "arn:aws:firehose:eu-west-1:1:deliverystream/aws-waf-logs-x",
                r,
                "us-east-1"
            )
            .unwrap_err()
            .contains("Firehose")
        );
        assert!(
            queryable("arn:aws:logs:ap-south-1:1:log-group:x", r, "us-east-1")
                .unwrap_err()
                .contains("ap-south-1")
        );
    }
}
