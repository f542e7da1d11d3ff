//! A replay's keys and `:at`, and a tour's captions: what they change in the state, and what
//! they ask the runner to do with the recording's clock.

use super::*;
use crate::app::tour::{Caption, Tour};
use crate::record::player::{self, Control};

/// A tour under way: its captions, the one shown, and the filter it set to point at rows (taken
/// back at the next caption, unless the presenter changed it).
#[derive(Clone, Debug)]
pub struct TourState {
    pub tour: Tour,
    pub step: usize,
    pointed: Option<(Screen, String)>,
}

impl TourState {
    pub fn new(tour: Tour) -> TourState {
        TourState {
            tour,
            step: 0,
            pointed: None,
        }
    }

    pub fn caption(&self) -> &Caption {
        &self.tour.captions[self.step]
    }
}

impl App {
    /// A replay's or a tour's key.
    pub(super) fn on_replay_action(&mut self, a: KeyAction) -> Vec<Effect> {
        let control = match a {
            KeyAction::NextCaption => return self.tour_step(1),
            KeyAction::PreviousCaption => return self.tour_step(-1),
            KeyAction::PlayPause => Control::Pause,
            KeyAction::StepBack => Control::Step(-1),
            KeyAction::StepOn => Control::Step(1),
            KeyAction::Faster => Control::Faster,
            KeyAction::Slower => Control::Slower,
            _ => return vec![],
        };
        if self.replay.is_none() {
            return vec![];
        }
        vec![Effect::Replay(control)]
    }

    /// `:at TIME`: the replay to that moment.
    pub(super) fn replay_at(&mut self, text: &str) -> Vec<Effect> {
        let Some(r) = &self.replay else {
            return self
                .error(":at moves a replay (edgetop replay FILE); live, the data is now".into());
        };
        match player::moment(text, r.first, r.last) {
            Ok(t) => {
                self.message = Some((Level::Info, format!("at {}", t.format("%H:%M:%S UTC"))));
                vec![Effect::Replay(Control::At(t))]
            }
            Err(e) => self.error(text::escape(&e)),
        }
    }

    /// What a replay refuses that a live dashboard does: reading again, another range.
    pub(super) fn replay_refuses(&mut self, what: &str) -> bool {
        if self.replay.is_some() {
            self.message = Some((
                Level::Error,
                format!("a replay shows what was recorded: {what}"),
            ));
        }
        self.replay.is_some()
    }

    /// Show the tour's first caption (on a replay, at its moment). The runner calls this once.
    pub fn begin_tour(&mut self) -> Vec<Effect> {
        self.tour_step(0)
    }

    /// The caption `delta` away from the one shown: its screen, its rows pointed at, and on a
    /// replay its moment, paused there.
    fn tour_step(&mut self, delta: isize) -> Vec<Effect> {
        let Some(t) = self.tour.as_mut() else {
            return vec![];
        };
        let last = t.tour.captions.len() - 1;
        let step = (t.step as isize + delta).clamp(0, last as isize) as usize;
        if delta != 0 && step == t.step {
            let end = if delta > 0 { "last" } else { "first" };
            self.message = Some((Level::Info, format!("this is the tour's {end} caption")));
            return vec![];
        }
        t.step = step;
        let pointed = t.pointed.take();
        let caption = t.caption().clone();
        if let Some((s, filter)) = pointed {
            let v = &mut self.views[s.index()];
            if v.filter == filter {
                v.filter.clear();
            }
        }
        self.mode = Mode::Normal;
        self.screen = caption.screen;
        if let Some(row) = &caption.row {
            let v = self.view_mut();
            v.filter = row.to_string();
            v.selected = 0;
            if let Some(t) = self.tour.as_mut() {
                t.pointed = Some((caption.screen, row.to_string()));
            }
        }
        let mut effects = vec![];
        if let (Some(r), Some(at)) = (&self.replay, self.caption_moment()) {
            effects.push(Effect::Replay(Control::At(at)));
            if !r.paused {
                effects.push(Effect::Replay(Control::Pause));
            }
        }
        effects
    }

    /// The moment the caption shown is about: from the replay's start, or on the demo from
    /// its first data.
    pub fn caption_moment(&self) -> Option<DateTime<Utc>> {
        let at = self.tour.as_ref()?.caption().at.as_ref()?;
        let (first, last) = match &self.replay {
            Some(r) => (r.first, r.last),
            None => {
                let first = self.first_data_at?;
                (first, first + chrono::Duration::days(1))
            }
        };
        player::moment(at.as_str(), first, last).ok()
    }
}
