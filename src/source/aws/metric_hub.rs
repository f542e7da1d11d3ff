//! Metrics read through a monitoring account (CloudWatch cross-account observability).
//!
//! A [`Hub`] holds one monitoring account's CloudWatch client in one region. Every place whose
//! metrics it can read (its own account, and the source accounts linked to its sinks) holds a
//! [`Route`] to it. The places poll concurrently; the hub gathers what they ask for, waiting
//! until each route has asked or [`GATHER`] has passed since the first ask, and reads it all in
//! one GetMetricData (each query naming its source account in `AccountId`), split in calls of
//! 500 queries as any read is. Each place gets back only its own series.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use aws_sdk_cloudwatch::Client;
use chrono::Utc;
use tokio::sync::{mpsc, oneshot};

use super::Calls;
use super::cloudwatch::{self, Answers, Listed, Spec, Window};
use super::connect::Failure;
use crate::model::Text;

/// How long the hub waits, after a first ask, for the other routes' asks.
pub const GATHER: Duration = Duration::from_secs(2);

/// A place's answers, and the calls made for them (a failed read made calls too).
type Reply = (Result<Answers, Failure>, Calls);

/// One place's series: ids as it named them, what they are, and whose they are.
struct Ask {
    asked: Vec<(String, Spec)>,
    account: Option<String>,
    window: Window,
    reply: oneshot::Sender<Reply>,
}

/// A monitoring account's metric reader in one region.
#[derive(Clone, Debug)]
pub struct Hub {
    client: Client,
    asks: mpsc::UnboundedSender<Ask>,
    routes: Arc<AtomicUsize>,
    /// The monitoring place's label.
    monitor: Text,
}

impl std::fmt::Debug for Ask {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ask")
            .field("series", &self.asked.len())
            .field("account", &self.account)
            .finish()
    }
}

impl Hub {
    /// Start the hub's reader (a task on the current runtime, ending with the last route).
    pub fn start(client: Client, monitor: Text) -> Hub {
        let (asks, rx) = mpsc::unbounded_channel();
        let routes = Arc::new(AtomicUsize::new(0));
        let reader = client.clone();
        tokio::spawn(gather(rx, routes.clone(), move |batch| {
            let c = reader.clone();
            async move { read(&c, batch).await }
        }));
        Hub {
            client,
            asks,
            routes,
            monitor,
        }
    }

    /// A route for one place: `account` is a linked source account's id, or None for the
    /// monitoring account's own place.
    pub fn route(&self, account: Option<String>) -> Route {
        self.routes.fetch_add(1, Ordering::Relaxed);
        Route {
            hub: self.clone(),
            account,
            namespaces: None,
        }
    }

    /// The monitoring account's CloudWatch client (to learn what a link shares).
    pub fn client(&self) -> &Client {
        &self.client
    }
}

/// Where one place reads its metrics in one region: through a hub.
#[derive(Clone, Debug)]
pub struct Route {
    hub: Hub,
    account: Option<String>,
    /// The namespaces read this way (None: every one). A link may share only some
    /// (`LinkConfiguration.MetricConfiguration.Filter`), and ListAttachedLinks does not say
    /// which: the others are read with the place's own credentials.
    namespaces: Option<Vec<&'static str>>,
}

impl Route {
    /// The same route, for `namespaces` only.
    pub fn only(mut self, namespaces: Vec<&'static str>) -> Route {
        self.namespaces = Some(namespaces);
        self
    }

    /// Whether metrics of `namespace` are read this way.
    pub fn serves(&self, namespace: &str) -> bool {
        self.namespaces
            .as_ref()
            .is_none_or(|n| n.contains(&namespace))
    }

    /// The monitoring place the metrics are read through.
    pub fn monitor(&self) -> &Text {
        &self.hub.monitor
    }

