//! The per-minute store: filled once, then topped up from where the last read reached.

use super::*;

/// Where the store is filled to after a read whose newest datapoint was at `newest` (epoch
/// seconds), with the local clock in the point starting at `this_point`: just past the newest
/// point AWS returned, never past the local one, and unmoved when nothing came back. A local
/// clock ahead of AWS's must not mark points read that AWS has not published yet.
pub fn fill_mark(
    before: Option<i64>,
    newest: Option<i64>,
    this_point: i64,
    period: i64,
) -> Option<i64> {
    match newest {
        Some(t) => Some((t - t.rem_euclid(period) + period).min(this_point)),
        None => before,
    }
}

/// Values by series at one period, kept for the range.
#[derive(Debug, Default)]
pub struct Store {
    series: HashMap<SeriesKey, BTreeMap<i64, f64>>,
    /// The newest point the store has been filled up to (exclusive end of the last fetch).
    pub filled_to: Option<i64>,
    /// The specs the store was filled for; a change means a fresh fill.
    filled_for: Vec<SeriesKey>,
    /// The range it was filled for; a change means a fresh fill too (another period).
    range: Range,
}

impl Store {
    /// Whether `specs` or `range` differ from what the store holds (then everything is
    /// fetched afresh).
    pub fn needs_full_fill(&self, specs: &[Spec], range: Range) -> bool {
        self.filled_to.is_none()
            || self.range != range
            || self.filled_for.len() != specs.len()
            || self.filled_for.iter().zip(specs).any(|(k, s)| *k != s.key)
    }

    pub fn reset_for(&mut self, specs: &[Spec], range: Range) {
        if range.period_secs() != self.period() {
            self.series.clear();
        }
        self.series.retain(|k, _| specs.iter().any(|s| s.key == *k));
        self.filled_for = specs.iter().map(|s| s.key.clone()).collect();
        self.filled_to = None;
        self.range = range;
    }

    /// CloudWatch's period of what the store holds, in seconds.
    pub fn period(&self) -> i64 {
        self.range.period_secs()
    }

    pub fn range(&self) -> Range {
        self.range
    }

    pub fn put(&mut self, key: &SeriesKey, points: &[(i64, f64)]) {
        let period = self.period();
        let m = self.series.entry(key.clone()).or_default();
        for (t, v) in points {
            m.insert(t - t.rem_euclid(period), *v);
        }
    }

    /// Drop points older than the range before `end`.
    pub fn prune(&mut self, end: i64) {
        let oldest = end - (self.range.points() as i64 + 5) * self.period();
        for m in self.series.values_mut() {
            *m = m.split_off(&oldest);
        }
    }

    /// The newest point any API Gateway Count or WAF series has data for.
    pub fn newest_point(&self) -> Option<i64> {
        self.series
            .iter()
            .filter(|(k, _)| {
                matches!(
                    k,
                    SeriesKey::Stage {
                        metric: StageMetric::Count,
                        ..
                    } | SeriesKey::Waf { .. }
                )
            })
            .filter_map(|(_, m)| m.keys().next_back().copied())
            .max()
    }

    /// Datapoints held, over every series (what the range costs in memory).
    pub fn points_held(&self) -> usize {
        self.series.values().map(BTreeMap::len).sum()
    }

    /// The series of `key` over the range, its newest point starting at `end` (epoch
    /// seconds), as per-minute values: a count's sum over a point divided by its minutes.
    /// A point with no datapoint is zero for counts (WAF publishes only non-zero values, and a
    /// quiet stage none), and a gap (NaN) for an average such as Latency: a minute without
    /// requests has no latency, not a latency of 0 ms.
    pub fn series(&self, key: &SeriesKey, end: i64) -> Series {
        let average = matches!(
            key,
            SeriesKey::Stage {
                metric: StageMetric::Latency,
                ..
            }
        );
        let (period, n) = (self.period(), self.range.points() as i64);
        let per_minute = match average {
            true => 1.0,
            false => (period / 60) as f64,
        };
        let missing = if average { f64::NAN } else { 0.0 };
        let m = self.series.get(key);
        let values = (0..n)
            .map(|i| end - (n - 1 - i) * period)
            .map(|t| {
                m.and_then(|m| m.get(&t))
                    .map_or(missing, |v| v / per_minute)
            })
            .collect();
        Series::every(
            DateTime::from_timestamp(end, 0).unwrap_or_default(),
            values,
            self.range.period_minutes() as u32,
        )
    }
}
