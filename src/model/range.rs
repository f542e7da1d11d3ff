//! The time range every chart and every "last N" figure covers, and the CloudWatch period that
//! goes with it: one-minute points up to three hours, five-minute points up to a day, hourly
//! beyond, so that the points drawn fit a terminal's width. CloudWatch keeps one-minute data for
//! 15 days, five-minute data for 63 days and hourly data for 455 days (CloudWatch concepts,
//! "Metrics retention"), so every range here exists at its period.

use serde::{Deserialize, Serialize};

#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
pub enum Range {
    #[serde(rename = "15m")]
    M15,
    #[default]
    #[serde(rename = "1h")]
    H1,
    #[serde(rename = "3h")]
    H3,
    #[serde(rename = "12h")]
    H12,
    #[serde(rename = "24h")]
    H24,
    #[serde(rename = "3d")]
    D3,
    #[serde(rename = "7d")]
    D7,
}

impl Range {
    pub const ALL: [Range; 7] = [
        Range::M15,
        Range::H1,
        Range::H3,
        Range::H12,
        Range::H24,
        Range::D3,
        Range::D7,
    ];

    /// How `:range` and the header name it.
    pub fn label(self) -> &'static str {
        match self {
            Range::M15 => "15m",
            Range::H1 => "1h",
            Range::H3 => "3h",
            Range::H12 => "12h",
            Range::H24 => "24h",
            Range::D3 => "3d",
            Range::D7 => "7d",
        }
    }

    pub fn parse(s: &str) -> Option<Range> {
        Range::ALL.into_iter().find(|r| r.label() == s)
    }

    /// Every range's name, for errors and hints ("15m, 1h, …, 7d" with `sep` ", ").
    pub fn names(sep: &str) -> String {
        Range::ALL.map(|r| r.label()).join(sep)
    }

    /// Minutes it covers.
    pub fn minutes(self) -> i64 {
        match self {
            Range::M15 => 15,
            Range::H1 => 60,
            Range::H3 => 180,
            Range::H12 => 720,
            Range::H24 => 1440,
            Range::D3 => 3 * 1440,
            Range::D7 => 7 * 1440,
        }
    }

    /// Minutes per point: CloudWatch's period, in minutes.
    pub fn period_minutes(self) -> i64 {
        match self {
            Range::M15 | Range::H1 | Range::H3 => 1,
            Range::H12 | Range::H24 => 5,
            Range::D3 | Range::D7 => 60,
        }
    }

    /// CloudWatch's period, in seconds.
    pub fn period_secs(self) -> i64 {
        self.period_minutes() * 60
    }

    /// Points in a series of this range.
    pub fn points(self) -> usize {
        (self.minutes() / self.period_minutes()) as usize
    }

    /// The next wider range (the widest stays).
    pub fn wider(self) -> Range {
        let i = Range::ALL.iter().position(|r| *r == self).unwrap_or(0);
        Range::ALL[(i + 1).min(Range::ALL.len() - 1)]
    }

    /// The next narrower range (the narrowest stays).
    pub fn narrower(self) -> Range {
        let i = Range::ALL.iter().position(|r| *r == self).unwrap_or(0);
        Range::ALL[i.saturating_sub(1)]
    }

    /// "1-min", "5-min" or "1-hour" points, as the header says.
    pub fn period_label(self) -> &'static str {
        match self.period_minutes() {
            1 => "1-min",
            5 => "5-min",
            _ => "1-hour",
        }
    }

    /// Headings of a stage's peak rate and headroom: of one-minute points, or of the coarser
    /// points' averages, which hide a shorter peak (so they say their period).
    pub fn peak_headings(self) -> (&'static str, &'static str) {
        match self.period_minutes() {
            1 => ("peak/s", "headroom"),
            5 => ("5m pk/s", "hdrm 5m"),
            _ => ("1h pk/s", "hdrm 1h"),
        }
    }

    /// The heading of the newest 30 points' sparkline.
    pub fn last_30_heading(self) -> &'static str {
        match self.period_minutes() {
            1 => "last 30 min",
            5 => "last 2.5 hours",
            _ => "last 30 hours",
        }
    }

    /// A column's heading of what was blocked and counted over it.
    pub fn blocked_counted_heading(self) -> &'static str {
        match self {
            Range::M15 => "15m b+c",
            Range::H1 => "hour b+c",
            Range::H3 => "3h b+c",
            Range::H12 => "12h b+c",
            Range::H24 => "24h b+c",
            Range::D3 => "3d b+c",
            Range::D7 => "7d b+c",
        }
    }

    /// How the "last N" columns name it ("last hour", "last 24h").
    pub fn last(self) -> String {
        match self {
            Range::H1 => "last hour".into(),
            r => format!("last {}", r.label()),
        }
    }

    /// What the range costs, as the command line says before it is chosen and the footer
    /// after, with `metrics` the series asked per poll. GetMetricData is priced per metric
    /// asked, whatever the points returned (CloudWatch pricing, "API requests"), so every
    /// range costs the same per poll; only the first read of a range may take more calls, of
    /// at most 500 queries and 100,800 points each.
    pub fn cost_said(self, metrics: Option<u32>) -> String {
        let head = format!(
            "{}: {} points of {}",
            self.label(),
            self.points(),
            self.period_label()
        );
        match metrics.filter(|m| *m > 0) {
            Some(m) => {
                let per_call = (100_800 / self.points().max(1)).min(500);
                let calls = (m as usize).div_ceil(per_call);
                format!(
                    "{head}; {} metrics a poll, as every range (its first read: {calls} call{})",
                    crate::model::format::count(m as f64),
                    if calls == 1 { "" } else { "s" }
                )
            }
            None => format!("{head}; the cost per poll is the same for every range"),
        }
    }
}

