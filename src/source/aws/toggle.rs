//! Toggling one thing in a web ACL without losing anyone else's change.
//!
//! UpdateWebACL replaces the whole web ACL, so: read it with its lock token, change exactly one
//! thing, send every other field back as read. If another writer got in between
//! (WAFOptimisticLockException), read again and re-apply only our change, a bounded number of
//! times. If the other writer changed the very rule we are toggling, stop and show how it
//! changed instead of overwriting it.
//!
//! Long because its tests sit beside it: under 500 lines of code, the rest tests of what an
//! update carries and keeps.

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

/// UpdateWebACL with every field it accepts taken from `acl` as read, the rules replaced by
/// `rules`. (Capacity, ARN, label namespace and Firewall Manager's fields are read-only.)
pub fn update_request(
    c: &Client,
    acl: &w::WebAcl,
    scope: w::Scope,
    rules: Vec<w::Rule>,
    lock_token: &str,
) -> UpdateWebACLFluentBuilder {
    c.update_web_acl()
        .name(acl.name())
        .scope(scope)
        .id(acl.id())
        .lock_token(lock_token)
        .set_default_action(acl.default_action.clone())
        .set_description(acl.description.clone())
        .set_rules(Some(rules))
        .set_visibility_config(acl.visibility_config.clone())
        .set_data_protection_config(acl.data_protection_config.clone())
        .set_custom_response_bodies(acl.custom_response_bodies.clone())
        .set_captcha_config(acl.captcha_config.clone())
        .set_challenge_config(acl.challenge_config.clone())
        .set_token_domains(acl.token_domains.clone())
        .set_association_config(acl.association_config.clone())
        .set_on_source_d_do_s_protection_config(acl.on_source_d_do_s_protection_config.clone())
        .set_application_config(acl.application_config.clone())
        .set_monetization_config(acl.monetization_config.clone())
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

/// The web ACL as it is now, with the lock token an update needs.
async fn read_acl(
    c: &Client,
    name: &str,
    id: &str,
    scope: w::Scope,
    calls: &mut Calls,
) -> Result<aws_sdk_wafv2::operation::get_web_acl::GetWebAclOutput, SourceError> {
    calls.add("wafv2:GetWebACL");
    c.get_web_acl()
        .name(name)
        .id(id)
        .scope(scope)
        .send()
        .await
        .map_err(|e| SourceError::Failed(failure("wafv2:GetWebACL", &e).to_string()))
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

/// What a CloudFront flat-rate pricing plan does not include, as WAF names it (its
/// `DisallowedFeatures`: each feature, and the plan that would include it).
fn pricing_plan_features(features: &[w::DisallowedFeature]) -> String {
    let named: Vec<String> = features
        .iter()
        .map(|f| {
            let what = crate::model::Text::new(f.feature().unwrap_or("a WAF feature"));
            match f.required_pricing_plan() {
                Some(p) => format!("{what} (the {} plan does)", crate::model::Text::new(p)),
                None => what.to_string(),
            }
        })
        .collect();
    if named.is_empty() {
        "what this change needs".into()
    } else {
        named.join(", ")
    }
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

/// One change to one rule of a web ACL, made by [`edit_rule`]: what the rule must look like,
/// how to change it, and what to say once WAF accepted it.
pub trait RuleEdit {
    /// The progress's title.
    fn title(&self) -> String;
    /// The write step, in words: "Set GeoScrapers and send the web ACL back".
    fn write_step(&self) -> String;
    /// The rule as read: already as asked (`Some`: nothing is sent), changed by someone else
    /// since the screen's read or our last one (a refusal), or fine to change.
    fn check(&mut self, rule: &w::Rule) -> Result<Option<OpOutcome>, SourceError>;
    /// Make the one change.
    fn edit(&mut self, rule: &mut w::Rule) -> Result<(), SourceError>;
    /// Just before the update is sent (what must be kept first).
    fn before_send(&mut self) -> Result<(), SourceError> {
        Ok(())
    }
    /// What the accepted change says, after `attempt` tries.
    fn accepted(&self, attempt: u32) -> String;
}

/// Read web ACL `acl` (of `scope`) with its lock token, make `e`'s change to rule `rule`, and
/// send every other field back as read; on a stale lock token read again and re-apply only
/// this change, at most [`MAX_TRIES`] times.
#[allow(clippy::too_many_arguments)]
pub async fn edit_rule(
    c: &Client,
    scope: crate::model::Scope,
    acl: (&str, &str),
    rule_name: &str,
    e: &mut impl RuleEdit,
    progress: &Reporter,
    calls: &mut Calls,
) -> Result<OpOutcome, SourceError> {
    let (acl_name, acl_id) = acl;
    let waf_scope = aws_scope(scope);
    let title = e.title();
    let write_step = e.write_step();
    let report = |read: StepState, write: StepState, detail: String| {
        progress.report(Progress {
            title: title.clone(),
            steps: vec![
                (format!("Read web ACL {acl_name} and its lock token"), read),
                (write_step.clone(), write),
            ],
            detail,
        })
    };
    for attempt in 1..=MAX_TRIES {
        report(
            StepState::Running,
            StepState::Waiting,
            if attempt > 1 {
                format!(
                    "someone else changed the web ACL meanwhile: reading it again (try {attempt} of {MAX_TRIES})"
                )
            } else {
                String::new()
            },
        );
        let got = read_acl(c, acl_name, acl_id, waf_scope.clone(), calls).await?;
        let (Some(web_acl), Some(lock)) = (got.web_acl(), got.lock_token()) else {
            return Err(SourceError::Failed(
                "GetWebACL returned no web ACL or no lock token".into(),
            ));
        };
        let Some(rule) = web_acl.rules().iter().find(|r| r.name() == rule_name) else {
            return Err(refused(format!(
                "rule {} is no longer in web ACL {}: nothing was sent",
                crate::model::Text::new(rule_name),
                crate::model::Text::new(acl_name)
            )));
        };
        if let Some(done) = e.check(rule)? {
            return Ok(done);
        }
        let mut rules = web_acl.rules().to_vec();
        for r in rules.iter_mut().filter(|r| r.name() == rule_name) {
            e.edit(r)?;
        }
        e.before_send()?;
        report(StepState::Done, StepState::Running, String::new());
        calls.add("wafv2:UpdateWebACL");
        match update_request(c, web_acl, waf_scope.clone(), rules, lock)
            .send()
            .await
        {
            Ok(_) => {
                report(StepState::Done, StepState::Done, String::new());
                return Ok(OpOutcome::said(e.accepted(attempt)));
            }
            Err(err)
                if err
                    .as_service_error()
                    .is_some_and(|se| se.is_waf_optimistic_lock_exception()) =>
            {
                tracing::info!(attempt, web_acl = %crate::model::Text::new(acl_name), "stale lock token: reading again");
                continue;
            }
            Err(err)
                if err.as_service_error().is_some_and(|se| {
                    se.is_waf_feature_not_included_in_pricing_plan_exception()
                }) =>
            {
                report(StepState::Done, StepState::Failed, String::new());
                let features = match err.as_service_error() {
                    Some(aws_sdk_wafv2::operation::update_web_acl::UpdateWebACLError::WafFeatureNotIncludedInPricingPlanException(x)) => {
                        pricing_plan_features(x.disallowed_features())
                    }
                    _ => String::new(),
                };
                return Err(refused(format!(
                    "WAF refused the change: web ACL {} protects a CloudFront distribution on a \
                     flat-rate pricing plan that does not include {features}. Nothing was \
                     changed; a change of the distribution's pricing plan (in the CloudFront \
                     console) allows it",
                    crate::model::Text::new(acl_name)
                )));
            }
            Err(err) => {
                report(StepState::Done, StepState::Failed, String::new());
                return Err(SourceError::Failed(
                    failure("wafv2:UpdateWebACL", &err).to_string(),
                ));
            }
        }
    }
    Err(SourceError::Failed(format!(
        "web ACL {} changed under us {MAX_TRIES} times in a row; nothing of ours was applied. \
         Try again in a moment.",
        crate::model::Text::new(acl_name)
    )))
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
mod tests {
    use super::*;
    use crate::model::{Scope, Text};

    fn toggle(inner: Option<&str>, from: Action, to: Action) -> Toggle {
        Toggle {
            at: Default::default(),
            scope: Scope::Regional,
            web_acl_id: Text::new("id"),
            web_acl: Text::new("acl"),
            rule: Text::new("r"),
            inner: inner.map(Text::new),
            from,
            to,
            custom: None,
            kept: None,
        }
    }

    fn visibility() -> w::VisibilityConfig {
        w::VisibilityConfig::builder()
            .sampled_requests_enabled(true)
            .cloud_watch_metrics_enabled(true)
            .metric_name("m")
            .build()
            .unwrap()
    }

    fn managed_rule() -> w::Rule {
        w::Rule::builder()
            .name("r")
            .priority(1)
            .statement(
                w::Statement::builder()
                    .managed_rule_group_statement(
                        w::ManagedRuleGroupStatement::builder()
                            .vendor_name("AWS")
                            .name("AWSManagedRulesCommonRuleSet")
                            .build()
                            .unwrap(),
                    )
                    .build(),
            )
            .override_action(
                OverrideAction::builder()
                    .none(NoneAction::builder().build())
                    .build(),
            )
            .visibility_config(visibility())
            .build()
            .unwrap()
    }

    #[test]
    fn a_rules_action_flips_and_nothing_else_moves() {
        let mut r = w::Rule::builder()
            .name("r")
            .priority(3)
            .action(rule_action_for(Action::Block).unwrap())
            .visibility_config(visibility())
            .build()
            .unwrap();
        let before = r.clone();
        let t = toggle(None, Action::Block, Action::Count);
        set(&mut r, &t).unwrap();
        assert_eq!(current(&r, &t), Action::Count);
        r.action = before.action.clone();
        assert_eq!(r, before, "only the action changed");
    }

    #[test]
    fn a_groups_override_and_an_inner_override_flip() {
        let mut r = managed_rule();
        let t = toggle(None, Action::GroupActions, Action::Count);
        set(&mut r, &t).unwrap();
        assert_eq!(current(&r, &t), Action::Count);
        let inner = toggle(
            Some("NoUserAgent_HEADER"),
            Action::GroupActions,
            Action::Count,
        );
        set(&mut r, &inner).unwrap();
        assert_eq!(current(&r, &inner), Action::Count);
        let back = toggle(
            Some("NoUserAgent_HEADER"),
            Action::Count,
            Action::GroupActions,
        );
        set(&mut r, &back).unwrap();
        assert_eq!(current(&r, &back), Action::GroupActions);
        let m = r.statement.unwrap().managed_rule_group_statement.unwrap();
        assert_eq!(m.rule_action_overrides, None, "no empty list left behind");
    }

    #[test]
    fn the_difference_names_what_the_other_writer_changed() {
        let before = managed_rule();
        let mut after = before.clone();
        let t = toggle(None, Action::GroupActions, Action::Count);
        set(&mut after, &t).unwrap();
        after.priority = 7;
        let d = difference(&before, &after, &t);
        assert!(d.contains("went from GROUP to COUNT"), "{d}");
        assert!(d.contains("priority went from 1 to 7"), "{d}");
    }

    /// UpdateWebACL replaces the whole web ACL: every field it accepts must go back as read.
    #[test]
    fn every_writable_field_is_sent_back() {
        let conf = aws_sdk_wafv2::Config::builder()
            .behavior_version(aws_sdk_wafv2::config::BehaviorVersion::latest())
            .region(aws_sdk_wafv2::config::Region::new("eu-west-1"))
            .build();
        let c = Client::from_conf(conf);
        let body = w::CustomResponseBody::builder()
            .content_type(w::ResponseContentType::TextPlain)
            .content("no")
            .build()
            .unwrap();
        let immunity = w::ImmunityTimeProperty::builder()
            .immunity_time(300)
            .build()
            .unwrap();
        let acl = w::WebAcl::builder()
            .name("acl")
            .id("id")
            .arn("arn")
            .default_action(
                w::DefaultAction::builder()
                    .allow(w::AllowAction::builder().build())
                    .build(),
            )
            .description("the edge")
            .rules(managed_rule())
            .visibility_config(visibility())
            .data_protection_config(
                w::DataProtectionConfig::builder()
                    .set_data_protections(Some(vec![]))
                    .build()
                    .unwrap(),
            )
            .custom_response_bodies("denied", body)
            .captcha_config(
                w::CaptchaConfig::builder()
                    .immunity_time_property(immunity.clone())
                    .build(),
            )
            .challenge_config(
                w::ChallengeConfig::builder()
                    .immunity_time_property(immunity)
                    .build(),
            )
            .token_domains("example.com")
            .association_config(w::AssociationConfig::builder().build())
            .on_source_d_do_s_protection_config(
                w::OnSourceDDoSProtectionConfig::builder()
                    .alb_low_reputation_mode(w::LowReputationMode::ActiveUnderDdos)
                    .build()
                    .unwrap(),
            )
            .application_config(w::ApplicationConfig::builder().build())
            .build()
            .unwrap();
        let req = update_request(&c, &acl, w::Scope::Regional, acl.rules().to_vec(), "tok");
        let i = req.as_input();
        assert_eq!(i.get_lock_token().as_deref(), Some("tok"));
        assert_eq!(i.get_default_action(), &acl.default_action);
        assert_eq!(i.get_description(), &acl.description);
        assert_eq!(i.get_rules().as_deref(), Some(acl.rules()));
        assert_eq!(i.get_visibility_config(), &acl.visibility_config);
        assert_eq!(i.get_data_protection_config(), &acl.data_protection_config);
        assert_eq!(i.get_custom_response_bodies(), &acl.custom_response_bodies);
        assert_eq!(i.get_captcha_config(), &acl.captcha_config);
        assert_eq!(i.get_challenge_config(), &acl.challenge_config);
        assert_eq!(i.get_token_domains(), &acl.token_domains);
        assert_eq!(i.get_association_config(), &acl.association_config);
        assert_eq!(
            i.get_on_source_d_do_s_protection_config(),
            &acl.on_source_d_do_s_protection_config
        );
        assert_eq!(i.get_application_config(), &acl.application_config);
        assert!(acl.captcha_config.is_some() && acl.on_source_d_do_s_protection_config.is_some());
    }
}
