//! Each usage plan's last usage read (GetUsage), kept per plan since plans are read at
//! different times (see [`super::schedule`]): what each key used, its rate between two reads of
//! the same plan, and when each figure was read.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::apigateway::{KeyUsage, PlanConf};

/// One plan's last usage read.
#[derive(Clone, Debug)]
struct PlanUsage {
    read_at: DateTime<Utc>,
    keys: HashMap<String, KeyUsage>,
    /// Requests a minute per key, between this read and the one before (same UTC day).
    rates: HashMap<String, f64>,
}

#[derive(Clone, Debug, Default)]
pub struct UsageBook {
    plans: HashMap<String, PlanUsage>,
}

/// A key's usage summed over its plans, with the age of the oldest figure in it.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct KeyFigures {
    pub usage: KeyUsage,
    pub per_minute: Option<f64>,
    /// The oldest read among the key's plans; None when none has been read.
    pub read_at: Option<DateTime<Utc>>,
}

impl UsageBook {
    /// A plan's usage, read `now`.
    pub fn put(&mut self, plan: &str, now: DateTime<Utc>, keys: HashMap<String, KeyUsage>) {
        let mut rates = HashMap::new();
        if let Some(before) = self.plans.get(plan) {
            let minutes = (now - before.read_at).num_milliseconds() as f64 / 60_000.0;
            if before.read_at.date_naive() == now.date_naive() && minutes > 0.0 {
                for (key, u) in &keys {
                    if let Some(b) = before.keys.get(key)
                        && u.used_today >= b.used_today
                    {
                        rates.insert(key.clone(), (u.used_today - b.used_today) as f64 / minutes);
                    }
                }
            }
        }
        self.plans.insert(
            plan.to_string(),
            PlanUsage {
                read_at: now,
                keys,
                rates,
            },
        );
    }

    pub fn read_at(&self, plan: &str) -> Option<DateTime<Utc>> {
        self.plans.get(plan).map(|p| p.read_at)
    }

    /// Forget plans that are gone.
    pub fn keep_only(&mut self, plans: &[PlanConf]) {
        self.plans.retain(|id, _| plans.iter().any(|p| &p.id == id));
    }

    /// A key's figures over the plans it is in: requests add up, what remains is the least any
    /// quota leaves (see [`KeyUsage::add`]).
    pub fn of_key<'a>(&self, key: &str, plans: impl Iterator<Item = &'a str>) -> KeyFigures {
        let mut f = KeyFigures::default();
        let mut any = false;
        for plan in plans {
            let Some(p) = self.plans.get(plan) else {
                continue;
            };
            f.read_at = Some(f.read_at.map_or(p.read_at, |t| t.min(p.read_at)));
            if let Some(u) = p.keys.get(key) {
                if any {
                    f.usage.add(u);
                } else {
                    f.usage = *u;
                }
                any = true;
            }
            if let Some(r) = p.rates.get(key) {
                f.per_minute = Some(f.per_minute.unwrap_or(0.0) + r);
            }
        }
        f
    }

    /// A plan whose usage is worth reading every poll: a key with at least 80 % of its quota
    /// used, or one sending at least 80 % of the plan's rate limit.
    pub fn is_hot(&self, plan: &PlanConf) -> bool {
        let Some(p) = self.plans.get(&plan.id) else {
            return false;
        };
        let near_quota = p
            .keys
            .values()
            .any(|u| u.quota_used().is_some_and(|q| q >= 0.8));
        let near_rate = plan.throttle.is_some_and(|t| {
            let per_minute = t.rate_limit * 60.0;
            per_minute > 0.0 && p.rates.values().any(|r| *r >= 0.8 * per_minute)
        });
        near_quota || near_rate
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeDelta;

    fn t(min: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).unwrap() + TimeDelta::minutes(min)
    }

    fn used(today: u64, period: u64, remaining: Option<u64>) -> KeyUsage {
        KeyUsage {
            used_today: today,
            used_period: period,
            remaining,
            limit: remaining.map(|r| r + period),
        }
    }

    fn plan(id: &str, rate: Option<f64>) -> PlanConf {
        PlanConf {
            id: id.into(),
            name: id.into(),
            throttle: rate.map(|rate| crate::model::Throttle {
                rate_limit: rate,
                burst_limit: 10,
            }),
            quota: None,
            stages: vec![],
            key_ids: vec![],
        }
    }

    #[test]
    fn rates_come_from_two_reads_of_the_same_plan() {
        let mut b = UsageBook::default();
        b.put("p1", t(0), [("k".into(), used(100, 100, None))].into());
        b.put("p2", t(0), [("k".into(), used(10, 10, Some(90)))].into());
        b.put("p1", t(10), [("k".into(), used(400, 400, None))].into());
        let f = b.of_key("k", ["p1", "p2"].into_iter());
        assert_eq!(f.per_minute, Some(30.0), "p2 has one read: no rate from it");
        // Requests add up; the quota is p2's own (90 of 100 left).
        let want = KeyUsage {
            limit: Some(100),
            ..used(410, 410, Some(90))
        };
        assert_eq!(f.usage, want);
        assert_eq!(f.read_at, Some(t(0)), "the oldest figure in the sum");
        assert_eq!(b.of_key("k", ["p3"].into_iter()), KeyFigures::default());
    }

    #[test]
    fn hot_plans_are_near_a_quota_or_the_rate() {
        let mut b = UsageBook::default();
        b.put("q", t(0), [("k".into(), used(0, 80, Some(20)))].into());
        b.put("cool", t(0), [("k".into(), used(0, 79, Some(21)))].into());
        b.put("r", t(0), [("k".into(), used(0, 0, None))].into());
        b.put("r", t(1), [("k".into(), used(48, 48, None))].into());
        assert!(b.is_hot(&plan("q", None)));
        assert!(!b.is_hot(&plan("cool", None)));
        assert!(b.is_hot(&plan("r", Some(1.0))), "48/min of 60/min");
        assert!(!b.is_hot(&plan("r", Some(2.0))));
        assert!(!b.is_hot(&plan("unread", Some(1.0))));
    }
}
