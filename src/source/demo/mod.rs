//! TEMPORARY stub, replaced by the simulation.
use super::{OpOutcome, Source, SourceError};
use crate::model::Snapshot;
use crate::ops::Op;
use chrono::{DateTime, Utc};
use std::time::Duration;
pub struct DemoSource;
impl DemoSource {
    pub fn new(_seed: u64, _speed: f64) -> Self {
        DemoSource
    }
    pub fn snapshot_at(&mut self, now: DateTime<Utc>) -> Snapshot {
        Snapshot {
            taken_at: now,
            ..Default::default()
        }
    }
}
impl Source for DemoSource {
    async fn poll(&mut self) -> Result<Snapshot, SourceError> {
        Ok(self.snapshot_at(Utc::now()))
    }
    async fn apply(&mut self, _op: Op) -> Result<OpOutcome, SourceError> {
        Err(SourceError::Failed("stub".into()))
    }
    fn default_refresh(&self) -> Duration {
        Duration::from_secs(2)
    }
}
