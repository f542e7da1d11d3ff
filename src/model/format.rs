//! Numbers and times as an operator reads them: short, aligned, with units.

/// 950 → "950", 15_230 → "15.2k", 4_200_000 → "4.2M".
/// A duration for progress lines: "45s", "1m20s", "30m", "1h05m".
pub fn duration(d: std::time::Duration) -> String {
    let s = d.as_secs();
    match s {
        0..60 => format!("{s}s"),
        60..3600 if s.is_multiple_of(60) => format!("{}m", s / 60),
        60..3600 => format!("{}m{:02}s", s / 60, s % 60),
        _ => format!("{}h{:02}m", s / 3600, s % 3600 / 60),
    }
}

pub fn count(v: f64) -> String {
    // -0.0 (an empty float sum starts there) reads as 0.
    let v = if v == 0.0 { 0.0 } else { v };
    let a = v.abs();
    if a >= 999_950_000.0 {
        format!("{:.1}G", v / 1e9)
    } else if a >= 999_950.0 {
        format!("{:.1}M", v / 1e6)
    } else if a >= 9_999.5 {
        format!("{:.1}k", v / 1e3)
    } else if a >= 100.0 || v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// 0.0312 → "3.1%".
/// A byte count in the binary units AWS bills in: 512 B, 340 KB, 1.2 GB.
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    let mut v = n as f64;
    let mut unit = 0;
    while v >= 1024.0 && unit < UNITS.len() - 1 {
        v /= 1024.0;
        unit += 1;
    }
    if unit == 0 || v >= 10.0 {
        format!("{v:.0} {}", UNITS[unit])
    } else {
        format!("{v:.1} {}", UNITS[unit])
    }
}

pub fn percent(frac: f64) -> String {
    if !frac.is_finite() {
        return "–".into();
    }
    let p = frac * 100.0;
    if p > 0.0 && p < 0.1 {
        "<0.1%".into()
    } else {
        format!("{p:.1}%")
    }
}

/// An age as it shows on screen: "just now" under 10 s, then steps of 10 s, minutes, hours.
/// Coarse on purpose: freshness is what matters, and every change of this text costs a frame.
pub fn age(secs: i64) -> String {
    let s = secs.max(0);
    match s {
        0..=9 => "just now".into(),
        10..=59 => format!("{}0s ago", s / 10),
        60..=3599 => format!("{}m ago", s / 60),
        _ => format!("{}h{:02}m ago", s / 3600, s % 3600 / 60),
    }
}

/// How long until a moment ("in 50s", "in 5m"), as coarse as [`age`], so it changes as
/// seldom.
pub fn until(secs: i64) -> String {
    match age(secs).strip_suffix(" ago") {
        Some(left) => format!("in {left}"),
        None => "in a moment".into(),
    }
}

/// How old a figure was when the data was taken ("4m ago"), or "not yet" when it has not been
/// read: a large account's usage is read plan by plan, in rotation.
pub fn read_age(
    read: Option<chrono::DateTime<chrono::Utc>>,
    at: chrono::DateTime<chrono::Utc>,
) -> String {
    read.map_or("not yet".into(), |t| age((at - t).num_seconds()))
}

/// In how many seconds [`age`] of an age that is `secs` old shows a different text.
pub fn age_changes_in(secs: i64) -> i64 {
    let s = secs.max(0);
    match s {
        0..=59 => 10 - s % 10,
        _ => 60 - s % 60,
    }
}

/// A whole number with thousands separated: 10,000.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A horizontal bar of `width` cells filled to `frac`, in eighths.
pub fn bar(frac: f64, width: usize) -> String {
    const PARTS: [char; 8] = [' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
    let f = if frac.is_finite() {
        frac.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let eighths = (f * width as f64 * 8.0).round() as usize;
    let mut s = "█".repeat(eighths / 8);
    if !eighths.is_multiple_of(8) {
        s.push(PARTS[eighths % 8]);
    }
    let len = s.chars().count();
    s.extend(std::iter::repeat_n(' ', width.saturating_sub(len)));
    s
}

/// A one-line sparkline of the values, scaled to their maximum.
pub fn spark(values: &[f64]) -> String {
    const TICKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let max = values.iter().copied().fold(0.0, f64::max);
    values
        .iter()
        .map(|v| {
            if max <= 0.0 || *v <= 0.0 {
                ' '
            } else {
                TICKS[((v / max) * 7.0).round().clamp(0.0, 7.0) as usize]
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_moment_ahead_reads_as_one() {
        assert_eq!(until(5), "in a moment");
        assert_eq!(until(50), "in 50s");
        assert_eq!(until(300), "in 5m");
        assert!(!until(3_900).contains("ago"));
    }

    #[test]
    fn counts_are_short() {
        assert_eq!(count(950.0), "950");
        assert_eq!(count(9999.0), "9999");
        assert_eq!(count(15_230.0), "15.2k");
        assert_eq!(count(4_200_000.0), "4.2M");
        assert_eq!(count(2.5), "2.5");
        assert_eq!(count(0.0), "0");
        assert_eq!(count(-0.0), "0", "an empty sum of floats");
        assert_eq!(count(std::iter::empty::<f64>().sum()), "0");
    }

    #[test]
    fn bytes_are_in_binary_units() {
        assert_eq!(bytes(512), "512 B");
        assert_eq!(bytes(347_766), "340 KB");
        assert_eq!(bytes(3 << 29), "1.5 GB");
    }

    #[test]
    fn thousands_are_separated() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(10_000), "10,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn ages_and_when_they_change() {
        assert_eq!(age(5), "just now");
        assert_eq!(age(37), "30s ago");
        assert_eq!(age(125), "2m ago");
        assert_eq!(age(3720), "1h02m ago");
        assert_eq!(age_changes_in(5), 5);
        assert_eq!(age_changes_in(37), 3);
        assert_eq!(age_changes_in(125), 55);
    }

    #[test]
    fn bars_fill_in_eighths() {
        assert_eq!(bar(0.5, 4), "██  ");
        assert_eq!(bar(1.0 / 32.0, 4), "▏   ");
        assert_eq!(bar(2.0, 3), "███");
        assert_eq!(bar(f64::NAN, 2), "  ");
        assert_eq!(percent(0.0312), "3.1%");
        assert_eq!(spark(&[0.0, 1.0, 2.0]), " ▅█");
    }
}
