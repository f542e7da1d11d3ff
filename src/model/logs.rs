//! What the account's own logs say, through CloudWatch Logs Insights: 429s per API key, stage
//! and usage plan from API Gateway access logs, and the sources, paths and user agents WAF
//! stopped from its logs. Each figure is exact for its window and says where it came from.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::Text;

/// The logs edgetop queries, how each went, and what they said.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Logs {
    /// Every log a stage or web ACL writes, queried or not, and why not.
    pub sources: Vec<LogSource>,
    /// Requests refused with 429 per API, stage and key (from access logs).
    pub refused: Vec<Refused>,
    /// Requests WAF stopped per client address, country, rule and action (from WAF logs).
    pub blocked: Vec<Blocked>,
    /// The paths and the user agents of the requests WAF stopped, most first.
    pub blocked_paths: Vec<Tally>,
    pub blocked_agents: Vec<Tally>,
    pub cost: ScanCost,
}

/// What a log is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LogKind {
    /// A stage's access log.
    Access,
    /// A web ACL's traffic log.
    Waf,
}

/// One log destination and how querying it went.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LogSource {
    pub kind: LogKind,
    /// Whose log: the stages ("orders-api/prod") or the web ACL writing to it.
    pub of: Vec<Text>,
    /// Where it goes: a log group's name, or the S3 bucket's or Firehose stream's ARN.
    pub destination: Text,
    pub state: LogState,
    /// The Logs Insights queries sent for it, as sent, to run in the console too.
    #[serde(deserialize_with = "crate::model::text::wide_vec")]
    pub queries: Vec<Text>,
    /// How each of those queries' last run went, in the same order: one that failed darkens
    /// its own figures only (`state` is the worst of them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub query_states: Vec<LogState>,
    /// Where it was read (see [`super::place`]).
    #[serde(default)]
    pub place: super::place::Place,
}

/// How a log's last query went. Figures from an earlier run are kept while a later one runs or
/// fails; their window says how old they are.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum LogState {
    /// Not a CloudWatch Logs log group (S3, Firehose): Logs Insights cannot read it.
    NotQueryable {
        why: Text,
    },
    /// The access log's format lacks what counting 429s per key needs: these `$context`
    /// variables.
    Lacking {
        variables: Vec<Text>,
    },
    /// Not queried yet: the first run is due.
    Waiting {
        why: Text,
    },
    /// A query runs; the figures of the run before (if any), over `previous`, stay meanwhile.
    Running {
        since: DateTime<Utc>,
        previous: Option<Window>,
    },
    Read(Window),
    /// The query ran past its time limit and was stopped; the figures of an earlier run, over
    /// `previous`, stay with their window.
    TimedOut {
        at: DateTime<Utc>,
        #[serde(default)]
        previous: Option<Window>,
    },
    Failed {
        at: DateTime<Utc>,
        message: Text,
        #[serde(default)]
        previous: Option<Window>,
    },
}

/// A finished query's window and what it scanned.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Window {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub records_scanned: u64,
    pub bytes_scanned: u64,
}

impl Window {
    pub fn minutes(&self) -> f64 {
        ((self.to - self.from).num_seconds() as f64 / 60.0).max(1.0 / 60.0)
    }
}

/// 429s of one API stage and key, over a window.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Refused {
    /// The API's id and stage; None when the log is shared and its format names neither.
    pub api_id: Option<Text>,
    pub stage: Option<Text>,
    /// The key's id; None for requests with no key.
    pub key_id: Option<Text>,
    #[serde(flatten)]
    pub counts: Refusals,
}

/// 429s over a window: one stage and key's, or summed for a key, a stage or a plan.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Refusals {
    /// Refused by a throttle (THROTTLED), by a quota (QUOTA_EXCEEDED), or otherwise.
    pub throttled: u64,
    pub quota: u64,
    pub other: u64,
    pub minutes: f64,
}

impl Refusals {
    pub fn add(&mut self, r: &Refusals) {
        self.throttled += r.throttled;
        self.quota += r.quota;
        self.other += r.other;
        self.minutes = self.minutes.max(r.minutes);
    }

    pub fn total(&self) -> u64 {
        self.throttled + self.quota + self.other
    }

    pub fn per_minute(&self) -> f64 {
        self.total() as f64 / self.minutes.max(1.0 / 60.0)
    }
}

/// Requests WAF stopped from one address, exact over the window.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Blocked {
    pub web_acl: Text,
    pub client_ip: Text,
    pub country: Text,
    /// The terminating rule (`Default_Action` for the web ACL's own).
    pub rule: Text,
    /// BLOCK, CAPTCHA or CHALLENGE.
    pub action: Text,
    pub requests: u64,
    /// Where it was read (see [`super::place`]).
    #[serde(default)]
    pub place: super::place::Place,
}

