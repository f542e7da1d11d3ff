//! Many accounts and regions read as one: each account×region is a source of its own (its own
//! clients, API Gateway budget, discovery and failures), polled concurrently; their snapshots
//! are merged into one ([`crate::model::place::merge`]). A place that fails says so on its
//! own and never hides the others. Operations go to the place of the row they act on.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use chrono::Utc;
use futures::StreamExt;
use futures::stream::FuturesUnordered;

use super::{Actions, Early, OnExit, OpFuture, Partial, Source, SourceError, ValueFuture};
use crate::model::place::{Failed, merge};
use crate::model::{Place, PlaceInfo, Problem, Snapshot, Text};
use crate::ops::journal::Rotation;
use crate::ops::{Op, Reporter};

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
    /// Each place's parts still being read, as its early reports say.
    loading: Vec<Vec<Problem>>,
}

impl Board {
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
    sources: Vec<Option<S>>,
    board: Arc<Mutex<Board>>,
    early: Option<Early>,
}

fn lock(b: &Mutex<Board>) -> MutexGuard<'_, Board> {
    b.lock().unwrap_or_else(|e| e.into_inner())
}

impl<S: Source> ManySource<S> {
    /// The places in order: a row's [`Place`] is its index here.
    pub fn new(members: Vec<Member<S>>) -> ManySource<S> {
        let n = members.len();
        let (infos, sources): (Vec<_>, Vec<_>) =
            members.into_iter().map(|m| (m.info, m.source)).unzip();
        ManySource {
            sources,
            board: Arc::new(Mutex::new(Board {
                infos,
                reads: vec![None; n],
                loading: vec![Vec::new(); n],
            })),
            early: None,
        }
    }

    pub fn places(&self) -> Vec<PlaceInfo> {
        lock(&self.board).infos.clone()
    }

    /// Each place's own source (None where it could not be connected), in place order.
    pub fn sources(&self) -> impl Iterator<Item = Option<&S>> {
        self.sources.iter().map(Option::as_ref)
    }
}

impl<S: Source> Source for ManySource<S> {
    fn report_early(&mut self, early: Early) {
        for (i, s) in self.sources.iter_mut().enumerate() {
            let Some(s) = s else { continue };
            let (board, early) = (self.board.clone(), early.clone());
            s.report_early(Arc::new(move |part| {
                let mut b = lock(&board);
                match part {
                    Partial::Snapshot(snap) => {
                        b.loading[i] = snap.loading.clone();
                        b.reads[i] = Some(*snap);
                        early(Partial::Snapshot(Box::new(b.merged())));
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

    async fn poll(&mut self) -> Result<Snapshot, SourceError> {
        let mut polls: FuturesUnordered<_> = self
            .sources
            .iter_mut()
            .enumerate()
            .filter_map(|(i, s)| s.as_mut().map(|s| (i, s)))
            .map(|(i, s)| async move { (i, s.poll().await) })
            .collect();
        let (board, early) = (self.board.clone(), self.early.clone());
        let mut left = polls.len();
        while let Some((i, result)) = polls.next().await {
            left -= 1;
            let mut b = lock(&board);
            match result {
                Ok(snap) => {
                    b.loading[i] = snap.loading.clone();
                    b.reads[i] = Some(snap);
                    b.infos[i].failed = None;
                }
                Err(e) => {
                    tracing::warn!(place = %b.infos[i].name(), error = %e, "poll failed");
                    let since = b.infos[i].failed.as_ref().map_or(Utc::now(), |f| f.since);
                    b.infos[i].failed = Some(Failed {
                        since,
                        message: Text::new(&e.to_string()),
                    });
                }
            }
            // The places read so far go out before the slowest ends.
            if left > 0
                && let Some(early) = &early
            {
                early(Partial::Snapshot(Box::new(b.merged())));
            }
        }
        let b = lock(&board);
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
                .sources
                .iter()
                .map(|s| s.as_ref().map(|s| s.actions()))
                .collect(),
        })
    }

    fn unfinished(&self) -> (Vec<Rotation>, Vec<String>) {
        let (mut open, mut broken) = (Vec::new(), Vec::new());
        for s in self.sources.iter().flatten() {
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
        self.sources
            .iter()
            .flatten()
            .map(|s| s.default_refresh())
            .min()
            .unwrap_or(Duration::from_secs(60))
    }

    fn refresh_all(&mut self) {
        self.sources.iter_mut().flatten().for_each(S::refresh_all);
    }

    fn on_exit(&self) -> Option<OnExit> {
        let all: Vec<OnExit> = self
            .sources
            .iter()
            .flatten()
            .filter_map(S::on_exit)
            .collect();
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
        let one = self.actions.len() == 1;
        match self.at(
            Some(if one { Place(0) } else { place }),
            "reading a key's value",
        ) {
            Ok(a) => a.key_value(place, key_id),
            Err(e) => Box::pin(async move { Err(e) }),
        }
    }
}
