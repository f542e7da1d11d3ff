//! Asking for a response from the screen that shows the attack: `b` on a row with a client
//! address (how long, then which IP set when there is a choice), `L` on a rate-based rule (the
//! new limit), `d` on a key, `u` and `x` on the audit log's entry, `:block`; and the blocks a
//! running edgetop removes when they expire. Each ends in the same plan and confirmation as a
//! toggle.

use super::operation::{AddressToBlock, Choice, Input, InputFor};
use super::*;
use crate::ops::respond;
use crate::screens::{access, origins};

impl App {
    /// `b`: the selected sample's client address on Origins; on Access, one of the selected
    /// stage's direct-hit sources.
    pub(super) fn ask_block(&mut self) {
        if !self.may_start("blocking an address") {
            return;
        }
        let Some(l) = self.loaded() else {
            return self.no_row(KeyAction::BlockAddress, "blocks the selected address");
        };
        let d = &l.snapshot;
        let view = self.view(self.screen).clone();
        let sel = self.selected(self.screen);
        match self.screen {
            Screen::Origins => {
                let rows = origins::in_view(d, &view);
                let Some(s) = rows.get(sel) else {
                    return self.no_row(
                        KeyAction::BlockAddress,
                        "blocks the selected sample's client address",
                    );
                };
                let a = AddressToBlock {
                    place: s.place,
                    range: s.client_ip.to_string(),
                    acls: vec![s.web_acl.to_string()],
                };
                self.ask_block_for(a);
            }
            Screen::Access => self.pick_direct_hit(&view, sel),
            _ => {
                let key = self.keymap.label(&KeyAction::BlockAddress.name());
                self.message = Some((
                    Level::Info,
                    format!(
                        "{key} blocks a client address: on Origins (a sampled request) or \
                         Access (a stage's direct hits); or :block ADDR"
                    ),
                ));
            }
        }
    }

    /// `b` on Access: which of the selected stage's direct-hit sources to block.
    fn pick_direct_hit(&mut self, view: &crate::screens::ViewState, sel: usize) {
        let Some(l) = self.loaded() else {
            return;
        };
        let rows = access::in_view(l, view);
        let Some(r) = rows.get(sel) else {
            return self.no_row(
                KeyAction::BlockAddress,
                "blocks a source of the selected stage",
            );
        };
        let Some(hits) = r.direct.filter(|h| !h.sources.is_empty()) else {
            self.message = Some((
                Level::Info,
                format!(
                    "{}/{}: no request reached it around its edge; b blocks a direct \
                     hit's source",
                    r.api.name, r.stage.name
                ),
            ));
            return;
        };
        let acls: Vec<String> = r.stage.web_acl.iter().map(|a| a.to_string()).collect();
        let choices = hits
            .sources
            .iter()
            .map(|(ip, n)| {
                (
                    format!("{ip}  ~{} requests", format::count(*n as f64)),
                    Choice::Address(AddressToBlock {
                        place: r.api.place,
                        range: ip.to_string(),
                        acls: acls.clone(),
                    }),
                )
            })
            .collect();
        self.mode = Mode::Pick(Pick {
            title: format!(
                "Block which source of the direct hits on {}/{}?",
                r.api.name, r.stage.name
            ),
            choices,
            selected: 0,
        });
    }

    /// How long to block `a`: asked, then its plan.
    pub(super) fn ask_block_for(&mut self, a: AddressToBlock) {
        self.mode = Mode::Input(Input {
            title: format!("Block {}", text::escape(&a.range)),
            prompt: "For how long? (30m, 1h, 1d; empty: until removed)".into(),
            value: String::new(),
            then: InputFor::BlockFor(a),
        });
    }

