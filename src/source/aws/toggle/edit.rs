//! Changing one rule of a web ACL without losing anyone else's change: read it with its lock
//! token, change the one rule, send every other field back as read, and on a stale lock token
//! read again and re-apply only this change. A toggle and a rate limit are such edits.

use aws_sdk_wafv2::operation::update_web_acl::UpdateWebACLError;

use super::*;

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
        let (web_acl, lock, rule) = rule_in(&got, acl_name, rule_name)?;
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
            Err(err) => match update_error(&err, acl_name) {
                None => {
                    tracing::info!(attempt, web_acl = %crate::model::Text::new(acl_name), "stale lock token: reading again");
                }
                Some(why) => {
                    report(StepState::Done, StepState::Failed, String::new());
                    return Err(why);
                }
            },
        }
    }
    Err(SourceError::Failed(format!(
        "web ACL {} changed under us {MAX_TRIES} times in a row; nothing of ours was applied. \
         Try again in a moment.",
        crate::model::Text::new(acl_name)
    )))
}

/// The web ACL read, its lock token and the rule named `rule_name` in it; a rule gone since
/// is refused.
fn rule_in<'a>(
    got: &'a aws_sdk_wafv2::operation::get_web_acl::GetWebAclOutput,
    acl_name: &str,
    rule_name: &str,
) -> Result<(&'a w::WebAcl, &'a str, &'a w::Rule), SourceError> {
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
    Ok((web_acl, lock, rule))
}

/// What UpdateWebACL's error means: None for a stale lock token (someone else wrote: read
/// again), else how the edit ends.
pub(super) fn update_error(
    err: &aws_sdk_wafv2::error::SdkError<UpdateWebACLError>,
    acl_name: &str,
) -> Option<SourceError> {
    match err.as_service_error() {
        Some(se) if se.is_waf_optimistic_lock_exception() => None,
        Some(UpdateWebACLError::WafFeatureNotIncludedInPricingPlanException(x)) => {
            let features = pricing_plan_features(x.disallowed_features());
            Some(refused(format!(
                "WAF refused the change: web ACL {} protects a CloudFront distribution on a \
                 flat-rate pricing plan that does not include {features}. Nothing was \
                 changed; a change of the distribution's pricing plan (in the CloudFront \
                 console) allows it",
                crate::model::Text::new(acl_name)
            )))
        }
        _ => Some(SourceError::Failed(
            failure("wafv2:UpdateWebACL", err).to_string(),
        )),
    }
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

/// The web ACL as it is now, with the lock token an update needs.
pub(super) async fn read_acl(
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

/// What a CloudFront flat-rate pricing plan does not include, as WAF names it (its
/// `DisallowedFeatures`: each feature, and the plan that would include it).
pub(super) fn pricing_plan_features(features: &[w::DisallowedFeature]) -> String {
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
