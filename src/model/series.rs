//! A time series of per-minute values, at CloudWatch's period (one minute, five, or an hour).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Values at steps of `period_min` minutes ending at `end` (the start of the newest point).
/// Missing minutes of counts are zero (WAF only emits non-zero datapoints); a missing minute
/// of an average is NaN, a gap (serialised as null).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Series {
    pub end: DateTime<Utc>,
    /// Per-minute values: a count series holds the requests per minute of each point (a point
    /// of five minutes holds a fifth of its sum), an average series its average.
    #[serde(deserialize_with = "gaps_as_nan")]
    pub values: Vec<f64>,
    /// Minutes per point (CloudWatch's period): 1, 5 or 60, as the range asks.
    #[serde(default = "one_minute", skip_serializing_if = "is_one_minute")]
    pub period_min: u32,
    /// The same window a day or a week before (`:compare`), point for point.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub then: Option<Box<Series>>,
}

fn one_minute() -> u32 {
    1
}

fn is_one_minute(p: &u32) -> bool {
    *p == 1
}

impl Default for Series {
    fn default() -> Series {
        Series {
            end: DateTime::default(),
            values: Vec::new(),
            period_min: 1,
            then: None,
        }
    }
}

/// serde_json writes a gap (NaN) as null: read null back as a gap.
fn gaps_as_nan<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<f64>, D::Error> {
    let v: Vec<Option<f64>> = Deserialize::deserialize(d)?;
    Ok(v.into_iter().map(|x| x.unwrap_or(f64::NAN)).collect())
}

impl Series {
    /// One-minute points.
    pub fn new(end: DateTime<Utc>, values: Vec<f64>) -> Self {
        Series::every(end, values, 1)
    }

    /// Points of `period_min` minutes each.
    pub fn every(end: DateTime<Utc>, values: Vec<f64>, period_min: u32) -> Self {
        Series {
            end,
            values,
            period_min: period_min.max(1),
            then: None,
        }
    }

    pub fn last(&self) -> f64 {
        self.values.last().copied().unwrap_or(0.0)
    }

    /// The newest value, None for a gap (a minute with no data of an average, such as the
    /// latency of a minute without requests).
    pub fn latest(&self) -> Option<f64> {
        self.values.last().copied().filter(|v| !v.is_nan())
    }

    /// With its value then (`:compare`).
    pub fn with_then(mut self, then: Option<Series>) -> Series {
        self.then = then.map(Box::new);
        self
    }

    /// The newest value then, and how many times it the newest is now (None without a
    /// comparison, or when then was nothing).
    pub fn against_then(&self) -> Option<(f64, Option<f64>)> {
        let then = self.then.as_ref()?.latest().unwrap_or(0.0);
        let now = self.latest().unwrap_or(0.0);
        Some((then, (then > 0.0).then(|| now / then)))
    }

    /// The sum of the per-minute values (for shares and comparisons; see [`Series::in_window`]).
    pub fn sum(&self) -> f64 {
        self.values.iter().sum()
    }

    /// The sum of the newest `n` per-minute values, gaps as nothing (what a sparkline of
    /// them shows, as one figure to sort by).
    pub fn recent_sum(&self, n: usize) -> f64 {
        let from = self.values.len().saturating_sub(n);
        self.values[from..].iter().filter(|v| !v.is_nan()).sum()
    }

    /// What a count series adds up to over its whole window: each point's per-minute value
    /// times its minutes. Gaps count nothing.
    pub fn in_window(&self) -> f64 {
        self.values.iter().filter(|v| !v.is_nan()).sum::<f64>() * self.period_min as f64
    }

    /// Minutes the series covers.
    pub fn minutes(&self) -> u32 {
        self.values.len() as u32 * self.period_min
    }

    pub fn max(&self) -> f64 {
        self.values.iter().copied().fold(0.0, f64::max)
    }

