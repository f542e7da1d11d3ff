//! Where the data comes from. One trait, two implementations: the simulated account
//! ([`demo::DemoSource`]) and a real one ([`aws::AwsSource`]). Both produce the same [`Snapshot`].

pub(crate) mod aws;
pub mod demo;
pub(crate) mod ip_ranges;
pub(crate) mod log_queries;
pub mod many;
pub(crate) mod policy;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use crate::model::{Problem, Secret, Snapshot};
use crate::ops::journal::Rotation;
use crate::ops::{Op, OpError, Reporter};

/// Why a poll or an operation failed.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("{0}")]
    Failed(String),
    #[error("not allowed: {0}")]
    Refused(String),
}

pub use crate::ops::OpOutcome;

/// A lock held by another edgetop refuses; a journal that cannot be used fails.
impl From<crate::ops::journal::JournalError> for SourceError {
    fn from(e: crate::ops::journal::JournalError) -> SourceError {
        match e {
            crate::ops::journal::JournalError::Held(m) => SourceError::Refused(m),
            other => SourceError::Failed(other.to_string()),
        }
    }
}

/// An operation's error keeps its kind: AWS refusing is not the same as failing.
impl From<SourceError> for OpError {
    fn from(e: SourceError) -> OpError {
        match e {
            SourceError::Refused(_) => OpError::Refused(e.to_string()),
            SourceError::Failed(m) => OpError::Failed(m),
        }
    }
}

/// A running operation. It owns what it needs (cloned clients), so polls go on while it runs.
pub type OpFuture = Pin<Box<dyn Future<Output = Result<OpOutcome, SourceError>> + Send>>;

/// A key's value being read, on the operator's request.
pub type ValueFuture = Pin<Box<dyn Future<Output = Result<Secret, SourceError>> + Send>>;

/// What acts on the account: operations, and reading a key's value when the operator asks.
/// It shares nothing with polling that a poll holds, so the engine starts a confirmed operation
/// at once, whatever a poll is doing.
pub trait Actions: Send + Sync {
    /// Carry out an operation that was planned and confirmed, reporting its steps.
    fn apply(&self, op: Op, progress: Reporter) -> OpFuture;

    /// One API key's value (snapshots hold none: only a fingerprint to match it by).
    fn key_value(&self, place: crate::model::Place, key_id: &str) -> ValueFuture;
}

/// What a source does as edgetop exits, reading its state only when awaited.
pub type OnExit = Pin<Box<dyn Future<Output = ()> + Send>>;

/// Where a source hands over what it has before its poll ends.
pub type Early = Arc<dyn Fn(Partial) + Send + Sync>;

/// Part of a slow first read.
pub enum Partial {
    /// What has been read so far, with the parts still being read in [`Snapshot::loading`].
    Snapshot(Box<Snapshot>),
    /// How far the parts still being read have come, in place of the last snapshot's
    /// `loading`: a count that moves often, without assembling a whole large account again.
    Loading(Vec<Problem>),
}

/// What a change from the command line acts on: read alone, it has its plan on screen in about
/// a second on any account.
#[derive(Clone, Debug, PartialEq)]
pub enum ChangeTarget {
    /// The web ACL(s) of this name (in one scope, when given).
    Rule {
        web_acl: String,
        scope: Option<crate::model::Scope>,
    },
    /// The API key(s) of this id or name.
    Key(String),
    /// Where a client address can be blocked or was: the web ACLs (of this name, when given),
    /// the IP sets their rules reference, and what stands in front of the stages they guard.
    Addresses { web_acl: Option<String> },
}

/// A data source: polled by the engine, and the target of operator actions.
pub trait Source: Send + 'static {
    /// Hand snapshots over early, as parts of a slow first read arrive (the dashboard asks;
    /// `snapshot --json` does not, and gets the complete record).
    fn report_early(&mut self, _early: Early) {}

    /// Read the account once. Slow-changing parts may come from the source's own cache.
    fn poll(&mut self) -> impl Future<Output = Result<Snapshot, SourceError>> + Send;

    /// Read what a change to `target` needs, and no more (a whole poll unless the source knows
    /// better: the simulated account is read whole at once anyway).
    fn read_for(
        &mut self,
        _target: &ChangeTarget,
    ) -> impl Future<Output = Result<Snapshot, SourceError>> + Send {
        self.poll()
    }

    /// What carries out operations beside polling.
    fn actions(&self) -> Arc<dyn Actions>;

    /// Rotations that were cut short, to finish or roll back; and journal files that could not
    /// be read.
    fn unfinished(&self) -> (Vec<Rotation>, Vec<String>) {
        (Vec::new(), Vec::new())
    }

    /// A rotation of this place by its id, finished or not (to delete its old key).
    fn rotation(&self, _id: &str) -> Option<Rotation> {
        None
    }

    /// How often polling is useful for this source.
    fn default_refresh(&self) -> Duration;

    /// Read everything again at the next poll, slow-changing configuration included (`R`).
    fn refresh_all(&mut self) {}

    /// The time range the metrics cover from the next poll on (`:range`). No default: a
    /// wrapper that did not pass it on would show the hour under another range's name.
    fn set_range(&mut self, range: crate::model::Range);

    /// `:compare`: read the same window a day or a week before too (None: not).
    fn set_compare(&mut self, compare: Option<crate::model::range::Compare>);

    /// What to do as edgetop exits, whatever a poll is doing then: stop the Logs Insights
    /// queries AWS still runs for it. Taken before polling starts; it looks at the state only
    /// when awaited.
    fn on_exit(&self) -> Option<OnExit> {
        None
    }
}

