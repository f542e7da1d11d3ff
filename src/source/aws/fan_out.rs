//! Many calls of one kind (one per usage plan, one per WAF rule) a few at a time, each still
//! waiting for its service's budget: one slow answer no longer holds up the rest.

use super::Calls;
use super::connect::Failure;

/// Calls in flight at once. The pacer still decides when each starts.
const IN_FLIGHT: usize = 4;

/// `call` for each item, up to [`IN_FLIGHT`] at once, results in the items' order; each
/// counts its own calls, added to `calls` after.
pub async fn fan_out<'a, I, T, F, Fut>(
    items: &'a [I],
    calls: &mut Calls,
    call: F,
) -> Vec<Result<T, Failure>>
where
    F: Fn(&'a I) -> Fut,
    Fut: std::future::Future<Output = (Result<T, Failure>, Calls)>,
{
    use futures::StreamExt;
    // The futures made first (they start only when polled), so the stream holds no closure.
    let each: Vec<Fut> = items.iter().map(call).collect();
    let done: Vec<(Result<T, Failure>, Calls)> = futures::stream::iter(each)
        .buffered(IN_FLIGHT)
        .collect()
        .await;
    done.into_iter()
        .map(|(r, mine)| {
            calls.merge(&mine);
            r
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn calls_overlap_keep_their_order_and_are_all_counted() {
        let plans: Vec<u64> = vec![300, 100, 200, 50, 10, 20];
        let mut calls = Calls::default();
        let start = tokio::time::Instant::now();
        let got = fan_out(&plans, &mut calls, |ms| async move {
            tokio::time::sleep(std::time::Duration::from_millis(*ms)).await;
            let mut mine = Calls::default();
            mine.add("apigateway:GetUsage");
            (Ok::<u64, Failure>(*ms), mine)
        })
        .await;
        let got: Vec<u64> = got.into_iter().map(|r| r.unwrap()).collect();
        assert_eq!(got, plans, "in the items' order");
        assert_eq!(calls.total(), 6);
        // Four at once: the slowest (300 ms) bounds the first four; one at a time would be 680.
        assert_eq!(start.elapsed().as_millis(), 320);
    }
}
