//! Toggling one thing in a web ACL without losing anyone else's change.
//!
//! UpdateWebACL replaces the whole web ACL, so: read it with its lock token, change exactly one
//! thing, send every other field back as read. If another writer got in between
//! (WAFOptimisticLockException), read again and re-apply only our change, a bounded number of
//! times. If the other writer changed the very rule we are toggling, stop and show how it
//! changed instead of overwriting it.
//!
//! The read, change and send loop is [`edit`]'s, shared with the rate limit's change.

mod edit;

use aws_sdk_wafv2::Client;
use aws_sdk_wafv2::operation::update_web_acl::builders::UpdateWebACLFluentBuilder;
use aws_sdk_wafv2::types::{self as w, CountAction, NoneAction, OverrideAction, RuleAction};

use super::Calls;
use super::connect::failure;
use super::wafv2::{aws_scope, custom_parts, inner_overrides, rule_action};
use crate::model::Action;
use crate::ops::kept::{Kept, KeptActions};
use crate::ops::{self, Progress, Reporter, StepState, Toggle};
use crate::source::{OpOutcome, SourceError};
pub use edit::*;

/// Reads and writes before giving up on a web ACL that keeps changing.
pub const MAX_TRIES: u32 = 5;

/// The setting the toggle is about, as the web ACL has it now.
pub fn current(rule: &w::Rule, t: &Toggle) -> Action {
    match &t.inner {
        None => rule_action(rule),
        Some(inner) => inner_overrides(rule.statement())
            .into_iter()
            .find(|o| o.name == *inner)
            .map_or(Action::GroupActions, |o| o.action),
    }
}

fn rule_action_for(a: Action) -> Result<RuleAction, String> {
    let b = RuleAction::builder();
    Ok(match a {
        Action::Block => b.block(w::BlockAction::builder().build()),
        Action::Count => b.count(CountAction::builder().build()),
        Action::Allow => b.allow(w::AllowAction::builder().build()),
        Action::Captcha => b.captcha(w::CaptchaAction::builder().build()),
        Action::Challenge => b.challenge(w::ChallengeAction::builder().build()),
        Action::GroupActions => return Err("a rule's action cannot be 'group'".into()),
    }
    .build())
}

fn http_headers(h: &[(String, String)]) -> Result<Vec<w::CustomHttpHeader>, String> {
    h.iter()
        .map(|(n, v)| {
            w::CustomHttpHeader::builder()
                .name(n)
                .value(v)
                .build()
                .map_err(|e| e.to_string())
        })
        .collect()
}

/// `a` with the custom parts of `k` that its kind can carry.
fn with_parts(mut a: RuleAction, k: &Kept) -> Result<RuleAction, String> {
    let handling = || -> Result<Option<w::CustomRequestHandling>, String> {
        if k.insert_headers.is_empty() {
            return Ok(None);
        }
        w::CustomRequestHandling::builder()
            .set_insert_headers(Some(http_headers(&k.insert_headers)?))
            .build()
            .map(Some)
            .map_err(|e| e.to_string())
    };
    if let (Some(b), Some(code)) = (a.block.as_mut(), k.response_code) {
        b.custom_response = Some(
            w::CustomResponse::builder()
                .response_code(code)
                .set_custom_response_body_key(k.body_key.clone())
                .set_response_headers(
                    Some(http_headers(&k.response_headers)?).filter(|h| !h.is_empty()),
                )
                .build()
                .map_err(|e| e.to_string())?,
        );
    }
    if let Some(c) = a.count.as_mut() {
        c.custom_request_handling = handling()?;
    }
    if let Some(c) = a.allow.as_mut() {
        c.custom_request_handling = handling()?;
    }
    if let Some(c) = a.captcha.as_mut() {
        c.custom_request_handling = handling()?;
    }
    if let Some(c) = a.challenge.as_mut() {
        c.custom_request_handling = handling()?;
    }
    Ok(a)
}

/// What happens to custom parts in a rule's toggle: those of the action replaced are kept;
/// those kept earlier for the action it returns to are put back.
struct Carry {
    put: Option<(String, Kept)>,
    back: Option<(String, Kept)>,
    /// The kept actions file could not be read: said with the outcome.
    warning: Option<String>,
}

impl Carry {
    fn key(t: &Toggle, a: Action) -> String {
        KeptActions::key(
            t.scope.label(),
            t.web_acl_id.as_str(),
            t.rule.as_str(),
            a.label(),
        )
    }

