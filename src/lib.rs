//! edgetop: a live terminal dashboard for the security edge of an AWS-hosted API.
//!
//! Data flows one way: a [`source`] is polled by the [`engine`], whose events update the
//! [`app`] state, which [`ui::draw`] turns into a frame. Mutations are [`ops`], planned and
//! confirmed before the engine hands them to the source.

pub mod app;
pub mod cli;
pub mod engine;
pub mod format;
pub mod geo;
pub mod model;
pub mod ops;
pub mod run;
pub mod source;
pub mod term;
pub mod ui;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::Duration;

use anyhow::{Context, bail};

use cli::Args;
use source::Source;
use source::demo::DemoSource;
use ui::theme::{ColorDepth, Theme};

fn dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("", "", "edgetop")
}

/// The theme the options ask for, reduced to the terminal's colours.
pub fn choose_theme(args: &Args, spec: Option<&str>) -> Result<Theme, String> {
    let user_dir = dirs().map(|d| d.config_dir().join("themes"));
    let name = spec
        .or(args.theme.as_deref())
        .unwrap_or(if args.wants_no_color() {
            "mono"
        } else {
            "dark"
        });
    let theme = Theme::load(name, user_dir.as_deref()).map_err(|e| e.to_string())?;
    let depth = args.colors.unwrap_or_else(|| {
        ColorDepth::detect(
            std::env::var("COLORTERM").ok().as_deref(),
            std::env::var("TERM").ok().as_deref(),
        )
    });
    Ok(theme.degrade(depth))
}

fn log_path(args: &Args) -> Option<PathBuf> {
    args.log_file.clone().or_else(|| {
        let d = dirs()?;
        Some(
            d.state_dir()
                .unwrap_or(d.data_local_dir())
                .join("edgetop.log"),
        )
    })
}

fn init_logging(path: &Path) -> anyhow::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the log directory {}", dir.display()))?;
    }
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| format!("cannot open the log file {}", path.display()))?;
    let filter = tracing_subscriber::EnvFilter::try_from_env("EDGETOP_LOG")
        .unwrap_or_else(|_| "info".into());
    tracing_subscriber::fmt()
        .with_writer(Mutex::new(file))
        .with_ansi(false)
        .with_env_filter(filter)
        .init();
    Ok(())
}

/// Everything `main` does, with errors for it to print.
pub fn start(args: Args) -> anyhow::Result<ExitCode> {
    let theme = choose_theme(&args, None).map_err(anyhow::Error::msg)?;
    if !args.demo {
        bail!(
            "edgetop has no AWS source yet: run `edgetop --demo` for the built-in simulated account \
             (the AWS source — CloudWatch, WAFv2, API Gateway, CloudFront — is the next piece of work)"
        );
    }
    term::check_tty().map_err(anyhow::Error::msg)?;
    if let Some(p) = log_path(&args) {
        init_logging(&p)?;
    }
    tracing::info!(
        version = env!("CARGO_PKG_VERSION"),
        demo = args.demo,
        seed = args.seed,
        speed = args.speed,
        "start"
    );
    let source = DemoSource::new(args.seed, args.speed);
    let refresh = args
        .refresh
        .map(Duration::from_secs)
        .unwrap_or_else(|| source.default_refresh());
    let theme_args = args.clone();
    let settings = run::Settings {
        read_only: args.read_only,
        refresh,
        source_label: "demo".into(),
        load_theme: Box::new(move |spec| choose_theme(&theme_args, Some(spec))),
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let ending = rt.block_on(run::run(source, theme, settings))?;
    rt.shutdown_timeout(Duration::from_millis(200));
    Ok(ExitCode::from(ending.exit_code()))
}
