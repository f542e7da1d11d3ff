//! `edgetop replay FILE`: the dashboard fed from a recording, on its clock; nothing changes.

use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use crate::commands::startup::Run;
use crate::record::{Player, Tape};
use crate::{commands::startup, terminal::run, terminal::term};

pub fn run(run: &Run, file: &Path) -> anyhow::Result<ExitCode> {
    let theme = run.theme.load(None).map_err(anyhow::Error::msg)?;
    let tour = super::dashboard::tour_of(run)?;
    let mut tape = Tape::open(file).map_err(anyhow::Error::msg)?;
    let first = tape.snapshot(0).map_err(|e| {
        anyhow::anyhow!(
            "{} cannot be replayed: {e}",
            crate::model::text::escape(&file.display().to_string())
        )
    })?;
    term::check_tty().map_err(anyhow::Error::msg)?;
    let no_log = startup::log_or_warn(run);
    tracing::info!(polls = tape.polls.len(), cut = tape.cut.is_some(), "replay");
    let warning = tape
        .cut
        .as_ref()
        .map(|cut| format!("{cut}: replayed up to its last whole part"))
        .or(no_log);
    let themes = run.theme.clone();
    let settings = run::Settings {
        read_only: true,
        read_only_why: Some(run::REPLAY_CHANGES_NOTHING.into()),
        bell: false,
        range: first.range,
        compare_factor: run.compare_factor,
        compare: first.compare.map(|c| c.shift),
        refresh: tape.cadence(),
        idle_after: None,
        source_label: "replay".into(),
        load_theme: Box::new(move |spec| themes.load(Some(spec))),
        audit: None,
        dry_run: false,
        keymap: run.keymap.clone(),
        warning,
        recorder: None,
        tour,
        mouse: run.mouse,
    };
    let rt = startup::runtime()?;
    let outcome = rt.block_on(run::replay(Player::new(tape, run.speed), theme, settings))?;
    rt.shutdown_timeout(Duration::from_millis(200));
    Ok(ExitCode::from(outcome.ending.exit_code()))
}
