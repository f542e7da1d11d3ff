//! "What is unusual now": the Overview's short list, derived from a snapshot alone.

use crate::judge::bypass::DirectHits;
use crate::judge::finding::{Finding, Severity};
use crate::model::format;
use crate::model::{Action, DistributionStatus, Panel, Problem, Snapshot};

fn finding(severity: Severity, about: Panel, text: String) -> Finding {
    Finding::new(severity, about, text)
}

/// Findings, most severe first, after what is still being read.
pub fn findings(s: &Snapshot) -> Vec<Finding> {
    with_loading(
        &s.loading,
        &settled(s, &crate::judge::bypass::direct_hits(s)),
    )
}

/// What the rows say (per place, with many), and what failed: most severe first. Given the
/// requests that went around a CDN (derived once per snapshot).
pub fn settled(s: &Snapshot, hits: &[DirectHits]) -> Vec<Finding> {
    // What paged first: the alarms in ALARM, then those without data, in every place.
    let paging = crate::judge::finding::per_place(s, |part| {
        let mut found = Vec::new();
        alarms(part, &mut found);
        attacks(part, true, &mut found);
        found
    });
    let mut out = crate::judge::finding::per_place(s, |part| {
        let mut found = Vec::new();
        for each in [
            stages,
            compared,
            held_addresses,
            anti_ddos,
            rules,
            keys,
            distributions,
        ] {
            each(part, &mut found);
        }
        attacks(part, false, &mut found);
        // Standing configuration after what is happening now.
        access(part, hits, &mut found);
        found
    });
    problems(s, &mut out);
    out.sort_by_key(|f| std::cmp::Reverse(f.severity));
    paging.into_iter().chain(out).collect()
}

/// The alarms not OK, as the Overview leads with them: state, since when, AWS's reason, and
/// what each watches (Enter leads to its row).
fn alarms(s: &Snapshot, out: &mut Vec<Finding>) {
    use crate::model::alarm::AlarmState;
    for a in s.alarms.iter().filter(|a| a.state != AlarmState::Ok) {
        let severity = match a.state {
            AlarmState::Alarm => Severity::Critical,
            _ => Severity::Warn,
        };
        let since = a.since.map_or(String::new(), |t| {
            let secs = (s.taken_at - t).num_seconds();
            format!(" since {} ({})", t.format("%H:%M"), format::age(secs))
        });
        let reason = if a.reason.as_str().is_empty() {
            String::new()
        } else {
            format!(": {}", a.reason)
        };
        out.push(
            finding(
                severity,
                a.watches.panel(),
                format!(
                    "{} {}{since} on {}{reason}",
                    a.state.label(),
                    a.name,
                    a.watches
                ),
            )
            .at_row(a.watches.row()),
        );
    }
}

/// Shield Advanced's attacks going on (`ongoing`: they page, as an alarm does) or over (said
/// as information). Enter leads to the Access row of the stage the resource fronts.
fn attacks(s: &Snapshot, ongoing: bool, out: &mut Vec<Finding>) {
    for a in s.attacks.iter().filter(|a| a.ongoing() == ongoing) {
        out.push(attack_finding(s, a));
    }
}

fn attack_finding(s: &Snapshot, a: &crate::model::attack::Attack) -> Finding {
    let at = |t: Option<chrono::DateTime<chrono::Utc>>| {
        t.map_or("?".to_string(), |t| t.format("%H:%M").to_string())
    };
    let (severity, when) = match a.ended {
        None => {
            let ago = a.started.map_or(String::new(), |t| {
                format!(" ({})", format::age((s.taken_at - t).num_seconds()))
            });
            (Severity::Critical, format!("since {}{ago}", at(a.started)))
        }
        Some(end) => (
            Severity::Info,
            format!(
                "{} {}–{}",
                end.format("%a"),
                at(a.started),
                end.format("%H:%M")
            ),
        ),
    };
    finding(
        severity,
        Panel::Access,
        format!(
            "Shield: DDoS attack on {} {when}: {}",
            a.resource_id(),
            a.summary()
        ),
    )
    .at_row(Some(a.resource_id().to_string()))
}

/// The attacks on the distributions in front of a stage, for its Access row: ongoing first.
pub fn attacks_in_front(
    s: &Snapshot,
    api: &crate::model::RestApi,
    st: &crate::model::Stage,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for d in s.fronting(api, st) {
        for a in crate::model::attack::on_resource(&s.attacks, d.id.as_str()) {
            if a.place == api.place {
                out.push(attack_finding(s, a));
            }
        }
    }
    out
}

/// `settled` after what is still being read (`loading`, newer than the snapshot's): that says
/// how complete the rest is, so it comes first however long the list.
pub fn with_loading(loading: &[Problem], settled: &[Finding]) -> Vec<Finding> {
    let mut first = Vec::new();
    still_reading(loading, &mut first);
    first.extend_from_slice(settled);
    first
}