    /// For a rule's own action (not a group's override, nor an inner rule's).
    fn plan(rule: &w::Rule, t: &Toggle, kept: &KeptActions) -> Carry {
        if t.inner.is_some() || rule.override_action.is_some() {
            return Carry {
                put: None,
                back: None,
                warning: None,
            };
        }
        let put = rule
            .action
            .as_ref()
            .and_then(custom_parts)
            .map(|k| (Carry::key(t, t.from), k));
        let key = Carry::key(t, t.to);
        let (back, warning) = kept.get(&key);
        Carry {
            put,
            back: back.map(|k| (key, k)),
            warning,
        }
    }

    fn apply(&self, rule: &mut w::Rule) -> Result<(), String> {
        let Some((_, k)) = &self.back else {
            return Ok(());
        };
        if let Some(a) = rule.action.take() {
            rule.action = Some(with_parts(a, k)?);
        }
        Ok(())
    }

    /// Keep what the action replaced carries, before the change is sent: a crash after WAF
    /// accepts it cannot lose it then. Refused when it cannot be written, since the change
    /// would lose it for good.
    fn keep(&mut self, kept: &KeptActions, t: &Toggle) -> Result<(), SourceError> {
        let Some((key, k)) = &self.put else {
            return Ok(());
        };
        match kept.update(Some((key, k)), None) {
            Ok(w) => {
                self.warning = self.warning.take().or(w);
                Ok(())
            }
            Err(e) => Err(refused(format!(
                "the {}'s {} cannot be kept on this machine ({e}), and {} cannot carry it: \
                 nothing was sent",
                t.from.label(),
                k.describe(),
                t.to.label()
            ))),
        }
    }

    /// Once WAF accepted the change: forget what was put back; said in words.
    fn commit(&self, kept: &KeptActions, t: &Toggle) -> String {
        let mut said = String::new();
        if let Some((key, k)) = &self.back {
            said.push_str(&format!(
                "; its earlier {} ({}) is back",
                t.to.label(),
                k.describe()
            ));
            if let Err(e) = kept.update(None, Some(key)) {
                tracing::warn!(error = %e, "kept actions: what was put back stays listed");
            }
        }
        if let Some((_, k)) = &self.put {
            said.push_str(&format!(
                "; the {}'s {} is kept on this machine for the way back",
                t.from.label(),
                k.describe()
            ));
        }
        if let Some(w) = &self.warning {
            said.push_str(&format!("; warning: {w}"));
        }
        said
    }
}

/// Make the one change in `rule`.
pub fn set(rule: &mut w::Rule, t: &Toggle) -> Result<(), String> {
    match &t.inner {
        None if rule.override_action.is_some() => {
            rule.override_action = Some(match t.to {
                Action::Count => OverrideAction::builder()
                    .count(CountAction::builder().build())
                    .build(),
                Action::GroupActions => OverrideAction::builder()
                    .none(NoneAction::builder().build())
                    .build(),
                other => {
                    return Err(format!(
                        "a rule group's override is None or Count, not {}",
                        other.label()
                    ));
                }
            });
        }
        None => rule.action = Some(rule_action_for(t.to)?),
        Some(inner) => {
            let statement = rule.statement.as_mut().ok_or("the rule has no statement")?;
            let (overrides, excluded) =
                if let Some(m) = statement.managed_rule_group_statement.as_mut() {
                    (&mut m.rule_action_overrides, &mut m.excluded_rules)
                } else if let Some(g) = statement.rule_group_reference_statement.as_mut() {
                    (&mut g.rule_action_overrides, &mut g.excluded_rules)
                } else {
                    return Err(format!("{} is not a rule group", t.rule));
                };
            // An ExcludedRules entry is the older form of a Count override: the override now
            // says what this rule does, so its entry goes.
            if let Some(list) = excluded.as_mut() {
                list.retain(|e| e.name != inner.as_str());
                if list.is_empty() {
                    *excluded = None;
                }
            }
            let list = overrides.get_or_insert_with(Vec::new);
            list.retain(|o| o.name != inner.as_str());
            if t.to != Action::GroupActions {
                list.push(
                    w::RuleActionOverride::builder()
                        .name(inner.as_str())
                        .action_to_use(rule_action_for(t.to)?)
                        .build()
                        .map_err(|e| e.to_string())?,
                );
            }
            if list.is_empty() {
                *overrides = None;
            }
        }
    }
    Ok(())
}

