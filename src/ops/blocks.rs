//! The blocks journal: every range edgetop added to an IP set, with its expiry, so that undo
//! and expiry remove exactly what edgetop added and nothing it did not (`blocks.json` in the
//! state directory, beside the rotation journal). An entry is written before the set is
//! changed and marked after: one found `Adding` or `Removing` was cut short, and the next read
//! of the set says which way it went.

use std::path::Path;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::state_file::StateFile;
use crate::model::Scope;
use crate::model::ip_set::same_range;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BlockState {
    /// About to be added (or cut short while it was).
    Adding,
    Added,
    /// About to be removed (or cut short while it was).
    Removing,
}

/// One range edgetop added to one IP set, in one account and region.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BlockRecord {
    pub account: String,
    pub region: String,
    pub scope: Scope,
    pub ip_set: String,
    pub ip_set_id: String,
    pub range: String,
    pub added: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<DateTime<Utc>>,
    pub state: BlockState,
}

impl BlockRecord {
    /// The same range of the same set in the same place.
    pub fn is(&self, other: &BlockRecord) -> bool {
        self.account == other.account
            && self.region == other.region
            && self.scope == other.scope
            && self.ip_set_id == other.ip_set_id
            && same_range(&self.range, &other.range)
    }

    pub fn expired(&self, now: DateTime<Utc>) -> bool {
        self.expires.is_some_and(|e| e <= now)
    }

    /// Cut short: the set may or may not hold it.
    pub fn pending(&self) -> bool {
        self.state != BlockState::Added
    }
}

/// The journal file.
#[derive(Clone, Debug)]
pub struct Blocks {
    file: StateFile,
}

impl Blocks {
    /// `blocks.json` in `state_dir`.
    pub fn in_dir(state_dir: &Path) -> Blocks {
        Blocks {
            file: StateFile::new(
                state_dir.join("blocks.json"),
                "blocks journal",
                crate::host::format::BLOCKS,
                "blocks",
            ),
        }
    }

    /// Where it is.
    pub fn path(&self) -> &Path {
        self.file.path()
    }

    /// Every record (none, and a warning, when the file cannot be read).
    pub fn all(&self) -> (Vec<BlockRecord>, Option<String>) {
        let r = self.file.read::<Vec<BlockRecord>>();
        (r.value, r.warning)
    }

    /// The records of one account and region.
    pub fn of(&self, account: &str, region: &str) -> Vec<BlockRecord> {
        self.all()
            .0
            .into_iter()
            .filter(|r| r.account == account && r.region == region)
            .collect()
    }

    /// Record `r` in its state, replacing any record of the same range and set.
    pub fn put(&self, r: &BlockRecord) -> Result<Option<String>, String> {
        let ((), warning) = self.file.update(|all: &mut Vec<BlockRecord>| {
            all.retain(|x| !x.is(r));
            all.push(r.clone());
        })?;
        Ok(warning)
    }

    /// Forget the record of the same range and set as `r` (removed from the set).
    pub fn forget(&self, r: &BlockRecord) -> Result<Option<String>, String> {
        let ((), warning) = self.file.update(|all: &mut Vec<BlockRecord>| {
            all.retain(|x| !x.is(r));
        })?;
        Ok(warning)
    }

    /// The record of this range and set, if edgetop added it.
    pub fn find(&self, like: &BlockRecord) -> Option<BlockRecord> {
        self.all().0.into_iter().find(|x| x.is(like))
    }

    /// Settle records cut short, by what the set holds now (`holds`: the set's ranges, by
    /// set id, as just read): an `Adding` the set holds is added, one it does not is
    /// forgotten; a `Removing` the set no longer holds is forgotten, one it holds is added
    /// again. Returns what was settled, in words, for the operator.
    pub fn settle(
        &self,
        account: &str,
        region: &str,
        holds: &dyn Fn(&str, &str) -> Option<bool>,
    ) -> Result<Vec<String>, String> {
        let (said, _) = self.file.update(|all: &mut Vec<BlockRecord>| {
            let mut said = Vec::new();
            all.retain_mut(|r| {
                if r.account != account || r.region != region || !r.pending() {
                    return true;
                }
                let Some(held) = holds(&r.ip_set_id, &r.range) else {
                    return true;
                };
                let was = match r.state {
                    BlockState::Adding => "being added",
                    _ => "being removed",
                };
                let keep = held;
                said.push(format!(
                    "{} in IP set {} was {was} when edgetop stopped: the set {} it, so it is {}",
                    crate::model::Text::new(&r.range),
                    crate::model::Text::new(&r.ip_set),
                    if held { "holds" } else { "does not hold" },
                    if held {
                        "recorded as blocked"
                    } else {
                        "forgotten"
                    }
                ));
                r.state = BlockState::Added;
                keep
            });
            said
        })?;
        Ok(said)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(range: &str, state: BlockState) -> BlockRecord {
        BlockRecord {
            account: "111".into(),
            region: "eu-west-1".into(),
            scope: Scope::Regional,
            ip_set: "blocked".into(),
            ip_set_id: "id1".into(),
            range: range.into(),
            added: DateTime::UNIX_EPOCH,
            expires: None,
            state,
        }
    }

    #[test]
    fn records_cut_short_are_settled_by_what_the_set_holds() {
        let dir = std::env::temp_dir().join(format!("edgetop-blocks-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let b = Blocks::in_dir(&dir);
        b.put(&record("203.0.113.7/32", BlockState::Adding))
            .unwrap();
        b.put(&record("203.0.113.8/32", BlockState::Adding))
            .unwrap();
        b.put(&record("203.0.113.9/32", BlockState::Removing))
            .unwrap();
        b.put(&record("203.0.113.10/32", BlockState::Added))
            .unwrap();
        // The same range written another way replaces, not adds.
        b.put(&record("203.0.113.10/32", BlockState::Added))
            .unwrap();
        assert_eq!(b.all().0.len(), 4);
        let holds = |_: &str, range: &str| Some(range != "203.0.113.8/32");
        let said = b.settle("111", "eu-west-1", &holds).unwrap();
        assert_eq!(said.len(), 3, "{said:?}");
        assert!(
            said[1].contains("does not hold it, so it is forgotten"),
            "{said:?}"
        );
        let left: Vec<(String, BlockState)> =
            b.all().0.into_iter().map(|r| (r.range, r.state)).collect();
        assert_eq!(
            left,
            [
                ("203.0.113.7/32".to_string(), BlockState::Added),
                ("203.0.113.9/32".to_string(), BlockState::Added),
                ("203.0.113.10/32".to_string(), BlockState::Added),
            ]
        );
        b.forget(&record("203.0.113.9/32", BlockState::Added))
            .unwrap();
        assert_eq!(b.of("111", "eu-west-1").len(), 2);
        assert!(b.of("222", "eu-west-1").is_empty());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
