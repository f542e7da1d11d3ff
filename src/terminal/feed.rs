//! Where the dashboard's data comes from: the engine, live, or a recording's player.

use std::time::Duration;

use chrono::Utc;
use tokio::sync::mpsc;

use crate::app::Event;
use crate::engine::Request;
use crate::ops::procedure;

/// Where the dashboard's data comes from: the engine, live, or a recording.
pub(crate) enum Feed {
    Live(mpsc::UnboundedSender<Request>),
    Replay(Box<crate::record::Player>),
}

impl Feed {
    /// The dashboard's now: the wall clock live, the recording's clock in a replay.
    pub(crate) fn now(&self) -> chrono::DateTime<Utc> {
        match self {
            Feed::Live(_) => Utc::now(),
            Feed::Replay(p) => p.now(),
        }
    }

    /// Pass a request on; what a replay answers at once comes back.
    pub(crate) fn send(&mut self, r: Request) -> Vec<Event> {
        let Feed::Live(engine) = self else {
            return match r {
                // The screen refuses these first (read-only, with the replay's words).
                Request::Apply(op) => vec![Event::OpDone {
                    op,
                    result: Err(procedure::OpError::Refused(REPLAY_CHANGES_NOTHING.into())),
                }],
                Request::KeyValue(_, key_id) => vec![Event::KeyValue {
                    key_id,
                    result: Err("a recording holds no key values".into()),
                }],
                _ => vec![],
            };
        };
        // The engine ends only when the dashboard does.
        let _ = engine.send(r);
        vec![]
    }

    pub(crate) fn control(&mut self, c: crate::record::player::Control) -> Vec<Event> {
        match self {
            Feed::Live(_) => vec![],
            Feed::Replay(p) => p.control(c),
        }
    }

    /// What a replay's clock has reached since last asked.
    pub(crate) fn due(&mut self) -> Vec<Event> {
        match self {
            Feed::Live(_) => vec![],
            Feed::Replay(p) => p.due(),
        }
    }

    /// How long until a replay has something to hand over.
    pub(crate) fn wait(&self) -> Option<Duration> {
        match self {
            Feed::Live(_) => None,
            Feed::Replay(p) => p.wait(),
        }
    }

    pub(crate) fn view(&self) -> Option<crate::record::player::ReplayView> {
        match self {
            Feed::Live(_) => None,
            Feed::Replay(p) => Some(p.view()),
        }
    }
}

/// Why nothing changes in a replay: the read-only words of a replay.
pub const REPLAY_CHANGES_NOTHING: &str =
    "a replay changes nothing: it shows what was recorded (act on the account with edgetop itself)";
