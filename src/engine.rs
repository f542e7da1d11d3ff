//! The engine: one task that owns the source, polls it on a schedule, runs confirmed
//! operations, and reports everything back as events. Drawing never waits on it.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::{Instant, sleep_until};

use crate::app::Event;
use crate::ops::Op;
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
) {
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
                        tracing::info!(op = %op.summary(), "operation started");
                        let result = source.apply(op.clone()).await;
                        match &result {
                            Ok(o) => tracing::info!(op = %op.summary(), outcome = %o.message, "operation done"),
                            Err(e) => tracing::warn!(op = %op.summary(), error = %e, "operation failed"),
                        }
                        let result = result.map(|o| (o.message, o.secret)).map_err(|e| e.to_string());
                        if events.send(Event::OpDone { op, result }).await.is_err() {
                            return;
                        }
                        break; // poll again at once to show the effect
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
