//! Reading metrics: the queries, GetMetricData in batches of [`MAX_QUERIES`] with paging, and
//! the answers by query.

use super::*;

pub(super) fn aws_time(t: DateTime<Utc>) -> AwsTime {
    AwsTime::from_secs(t.timestamp())
}

/// One metric query: `id` names it in the answer; `account` is the source account it reads
/// when asked in a monitoring account (CloudWatch cross-account observability).
pub fn query(id: String, s: &Spec, account: Option<&str>, period: i32) -> MetricDataQuery {
    let metric = Metric::builder()
        .namespace(s.namespace)
        .metric_name(s.name)
        .set_dimensions(Some(
            s.dims
                .iter()
                .map(|(k, v)| Dimension::builder().name(k).value(v).build())
                .collect(),
        ))
        .build();
    MetricDataQuery::builder()
        .id(id)
        .metric_stat(
            MetricStat::builder()
                .metric(metric)
                .period(period)
                .stat(s.stat)
                .build(),
        )
        .return_data(true)
        .set_account_id(account.map(str::to_string))
        .build()
}

/// What GetMetricData answered: datapoints (epoch seconds → value) by query id, and the
/// messages of the series that came back with errors, by query id.
#[derive(Debug, Default)]
pub struct Answers {
    pub points: HashMap<String, Vec<(i64, f64)>>,
    pub failed: Vec<(String, String)>,
}

/// What a read covers: `[from, to)`, both on the period's boundaries, at `period` seconds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Window {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub period: i32,
}

/// Ask `queries` (all of one endpoint) over `[from, to)`, in calls of at most
/// [`MAX_QUERIES`] with paging. Answers are matched by the ids asked for: an id the server
/// made up is ignored.
pub async fn fetch_queries(
    c: &Client,
    queries: &[MetricDataQuery],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    calls: &mut Calls,
) -> Result<Answers, Failure> {
    let mut out = Answers::default();
    for chunk in queries.chunks(MAX_QUERIES) {
        let asked: HashSet<&str> = chunk.iter().filter_map(|q| q.id()).collect();
        let mut token: Option<String> = None;
        for _ in 0..100 {
            calls.add("cloudwatch:GetMetricData");
            let page = c
                .get_metric_data()
                .set_metric_data_queries(Some(chunk.to_vec()))
                .start_time(aws_time(from))
                .end_time(aws_time(to))
                .scan_by(ScanBy::TimestampAscending)
                .set_next_token(token.clone())
                .send()
                .await
                .map_err(|e| failure("cloudwatch:GetMetricData", &e))?;
            for r in page.metric_data_results() {
                let Some(id) = r.id().filter(|id| asked.contains(id)) else {
                    continue;
                };
                if matches!(
                    r.status_code(),
                    Some(StatusCode::InternalError) | Some(StatusCode::Forbidden)
                ) {
                    out.failed.push((
                        id.to_string(),
                        r.messages()
                            .iter()
                            .filter_map(|m| m.value())
                            .collect::<Vec<_>>()
                            .join("; "),
                    ));
                }
                let entry = out.points.entry(id.to_string()).or_default();
                for (t, v) in r.timestamps().iter().zip(r.values()) {
                    entry.push((t.secs(), *v));
                }
            }
            token = page.next_token().map(str::to_string);
            if token.is_none() {
                break;
            }
        }
    }
    Ok(out)
}

/// The queries of `specs`, each named by its index (`m<i>`), reading `account` when given.
pub fn queries_of(
    specs: &[(usize, &Spec)],
    account: Option<&str>,
    period: i32,
) -> Vec<MetricDataQuery> {
    specs
        .iter()
        .map(|(i, s)| query(format!("m{i}"), s, account, period))
        .collect()
}

/// Datapoints by spec index (minute epoch seconds → value), and the messages of the series
/// that failed.
pub type Read = (HashMap<usize, Vec<(i64, f64)>>, Vec<String>);

/// Two reads of different series as one; a failure of either is the read's.
pub fn joined(a: Result<Read, Failure>, b: Result<Read, Failure>) -> Result<Read, Failure> {
    let (mut a, b) = (a?, b?);
    a.0.extend(b.0);
    a.1.extend(b.1);
    Ok(a)
}

/// Datapoints by spec index and the failed series' messages, from answers to [`queries_of`].
pub fn by_index(answers: Answers) -> Read {
    let index = |id: &str| id.strip_prefix('m').and_then(|n| n.parse::<usize>().ok());
    let points = answers
        .points
        .into_iter()
        .filter_map(|(id, p)| Some((index(&id)?, p)))
        .collect();
    (points, answers.failed.into_iter().map(|(_, m)| m).collect())
}

/// Ask for `specs` (all in one region) over the window; returns the datapoints per spec
/// index (epoch seconds → value) and the series that failed.
pub async fn fetch(
    c: &Client,
    specs: &[(usize, &Spec)],
    w: Window,
    calls: &mut Calls,
) -> Result<Read, Failure> {
    fetch_queries(c, &queries_of(specs, None, w.period), w.from, w.to, calls)
        .await
        .map(by_index)
}
