//! Many accounts and regions read as one: each account×region is a source of its own (its own
//! clients, API Gateway budget, discovery and failures), polled concurrently; their snapshots
//! are merged into one ([`crate::model::places::merge`]). A place that fails says so on its
//! own and never hides the others. Operations go to the place of the row they act on.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use chrono::Utc;
use tokio::sync::mpsc;

use super::{Actions, Early, OnExit, OpFuture, Partial, Source, SourceError, ValueFuture};
use crate::model::places::{Failed, merge};
use crate::model::{Place, PlaceInfo, Problem, Snapshot, Text};
use crate::ops::journal::Rotation;
use crate::ops::{Op, Reporter};

mod wanted;
pub use wanted::{Wanted, wanted};

/// One account×region: who it is, and its source (None when it could not be connected).
pub struct Member<S> {
    pub info: PlaceInfo,
    pub source: Option<S>,
}

/// What the places have read so far, shared with the early reports of a slow first read.
#[derive(Default)]
struct Board {
    infos: Vec<PlaceInfo>,
    /// Each place's latest snapshot (kept when a later poll fails: its figures and their age).
    reads: Vec<Option<Snapshot>>,
    /// When the places read so far last went out early: merging every place copies them all,
    /// so with many places reporting at once they go out at most every [`EARLY_EVERY`]; what
    /// came meanwhile is `held`, and goes out when that time is up.
    early_at: Option<tokio::time::Instant>,
    held: bool,
    /// Each place's parts still being read, as its early reports say.
    loading: Vec<Vec<Problem>>,
}

/// How often the places read so far go out before a poll ends.
const EARLY_EVERY: Duration = Duration::from_millis(500);

impl Board {
    /// The places read so far, to `early`, unless they went out less than [`EARLY_EVERY`] ago.
    fn hand_over(&mut self, early: &Early) {
        if self.early_at.is_some_and(|t| t.elapsed() < EARLY_EVERY) {
            self.held = true;
            return;
        }
        self.early_at = Some(tokio::time::Instant::now());
        self.held = false;
        early(Partial::Snapshot(Box::new(self.merged())));
    }

    fn merged(&self) -> Snapshot {
        let mut reads = self.reads.clone();
        for (r, l) in reads.iter_mut().zip(&self.loading) {
            if let Some(r) = r {
                r.loading = l.clone();
            }
        }
        merge(self.infos.clone(), reads)
    }

    fn loading(&self) -> Vec<Problem> {
        self.infos
            .iter()
            .zip(&self.loading)
            .flat_map(|(i, l)| {
                l.iter().map(|p| Problem {
                    panel: p.panel,
                    message: Text::new(&format!("{}: {}", i.name(), p.message)),
                })
            })
            .collect()
    }
}

pub struct ManySource<S> {
    /// Each place's source while it is not polling: None while its poll runs, and for a
    /// place that could not be connected.
    idle: Vec<Option<S>>,
    connected: Vec<bool>,
    /// When each place's poll in flight began (by the wall clock, for the screen).
    polling_since: Vec<Option<chrono::DateTime<Utc>>>,
    /// `R` asked while the place was polling: done when it is back.
    refresh_pending: Vec<bool>,
    /// The range every place reads, and its comparison (a place polling gets them when it is
    /// back).
    range: crate::model::Range,
    compare: Option<crate::model::range::Compare>,
    /// Sources coming back from their polls.
    back_tx: mpsc::UnboundedSender<(usize, S)>,
    back_rx: mpsc::UnboundedReceiver<(usize, S)>,
    board: Arc<Mutex<Board>>,
    early: Option<Early>,
}

/// How long the dashboard's poll waits for every place before it goes on without the slow
/// ones (a blackholed region, a slow first read): they carry on in the background, marked
/// slow, and hand over what they read when they end.
pub const SLOW_AFTER: Duration = Duration::from_secs(15);

fn lock(b: &Mutex<Board>) -> MutexGuard<'_, Board> {
    b.lock().unwrap_or_else(|e| e.into_inner())
}

