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
}

/// How the dashboard ended, and the plan to print after a `--dry-run` confirmation.
pub struct Outcome {
    pub ending: Ending,
    pub dry_run_plan: Option<String>,
}

pub async fn run<S: Source>(
    source: S,
    mut theme: Theme,
    settings: Settings,
) -> anyhow::Result<Outcome> {
    let mut hup = signal(SignalKind::hangup()).context("SIGHUP handler")?;
    let mut sigterm = signal(SignalKind::terminate()).context("SIGTERM handler")?;
    let mut sigint = signal(SignalKind::interrupt()).context("SIGINT handler")?;

    let _guard = term::Guard;
    let mut terminal = term::enter().context("cannot set up the terminal")?;
    let restore_and_report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        tracing::error!(%info, "panic");
        restore_and_report(info);
    }));
    // Test hook: the end-to-end tests check that a panic restores the terminal.
    let panic_after_first_frame = std::env::var_os("EDGETOP_TEST_PANIC").is_some();

    let (rotations, broken) = source.unfinished();
    let (req_tx, req_rx) = mpsc::unbounded_channel::<Request>();
    let (ev_tx, mut ev_rx) = mpsc::channel::<Event>(64);
    let engine = tokio::spawn(engine::run(
        source,
        settings.refresh,
        req_rx,
        ev_tx,
        settings.audit.clone(),
    ));
    let mut dry_run_plan = None;

    let mut app = App::new(
        Utc::now(),
        settings.read_only,
        settings.refresh,
        &theme.name,
        &settings.source_label,
    );
    app.dry_run = settings.dry_run;
    app.keymap = settings.keymap;
    app.idle_after = settings.idle_after;
    app.handle(Event::Unfinished { rotations, broken });
    let mut keys = EventStream::new();
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
            dirty = false;
            assert!(
                !panic_after_first_frame,
                "EDGETOP_TEST_PANIC is set: panicking on purpose"
            );
        }
        let wait = app
            .next_visible_change()
            .unwrap_or(Duration::from_secs(3600));
        let commands = tokio::select! {
            ev = keys.next() => match ev {
                Some(Ok(TermEvent::Key(k))) => {
                    dirty = true;
                    app.now = Utc::now();
                    app.handle(Event::Key(k))
                }
                Some(Ok(TermEvent::Resize(..))) => {
                    dirty = true;
                    vec![]
                }
                Some(Ok(_)) => vec![],
                Some(Err(e)) => {
                    tracing::warn!(error = %e, "terminal input failed");
                    break Ending::InputClosed;
                }
                None => break Ending::InputClosed,
            },
            Some(ev) = ev_rx.recv() => {
                app.now = Utc::now();
                dirty = true;
                app.handle(ev)
            }
            _ = tokio::time::sleep(wait) => {
                dirty = true;
                app.now = Utc::now();
                app.check_idle()
            }
            _ = hup.recv() => break Ending::HangUp,
            _ = sigterm.recv() => break Ending::Terminated,
            _ = sigint.recv() => break Ending::Terminated,
        };
        let mut quit = false;
        for c in commands {
            match c {
                Effect::Quit => quit = true,
                Effect::Refresh => {
                    let _ = req_tx.send(Request::RefreshNow);
                }
                Effect::SetRefresh(d) => {
                    let _ = req_tx.send(Request::SetInterval(d));
                }
                Effect::Apply(op) => {
                    tracing::info!(op = %op.summary(), "confirmed by the operator");
                    let _ = req_tx.send(Request::Apply(op));
                }
                Effect::ReadKeyValue(key_id) => {
                    let _ = req_tx.send(Request::KeyValue(key_id));
                }
                Effect::ShowAudit => {
                    let ev = match &settings.audit {
                        Some(a) => Event::Audit(audit::read_last(a.path(), 500)),
                        None => Event::Audit(Err("no audit log (no state directory)".into())),
                    };
                    app.handle(ev);
                }
                Effect::DryRun(op, plan) => {
                    if let Some(a) = &settings.audit
                        && let Err(e) = a.record(audit::Phase::DryRun, &op, None)
                    {
                        tracing::error!(error = %e, "audit log");
                    }
                    dry_run_plan = Some(plan.text());
                    quit = true;
                }
                Effect::LoadTheme(name) => {
                    let ev = match (settings.load_theme)(&name) {
                        Ok(t) => {
                            theme = t;
                            Event::ThemeLoaded(theme.name.clone())
                        }
                        Err(e) => Event::ThemeFailed(e),
                    };
                    app.handle(ev);
                }
            }
        }
        if quit {
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