    /// A typed value taken: the plan it leads to.
    pub(super) fn submit(&mut self, i: Input) {
        let Some(d) = self.data() else { return };
        match i.then {
            InputFor::BlockFor(a) => {
                let expires = match i.value.trim() {
                    "" => None,
                    v => match respond::parse_for(v) {
                        Ok(for_) => Some(d.taken_at + for_),
                        Err(e) => {
                            self.message = Some((Level::Error, e));
                            return;
                        }
                    },
                };
                let acls: Vec<&str> = a.acls.iter().map(String::as_str).collect();
                let acls = (!acls.is_empty()).then_some(acls.as_slice());
                match respond::block_choices(d, a.place, &a.range, acls, expires) {
                    Ok(mut ops) if ops.len() == 1 => self.ask(Ok(ops.remove(0))),
                    Ok(ops) => {
                        self.mode = Mode::Pick(Pick {
                            title: format!("Block {} in which IP set?", text::escape(&a.range)),
                            choices: ops
                                .into_iter()
                                .map(|op| {
                                    let label = match &op {
                                        Op::Block(b) => format!(
                                            "{} ({} ranges): {}",
                                            b.ip_set.name,
                                            b.size,
                                            b.used_by
                                                .iter()
                                                .map(|u| u.as_str())
                                                .collect::<Vec<_>>()
                                                .join(", ")
                                        ),
                                        other => other.summary(),
                                    };
                                    (label, Choice::Op(op))
                                })
                                .collect(),
                            selected: 0,
                        });
                    }
                    Err(e) => self.ask(Err(e)),
                }
            }
            InputFor::Limit {
                place,
                scope,
                web_acl,
                rule,
            } => {
                let (limit, window) = match parse_limit(&i.value) {
                    Ok(v) => v,
                    Err(e) => {
                        self.message = Some((Level::Error, e));
                        return;
                    }
                };
                let found = d
                    .web_acls
                    .iter()
                    .find(|a| a.place == place && a.scope == scope && a.name == web_acl)
                    .and_then(|a| a.rules.iter().find(|r| r.name == rule).map(|r| (a, r)));
                let Some((acl, r)) = found else {
                    self.message = Some((Level::Error, format!("{rule} is no longer in view")));
                    return;
                };
                let op = respond::rate_limit_of(d, acl, r, limit, window);
                self.ask(op);
            }
        }
    }

    /// `L` on WAF: a rate-based rule's new limit.
    pub(super) fn ask_rate_limit(&mut self) {
        if !self.only_on(
            Screen::Waf,
            KeyAction::RateLimit,
            "changes a rate-based rule's limit",
        ) || !self.may_start("changing a rate limit")
        {
            return;
        }
        let Some(d) = self.data() else {
            return self.no_row(KeyAction::RateLimit, "changes the selected rule's limit");
        };
        let rules = waf::in_view(d, self.view(Screen::Waf));
        let Some((acl, rule)) = rules.get(self.selected(Screen::Waf)).copied() else {
            return self.no_row(KeyAction::RateLimit, "changes the selected rule's limit");
        };
        let RuleKind::RateBased {
            limit, window_secs, ..
        } = &rule.kind
        else {
            self.message = Some((
                Level::Error,
                format!("{} is not a rate-based rule", rule.name),
            ));
            return;
        };
        self.mode = Mode::Input(Input {
            title: format!("Rate limit of {} in {}", rule.name, acl.name),
            prompt: format!(
                "Now {limit} per {window_secs} s. New limit (at least {}), and window if it \
                 changes (60, 120, 300, 600): 50, or 50/60",
                respond::LEAST_LIMIT
            ),
            value: String::new(),
            then: InputFor::Limit {
                place: acl.place,
                scope: acl.scope,
                web_acl: acl.name.clone(),
                rule: rule.name.clone(),
            },
        });
    }

    /// `d` on Keys: disable the key, or enable it again.
    pub(super) fn ask_disable(&mut self) {
        if !self.only_on(Screen::Keys, KeyAction::DisableKey, "disables an API key")
            || !self.may_start("disabling an API key")
        {
            return;
        }
        let Some((d, key)) = self.selected_key() else {
            return self.no_row(
                KeyAction::DisableKey,
                "disables or enables the selected key",
            );
        };
        let found = respond::key_switch_of(d, key, !key.enabled);
        self.ask(found);
    }

    /// The audit log's entry `i`, when it is one that succeeded.
    fn audited(&mut self, i: usize) -> Option<(crate::ops::audit::Entry, Op)> {
        let Mode::Audit(v) = &self.mode else {
            return None;
        };
        let entry = match v.entries.as_ref().ok().and_then(|e| e.get(i)) {
            Some(Ok(e)) => e.clone(),
            _ => return None,
        };
        if entry.phase != crate::ops::audit::Phase::Succeeded {
            self.message = Some((
                Level::Info,
                "only a change that succeeded can be undone".into(),
            ));
            return None;
        }
        match serde_json::from_value::<Op>(entry.op.clone()) {
            Ok(op) => Some((entry, op)),
            Err(_) => {
                self.message = Some((
                    Level::Error,
                    "this entry was written by another version of edgetop: undo it by hand".into(),
                ));
                None
            }
        }
    }

    /// `u` on the audit log: the change that undoes its entry in view.
    pub(super) fn ask_undo(&mut self, i: usize) {
        let Some((_, done)) = self.audited(i) else {
            return;
        };
        self.mode = Mode::Normal;
        if !self.may_start("undoing a change") {
            return;
        }
        let Some(d) = self.data() else { return };
        let found = respond::undo_of(&done, d);
        self.ask(found);
    }

