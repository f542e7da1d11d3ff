//! Many accounts and regions in one view. Each account×region is read on its own, into a
//! snapshot of its own; [`merge`] puts them together into one, every row stamped with the
//! [`Place`] it came from, so screens draw one snapshot whatever it holds, and an operation
//! goes to the account and region of its row. [`narrow`] takes some places back out.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::access::Shield;
use super::place::{Place, Placed};
use super::{Account, Problem, Snapshot, Text};

/// One account×region in view: who it is, and how its reading goes.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PlaceInfo {
    /// What the operator calls it: the config's label, else the profile's name or the
    /// account id.
    pub label: Text,
    pub account: Account,
    /// Operations here are refused (`read_only` for this account in the config).
    pub read_only: bool,
    /// Why it could not be read, and since when; None while it reads.
    pub failed: Option<Failed>,
    /// Its poll is still running past the others' (a slow or unreachable region): since when.
    /// Its figures on screen are its last read's; the other places go on without it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slow_since: Option<DateTime<Utc>>,
    /// Shield Advanced, as this account has it (read once per account).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shield: Option<Shield>,
    /// The place of the monitoring account whose CloudWatch reads this place's metrics
    /// (cross-account observability), when one does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metrics_through: Option<Place>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Failed {
    pub since: DateTime<Utc>,
    pub message: Text,
}

impl PlaceInfo {
    /// "label · region", for titles, messages, the audit log.
    pub fn name(&self) -> String {
        format!("{} · {}", self.label, self.account.region)
    }
}

macro_rules! placed {
    ($($t:ty),*) => {$(
        impl Placed for $t {
            fn place(&self) -> Place {
                self.place
            }
        }
    )*};
}

placed!(
    super::RestApi,
    super::UsagePlan,
    super::ApiKey,
    super::WebAcl,
    super::Distribution,
    super::Sample,
    super::RateLimitedIp,
    super::access::CustomDomain,
    super::ip_set::IpSet,
    super::ip_set::BlockEntry,
    super::alarm::Alarm,
    super::attack::Attack,
    super::logs::LogSource,
    super::logs::Blocked,
    super::logs::Tally
);

impl Snapshot {
    /// More than one account×region in view: rows say which they are from.
    pub fn many_places(&self) -> bool {
        self.places.len() > 1
    }

    /// How many places the view shows: those read, less those `:scope` keeps out (1 with one).
    pub fn places_in_view(&self) -> usize {
        self.places
            .len()
            .saturating_sub(self.out_of_view.len())
            .max(1)
    }

    /// The place a row is from, when there are several.
    pub fn place_info(&self, p: Place) -> Option<&PlaceInfo> {
        self.places.get(p.0 as usize)
    }

    /// The account and region a row is from, as its columns show them.
    pub fn place_label(&self, p: Place) -> (&str, &str) {
        if p == Place::NONE {
            return ("", "");
        }
        match self.place_info(p) {
            Some(i) => (i.label.as_str(), i.account.region.as_str()),
            None => (self.account.id.as_str(), self.account.region.as_str()),
        }
    }

    /// Shield Advanced of the account a row is from.
    pub fn shield_of(&self, p: Place) -> Option<&Shield> {
        match self.place_info(p) {
            Some(i) => i.shield.as_ref(),
            None => self.shield.as_ref(),
        }
    }

    /// Whether operations are refused where this row is from.
    pub fn read_only_at(&self, p: Place) -> bool {
        self.place_info(p).is_some_and(|i| i.read_only)
    }

    /// Stamp every row with `p`.
    fn stamp(&mut self, p: Place) {
        for a in self.apis.iter_mut().chain(&mut self.http_apis) {
            a.place = p;
        }
        self.usage_plans.iter_mut().for_each(|x| x.place = p);
        self.api_keys.iter_mut().for_each(|x| x.place = p);
        self.web_acls.iter_mut().for_each(|x| x.place = p);
        self.distributions.iter_mut().for_each(|x| x.place = p);
        self.samples.iter_mut().for_each(|x| x.place = p);
        self.rate_limited.iter_mut().for_each(|x| x.place = p);
        self.custom_domains.iter_mut().for_each(|x| x.place = p);
        self.ip_sets.iter_mut().for_each(|x| x.place = p);
        self.blocks.iter_mut().for_each(|x| x.place = p);
        self.alarms.iter_mut().for_each(|x| x.place = p);
        self.attacks.iter_mut().for_each(|x| x.place = p);
        if let Some(l) = &mut self.logs {
            l.sources.iter_mut().for_each(|x| x.place = p);
            l.blocked.iter_mut().for_each(|x| x.place = p);
            l.blocked_paths.iter_mut().for_each(|x| x.place = p);
            l.blocked_agents.iter_mut().for_each(|x| x.place = p);
        }
    }
}

