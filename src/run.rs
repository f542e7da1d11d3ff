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
use crate::ops::audit::{self, Audit};
use crate::ops::{self, procedure};
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
}

/// How the dashboard ended, and the plan to print after a `--dry-run` confirmation.
pub struct Outcome {
    pub ending: Ending,
    pub dry_run_plan: Option<ops::Plan>,
}

/// Do what the app asked for; true when it asked to end.
fn perform(
    effects: Vec<Effect>,
    app: &mut App,
    theme: &mut Theme,
    engine: &mpsc::UnboundedSender<Request>,
    events: &mpsc::Sender<Event>,
    settings: &Settings,
    dry_run_plan: &mut Option<ops::Plan>,
) -> bool {
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
                Some(Request::Apply(op))
            }
            Effect::ReadKeyValue(place, key_id) => Some(Request::KeyValue(place, key_id)),
            Effect::ShowAudit => {
                match &settings.audit {
                    // Read off the screen's thread: the file is on a disk, maybe a slow one.
                    Some(a) => {
                        let (path, events) = (a.path().to_path_buf(), events.clone());
                        tokio::spawn(async move {
                            let read =
                                tokio::task::spawn_blocking(move || audit::read_last(&path, 500))
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
            // The engine ends only when the dashboard does.
            let _ = engine.send(r);
        }
    }
    quit
}

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
    mut theme: Theme,
    settings: Settings,
) -> anyhow::Result<Outcome> {
    let (req_tx, req_rx) = mpsc::unbounded_channel::<Request>();
    let (ev_tx, ev_rx) = mpsc::channel::<Event>(64);
    let _guard = term::Guard;
    // Dropped before the guard: the title comes back, then the screen.
    let _title = settings.bell.then(TitleKept::save);
    let mut terminal = term::enter().context("cannot set up the terminal")?;
    let mut inputs = Inputs::new(ev_rx)?;
    log_panics();

    let (rotations, broken) = source.unfinished();
    let on_exit = source.on_exit();
    let events = ev_tx.clone();
    let engine = tokio::spawn(engine::run(
        source,
        engine::Setup {
            interval: settings.refresh,
            audit: settings.audit.clone(),
            read_only: settings.read_only,
        },
        req_rx,
        ev_tx,
    ));
    let mut app = new_app(&settings, &theme.name);
    app.handle(Event::Unfinished { rotations, broken });

    let mut dry_run_plan = None;
    let mut frames: u64 = 0;
    let started = std::time::Instant::now();
    let mut dirty = true;
    let ending = loop {
        app.now = Utc::now();
        if dirty {
            terminal
                .draw(|f| ui::draw(f, &app, &theme))
                .context("drawing")?;
            frames += 1;
            // The end-to-end tests check that a panic restores the terminal.
            if crate::hooks::at(crate::hooks::Point::FrameDrawn) == crate::hooks::Reaction::Panic {
                panic!("a test hook asked for a panic after a frame");
            }
        }
        let wait = app
            .next_visible_change()
            .unwrap_or(Duration::from_secs(3600));
        let input = inputs.next(wait).await;
        app.now = Utc::now();
        dirty = !matches!(input, Input::Nothing);
        let effects = match input {
            Input::Key(k) => app.handle(Event::Key(k)),
            Input::Engine(ev) => app.handle(ev),
            Input::Tick => app.check_idle(),
            Input::Resize | Input::Nothing => vec![],
            Input::End(ending) => break ending,
        };
        if perform(
            effects,
            &mut app,
            &mut theme,
            &req_tx,
            &events,
            &settings,
            &mut dry_run_plan,
        ) {
            break if dry_run_plan.is_some() {
                Ending::DryRun
            } else {
                Ending::Quit
            };
        }
    };
    engine.abort();
    drop(terminal);
    term::restore();
    if let Some(stop) = on_exit {
        // Queries AWS would go on running (and billing) for nobody.
        let _ = tokio::time::timeout(Duration::from_secs(3), stop).await;
    }
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
        dry_run_plan,
    })
}
