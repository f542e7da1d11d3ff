//! Playing a recording: the recording's own clock, which runs at a speed, pauses, steps a poll
//! at a time and jumps; and the events it is time to hand the dashboard — the same events the
//! engine hands it live, so the screens cannot tell the two apart.

use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveTime, Utc};

use super::tape::{Mark, Tape};
use crate::engine::events::Event;

/// What the operator asks of a replay.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Control {
    /// Pause, or play on.
    Pause,
    /// One poll back (-1) or on (+1), paused there.
    Step(i32),
    Faster,
    Slower,
    /// To the poll at or before this moment (`:at 14:05`).
    At(DateTime<Utc>),
}

/// The speeds `+` and `-` step through.
const SPEEDS: &[f64] = &[0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0];

/// What the header's timeline draws: where the replay is, between which ends, and where the
/// operations and failures are.
#[derive(Clone, Debug, PartialEq)]
pub struct ReplayView {
    pub first: DateTime<Utc>,
    pub last: DateTime<Utc>,
    /// The recording's clock now.
    pub clock: DateTime<Utc>,
    pub poll: usize,
    pub polls: usize,
    pub paused: bool,
    pub speed: f64,
    /// The times of the operations (true) and failed polls (false).
    pub marks: Vec<(DateTime<Utc>, bool)>,
    /// The recording stops short of its file's end: why.
    pub cut: Option<String>,
    /// The clock has reached the last poll.
    pub ended: bool,
}

pub struct Player {
    tape: Tape,
    /// The poll on screen (None before the first is handed over).
    shown: Option<usize>,
    /// The clock: where it stood at `anchor`, and how fast it runs from there.
    clock_at_anchor: DateTime<Utc>,
    anchor: Instant,
    speed: f64,
    paused: bool,
}

impl Player {
    pub fn new(tape: Tape, speed: f64) -> Player {
        let first = tape.first();
        Player {
            tape,
            shown: None,
            clock_at_anchor: first,
            anchor: Instant::now(),
            speed: speed.clamp(SPEEDS[0], SPEEDS[SPEEDS.len() - 1]),
            paused: false,
        }
    }

    /// The recording's clock: what the dashboard takes for now.
    pub fn now(&self) -> DateTime<Utc> {
        if self.paused {
            return self.clock_at_anchor;
        }
        let ran = self.anchor.elapsed().mul_f64(self.speed);
        let t = self.clock_at_anchor + chrono::Duration::from_std(ran).unwrap_or_default();
        t.min(self.tape.last())
    }

    /// Set the clock to `t`, paused or not.
    fn set_clock(&mut self, t: DateTime<Utc>) {
        self.clock_at_anchor = t;
        self.anchor = Instant::now();
    }

    /// The events due by the clock: the newest poll due (one snapshot, however many are
    /// passed) and the marks passed on the way, in order.
    pub fn due(&mut self) -> Vec<Event> {
        let now = self.now();
        let due = self.tape.poll_at(now);
        if self.shown.is_some_and(|s| s >= due) {
            return vec![];
        }
        let from = self.shown;
        self.show(due, from)
    }

    /// Hand over poll `i`, with the marks passed on the way from poll `from` (those after it
    /// and before `i`; all before `i` when nothing was shown).
    fn show(&mut self, i: usize, from: Option<usize>) -> Vec<Event> {
        let from = from.map_or(-1, |f| f as i64);
        let passed: Vec<Event> = self
            .tape
            .marks
            .iter()
            .filter(|(after, _)| {
                let after = after.map_or(-1, |a| a as i64);
                from <= after && after < i as i64
            })
            .map(|(_, m)| notice(m))
            .collect();
        match self.tape.snapshot(i) {
            Ok(s) => {
                self.shown = Some(i);
                std::iter::once(Event::Data(Ok(s))).chain(passed).collect()
            }
            Err(e) => {
                // The tape now ends before `i`; what it says is in the view.
                self.paused = true;
                let last = self.tape.polls.len().saturating_sub(1);
                self.set_clock(
                    self.tape
                        .polls
                        .get(last)
                        .map_or(self.tape.first(), |p| p.at),
                );
                vec![Event::Data(Err(format!("the recording is damaged: {e}")))]
            }
        }
    }

    /// How long (wall time) until the next poll is due; None while paused or at the end.
    pub fn wait(&self) -> Option<Duration> {
        if self.paused {
            return None;
        }
        let next = self.tape.polls.get(self.shown.map_or(0, |s| s + 1))?;
        let ahead = (next.at - self.now()).to_std().unwrap_or_default();
        Some(ahead.div_f64(self.speed).max(Duration::from_millis(1)))
    }

