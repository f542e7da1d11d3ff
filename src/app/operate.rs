//! Asking for an operation from the screen in view: where it can be asked, the procedure's
//! checks, the plan to confirm, and the run once confirmed.

use super::*;

impl App {
    /// Confirmed: run it, unless read-only or a dry run.
    pub(super) fn run(&mut self, c: Confirm) -> Vec<Effect> {
        if self.read_only {
            return self.error(procedure::say::READ_ONLY_UNCHANGED.into());
        }
        if self.dry_run {
            self.message = Some((Level::Info, procedure::say::DRY_RUN.into()));
            return vec![Effect::DryRun(c.op, c.plan)];
        }
        self.message = Some((Level::Info, format!("running: {}", c.op.summary())));
        self.operation = Some(Running {
            op: c.op.clone(),
            progress: None,
            ended: None,
        });
        if matches!(c.op, Op::RotateKey { .. } | Op::ResumeRotation { .. }) {
            self.mode = Mode::Operation;
        }
        vec![Effect::Apply(c.op)]
    }

    /// Finish or roll back an unfinished rotation: the plan, to confirm.
    pub(super) fn ask_resume(&mut self, r: &Rotation, rollback: bool) {
        if !self.may_start("finishing or rolling back a rotation") {
            return;
        }
        let at = self.data().and_then(|d| {
            let p = d.places.iter().position(|i| {
                i.account.id.as_str() == r.account && i.account.region.as_str() == r.region
            })?;
            ops::At::of(d, crate::model::Place(p as u16)).map(Box::new)
        });
        let op = Op::ResumeRotation {
            id: r.id.clone(),
            key_name: crate::model::Text::new(&r.old_key_name),
            rollback,
            at,
        };
        let plan = ops::resume_plan(r, rollback);
        self.mode = Mode::Confirm(Confirm {
            op,
            plan,
            focus: Button::Cancel,
            typed: None,
        });
    }

    /// The procedure's checks (read-only, one at a time); a refusal is said in the footer.
    pub(super) fn may_start(&mut self, what: &str) -> bool {
        if let (true, Some(why)) = (self.read_only, &self.read_only_why) {
            self.message = Some((Level::Error, why.clone()));
            return false;
        }
        match procedure::check(self.read_only, self.busy(), what) {
            Ok(()) => true,
            Err(e) => {
                self.message = Some((Level::Error, e.to_string()));
                false
            }
        }
    }

    /// An operation only works on its own screen: say where to go.
    pub(super) fn only_on(&mut self, screen: Screen, action: KeyAction, what: &str) -> bool {
        if self.screen != screen {
            let (key, go) = (
                self.keymap.label(&action.name()),
                self.keymap.label(&screen.action_name()),
            );
            self.message = Some((
                Level::Info,
                format!("{key} {what}: go to the {} screen ({go})", screen.title()),
            ));
        }
        self.screen == screen
    }

    /// Ask to confirm `found`, or say why it cannot be.
    pub(super) fn ask(&mut self, found: Result<Op, OpError>) {
        let read_only_there = |op: &Op| {
            let at = op.at()?;
            self.data()
                .filter(|d| d.read_only_at(at.place))
                .map(|_| procedure::say::read_only_at(at))
        };
        let found = found.and_then(|op| match read_only_there(&op) {
            Some(why) => Err(OpError::Refused(why)),
            None => Ok(op),
        });
        match found {
            Ok(op) => self.confirm(op),
            Err(e) => self.message = Some((Level::Error, e.to_string())),
        }
    }

    pub(super) fn ask_toggle(&mut self) {
        if !self.only_on(Screen::Waf, KeyAction::ToggleRule, "toggles a WAF rule")
            || !self.may_start("toggling a WAF rule")
        {
            return;
        }
        let Some(d) = self.data() else {
            return self.no_row(KeyAction::ToggleRule, "toggles the selected rule");
        };
        let rules = waf::in_view(d, self.view(Screen::Waf));
        let Some((acl, rule)) = rules.get(self.selected(Screen::Waf)).copied() else {
            return self.no_row(KeyAction::ToggleRule, "toggles the selected rule");
        };
        if matches!(rule.kind, RuleKind::ManagedGroup { .. }) && !rule.pending {
            let choices = operation::group_choices(acl, rule, ops::At::of(d, acl.place));
            if !choices.is_empty() {
                self.mode = Mode::Pick(Pick {
                    title: format!("Toggle what in rule group {}?", rule.name),
                    choices,
                    selected: 0,
                });
                return;
            }
        }
        let at = ops::At::of(d, acl.place);
        let found = procedure::toggle_of(acl, rule, None).map(|op| op.acting_at(at));
        self.ask(found);
    }

    /// A key that acts on the selected row pressed with no row to act on: said, never silent
    /// (the data not read yet, or no row the filter keeps).
    pub(super) fn no_row(&mut self, action: KeyAction, what: &str) {
        let why = match (self.data(), self.view(self.screen).filter.is_empty()) {
            (None, _) => "nothing is read yet",
            (Some(_), false) => "no row matches the filter (yet)",
            (Some(_), true) => "there is no row (yet)",
        };
        let key = self.keymap.label(&action.name());
        self.message = Some((Level::Info, format!("{key} {what}: {why}")));
    }

    /// The data, and the key selected on Keys (after its filter).
    pub(super) fn selected_key(&self) -> Option<(&Snapshot, &crate::model::ApiKey)> {
        let d = self.data()?;
        let keys = api_keys::in_view(d, self.view(Screen::Keys));
        let key = *keys.get(self.selected(Screen::Keys))?;
        Some((d, key))
    }

    pub(super) fn ask_rotate(&mut self) {
        if !self.only_on(Screen::Keys, KeyAction::RotateKey, "rotates an API key")
            || !self.may_start("rotating an API key")
        {
            return;
        }
        let Some((d, key)) = self.selected_key() else {
            return self.no_row(KeyAction::RotateKey, "rotates the selected key");
        };
        let at = ops::At::of(d, key.place);
        let found = procedure::rotation_of(key).map(|op| op.acting_at(at));
        self.ask(found);
    }

    pub(super) fn confirm(&mut self, op: Op) {
        let Some(d) = self.data() else { return };
        let plan = ops::plan(&op, d);
        let typed = ops::respond::typed(&op).map(|want| Typed {
            want,
            got: String::new(),
        });
        self.mode = Mode::Confirm(Confirm {
            op,
            plan,
            focus: Button::Cancel,
            typed,
        });
    }
}
