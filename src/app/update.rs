//! What the engine and the runner report, taken into the state: polls, an operation's
//! progress and end, rotations left unfinished, the audit log, a theme, a key's value.

use super::*;

/// An event with the free text it carries from outside (AWS's error messages, names in an
/// operation's steps, a theme file's error) escaped, once, where it enters the state: the
/// footer, the progress popup and the dialogs draw it as it is.
pub(super) fn inert(ev: Event) -> Event {
    let esc = |s: String| text::escape(&s);
    match ev {
        Event::Data(Err(e)) => Event::Data(Err(esc(e))),
        Event::OpProgress(p) => Event::OpProgress(Progress {
            title: esc(p.title),
            steps: p.steps.into_iter().map(|(s, st)| (esc(s), st)).collect(),
            detail: esc(p.detail),
        }),
        Event::OpDone { op, result } => Event::OpDone {
            op,
            result: result
                .map(|o| OpOutcome {
                    message: esc(o.message),
                    ..o
                })
                .map_err(|e| e.map(esc)),
        },
        Event::KeyValue { key_id, result } => Event::KeyValue {
            key_id,
            result: result.map_err(esc),
        },
        Event::ThemeFailed(e) => Event::ThemeFailed(esc(e)),
        Event::Notice(s) => Event::Notice(esc(s)),
        Event::Warning(s) => Event::Warning(esc(s)),
        Event::Unfinished { rotations, broken } => Event::Unfinished {
            rotations,
            broken: broken.into_iter().map(esc).collect(),
        },
        other => other,
    }
}

impl App {
    /// Take one event in; what the runner must do about it comes back.
    pub fn handle(&mut self, ev: Event) -> Vec<Effect> {
        match inert(ev) {
            Event::Key(k) if k.kind != KeyEventKind::Release => return self.on_key(k),
            Event::Key(_) | Event::Resize => {}
            Event::Data(Ok(snap)) => {
                self.received_at = Some(self.now);
                self.first_data_at.get_or_insert(snap.taken_at);
                self.loading = None;
                self.last_error = None;
                if self.paused() {
                    self.held_updates += 1;
                }
                self.take_data(snap, true);
                let mut effects = self.expire_due();
                effects.extend(self.ring_for_new());
                return effects;
            }
            Event::Data(Err(e)) => self.last_error = Some(e),
            Event::Loading(loading) => {
                if let Some(live) = self.live.as_mut() {
                    Arc::make_mut(live).still_reading(&loading);
                }
                self.loading = Some(loading);
            }
            Event::OpProgress(p) => {
                if let Some(r) = self.operation.as_mut().filter(|r| r.is_running()) {
                    r.progress = Some(p);
                }
            }
            Event::OpDone { op, result } => self.op_done(op, result),
            Event::Unfinished { rotations, broken } => {
                self.unfinished = rotations.clone();
                if !rotations.is_empty() || !broken.is_empty() {
                    self.mode = Mode::Resume(ResumeOffer {
                        rotations,
                        broken,
                        selected: 0,
                    });
                }
            }
            Event::Audit(entries) => {
                let scroll = entries.as_ref().map_or(0, |e| e.len().saturating_sub(1));
                self.mode = Mode::Audit(AuditView { entries, scroll });
            }
            Event::ThemeFailed(e) | Event::Warning(e) => self.message = Some((Level::Error, e)),
            Event::Notice(s) => self.message = Some((Level::Info, s)),
            Event::Click(c) => {
                self.last_key = self.now;
                // A click wakes an idle dashboard as a key does.
                let mut effects = match std::mem::take(&mut self.idle) {
                    true => vec![Effect::SetRefresh(self.refresh), Effect::Refresh],
                    false => vec![],
                };
                effects.extend(self.click(c));
                return effects;
            }
            Event::Focus(focused) => return self.focus(focused),
            Event::ThemeLoaded(name) => {
                self.message = Some((Level::Info, format!("theme {name}")));
                self.theme_name = name;
            }
            Event::KeyValue { key_id, result } => {
                // Only while the detail of that key is still open.
                if let Some(v) = self.key_value.as_mut().filter(|v| v.key_id == key_id) {
                    v.value = Some(result);
                }
            }
        }
        vec![]
    }

    /// An operation ended: its result in the operation's popup and the footer; an accepted
    /// toggle shown at once (pending until a read shows it); a new key's value shown once.
    /// `--bell`: what pages now that did not at the data before (an alarm in ALARM, a critical
    /// finding, known by its words without their figures, which change every poll).
    fn ring_for_new(&mut self) -> Vec<Effect> {
        let Some(l) = self.live.as_deref() else {
            return vec![];
        };
        let mut now = std::collections::BTreeSet::new();
        let mut first_new = None;
        let before = self.paging.as_ref();
        let mut note = |key: String, said: String| {
            if before.is_some_and(|b| !b.contains(&key)) && first_new.is_none() {
                first_new = Some(said);
            }
            now.insert(key);
        };
        for a in l
            .snapshot
            .alarms
            .iter()
            .filter(|a| a.state == crate::model::alarm::AlarmState::Alarm)
        {
            note(format!("alarm {}", a.name), format!("ALARM {}", a.name));
        }
        for f in l
            .findings
            .iter()
            .filter(|f| f.severity == crate::judge::finding::Severity::Critical)
        {
            let key: String = f.text.chars().filter(|c| !c.is_ascii_digit()).collect();
            note(key, f.text.clone());
        }
        self.paging = Some(now);
        match (self.bell, first_new) {
            (true, Some(said)) => vec![Effect::Bell(said)],
            _ => vec![],
        }
    }

    fn op_done(&mut self, op: Op, result: Result<OpOutcome, OpError>) {
        let ended = match &result {
            Ok(o) => Ok(o.message.clone()),
            Err(e) => Err(e.clone()),
        };
        match &mut self.operation {
            Some(r) if r.op == op && r.is_running() => r.ended = Some(ended),
            _ => {
                self.operation = Some(Running {
                    op: op.clone(),
                    progress: None,
                    ended: Some(ended),
                })
            }
        }
        if matches!(self.mode, Mode::Operation) {
            self.mode = Mode::Normal;
        }
        let OpOutcome { message, secret } = match result {
            Ok(done) => done,
            Err(e) => {
                self.message = Some((Level::Error, e.about(&op)));
                return;
            }
        };
        self.message = Some((Level::Info, message));
        match &op {
            Op::ResumeRotation { id, .. } => self.unfinished.retain(|r| r.id != *id),
            Op::RotateKey { .. } | Op::DeleteOldKey(_) => {}
            // Shown at once, applying until a read shows it.
            Op::ToggleRule(_)
            | Op::RateLimit(_)
            | Op::Block(_)
            | Op::Unblock(_)
            | Op::SetKeyEnabled(_) => {
                self.pending.push(Pending {
                    op: op.clone(),
                    reads: 0,
                });
                if let Some(raw) = self.raw.clone() {
                    self.take_data(raw, false);
                }
            }
        }
        if let Some(secret) = secret {
            self.mode = Mode::Reveal(Reveal {
                title: format!("New key for {}", op.subject()),
                secret,
                revealed: false,
            });
        }
    }
}