    /// `x` on the audit log: delete the old key of the finished rotation in view.
    pub(super) fn ask_delete_old(&mut self, i: usize) {
        let Some((entry, done)) = self.audited(i) else {
            return;
        };
        let Op::RotateKey {
            key_id, key_name, ..
        } = &done
        else {
            self.message = Some((
                Level::Info,
                "x deletes the old key of a finished rotation: choose its entry".into(),
            ));
            return;
        };
        self.mode = Mode::Normal;
        if !self.may_start("deleting an old key") {
            return;
        }
        let Some(d) = self.data() else { return };
        let replaced = respond::Replaced {
            rotation: None,
            key_id: key_id.to_string(),
            key_name: key_name.to_string(),
            since: entry.time,
            account: entry.who.account.clone(),
            region: entry.who.region.clone(),
        };
        let found = respond::delete_old_of(&replaced, d, d.taken_at);
        self.ask(found);
    }

    /// `:block ADDR [for DUR]`: any address, in the place in view.
    pub(super) fn block_command(&mut self, args: &str) {
        if !self.may_start("blocking an address") {
            return;
        }
        let mut words = args.split_whitespace();
        let Some(range) = words.next() else {
            self.message = Some((Level::Error, ":block ADDR [for DUR]".into()));
            return;
        };
        let expiry = match (words.next(), words.next()) {
            (None, _) => String::new(),
            (Some("for"), Some(d)) => d.to_string(),
            _ => {
                self.message = Some((Level::Error, ":block ADDR [for DUR]".into()));
                return;
            }
        };
        let Some(d) = self.data() else { return };
        let places: Vec<crate::model::Place> = (0..d.places.len().max(1) as u16)
            .map(crate::model::Place)
            .filter(|p| !d.out_of_view.contains(p))
            .collect();
        let [place] = places.as_slice() else {
            self.message = Some((
                Level::Error,
                "several places are in view: :scope to one first, then :block".into(),
            ));
            return;
        };
        let a = AddressToBlock {
            place: *place,
            range: range.to_string(),
            acls: Vec::new(),
        };
        self.submit(Input {
            title: String::new(),
            prompt: String::new(),
            value: expiry,
            then: InputFor::BlockFor(a),
        });
    }

    /// Blocks whose time is up, removed by a running edgetop: one at a time, audited, never
    /// in read-only mode or a read-only place, never while another operation runs. Times are
    /// the data's (the demo keeps its own clock).
    pub(super) fn expire_due(&mut self) -> Vec<Effect> {
        if self.read_only || self.dry_run || self.busy() || self.paused() {
            return vec![];
        }
        let Some(d) = self.data() else { return vec![] };
        let due = respond::expired(d, d.taken_at)
            .into_iter()
            .find(|op| op.at().is_none_or(|at| !d.read_only_at(at.place)));
        let Some(op) = due else { return vec![] };
        // Not twice: an accepted removal is shown applying until a read confirms it.
        if self.pending.iter().any(|p| p.op == op) {
            return vec![];
        }
        self.message = Some((Level::Info, format!("expired: {}", op.summary())));
        self.operation = Some(operation::Running {
            op: op.clone(),
            progress: None,
            ended: None,
        });
        vec![Effect::Apply(op)]
    }
}

/// "500", or "500/60": a limit, and a window in seconds when it changes.
fn parse_limit(s: &str) -> Result<(u64, Option<u32>), String> {
    let bad = || {
        format!(
            "{}: say 500, or 500/60 with a new window",
            text::escape(s.trim())
        )
    };
    let (limit, window) = match s.trim().split_once('/') {
        Some((l, w)) => (l, Some(w)),
        None => (s.trim(), None),
    };
    let limit: u64 = limit
        .trim()
        .replace([',', '_'], "")
        .parse()
        .map_err(|_| bad())?;
    let window = match window {
        Some(w) => Some(
            w.trim()
                .trim_end_matches('s')
                .parse::<u32>()
                .map_err(|_| bad())?,
        ),
        None => None,
    };
    Ok((limit, window))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_limit_is_typed_with_its_window_or_without() {
        assert_eq!(parse_limit("500"), Ok((500, None)));
        assert_eq!(parse_limit(" 1,000 / 60s "), Ok((1000, Some(60))));
        assert!(parse_limit("fast").is_err());
        assert!(parse_limit("50/soon").is_err());
    }
}
