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

pub use crate::host::keep::Keep;
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