impl Board {
    /// A place's poll ended: its read (or its failure, its last read kept).
    fn record(&mut self, i: usize, result: Result<Snapshot, SourceError>) {
        self.infos[i].slow_since = None;
        match result {
            Ok(snap) => {
                self.loading[i] = snap.loading.clone();
                self.reads[i] = Some(snap);
                self.infos[i].failed = None;
            }
            Err(e) => {
                tracing::warn!(place = %self.infos[i].name(), error = %e, "poll failed");
                let since = self.infos[i]
                    .failed
                    .as_ref()
                    .map_or(Utc::now(), |f| f.since);
                self.infos[i].failed = Some(Failed {
                    since,
                    message: Text::new(&e.to_string()),
                });
            }
        }
    }
}

impl<S: Source> ManySource<S> {
    /// The places in order: a row's [`Place`] is its index here.
    pub fn new(members: Vec<Member<S>>) -> ManySource<S> {
        let n = members.len();
        let (infos, sources): (Vec<_>, Vec<_>) =
            members.into_iter().map(|m| (m.info, m.source)).unzip();
        let (back_tx, back_rx) = mpsc::unbounded_channel();
        ManySource {
            connected: sources.iter().map(Option::is_some).collect(),
            idle: sources,
            polling_since: vec![None; n],
            refresh_pending: vec![false; n],
            range: Default::default(),
            compare: None,
            back_tx,
            back_rx,
            board: Arc::new(Mutex::new(Board {
                infos,
                reads: vec![None; n],
                loading: vec![Vec::new(); n],
                ..Default::default()
            })),
            early: None,
        }
    }

    pub fn places(&self) -> Vec<PlaceInfo> {
        lock(&self.board).infos.clone()
    }

    /// Each place's own source, in place order: None where it could not be connected, or
    /// while its poll runs.
    pub fn sources(&self) -> impl Iterator<Item = Option<&S>> {
        self.idle.iter().map(Option::as_ref)
    }

    /// A place back from its poll.
    fn take_back(&mut self, i: usize, mut s: S) {
        if std::mem::take(&mut self.refresh_pending[i]) {
            s.refresh_all();
        }
        s.set_range(self.range);
        s.set_compare(self.compare);
        self.polling_since[i] = None;
        self.idle[i] = Some(s);
    }

    /// Start a poll of every place not polling already, each in a task of its own: a slow
    /// place delays nobody. Each hands its read to the board as it ends.
    fn start_idle(&mut self) {
        for i in 0..self.idle.len() {
            let Some(mut s) = self.idle[i].take() else {
                continue;
            };
            self.polling_since[i] = Some(Utc::now());
            let (board, early, back) =
                (self.board.clone(), self.early.clone(), self.back_tx.clone());
            tokio::spawn(async move {
                let result = s.poll().await;
                let held = {
                    let mut b = lock(&board);
                    b.record(i, result);
                    // Out at once, though the poll that started it may have ended long ago.
                    if let Some(early) = &early {
                        b.hand_over(early);
                    }
                    b.held
                };
                let _ = back.send((i, s));
                // Held back (another place went out just now): out when its time is up, even
                // with no poll running to tick.
                if let (true, Some(early)) = (held, &early) {
                    tokio::time::sleep(EARLY_EVERY).await;
                    let mut b = lock(&board);
                    if b.held {
                        b.hand_over(early);
                    }
                }
            });
        }
    }

    fn polling(&self) -> usize {
        self.polling_since.iter().filter(|p| p.is_some()).count()
    }
}

impl<S: Source> Source for ManySource<S> {
    fn report_early(&mut self, early: Early) {
        for (i, s) in self.idle.iter_mut().enumerate() {
            let Some(s) = s else { continue };
            let (board, early) = (self.board.clone(), early.clone());
            s.report_early(Arc::new(move |part| {
                let mut b = lock(&board);
                match part {
                    Partial::Snapshot(snap) => {
                        b.loading[i] = snap.loading.clone();
                        b.reads[i] = Some(*snap);
                        b.hand_over(&early);
                    }
                    Partial::Loading(l) => {
                        b.loading[i] = l;
                        early(Partial::Loading(b.loading()));
                    }
                }
            }));
        }
        self.early = Some(early);
    }

