//! What the operator changed and when (sim time): rule toggles and key rotations.
//! A snapshot at `now` sees only the changes made at or before `now`.

use chrono::{DateTime, Duration, Utc};

use super::scenario::{KeyDef, Scenario};
use crate::model::Action;

/// When a key carried its client's traffic: [from, to).
#[derive(Clone, Copy, Debug)]
pub struct Active {
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug)]
pub struct Toggle {
    pub acl: usize,
    pub rule: usize,
    pub to: Action,
    pub at: DateTime<Utc>,
}

/// An override of one rule inside a managed group (GroupActions: none).
#[derive(Clone, Debug)]
pub struct InnerToggle {
    pub acl: usize,
    pub rule: usize,
    pub inner: String,
    pub to: Action,
    pub at: DateTime<Utc>,
}

/// A range added to (or removed from) the IP set of a rule.
#[derive(Clone, Debug)]
pub struct IpChange {
    pub acl: usize,
    pub rule: usize,
    pub range: ipnet::IpNet,
    pub add: bool,
    /// When an addition is to be removed again.
    pub expires: Option<DateTime<Utc>>,
    pub at: DateTime<Utc>,
}

/// A rate-based rule's new limit and window.
#[derive(Clone, Debug)]
pub struct RateChange {
    pub acl: usize,
    pub rule: usize,
    pub limit: u64,
    pub window_secs: u32,
    pub at: DateTime<Utc>,
}

/// A key disabled or enabled.
#[derive(Clone, Debug)]
pub struct KeySwitch {
    pub key_id: String,
    pub enabled: bool,
    pub at: DateTime<Utc>,
}

/// The account's changes, in time order.
#[derive(Clone, Debug, Default)]
pub struct Timeline {
    pub toggles: Vec<Toggle>,
    pub inner_toggles: Vec<InnerToggle>,
    /// Keys created by rotation (their `since` is the rotation time).
    pub new_keys: Vec<KeyDef>,
    pub ip_changes: Vec<IpChange>,
    pub rate_changes: Vec<RateChange>,
    pub key_switches: Vec<KeySwitch>,
}

/// How long a distribution stays InProgress after its origin header changed.
pub const DEPLOY_TIME: Duration = Duration::seconds(90);

/// The changes of `all` made at or before `now`.
fn upto<T: Clone>(all: &[T], at: impl Fn(&T) -> DateTime<Utc>, now: DateTime<Utc>) -> Vec<T> {
    all.iter().filter(|c| at(c) <= now).cloned().collect()
}

/// The minute index (minutes since the Unix epoch) of an instant.
pub fn minute_of(t: DateTime<Utc>) -> i64 {
    t.timestamp().div_euclid(60)
}

impl Timeline {
    /// Only the changes made at or before `now`.
    pub fn as_of(&self, now: DateTime<Utc>) -> Timeline {
        Timeline {
            toggles: self
                .toggles
                .iter()
                .filter(|t| t.at <= now)
                .cloned()
                .collect(),
            inner_toggles: self
                .inner_toggles
                .iter()
                .filter(|t| t.at <= now)
                .cloned()
                .collect(),
            new_keys: self
                .new_keys
                .iter()
                .filter(|k| k.since.is_some_and(|s| s <= now))
                .cloned()
                .collect(),
            ip_changes: upto(&self.ip_changes, |c| c.at, now),
            rate_changes: upto(&self.rate_changes, |c| c.at, now),
            key_switches: upto(&self.key_switches, |c| c.at, now),
        }
    }

    /// The ranges edgetop added to rule `rule`'s IP set and did not remove, by changes made
    /// in or before minute `m` (every change, with `None`), with their expiry.
    pub fn added_ranges(
        &self,
        acl: usize,
        rule: usize,
        m: Option<i64>,
    ) -> Vec<(ipnet::IpNet, &IpChange)> {
        let mut out: Vec<(ipnet::IpNet, &IpChange)> = Vec::new();
        for c in self
            .ip_changes
            .iter()
            .filter(|c| c.acl == acl && c.rule == rule && m.is_none_or(|m| minute_of(c.at) <= m))
        {
            out.retain(|(r, _)| *r != c.range);
            if c.add {
                out.push((c.range, c));
            }
        }
        out
    }

