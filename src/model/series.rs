//! A per-minute time series, as CloudWatch returns it for a 60 s period.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Values at one-minute steps ending at `end` (the start of the newest minute).
/// Missing minutes of counts are zero (WAF only emits non-zero datapoints); a missing minute
/// of an average is NaN, a gap (serialised as null).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Series {
    pub end: DateTime<Utc>,
    #[serde(deserialize_with = "gaps_as_nan")]
    pub values: Vec<f64>,
}

/// serde_json writes a gap (NaN) as null: read null back as a gap.
fn gaps_as_nan<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<f64>, D::Error> {
    let v: Vec<Option<f64>> = Deserialize::deserialize(d)?;
    Ok(v.into_iter().map(|x| x.unwrap_or(f64::NAN)).collect())
}

impl Series {
    pub fn new(end: DateTime<Utc>, values: Vec<f64>) -> Self {
        Series { end, values }
    }

    pub fn last(&self) -> f64 {
        self.values.last().copied().unwrap_or(0.0)
    }

    /// The newest value, None for a gap (a minute with no data of an average, such as the
    /// latency of a minute without requests).
    pub fn latest(&self) -> Option<f64> {
        self.values.last().copied().filter(|v| !v.is_nan())
    }

    pub fn sum(&self) -> f64 {
        self.values.iter().sum()
    }

    pub fn max(&self) -> f64 {
        self.values.iter().copied().fold(0.0, f64::max)
    }

    /// Element-wise sum; series are assumed to share their end and length.
    pub fn add(&mut self, other: &Series) {
        if self.values.is_empty() {
            *self = other.clone();
            return;
        }
        for (a, b) in self.values.iter_mut().rev().zip(other.values.iter().rev()) {
            *a += b;
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

    /// (x, y) points for a chart, x in minutes relative to the newest (…, -2, -1, 0).
    pub fn points(&self) -> Vec<(f64, f64)> {
        let n = self.values.len() as f64;
        self.values
            .iter()
            .enumerate()
            .map(|(i, v)| (i as f64 - (n - 1.0), *v))
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
}