    /// As [`cloudwatch::fetch`], gathered with the other places' series into one read.
    pub async fn fetch(
        &self,
        specs: &[(usize, &Spec)],
        window: Window,
        calls: &mut Calls,
    ) -> Result<cloudwatch::Read, Failure> {
        let (reply, answer) = oneshot::channel();
        let ask = Ask {
            asked: specs
                .iter()
                .map(|(i, s)| (format!("m{i}"), (*s).clone()))
                .collect(),
            account: self.account.clone(),
            window,
            reply,
        };
        let stopped = || Failure::Other {
            action: "cloudwatch:GetMetricData",
            detail: "the monitoring account's reader has stopped".into(),
        };
        self.hub.asks.send(ask).map_err(|_| stopped())?;
        let (answers, made) = answer.await.map_err(|_| stopped())?;
        calls.merge(&made);
        answers.map(cloudwatch::by_index)
    }

    /// The AWS/WAFV2 metrics of this route's account, listed by the monitoring account.
    pub async fn waf_metrics(&self, calls: &mut Calls) -> Result<Vec<Listed>, Failure> {
        cloudwatch::waf_metrics(&self.hub.client, self.account.as_deref(), calls).await
    }
}

/// Gather asks into reads: after a first ask, until every route has asked or [`GATHER`] has
/// passed; then `read` them all.
async fn gather<F, R>(mut rx: mpsc::UnboundedReceiver<Ask>, routes: Arc<AtomicUsize>, read: R)
where
    R: Fn(Vec<Ask>) -> F,
    F: std::future::Future<Output = ()>,
{
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        let deadline = tokio::time::sleep(GATHER);
        tokio::pin!(deadline);
        while batch.len() < routes.load(Ordering::Relaxed) {
            tokio::select! {
                _ = &mut deadline => break,
                ask = rx.recv() => match ask {
                    Some(a) => batch.push(a),
                    None => break,
                },
            }
        }
        read(batch).await;
    }
}

/// The id of place `n`'s query `id` in a gathered read.
fn gathered_id(n: usize, id: &str) -> String {
    format!("p{n}_{id}")
}

/// Answers of a gathered read, split back by place, each under its own ids.
fn split(answers: Answers, places: usize) -> Vec<Answers> {
    let mut out: Vec<Answers> = (0..places).map(|_| Answers::default()).collect();
    let place_of = |id: &str| -> Option<(usize, String)> {
        let (n, own) = id.strip_prefix('p')?.split_once('_')?;
        let n: usize = n.parse().ok()?;
        (n < places).then(|| (n, own.to_string()))
    };
    for (id, p) in answers.points {
        if let Some((n, own)) = place_of(&id) {
            out[n].points.insert(own, p);
        }
    }
    for (id, message) in answers.failed {
        if let Some((n, own)) = place_of(&id) {
            out[n].failed.push((own, message));
        }
    }
    out
}

/// Read a batch: one read per period asked (the range is the dashboard's, so one, but a place
/// may still be reading the old range while another has the new one).
async fn read(client: &Client, mut batch: Vec<Ask>) {
    while !batch.is_empty() {
        let period = batch[0].window.period;
        let (same, rest): (Vec<Ask>, Vec<Ask>) =
            batch.into_iter().partition(|a| a.window.period == period);
        read_one_period(client, same, period).await;
        batch = rest;
    }
}

