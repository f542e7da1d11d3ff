//! Pacing for APIs with an account-wide request budget (the API Gateway management API allows
//! about 10 requests per second for the whole account, shared with every other tool).

use std::time::Duration;

use tokio::time::{Instant, sleep_until};

/// Spaces calls at least `1 / rate` apart.
#[derive(Debug)]
pub struct Pacer {
    interval: Duration,
    next: Option<Instant>,
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
            next: None,
        }
    }

    /// Wait for this call's turn.
    pub async fn wait(&mut self) {
        let now = Instant::now();
        let at = self.next.map_or(now, |n| n.max(now));
        self.next = Some(at + self.interval);
        if at > now {
            sleep_until(at).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn calls_are_spaced_by_the_budget() {
        let mut p = Pacer::per_second(50.0);
        let start = Instant::now();
        for _ in 0..5 {
            p.wait().await;
        }
        // The first call goes at once, the next four 20 ms apart: never sooner (a lower bound,
        // which a busy machine cannot break).
        assert!(start.elapsed() >= Duration::from_millis(80));
    }
}
