//! Pacing for APIs with an account-wide request budget. API Gateway's management API is
//! throttled per account and region as a token bucket: a steady rate with a burst on top
//! (10 requests per second with a burst of 40, shared with every other tool). edgetop takes
//! part of that: by default half the rate and half the burst, both configurable.
//!
//! The bucket is kept as the Generic Cell Rate Algorithm does it, as one instant (when the
//! bucket would be full again), which clones share: polling and a running operation draw from
//! the same allowance. Hand-written rather than the `governor` crate because it is this short,
//! reports each wait (the screen shows it), and runs on tokio's clock, which the tests pause.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::{Instant, sleep_until};

/// A token bucket: `burst` calls at once, then `rate` per second.
#[derive(Clone, Debug)]
pub struct Pacer {
    /// Time one token takes to come back.
    interval: Duration,
    /// How far ahead of now the bucket may be spent: `burst - 1` intervals.
    tolerance: Duration,
    /// The theoretical arrival time: when the bucket is full again.
    full_at: Arc<Mutex<Option<Instant>>>,
}

impl Pacer {
    /// `rate` calls per second with bursts of `burst` (at least 1).
    pub fn new(rate: f64, burst: u32) -> Pacer {
        let rate = if rate.is_finite() && rate > 0.0 {
            rate
        } else {
            1.0
        };
        let interval = Duration::from_secs_f64(1.0 / rate);
        Pacer {
            interval,
            tolerance: interval * burst.max(1).saturating_sub(1),
            full_at: Arc::new(Mutex::new(None)),
        }
    }

    /// Wait for a token; returns how long it waited.
    pub async fn wait(&self) -> Duration {
        let now = Instant::now();
        let at = {
            let mut full_at = self.full_at.lock().unwrap_or_else(|p| p.into_inner());
            let tat = full_at.map_or(now, |t| t.max(now));
            // This call may go once the bucket, emptied up to the tolerance, has a token.
            let at = tat.checked_sub(self.tolerance).map_or(now, |a| a.max(now));
            *full_at = Some(tat + self.interval);
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

    /// The moment each of `n` calls went, after the first.
    async fn offsets(p: &Pacer, n: usize) -> Vec<Duration> {
        let start = Instant::now();
        let mut out = Vec::new();
        for _ in 0..n {
            p.wait().await;
            out.push(Instant::now() - start);
        }
        out
    }

    #[tokio::test(start_paused = true)]
    async fn a_burst_goes_at_once_then_the_rate_holds() {
        let p = Pacer::new(10.0, 4);
        let at = offsets(&p, 7).await;
        let ms: Vec<u128> = at.iter().map(Duration::as_millis).collect();
        // Four at once, then one every 100 ms.
        assert_eq!(ms, [0, 0, 0, 0, 100, 200, 300]);
    }

    #[tokio::test(start_paused = true)]
    async fn an_idle_bucket_fills_up_again_but_not_beyond_its_burst() {
        let p = Pacer::new(10.0, 3);
        offsets(&p, 3).await;
        tokio::time::sleep(Duration::from_secs(10)).await;
        let ms: Vec<u128> = offsets(&p, 5)
            .await
            .iter()
            .map(Duration::as_millis)
            .collect();
        assert_eq!(ms, [0, 0, 0, 100, 200]);
    }

    #[tokio::test(start_paused = true)]
    async fn clones_share_one_bucket() {
        let a = Pacer::new(5.0, 1);
        let b = a.clone();
        a.wait().await;
        let start = Instant::now();
        b.wait().await;
        assert_eq!((Instant::now() - start).as_millis(), 200);
    }
}
