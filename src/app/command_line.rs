//! The `:` command line.

use super::*;

impl App {
    /// Run a `:` command line.
    pub fn run_command(&mut self, line: &str) -> Vec<Effect> {
        let mut words = line.split_whitespace();
        let cmd = words.next().unwrap_or("");
        let arg = words.next();
        match (cmd, arg) {
            ("", _) => vec![],
            ("q" | "quit", _) => {
                self.mode = Mode::Normal;
                self.on_action(KeyAction::Quit)
            }
            // vim's "quit, whatever": no second asking.
            ("q!", _) => {
                self.quit = true;
                vec![Effect::Quit]
            }
            ("theme", Some(name)) => vec![Effect::LoadTheme(name.to_string())],
            ("refresh", Some(secs)) => self.set_refresh(secs),
            ("range", Some(r)) => match crate::model::Range::parse(r) {
                Some(r) => self.set_range(r),
                None => self.error(format!(
                    ":range takes {}, not '{}'",
                    crate::model::Range::names(", "),
                    crate::model::Text::new(r)
                )),
            },
            ("compare", Some(w)) => match (w, crate::model::range::Shift::parse(w)) {
                ("off", _) => self.set_compare(None),
                (_, Some(shift)) => self.set_compare(Some(shift)),
                _ => self.error(format!(
                    ":compare takes 1d, 7d or off, not '{}'",
                    crate::model::Text::new(w)
                )),
            },
            ("help", _) => {
                self.mode = Mode::Help(0);
                vec![]
            }
            ("audit", _) => vec![Effect::ShowAudit],
            ("at", Some(_)) => {
                let when = line.trim_start().trim_start_matches("at").trim();
                self.replay_at(when)
            }
            ("block", Some(_)) => {
                let args = line.trim_start().trim_start_matches("block").trim();
                self.block_command(args);
                vec![]
            }
            ("scope", name) => self.set_scope(name),
            ("split", Some(how)) => self.set_split(how),
            ("rotations", _) => {
                self.offer_unfinished();
                vec![]
            }
            ("theme" | "refresh" | "split" | "block" | "range" | "compare", None) => {
                self.error(format!(":{cmd} needs an argument (see ? for help)"))
            }
            _ => self.error(format!(
                "unknown command :{cmd} (try :range, :compare, :theme, :refresh, :scope, :split, :audit, :rotations, :q)"
            )),
        }
    }

    /// `:refresh SECS`: poll every SECS seconds, 1 to 3600.
    fn set_refresh(&mut self, secs: &str) -> Vec<Effect> {
        match secs.parse::<u64>() {
            Ok(s) if (1..=3600).contains(&s) => {
                self.refresh = Duration::from_secs(s);
                self.message = Some((Level::Info, format!("polling every {s} s")));
                vec![Effect::SetRefresh(self.refresh)]
            }
            _ => self.error(format!(
                ":refresh takes whole seconds from 1 to 3600, not '{secs}'"
            )),
        }
    }

    /// `:split HOW`: the Overview's charts per account, per region, or as one.
    fn set_split(&mut self, how: &str) -> Vec<Effect> {
        match crate::screens::Split::parse(how) {
            Some(split) => {
                self.split = split;
                self.message = Some((Level::Info, format!("the Overview's charts: {how}")));
                vec![]
            }
            None => self.error(format!(
                ":split takes account, region or none, not '{}'",
                crate::model::Text::new(how)
            )),
        }
    }

    /// `:rotations`: the rotations that did not finish, to finish or roll back.
    fn offer_unfinished(&mut self) {
        if self.unfinished.is_empty() {
            self.message = Some((Level::Info, "no unfinished rotation".into()));
        } else {
            self.mode = Mode::Resume(ResumeOffer {
                rotations: self.unfinished.clone(),
                broken: Vec::new(),
                selected: 0,
            });
        }
    }

    /// Show `range` from the next poll on (asked at once), and say what it costs.
    pub(super) fn set_range(&mut self, range: crate::model::Range) -> Vec<Effect> {
        if self.replay_refuses("its range is the one recorded") {
            return vec![];
        }
        if range == self.range {
            self.message = Some((Level::Info, format!("already showing {}", range.label())));
            return vec![];
        }
        self.range = range;
        let metrics = self.data().map(|d| d.cost.metrics_last_poll);
        self.message = Some((Level::Info, range.cost_said(metrics)));
        vec![Effect::SetRange(range)]
    }

    /// Draw the same window a day or a week before beside today's (None: stop).
    pub(super) fn set_compare(&mut self, shift: Option<crate::model::range::Shift>) -> Vec<Effect> {
        if self.replay_refuses("its comparison is the one recorded, if any") {
            return vec![];
        }
        self.compare = shift;
        self.message = Some((
            Level::Info,
            match shift {
                Some(s) => format!(
                    "comparing with {} at this hour: a second read of every series a poll",
                    s.words()
                ),
                None => "no comparison".into(),
            },
        ));
        let compare = shift.map(|shift| crate::model::range::Compare {
            shift,
            factor: self.compare_factor,
        });
        vec![Effect::SetCompare(compare)]
    }

    pub(super) fn error(&mut self, msg: String) -> Vec<Effect> {
        self.message = Some((Level::Error, msg));
        vec![]
    }
}
