//! The engine: one task that owns the source, polls it on a schedule, starts confirmed
//! operations in tasks of their own (so polling goes on while a rotation waits for CloudFront),
//! writes them to the audit log, and reports everything back as events. Drawing never waits on
//! it.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::{Instant, sleep_until};

use crate::app::Event;
use crate::ops::audit::{Audit, Phase};
use crate::ops::{Op, Reporter};
use crate::source::Source;

/// What the UI asks of the engine.
#[derive(Debug)]
pub enum Request {
    RefreshNow,
    SetInterval(Duration),
    Apply(Op),
}

/// After failures, wait longer: the interval doubled per failure, at most 8×.
pub fn backoff(interval: Duration, failures: u32) -> Duration {
    interval * 2u32.pow(failures.min(3))
}

pub async fn run<S: Source>(
    mut source: S,
    mut interval: Duration,
    mut requests: mpsc::Receiver<Request>,
    events: mpsc::Sender<Event>,
    audit: Option<Audit>,
) {
    let (done_tx, mut done_rx) = mpsc::channel::<()>(4);
    let mut running = false;
    let mut failures = 0u32;
    loop {
        let started = Instant::now();
        let result = source.poll().await;
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
        let mut deadline = started + backoff(interval, failures);
        loop {
            tokio::select! {
                _ = sleep_until(deadline) => break,
                Some(()) = done_rx.recv() => {
                    // Read everything again at once to show the operation's effect.
                    running = false;
                    source.refresh_all();
                    break;
                }
                req = requests.recv() => match req {
                    None => return,
                    Some(Request::RefreshNow) => {
                        source.refresh_all();
                        break;
                    }
                    Some(Request::SetInterval(d)) => {
                        interval = d;
                        deadline = started + backoff(interval, failures);
                    }
                    Some(Request::Apply(op)) => {
                        if running {
                            let result = Err("another operation is still running: wait for it to end".to_string());
                            if events.send(Event::OpDone { op, result }).await.is_err() {
                                return;
                            }
                            continue;
                        }
                        let recorded = match &audit {
                            Some(a) => a.record(Phase::Confirmed, &op, None),
                            None => Err("there is no audit log (no state directory)".into()),
                        };
                        if let Err(e) = recorded {
                            let result = Err(format!("not run: {e}"));
                            if events.send(Event::OpDone { op, result }).await.is_err() {
                                return;
                            }
                            continue;
                        }
                        tracing::info!(op = %op.summary(), "operation started");
                        let ev = events.clone();
                        let progress = Reporter::new(move |p| {
                            // Each report is the whole picture: one dropped on a full queue is
                            // replaced by the next.
                            let _ = ev.try_send(Event::OpProgress(p));
                        });
                        let work = source.apply(op.clone(), progress);
                        running = true;
                        let (events, done, audit) = (events.clone(), done_tx.clone(), audit.clone());
                        tokio::spawn(async move {
                            let result = work.await;
                            let (phase, said) = match &result {
                                Ok(o) => (Phase::Succeeded, o.message.clone()),
                                Err(e) => (Phase::Failed, e.to_string()),
                            };
                            tracing::info!(op = %op.summary(), ?phase, outcome = %said, "operation ended");
                            if let Some(a) = &audit
                                && let Err(e) = a.record(phase, &op, Some(&said))
                            {
                                tracing::error!(error = %e, "audit log");
                            }
                            let result = result.map(|o| (o.message, o.secret)).map_err(|e| e.to_string());
                            let _ = events.send(Event::OpDone { op, result }).await;
                            let _ = done.send(()).await;
                        });
                    }
                },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_then_stops() {
        let s = Duration::from_secs(60);
        assert_eq!(backoff(s, 0), s);
        assert_eq!(backoff(s, 1), s * 2);
        assert_eq!(backoff(s, 9), s * 8);
    }
}