    /// Every place not already polling starts a poll; this returns when they have all
    /// ended, or, on the dashboard, [`SLOW_AFTER`] from the start once any place has read:
    /// those still polling are marked slow and go on in the background (`snapshot` waits for
    /// every one: it is a complete record).
    async fn poll(&mut self) -> Result<Snapshot, SourceError> {
        while let Ok((i, s)) = self.back_rx.try_recv() {
            self.take_back(i, s);
        }
        self.start_idle();
        let deadline = self
            .early
            .is_some()
            .then(|| tokio::time::Instant::now() + SLOW_AFTER);
        // What was held back goes out when its time is up, though no place has ended since.
        let mut tick = tokio::time::interval(EARLY_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        while self.polling() > 0 {
            let may_leave =
                deadline.is_some() && lock(&self.board).reads.iter().any(Option::is_some);
            tokio::select! {
                back = self.back_rx.recv() => match back {
                    Some((i, s)) => self.take_back(i, s),
                    None => break,
                },
                _ = tick.tick(), if self.early.is_some() => {
                    let mut b = lock(&self.board);
                    if let (Some(early), true) = (&self.early, b.held) {
                        b.hand_over(early);
                    }
                }
                _ = tokio::time::sleep_until(deadline.unwrap_or_else(tokio::time::Instant::now)),
                    if may_leave => break,
            }
        }
        let mut b = lock(&self.board);
        b.held = false;
        for (info, since) in b.infos.iter_mut().zip(&self.polling_since) {
            info.slow_since = *since;
        }
        if b.reads.iter().all(Option::is_none) {
            let why: Vec<String> = b
                .infos
                .iter()
                .filter_map(|i| Some(format!("{}: {}", i.name(), i.failed.as_ref()?.message)))
                .collect();
            return Err(SourceError::Failed(why.join("; ")));
        }
        Ok(b.merged())
    }

    fn actions(&self) -> Arc<dyn Actions> {
        Arc::new(ManyActions {
            places: self.places(),
            actions: self
                .idle
                .iter()
                .map(|s| s.as_ref().map(|s| s.actions()))
                .collect(),
        })
    }

    fn rotation(&self, id: &str) -> Option<Rotation> {
        self.idle.iter().flatten().find_map(|s| s.rotation(id))
    }

    fn unfinished(&self) -> (Vec<Rotation>, Vec<String>) {
        let (mut open, mut broken) = (Vec::new(), Vec::new());
        for s in self.idle.iter().flatten() {
            let (o, b) = s.unfinished();
            open.extend(o);
            for b in b {
                if !broken.contains(&b) {
                    broken.push(b);
                }
            }
        }
        (open, broken)
    }

    fn default_refresh(&self) -> Duration {
        self.idle
            .iter()
            .flatten()
            .map(|s| s.default_refresh())
            .min()
            .unwrap_or(Duration::from_secs(60))
    }

    fn refresh_all(&mut self) {
        for (i, s) in self.idle.iter_mut().enumerate() {
            match s {
                Some(s) => s.refresh_all(),
                None if self.connected[i] => self.refresh_pending[i] = true,
                None => {}
            }
        }
    }

    fn set_range(&mut self, range: crate::model::Range) {
        self.range = range;
        for s in self.idle.iter_mut().flatten() {
            s.set_range(range);
        }
    }

    fn set_compare(&mut self, compare: Option<crate::model::range::Compare>) {
        self.compare = compare;
        for s in self.idle.iter_mut().flatten() {
            s.set_compare(compare);
        }
    }

    fn on_exit(&self) -> Option<OnExit> {
        let all: Vec<OnExit> = self.idle.iter().flatten().filter_map(S::on_exit).collect();
        Some(Box::pin(async move {
            futures::future::join_all(all).await;
        }))
    }
}

/// Operations go to the place they name; with several places, one that names none is
/// refused rather than sent to the first.
struct ManyActions {
    places: Vec<PlaceInfo>,
    actions: Vec<Option<Arc<dyn Actions>>>,
}

impl ManyActions {
    fn at(&self, place: Option<Place>, what: &str) -> Result<&Arc<dyn Actions>, SourceError> {
        let p = match place {
            Some(p) => p,
            None if self.actions.len() == 1 => Place(0),
            None => {
                return Err(SourceError::Refused(format!(
                    "{what} names no account and region, and {} are in view",
                    self.actions.len()
                )));
            }
        };
        let info = self.places.get(p.0 as usize);
        let name = info.map(PlaceInfo::name).unwrap_or_default();
        if info.is_some_and(|i| i.read_only) {
            return Err(SourceError::Refused(format!(
                "{name} is read-only (read_only in its [[accounts]] entry of the config file)"
            )));
        }
        match self.actions.get(p.0 as usize) {
            Some(Some(a)) => Ok(a),
            _ => Err(SourceError::Refused(format!(
                "{name} is not connected: nothing can be done there"
            ))),
        }
    }
}

impl Actions for ManyActions {
    fn apply(&self, op: Op, progress: Reporter) -> OpFuture {
        match self.at(op.at().map(|a| a.place), &op.summary()) {
            Ok(a) => a.apply(op, progress),
            Err(e) => Box::pin(async move { Err(e) }),
        }
    }

