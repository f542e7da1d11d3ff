//! The simulated account behind `edgetop --demo`: a believable AWS edge (API Gateway stages,
//! usage plans and keys, two web ACLs, CloudFront) whose traffic has a daily shape, noise, and
//! incidents that unfold on a 20-minute cycle and react to the operator's toggles and rotations.
//!
//! A snapshot is a pure function of (seed, the changes made and when, the sim time): every
//! minute's numbers are recomputed from stateless hash noise, never from a running RNG.

mod account;
mod alarms;
mod apply;
mod attacks;
mod hostile;
mod ip_sets;
mod logs;
mod minute;
mod noise;
mod origin_countries;
mod requests;
mod samples;
pub mod scenario;
mod snapshot;
mod timeline;
mod traffic;
mod usage;
mod waf;

#[cfg(test)]
mod tests;

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use super::many::Wanted;
use super::{Actions, OpFuture, OpOutcome, Source, SourceError, ValueFuture};
use crate::model::range::{Compare, Shift};
use crate::model::{PlaceInfo, Range, Secret, Snapshot};
use crate::ops::{Op, Plan, Progress, Reporter, StepState};
use minute::World;
use scenario::Scenario;
use timeline::{Timeline, minute_of};
use usage::Usage;

/// Where simulated time starts: Tuesday 2026-11-17 14:03:00 UTC, with the first incident under way.
pub const DEMO_START: DateTime<Utc> = DateTime::from_timestamp_nanos(1_794_924_180 * 1_000_000_000);

/// Minutes of history in every series.
pub const WINDOW: i64 = 60;

pub struct DemoSource {
    world: Arc<Simulation>,
    polls: u64,
    /// The range the series cover (`:range`).
    range: Range,
    /// `:compare`.
    compare: Option<Compare>,
}

/// The simulated account: fixed at the start but for the operator's changes, which polls read
/// and operations write (one lock, never held across an await).
struct Simulation {
    speed: f64,
    started: Instant,
    scenario: Scenario,
    usage: Usage,
    timeline: Mutex<Timeline>,
}

impl Simulation {
    fn timeline(&self) -> MutexGuard<'_, Timeline> {
        self.timeline.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Current simulated time (DEMO_START + wall elapsed since the start * speed).
    fn sim_now(&self) -> DateTime<Utc> {
        let sim_ms = self.started.elapsed().as_secs_f64() * self.speed * 1000.0;
        DEMO_START + chrono::Duration::milliseconds(sim_ms as i64)
    }

    /// The account as of `now`, after `polls` polls (the cost meter counts them), its series
    /// over `range`.
    fn view_at(
        &self,
        now: DateTime<Utc>,
        polls: u64,
        range: Range,
        compare: Option<Compare>,
    ) -> Snapshot {
        let tl = self.timeline().as_of(now);
        let world = World {
            sc: &self.scenario,
            tl: &tl,
            usage: &self.usage,
        };
        let last = minute_of(now);
        // The window of complete minutes, plus the current one (for samples and live rates).
        let minutes: Vec<_> = (last - WINDOW..=last)
            .map(|m| minute::compute(&world, m))
            .collect();
        let ranged = (range != Range::H1).then(|| snapshot::Ranged::sample(&world, range, last));
        // The same window a day or a week before, computed as any other.
        let back_by = |back: i64, range: Range| match range {
            Range::H1 => snapshot::Past::Hour(
                (last - back - WINDOW..=last - back)
                    .map(|m| minute::compute(&world, m))
                    .collect(),
                now - chrono::Duration::minutes(back),
            ),
            r => snapshot::Past::Ranged(snapshot::Ranged::sample(&world, r, last - back)),
        };
        // Last week, calm: what the anomaly model expects (over the range on screen, and over
        // the hour its alarm evaluates), and `:compare 7d`'s window.
        let week = Shift::Week.minutes();
        let week_ago = back_by(week, range);
        let week_ago_hour = (range != Range::H1).then(|| back_by(week, Range::H1));
        let other = compare
            .filter(|c| c.shift != Shift::Week)
            .map(|c| (back_by(c.shift.minutes(), range), c));
        let past = match (&other, compare) {
            (Some((p, c)), _) => Some((p, *c)),
            (None, Some(c)) => Some((&week_ago, c)),
            (None, None) => None,
        };
        let expected = snapshot::Expected {
            shown: &week_ago,
            hour: week_ago_hour.as_ref().unwrap_or(&week_ago),
        };
        snapshot::assemble(&world, &minutes, ranged, past, &expected, now, polls)
    }

