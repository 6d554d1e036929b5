//! Wiring: which module runs each command; `scan`, `actions`, `posture` and `deps` (arguments →
//! configuration and `garrison_scan` options → `garrison_scan::scan` → `output::finish`) and
//! `rules`.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Result, bail};
use garrison_cli::{Cli, Command, DepsAction, OutputFormat, RulesArgs, ScanArgs};
use garrison_report::config::{Baseline, Config, IgnoreEntry};
use garrison_report::registry::Lookup;
use garrison_report::render;
use garrison_scan::{Analyses, DepsOptions, ScanOptions};

use crate::output::{Output, eprintln, finish, write_output};
use crate::progress::Bars;

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Scan(args) => scan(&args, Analyses::ALL),
        Command::Actions(args) => scan(&args, Analyses::ACTIONS),
        Command::Posture(args) => scan(&args, Analyses::POSTURE),
        Command::Deps(d) => match d.action {
            Some(DepsAction::Impact(a)) => crate::impact::run(&a),
            None => scan(&d.scan, Analyses::DEPS),
        },
        Command::Db(c) => crate::db::run(&c),
        Command::Sbom(a) => crate::sbom::run(&a),
        Command::History(a) => crate::history::run_history(&a),
        Command::Review(a) => crate::history::run_review(&a),
        Command::Contributors(a) => crate::history::run_contributors(&a),
        Command::Sign(a) if a.keyless => crate::keyless::run(&a),
        Command::Sign(a) => crate::sign::run(&a),
        Command::Verify(a) if a.lock.is_some() => crate::verify_lock::run(&a),
        Command::Verify(a) => crate::verify::run(&a),
        Command::Release(garrison_cli::ReleaseCommand::Verify(a)) => crate::release::verify(&a),
        Command::Rules(args) => rules(&args),
        Command::Ecosystem(c) => crate::ecosystem::run(&c),
        Command::Serve(a) => crate::serve::run(&a),
    }
}

fn load_config(args: &ScanArgs, root: &Path) -> Result<Config> {
    let mut cfg = garrison_scan::load_config(root, args.config.as_deref(), args.isolated)?;
    garrison_scan::check_selectors(&args.select, &args.ignore)?;
    cfg.merge_cli(Config {
        select: args.select.clone(),
        ignore: args.ignore.iter().cloned().map(IgnoreEntry::Rule).collect(),
        min_severity: args.min_severity,
        min_confidence: args.min_confidence,
        fail_on: args.fail_on,
        exclude: Vec::new(),
        ignore_vulnerabilities: Vec::new(),
        history_window: args.history_window.clone(),
    });
    Ok(cfg)
}

/// The scan options of the command line: the analyses of the command, the dependency audit's
/// options, the history window, progress bars.
fn scan_options(args: &ScanArgs, analyses: Analyses) -> ScanOptions {
    let d = &args.deps;
    ScanOptions {
        deps: DepsOptions {
            db: crate::db::db_path(d.db.as_ref()),
            python_version: d.python_version.clone(),
            platform: d.platform.clone(),
            declared: !d.no_declared,
        },
        history_window: args.history_window.clone(),
        progress: Arc::new(Bars),
        ..ScanOptions::new(analyses)
    }
}

fn scan(args: &ScanArgs, analyses: Analyses) -> Result<ExitCode> {
    let opts = scan_options(args, analyses);
    opts.check(&args.paths)?;
    let baseline = match &args.baseline {
        Some(b) if b.exists() => Some(Baseline::load(b)?),
        Some(b) if args.write_baseline.as_ref() != Some(b) => {
            bail!(
                "{}: baseline file does not exist (create it with --write-baseline)",
                b.display()
            )
        }
        _ => None,
    };
    let cfg = load_config(args, &garrison_scan::config_root(&args.paths))?;
    let scan = garrison_scan::scan(&args.paths, &cfg, &opts)?;
    for w in &scan.warnings {
        eprintln(&format!("garrison: {w}"));
    }
    let out = Output {
        write_baseline: args.write_baseline.as_deref(),
        ..Output::of(&args.output)
    };
    finish(scan.report, &cfg, baseline.as_ref(), &out)
}

fn rules(args: &RulesArgs) -> Result<ExitCode> {
    let text = match garrison_scan::registry().lookup(args.rule.as_deref())? {
        Lookup::Rule(rule) => rule.markdown(),
        Lookup::Rules(all) => match args.format {
            OutputFormat::Json => render::rules::json(&all),
            OutputFormat::Markdown => render::rules::markdown(&all),
            OutputFormat::Text | OutputFormat::Sarif => render::rules::text(&all),
        },
    };
    write_output(None, &text)?;
    Ok(ExitCode::SUCCESS)
}
