//! How much traffic each client sends, minute by minute: the daily shape, the incidents of the
//! 20-minute cycle, and per-minute noise. All of it is a function of the minute index
//! (minutes since the Unix epoch), so any minute can be computed on its own.

use std::f64::consts::PI;

use super::noise::{jitter, unit};

/// Length of the incident cycle, in minutes. 1440 is a multiple, so every day repeats it
/// identically and the cycle is at minute 3 at 14:03 UTC.
pub const CYCLE: i64 = 20;

/// How a client's request rate (requests per minute) moves over the day and the cycle.
#[derive(Clone, Copy, Debug, serde::Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Profile {
    /// Peaks mid-afternoon UTC; `floor` is the night-time share of the peak.
    Daily { peak: f64, floor: f64 },
    /// Peaks in the small hours (batch jobs).
    Night { peak: f64, floor: f64 },
    /// The same rate all day (monitors, runaway scripts).
    Flat { rpm: f64 },
    /// Incident 1: one credential-stuffing address, cycle minutes ~1–9.
    Stuffing { rpm: f64 },
    /// Incident 2: a scraper surge, cycle minutes ~6–14.
    Scraper { peak: f64 },
    /// Incident 3: a daily client that pushes to `surge` requests per minute, cycle minutes ~10–17.
    Surge { peak: f64, floor: f64, surge: f64 },
    /// On in some hours and off in others (a noisy bot), chosen per hour by the seed.
    Hourly { rpm: f64, share: f64 },
}

/// Minute of the UTC day, 0..1440.
pub fn minute_of_day(m: i64) -> i64 {
    m.rem_euclid(1440)
}

/// Position inside the incident cycle, at the middle of minute `m` (0.5..20.5).
pub fn cycle_pos(m: i64) -> f64 {
    m.rem_euclid(CYCLE) as f64 + 0.5
}

/// 0 before `a`, rising to 1 at `b`, 1 until `c`, falling to 0 at `d`.
pub fn trapezoid(x: f64, a: f64, b: f64, c: f64, d: f64) -> f64 {
    if x <= a || x >= d {
        0.0
    } else if x < b {
        (x - a) / (b - a)
    } else if x <= c {
        1.0
    } else {
        (d - x) / (d - c)
    }
}

/// Daily shape: 1.0 at `peak_hour` UTC, `floor` twelve hours away.
pub fn daily_shape(m: i64, peak_hour: f64, floor: f64) -> f64 {
    let hours = minute_of_day(m) as f64 / 60.0;
    let bump = (0.5 - 0.5 * (2.0 * PI * (hours - peak_hour + 12.0) / 24.0).cos()).powf(1.5);
    floor + (1.0 - floor) * bump
}

/// The incidents began six hours before the demo starts: before, yesterday and last week at
/// this hour, the account was calm (what `:compare` shows today against).
pub fn in_season(m: i64) -> f64 {
    let start = super::DEMO_START.timestamp().div_euclid(60);
    if m >= start - 6 * 60 { 1.0 } else { 0.0 }
}

pub fn stuffing_level(m: i64) -> f64 {
    trapezoid(cycle_pos(m), 1.0, 3.0, 7.0, 9.0) * in_season(m)
}

pub fn scraper_level(m: i64) -> f64 {
    trapezoid(cycle_pos(m), 6.0, 10.0, 12.5, 14.5) * in_season(m)
}

pub fn surge_level(m: i64) -> f64 {
    trapezoid(cycle_pos(m), 10.0, 12.0, 15.5, 17.5) * in_season(m)
}

/// Incident 4: the 5xx blip on catalog-api prod, cycle minutes ~15–17.
pub fn blip_level(m: i64) -> f64 {
    trapezoid(cycle_pos(m), 15.0, 15.8, 16.6, 17.8) * in_season(m)
}

/// The smooth rate of a profile at minute `m` (no noise), requests per minute.
pub fn smooth_rpm(seed: u64, profile: Profile, m: i64) -> f64 {
    match profile {
        Profile::Daily { peak, floor } => peak * daily_shape(m, 15.0, floor),
        Profile::Night { peak, floor } => peak * daily_shape(m, 2.0, floor),
        Profile::Flat { rpm } => rpm,
        Profile::Stuffing { rpm } => rpm * stuffing_level(m),
        Profile::Scraper { peak } => peak * scraper_level(m),
        Profile::Surge { peak, floor, surge } => {
            let base = peak * daily_shape(m, 15.0, floor);
            base + (surge - base).max(0.0) * surge_level(m)
        }
        Profile::Hourly { rpm, share } => {
            let on = unit(&[seed, 0x40, m.div_euclid(60) as u64]) < share;
            if on { rpm } else { 0.0 }
        }
    }
}

/// The rate with per-minute noise (a few per cent), for client `client`.
pub fn noisy_rpm(seed: u64, profile: Profile, client: usize, m: i64) -> f64 {
    smooth_rpm(seed, profile, m) * jitter(&[seed, 0x10, m as u64, client as u64], 0.035)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(h: i64, min: i64) -> i64 {
        20_774 * 1440 + h * 60 + min // the demo's day, 2026-11-17
    }

    #[test]
    fn night_is_low_and_afternoon_is_the_peak() {
        assert!(daily_shape(at(3, 0), 15.0, 0.2) < 0.25);
        assert!(daily_shape(at(15, 0), 15.0, 0.2) > 0.99);
        assert!(daily_shape(at(14, 3), 15.0, 0.2) > 0.95);
    }

    #[test]
    fn incidents_follow_the_cycle() {
        assert_eq!(cycle_pos(at(14, 3)), 3.5);
        assert!(stuffing_level(at(14, 5)) == 1.0 && stuffing_level(at(14, 12)) == 0.0);
        assert!(scraper_level(at(14, 11)) == 1.0 && scraper_level(at(14, 3)) == 0.0);
        assert!(surge_level(at(14, 13)) == 1.0 && surge_level(at(14, 5)) == 0.0);
        assert!(blip_level(at(14, 16)) == 1.0 && blip_level(at(14, 10)) == 0.0);
    }
}
