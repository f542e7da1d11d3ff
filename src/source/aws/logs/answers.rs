//! What Logs Insights answers: a complete query's window and rows, and whether a refusal was
//! throttling (asked again later) or an end.

use chrono::{DateTime, Utc};

use crate::model::logs::Window;
use crate::source::log_queries::Row;

/// A complete query's window, what it scanned, and its rows (each a list of field and value).
pub(super) fn answer_of(
    out: &aws_sdk_cloudwatchlogs::operation::get_query_results::GetQueryResultsOutput,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
) -> (Window, Vec<Row>) {
    let stats = out.statistics();
    let window = Window {
        from,
        to,
        records_scanned: stats.map_or(0.0, |s| s.records_scanned()).max(0.0) as u64,
        bytes_scanned: stats.map_or(0.0, |s| s.bytes_scanned()).max(0.0) as u64,
    };
    let rows = out
        .results()
        .iter()
        .map(|fields| {
            fields
                .iter()
                .map(|f| {
                    (
                        f.field().unwrap_or_default().to_string(),
                        f.value().unwrap_or_default().to_string(),
                    )
                })
                .collect()
        })
        .collect();
    (window, rows)
}

/// A throttle, of any service: AWS's own codes for "too many requests".
pub(super) fn is_throttle<E: aws_sdk_cloudwatchlogs::error::ProvideErrorMetadata, R>(
    e: &aws_sdk_cloudwatchlogs::error::SdkError<E, R>,
) -> bool {
    e.as_service_error()
        .and_then(|s| s.code())
        .is_some_and(|c| {
            matches!(
                c,
                "ThrottlingException" | "Throttling" | "TooManyRequestsException"
            )
        })
}
