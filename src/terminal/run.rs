//! The run loop: terminal events, engine events and signals in; frames out — only when
//! something visible changed.

use std::time::Duration;

use anyhow::Context;
use chrono::Utc;
use tokio::sync::mpsc;

use super::feed::Feed;
pub use super::feed::REPLAY_CHANGES_NOTHING;
pub use super::input::Ending;
use super::input::{Input, Inputs, mouse_click};
use super::term::{TitleKept, copy_to_clipboard, ring};
use crate::app::keymap::Keymap;
use crate::app::{App, Effect, Event};
use crate::engine::{self, Request};
use crate::ops::audit::{self, Audit, Phase};
use crate::ops::{self, procedure};
use crate::record::OperationPart;
use crate::source::Source;
use crate::terminal::term;
use crate::theme::Theme;
use crate::ui;

/// Loads a theme by name or path, already reduced to the terminal's colours.
pub type ThemeLoader = Box<dyn Fn(&str) -> Result<Theme, String>>;

pub struct Settings {
    pub read_only: bool,
    /// Ring the bell on a new alarm or critical finding.
    pub bell: bool,
    /// The time range at the start (the source is already set to it).
    pub range: crate::model::Range,
    /// `compare_factor` in the config: how many times its value then a finding needs.
    pub compare_factor: f64,
    /// `--compare` (the source is already set to it).
    pub compare: Option<crate::model::range::Shift>,
    /// Why, when the config keeps the account read-only (not only `--read-only`).
    pub read_only_why: Option<String>,
    pub refresh: Duration,
    /// After this long without a key, poll less often (and say so).
    pub idle_after: Option<Duration>,
    pub source_label: String,
    pub load_theme: ThemeLoader,
    /// Where operations are recorded (and read back for `a`).
    pub audit: Option<Audit>,
    pub dry_run: bool,
    /// The keys in force.
    pub keymap: Keymap,
    /// Said in the footer at start (no log file could be written, say).
    pub warning: Option<String>,
    /// `--record`: what the engine hands the screens is kept here too.
    pub recorder: Option<crate::record::Recorder>,
    /// `--tour`: the captions to walk through.
    pub tour: Option<crate::app::tour::Tour>,
    /// `--mouse`: take the mouse's clicks and wheel.
    pub mouse: bool,
}

/// How the dashboard ended, and the plan to print after a `--dry-run` confirmation.
pub struct Outcome {
    pub ending: Ending,
    pub dry_run_plan: Option<ops::Plan>,
    /// The console URLs `o` copied, for `--print-urls`.
    pub urls: Vec<String>,
}

/// What the loop carries out the app's effects with: everything but the app itself.
struct Runner {
    theme: Theme,
    feed: Feed,
    events: mpsc::Sender<Event>,
    settings: Settings,
    /// `--dry-run`: the plan confirmed, to print on the way out.
    dry_run_plan: Option<ops::Plan>,
}

impl Runner {
    /// Do what the app asked for; true when it asked to end.
    fn perform(&mut self, app: &mut App, effects: Vec<Effect>) -> bool {
        let Runner {
            theme,
            feed,
            events,
            settings,
            dry_run_plan,
        } = self;
        let mut quit = false;
        for effect in effects {
            let request = match effect {
                Effect::Quit => {
                    quit = true;
                    None
                }
                Effect::Refresh => Some(Request::RefreshNow),
                Effect::SetRefresh(d) => Some(Request::SetInterval(d)),
                Effect::SetRange(r) => Some(Request::SetRange(r)),
                Effect::SetCompare(c) => Some(Request::SetCompare(c)),
                Effect::Apply(op) => {
                    tracing::info!(op = %op.summary(), "confirmed by the operator");
                    if let (Some(rec), Some(d)) = (&settings.recorder, app.data()) {
                        let plan = ops::plan(&op, d).lines();
                        rec.operation(operation_part(settings, &op, Phase::Confirmed, plan, None));
                    }
                    Some(Request::Apply(op))
                }
                Effect::Replay(c) => {
                    for ev in feed.control(c) {
                        app.handle(ev);
                    }
                    None
                }
                Effect::ReadKeyValue(place, key_id) => Some(Request::KeyValue(place, key_id)),
                Effect::ShowAudit => {
                    show_audit(settings.audit.as_ref(), events, app);
                    None
                }
                Effect::DryRun(op, plan) => {
                    if let Err(e) = procedure::dry_run(&op, settings.audit.as_ref()) {
                        tracing::error!(error = %e, "audit log");
                    }
                    *dry_run_plan = Some(plan);
                    quit = true;
                    None
                }
                Effect::Bell(title) => {
                    ring(&title);
                    None
                }
                Effect::Copy(text) => {
                    copy_to_clipboard(&text);
                    None
                }
                Effect::LoadTheme(name) => {
                    app.handle(match (settings.load_theme)(&name) {
                        Ok(t) => {
                            *theme = t;
                            Event::ThemeLoaded(theme.name.clone())
                        }
                        Err(e) => Event::ThemeFailed(e),
                    });
                    None
                }
            };
            if let Some(r) = request {
                for ev in feed.send(r) {
                    app.handle(ev);
                }
            }
        }
        quit
    }
}

