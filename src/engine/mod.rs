//! The engine: one task that owns the source, polls it on a schedule, starts confirmed
//! operations in tasks of their own (so polling goes on while a rotation waits for CloudFront),
//! writes them to the audit log, and reports everything back as events. Drawing never waits on
//! it.

pub(crate) mod events;
pub(crate) mod memory;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::{Instant, sleep_until};

use crate::engine::events::Event;
use crate::ops::audit::Audit;
use crate::ops::procedure;
use crate::ops::{Op, Reporter};
use crate::source::{Actions, Source};

/// What the UI asks of the engine. The queue is unbounded so the UI never waits on it; a
/// person's key presses are all that fill it.
#[derive(Debug)]
pub enum Request {
    RefreshNow,
    SetInterval(Duration),
    /// Read the metrics over another time range, from the next poll (at once).
    SetRange(crate::model::Range),
    /// `:compare`: the same window a day or a week before too (at once).
    SetCompare(Option<crate::model::range::Compare>),
    Apply(Op),
    /// Read one API key's value (the operator pressed `v`).
    KeyValue(crate::model::Place, String),
}

/// After failures, wait longer: the interval doubled per failure, at most 8×.
pub fn backoff(interval: Duration, failures: u32) -> Duration {
    interval * 2u32.pow(failures.min(3))
}

/// What the engine keeps between requests; requests are served the same way during a poll
/// and between polls, so a confirmed operation never waits for a slow poll.
struct Desk {
    actions: Arc<dyn Actions>,
    events: mpsc::Sender<Event>,
    audit: Option<Audit>,
    /// Refuse every operation here too, whatever reaches the engine (the screen refuses first).
    read_only: bool,
    interval: Duration,
    /// An operation is running (one at a time).
    running: bool,
    /// Read everything again as soon as the current poll (if any) ends. Refresh requests
    /// coalesce here: pressing `R` ten times during a slow poll asks for one more poll.
    refresh_wanted: bool,
    /// A range asked for, to hand the source before its next poll.
    range_wanted: Option<crate::model::Range>,
    /// A comparison asked for (Some(None): none), likewise.
    compare_wanted: Option<Option<crate::model::range::Compare>>,
    done: mpsc::Sender<()>,
}

impl Desk {
    /// What the screen asked for since the last poll, handed to the source before the next:
    /// everything read again, another range, another comparison.
    fn hand_wanted<S: Source>(&mut self, source: &mut S) {
        if std::mem::take(&mut self.refresh_wanted) {
            source.refresh_all();
        }
        if let Some(r) = self.range_wanted.take() {
            source.set_range(r);
        }
        if let Some(c) = self.compare_wanted.take() {
            source.set_compare(c);
        }
    }

    /// Serve one request. False when the UI is gone.
    async fn serve(&mut self, req: Request) -> bool {
        match req {
            Request::RefreshNow => self.refresh_wanted = true,
            Request::SetInterval(d) => self.interval = d,
            Request::SetRange(r) => self.range_wanted = Some(r),
            Request::SetCompare(c) => self.compare_wanted = Some(c),
            Request::KeyValue(_, key_id) if self.read_only => {
                let result = Err("read-only: key values are not shown".to_string());
                return self
                    .events
                    .send(Event::KeyValue { key_id, result })
                    .await
                    .is_ok();
            }
            Request::KeyValue(place, key_id) => {
                tracing::info!(key = %crate::model::Text::new(&key_id), "key value read for the operator");
                let (work, events) = (self.actions.key_value(place, &key_id), self.events.clone());
                tokio::spawn(async move {
                    let result = work.await.map_err(|e| e.to_string());
                    let _ = events.send(Event::KeyValue { key_id, result }).await;
                });
            }
            Request::Apply(op) => return self.start(op).await,
        }
        true
    }

