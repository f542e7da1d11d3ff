//! `edgetop snapshot` as text: what the dashboard shows, for a terminal log or an incident
//! note. Every string is the model's sanitised text.

use std::fmt::Write;

use crate::judge::insights;
use crate::model::Snapshot;
use crate::model::format;

pub fn text(s: &Snapshot) -> String {
    let mut o = String::new();
    let a = &s.account;
    let _ = writeln!(
        o,
        "edgetop snapshot of {} ({}) in {} at {}",
        a.alias,
        a.id,
        a.region,
        s.taken_at.format("%Y-%m-%d %H:%M:%S UTC")
    );
    let _ = writeln!(o, "\nUnusual now:");
    let found = insights::findings(s);
    if found.is_empty() {
        let _ = writeln!(o, "  nothing");
    }
    for f in found {
        let _ = writeln!(o, "  {:?}: {}", f.severity, f.text);
    }
    let _ = writeln!(o, "\nStages (last minute):");
    let _ = writeln!(
        o,
        "  {:<32} {:>8} {:>6} {:>6} {:>6} {:>8}  throttle",
        "stage", "req/min", "4xx", "5xx", "ms", "429 est."
    );
    for (api, st) in s.all_stages() {
        let m = &st.metrics;
        let c = m.count.last();
        let pct = |v: f64| {
            if c > 0.0 {
                format::percent(v / c)
            } else {
                "–".into()
            }
        };
        let throttle = st.throttle.map_or("none".into(), |t| {
            format!("{}/s burst {}", t.rate_limit, t.burst_limit)
        });
        let _ = writeln!(
            o,
            "  {:<32} {:>8} {:>6} {:>6} {:>6} {:>8}  {throttle}",
            format!("{}/{}", api.name, st.name),
            format::count(c),
            pct(m.errors_4xx.last()),
            pct(m.errors_5xx.last()),
            m.latency_ms
                .latest()
                .map_or("–".into(), |l| format!("{l:.0}")),
            format::count(m.throttled_est.last()),
        );
    }
    plans_and_keys(&mut o, s);
    web_acls(&mut o, s);
    let _ = writeln!(o, "\nRate-limited now: {}", s.rate_limited.len());
    for r in &s.rate_limited {
        let _ = writeln!(o, "  {:<40} {} ({})", r.address, r.rule, r.web_acl);
    }
    let _ = writeln!(o, "\nSampled requests held: {}", s.samples.len());
    if !s.problems.is_empty() {
        let _ = writeln!(o, "\nCould not read:");
        for p in &s.problems {
            let _ = writeln!(o, "  {:?}: {}", p.panel, p.message);
        }
    }
    o
}

/// Usage plans, and the keys nearest their quota.
fn plans_and_keys(o: &mut String, s: &Snapshot) {
    let _ = writeln!(o, "\nUsage plans:");
    for p in &s.usage_plans {
        let quota = p.quota.map_or("no quota".into(), |q| {
            format!("{}/{}", q.limit, q.period.label())
        });
        let _ = writeln!(o, "  {:<24} {:>5} keys  {quota}", p.name, p.key_ids.len());
    }
    let enabled = s.api_keys.iter().filter(|k| k.enabled).count();
    let _ = writeln!(o, "\nAPI keys: {} ({} enabled)", s.api_keys.len(), enabled);
    let mut fullest: Vec<_> = s
        .api_keys
        .iter()
        .filter_map(|k| Some((k, k.quota_used()?)))
        .collect();
    fullest.sort_by(|a, b| b.1.total_cmp(&a.1));
    for (k, q) in fullest.iter().take(5) {
        let _ = writeln!(o, "  {:<32} {} of quota", k.name, format::percent(*q));
    }
}

/// Each web ACL and its rules.
fn web_acls(o: &mut String, s: &Snapshot) {
    for w in &s.web_acls {
        let _ = writeln!(
            o,
            "\nWeb ACL {} ({}, default {}), protects {}",
            w.name,
            w.scope.label(),
            w.default_action.label(),
            w.protects
                .iter()
                .map(|p| p.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
        for r in &w.rules {
            let _ = writeln!(
                o,
                "  {:>3} {:<40} {:<10} {:<6} blocked/min {:>7} counted/min {:>7}",
                r.priority,
                r.name,
                r.kind.label(),
                r.action.label(),
                format::count(r.metrics.blocked.last()),
                format::count(r.metrics.counted.last())
            );
        }
    }
}