/// The audit log's last entries, read off the screen's thread (the file is on a disk, maybe a
/// slow one) and handed to the app as an event.
fn show_audit(audit: Option<&Audit>, events: &mpsc::Sender<Event>, app: &mut App) {
    let Some(a) = audit else {
        app.handle(Event::Audit(Err(procedure::say::NO_AUDIT.into())));
        return;
    };
    let (path, events) = (a.path().to_path_buf(), events.clone());
    tokio::spawn(async move {
        let read = tokio::task::spawn_blocking(move || audit::read_last(&path, 500))
            .await
            .unwrap_or_else(|e| Err(e.to_string()));
        let _ = events.send(Event::Audit(read)).await;
    });
}

/// An operation as the recording keeps it: who, what, the plan or the outcome.
fn operation_part(
    settings: &Settings,
    op: &ops::Op,
    phase: Phase,
    plan: Vec<String>,
    result: Option<&str>,
) -> OperationPart {
    let who = match &settings.audit {
        Some(a) => a.who_for(op),
        None => audit::Who::new("", "", ""),
    };
    let text = crate::model::Text::new;
    OperationPart {
        phase,
        what: text(&op.summary()),
        by: text(&who.local_user),
        caller: text(&who.caller),
        plan: plan.iter().map(|l| text(l)).collect(),
        result: result.map(text),
    }
}

/// The application state the settings ask for.
fn new_app(settings: &Settings, theme_name: &str) -> App {
    let mut app = App::new(
        Utc::now(),
        settings.read_only,
        settings.refresh,
        theme_name,
        &settings.source_label,
    );
    app.dry_run = settings.dry_run;
    app.read_only_why = settings.read_only_why.clone();
    app.keymap = settings.keymap.clone();
    app.idle_after = settings.idle_after;
    app.bell = settings.bell;
    app.range = settings.range;
    app.compare_factor = settings.compare_factor;
    app.compare = settings.compare;
    if let Some(w) = &settings.warning {
        app.message = Some((crate::app::Level::Error, crate::model::text::escape(w)));
    }
    app.recording = settings
        .recorder
        .as_ref()
        .map(|r| crate::model::text::escape(&r.path().display().to_string()));
    app
}

/// A panic is logged, the terminal restored (so that the report is readable), then reported
/// as before.
fn log_panics() {
    let report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        tracing::error!(%info, "panic");
        term::restore();
        report(info);
    }));
}

pub async fn run<S: Source>(
    source: S,
    theme: Theme,
    settings: Settings,
) -> anyhow::Result<Outcome> {
    let (req_tx, req_rx) = mpsc::unbounded_channel::<Request>();
    let (ev_tx, ev_rx) = mpsc::channel::<Event>(64);
    let (rotations, broken) = source.unfinished();
    let on_exit = source.on_exit();
    let engine = tokio::spawn(engine::run(
        source,
        engine::Setup {
            interval: settings.refresh,
            audit: settings.audit.clone(),
            read_only: settings.read_only,
        },
        req_rx,
        ev_tx.clone(),
    ));
    let mut app = new_app(&settings, &theme.name);
    app.handle(Event::Unfinished { rotations, broken });
    let outcome = dashboard(app, Feed::Live(req_tx), theme, settings, (ev_tx, ev_rx)).await;
    engine.abort();
    if let Some(stop) = on_exit {
        // Queries AWS would go on running (and billing) for nobody.
        let _ = tokio::time::timeout(Duration::from_secs(3), stop).await;
    }
    outcome
}

/// The dashboard fed from a recording, on its clock.
pub async fn replay(
    player: crate::record::Player,
    theme: Theme,
    settings: Settings,
) -> anyhow::Result<Outcome> {
    let app = new_app(&settings, &theme.name);
    let events = mpsc::channel::<Event>(64);
    dashboard(app, Feed::Replay(Box::new(player)), theme, settings, events).await
}

