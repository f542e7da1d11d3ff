//! Which of a usage plan's reads to make this poll, within a stated number of API Gateway
//! calls a minute.
//!
//! A large account has a call per usage plan twice over: GetUsage for its keys' usage and
//! GetUsagePlanKeys for which keys it has. 300 plans read every minute would take more than the
//! account's whole management-API budget (10 requests a second, shared with every other tool),
//! and most of it for nothing: quotas are daily, weekly or monthly, and a plan's keys change
//! when someone changes them. So after the first full read:
//! - a *hot* plan (a key near its quota or its rate) has its usage read every poll;
//! - the others' usage is read when it is [`Cadence::usage_every`] old, oldest first;
//! - a plan's keys are read again when they are [`Cadence::keys_every`] old;
//! - a plan not read yet goes first;
//!
//! and all of it only as far as the [`Allowance`] goes. What is left waits for the next poll,
//! and the screen shows each figure's age.

use std::collections::VecDeque;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::time::Instant;

/// A number of calls in any minute: the calls made in the last 60 seconds are remembered, and
/// what may be made now is what they leave. (The token bucket in [`super::pace`] spaces the
/// calls themselves; this bounds how many there are.)
#[derive(Clone, Debug)]
pub struct Allowance {
    per_minute: u32,
    made: VecDeque<(Instant, u32)>,
}

const MINUTE: Duration = Duration::from_secs(60);

impl Allowance {
    pub fn new(per_minute: u32) -> Allowance {
        Allowance {
            per_minute,
            made: VecDeque::new(),
        }
    }

    /// Calls that may be made at `now` without more than the allowance in the minute before.
    pub fn available(&mut self, now: Instant) -> u32 {
        while self
            .made
            .front()
            .is_some_and(|(t, _)| now.saturating_duration_since(*t) >= MINUTE)
        {
            self.made.pop_front();
        }
        let made: u32 = self.made.iter().map(|(_, n)| n).sum();
        self.per_minute.saturating_sub(made)
    }

    /// Remember calls made at `at`.
    pub fn spend(&mut self, at: Instant, calls: u32) {
        if calls > 0 {
            self.made.push_back((at, calls));
        }
    }
}

/// How old a plan's figures may grow before they are read again.
#[derive(Clone, Copy, Debug)]
pub struct Cadence {
    pub usage_every: Duration,
    pub keys_every: Duration,
}

/// What the schedule knows of one plan.
#[derive(Clone, Copy, Debug, Default)]
pub struct PlanState {
    pub usage_read: Option<DateTime<Utc>>,
    pub keys_read: Option<DateTime<Utc>>,
    /// A key near its quota or its rate limit: read every poll.
    pub hot: bool,
}

/// One call to make: a plan (by its index) and which read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Due {
    Usage(usize),
    Keys(usize),
}

impl Due {
    /// The plan's index.
    pub fn plan(self) -> usize {
        match self {
            Due::Usage(i) | Due::Keys(i) => i,
        }
    }
}