async fn read_one_period(client: &Client, batch: Vec<Ask>, period: i32) {
    // One window for all: the widest asked. A place that asked for fewer points gets a few
    // more, which its store holds as any read's.
    let from = batch
        .iter()
        .map(|a| a.window.from)
        .min()
        .unwrap_or_else(Utc::now);
    let to = batch
        .iter()
        .map(|a| a.window.to)
        .max()
        .unwrap_or_else(Utc::now);
    let queries: Vec<_> = batch
        .iter()
        .enumerate()
        .flat_map(|(n, ask)| {
            ask.asked.iter().map(move |(id, spec)| {
                cloudwatch::query(gathered_id(n, id), spec, ask.account.as_deref(), period)
            })
        })
        .collect();
    let mut made = Calls::default();
    let result = cloudwatch::fetch_queries(client, &queries, from, to, &mut made).await;
    tracing::debug!(
        places = batch.len(),
        series = queries.len(),
        calls = made.total(),
        "metrics read through the monitoring account"
    );
    let places = batch.len();
    let answers: Vec<Result<Answers, Failure>> = match result {
        Ok(answers) => split(answers, places).into_iter().map(Ok).collect(),
        Err(f) => (0..places).map(|_| Err(f.clone())).collect(),
    };
    for (n, (ask, answer)) in batch.into_iter().zip(answers).enumerate() {
        // The calls are counted once, by the first place of the read.
        let calls = match n {
            0 => std::mem::take(&mut made),
            _ => Calls::default(),
        };
        let _ = ask.reply.send((answer, calls));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A hub whose reads answer nothing and record how many places each gathered.
    fn recording_hub(
        routes: usize,
    ) -> (mpsc::UnboundedSender<Ask>, mpsc::UnboundedReceiver<usize>) {
        let (asks, rx) = mpsc::unbounded_channel();
        let (seen_tx, seen) = mpsc::unbounded_channel();
        tokio::spawn(gather(
            rx,
            Arc::new(AtomicUsize::new(routes)),
            move |batch: Vec<Ask>| {
                let seen_tx = seen_tx.clone();
                async move {
                    let _ = seen_tx.send(batch.len());
                    for ask in batch {
                        let _ = ask.reply.send((Ok(Answers::default()), Calls::default()));
                    }
                }
            },
        ));
        (asks, seen)
    }

    fn ask(asks: &mpsc::UnboundedSender<Ask>) -> oneshot::Receiver<Reply> {
        let (reply, answer) = oneshot::channel();
        let now = Utc::now();
        asks.send(Ask {
            asked: Vec::new(),
            account: None,
            window: Window {
                from: now,
                to: now,
                period: 60,
            },
            reply,
        })
        .unwrap();
        answer
    }

    #[tokio::test(start_paused = true)]
    async fn the_places_asking_within_the_wait_are_read_together_and_a_late_one_on_its_own() {
        let (asks, mut seen) = recording_hub(3);
        let a = ask(&asks);
        tokio::time::sleep(GATHER / 2).await;
        let b = ask(&asks);
        let c = ask(&asks);
        // Every route asked: read at once, without waiting out the rest.
        assert_eq!(seen.recv().await, Some(3));
        for answer in [a, b, c] {
            assert!(answer.await.unwrap().0.is_ok());
        }
        // One place late: the others are read when the wait is over, the late one alone.
        let started = tokio::time::Instant::now();
        let a = ask(&asks);
        let b = ask(&asks);
        assert_eq!(seen.recv().await, Some(2));
        assert_eq!(started.elapsed(), GATHER);
        assert!(a.await.unwrap().0.is_ok() && b.await.unwrap().0.is_ok());
        let late = ask(&asks);
        assert_eq!(seen.recv().await, Some(1));
        assert!(late.await.unwrap().0.is_ok());
    }

    #[test]
    fn a_gathered_answer_goes_back_to_each_place_under_its_own_ids() {
        let mut answers = Answers::default();
        answers.points.insert(gathered_id(0, "m3"), vec![(60, 1.0)]);
        answers.points.insert(gathered_id(1, "m3"), vec![(60, 7.0)]);
        answers.points.insert(gathered_id(1, "m0"), vec![]);
        // Ids nobody asked for are dropped, not given to a place.
        answers.points.insert("p9_m0".into(), vec![(60, 9.0)]);
        answers.points.insert("m0".into(), vec![(60, 9.0)]);
        answers.points.insert("px_m0".into(), vec![(60, 9.0)]);
        answers
            .failed
            .push((gathered_id(1, "m0"), "Forbidden".into()));
        let split = split(answers, 2);
        assert_eq!(split[0].points.len(), 1);
        assert_eq!(split[0].points["m3"], vec![(60, 1.0)]);
        assert_eq!(split[1].points["m3"], vec![(60, 7.0)]);
        assert!(split[1].points["m0"].is_empty());
        assert!(split[0].failed.is_empty());
        assert_eq!(split[1].failed, vec![("m0".into(), "Forbidden".into())]);
    }
}
