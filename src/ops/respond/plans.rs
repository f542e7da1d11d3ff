//! The plans of the responses: what each will call, in order, shown before it runs.

use super::*;

/// The plans of the responses.
pub fn plan(op: &Op, snap: &Snapshot) -> Option<Plan> {
    Some(match op {
        Op::Block(b) => block_plan(b),
        Op::Unblock(u) => unblock_plan(u, snap),
        Op::RateLimit(r) => rate_plan(r),
        Op::SetKeyEnabled(k) => key_plan(k, snap),
        Op::DeleteOldKey(d) => delete_plan(d),
        _ => return None,
    })
}

pub(super) fn block_plan(b: &Block) -> Plan {
    let mut effect = vec![format!(
        "Requests from {} get HTTP 403 from WAF wherever IP set {} is used:",
        b.range, b.ip_set.name
    )];
    effect.extend(b.used_by.iter().map(|u| format!("  {u}")));
    effect.push(format!(
        "IP set {} ({}) goes from {} to {} of {IP_SET_LIMIT} ranges.",
        b.ip_set.name,
        b.ip_set.scope.label(),
        b.size,
        b.size + 1
    ));
    effect.push(match b.expires {
        Some(e) => format!(
            "Removed again at {} by a running edgetop (or edgetop unblock --expired).",
            e.format("%Y-%m-%d %H:%M UTC")
        ),
        None => "It stays until it is removed (u on its audit entry, or edgetop unblock).".into(),
    });
    if b.wide {
        effect.push(format!("A wide range: type {} to confirm.", b.range));
    }
    Plan {
        title: format!("Block {} in IP set {}", b.range, b.ip_set.name),
        effect,
        steps: vec![
            step(
                "Record the entry in the blocks journal (before the call)",
                "—",
            ),
            step(
                format!("Read IP set {} and its lock token", b.ip_set.name),
                "wafv2:GetIPSet",
            ),
            step(
                format!("Add {}, every other range sent back as read", b.range),
                "wafv2:UpdateIPSet (LockToken)",
            ),
            step(
                "If someone else changed the set meanwhile: read it again and re-apply only \
                 this range (at most 5 tries)",
                "wafv2:GetIPSet",
            ),
            step(
                "Mark it applying until a read shows it (WAF takes about a minute to every edge)",
                "—",
            ),
        ],
    }
}

pub(super) fn unblock_plan(u: &Unblock, snap: &Snapshot) -> Plan {
    let added = snap
        .blocks
        .iter()
        .find(|b| b.ip_set_id == u.ip_set.id && b.range == u.range);
    let mut effect = vec![format!(
        "Requests from {} are no longer blocked by IP set {}.",
        u.range, u.ip_set.name
    )];
    if let Some(b) = added {
        effect.push(format!(
            "edgetop added it at {}{}.",
            b.added.format("%Y-%m-%d %H:%M UTC"),
            b.expires
                .map(|e| format!(", to expire at {}", e.format("%H:%M UTC")))
                .unwrap_or_default()
        ));
    }
    effect.push("Only this range is removed; the set's other ranges are sent back as read.".into());
    Plan {
        title: format!(
            "{} {} from IP set {}",
            match u.why {
                Why::Undo => "Undo: remove",
                Why::Expired => "Expired: remove",
                Why::Asked => "Remove",
            },
            u.range,
            u.ip_set.name
        ),
        effect,
        steps: vec![
            step("Mark the entry as being removed in the blocks journal", "—"),
            step(
                format!("Read IP set {} and its lock token", u.ip_set.name),
                "wafv2:GetIPSet",
            ),
            step(
                format!("Remove {}, every other range sent back as read", u.range),
                "wafv2:UpdateIPSet (LockToken)",
            ),
            step("Forget the entry in the blocks journal", "—"),
        ],
    }
}

pub(super) fn rate_plan(r: &RateLimit) -> Plan {
    let mut effect = vec![format!(
        "Rule {} of web ACL {}: {} → {} requests per address.",
        r.rule, r.web_acl, r.from, r.to
    )];
    effect.push(match r.observed {
        Some(o) => format!(
            "In the sampled requests of the last {} min, the most one address sent in {} s \
             was ~{}; ~{} address{} sent more than {} (held at the new limit).",
            o.minutes,
            r.to.window_secs,
            o.top,
            o.over,
            if o.over == 1 { "" } else { "es" },
            r.to.limit
        ),
        None => "The samples do not say how many addresses the new limit would hold (none, or \
                 the rule does not count per address)."
            .into(),
    });
    effect.push("Undo sets it back (u on its audit entry).".into());
    Plan {
        title: format!(
            "Rate limit of {} in web ACL {}: {} → {}",
            r.rule, r.web_acl, r.from, r.to
        ),
        effect,
        steps: vec![
            step(
                format!("Read web ACL {} and its lock token", r.web_acl),
                "wafv2:GetWebACL",
            ),
            step(
                format!(
                    "Set {}'s limit to {}, every other field sent back unchanged",
                    r.rule, r.to
                ),
                "wafv2:UpdateWebACL (LockToken)",
            ),
            step(
                "If the rule is not as the screen showed it, stop and show how it changed",
                "—",
            ),
            step("Mark the rule pending until a later read confirms it", "—"),
        ],
    }
}

pub(super) fn key_plan(k: &KeySwitch, snap: &Snapshot) -> Plan {
    let (title, mut effect) = match k.enable {
        false => (
            format!("Disable API key {} ({})", k.key_name, k.key_id),
            vec![
                "Requests with this key get HTTP 403 from API Gateway at once; it stays in its \
                 usage plans, and can be enabled again (u on its audit entry)."
                    .to_string(),
            ],
        ),
        true => (
            format!("Enable API key {} ({}) again", k.key_name, k.key_id),
            vec!["Requests with this key are served again, within its plans' limits.".to_string()],
        ),
    };
    let mut steps = Vec::new();
    if !k.enable {
        effect.extend(crate::ops::accounts_checked(snap));
        steps.push(step(
            "List every distribution again (this account's and the others' in view): refuse if \
             one sends the key",
            "cloudfront:ListDistributions",
        ));
    }
    steps.push(step(
        format!("Set enabled to {}", k.enable),
        "apigateway:PATCH /apikeys/{id} (UpdateApiKey)",
    ));
    Plan {
        title,
        effect,
        steps,
    }
}

pub(super) fn delete_plan(d: &DeleteOld) -> Plan {
    Plan {
        title: format!("Delete the old API key {} ({})", d.key_name, d.key_id),
        effect: vec![
            format!(
                "The key replaced by the rotation {}is deleted for good; it has been \
                 disabled since {}.",
                if d.rotation.is_empty() {
                    String::new()
                } else {
                    format!("{} ", d.rotation)
                },
                d.since.format("%Y-%m-%d %H:%M UTC")
            ),
            "It is deleted only if it is still disabled and no request used it since then.".into(),
            format!("Type {} to confirm.", d.key_name),
        ],
        steps: vec![
            step(
                "Read the key: still disabled",
                "apigateway:GET /apikeys/{id}",
            ),
            step(
                "Read its usage in each of its plans since the rotation: none",
                "apigateway:GET /usageplans/{id}/usage",
            ),
            step("Delete it", "apigateway:DELETE /apikeys/{id}"),
        ],
    }
}