/// The rows of the places `keep` takes, with every place still listed (rows keep their
/// index). Problems and what is loading are named per place already, and kept whole.
pub fn narrow(s: &Snapshot, keep: impl Fn(Place) -> bool) -> Snapshot {
    fn only<T: Placed + Clone>(v: &[T], keep: &impl Fn(Place) -> bool) -> Vec<T> {
        v.iter().filter(|x| keep(x.place())).cloned().collect()
    }
    let first = (0..s.places.len() as u16).map(Place).find(|p| keep(*p));
    let info = first.and_then(|p| s.place_info(p));
    Snapshot {
        account: info.map_or_else(|| s.account.clone(), |i| i.account.clone()),
        taken_at: s.taken_at,
        range: s.range,
        compare: s.compare,
        apis: only(&s.apis, &keep),
        http_apis: only(&s.http_apis, &keep),
        usage_plans: only(&s.usage_plans, &keep),
        api_keys: only(&s.api_keys, &keep),
        web_acls: only(&s.web_acls, &keep),
        distributions: only(&s.distributions, &keep),
        samples: only(&s.samples, &keep),
        rate_limited: only(&s.rate_limited, &keep),
        cost: s.cost,
        problems: s.problems.clone(),
        edge_ranges: s.edge_ranges.clone(),
        ip_sets: only(&s.ip_sets, &keep),
        blocks: only(&s.blocks, &keep),
        alarms: only(&s.alarms, &keep),
        attacks: only(&s.attacks, &keep),
        custom_domains: only(&s.custom_domains, &keep),
        shield: info.map_or_else(|| s.shield.clone(), |i| i.shield.clone()),
        loading: s.loading.clone(),
        logs: s.logs.as_ref().map(|l| super::logs::Logs {
            sources: only(&l.sources, &keep),
            refused: l.refused.clone(),
            blocked: only(&l.blocked, &keep),
            blocked_paths: only(&l.blocked_paths, &keep),
            blocked_agents: only(&l.blocked_agents, &keep),
            cost: l.cost,
        }),
        places: s.places.clone(),
        out_of_view: (0..s.places.len() as u16)
            .map(Place)
            .filter(|p| !keep(*p))
            .collect(),
    }
}

/// The places whose label, region or account id is `name` (case-insensitive).
pub fn named(s: &Snapshot, name: &str) -> Vec<Place> {
    let name = name.trim().to_lowercase();
    (0..s.places.len() as u16)
        .map(Place)
        .filter(|p| {
            s.place_info(*p).is_some_and(|i| {
                [
                    i.label.as_str(),
                    i.account.region.as_str(),
                    i.account.id.as_str(),
                ]
                .iter()
                .any(|x| x.to_lowercase() == name)
                    || i.name().to_lowercase() == name
            })
        })
        .collect()
}

/// A problem of one place, named for it.
fn of_place(info: &PlaceInfo, p: Problem) -> Problem {
    Problem {
        panel: p.panel,
        message: Text::new(&format!("{}: {}", info.name(), p.message)),
    }
}

/// One snapshot of many places: each read's rows stamped with its place, in place order. A
/// place with no snapshot (its reading failed, or has not ended yet) says so on every panel;
/// the others carry on. `places` gives each place's who and state, in order.
pub fn merge(mut places: Vec<PlaceInfo>, reads: Vec<Option<Snapshot>>) -> Snapshot {
    debug_assert_eq!(places.len(), reads.len());
    let mut out = Snapshot::default();
    let mut first = true;
    for (i, (info, read)) in places.iter_mut().zip(reads).enumerate() {
        let p = Place(i as u16);
        say_how_it_went(info, read.is_some(), &mut out);
        let Some(mut s) = read else { continue };
        s.stamp(p);
        info.account = s.account.clone();
        if s.shield.is_some() {
            info.shield = s.shield.clone();
        }
        if first {
            out.account = s.account.clone();
            out.shield = s.shield.clone();
            out.taken_at = s.taken_at;
            out.range = s.range;
            out.compare = s.compare;
            out.cost.poll_interval_secs = s.cost.poll_interval_secs;
            first = false;
        }
        take_rows(&mut out, info, s);
    }
    // Newest first across places, as within one; the most blocked first.
    out.samples.sort_by_key(|x| std::cmp::Reverse(x.time));
    if let Some(l) = &mut out.logs {
        l.blocked.sort_by_key(|b| std::cmp::Reverse(b.requests));
        l.blocked_paths
            .sort_by_key(|t| std::cmp::Reverse(t.requests));
        l.blocked_agents
            .sort_by_key(|t| std::cmp::Reverse(t.requests));
    }
    if out.account.id.is_empty()
        && let Some(i) = places.first()
    {
        out.account = i.account.clone();
    }
    out.places = places;
    keys_sent_across_regions(&mut out);
    out
}

