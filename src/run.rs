//! The run loop: terminal events, engine events and signals in; frames out — only when
//! something visible changed.

use std::time::Duration;

use anyhow::Context;
use chrono::Utc;
use crossterm::event::{Event as TermEvent, EventStream};
use futures::StreamExt;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc;

use crate::app::keymap::Keymap;
use crate::app::{App, Effect, Event};
use crate::engine::{self, Request};
use crate::ops::audit::{self, Audit, Phase};
use crate::ops::{self, procedure};
use crate::record::OperationPart;
use crate::source::Source;
use crate::term;
use crate::theme::Theme;
use crate::ui;

/// Why the loop ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ending {
    Quit,
    /// SIGHUP: the terminal (an SSH link) went away.
    HangUp,
    /// SIGTERM or SIGINT.
    Terminated,
    /// Standard input closed.
    InputClosed,
    /// `--dry-run`: a plan was confirmed, to be printed instead of run.
    DryRun,
}

impl Ending {
    pub fn exit_code(self) -> u8 {
        match self {
            Ending::Quit | Ending::InputClosed | Ending::DryRun => 0,
            Ending::HangUp => 129,
            Ending::Terminated => 143,
        }
    }
}

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
    pub tour: Option<crate::tour::Tour>,
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
                    match &settings.audit {
                        // Read off the screen's thread: the file is on a disk, maybe a slow one.
                        Some(a) => {
                            let (path, events) = (a.path().to_path_buf(), events.clone());
                            tokio::spawn(async move {
                                let read = tokio::task::spawn_blocking(move || {
                                    audit::read_last(&path, 500)
                                })
                                .await
                                .unwrap_or_else(|e| Err(e.to_string()));
                                let _ = events.send(Event::Audit(read)).await;
                            });
                        }
                        None => {
                            app.handle(Event::Audit(Err(procedure::say::NO_AUDIT.into())));
                        }
                    }
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

/// Where the dashboard's data comes from: the engine, live, or a recording.
enum Feed {
    Live(mpsc::UnboundedSender<Request>),
    Replay(Box<crate::record::Player>),
}

impl Feed {
    /// The dashboard's now: the wall clock live, the recording's clock in a replay.
    fn now(&self) -> chrono::DateTime<Utc> {
        match self {
            Feed::Live(_) => Utc::now(),
            Feed::Replay(p) => p.now(),
        }
    }

    /// Pass a request on; what a replay answers at once comes back.
    fn send(&mut self, r: Request) -> Vec<Event> {
        let Feed::Live(engine) = self else {
            return match r {
                // The screen refuses these first (read-only, with the replay's words).
                Request::Apply(op) => vec![Event::OpDone {
                    op,
                    result: Err(procedure::OpError::Refused(REPLAY_CHANGES_NOTHING.into())),
                }],
                Request::KeyValue(_, key_id) => vec![Event::KeyValue {
                    key_id,
                    result: Err("a recording holds no key values".into()),
                }],
                _ => vec![],
            };
        };
        // The engine ends only when the dashboard does.
        let _ = engine.send(r);
        vec![]
    }

    fn control(&mut self, c: crate::record::player::Control) -> Vec<Event> {
        match self {
            Feed::Live(_) => vec![],
            Feed::Replay(p) => p.control(c),
        }
    }

    /// What a replay's clock has reached since last asked.
    fn due(&mut self) -> Vec<Event> {
        match self {
            Feed::Live(_) => vec![],
            Feed::Replay(p) => p.due(),
        }
    }

    /// How long until a replay has something to hand over.
    fn wait(&self) -> Option<Duration> {
        match self {
            Feed::Live(_) => None,
            Feed::Replay(p) => p.wait(),
        }
    }

    fn view(&self) -> Option<crate::record::player::ReplayView> {
        match self {
            Feed::Live(_) => None,
            Feed::Replay(p) => Some(p.view()),
        }
    }
}

/// Why nothing changes in a replay: the read-only words of a replay.
pub const REPLAY_CHANGES_NOTHING: &str =
    "a replay changes nothing: it shows what was recorded (act on the account with edgetop itself)";

/// What the dashboard waits for.
struct Inputs {
    keys: EventStream,
    events: mpsc::Receiver<Event>,
    hup: tokio::signal::unix::Signal,
    sigterm: tokio::signal::unix::Signal,
    sigint: tokio::signal::unix::Signal,
}

/// What came first.
enum Input {
    Key(crossterm::event::KeyEvent),
    /// A click or the wheel (`--mouse`).
    Mouse(crossterm::event::MouseEvent),
    /// The terminal's window gained (true) or lost the focus.
    Focus(bool),
    Resize,
    Engine(Event),
    /// Something on screen changes by itself now (an age, staleness), or idleness set in.
    Tick,
    /// Nothing to do: a mouse event, a focus change.
    Nothing,
    End(Ending),
}

impl Inputs {
    fn new(events: mpsc::Receiver<Event>) -> anyhow::Result<Inputs> {
        Ok(Inputs {
            keys: EventStream::new(),
            events,
            hup: signal(SignalKind::hangup()).context("SIGHUP handler")?,
            sigterm: signal(SignalKind::terminate()).context("SIGTERM handler")?,
            sigint: signal(SignalKind::interrupt()).context("SIGINT handler")?,
        })
    }

