//! API key usage, as GetUsage reports it: requests integrated over time from each client's
//! smooth rate (capped at its plan's rate limit), per key, per UTC day and quota period.
//!
//! Every day has the same profile (the incident cycle divides the day), so one cumulative
//! table over a day gives the integral between any two instants in constant time.

use chrono::{DateTime, Datelike, Duration, NaiveTime, TimeZone, Utc};

use super::scenario::{KeyDef, Scenario};
use super::timeline::{Active, Timeline};
use super::traffic::smooth_rpm;
use crate::model::QuotaPeriod;

/// Cumulative requests since midnight, for one client, per minute of the day (1441 entries).
pub struct DayTable {
    cum: Vec<f64>,
}

impl DayTable {
    pub fn new(sc: &Scenario, client: usize, cap_rpm: f64) -> Self {
        let profile = sc.clients[client].profile;
        let mut cum = Vec::with_capacity(1441);
        let mut total = 0.0;
        cum.push(0.0);
        for m in 0..1440 {
            total += smooth_rpm(sc.seed, profile, m).min(cap_rpm);
            cum.push(total);
        }
        DayTable { cum }
    }

    /// Requests from the Unix epoch to `t` (any instant).
    pub fn at(&self, t: DateTime<Utc>) -> f64 {
        let secs = t.timestamp() as f64 + t.timestamp_subsec_millis() as f64 / 1000.0;
        let minutes = secs / 60.0;
        let whole = minutes.floor() as i64;
        let (day, mod_) = (whole.div_euclid(1440), whole.rem_euclid(1440) as usize);
        let within =
            self.cum[mod_] + (minutes - whole as f64) * (self.cum[mod_ + 1] - self.cum[mod_]);
        day as f64 * self.cum[1440] + within
    }
}

/// The start of the UTC day of `t`.
pub fn midnight(t: DateTime<Utc>) -> DateTime<Utc> {
    t.date_naive().and_time(NaiveTime::MIN).and_utc()
}

/// The start of the quota period containing `t`.
pub fn period_start(t: DateTime<Utc>, period: QuotaPeriod) -> DateTime<Utc> {
    let day = midnight(t);
    match period {
        QuotaPeriod::Day => day,
        QuotaPeriod::Week => day - Duration::days(t.weekday().num_days_from_monday() as i64),
        QuotaPeriod::Month => Utc
            .with_ymd_and_hms(t.year(), t.month(), 1, 0, 0, 0)
            .single()
            .unwrap_or(day),
    }
}

/// Share (0..1) of a month-start job done by `t`: it runs from 00:00 to 06:00 on the 1st.
fn month_job_done(t: DateTime<Utc>) -> f64 {
    let since = t - period_start(t, QuotaPeriod::Month);
    (since.num_seconds() as f64 / (6.0 * 3600.0)).clamp(0.0, 1.0)
}

/// Raw (uncapped by quota) requests on `key` between `a` and `b` (same month).
pub fn raw_between(
    table: &DayTable,
    key: &KeyDef,
    active: Active,
    month_job: f64,
    a: DateTime<Utc>,
    b: DateTime<Utc>,
) -> f64 {
    let a = active.from.map_or(a, |f| a.max(f));
    let b = active.to.map_or(b, |t| b.min(t));
    if b <= a {
        return 0.0;
    }
    let mut used = table.at(b) - table.at(a);
    if key.since.is_none() && month_job > 0.0 {
        used += month_job * (month_job_done(b) - month_job_done(a));
    }
    used.max(0.0)
}

/// Usage tables for every client that carries an API key.
pub struct Usage {
    tables: Vec<Option<DayTable>>,
}

impl Usage {
    pub fn new(sc: &Scenario) -> Self {
        let mut tables: Vec<Option<DayTable>> = (0..sc.clients.len()).map(|_| None).collect();
        for key in &sc.keys {
            if let Some(c) = key.client {
                let cap = plan_rate(sc, key) * 60.0;
                tables[c] = Some(DayTable::new(sc, c, cap));
            }
        }
        Usage { tables }
    }

    /// Requests on `key` in [a, b), before any quota cap (a and b in the same quota period).
    pub fn raw(
        &self,
        sc: &Scenario,
        tl: &Timeline,
        key: &KeyDef,
        a: DateTime<Utc>,
        b: DateTime<Utc>,
    ) -> f64 {
        let Some(table) = key.client.and_then(|c| self.tables[c].as_ref()) else {
            return 0.0;
        };
        let job = key.client.map_or(0.0, |c| sc.clients[c].month_start_share)
            * quota_limit(sc, key).unwrap_or(0.0);
        raw_between(table, key, tl.active(key), job, a, b)
    }

    /// (used in the current quota period, remaining) at `t`; remaining is None without a quota.
    pub fn period(
        &self,
        sc: &Scenario,
        tl: &Timeline,
        key: &KeyDef,
        t: DateTime<Utc>,
    ) -> (f64, Option<f64>) {
        match quota_of(sc, key) {
            Some((limit, period)) => {
                let used = self.raw(sc, tl, key, period_start(t, period), t).min(limit);
                (used, Some(limit - used))
            }
            None => (
                self.raw(sc, tl, key, period_start(t, QuotaPeriod::Month), t),
                None,
            ),
        }
    }

    /// Requests used today (UTC) up to `t`, after the quota cap.
    pub fn today(&self, sc: &Scenario, tl: &Timeline, key: &KeyDef, t: DateTime<Utc>) -> f64 {
        let day = midnight(t);
        match quota_of(sc, key) {
            Some((limit, period)) => {
                let start = period_start(t, period);
                let before = self.raw(sc, tl, key, start, day).min(limit);
                self.raw(sc, tl, key, start, t).min(limit) - before
            }
            None => self.raw(sc, tl, key, day, t),
        }
    }
}

/// The key's rate limit (its first plan's throttle), requests per second.
pub fn plan_rate(sc: &Scenario, key: &KeyDef) -> f64 {
    key.plans
        .first()
        .map_or(f64::INFINITY, |&p| sc.plans[p].throttle.rate_limit)
}

fn quota_of(sc: &Scenario, key: &KeyDef) -> Option<(f64, QuotaPeriod)> {
    let q = sc.plans[*key.plans.first()?].quota?;
    Some((q.limit as f64, q.period))
}

fn quota_limit(sc: &Scenario, key: &KeyDef) -> Option<f64> {
    quota_of(sc, key).map(|(l, _)| l)
}