/// The reads to make now, most needed first, at most `budget` of them.
pub fn choose(plans: &[PlanState], now: DateTime<Utc>, cadence: Cadence, budget: u32) -> Vec<Due> {
    // How overdue a read is, as a share of its cadence; never read comes first of all.
    let overdue = |at: Option<DateTime<Utc>>, every: Duration| match at {
        None => f64::INFINITY,
        Some(t) => (now - t).num_milliseconds() as f64 / every.as_millis().max(1) as f64,
    };
    let mut wanted: Vec<(u8, f64, Due)> = Vec::new();
    for (i, p) in plans.iter().enumerate() {
        let keys = overdue(p.keys_read, cadence.keys_every);
        let usage = overdue(p.usage_read, cadence.usage_every);
        // Rank: 0 never read, 1 hot usage, 2 overdue; then the most overdue first.
        if keys >= 1.0 {
            wanted.push((if keys.is_infinite() { 0 } else { 2 }, keys, Due::Keys(i)));
        }
        if usage.is_infinite() {
            wanted.push((0, usage, Due::Usage(i)));
        } else if p.hot {
            wanted.push((1, usage, Due::Usage(i)));
        } else if usage >= 1.0 {
            wanted.push((2, usage, Due::Usage(i)));
        }
    }
    wanted.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)));
    wanted
        .into_iter()
        .take(budget as usize)
        .map(|(_, _, d)| d)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeDelta;

    const CADENCE: Cadence = Cadence {
        usage_every: Duration::from_secs(600),
        keys_every: Duration::from_secs(1800),
    };

    fn at(mins_ago: i64) -> Option<DateTime<Utc>> {
        Some(now() - TimeDelta::minutes(mins_ago))
    }

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).unwrap()
    }

    fn plan(usage: i64, keys: i64, hot: bool) -> PlanState {
        PlanState {
            usage_read: at(usage),
            keys_read: at(keys),
            hot,
        }
    }

    #[test]
    fn the_allowance_counts_the_calls_of_the_last_minute() {
        let t0 = Instant::now();
        let at = |s: u64| t0 + Duration::from_secs(s);
        let mut a = Allowance::new(60);
        assert_eq!(a.available(at(0)), 60);
        a.spend(at(0), 40);
        a.spend(at(30), 15);
        assert_eq!(a.available(at(30)), 5);
        assert_eq!(a.available(at(59)), 5, "all of it still within the minute");
        assert_eq!(a.available(at(60)), 45, "the first 40 are a minute old");
        a.spend(at(61), 70);
        assert_eq!(
            a.available(at(89)),
            0,
            "overspent: nothing until it ages out"
        );
        assert_eq!(a.available(at(121)), 60);
    }

    #[test]
    fn nothing_is_read_before_it_is_due_unless_hot() {
        let plans = [plan(1, 1, false), plan(9, 29, false), plan(1, 1, true)];
        assert_eq!(choose(&plans, now(), CADENCE, 100), vec![Due::Usage(2)]);
    }

    #[test]
    fn new_plans_then_hot_ones_then_the_most_overdue_within_the_budget() {
        let fresh = PlanState::default();
        let plans = [
            plan(12, 5, false), // usage 1.2 × overdue
            plan(30, 5, false), // usage 3 ×
            plan(1, 1, true),   // hot
            fresh,              // never read: its keys and its usage
            plan(1, 60, false), // keys 2 ×
        ];
        let all = choose(&plans, now(), CADENCE, 100);
        assert_eq!(
            all,
            vec![
                Due::Keys(3),
                Due::Usage(3),
                Due::Usage(2),
                Due::Usage(1),
                Due::Keys(4),
                Due::Usage(0),
            ]
        );
        assert_eq!(choose(&plans, now(), CADENCE, 4), all[..4].to_vec());
        assert!(choose(&plans, now(), CADENCE, 0).is_empty());
    }

    #[test]
    fn three_hundred_plans_fit_sixty_calls_a_minute_in_steady_state() {
        // Each poll (a minute apart) reads what is due within what the minute earned; every
        // plan's usage stays within its cadence and a poll's calls (one per read here) within
        // the budget, hot plans every time.
        let mut plans: Vec<PlanState> = (0..300)
            .map(|i| PlanState {
                usage_read: at(i % 10),
                keys_read: at(i % 30),
                hot: i % 50 == 0,
            })
            .collect();
        let mut allowance = Allowance::new(60);
        let start = Instant::now();
        for minute in 1..=60 {
            let t = now() + TimeDelta::minutes(minute);
            let clock = start + Duration::from_secs(60 * minute as u64);
            let due = choose(&plans, t, CADENCE, allowance.available(clock));
            allowance.spend(clock, due.len() as u32);
            assert!(due.len() <= 60, "minute {minute}: {} calls", due.len());
            for d in due {
                match d {
                    Due::Usage(i) => plans[i].usage_read = Some(t),
                    Due::Keys(i) => plans[i].keys_read = Some(t),
                }
            }
            for (i, p) in plans.iter().enumerate() {
                let age = (t - p.usage_read.unwrap()).num_minutes();
                assert!(
                    age <= if p.hot { 0 } else { 11 },
                    "plan {i} usage {age} min old"
                );
                let keys_age = (t - p.keys_read.unwrap()).num_minutes();
                assert!(keys_age <= 31, "plan {i} keys {keys_age} min old");
            }
        }
    }
}