/// The access posture's warnings: a stage reachable around its CDN, an open method… (the
/// Access screen has the rest).
fn access(s: &Snapshot, hits: &[DirectHits], out: &mut Vec<Finding>) {
    let posture = crate::judge::posture::findings(s, hits);
    out.extend(posture.into_iter().filter(|f| f.severity >= Severity::Warn));
}

/// `:compare`: a stage's requests or a rule's blocked requests more than the factor times
/// their value a day or a week before at this hour (and at least 100 a minute: a quiet
/// series doubling is no news).
fn compared(s: &Snapshot, out: &mut Vec<Finding>) {
    let Some(c) = s.compare else {
        return;
    };
    let mut say = |about: Panel, what: String, series: &crate::model::Series, row: String| {
        let Some((then, x)) = series.against_then() else {
            return;
        };
        if series.latest().unwrap_or(0.0) < 100.0 {
            return;
        }
        let now = format::count(series.last());
        let when = c.shift.words();
        let text = match x {
            Some(x) if x >= c.factor => format!(
                "{what} {now}/min, {x:.1}× {when} at this hour ({}/min)",
                format::count(then)
            ),
            Some(_) => return,
            None => format!("{what} {now}/min; none {when} at this hour"),
        };
        out.push(finding(Severity::Warn, about, text).at_row(Some(row)));
    };
    for (api, st) in s.all_stages() {
        let name = format!("{}/{}", api.name, st.name);
        say(
            Panel::Throttling,
            format!("{name}: requests"),
            &st.metrics.count,
            format!("{} {}", api.name, st.name),
        );
    }
    for acl in &s.web_acls {
        for r in &acl.rules {
            say(
                Panel::Waf,
                format!("{} ({}) blocks", r.name, acl.name),
                &r.metrics.blocked,
                r.name.to_string(),
            );
        }
    }
}

/// Stages failing (5xx) or throttling.
fn stages(s: &Snapshot, out: &mut Vec<Finding>) {
    for (api, st) in s.all_stages() {
        let m = &st.metrics;
        let count = m.count.last();
        let name = format!("{}/{}", api.name, st.name);
        if count > 0.0 {
            let r5 = m.errors_5xx.last() / count;
            if r5 >= 0.02 {
                out.push(finding(
                    Severity::Critical,
                    Panel::Throttling,
                    format!(
                        "{name}: 5xx at {} ({}/min)",
                        format::percent(r5),
                        format::count(m.errors_5xx.last())
                    ),
                ));
            }
            let t = m.throttled_est.last();
            if t / count >= 0.01 {
                out.push(finding(
                    Severity::Warn,
                    Panel::Throttling,
                    format!(
                        "{name}: ~{}/min throttled (429), {} of requests",
                        format::count(t),
                        format::percent(t / count)
                    ),
                ));
            }
        }
        // A throttle of 0 refuses everything: the access findings say so, not "at its peak".
        let refuses_all = st.applied_throttle().is_some_and(|(t, _)| t.refuses_all());
        if let Some(h) = st.headroom().filter(|h| *h < 0.2 && !refuses_all) {
            out.push(finding(
                Severity::Warn,
                Panel::Throttling,
                format!(
                    "{name}: peak at {} of its rate limit",
                    format::percent(1.0 - h)
                ),
            ));
        }
    }
}

/// What AWS's anti-DDoS managed rule group (AWSManagedRulesAntiDDoSRuleSet) labels: it labels
/// every request it evaluates during a probable event (`awswaf:managed:aws:anti-ddos:…`, the
/// suspicion levels among them), so its labels in the samples mean an event is on. Its
/// `challengeable-request` label is added whether or not one is, and says nothing alone.
pub const ANTI_DDOS: &str = "awswaf:managed:aws:anti-ddos:";

fn anti_ddos(s: &Snapshot, out: &mut Vec<Finding>) {
    let mut by_acl: Vec<(String, u64, u64)> = Vec::new();
    for sample in &s.samples {
        let event = |l: &crate::model::Text| {
            l.as_str()
                .strip_prefix(ANTI_DDOS)
                .is_some_and(|rest| rest != "challengeable-request")
        };
        if !sample.labels.iter().any(event) {
            continue;
        }
        let high = sample
            .labels
            .iter()
            .any(|l| l.as_str() == "awswaf:managed:aws:anti-ddos:high-suspicion-ddos-request");
        let acl = sample.web_acl.to_string();
        let i = match by_acl.iter().position(|(a, _, _)| *a == acl) {
            Some(i) => i,
            None => {
                by_acl.push((acl, 0, 0));
                by_acl.len() - 1
            }
        };
        by_acl[i].1 += sample.weight;
        if high {
            by_acl[i].2 += sample.weight;
        }
    }
    for (acl, n, high) in by_acl {
        out.push(finding(
            Severity::Critical,
            Panel::Samples,
            format!(
                "a DDoS event at {acl}: AWS's anti-DDoS rules label ~{} sampled requests \
                 ({} of high suspicion)",
                format::count(n as f64),
                format::count(high as f64)
            ),
        ));
    }
}

