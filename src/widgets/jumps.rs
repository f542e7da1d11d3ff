//! What changed a lot between two polls, emphasised for one refresh: a rule's blocked or
//! counted requests a minute, a stage's requests or 429s a minute jumping (at least doubled,
//! and by at least [`MIN_RISE`] a minute), an API key crossing [`QUOTA_MARK`] of its quota. An
//! age or a change under the thresholds is never emphasised: a dashboard that flashes for
//! everything draws the eye to nothing.

use std::collections::{HashMap, HashSet};

use ratatui::style::{Modifier, Style};
use ratatui::widgets::Cell;

use crate::model::{ApiKey, RestApi, Rule, Snapshot, Stage, WebAcl};

/// A figure a minute must rise by at least this much to be a jump.
pub const MIN_RISE: f64 = 20.0;
/// A key crossing this share of its quota is emphasised.
pub const QUOTA_MARK: f64 = 0.8;

/// The cells to emphasise: (what row, which column).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Jumps(HashSet<(String, &'static str)>);

pub fn rule_id(w: &WebAcl, r: &Rule) -> String {
    format!("rule {} {} {}", w.place.0, w.id, r.name)
}

pub fn stage_id(a: &RestApi, s: &Stage) -> String {
    format!("stage {} {} {}", a.place.0, a.id, s.name)
}

pub fn key_id(k: &ApiKey) -> String {
    format!("key {} {}", k.place.0, k.id)
}

/// At least doubled, and by at least [`MIN_RISE`].
fn jumped(then: f64, now: f64) -> bool {
    now >= then * 2.0 && now - then >= MIN_RISE
}

impl Jumps {
    /// What changed a lot from `old` to `new`.
    pub fn between(old: &Snapshot, new: &Snapshot) -> Jumps {
        let mut out = HashSet::new();
        let rules: HashMap<String, &Rule> = old.rules().map(|(w, r)| (rule_id(w, r), r)).collect();
        for (w, r) in new.rules() {
            let id = rule_id(w, r);
            let Some(o) = rules.get(&id) else { continue };
            if jumped(o.metrics.blocked.last(), r.metrics.blocked.last()) {
                out.insert((id.clone(), "block/m"));
            }
            if jumped(o.metrics.counted.last(), r.metrics.counted.last()) {
                out.insert((id, "count/m"));
            }
        }
        let stages: HashMap<String, &Stage> =
            old.all_stages().map(|(a, s)| (stage_id(a, s), s)).collect();
        for (a, s) in new.all_stages() {
            let id = stage_id(a, s);
            let Some(o) = stages.get(&id) else { continue };
            if jumped(o.metrics.count.last(), s.metrics.count.last()) {
                out.insert((id.clone(), "req/min"));
            }
            if jumped(o.refused_per_min().0, s.refused_per_min().0) {
                out.insert((id, "429/min"));
            }
        }
        // Up to 10,000 keys a poll: looked up by what they are, no name made unless one crossed.
        let keys: HashMap<(u16, &str), f64> = old
            .api_keys
            .iter()
            .filter_map(|k| Some(((k.place.0, k.id.as_str()), k.quota_used()?)))
            .collect();
        for k in &new.api_keys {
            if let (Some(then), Some(now)) = (keys.get(&(k.place.0, k.id.as_str())), k.quota_used())
                && *then < QUOTA_MARK
                && now >= QUOTA_MARK
            {
                out.insert((key_id(k), "quota used"));
            }
        }
        Jumps(out)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn has(&self, row: &str, column: &'static str) -> bool {
        self.0.contains(&(row.to_string(), column))
    }
}

/// `cell`, emphasised when `jumped` (reverse video and bold: seen without colour too).
pub fn emphasise(cell: Cell<'static>, jumped: bool) -> Cell<'static> {
    match jumped {
        true => cell.style(Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)),
        false => cell,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_jump_is_a_doubling_by_enough() {
        assert!(jumped(10.0, 40.0));
        assert!(jumped(0.0, 20.0));
        assert!(!jumped(0.0, 19.0), "too small to matter");
        assert!(!jumped(100.0, 190.0), "not doubled");
        assert!(!jumped(40.0, 10.0), "a fall is not emphasised");
    }
}