    fn key_value(&self, place: Place, key_id: &str) -> ValueFuture {
        match self.at(Some(place), "reading a key's value") {
            Ok(a) => a.key_value(place, key_id),
            Err(e) => Box::pin(async move { Err(e) }),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;

    use super::*;
    use crate::host::config::AccountEntry;
    use crate::model::places::{named, narrow};
    use crate::ops::{At, OpOutcome, Toggle};
    use crate::source::demo::{DEMO_START, places_at};

    fn want(profile: &str, region: &str) -> Wanted {
        Wanted {
            profile: Some(profile.into()),
            region: Some(region.into()),
            ..Default::default()
        }
    }

    #[test]
    fn profiles_cross_regions_and_the_config_names_accounts() {
        let w = wanted(Some("prod, staging"), Some("eu-west-1,us-east-1"), &[]);
        assert_eq!(
            w,
            [
                want("prod", "eu-west-1"),
                want("prod", "us-east-1"),
                want("staging", "eu-west-1"),
                want("staging", "us-east-1"),
            ]
        );
        assert_eq!(wanted(None, None, &[]), [Wanted::default()], "the chain");
        let accounts = [
            AccountEntry {
                label: Some("prod".into()),
                profile: Some("p".into()),
                regions: vec!["eu-west-1".into(), "eu-west-1".into()],
                read_only: true,
                ..Default::default()
            },
            AccountEntry {
                role_arn: Some("arn:aws:iam::222222222222:role/r".into()),
                ..Default::default()
            },
        ];
        let w = wanted(None, None, &accounts);
        assert_eq!(w.len(), 2, "each place once: {w:?}");
        assert_eq!((w[0].label(), w[0].read_only), (Some("prod"), true));
        assert_eq!(
            w[1].role_arn.as_deref(),
            Some("arn:aws:iam::222222222222:role/r")
        );
        assert_eq!(w[1].region, None);
        // --region names the regions of every account; --profile replaces the accounts.
        let w = wanted(None, Some("us-east-1"), &accounts);
        assert!(w.iter().all(|w| w.region.as_deref() == Some("us-east-1")));
        assert_eq!(
            wanted(Some("x"), None, &accounts),
            [Wanted {
                profile: Some("x".into()),
                ..Default::default()
            }]
        );
    }

    #[test]
    fn a_profile_named_on_the_command_line_keeps_its_entrys_settings() {
        let accounts = [
            AccountEntry {
                label: Some("prod".into()),
                profile: Some("prod-admin".into()),
                read_only: true,
                regions: vec!["eu-west-1".into()],
                ..Default::default()
            },
            AccountEntry {
                profile: Some("ops".into()),
                read_only: true,
                ..Default::default()
            },
            AccountEntry {
                label: Some("partner".into()),
                profile: Some("ops".into()),
                role_arn: Some("arn:aws:iam::222222222222:role/r".into()),
                ..Default::default()
            },
        ];
        // By label: its profile, its read-only, its regions.
        let w = wanted(Some("prod"), None, &accounts);
        assert_eq!(w.len(), 1);
        assert!(w[0].read_only);
        assert_eq!(w[0].profile.as_deref(), Some("prod-admin"));
        assert_eq!(w[0].region.as_deref(), Some("eu-west-1"));
        // By profile: the entry that reads that profile itself, not the role assumed from it.
        let w = wanted(Some("ops"), Some("us-east-1"), &accounts);
        assert_eq!(w.len(), 1);
        assert!(w[0].read_only && w[0].role_arn.is_none());
        // The role's entry by its label keeps its role.
        let w = wanted(Some("partner"), None, &accounts);
        assert_eq!(
            w[0].role_arn.as_deref(),
            Some("arn:aws:iam::222222222222:role/r")
        );
        assert!(!w[0].read_only);
    }

    fn four() -> Snapshot {
        let w = [
            want("prod", "eu-west-1"),
            want("prod", "us-east-1"),
            want("staging", "eu-west-1"),
            want("staging", "us-east-1"),
        ];
        places_at(7, DEMO_START, &w)
    }

    #[test]
    fn the_demo_as_four_places_is_merged_in_place_order() {
        let s = four();
        let one = crate::source::demo::DemoSource::new(7, 1.0).snapshot_at(DEMO_START);
        assert_eq!(s.places.len(), 4);
        assert!(s.many_places());
        let names: Vec<String> = s.places.iter().map(PlaceInfo::name).collect();
        assert_eq!(
            names,
            [
                "prod · eu-west-1",
                "prod · us-east-1",
                "staging · eu-west-1",
                "staging · us-east-1"
            ]
        );
        assert_eq!(s.places[0].account.id, s.places[1].account.id);
        assert_ne!(s.places[0].account.id, s.places[2].account.id);
        // Every row of every place, stamped in order.
        assert_eq!(s.api_keys.len(), 4 * one.api_keys.len());
        for p in 0..4u16 {
            let keys = s.api_keys.iter().filter(|k| k.place == Place(p)).count();
            assert_eq!(keys, one.api_keys.len(), "place {p}");
        }
        assert!(s.api_keys.is_sorted_by_key(|k| k.place));
        // CloudFront, its web ACLs and their held addresses: once per account.
        let dist_places: Vec<u16> = s.distributions.iter().map(|d| d.place.0).collect();
        assert!(
            dist_places.iter().all(|p| *p == 0 || *p == 2),
            "{dist_places:?}"
        );
        assert_eq!(s.distributions.len(), 2 * one.distributions.len());
        let global: Vec<u16> = s
            .web_acls
            .iter()
            .filter(|a| a.scope == crate::model::Scope::Cloudfront)
            .map(|a| a.place.0)
            .collect();
        assert_eq!(global, [0, 2]);
        // The regions' API ids differ: the same API in two regions is two APIs.
        let ids: std::collections::HashSet<&str> = s.apis.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids.len(), s.apis.len());
        // The incidents are in the first place only.
        let held = |p: u16| {
            s.rate_limited
                .iter()
                .filter(|r| r.place == Place(p))
                .count()
        };
        assert!(held(0) > 0);
        assert_eq!(held(1), 0, "calm: {:?}", s.rate_limited);
        assert_eq!(s.cost.metrics_last_poll, 4 * one.cost.metrics_last_poll);
        // What WAF stopped, exactly, the most first whichever place it was in.
        let blocked = &s.logs.as_ref().unwrap().blocked;
        assert!(blocked.iter().any(|b| b.place != Place(0)));
        assert!(blocked.is_sorted_by_key(|b| std::cmp::Reverse(b.requests)));
    }

    #[test]
    fn narrow_keeps_the_places_named() {
        let s = four();
        assert_eq!(named(&s, "staging"), [Place(2), Place(3)]);
        assert_eq!(named(&s, "US-EAST-1"), [Place(1), Place(3)]);
        assert_eq!(named(&s, "prod · us-east-1"), [Place(1)]);
        assert_eq!(
            named(&s, s.places[2].account.id.as_str()),
            [Place(2), Place(3)]
        );
        assert!(named(&s, "nowhere").is_empty());
        let only = narrow(&s, |p| p == Place(1));
        assert!(only.api_keys.iter().all(|k| k.place == Place(1)));
        assert_eq!(only.api_keys.len(), s.api_keys.len() / 4);
        assert!(
            only.distributions.is_empty(),
            "us-east-1 shows none of CloudFront"
        );
        assert_eq!(only.account.region.as_str(), "us-east-1");
        assert_eq!(only.places.len(), 4, "rows keep their index");
    }

    /// A source whose polls answer in turn from a script, each when the test lets it.
    struct Scripted {
        answers: VecDeque<Result<Snapshot, SourceError>>,
        gate: Arc<tokio::sync::Semaphore>,
    }

    impl Source for Scripted {
        async fn poll(&mut self) -> Result<Snapshot, SourceError> {
            self.gate.acquire().await.unwrap().forget();
            self.answers.pop_front().expect("an answer")
        }

        fn actions(&self) -> Arc<dyn Actions> {
            Arc::new(Recorder::default())
        }

        fn default_refresh(&self) -> Duration {
            Duration::from_secs(60)
        }

        fn set_range(&mut self, _: crate::model::Range) {}

        fn set_compare(&mut self, _: Option<crate::model::range::Compare>) {}
    }

    fn member(
        label: &str,
        answers: Vec<Result<Snapshot, SourceError>>,
    ) -> (Member<Scripted>, Arc<tokio::sync::Semaphore>) {
        let gate = Arc::new(tokio::sync::Semaphore::new(0));
        let info = PlaceInfo {
            metrics_through: Default::default(),
            label: Text::new(label),
            account: Default::default(),
            read_only: false,
            failed: None,
            slow_since: None,
            shield: None,
        };
        let source = Scripted {
            answers: answers.into(),
            gate: gate.clone(),
        };
        (
            Member {
                info,
                source: Some(source),
            },
            gate,
        )
    }

    fn demo_read() -> Snapshot {
        crate::source::demo::DemoSource::new(3, 1.0).snapshot_at(DEMO_START)
    }

    #[tokio::test]
    async fn a_place_that_fails_keeps_its_last_read_and_the_fast_go_out_first() {
        let (a, gate_a) = member("a", vec![Ok(demo_read()), Ok(demo_read())]);
        let (b, gate_b) = member(
            "b",
            vec![Ok(demo_read()), Err(SourceError::Failed("gone".into()))],
        );
        let mut many = ManySource::new(vec![a, b]);
        let early = Arc::new(Mutex::new(Vec::new()));
        let seen = early.clone();
        many.report_early(Arc::new(move |p| {
            if let Partial::Snapshot(s) = p {
                seen.lock().unwrap().push(*s);
            }
        }));
        // b answers first, while a waits: what b read goes out at once.
        gate_b.add_permits(1);
        let poll = tokio::spawn(async move {
            let r = many.poll().await;
            (many, r)
        });
        while early.lock().unwrap().is_empty() {
            tokio::task::yield_now().await;
        }
        {
            let first = &early.lock().unwrap()[0];
            assert!(first.api_keys.iter().all(|k| k.place == Place(1)));
            assert!(!first.api_keys.is_empty());
            assert!(
                first
                    .loading
                    .iter()
                    .any(|l| l.message.as_str().contains("a · "))
            );
        }
        gate_a.add_permits(1);
        let (mut many, r) = poll.await.unwrap();
        let s = r.unwrap();
        assert!(s.api_keys.iter().any(|k| k.place == Place(0)));
        // b fails next: its last read stays, and every panel says why.
        gate_a.add_permits(1);
        gate_b.add_permits(1);
        let s = many.poll().await.unwrap();
        assert!(s.places[1].failed.is_some());
        assert!(s.api_keys.iter().any(|k| k.place == Place(1)), "kept");
        let said = s
            .problems
            .iter()
            .filter(|p| p.message.as_str().contains("b · : not read: gone"))
            .count();
        assert_eq!(said, crate::model::Panel::ALL.len(), "{:?}", s.problems);
    }

    #[tokio::test]
    async fn places_ending_together_go_out_merged_once_and_none_is_held_back() {
        let (a, gate_a) = member("a", vec![Ok(demo_read())]);
        let (b, gate_b) = member("b", vec![Ok(demo_read())]);
        let (c, gate_c) = member("c", vec![Ok(demo_read())]);
        let mut many = ManySource::new(vec![a, b, c]);
        let early = Arc::new(Mutex::new(Vec::new()));
        let seen = early.clone();
        many.report_early(Arc::new(move |p| {
            if let Partial::Snapshot(s) = p {
                let places: std::collections::BTreeSet<u16> =
                    s.api_keys.iter().map(|k| k.place.0).collect();
                seen.lock().unwrap().push(places);
            }
        }));
        // b and c end at once while a waits: b goes out, c is held, then goes out with b.
        gate_b.add_permits(1);
        gate_c.add_permits(1);
        let poll = tokio::spawn(async move { many.poll().await });
        loop {
            let sent = early.lock().unwrap().clone();
            if sent.last().is_some_and(|p| p.len() == 2) {
                assert!(sent.len() <= 2, "merged at most twice: {sent:?}");
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        gate_a.add_permits(1);
        let s = poll.await.unwrap().unwrap();
        assert_eq!(
            s.api_keys.iter().map(|k| k.place.0).max(),
            Some(2),
            "the whole read at the end"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_slow_place_is_marked_slow_and_delays_the_others_no_longer() {
        let (a, gate_a) = member("a", vec![Ok(demo_read()), Ok(demo_read())]);
        let (b, gate_b) = member("b", vec![Ok(demo_read())]);
        let mut many = ManySource::new(vec![a, b]);
        let early = Arc::new(Mutex::new(Vec::new()));
        let seen = early.clone();
        many.report_early(Arc::new(move |p| {
            if let Partial::Snapshot(s) = p {
                seen.lock().unwrap().push(*s);
            }
        }));
        // a answers at once; b not at all.
        gate_a.add_permits(2);
        let started = tokio::time::Instant::now();
        let s = many.poll().await.unwrap();
        assert_eq!(started.elapsed(), SLOW_AFTER, "b held the poll no longer");
        assert!(s.places[0].slow_since.is_none());
        assert!(s.places[1].slow_since.is_some(), "b is marked slow");
        assert!(
            s.problems
                .iter()
                .any(|p| p.message.as_str().starts_with("b · : slow")),
            "{:?}",
            s.problems
        );
        // The next poll reads a again; b is not asked twice.
        let s = many.poll().await.unwrap();
        assert!(s.api_keys.iter().all(|k| k.place == Place(0)));
        assert!(s.places[1].slow_since.is_some());
        // b answers at last: what it read goes out at once, no longer slow.
        early.lock().unwrap().clear();
        gate_b.add_permits(1);
        while !early
            .lock()
            .unwrap()
            .iter()
            .any(|s| s.api_keys.iter().any(|k| k.place == Place(1)))
        {
            tokio::task::yield_now().await;
        }
        let last = early.lock().unwrap().last().cloned().unwrap();
        assert!(last.places[1].slow_since.is_none());
    }

    #[derive(Default)]
    struct Recorder(Mutex<Vec<String>>);

    impl Actions for Recorder {
        fn apply(&self, op: Op, _: Reporter) -> OpFuture {
            self.0.lock().unwrap().push(op.summary());
            Box::pin(async { Ok(OpOutcome::said("done")) })
        }

        fn key_value(&self, _: Place, key_id: &str) -> ValueFuture {
            self.0.lock().unwrap().push(format!("value of {key_id}"));
            Box::pin(async { Ok(crate::model::Secret::new("v")) })
        }
    }

    fn toggle(at: Option<Place>) -> Op {
        Op::ToggleRule(Toggle::example()).acting_at(at.map(|place| At {
            place,
            label: Text::new("x"),
            account: Text::new("1"),
            region: Text::new("r"),
        }))
    }

    #[tokio::test]
    async fn operations_go_to_their_place_or_are_refused() {
        let recorders: Vec<Arc<Recorder>> = (0..3).map(|_| Arc::new(Recorder::default())).collect();
        let info = |read_only| PlaceInfo {
            metrics_through: Default::default(),
            label: Text::new("p"),
            account: Default::default(),
            read_only,
            failed: None,
            slow_since: None,
            shield: None,
        };
        let acts = ManyActions {
            places: vec![info(false), info(false), info(true), info(false)],
            actions: vec![
                Some(recorders[0].clone() as Arc<dyn Actions>),
                Some(recorders[1].clone() as Arc<dyn Actions>),
                Some(recorders[2].clone() as Arc<dyn Actions>),
                None,
            ],
        };
        let run = |op| acts.apply(op, Reporter::new(|_| {}));
        assert!(run(toggle(Some(Place(1)))).await.is_ok());
        assert_eq!(recorders[1].0.lock().unwrap().len(), 1);
        assert!(recorders[0].0.lock().unwrap().is_empty(), "not the first");
        let refused = |r: Result<OpOutcome, SourceError>| match r {
            Err(SourceError::Refused(m)) => m,
            other => panic!("{other:?}"),
        };
        assert!(refused(run(toggle(None)).await).contains("names no account and region"));
        assert!(refused(run(toggle(Some(Place(2)))).await).contains("read-only"));
        assert!(refused(run(toggle(Some(Place(3)))).await).contains("not connected"));
        assert!(recorders[2].0.lock().unwrap().is_empty());
        assert!(acts.key_value(Place(0), "k").await.is_ok());
        assert!(
            acts.key_value(Place(2), "k").await.is_err(),
            "read-only shows no value"
        );
    }
}