    async fn start(&mut self, op: Op) -> bool {
        if let Err(e) = procedure::check(self.read_only, self.running, "changing the account") {
            let _ = procedure::refuse_async(&op, self.audit.as_ref(), &e.to_string()).await;
            let result = Err(e);
            return self.events.send(Event::OpDone { op, result }).await.is_ok();
        }
        let ev = self.events.clone();
        let progress = Reporter::new(move |p| {
            // Each report is the whole picture: one dropped on a full queue is replaced by the
            // next.
            let _ = ev.try_send(Event::OpProgress(p));
        });
        let actions = self.actions.clone();
        self.running = true;
        let (events, done, audit) = (self.events.clone(), self.done.clone(), self.audit.clone());
        tokio::spawn(async move {
            let result =
                procedure::carry_out(&op, audit.as_ref(), || actions.apply(op.clone(), progress))
                    .await;
            let _ = events.send(Event::OpDone { op, result }).await;
            let _ = done.send(()).await;
        });
        true
    }

    /// An operation ended: read everything again at once to show its effect.
    fn op_ended(&mut self) {
        self.running = false;
        self.refresh_wanted = true;
    }
}

/// The first read's parts, handed to the screen as they arrive.
fn report_early<S: Source>(source: &mut S, events: mpsc::Sender<Event>) {
    source.report_early(Arc::new(move |part| {
        // A later, complete poll replaces it: one dropped on a full queue is not missed.
        let _ = events.try_send(match part {
            crate::source::Partial::Snapshot(snap) => Event::Data(Ok(Arc::new(*snap))),
            crate::source::Partial::Loading(loading) => Event::Loading(loading),
        });
    }));
}

/// How the engine starts.
pub struct Setup {
    pub interval: Duration,
    pub audit: Option<Audit>,
    pub read_only: bool,
}

