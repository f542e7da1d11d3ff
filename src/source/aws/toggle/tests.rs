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
