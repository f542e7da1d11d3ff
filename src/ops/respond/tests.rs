use super::*;
use crate::model::ip_set::BlockEntry;
use crate::model::{ApiKey, Rule};
use crate::source::demo::{DEMO_START, DemoSource};

fn snap() -> Snapshot {
    DemoSource::new(11, 1.0).snapshot_at(DEMO_START)
}

fn here() -> Place {
    Place::default()
}

/// The demo's first IP set that a Block rule uses, and that rule's web ACL.
fn block_set(s: &Snapshot) -> (IpSet, WebAcl) {
    for set in &s.ip_sets {
        if let Some((acl, _)) = referencing(s, set, Action::Block).first() {
            return (set.clone(), (*acl).clone());
        }
    }
    panic!(
        "the demo has a Block rule that uses an IP set: {:?}",
        s.ip_sets
    );
}

fn refusal<T: std::fmt::Debug>(r: Result<T, OpError>) -> String {
    match r {
        Err(OpError::Refused(why)) => why,
        other => panic!("not refused: {other:?}"),
    }
}

fn one_block(s: &Snapshot, range: &str) -> Block {
    let mut ops = block_choices(s, here(), range, None, None).expect("blocked");
    assert_eq!(ops.len(), 1, "{ops:?}");
    match ops.remove(0) {
        Op::Block(b) => b,
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_block_goes_to_the_set_a_block_rule_uses_and_its_plan_says_where() {
    let s = snap();
    let (set, acl) = block_set(&s);
    let b = one_block(&s, "203.0.113.9");
    assert_eq!(b.ip_set.id, set.id);
    assert_eq!(
        b.range.as_str(),
        "203.0.113.9/32",
        "a bare address is one /32"
    );
    assert_eq!(b.size, set.addresses.len());
    assert!(!b.wide);
    let op = Op::Block(b);
    assert_eq!(typed(&op), None);
    let plan = plan(&op, &s).expect("a plan");
    let text = plan.lines().join("\n");
    assert!(text.contains(set.name.as_str()), "{text}");
    assert!(
        text.contains(acl.name.as_str()),
        "the web ACL using it:\n{text}"
    );
    assert!(
        text.contains(&format!(
            "from {} to {} of 10000",
            set.addresses.len(),
            set.addresses.len() + 1
        )),
        "its size before and after:\n{text}"
    );
}

#[test]
fn every_guardrail_refuses_and_says_why() {
    let mut s = snap();
    let (set, acl) = block_set(&s);
    // Every address.
    assert!(refusal(block_choices(&s, here(), "0.0.0.0/0", None, None)).contains("every address"));
    // Not an address.
    assert!(!refusal(block_choices(&s, here(), "10.0.0.300", None, None)).is_empty());
    // Already blocked, inside a range the set holds: where it is said.
    let held = set.addresses[0].as_str().to_string();
    let inside = held.split('/').next().unwrap().to_string();
    let why = refusal(block_choices(&s, here(), &inside, None, None));
    assert!(
        why.contains("already blocked") && why.contains(set.name.as_str()),
        "{why}"
    );

    // An allow list of the same web ACL that holds it.
    let allow = IpSet {
        id: Text::new("allow-id"),
        name: Text::new("partners"),
        arn: Text::new("arn:aws:wafv2:eu-west-1:123456789012:regional/ipset/partners/allow-id"),
        scope: set.scope,
        ipv6: false,
        addresses: vec![Text::new("198.18.0.0/15")],
        applying: Vec::new(),
        place: set.place,
    };
    s.ip_sets.push(allow.clone());
    let a = s.web_acls.iter_mut().find(|a| a.name == acl.name).unwrap();
    let mut rule: Rule = a.rules[0].clone();
    rule.name = Text::new("AllowPartners");
    rule.action = Action::Allow;
    rule.kind = RuleKind::IpSet {
        name: allow.name.clone(),
        addresses: 1,
        arn: allow.arn.clone(),
    };
    a.rules.push(rule);
    let why = refusal(block_choices(&s, here(), "198.18.4.4", None, None));
    assert!(
        why.contains("allowed") && why.contains("AllowPartners") && why.contains("partners"),
        "{why}"
    );

    // A full set.
    let mut full = s.clone();
    let f = full.ip_sets.iter_mut().find(|x| x.id == set.id).unwrap();
    f.addresses = (0..IP_SET_LIMIT)
        .map(|i| Text::new(&format!("10.{}.{}.0/24", i / 256, i % 256)))
        .collect();
    let why = refusal(block_choices(&full, here(), "203.0.113.9", None, None));
    assert!(why.contains("full") && why.contains("10000"), "{why}");

    // An IPv6 address where only IPv4 sets are: no set, said, nothing created.
    let why = refusal(block_choices(&s, here(), "2001:db8::7", None, None));
    assert!(
        why.contains("IPv6") && why.contains("not a one-key change"),
        "{why}"
    );
}

#[test]
fn the_addresses_in_front_of_a_guarded_stage_are_never_blocked() {
    let s = snap();
    // A regional web ACL that guards a stage with an edge in front of it, and the edge's
    // addresses.
    let mut found = None;
    for acl in s.web_acls.iter().filter(|a| a.scope == Scope::Regional) {
        for api in &s.apis {
            for st in api
                .stages
                .iter()
                .filter(|st| st.web_acl.as_ref() == Some(&acl.name))
            {
                for e in crate::judge::bypass::edges_of(&s, api, st) {
                    if let Some(p) = e.prefixes.first() {
                        found = Some((acl.clone(), p.to_string()));
                    }
                }
            }
        }
    }
    let (acl, prefix) = found.expect("the demo guards a fronted stage with a regional web ACL");
    let referenced = s.ip_sets.iter().any(|set| {
        referencing(&s, set, Action::Block)
            .iter()
            .any(|(a, _)| a.name == acl.name)
    });
    assert!(
        referenced,
        "web ACL {} has a Block rule with an IP set",
        acl.name
    );
    let inside = prefix.split('/').next().unwrap();
    let why = refusal(block_choices(
        &s,
        here(),
        inside,
        Some(&[acl.name.as_str()]),
        None,
    ));
    assert!(why.contains("takes the site down"), "{why}");
}

#[test]
fn a_range_wider_than_a_16_or_a_48_is_typed_to_confirm() {
    let s = snap();
    let b = one_block(&s, "100.64.0.0/10");
    assert!(b.wide);
    assert_eq!(typed(&Op::Block(b)), Some("100.64.0.0/10".to_string()));
    let b = one_block(&s, "100.64.0.0/16");
    assert!(!b.wide, "a /16 is not wider than a /16");
}

#[test]
fn a_rate_limit_keeps_within_wafs_bounds_and_windows() {
    let s = snap();
    let (acl, rule) = s
        .web_acls
        .iter()
        .flat_map(|a| a.rules.iter().map(move |r| (a, r)))
        .find(|(_, r)| matches!(r.kind, RuleKind::RateBased { .. }))
        .expect("the demo has a rate-based rule");
    let RuleKind::RateBased {
        limit, window_secs, ..
    } = rule.kind.clone()
    else {
        unreachable!()
    };
    assert!(refusal(rate_limit_of(&s, acl, rule, LEAST_LIMIT - 1, None)).contains("10 to"));
    assert!(refusal(rate_limit_of(&s, acl, rule, MOST_LIMIT + 1, None)).contains("10 to"));
    assert!(refusal(rate_limit_of(&s, acl, rule, 50, Some(90))).contains("60, 120, 300 or 600"));
    assert!(
        refusal(rate_limit_of(&s, acl, rule, limit, Some(window_secs))).contains("already"),
        "no change is not a change"
    );
    let Op::RateLimit(r) = rate_limit_of(&s, acl, rule, LEAST_LIMIT, Some(60)).unwrap() else {
        panic!()
    };
    assert_eq!((r.from.limit, r.from.window_secs), (limit, window_secs));
    assert_eq!((r.to.limit, r.to.window_secs), (LEAST_LIMIT, 60));
    let text = plan(&Op::RateLimit(r.clone()), &s)
        .unwrap()
        .lines()
        .join("\n");
    assert!(
        text.contains(&format!("{limit} per {window_secs} s → 10 per 60 s")),
        "before → after:\n{text}"
    );
    // Its undo puts back what was there, once a read shows the change.
    let mut after = s.clone();
    for a in after.web_acls.iter_mut().filter(|a| a.name == acl.name) {
        for x in a.rules.iter_mut().filter(|x| x.name == rule.name) {
            if let RuleKind::RateBased {
                limit, window_secs, ..
            } = &mut x.kind
            {
                (*limit, *window_secs) = (LEAST_LIMIT, 60);
            }
        }
    }
    let Op::RateLimit(back) = undo_of(&Op::RateLimit(r.clone()), &after).unwrap() else {
        panic!()
    };
    assert_eq!((back.from, back.to), (r.to, r.from));
    // Someone else changed it since: the undo refuses rather than overwrite them.
    let why = refusal(undo_of(&Op::RateLimit(r), &s));
    assert!(why.contains("someone changed it"), "{why}");
}

#[test]
fn a_block_is_undone_by_removing_exactly_what_was_added() {
    let mut s = snap();
    let b = one_block(&s, "203.0.113.9");
    let set = s.ip_sets.iter_mut().find(|x| x.id == b.ip_set.id).unwrap();
    set.addresses.push(b.range.clone());
    // Not in the blocks journal: edgetop did not add it, and does not take it out.
    let why = refusal(undo_of(&Op::Block(b.clone()), &s));
    assert!(why.contains("did not add"), "{why}");
    s.blocks.push(BlockEntry {
        ip_set: b.ip_set.name.clone(),
        ip_set_id: b.ip_set.id.clone(),
        scope: b.ip_set.scope,
        range: b.range.clone(),
        added: DEMO_START,
        expires: Some(DEMO_START + Duration::hours(1)),
        place: here(),
    });
    let Op::Unblock(u) = undo_of(&Op::Block(b.clone()), &s).unwrap() else {
        panic!()
    };
    assert_eq!(
        (u.ip_set.id.clone(), u.range.clone(), u.why),
        (b.ip_set.id.clone(), b.range.clone(), Why::Undo)
    );
    // An address inside the range is not the range.
    assert!(
        refusal(unblock_of(&s, here(), "203.0.113.0/24", None, Why::Asked)).contains("did not add")
    );
    // Expiry: none before its time, exactly it after.
    assert!(expired(&s, DEMO_START + Duration::minutes(59)).is_empty());
    let due = expired(&s, DEMO_START + Duration::hours(1));
    assert!(
        matches!(due.as_slice(), [Op::Unblock(x)] if x.range == b.range && x.why == Why::Expired),
        "{due:?}"
    );
}

fn key_sent_by_a_distribution(s: &Snapshot) -> Option<ApiKey> {
    s.api_keys
        .iter()
        .find(|k| s.distributions_sending(k.id.as_str()).next().is_some())
        .cloned()
}

#[test]
fn a_key_a_distribution_sends_is_rotated_not_disabled() {
    let s = snap();
    let sent = key_sent_by_a_distribution(&s).expect("the demo's CDN sends a key");
    let why = refusal(key_switch_of(&s, &sent, false));
    assert!(
        why.contains("Rotate it instead") && why.contains("disabling it would refuse"),
        "{why}"
    );
    let free = s
        .api_keys
        .iter()
        .find(|k| k.enabled && s.distributions_sending(k.id.as_str()).next().is_none())
        .expect("a key no distribution sends");
    let Op::SetKeyEnabled(k) = key_switch_of(&s, free, false).unwrap() else {
        panic!()
    };
    assert!(!k.enable);
    assert!(refusal(key_switch_of(&s, free, true)).contains("already"));
}

#[test]
fn an_old_key_is_deleted_only_after_a_quiet_day_and_its_name_typed() {
    let s = snap();
    let old = s.api_keys.iter().find(|k| k.enabled).unwrap();
    let r = Replaced {
        rotation: Some("r1".into()),
        key_id: old.id.to_string(),
        key_name: old.name.to_string(),
        since: DEMO_START,
        account: s.account.id.to_string(),
        region: s.account.region.to_string(),
    };
    let soon = DEMO_START + Duration::hours(2);
    assert!(refusal(delete_old_of(&r, &s, soon)).contains("24 hours"));
    let later = DEMO_START + Duration::hours(25);
    assert!(refusal(delete_old_of(&r, &s, later)).contains("enabled again"));
    let mut s2 = s.clone();
    s2.api_keys
        .iter_mut()
        .find(|k| k.id == old.id)
        .unwrap()
        .enabled = false;
    let op = delete_old_of(&r, &s2, later).unwrap();
    assert_eq!(typed(&op), Some(old.name.to_string()));
    assert!(refusal(undo_of(&op, &s2)).contains("cannot be undone"));
}