/// How a rule changed between two reads, in words.
pub fn difference(before: &w::Rule, after: &w::Rule, t: &Toggle) -> String {
    let inner = t.inner.is_some();
    let mut out = Vec::new();
    let (b, a) = (current(before, t), current(after, t));
    if a != b {
        out.push(format!(
            "{} went from {} to {}",
            t.subject(),
            ops::label(b, inner),
            ops::label(a, inner)
        ));
    }
    if before.priority != after.priority {
        out.push(format!(
            "its priority went from {} to {}",
            before.priority, after.priority
        ));
    }
    if rule_action(before) != rule_action(after) && inner {
        out.push(format!(
            "the group's override went from {} to {}",
            rule_action(before).label(),
            rule_action(after).label()
        ));
    }
    if before.statement != after.statement && a == b {
        out.push("its statement changed".into());
    }
    if before.rule_labels != after.rule_labels
        || before.visibility_config != after.visibility_config
    {
        out.push("its labels or metrics settings changed".into());
    }
    if out.is_empty() {
        out.push("it changed".into());
    }
    out.join("; ")
}

fn refused(msg: String) -> SourceError {
    SourceError::Refused(msg)
}

/// The rule as read now against what the operator saw (the first read) and what the last
/// read showed: already done (`Some`), changed by someone else (a refusal), or fine to send.
fn unchanged_since_read(
    first: &mut Option<w::Rule>,
    rule: &w::Rule,
    t: &Toggle,
) -> Result<Option<OpOutcome>, SourceError> {
    let now = current(rule, t);
    match first {
        None => {
            if now == t.to {
                return Ok(Some(OpOutcome::said(format!(
                    "{} is already {}: nothing was sent",
                    t.subject(),
                    ops::label(t.to, t.inner.is_some())
                ))));
            }
            if now != t.from {
                return Err(refused(format!(
                    "conflict: {} is {} now, not {} as on your screen; someone changed it \
                     since the last read, so nothing was sent. Look again and decide.",
                    t.subject(),
                    ops::label(now, t.inner.is_some()),
                    ops::label(t.from, t.inner.is_some())
                )));
            }
            *first = Some(rule.clone());
        }
        Some(seen) if seen != rule => {
            return Err(refused(format!(
                "conflict: between our read and our write someone else changed {} itself: \
                 {}. Nothing of ours was sent; look again and decide.",
                t.rule,
                difference(seen, rule, t)
            )));
        }
        Some(_) => {}
    }
    Ok(None)
}

/// What an accepted toggle says: retries after someone else's changes, and what it carried.
fn accepted(t: &Toggle, attempt: u32, carried: &str) -> String {
    let retried = if attempt > 1 {
        format!(
            " (after {} concurrent change{} by someone else, kept)",
            attempt - 1,
            if attempt > 2 { "s" } else { "" }
        )
    } else {
        String::new()
    };
    format!(
        "accepted: {} in {} is now {}{retried}{carried}; WAF may take a minute to apply it",
        t.subject(),
        t.web_acl,
        ops::label(t.to, t.inner.is_some())
    )
}

/// A toggle, as a [`RuleEdit`]: what it carries across is planned anew at each try.
struct ToggleEdit<'a> {
    t: &'a Toggle,
    kept: &'a KeptActions,
    first: Option<w::Rule>,
    carry: Option<Carry>,
}

impl RuleEdit for ToggleEdit<'_> {
    fn title(&self) -> String {
        ops::toggle_plan(self.t).title
    }

    fn write_step(&self) -> String {
        format!("Set {} and send the web ACL back", self.t.subject())
    }

    fn check(&mut self, rule: &w::Rule) -> Result<Option<OpOutcome>, SourceError> {
        let done = unchanged_since_read(&mut self.first, rule, self.t)?;
        if done.is_none() {
            self.carry = Some(Carry::plan(rule, self.t, self.kept));
        }
        Ok(done)
    }

    fn edit(&mut self, rule: &mut w::Rule) -> Result<(), SourceError> {
        set(rule, self.t).map_err(refused)?;
        if let Some(c) = &self.carry {
            c.apply(rule).map_err(refused)?;
        }
        Ok(())
    }

    fn before_send(&mut self) -> Result<(), SourceError> {
        match &mut self.carry {
            Some(c) => c.keep(self.kept, self.t),
            None => Ok(()),
        }
    }

    fn accepted(&self, attempt: u32) -> String {
        let carried = self
            .carry
            .as_ref()
            .map_or(String::new(), |c| c.commit(self.kept, self.t));
        accepted(self.t, attempt, &carried)
    }
}

pub async fn run(
    c: &Client,
    t: &Toggle,
    kept: &KeptActions,
    progress: &Reporter,
    calls: &mut Calls,
) -> Result<OpOutcome, SourceError> {
    let mut e = ToggleEdit {
        t,
        kept,
        first: None,
        carry: None,
    };
    edit_rule(
        c,
        t.scope,
        (t.web_acl.as_str(), t.web_acl_id.as_str()),
        t.rule.as_str(),
        &mut e,
        progress,
        calls,
    )
    .await
}

#[cfg(test)]
mod tests;