    /// A rate-based rule's limit and window (seconds) after every change here, or as defined.
    pub fn rate_now(&self, acl: usize, rule: usize, defined: (u64, u32)) -> (u64, u32) {
        self.rate_changes
            .iter()
            .rev()
            .find(|c| c.acl == acl && c.rule == rule)
            .map_or(defined, |c| (c.limit, c.window_secs))
    }

    /// The same, for traffic in minute `m`.
    pub fn rate_in_minute(
        &self,
        acl: usize,
        rule: usize,
        m: i64,
        defined: (u64, u32),
    ) -> (u64, u32) {
        self.rate_changes
            .iter()
            .rev()
            .find(|c| c.acl == acl && c.rule == rule && minute_of(c.at) <= m)
            .map_or(defined, |c| (c.limit, c.window_secs))
    }

    /// Whether the operator disabled key `key_id` at or before `t` (and did not enable it
    /// again since).
    pub fn switched_off(&self, key_id: &str, t: DateTime<Utc>) -> bool {
        self.key_switches
            .iter()
            .rev()
            .find(|s| s.key_id == key_id && s.at <= t)
            .is_some_and(|s| !s.enabled)
    }

    pub fn record_toggle(&mut self, toggle: Toggle) {
        let at = self.toggles.partition_point(|t| t.at <= toggle.at);
        self.toggles.insert(at, toggle);
    }

    /// The rule's action for traffic in minute `m`: a change applies from its own minute on.
    pub fn action_in_minute(&self, sc: &Scenario, acl: usize, rule: usize, m: i64) -> Action {
        self.toggles
            .iter()
            .rev()
            .find(|t| t.acl == acl && t.rule == rule && minute_of(t.at) <= m)
            .map_or(sc.acls[acl].rules[rule].action, |t| t.to)
    }

    /// The rule's configured action after every change in this timeline.
    pub fn action_now(&self, sc: &Scenario, acl: usize, rule: usize) -> Action {
        self.toggles
            .iter()
            .rev()
            .find(|t| t.acl == acl && t.rule == rule)
            .map_or(sc.acls[acl].rules[rule].action, |t| t.to)
    }

    /// The override of rule `inner` inside group rule `rule`, after every change here.
    pub fn inner_now(&self, acl: usize, rule: usize, inner: &str) -> Action {
        self.inner_toggles
            .iter()
            .rev()
            .find(|t| t.acl == acl && t.rule == rule && t.inner == inner)
            .map_or(Action::GroupActions, |t| t.to)
    }

    /// Every key of the account: the initial ones, then rotated ones in creation order.
    pub fn keys<'a>(&'a self, sc: &'a Scenario) -> impl Iterator<Item = &'a KeyDef> {
        sc.keys.iter().chain(self.new_keys.iter())
    }

    /// When `key` carries its client's traffic: until the next key of the same client.
    pub fn active(&self, key: &KeyDef) -> Active {
        let successor = self
            .new_keys
            .iter()
            .filter(|k| k.client == key.client && k.since > key.since)
            .filter_map(|k| k.since)
            .min();
        Active {
            from: key.since,
            to: successor,
        }
    }

    /// A replaced key is disabled once its successor's distributions have deployed, as the
    /// real rotation does (before that, both keys work).
    pub fn enabled(&self, key: &KeyDef, now: DateTime<Utc>) -> bool {
        !key.retired
            && !self.switched_off(&key.id, now)
            && self.active(key).to.is_none_or(|t| now < t + DEPLOY_TIME)
    }

    /// The key has been replaced (a rotation began), whether or not it is disabled yet.
    pub fn replaced(&self, key: &KeyDef) -> bool {
        key.retired || self.active(key).to.is_some()
    }

    /// The key carrying `client`'s traffic at `t`.
    pub fn key_for_client<'a>(
        &'a self,
        sc: &'a Scenario,
        client: usize,
        t: DateTime<Utc>,
    ) -> Option<&'a KeyDef> {
        self.keys(sc)
            .filter(|k| k.client == Some(client) && !k.retired && k.since.is_none_or(|s| s <= t))
            .max_by_key(|k| k.since)
    }
}
