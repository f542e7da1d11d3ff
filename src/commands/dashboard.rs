//! The dashboard: the account on screen, live, until the operator quits.

use std::process::ExitCode;
use std::time::Duration;

use crate::commands::cli::Args;
use crate::commands::startup;
use crate::terminal::run;
use crate::terminal::term;

/// `--tour`: the file's tour, or without one the demo's.
pub fn tour_of(args: &Args) -> anyhow::Result<Option<crate::app::tour::Tour>> {
    let Some(file) = &args.tour else {
        return Ok(None);
    };
    let file = file.as_deref();
    let replaying = matches!(
        args.command,
        Some(crate::commands::cli::Command::Replay { .. })
    );
    if file.is_none() && !args.demo && !replaying {
        anyhow::bail!(
            "--tour without a file is the demo's tour: add --demo, or give a tour of your own \
             (--tour FILE)"
        );
    }
    crate::app::tour::Tour::load(file)
        .map(Some)
        .map_err(anyhow::Error::msg)
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let eff = startup::effective(&args)?;
    let theme = startup::choose_theme(&args, None).map_err(anyhow::Error::msg)?;
    term::check_tty().map_err(anyhow::Error::msg)?;
    let no_log = startup::log_or_warn(&args);
    tracing::info!(
        version = env!("CARGO_PKG_VERSION"),
        demo = args.demo,
        seed = args.seed,
        speed = args.speed,
        "start"
    );
    let tour = tour_of(&args)?;
    let recorder = match &eff.record {
        Some(to) => {
            let path = startup::record_file(&args, to)?;
            let label = if args.demo { "demo" } else { "aws" };
            let start = crate::record::StartPart::new(label);
            Some(
                crate::record::Recorder::start(&path, eff.record_keep, start)
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
    } = rt.block_on(startup::account(&args, &eff))?;
    let theme_args = args.clone();
    let settings = run::Settings {
        read_only: eff.read_only || read_only.is_some(),
        bell: eff.bell,
        range: eff.range,
        compare_factor: eff.compare_factor,
        compare: args.compare,
        read_only_why: read_only,
        refresh,
        idle_after: (args.idle_after > 0).then(|| Duration::from_secs(args.idle_after * 60)),
        source_label: if args.demo { "demo" } else { "aws" }.into(),
        load_theme: Box::new(move |spec| startup::choose_theme(&theme_args, Some(spec))),
        audit: startup::audit_for(&args, who).map(|a| a.with_places(who_at)),
        dry_run: args.dry_run,
        keymap: eff.keymap.clone(),
        warning: no_log,
        recorder,
        tour,
        mouse: eff.mouse,
    };
    let outcome = rt.block_on(run::run(source, theme, settings))?;
    rt.shutdown_timeout(Duration::from_millis(200));
    if let Some(plan) = outcome.dry_run_plan {
        for line in plan.lines() {
            crate::outln!("{line}");
        }
        crate::outln!("{}", crate::ops::procedure::say::DRY_RUN);
    }
    if args.print_urls {
        for url in &outcome.urls {
            crate::outln!("{url}");
        }
    }
    Ok(ExitCode::from(outcome.ending.exit_code()))
}
