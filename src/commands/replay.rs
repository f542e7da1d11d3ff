//! `edgetop replay FILE`: the dashboard fed from a recording, on its clock; nothing changes.

use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use crate::commands::cli::Args;
use crate::record::{Player, Tape};
use crate::{commands::startup, terminal::run, terminal::term};

pub fn run(args: &Args, file: &Path) -> anyhow::Result<ExitCode> {
    let eff = startup::effective(args)?;
    let theme = startup::choose_theme(args, None).map_err(anyhow::Error::msg)?;
    let tour = super::dashboard::tour_of(args)?;
    let mut tape = Tape::open(file).map_err(anyhow::Error::msg)?;
    let first = tape.snapshot(0).map_err(|e| {
        anyhow::anyhow!(
            "{} cannot be replayed: {e}",
            crate::model::text::escape(&file.display().to_string())
        )
    })?;
    term::check_tty().map_err(anyhow::Error::msg)?;
    let no_log = startup::log_or_warn(args);
    tracing::info!(polls = tape.polls.len(), cut = tape.cut.is_some(), "replay");
    let warning = tape
        .cut
        .as_ref()
        .map(|cut| format!("{cut}: replayed up to its last whole part"))
        .or(no_log);
    let theme_args = args.clone();
    let settings = run::Settings {
        read_only: true,
        read_only_why: Some(run::REPLAY_CHANGES_NOTHING.into()),
        bell: false,
        range: first.range,
        compare_factor: eff.compare_factor,
        compare: first.compare.map(|c| c.shift),
        refresh: tape.cadence(),
        idle_after: None,
        source_label: "replay".into(),
        load_theme: Box::new(move |spec| startup::choose_theme(&theme_args, Some(spec))),
        audit: None,
        dry_run: false,
        keymap: eff.keymap.clone(),
        warning,
        recorder: None,
        tour,
        mouse: eff.mouse,
    };
    let rt = startup::runtime()?;
    let outcome = rt.block_on(run::replay(Player::new(tape, args.speed), theme, settings))?;
    rt.shutdown_timeout(Duration::from_millis(200));
    Ok(ExitCode::from(outcome.ending.exit_code()))
}