    fn key_value_at(&self, key_id: &str, now: DateTime<Utc>) -> Option<Secret> {
        self.timeline()
            .as_of(now)
            .keys(&self.scenario)
            .find(|k| k.id == key_id)
            .map(|k| Secret::new(k.value.clone()))
    }

    fn apply_at(&self, op: Op, now: DateTime<Utc>) -> Result<OpOutcome, SourceError> {
        let mut tl = self.timeline();
        match op {
            Op::ToggleRule(t) => apply::toggle(&self.scenario, &mut tl, &t, now),
            Op::RotateKey {
                key_id, key_name, ..
            } => apply::rotate(
                &self.scenario,
                &mut tl,
                key_id.as_str(),
                key_name.as_str(),
                now,
            ),
            Op::ResumeRotation { .. } => Err(SourceError::Refused(
                "the demo account keeps no rotation journal: there is nothing to resume".into(),
            )),
            Op::Block(b) => apply::ip_change(
                &self.scenario,
                &mut tl,
                &b.ip_set,
                b.range.as_str(),
                Some(b.expires),
                now,
            ),
            Op::Unblock(u) => apply::ip_change(
                &self.scenario,
                &mut tl,
                &u.ip_set,
                u.range.as_str(),
                None,
                now,
            ),
            Op::RateLimit(r) => apply::rate_limit(&self.scenario, &mut tl, &r, now),
            Op::SetKeyEnabled(k) => apply::switch_key(&self.scenario, &mut tl, &k, now),
            Op::DeleteOldKey(_) => Err(SourceError::Refused(
                "the demo account keeps its keys: an old key is deleted on a real account".into(),
            )),
        }
    }
}

impl DemoSource {
    /// Simulated time starts at DEMO_START and runs `speed` times faster than wall time.
    pub fn new(seed: u64, speed: f64) -> Self {
        DemoSource::at(seed, speed, scenario::DemoPlace::default())
    }

    /// The simulated account for `seed` as `place` (see [`scenario::DemoPlace`]).
    pub fn at(seed: u64, speed: f64, place: scenario::DemoPlace) -> Self {
        let scenario = Scenario::at(seed, place);
        let usage = Usage::new(&scenario);
        DemoSource {
            world: Arc::new(Simulation {
                speed,
                started: Instant::now(),
                scenario,
                usage,
                timeline: Mutex::new(Timeline::default()),
            }),
            polls: 0,
            range: Range::default(),
            compare: None,
        }
    }

    /// Deterministic: the account as of simulated time `now` (given all ops applied so far).
    pub fn snapshot_at(&mut self, now: DateTime<Utc>) -> Snapshot {
        self.polls += 1;
        let mut s = self
            .world
            .view_at(now, self.polls, self.range, self.compare);
        if !self.world.scenario.place.global {
            // Another region of this account shows CloudFront and its web ACLs.
            s.distributions.clear();
            let global: Vec<_> = s
                .web_acls
                .iter()
                .filter(|a| a.scope == crate::model::Scope::Cloudfront)
                .map(|a| a.name.clone())
                .collect();
            s.web_acls
                .retain(|a| a.scope != crate::model::Scope::Cloudfront);
            s.samples.retain(|x| !global.contains(&x.web_acl));
            s.rate_limited.retain(|x| !global.contains(&x.web_acl));
            s.shield = None;
            s.attacks.clear();
        }
        s
    }

    /// Each series with the same window `compare` looks back to.
    pub fn with_compare(mut self, compare: Compare) -> Self {
        self.compare = Some(compare);
        self
    }

    /// The series over `range` from the next snapshot on.
    pub fn with_range(mut self, range: Range) -> Self {
        self.range = range;
        self
    }

    /// Apply a confirmed op at simulated time `now`.
    pub fn apply_at(&mut self, op: Op, now: DateTime<Utc>) -> Result<OpOutcome, SourceError> {
        self.world.apply_at(op, now)
    }

    /// Current simulated time (DEMO_START + wall elapsed since new() * speed).
    pub fn sim_now(&self) -> DateTime<Utc> {
        self.world.sim_now()
    }

    /// The value of key `key_id` at simulated time `now`.
    pub fn key_value_at(&self, key_id: &str, now: DateTime<Utc>) -> Option<Secret> {
        self.world.key_value_at(key_id, now)
    }
}

