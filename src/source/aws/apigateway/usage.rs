//! Usage: what each key of a plan used of its quota this period (GetUsage), and a key's
//! requests between two days.

use super::*;

/// The requests one key made in one usage plan from `from` to `to` (days, UTC), as GetUsage
/// with `keyId` counts them.
pub async fn key_requests_between(
    c: &Client,
    pace: &Pacer,
    plan: &str,
    key_id: &str,
    (from, to): (NaiveDate, NaiveDate),
    calls: &mut Calls,
) -> Result<u64, Failure> {
    let (start, end) = (
        from.format("%Y-%m-%d").to_string(),
        to.format("%Y-%m-%d").to_string(),
    );
    let (start, end) = (&start, &end);
    let pages = paged(pace, calls, "apigateway:GetUsage", |position| async move {
        let page = c
            .get_usage()
            .usage_plan_id(plan)
            .key_id(key_id)
            .start_date(start)
            .end_date(end)
            .limit(PAGE)
            .set_position(position)
            .send()
            .await
            .map_err(|e| failure("apigateway:GET /usageplans/*/usage", &e))?;
        let used: Vec<u64> = page
            .items()
            .into_iter()
            .flatten()
            .filter(|(k, _)| k.as_str() == key_id)
            .flat_map(|(_, days)| {
                days.iter()
                    .map(|d| d.first().copied().unwrap_or(0).max(0) as u64)
            })
            .collect();
        Ok((used, page.position().map(str::to_string)))
    })
    .await?;
    Ok(pages.iter().sum())
}

/// The first day GetUsage is asked from: the day, the month's first day (UTC), and for a week
/// the last seven days. AWS does not say on which day a WEEK period starts (the API reference
/// once said QuotaSettings.offset was that day, 0 for Sunday; it now says offset is the
/// requests taken off the limit in the first period), so the window covers any week, and what
/// the key has used of its quota is taken from AWS's own `remaining` ([`key_usage`]), never
/// from a sum over days that may be the wrong ones.
pub fn period_start(today: NaiveDate, period: QuotaPeriod) -> NaiveDate {
    match period {
        QuotaPeriod::Day => today,
        QuotaPeriod::Week => today - chrono::Days::new(6),
        QuotaPeriod::Month => today.with_day(1).unwrap_or(today),
    }
}

/// A key's usage in one plan.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct KeyUsage {
    pub used_today: u64,
    pub used_period: u64,
    /// What remains of the quota, as AWS says (its latest day's).
    pub remaining: Option<u64>,
    /// The quota's limit, with `remaining`: the share used comes from these two alone.
    pub limit: Option<u64>,
}

impl KeyUsage {
    /// A key in several plans: its requests add up across them, and the quota shown is the one
    /// nearest its end (the least share remaining).
    pub fn add(&mut self, other: &KeyUsage) {
        self.used_today += other.used_today;
        self.used_period += other.used_period;
        let share = |u: &KeyUsage| match (u.remaining, u.limit) {
            (Some(r), Some(l)) if l > 0 => r as f64 / l as f64,
            (Some(_), _) => 0.0,
            _ => f64::INFINITY,
        };
        if share(other) < share(self) {
            self.remaining = other.remaining;
            self.limit = other.limit;
        }
    }

    /// Share of its quota used: what AWS says remains, against the limit.
    pub fn quota_used(&self) -> Option<f64> {
        quota_used(self.remaining?, self.limit?)
    }
}

/// Share of a quota of `limit` used when AWS says `remaining` is left (the initial period's
/// offset, if any, counts as used).
pub fn quota_used(remaining: u64, limit: u64) -> Option<f64> {
    (limit > 0).then(|| 1.0 - (remaining.min(limit) as f64 / limit as f64))
}

/// GetUsage for a plan over its current quota period (or today when it has none).
pub async fn usage(
    c: &Client,
    pace: &Pacer,
    calls: &mut Calls,
    plan: &PlanConf,
    today: NaiveDate,
) -> Result<HashMap<String, KeyUsage>, Failure> {
    let start = plan
        .quota
        .map_or(today, |q| period_start(today, q.period))
        .format("%Y-%m-%d")
        .to_string();
    let end = today.format("%Y-%m-%d").to_string();
    let limit = plan.quota.map(|q| q.limit);
    let (id, start, end) = (&plan.id, &start, &end);
    let pages = paged(pace, calls, "apigateway:GetUsage", |position| async move {
        let page = c
            .get_usage()
            .usage_plan_id(id)
            .start_date(start)
            .end_date(end)
            .limit(PAGE)
            .set_position(position)
            .send()
            .await
            .map_err(|e| failure("apigateway:GET /usageplans/*/usage", &e))?;
        let items: Vec<(String, KeyUsage)> = page
            .items()
            .into_iter()
            .flatten()
            .map(|(key, days)| (key.clone(), key_usage(days, limit)))
            .collect();
        Ok((items, page.position().map(str::to_string)))
    })
    .await?;
    Ok(pages.into_iter().collect())
}

/// Days of [used, remaining], oldest first → today's use, the period's, what remains. With a
/// quota, the period's use is the limit less what AWS says remains: AWS knows when its period
/// began; a sum over days would need that to be known here.
pub(super) fn key_usage(days: &[Vec<i64>], limit: Option<u64>) -> KeyUsage {
    let used = |d: &Vec<i64>| d.first().copied().unwrap_or(0).max(0) as u64;
    let remaining = limit.and_then(|_| {
        days.last()
            .and_then(|d| d.get(1))
            .map(|r| (*r).max(0) as u64)
    });
    KeyUsage {
        used_today: days.last().map_or(0, used),
        used_period: match (remaining, limit) {
            (Some(r), Some(l)) => l.saturating_sub(r),
            _ => days.iter().map(used).sum(),
        },
        remaining,
        limit,
    }
}
