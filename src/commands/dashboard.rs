//! The dashboard: the account on screen, live, until the operator quits.

use std::process::ExitCode;
use std::time::Duration;

use crate::commands::startup::{self, Run};
use crate::terminal::run;
use crate::terminal::term;

/// `--tour`: the file's tour, or without one the demo's.
pub fn tour_of(run: &Run) -> anyhow::Result<Option<crate::app::tour::Tour>> {
    let Some(file) = &run.tour else {
        return Ok(None);
    };
    let file = file.as_deref();
    let replaying = matches!(
        run.command,
        Some(crate::commands::cli::Command::Replay { .. })
    );
    if file.is_none() && !run.demo && !replaying {
        anyhow::bail!(
            "--tour without a file is the demo's tour: add --demo, or give a tour of your own \
             (--tour FILE)"
        );
    }
    crate::app::tour::Tour::load(file)
        .map(Some)
        .map_err(anyhow::Error::msg)
}

pub fn run(run: &Run) -> anyhow::Result<ExitCode> {
    let theme = run.theme.load(None).map_err(anyhow::Error::msg)?;
    term::check_tty().map_err(anyhow::Error::msg)?;
    let no_log = startup::log_or_warn(run);
    tracing::info!(
        version = env!("CARGO_PKG_VERSION"),
        demo = run.demo,
        seed = run.seed,
        speed = run.speed,
        "start"
    );
    let tour = tour_of(run)?;
    let recorder = match &run.record {
        Some(to) => {
            let path = startup::record_file(run, to)?;
            let start = crate::record::StartPart::new(run.source_label());
            Some(
                crate::record::Recorder::start(&path, run.record_keep, start)
                    .map_err(anyhow::Error::msg)?,
            )
        }
        None => None,
    };
    let rt = startup::runtime()?;
    let startup::Opened {
        source,
        who,
        who_at,
        refresh,
        read_only,
    } = rt.block_on(startup::account(run))?;
    let themes = run.theme.clone();
    let settings = run::Settings {
        read_only: run.read_only || read_only.is_some(),
        bell: run.bell,
        range: run.range,
        compare_factor: run.compare_factor,
        compare: run.compare,
        read_only_why: read_only,
        refresh,
        idle_after: run.budgets.idle_after,
        source_label: run.source_label().into(),
        load_theme: Box::new(move |spec| themes.load(Some(spec))),
        audit: startup::audit_for(run, who).map(|a| a.with_places(who_at)),
        dry_run: run.dry_run,
        keymap: run.keymap.clone(),
        warning: no_log,
        recorder,
        tour,
        mouse: run.mouse,
    };
    let outcome = rt.block_on(run::run(source, theme, settings))?;
    rt.shutdown_timeout(Duration::from_millis(200));
    if let Some(plan) = outcome.dry_run_plan {
        for line in plan.lines() {
            crate::outln!("{line}");
        }
        crate::outln!("{}", crate::ops::procedure::say::DRY_RUN);
    }
    if run.print_urls {
        for url in &outcome.urls {
            crate::outln!("{url}");
        }
    }
    Ok(ExitCode::from(outcome.ending.exit_code()))
}