pub async fn run<S: Source>(
    mut source: S,
    setup: Setup,
    mut requests: mpsc::UnboundedReceiver<Request>,
    events: mpsc::Sender<Event>,
) {
    let (done_tx, mut done_rx) = mpsc::channel::<()>(4);
    let mut desk = Desk {
        actions: source.actions(),
        events: events.clone(),
        audit: setup.audit,
        read_only: setup.read_only,
        interval: setup.interval,
        running: false,
        refresh_wanted: false,
        range_wanted: None,
        compare_wanted: None,
        done: done_tx,
    };
    report_early(&mut source, events.clone());
    let mut failures = 0u32;
    loop {
        desk.hand_wanted(&mut source);
        // What the last poll's snapshot held is free by now (the screen has the new one).
        crate::engine::memory::give_back();
        let started = Instant::now();
        let result = {
            let poll = source.poll();
            tokio::pin!(poll);
            loop {
                tokio::select! {
                    r = &mut poll => break r,
                    Some(()) = done_rx.recv() => desk.op_ended(),
                    req = requests.recv() => {
                        let Some(req) = req else { return };
                        if !desk.serve(req).await {
                            return;
                        }
                    }
                }
            }
        };
        let ok = result.is_ok();
        if let Err(e) = &result {
            tracing::warn!(error = %e, "poll failed");
        }
        if events
            .send(Event::Data(result.map(Arc::new).map_err(|e| e.to_string())))
            .await
            .is_err()
        {
            return;
        }
        failures = if ok { 0 } else { failures + 1 };
        while !desk.refresh_wanted && desk.range_wanted.is_none() && desk.compare_wanted.is_none() {
            tokio::select! {
                _ = sleep_until(started + backoff(desk.interval, failures)) => break,
                Some(()) = done_rx.recv() => desk.op_ended(),
                req = requests.recv() => {
                    let Some(req) = req else { return };
                    if !desk.serve(req).await {
                        return;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use std::sync::Mutex;

    use crate::model::{Secret, Snapshot};
    use crate::ops::Toggle;
    use crate::source::{OpFuture, OpOutcome, SourceError, ValueFuture};

    /// A source whose polls wait for the test to let them end.
    struct Slow {
        gate: Arc<tokio::sync::Semaphore>,
        log: Arc<Mutex<Vec<(&'static str, Instant)>>>,
    }

    impl Source for Slow {
        async fn poll(&mut self) -> Result<Snapshot, SourceError> {
            self.log.lock().unwrap().push(("poll", Instant::now()));
            self.gate.acquire().await.unwrap().forget();
            Ok(Snapshot::default())
        }

        fn actions(&self) -> Arc<dyn Actions> {
            Arc::new(Acts(self.log.clone()))
        }

        fn default_refresh(&self) -> Duration {
            Duration::from_secs(60)
        }

        fn set_range(&mut self, _: crate::model::Range) {}

        fn set_compare(&mut self, _: Option<crate::model::range::Compare>) {}

        fn refresh_all(&mut self) {
            self.log
                .lock()
                .unwrap()
                .push(("refresh_all", Instant::now()));
        }
    }

    struct Acts(Arc<Mutex<Vec<(&'static str, Instant)>>>);

    impl Actions for Acts {
        fn apply(&self, _: Op, _: Reporter) -> OpFuture {
            self.0.lock().unwrap().push(("apply", Instant::now()));
            Box::pin(async {
                Ok(OpOutcome {
                    message: "done".into(),
                    secret: None,
                })
            })
        }

        fn key_value(&self, _: crate::model::Place, _: &str) -> ValueFuture {
            Box::pin(async { Ok(Secret::new("v")) })
        }
    }

    fn toggle() -> Op {
        Op::ToggleRule(Toggle::example())
    }

    #[tokio::test(start_paused = true)]
    async fn an_operation_starts_during_a_slow_poll_and_refreshes_coalesce() {
        let dir = std::env::temp_dir().join(format!("edgetop-engine-{}", std::process::id()));
        let audit = Audit::new(dir.join("audit.jsonl"), Default::default());
        let gate = Arc::new(tokio::sync::Semaphore::new(0));
        let log = Arc::new(Mutex::new(Vec::new()));
        let source = Slow {
            gate: gate.clone(),
            log: log.clone(),
        };
        let (req_tx, req_rx) = mpsc::unbounded_channel();
        let (ev_tx, mut ev_rx) = mpsc::channel(64);
        let interval = Duration::from_secs(3600);
        let setup = Setup {
            interval,
            audit: Some(audit),
            read_only: false,
        };
        tokio::spawn(run(source, setup, req_rx, ev_tx));
        let t0 = Instant::now();
        // The first poll hangs. An operation confirmed now ends before it does.
        req_tx.send(Request::Apply(toggle())).unwrap();
        for _ in 0..10 {
            req_tx.send(Request::RefreshNow).unwrap();
        }
        match ev_rx.recv().await {
            Some(Event::OpDone { result, .. }) => assert!(result.is_ok(), "{result:?}"),
            other => panic!("the operation waited for the poll: {other:?}"),
        }
        gate.add_permits(1);
        assert!(matches!(ev_rx.recv().await, Some(Event::Data(Ok(_)))));
        // One more poll at once (the operation's effect, and every R), with discovery.
        gate.add_permits(1);
        assert!(matches!(ev_rx.recv().await, Some(Event::Data(Ok(_)))));
        gate.add_permits(1);
        assert!(matches!(ev_rx.recv().await, Some(Event::Data(Ok(_)))));
        let mut log = log.lock().unwrap().clone();
        let applied = log.iter().position(|(w, _)| *w == "apply").unwrap();
        assert_eq!(log.remove(applied).1, t0, "the operation started at once");
        let what: Vec<&str> = log.iter().map(|(w, _)| *w).collect();
        assert_eq!(
            what,
            ["poll", "refresh_all", "poll", "poll"],
            "ten refreshes asked during a poll make one"
        );
        assert_eq!(log[2].1, t0, "the second poll at once");
        assert!(log[3].1 >= t0 + interval, "the third only at the interval");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn backoff_doubles_then_stops() {
        let s = Duration::from_secs(60);
        assert_eq!(backoff(s, 0), s);
        assert_eq!(backoff(s, 1), s * 2);
        assert_eq!(backoff(s, 9), s * 8);
    }
}