    async fn next(&mut self, wait: Duration) -> Input {
        tokio::select! {
            ev = self.keys.next() => match ev {
                Some(Ok(TermEvent::Key(k))) => Input::Key(k),
                Some(Ok(TermEvent::Resize(..))) => Input::Resize,
                Some(Ok(TermEvent::Mouse(m))) => Input::Mouse(m),
                Some(Ok(TermEvent::FocusGained)) => Input::Focus(true),
                Some(Ok(TermEvent::FocusLost)) => Input::Focus(false),
                Some(Ok(_)) => Input::Nothing,
                Some(Err(e)) => {
                    tracing::warn!(error = %e, "terminal input failed");
                    Input::End(Ending::InputClosed)
                }
                None => Input::End(Ending::InputClosed),
            },
            Some(ev) = self.events.recv() => Input::Engine(ev),
            _ = tokio::time::sleep(wait) => Input::Tick,
            _ = self.hup.recv() => Input::End(Ending::HangUp),
            _ = self.sigterm.recv() => Input::End(Ending::Terminated),
            _ = self.sigint.recv() => Input::End(Ending::Terminated),
        }
    }
}

/// Put `text` on the operator's clipboard: OSC 52 ("ESC ] 52 ; c ; base64 BEL", in xterm's
/// control sequences), which a terminal passes to the clipboard of the machine it runs on, so
/// it crosses SSH; tmux takes it (into a paste buffer, and on to the outer terminal) with
/// `set-clipboard on` (its default, `external`, ignores what programs send). The text is
/// already one inert line (see `app::table`); base64 keeps it from ending the sequence.
fn copy_to_clipboard(text: &str) {
    use base64::Engine;
    use std::io::Write;
    let b64 = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    let mut out = std::io::stdout();
    let _ = write!(out, "\x1b]52;c;{b64}\x07");
    let _ = out.flush();
}

/// The bell, and what paged in the window's title (made inert first: it names things AWS
/// named, and a title is written to the terminal raw).
fn ring(title: &str) {
    use std::io::Write;
    let title: String = crate::model::text::escape(title)
        .chars()
        .filter(|c| !c.is_control())
        .take(120)
        .collect();
    let mut out = std::io::stdout();
    let _ = crossterm::execute!(
        out,
        crossterm::terminal::SetTitle(format!("edgetop: {title}"))
    );
    let _ = out.write_all(b"\x07");
    let _ = out.flush();
}

/// With `--bell` edgetop sets the window's title; the title it found is kept on xterm's title
/// stack ("CSI 22 ; 0 t" saves the icon and window title, "CSI 23 ; 0 t" restores them, in
/// xterm's control sequences) from the start, and put back when edgetop ends, whichever way. A
/// terminal without the stack ignores both.
struct TitleKept;

impl TitleKept {
    fn save() -> TitleKept {
        use std::io::Write;
        let mut out = std::io::stdout();
        let _ = out.write_all(b"\x1b[22;0t");
        let _ = out.flush();
        TitleKept
    }
}

impl Drop for TitleKept {
    fn drop(&mut self) {
        use std::io::Write;
        let mut out = std::io::stdout();
        let _ = out.write_all(b"\x1b[23;0t");
        let _ = out.flush();
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
        app.now = run.feed.now();
        let due = run.feed.due();
        dirty |= !due.is_empty();
        for ev in due {
            let effects = app.handle(ev);
            run.perform(&mut app, effects);
        }
        app.replay = run.feed.view();
        if let Some(why) = run
            .settings
            .recorder
            .as_ref()
            .and_then(|r| r.take_failure())
        {
            app.handle(Event::Warning(why));
            app.recording = None;
            dirty = true;
        }
        if dirty {
            terminal
                .draw(|f| hits = ui::draw(f, &app, &run.theme))
                .context("drawing")?;
            frames += 1;
            // The end-to-end tests check that a panic restores the terminal.
            if crate::hooks::at(crate::hooks::Point::FrameDrawn) == crate::hooks::Reaction::Panic {
                panic!("a test hook asked for a panic after a frame");
            }
        }
        let playing = app.replay.as_ref().filter(|r| !r.paused && !r.ended);
        let wait = [
            app.next_visible_change(),
            run.feed.wait(),
            playing.map(|_| TIMELINE_TICK),
        ]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(Duration::from_secs(3600));
        let input = inputs.next(wait).await;
        app.now = run.feed.now();
        dirty = !matches!(input, Input::Nothing);
        let effects = match input {
            Input::Key(k) => app.handle(Event::Key(k)),
            Input::Mouse(m) => match mouse_click(m, &hits).filter(|_| run.settings.mouse) {
                Some(c) => app.handle(Event::Click(c)),
                None => {
                    dirty = false;
                    vec![]
                }
            },
            Input::Focus(focused) => app.handle(Event::Focus(focused)),
            Input::Engine(ev) => {
                record(&run.settings, &ev);
                app.handle(ev)
            }
            Input::Tick => app.check_idle(),
            Input::Resize | Input::Nothing => vec![],
            Input::End(ending) => break ending,
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
fn mouse_click(m: crossterm::event::MouseEvent, hits: &ui::Hits) -> Option<crate::events::Click> {
    use crate::events::Click;
    use crossterm::event::{MouseButton, MouseEventKind};
    match m.kind {
        MouseEventKind::Down(MouseButton::Left) => hits.at(m.column, m.row),
        MouseEventKind::ScrollDown => Some(Click::Wheel(3)),
        MouseEventKind::ScrollUp => Some(Click::Wheel(-3)),
        _ => None,
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