/// One account×region: the simulated one (`--demo`) or a real one.
pub enum OneSource {
    Demo(demo::DemoSource),
    Aws(Box<aws::AwsSource>),
}

/// What edgetop works on: one account×region, or many read as one. Every command takes this
/// one type, so none branches on which.
pub enum AnySource {
    One(OneSource),
    Many(Box<many::ManySource<OneSource>>),
}

impl AnySource {
    /// AWS calls made since the start, by IAM action, summed over every place (none for the
    /// demo).
    pub fn calls(&self) -> Option<aws::Calls> {
        let of = |s: &OneSource| match s {
            OneSource::Aws(a) => Some(a.all_calls.clone()),
            OneSource::Demo(_) => None,
        };
        match self {
            AnySource::One(s) => of(s),
            AnySource::Many(m) => m.sources().flatten().filter_map(of).reduce(|mut all, c| {
                all.merge(&c);
                all
            }),
        }
    }
}

/// Dispatch a [`Source`] method to whichever variant holds the source.
macro_rules! dispatch {
    ($self:ident, $s:ident => $call:expr, $($variant:path),+) => {
        match $self {
            $($variant($s) => $call,)+
        }
    };
}

impl Source for OneSource {
    fn report_early(&mut self, early: Early) {
        dispatch!(self, s => s.report_early(early), OneSource::Demo, OneSource::Aws)
    }

    async fn poll(&mut self) -> Result<Snapshot, SourceError> {
        dispatch!(self, s => s.poll().await, OneSource::Demo, OneSource::Aws)
    }

    async fn read_for(&mut self, target: &ChangeTarget) -> Result<Snapshot, SourceError> {
        dispatch!(self, s => s.read_for(target).await, OneSource::Demo, OneSource::Aws)
    }

    fn on_exit(&self) -> Option<OnExit> {
        dispatch!(self, s => s.on_exit(), OneSource::Demo, OneSource::Aws)
    }

    fn actions(&self) -> Arc<dyn Actions> {
        dispatch!(self, s => s.actions(), OneSource::Demo, OneSource::Aws)
    }

    fn unfinished(&self) -> (Vec<Rotation>, Vec<String>) {
        dispatch!(self, s => s.unfinished(), OneSource::Demo, OneSource::Aws)
    }

    fn rotation(&self, id: &str) -> Option<Rotation> {
        dispatch!(self, s => s.rotation(id), OneSource::Demo, OneSource::Aws)
    }

    fn default_refresh(&self) -> Duration {
        dispatch!(self, s => s.default_refresh(), OneSource::Demo, OneSource::Aws)
    }

    fn refresh_all(&mut self) {
        dispatch!(self, s => s.refresh_all(), OneSource::Demo, OneSource::Aws)
    }

    fn set_range(&mut self, range: crate::model::Range) {
        dispatch!(self, s => s.set_range(range), OneSource::Demo, OneSource::Aws)
    }

    fn set_compare(&mut self, compare: Option<crate::model::range::Compare>) {
        dispatch!(self, s => s.set_compare(compare), OneSource::Demo, OneSource::Aws)
    }
}

impl Source for AnySource {
    fn report_early(&mut self, early: Early) {
        dispatch!(self, s => s.report_early(early), AnySource::One, AnySource::Many)
    }

    async fn poll(&mut self) -> Result<Snapshot, SourceError> {
        dispatch!(self, s => s.poll().await, AnySource::One, AnySource::Many)
    }

    async fn read_for(&mut self, target: &ChangeTarget) -> Result<Snapshot, SourceError> {
        dispatch!(self, s => s.read_for(target).await, AnySource::One, AnySource::Many)
    }

    fn on_exit(&self) -> Option<OnExit> {
        dispatch!(self, s => s.on_exit(), AnySource::One, AnySource::Many)
    }

    fn actions(&self) -> Arc<dyn Actions> {
        dispatch!(self, s => s.actions(), AnySource::One, AnySource::Many)
    }

    fn unfinished(&self) -> (Vec<Rotation>, Vec<String>) {
        dispatch!(self, s => s.unfinished(), AnySource::One, AnySource::Many)
    }

    fn rotation(&self, id: &str) -> Option<Rotation> {
        dispatch!(self, s => s.rotation(id), AnySource::One, AnySource::Many)
    }

    fn default_refresh(&self) -> Duration {
        dispatch!(self, s => s.default_refresh(), AnySource::One, AnySource::Many)
    }

    fn refresh_all(&mut self) {
        dispatch!(self, s => s.refresh_all(), AnySource::One, AnySource::Many)
    }

    fn set_range(&mut self, range: crate::model::Range) {
        dispatch!(self, s => s.set_range(range), AnySource::One, AnySource::Many)
    }

    fn set_compare(&mut self, compare: Option<crate::model::range::Compare>) {
        dispatch!(self, s => s.set_compare(compare), AnySource::One, AnySource::Many)
    }
}