/// Show a rotation's steps as the simulated account goes through them: the change itself is
/// already in the simulation; the distributions take [`timeline::DEPLOY_TIME`] (simulated) to
/// deploy, as their status on the Keys screen shows.
async fn walk_through(plan: &Plan, speed: f64, progress: &Reporter) {
    let mut steps: Vec<(String, StepState)> = plan
        .steps
        .iter()
        .map(|s| (s.what.clone(), StepState::Waiting))
        .collect();
    let deploy = Duration::from_secs_f64(timeline::DEPLOY_TIME.num_seconds() as f64 / speed);
    for i in 0..steps.len() {
        steps[i].1 = StepState::Running;
        let waits = steps[i].0.starts_with("Wait until");
        let ticks = if waits { deploy.as_secs().max(1) } else { 1 };
        for t in 0..ticks {
            progress.report(Progress {
                title: plan.title.clone(),
                steps: steps.clone(),
                detail: if waits {
                    format!(
                        "InProgress, {t} s of about {} s (simulated)",
                        deploy.as_secs()
                    )
                } else {
                    String::new()
                },
            });
            let tick = if waits {
                Duration::from_secs(1)
            } else {
                Duration::from_millis(300)
            };
            tokio::time::sleep(tick).await;
        }
        steps[i].1 = StepState::Done;
    }
}

/// The simulated account as many places (`--demo --profile a,b --region x,y`): each profile
/// an account of its own, each region a copy of it with its own ids; only the first place has
/// incidents, and only the first region of each account shows CloudFront.
pub fn places(seed: u64, speed: f64, wanted: &[Wanted]) -> Vec<(PlaceInfo, DemoSource)> {
    let mut accounts: Vec<Option<&str>> = Vec::new();
    wanted
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let profile = w.profile.as_deref();
            let n = accounts
                .iter()
                .position(|a| *a == profile)
                .unwrap_or_else(|| {
                    accounts.push(profile);
                    accounts.len() - 1
                });
            let place = scenario::DemoPlace {
                account_id: format!("{:012}", 123_456_789_012u64 + 111_111_111_111 * n as u64),
                alias: format!("{} (demo)", profile.unwrap_or("demo")),
                region: w.region.clone().unwrap_or_else(|| "eu-west-1".into()),
                profile: profile.unwrap_or("demo").to_string(),
                calm: i > 0,
                global: wanted[..i].iter().all(|o| o.profile.as_deref() != profile),
            };
            let info = PlaceInfo {
                metrics_through: Default::default(),
                label: crate::model::Text::new(w.label().unwrap_or("demo")),
                account: Default::default(),
                read_only: w.read_only,
                failed: None,
                slow_since: None,
                shield: None,
            };
            let seed = seed.wrapping_add(i as u64 * 7919);
            (info, DemoSource::at(seed, speed, place))
        })
        .collect()
}

/// The simulated places as of `now`, merged: what [`places`] shows on its first poll.
pub fn places_at(seed: u64, now: DateTime<Utc>, wanted: &[Wanted]) -> Snapshot {
    let (infos, reads): (Vec<_>, Vec<_>) = places(seed, 1.0, wanted)
        .into_iter()
        .map(|(info, mut s)| (info, Some(s.snapshot_at(now))))
        .unzip();
    crate::model::places::merge(infos, reads)
}

impl Source for DemoSource {
    fn poll(&mut self) -> impl std::future::Future<Output = Result<Snapshot, SourceError>> + Send {
        let snapshot = self.snapshot_at(self.sim_now());
        async move { Ok(snapshot) }
    }

    fn actions(&self) -> Arc<dyn Actions> {
        self.world.clone()
    }

    fn default_refresh(&self) -> Duration {
        Duration::from_secs(2)
    }

    fn set_range(&mut self, range: Range) {
        self.range = range;
    }

    fn set_compare(&mut self, compare: Option<Compare>) {
        self.compare = compare;
    }
}

impl Actions for Simulation {
    fn apply(&self, op: Op, progress: Reporter) -> OpFuture {
        let now = self.sim_now();
        // Only a rotation has steps worth walking through; its plan is of the account before it.
        let plan = matches!(op, Op::RotateKey { .. })
            .then(|| crate::ops::plan(&op, &self.view_at(now, 0, Range::default(), None)));
        let outcome = self.apply_at(op, now);
        let speed = self.speed;
        Box::pin(async move {
            if let (Ok(_), Some(plan)) = (&outcome, plan) {
                walk_through(&plan, speed, &progress).await;
            }
            outcome
        })
    }

    fn key_value(&self, _: crate::model::Place, key_id: &str) -> ValueFuture {
        let found = self.key_value_at(key_id, self.sim_now());
        let key_id = key_id.to_string();
        Box::pin(
            async move { found.ok_or_else(|| SourceError::Failed(format!("no API key {key_id}"))) },
        )
    }
}