/// How far back `:compare` looks: the same window a day or a week before.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Shift {
    #[serde(rename = "1d")]
    Day,
    #[serde(rename = "7d")]
    Week,
}

impl Shift {
    pub fn parse(s: &str) -> Option<Shift> {
        match s {
            "1d" => Some(Shift::Day),
            "7d" => Some(Shift::Week),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Shift::Day => "1d",
            Shift::Week => "7d",
        }
    }

    pub fn minutes(self) -> i64 {
        match self {
            Shift::Day => 1440,
            Shift::Week => 7 * 1440,
        }
    }

    /// "yesterday", "last week": how a column or a finding says it.
    pub fn words(self) -> &'static str {
        match self {
            Shift::Day => "yesterday",
            Shift::Week => "last week",
        }
    }
}

/// `:compare`: the window shifted back, and how many times its value a series must be for a
/// finding to say so (`compare_factor` in the config, 3 by default).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Compare {
    pub shift: Shift,
    pub factor: f64,
}

/// A span of minutes as a chart's axis says it: "45m", "6h", "3.5d".
pub fn span_label(minutes: f64) -> String {
    if minutes < 120.0 {
        format!("{minutes:.0}m")
    } else if minutes < 600.0 {
        trimmed(minutes / 60.0, "h")
    } else if minutes < 2.0 * 1440.0 {
        format!("{:.0}h", minutes / 60.0)
    } else {
        trimmed(minutes / 1440.0, "d")
    }
}

fn trimmed(v: f64, unit: &str) -> String {
    if (v - v.round()).abs() < 0.05 {
        format!("{v:.0}{unit}")
    } else {
        format!("{v:.1}{unit}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_period_follows_the_range_and_the_points_fit_a_terminal() {
        for r in Range::ALL {
            assert_eq!(Range::parse(r.label()), Some(r));
            assert!(r.points() <= 300, "{r:?}: {} points", r.points());
            assert_eq!(r.points() as i64 * r.period_minutes(), r.minutes());
        }
        assert_eq!(Range::H3.period_secs(), 60);
        assert_eq!(Range::H12.period_secs(), 300);
        assert_eq!(Range::H24.period_secs(), 300);
        assert_eq!(Range::D3.period_secs(), 3600);
        assert_eq!(Range::parse("2h"), None);
    }

    #[test]
    fn the_cost_is_per_metric_and_a_long_first_read_takes_more_calls() {
        assert_eq!(
            Range::H1.cost_said(Some(900)),
            "1h: 60 points of 1-min; 900 metrics a poll, as every range (its first read: 2 calls)"
        );
        // 288 points a series: 350 series a call.
        assert!(
            Range::H24
                .cost_said(Some(900))
                .ends_with("(its first read: 3 calls)")
        );
        assert!(
            Range::D7
                .cost_said(None)
                .ends_with("the same for every range")
        );
    }

    #[test]
    fn stepping_stops_at_either_end() {
        assert_eq!(Range::M15.narrower(), Range::M15);
        assert_eq!(Range::D7.wider(), Range::D7);
        assert_eq!(Range::H1.wider(), Range::H3);
        assert_eq!(Range::H1.narrower(), Range::M15);
    }

    #[test]
    fn axis_spans_read_as_people_say_them() {
        assert_eq!(span_label(59.0), "59m");
        assert_eq!(span_label(360.0), "6h");
        assert_eq!(span_label(1435.0), "24h");
        assert_eq!(span_label(179.0), "3h");
        assert_eq!(span_label(270.0), "4.5h");
        assert_eq!(span_label(7.0 * 1440.0 - 60.0), "7d");
        assert_eq!(span_label(3.5 * 1440.0), "3.5d");
    }
}