/// The loop: draw when something visible changed, wait for a key, the feed, a signal or the
/// next visible change, and do what the app asks.
async fn dashboard(
    mut app: App,
    feed: Feed,
    theme: Theme,
    settings: Settings,
    (events, ev_rx): (mpsc::Sender<Event>, mpsc::Receiver<Event>),
) -> anyhow::Result<Outcome> {
    let _guard = term::Guard;
    // Dropped before the guard: the title comes back, then the screen.
    let _title = settings.bell.then(TitleKept::save);
    let mut terminal = term::enter().context("cannot set up the terminal")?;
    term::reports(settings.mouse);
    let mut hits = ui::Hits::default();
    let mut inputs = Inputs::new(ev_rx)?;
    log_panics();

    let mut run = Runner {
        theme,
        feed,
        events,
        settings,
        dry_run_plan: None,
    };
    if let Some(tour) = run.settings.tour.clone() {
        app.tour = Some(crate::app::replay::TourState::new(tour));
        app.now = run.feed.now();
        app.replay = run.feed.view();
        let effects = app.begin_tour();
        run.perform(&mut app, effects);
    }
    let mut frames: u64 = 0;
    let started = std::time::Instant::now();
    let mut dirty = true;
    let ending = loop {
        dirty |= run.take_due(&mut app);
        if dirty {
            terminal
                .draw(|f| hits = ui::draw(f, &app, &run.theme))
                .context("drawing")?;
            frames += 1;
            // The end-to-end tests check that a panic restores the terminal.
            if crate::host::hooks::at(crate::host::hooks::Point::FrameDrawn)
                == crate::host::hooks::Reaction::Panic
            {
                panic!("a test hook asked for a panic after a frame");
            }
        }
        let input = inputs.next(run.wait(&app)).await;
        app.now = run.feed.now();
        let effects;
        (effects, dirty) = match run.take_input(&mut app, input, &hits) {
            Ok(taken) => taken,
            Err(ending) => break ending,
        };
        if run.perform(&mut app, effects) {
            break if run.dry_run_plan.is_some() {
                Ending::DryRun
            } else {
                Ending::Quit
            };
        }
    };
    drop(terminal);
    term::restore();
    let secs = started.elapsed().as_secs_f64();
    tracing::info!(
        frames,
        seconds = secs,
        per_minute = frames as f64 * 60.0 / secs.max(1e-9),
        ?ending,
        "frames drawn"
    );
    Ok(Outcome {
        ending,
        dry_run_plan: run.dry_run_plan,
        urls: app.urls,
    })
}

/// What a mouse event is on, in the frame last drawn: a left click, or the wheel.
impl Runner {
    /// What fell due since the last turn (a replay's polls, the tour's steps), carried out; a
    /// recording that failed is said. Whether the screen changed.
    fn take_due(&mut self, app: &mut App) -> bool {
        app.now = self.feed.now();
        let due = self.feed.due();
        let mut dirty = !due.is_empty();
        for ev in due {
            let effects = app.handle(ev);
            self.perform(app, effects);
        }
        app.replay = self.feed.view();
        if let Some(why) = self
            .settings
            .recorder
            .as_ref()
            .and_then(|r| r.take_failure())
        {
            app.handle(Event::Warning(why));
            app.recording = None;
            dirty = true;
        }
        dirty
    }

    /// How long to wait for input: until something on screen changes by itself (the data's
    /// age, the feed's next event, a playing replay's timeline), an hour at most.
    fn wait(&self, app: &App) -> Duration {
        let playing = app.replay.as_ref().filter(|r| !r.paused && !r.ended);
        [
            app.next_visible_change(),
            self.feed.wait(),
            playing.map(|_| TIMELINE_TICK),
        ]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(Duration::from_secs(3600))
    }

    /// What an input asks of the app, and whether the screen may have changed; or the run's
    /// end.
    fn take_input(
        &self,
        app: &mut App,
        input: Input,
        hits: &ui::Hits,
    ) -> Result<(Vec<Effect>, bool), Ending> {
        let dirty = !matches!(input, Input::Nothing);
        let effects = match input {
            Input::Key(k) => app.handle(Event::Key(k)),
            Input::Mouse(m) => match mouse_click(m, hits).filter(|_| self.settings.mouse) {
                Some(c) => app.handle(Event::Click(c)),
                None => return Ok((vec![], false)),
            },
            Input::Focus(focused) => app.handle(Event::Focus(focused)),
            Input::Engine(ev) => {
                record(&self.settings, &ev);
                app.handle(ev)
            }
            Input::Tick => app.check_idle(),
            Input::Resize | Input::Nothing => vec![],
            Input::End(ending) => return Err(ending),
        };
        Ok((effects, dirty))
    }
}

/// A replay's timeline moves on by itself: its clock is redrawn this often while it plays.
const TIMELINE_TICK: Duration = Duration::from_secs(1);

/// Pass what the engine reported to the recording, as the screens take it.
fn record(settings: &Settings, ev: &Event) {
    let Some(rec) = &settings.recorder else {
        return;
    };
    match ev {
        Event::OpDone { op, result } => {
            let (phase, words) = match result {
                Ok(o) => (Phase::Succeeded, o.message.clone()),
                Err(e) if e.refused() => (Phase::Refused, e.to_string()),
                Err(e) => (Phase::Failed, e.to_string()),
            };
            rec.operation(operation_part(settings, op, phase, vec![], Some(&words)));
        }
        other => rec.observe(other),
    }
}
