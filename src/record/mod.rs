//! Recording an incident and replaying it: `--record FILE` keeps what the engine hands the
//! screens (every poll, every failure, every operation with its plan and outcome) in a file
//! ([`format`]); `edgetop replay FILE` and `snapshot --from FILE` read it back ([`tape`]), and
//! the [`player`] feeds the same dashboard from it, on the recording's clock.

pub mod diff;
pub mod format;
pub mod player;
pub mod recorder;
pub mod tape;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::model::Text;
use crate::ops::audit::Phase;

pub use player::Player;
pub use recorder::Recorder;
pub use tape::Tape;

/// Who started a recording, with what, from where: the first part of each run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StartPart {
    /// The edgetop that wrote it.
    pub edgetop: Text,
    /// "demo" or "aws".
    pub source: Text,
    /// The local login that recorded.
    pub by: Text,
    pub started: DateTime<Utc>,
}

impl StartPart {
    pub fn new(source: &str) -> StartPart {
        StartPart {
            edgetop: Text::new(env!("CARGO_PKG_VERSION")),
            source: Text::new(source),
            by: Text::new(&crate::ops::audit::Who::new("", "", "").local_user),
            started: Utc::now(),
        }
    }
}

/// An operation, as a recording keeps it: confirmed (with the plan the operator saw), or
/// ended (with its outcome). A new key's value is never part of it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OperationPart {
    pub phase: Phase,
    /// The operation in one line.
    pub what: Text,
    /// The local login, and the AWS caller.
    pub by: Text,
    pub caller: Text,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub plan: Vec<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<Text>,
}

impl OperationPart {
    /// "rotate key partner-key by alice: succeeded", with the outcome's words after a colon.
    pub fn line(&self) -> String {
        let phase = match self.phase {
            Phase::Confirmed => "confirmed",
            Phase::DryRun => "shown (dry run)",
            Phase::Refused => "refused",
            Phase::Succeeded => "succeeded",
            Phase::Failed => "failed",
        };
        let mut line = format!("{} by {}: {phase}", self.what, self.by);
        if let Some(r) = self.result.as_ref().filter(|r| !r.as_str().is_empty()) {
            line.push_str(&format!(" ({r})"));
        }
        line
    }
}

/// How much a recording keeps: the newest hours, or the newest bytes (`--record-keep 24h`,
/// `--record-keep 500MB`). The oldest parts go first, a whole snapshot at a time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keep {
    Age(std::time::Duration),
    Bytes(u64),
}

impl std::str::FromStr for Keep {
    type Err = String;

    fn from_str(s: &str) -> Result<Keep, String> {
        let t = s.trim();
        let units = [("GB", 1u64 << 30), ("MB", 1 << 20), ("KB", 1 << 10)];
        for (unit, bytes) in units {
            if let Some(n) = t
                .strip_suffix(unit)
                .or_else(|| t.strip_suffix(&unit.to_lowercase()))
            {
                let n: u64 = n
                    .trim()
                    .parse()
                    .map_err(|_| format!("'{s}': a whole number before {unit}"))?;
                return (n > 0)
                    .then_some(Keep::Bytes(n * bytes))
                    .ok_or_else(|| "a recording must keep more than nothing".into());
            }
        }
        match humantime::parse_duration(t) {
            Ok(d) if d.as_secs() >= 60 => Ok(Keep::Age(d)),
            Ok(_) => Err("a recording keeps at least a minute".into()),
            Err(_) => Err(format!(
                "'{s}': a time (30m, 24h, 7d) or a size (500MB, 2GB)"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keep_reads_times_and_sizes() {
        assert_eq!(
            "24h".parse::<Keep>(),
            Ok(Keep::Age(std::time::Duration::from_secs(86_400)))
        );
        assert_eq!("500MB".parse::<Keep>(), Ok(Keep::Bytes(500 << 20)));
        assert_eq!("2 gb".parse::<Keep>(), Ok(Keep::Bytes(2 << 30)));
        assert!("0MB".parse::<Keep>().is_err());
        assert!("10s".parse::<Keep>().is_err());
        assert!("soon".parse::<Keep>().unwrap_err().contains("a time"));
    }
}