    pub fn control(&mut self, c: Control) -> Vec<Event> {
        match c {
            Control::Pause => {
                let now = self.now();
                self.paused = !self.paused;
                self.set_clock(now);
                vec![]
            }
            Control::Faster | Control::Slower => {
                let now = self.now();
                let i = SPEEDS.partition_point(|&s| s < self.speed);
                let i = if c == Control::Faster {
                    (i + 1).min(SPEEDS.len() - 1)
                } else {
                    i.saturating_sub(1)
                };
                self.speed = SPEEDS[i];
                self.set_clock(now);
                vec![]
            }
            Control::Step(n) => {
                let at = self.shown.unwrap_or(0) as i64 + n as i64;
                let i = at.clamp(0, self.tape.polls.len() as i64 - 1) as usize;
                self.paused = true;
                self.jump(i, self.tape.polls[i].at)
            }
            Control::At(t) => {
                // A moment typed to the second is the poll of that second (polls are stamped to
                // the millisecond).
                let t = t.clamp(self.tape.first(), self.tape.last());
                let i = self.tape.poll_at(t + chrono::Duration::milliseconds(999));
                self.jump(i, t.max(self.tape.polls[i].at))
            }
        }
    }

    /// To poll `i` with the clock at `t`: marks are said only going forward.
    fn jump(&mut self, i: usize, t: DateTime<Utc>) -> Vec<Event> {
        self.set_clock(t);
        // Going forward, the marks passed are said; going back, or staying, none.
        let from = match self.shown {
            Some(s) if s < i => Some(s),
            _ => Some(i),
        };
        self.show(i, from)
    }

    pub fn view(&self) -> ReplayView {
        let clock = self.now();
        ReplayView {
            first: self.tape.first(),
            last: self.tape.last(),
            clock,
            poll: self.shown.unwrap_or(0),
            polls: self.tape.polls.len(),
            paused: self.paused,
            speed: self.speed,
            marks: self
                .tape
                .marks
                .iter()
                .map(|(_, m)| (m.at(), matches!(m, Mark::Operation { .. })))
                .collect(),
            cut: self.tape.cut.clone(),
            ended: clock >= self.tape.last(),
        }
    }
}

/// A mark passed, as the footer says it.
fn notice(m: &Mark) -> Event {
    Event::Notice(m.line())
}

/// A moment of a recording from what an operator types: `14:05` or `14:05:30` (UTC, on the
/// recording's day, the first such moment from its start), `+5m` (from its start), or a
/// whole RFC 3339 time.
pub fn moment(
    text: &str,
    first: DateTime<Utc>,
    last: DateTime<Utc>,
) -> Result<DateTime<Utc>, String> {
    let t = text.trim();
    if let Some(rel) = t.strip_prefix('+') {
        let d = humantime::parse_duration(rel.trim())
            .map_err(|_| format!("'{t}': a time from the start such as +5m or +1h30m"))?;
        return Ok(first + chrono::Duration::from_std(d).unwrap_or_default());
    }
    if let Ok(at) = DateTime::parse_from_rfc3339(t) {
        return Ok(at.with_timezone(&Utc));
    }
    let clock = NaiveTime::parse_from_str(t, "%H:%M:%S")
        .or_else(|_| NaiveTime::parse_from_str(t, "%H:%M"))
        .map_err(|_| {
            format!("'{t}': a time such as 14:05 or 14:05:30 (UTC), +5m, or 2026-11-17T14:05:00Z")
        })?;
    let slack = chrono::Duration::seconds(59);
    let mut day = first.date_naive();
    while day <= last.date_naive() {
        let at = day.and_time(clock).and_utc();
        if first - slack <= at && at <= last + slack {
            return Ok(at);
        }
        match day.succ_opt() {
            Some(next) => day = next,
            None => break,
        }
    }
    Err(format!(
        "{t} UTC is not in the recording ({} to {})",
        first.format("%Y-%m-%d %H:%M:%S"),
        last.format("%Y-%m-%d %H:%M:%S UTC")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        chrono::NaiveDate::from_ymd_opt(2026, 11, 17)
            .unwrap()
            .and_hms_opt(h, m, 0)
            .unwrap()
            .and_utc()
    }

    #[test]
    fn a_moment_is_a_clock_time_on_the_recording_s_day_or_a_time_from_its_start() {
        let (first, last) = (at(14, 3), at(15, 10));
        assert_eq!(moment("14:05", first, last), Ok(at(14, 5)));
        assert_eq!(moment("+1h", first, last), Ok(at(15, 3)));
        assert_eq!(moment("2026-11-17T14:20:00Z", first, last), Ok(at(14, 20)));
        assert!(
            moment("13:00", first, last)
                .unwrap_err()
                .contains("not in the recording")
        );
        assert!(moment("lunch", first, last).unwrap_err().contains("14:05"));
        // Across midnight: 00:10 is the next day's.
        let (first, last) = (at(23, 50), at(23, 50) + chrono::Duration::minutes(30));
        assert_eq!(
            moment("00:10", first, last),
            Ok(at(0, 10) + chrono::Duration::days(1))
        );
    }
}