    /// Point by point sum, on this series' points. Series of one period and end add index by
    /// index from the newest; others (a place still on the range before, or a minute behind)
    /// add the per-minute value of the point that holds each of this series' points.
    pub fn add(&mut self, other: &Series) {
        // Nothing to add (a stage never read): it changes neither the sum nor its comparison.
        if other.values.is_empty() {
            return;
        }
        if self.values.is_empty() {
            *self = other.clone();
            return;
        }
        // What each was then adds up the same way; a sum is compared only when every part is.
        self.then = match (self.then.take(), &other.then) {
            (Some(mut a), Some(b)) => {
                a.add(b);
                Some(a)
            }
            _ => None,
        };
        if self.period_min == other.period_min && self.end == other.end {
            for (a, b) in self.values.iter_mut().rev().zip(other.values.iter().rev()) {
                *a += b;
            }
            return;
        }
        let n = self.values.len() as i64;
        let step = chrono::Duration::minutes(self.period_min as i64);
        for (i, a) in self.values.iter_mut().enumerate() {
            let t = self.end - step * (n - 1 - i as i64) as i32;
            if let Some(b) = other.value_at(t) {
                *a += b;
            }
        }
    }

    /// The value of the point that holds time `t`, if the series covers it.
    pub fn value_at(&self, t: DateTime<Utc>) -> Option<f64> {
        let p = self.period_min as i64 * 60;
        let back = (self.end.timestamp() + p - 1 - t.timestamp()).div_euclid(p);
        let i = self.values.len() as i64 - 1 - back;
        let ahead = t.timestamp() >= self.end.timestamp() + p;
        match (0..self.values.len() as i64).contains(&i) && !ahead {
            true => Some(self.values[i as usize]),
            false => None,
        }
    }

    /// Sum of many series.
    pub fn total<'a>(all: impl IntoIterator<Item = &'a Series>) -> Series {
        let mut out = Series::default();
        for s in all {
            out.add(s);
        }
        out
    }

    /// (x, y) points for a chart, x in minutes relative to the newest (…, -2, -1, 0 for
    /// one-minute points; …, -10, -5, 0 for five-minute ones).
    pub fn points(&self) -> Vec<(f64, f64)> {
        let n = self.values.len() as f64;
        let p = self.period_min as f64;
        self.values
            .iter()
            .enumerate()
            .map(|(i, v)| ((i as f64 - (n - 1.0)) * p, *v))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn sums_align_on_the_newest_minute() {
        let end = Utc.with_ymd_and_hms(2026, 1, 1, 0, 10, 0).unwrap();
        let mut a = Series::new(end, vec![1.0, 2.0, 3.0]);
        a.add(&Series::new(end, vec![10.0, 20.0]));
        assert_eq!(a.values, vec![1.0, 12.0, 23.0]);
        assert_eq!(a.max(), 23.0);
        assert_eq!(a.points()[2], (0.0, 23.0));
    }

    #[test]
    fn series_of_other_periods_add_by_time() {
        let end = Utc.with_ymd_and_hms(2026, 1, 1, 1, 0, 0).unwrap();
        // Five-minute points ending 01:00 (00:50, 00:55, 01:00) and one-minute ones ending a
        // minute later.
        let mut a = Series::every(end, vec![1.0, 2.0, 3.0], 5);
        let b = Series::new(end + chrono::Duration::minutes(1), vec![10.0; 12]);
        assert_eq!(b.value_at(end), Some(10.0));
        assert_eq!(b.value_at(end - chrono::Duration::minutes(11)), None);
        assert_eq!(a.value_at(end + chrono::Duration::minutes(4)), Some(3.0));
        assert_eq!(a.value_at(end + chrono::Duration::minutes(5)), None);
        assert_eq!(a.value_at(end - chrono::Duration::minutes(6)), Some(1.0));
        assert_eq!(a.value_at(end - chrono::Duration::minutes(5)), Some(2.0));
        a.add(&b);
        assert_eq!(a.values, vec![11.0, 12.0, 13.0]);
        assert_eq!(a.period_min, 5);
    }
}