/// A place that failed, is slow or is still being read says so on every panel (what it read
/// before stays, with its age).
fn say_how_it_went(info: &PlaceInfo, read: bool, out: &mut Snapshot) {
    let say = |panel, why: &str| Problem {
        panel,
        message: Text::new(&format!("{}: {why}", info.name())),
    };
    if let Some(f) = &info.failed {
        let why = format!("not read: {}", f.message);
        out.problems
            .extend(super::Panel::ALL.map(|panel| say(panel, &why)));
    }
    if let (Some(since), None) = (info.slow_since, &info.failed) {
        let why = format!(
            "slow: still reading since {} (its figures are from the read before)",
            since.format("%H:%M:%S UTC")
        );
        out.problems
            .extend(super::Panel::ALL.map(|panel| say(panel, &why)));
    }
    if !read && info.failed.is_none() {
        out.loading.push(say(super::Panel::Metrics, "being read…"));
    }
}

/// One place's rows, problems and costs added to the merged snapshot.
fn take_rows(out: &mut Snapshot, info: &PlaceInfo, mut s: Snapshot) {
    out.taken_at = out.taken_at.max(s.taken_at);
    out.apis.append(&mut s.apis);
    out.http_apis.append(&mut s.http_apis);
    out.usage_plans.append(&mut s.usage_plans);
    out.api_keys.append(&mut s.api_keys);
    out.web_acls.append(&mut s.web_acls);
    out.distributions.append(&mut s.distributions);
    out.samples.append(&mut s.samples);
    out.rate_limited.append(&mut s.rate_limited);
    out.cost.metrics_last_poll += s.cost.metrics_last_poll;
    out.cost.metrics_total += s.cost.metrics_total;
    out.problems
        .extend(s.problems.into_iter().map(|x| of_place(info, x)));
    out.loading
        .extend(s.loading.into_iter().map(|x| of_place(info, x)));
    for r in s.edge_ranges {
        if !out.edge_ranges.contains(&r) {
            out.edge_ranges.push(r);
        }
    }
    out.custom_domains.append(&mut s.custom_domains);
    out.ip_sets.append(&mut s.ip_sets);
    out.blocks.append(&mut s.blocks);
    out.alarms.append(&mut s.alarms);
    out.attacks.append(&mut s.attacks);
    if let Some(l) = s.logs {
        let o = out.logs.get_or_insert_with(Default::default);
        merge_logs(o, l);
    }
}

/// CloudFront is read in one region of an account, which knows the values of its own keys
/// only: a distribution's header that sends a key of the account's other regions is matched
/// here, by the key's fingerprint.
fn keys_sent_across_regions(s: &mut Snapshot) {
    use std::collections::HashMap;
    let account = |p: Place, places: &[PlaceInfo]| {
        places
            .get(p.0 as usize)
            .map_or(String::new(), |i| i.account.id.to_string())
    };
    let keys: HashMap<(String, super::text::Fingerprint), Text> = s
        .api_keys
        .iter()
        .filter_map(|k| Some(((account(k.place, &s.places), k.fingerprint?), k.id.clone())))
        .collect();
    if keys.is_empty() {
        return;
    }
    for d in &mut s.distributions {
        let of = account(d.place, &s.places);
        let find = |fp: &super::text::Fingerprint| keys.get(&(of.clone(), *fp)).cloned();
        for o in &mut d.origins {
            for k in o.key_headers.iter_mut().filter(|k| k.key_id.is_none()) {
                k.key_id = k.fingerprint.as_ref().and_then(find);
            }
            for (header, fp) in std::mem::take(&mut o.other_headers) {
                match find(&fp) {
                    Some(key_id) => o.key_headers.push(super::OriginKey {
                        header,
                        key_id: Some(key_id),
                        fingerprint: Some(fp),
                    }),
                    None => o.other_headers.push((header, fp)),
                }
            }
        }
    }
}

fn merge_logs(into: &mut super::logs::Logs, mut l: super::logs::Logs) {
    into.sources.append(&mut l.sources);
    into.refused.append(&mut l.refused);
    into.blocked.append(&mut l.blocked);
    into.blocked_paths.append(&mut l.blocked_paths);
    into.blocked_agents.append(&mut l.blocked_agents);
    into.cost.bytes_last_run += l.cost.bytes_last_run;
    into.cost.bytes_total += l.cost.bytes_total;
    into.cost.every_secs = into.cost.every_secs.max(l.cost.every_secs);
}