/// A value (a path, a user agent) and how many stopped requests had it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Tally {
    pub web_acl: Text,
    pub value: Text,
    pub requests: u64,
    /// Where it was read (see [`super::place`]).
    #[serde(default)]
    pub place: super::place::Place,
}

/// What Logs Insights scanned, and so cost ($0.005 per GB scanned).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ScanCost {
    /// Bytes the last complete run scanned, and since the start.
    pub bytes_last_run: u64,
    pub bytes_total: u64,
    /// Seconds between runs, for the monthly projection; 0 when off.
    pub every_secs: u32,
}

impl ScanCost {
    /// Logs Insights' price per GB scanned (AWS bills GB as 2^30 bytes).
    pub const DOLLARS_PER_GB: f64 = 0.005;
    const GB: f64 = (1u64 << 30) as f64;

    pub fn spent_dollars(&self) -> f64 {
        self.bytes_total as f64 / Self::GB * Self::DOLLARS_PER_GB
    }

    pub fn monthly_dollars(&self) -> f64 {
        if self.every_secs == 0 {
            return 0.0;
        }
        let runs = 30.0 * 86_400.0 / self.every_secs as f64;
        runs * self.bytes_last_run as f64 / Self::GB * Self::DOLLARS_PER_GB
    }
}

impl Logs {
    /// Queries that failed or timed out, for the panels that show their figures (Keys for
    /// access logs, Origins for WAF logs) to say so.
    pub fn problems(&self) -> Vec<super::Problem> {
        self.sources
            .iter()
            .filter_map(|s| {
                let what = match &s.state {
                    LogState::Failed { message, .. } => message.to_string(),
                    LogState::TimedOut { .. } => "the Logs Insights query timed out".into(),
                    _ => return None,
                };
                Some(super::Problem {
                    panel: match s.kind {
                        LogKind::Access => super::Panel::Keys,
                        LogKind::Waf => super::Panel::Samples,
                    },
                    message: Text::new(&format!("log {}: {what}", s.destination)),
                })
            })
            .collect()
    }

    /// The access log a stage writes to, if edgetop knows of it.
    pub fn access_log_of(&self, stage: &str) -> Option<&LogSource> {
        self.sources
            .iter()
            .find(|s| s.kind == LogKind::Access && s.of.iter().any(|o| o.as_str() == stage))
    }

    /// The log sources of one kind with figures to show: read, or read before (and running
    /// again, or failing since).
    pub fn read(&self, kind: LogKind) -> impl Iterator<Item = (&LogSource, &Window)> {
        self.sources
            .iter()
            .filter(move |s| s.kind == kind)
            .filter_map(|s| Some((s, s.state.figures()?)))
    }

    /// The newest window any WAF log was read over, if one was.
    pub fn waf_window(&self) -> Option<&Window> {
        self.read(LogKind::Waf).map(|(_, w)| w).max_by_key(|w| w.to)
    }

    /// What the WAF logs' query `n` (0: the sources, 1: the paths, 2: the user agents) has to
    /// show: the newest window one has figures over, and what went wrong with the latest run
    /// of any (`state` of the worst), so each panel stands on its own.
    pub fn waf_query(&self, n: usize) -> (Option<&Window>, Option<&LogState>) {
        let states: Vec<&LogState> = self
            .sources
            .iter()
            .filter(|s| s.kind == LogKind::Waf)
            // A source without its queries' own states (an older snapshot's) stands by its state.
            .map(|s| s.query_states.get(n).unwrap_or(&s.state))
            .collect();
        let window = states
            .iter()
            .filter_map(|s| s.figures())
            .max_by_key(|w| w.to);
        let trouble = states
            .iter()
            .find(|s| matches!(s, LogState::Failed { .. }))
            .or_else(|| {
                states
                    .iter()
                    .find(|s| matches!(s, LogState::TimedOut { .. }))
            })
            .or_else(|| {
                states
                    .iter()
                    .find(|s| matches!(s, LogState::Running { .. }))
            })
            .copied();
        (window, trouble)
    }
}

impl LogState {
    /// The window of the figures this state has to show: read, or read before.
    pub fn figures(&self) -> Option<&Window> {
        match self {
            LogState::Read(w)
            | LogState::Running {
                previous: Some(w), ..
            }
            | LogState::TimedOut {
                previous: Some(w), ..
            }
            | LogState::Failed {
                previous: Some(w), ..
            } => Some(w),
            _ => None,
        }
    }

    /// In a few words, for a table cell or a title.
    pub fn brief(&self) -> String {
        match self {
            LogState::NotQueryable { .. } => "not queryable here".into(),
            LogState::Lacking { variables } => format!("lacks {}", variables.len()),
            LogState::Waiting { .. } => "waiting".into(),
            LogState::Running { .. } => "querying…".into(),
            LogState::Read(w) => format!("{}–{}", w.from.format("%H:%M"), w.to.format("%H:%M")),
            LogState::TimedOut { .. } => "query timed out".into(),
            LogState::Failed { .. } => "query failed".into(),
        }
    }
}

