//! Undo: the operation that takes back a succeeded one, as the account is now.

use super::*;
use crate::ops::Toggle;

/// The place an operation recorded in the audit log acts in now: the place of the same
/// account and region in `snap` (place numbers differ between runs).
pub(super) fn place_now(snap: &Snapshot, at: Option<&At>) -> Result<Place, OpError> {
    let Some(at) = at else {
        return Ok(Place::default());
    };
    match snap
        .places
        .iter()
        .position(|p| p.account.id == at.account && p.account.region == at.region)
    {
        Some(i) => Ok(Place(i as u16)),
        None if snap.places.is_empty()
            && snap.account.id == at.account
            && snap.account.region == at.region =>
        {
            Ok(Place::default())
        }
        None => refused(format!(
            "{at} is not in view: undo it where it was done (--profile, --region)"
        )),
    }
}

/// The operation that undoes `done` (a succeeded one, from the audit log), as the account is
/// now.
pub fn undo_of(done: &Op, snap: &Snapshot) -> Result<Op, OpError> {
    let place = place_now(snap, done.at())?;
    let at = At::of(snap, place).map(Box::new);
    match done {
        Op::Block(b) => unblock_of(
            snap,
            place,
            b.range.as_str(),
            Some(b.ip_set.id.as_str()),
            Why::Undo,
        ),
        Op::Unblock(u) => block_again(snap, place, u),
        Op::RateLimit(r) => {
            let (acl, rule) = find_rule(snap, place, r.scope, r.web_acl.as_str(), r.rule.as_str())?;
            match &rule.kind {
                RuleKind::RateBased {
                    limit, window_secs, ..
                } if *limit == r.to.limit && *window_secs == r.to.window_secs => {
                    rate_limit_of(snap, acl, rule, r.from.limit, Some(r.from.window_secs))
                }
                _ => refused(format!(
                    "{} is no longer {} (someone changed it since): look again and decide",
                    r.rule, r.to
                )),
            }
        }
        Op::SetKeyEnabled(k) => {
            let key = snap
                .api_keys
                .iter()
                .find(|x| x.place == place && x.id == k.key_id)
                .ok_or_else(|| OpError::Refused(format!("API key {} is gone", k.key_name)))?;
            key_switch_of(snap, key, !k.enable)
        }
        Op::ToggleRule(t) => toggle_back(snap, place, t, at.map(|a| *a)),
        Op::RotateKey { .. } | Op::ResumeRotation { .. } => refused(
            "a rotation is undone by rolling it back while it is unfinished (:rotations); a \
             finished one is undone by rotating again"
                .into(),
        ),
        Op::DeleteOldKey(d) => refused(format!(
            "API key {} was deleted: that cannot be undone",
            d.key_name
        )),
    }
}

/// Add back what an unblock took out of its IP set, where a Block rule still uses the set.
fn block_again(snap: &Snapshot, place: Place, u: &Unblock) -> Result<Op, OpError> {
    let set = snap
        .ip_sets
        .iter()
        .find(|s| s.place == place && s.id == u.ip_set.id);
    let Some(set) = set else {
        return refused(format!("IP set {} is not in view any more", u.ip_set.name));
    };
    let acls: Vec<&str> = referencing(snap, set, Action::Block)
        .iter()
        .map(|(a, _)| a.name.as_str())
        .collect();
    let mut ops = block_choices(snap, place, u.range.as_str(), Some(&acls), None)?;
    ops.retain(|o| matches!(o, Op::Block(b) if b.ip_set.id == u.ip_set.id));
    ops.pop()
        .ok_or_else(|| OpError::Refused(format!("IP set {} takes it no more", u.ip_set.name)))
}

/// Toggle a rule back, when it is still as the toggle left it.
fn toggle_back(snap: &Snapshot, place: Place, t: &Toggle, at: Option<At>) -> Result<Op, OpError> {
    let (acl, rule) = find_rule(snap, place, t.scope, t.web_acl.as_str(), t.rule.as_str())?;
    let now = match &t.inner {
        None => rule.action,
        Some(i) => match &rule.kind {
            RuleKind::ManagedGroup { inner_rules, .. } => inner_rules
                .iter()
                .find(|x| x.name == *i)
                .map_or(Action::GroupActions, |x| x.action),
            _ => Action::GroupActions,
        },
    };
    if now != t.to {
        return refused(format!(
            "{} is {} now, not {} as the toggle left it: look again and decide",
            t.subject(),
            crate::ops::label(now, t.inner.is_some()),
            crate::ops::label(t.to, t.inner.is_some())
        ));
    }
    crate::ops::procedure::toggle_of(acl, rule, t.inner.as_ref().map(|i| i.as_str()))
        .map(|op| op.acting_at(at))
}

pub(super) fn find_rule<'a>(
    snap: &'a Snapshot,
    place: Place,
    scope: Scope,
    web_acl: &str,
    rule: &str,
) -> Result<(&'a WebAcl, &'a crate::model::Rule), OpError> {
    let acl = snap
        .web_acls
        .iter()
        .find(|a| a.place == place && a.scope == scope && a.name.as_str() == web_acl)
        .ok_or_else(|| {
            OpError::Refused(format!("web ACL {} is not in view", Text::new(web_acl)))
        })?;
    let r = acl
        .rules
        .iter()
        .find(|r| r.name.as_str() == rule)
        .ok_or_else(|| {
            OpError::Refused(format!(
                "web ACL {} has no rule {} now",
                acl.name,
                Text::new(rule)
            ))
        })?;
    Ok((acl, r))
}