/// Addresses a rate-based rule holds, per rule.
fn held_addresses(s: &Snapshot, out: &mut Vec<Finding>) {
    let mut held: Vec<(String, usize)> = Vec::new();
    for ip in &s.rate_limited {
        let label = format!("{} ({})", ip.rule, ip.web_acl);
        match held.iter_mut().find(|(l, _)| *l == label) {
            Some((_, n)) => *n += 1,
            None => held.push((label, 1)),
        }
    }
    for (label, n) in held {
        out.push(finding(
            Severity::Critical,
            Panel::Samples,
            format!(
                "{label} holds {n} client IP{} now",
                if n == 1 { "" } else { "s" }
            ),
        ));
    }
}

/// Rules blocking or counting much.
fn rules(s: &Snapshot, out: &mut Vec<Finding>) {
    for (acl, r) in s.rules() {
        let counted = r.metrics.counted.last();
        if r.action == Action::Count && counted >= 100.0 {
            out.push(finding(
                Severity::Warn,
                Panel::Waf,
                format!(
                    "{} ({}) counts {}/min, does not block (COUNT)",
                    r.name,
                    acl.name,
                    format::count(counted)
                ),
            ));
        }
        let blocked = r.metrics.blocked.last();
        let avg = r.metrics.blocked.sum() / r.metrics.blocked.values.len().max(1) as f64;
        if blocked >= 100.0 && blocked > 2.0 * avg {
            out.push(finding(
                Severity::Warn,
                Panel::Waf,
                format!(
                    "{} ({}) blocks {}/min, {:.1}× its {} average",
                    r.name,
                    acl.name,
                    format::count(blocked),
                    blocked / avg.max(1.0),
                    match s.range {
                        crate::model::Range::H1 => "hourly",
                        r => r.label(),
                    }
                ),
            ));
        }
        if r.pending {
            out.push(finding(
                Severity::Info,
                Panel::Waf,
                format!("{} ({}): change pending", r.name, acl.name),
            ));
        }
    }
}

/// Keys refused or near their quota.
fn keys(s: &Snapshot, out: &mut Vec<Finding>) {
    for k in &s.api_keys {
        if let Some(t) = k.throttled_per_min.filter(|t| *t > 0.0) {
            out.push(finding(
                Severity::Warn,
                Panel::Keys,
                format!(
                    "key {}: {}/min refused with 429 (plan rate limit or quota)",
                    k.name,
                    format::count(t)
                ),
            ));
        }
        if let Some(q) = k.quota_used().filter(|q| *q >= 0.9) {
            out.push(finding(
                Severity::Warn,
                Panel::Keys,
                format!("key {}: {} of its quota used", k.name, format::percent(q)),
            ));
        }
    }
}

/// Distributions deploying a change.
fn distributions(s: &Snapshot, out: &mut Vec<Finding>) {
    for d in &s.distributions {
        if d.status == DistributionStatus::InProgress {
            out.push(finding(
                Severity::Info,
                Panel::Distributions,
                format!("distribution {} is deploying a change", d.id),
            ));
        }
    }
}

/// What is still being read.
fn still_reading(loading: &[Problem], out: &mut Vec<Finding>) {
    for p in loading {
        out.push(finding(
            Severity::Info,
            p.panel,
            format!("still {}", p.message),
        ));
    }
}

/// What could not be read.
fn problems(s: &Snapshot, out: &mut Vec<Finding>) {
    for p in &s.problems {
        out.push(finding(
            Severity::Warn,
            p.panel,
            format!("{:?}: {}", p.panel, p.message),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Text;
    use crate::source::demo::{DEMO_START, DemoSource};

    #[test]
    fn labels_of_aws_anti_ddos_rules_say_an_event_is_on() {
        let mut s = DemoSource::new(3, 1.0).snapshot_at(DEMO_START);
        let said = |s: &Snapshot| {
            findings(s)
                .into_iter()
                .filter(|f| f.text.starts_with("a DDoS event at"))
                .map(|f| f.text)
                .collect::<Vec<_>>()
        };
        assert!(said(&s).is_empty(), "no event in the demo");
        let mut sample = s.samples[0].clone();
        sample.web_acl = Text::new("edge-cloudfront");
        sample.weight = 40;
        // Alone, challengeable-request says nothing: it is added whether or not an event is on.
        sample.labels = vec![Text::new(
            "awswaf:managed:aws:anti-ddos:challengeable-request",
        )];
        s.samples.push(sample.clone());
        assert!(said(&s).is_empty());
        sample.labels = vec![
            Text::new("awswaf:managed:aws:anti-ddos:event-detected"),
            Text::new("awswaf:managed:aws:anti-ddos:high-suspicion-ddos-request"),
        ];
        s.samples.push(sample.clone());
        sample.labels.truncate(1);
        s.samples.push(sample);
        assert_eq!(
            said(&s),
            [
                "a DDoS event at edge-cloudfront: AWS's anti-DDoS rules label ~80 sampled requests (40 of high suspicion)"
            ]
        );
    }
}
