//! Pacing for APIs with an account-wide request budget (the API Gateway management API allows
//! about 10 requests per second for the whole account, shared with every other tool).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::{Instant, sleep_until};

/// Spaces calls at least `1 / rate` apart. Clones share one budget: polling and a running
/// operation draw from the same account-wide allowance.
#[derive(Clone, Debug)]
pub struct Pacer {
    interval: Duration,
    next: Arc<Mutex<Option<Instant>>>,
}

impl Pacer {
    pub fn per_second(rate: f64) -> Pacer {
        let rate = if rate.is_finite() && rate > 0.0 {
            rate
        } else {
            1.0
        };
        Pacer {
            interval: Duration::from_secs_f64(1.0 / rate),
            next: Arc::new(Mutex::new(None)),
        }
    }

    /// Wait for this call's turn; returns how long it waited.
    pub async fn wait(&self) -> Duration {
        let now = Instant::now();
        let at = {
            let mut next = self.next.lock().unwrap_or_else(|p| p.into_inner());
            let at = next.map_or(now, |n| n.max(now));
            *next = Some(at + self.interval);
            at
        };
        if at > now {
            sleep_until(at).await;
        }
        at - now
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn calls_are_spaced_by_the_budget() {
        let p = Pacer::per_second(50.0);
        let start = Instant::now();
        for _ in 0..5 {
            p.wait().await;
        }
        // The first call goes at once, the next four 20 ms apart: never sooner (a lower bound,
        // which a busy machine cannot break).
        assert!(start.elapsed() >= Duration::from_millis(80));
    }
}