/// Put the logs' 429s on the keys, stages and usage plans they belong to. A key is in at most
/// one usage plan per stage (API Gateway refuses a second), so a plan's figure is its keys'
/// on its stages, exactly.
pub fn attribute(s: &mut super::Snapshot) {
    let Some(logs) = &s.logs else {
        return;
    };
    let refused = logs.refused.clone();
    // Stages: every stage a read access log covers gets a figure, zero when it refused none.
    let covered: Vec<(String, String)> = logs
        .read(LogKind::Access)
        .flat_map(|(src, _)| src.of.iter().map(|t| t.to_string()))
        .filter_map(|name| {
            let (a, st) = name.rsplit_once('/')?;
            Some((a.to_string(), st.to_string()))
        })
        .collect();
    let minutes = logs
        .read(LogKind::Access)
        .map(|(_, w)| w.minutes())
        .fold(0.0, f64::max);
    on_keys(&mut s.api_keys, &refused);
    let api_names = on_stages(&mut s.apis, &refused, &covered, minutes);
    on_plans(&mut s.usage_plans, &refused, &api_names);
}

/// Each key's 429s, by its id.
fn on_keys(api_keys: &mut [super::ApiKey], refused: &[Refused]) {
    let keys: std::collections::HashMap<&str, usize> = api_keys
        .iter()
        .enumerate()
        .map(|(i, k)| (k.id.as_str(), i))
        .collect();
    let mut for_key: Vec<Option<Refusals>> = vec![None; api_keys.len()];
    for r in refused {
        if let Some(&i) = r.key_id.as_ref().and_then(|k| keys.get(k.as_str())) {
            for_key[i]
                .get_or_insert_with(Refusals::default)
                .add(&r.counts);
        }
    }
    drop(keys);
    for (k, r) in api_keys.iter_mut().zip(for_key) {
        k.refused = r;
    }
}

/// Each stage's 429s: a figure for every stage a read access log covers (`covered`, as
/// "api name", "stage"), zero when it refused none. Returns each API's name by its id.
fn on_stages(
    apis: &mut [super::RestApi],
    refused: &[Refused],
    covered: &[(String, String)],
    minutes: f64,
) -> std::collections::HashMap<String, String> {
    let mut api_names: std::collections::HashMap<String, String> = Default::default();
    for api in apis.iter_mut() {
        api_names.insert(api.id.to_string(), api.name.to_string());
        for st in &mut api.stages {
            let mine = refused.iter().filter(|r| {
                r.api_id.as_ref().is_some_and(|a| a == &api.id)
                    && r.stage.as_ref().is_some_and(|x| x == &st.name)
            });
            let mut sum: Option<Refusals> = covered
                .iter()
                .any(|(a, x)| a == api.name.as_str() && x == st.name.as_str())
                .then(|| Refusals {
                    minutes,
                    ..Default::default()
                });
            for r in mine {
                sum.get_or_insert_with(Refusals::default).add(&r.counts);
            }
            st.refused = sum;
        }
    }
    api_names
}

/// Each usage plan's 429s: its keys' on its stages.
fn on_plans(
    plans: &mut [super::UsagePlan],
    refused: &[Refused],
    api_names: &std::collections::HashMap<String, String>,
) {
    // By key, then "api/stage": one lookup per plan key and stage (10,000 keys, 300 plans).
    let mut by_key: std::collections::HashMap<&str, Vec<(String, &Refused)>> = Default::default();
    for r in refused {
        let (Some(k), Some(a), Some(st)) = (&r.key_id, &r.api_id, &r.stage) else {
            continue;
        };
        let api = api_names.get(a.as_str()).map_or(a.as_str(), |n| n.as_str());
        by_key
            .entry(k.as_str())
            .or_default()
            .push((format!("{api}/{st}"), r));
    }
    for plan in plans {
        let mut sum: Option<Refusals> = None;
        for k in &plan.key_ids {
            for (stage, r) in by_key.get(k.as_str()).into_iter().flatten() {
                if plan.stages.iter().any(|x| x.as_str() == stage) {
                    sum.get_or_insert_with(Refusals::default).add(&r.counts);
                }
            }
        }
        plan.refused = sum;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_gigabyte_scanned_costs_half_a_cent() {
        let c = ScanCost {
            bytes_last_run: 1 << 30,
            bytes_total: 3 << 30,
            every_secs: 300,
        };
        assert!((c.spent_dollars() - 0.015).abs() < 1e-12);
        // 8,640 runs a month of 1 GB each.
        assert!((c.monthly_dollars() - 43.2).abs() < 1e-9);
        assert_eq!(ScanCost::default().monthly_dollars(), 0.0);
    }
}
