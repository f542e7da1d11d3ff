//! API Gateway as the model holds it: REST and HTTP APIs, their stages with metrics and
//! throttles, usage plans with quotas, and API keys.

use super::*;

/// Requests per second allowed in steady state, and the bucket size for bursts.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Throttle {
    pub rate_limit: f64,
    pub burst_limit: u32,
}

impl Throttle {
    /// A rate limit of 0 refuses every request (429) once the burst, if any, is spent: nothing
    /// refills the bucket. Not the same as no throttle at all.
    pub fn refuses_all(&self) -> bool {
        self.rate_limit <= 0.0
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum QuotaPeriod {
    Day,
    Week,
    Month,
}

impl QuotaPeriod {
    pub fn label(self) -> &'static str {
        match self {
            QuotaPeriod::Day => "day",
            QuotaPeriod::Week => "week",
            QuotaPeriod::Month => "month",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Quota {
    pub limit: u64,
    pub period: QuotaPeriod,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RestApi {
    pub id: Text,
    pub name: Text,
    pub stages: Vec<Stage>,
    /// Who may call it, and how; None when it could not be read.
    #[serde(default)]
    pub access: Option<Access>,
    #[serde(default)]
    pub protocol: Protocol,
    /// Where it was read (see [`place`]).
    #[serde(default)]
    pub place: place::Place,
}

/// A REST API (API Gateway v1) or an HTTP API (v2).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Protocol {
    #[default]
    Rest,
    Http,
}

/// Per-minute API Gateway metrics of one stage (namespace AWS/ApiGateway, ApiName+Stage).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct StageMetrics {
    pub count: Series,
    pub errors_4xx: Series,
    pub errors_5xx: Series,
    /// Average latency in milliseconds.
    pub latency_ms: Series,
    /// Estimated 429s: API Gateway has no metric for them; they are inside 4XXError.
    pub throttled_est: Series,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Stage {
    pub name: Text,
    /// Stage-wide default method throttle (`*/*`), if set.
    pub throttle: Option<Throttle>,
    /// The account's throttle (GetAccount), which applies when the stage sets none.
    pub account_throttle: Option<Throttle>,
    /// Per-method throttles, e.g. `POST /charges`.
    pub method_throttles: Vec<(Text, Throttle)>,
    pub metrics: StageMetrics,
    /// The web ACL that protects this stage, by name.
    pub web_acl: Option<Text>,
    /// What it logs; None when not known.
    #[serde(default)]
    pub logging: Option<access::Logging>,
    /// 429s counted in its access log; None when no log was read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refused: Option<logs::Refusals>,
}

impl Stage {
    /// 429s a minute: counted in its access log when one was read, else the estimate from
    /// its 4XXError; and whether counted.
    pub fn refused_per_min(&self) -> (f64, bool) {
        match self.refused {
            Some(r) => (r.per_minute(), true),
            None => (self.metrics.throttled_est.last(), false),
        }
    }

    /// The throttle that binds this stage: its own, else the account's; and whether it is the
    /// account's.
    pub fn applied_throttle(&self) -> Option<(Throttle, bool)> {
        match (self.throttle, self.account_throttle) {
            (Some(t), _) => Some((t, false)),
            (None, Some(a)) => Some((a, true)),
            (None, None) => None,
        }
    }

    /// The rate limit that binds this stage.
    pub fn rate_limit(&self) -> Option<f64> {
        self.applied_throttle().map(|(t, _)| t.rate_limit)
    }

    /// Highest observed per-second rate over the window (from per-minute counts).
    pub fn peak_rps(&self) -> f64 {
        self.metrics.count.max() / 60.0
    }

    /// Fraction of the rate limit still unused at the observed peak (1.0 = idle, 0 = at limit;
    /// 0 too where the limit refuses every request).
    pub fn headroom(&self) -> Option<f64> {
        let limit = self.rate_limit()?;
        Some(match limit > 0.0 {
            true => (1.0 - self.peak_rps() / limit).max(0.0),
            false => 0.0,
        })
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct UsagePlan {
    pub id: Text,
    pub name: Text,
    pub throttle: Option<Throttle>,
    pub quota: Option<Quota>,
    /// `api-name/stage` pairs the plan applies to.
    pub stages: Vec<Text>,
    pub key_ids: Vec<Text>,
    /// When its usage was last read (a large account's plans are read in rotation); None
    /// when not yet.
    #[serde(default)]
    pub usage_read: Option<DateTime<Utc>>,
    /// 429s its keys got on its stages, counted in access logs; None when no log counts them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refused: Option<logs::Refusals>,
    /// Where it was read (see [`place`]).
    #[serde(default)]
    pub place: place::Place,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ApiKey {
    pub id: Text,
    pub name: Text,
    /// The value's last characters behind dots, to tell keys apart (the value itself is never
    /// held: the operator's `v` reads it from the source).
    #[serde(skip)]
    pub value_hint: Text,
    pub enabled: bool,
    pub created: DateTime<Utc>,
    pub plan_ids: Vec<Text>,
    /// Requests used today (UTC).
    pub used_today: u64,
    /// Requests used in the current quota period of its plan, and what remains.
    pub used_period: u64,
    pub remaining: Option<u64>,
    /// The limit of the quota `remaining` is of: the share used is read from these two, AWS's
    /// own figures, never from a sum over days that may not be the period's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quota_limit: Option<u64>,
    /// Requests per minute refused with 429 for this key, most recent minute. None when the
    /// source cannot tell: AWS publishes no per-key metrics.
    pub throttled_per_min: Option<f64>,
    /// Requests per minute, most recent minute (from usage between polls on AWS).
    pub requests_per_min: Option<f64>,
    /// When the oldest figure in its usage was read; None when none has been.
    #[serde(default)]
    pub usage_read: Option<DateTime<Utc>>,
    /// Its value's fingerprint, where the source read the value (the AWS source), to find the
    /// distributions that send it; never written out.
    #[serde(skip)]
    pub fingerprint: Option<text::Fingerprint>,
    /// 429s counted for it in access logs; None when no log counts it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refused: Option<logs::Refusals>,
    /// A change of its enabled flag was sent and not yet confirmed by a later read.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub pending: bool,
    /// Where it was read (see [`place`]).
    #[serde(default)]
    pub place: place::Place,
}

impl ApiKey {
    /// 429s a minute: the source's own figure (the demo's), else its access logs' over their
    /// window; None when neither knows.
    pub fn refused_per_min(&self) -> Option<f64> {
        self.throttled_per_min
            .or(self.refused.map(|r| r.per_minute()))
    }

    /// Share of the quota used in the current period, if the plan has a quota: what AWS says
    /// remains against the limit.
    pub fn quota_used(&self) -> Option<f64> {
        let remaining = self.remaining?;
        let limit = self.quota_limit.unwrap_or(self.used_period + remaining);
        (limit > 0).then(|| 1.0 - (remaining.min(limit) as f64 / limit as f64))
    }

    /// The quota's limit and what of it is used: AWS's own figures where it has a quota.
    pub fn quota_figures(&self) -> Option<(u64, u64)> {
        let remaining = self.remaining?;
        let limit = self.quota_limit.unwrap_or(self.used_period + remaining);
        Some((limit.saturating_sub(remaining.min(limit)), limit))
    }
}
