//! Wiring: configuration, running the analyses, rendering, exit codes.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Result, bail};
use garrison_report::config::{Baseline, Config, IgnoreEntry};
use garrison_report::{Report, RuleMeta};
use garrison_workspace::{Inputs, Options, Workspace};

use crate::cli::{Cli, Command, DepsAction, OutputFormat, RulesArgs, ScanArgs};
use crate::output::{Output, finish, write_output};

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
        Command::Sign(a) => crate::sign::run(&a),
        Command::Verify(a) => crate::verify::run(&a),
        Command::Release(crate::cli::ReleaseCommand::Verify(a)) => crate::release::verify(&a),
        Command::Rules(args) => rules(&args),
    }
}

/// Which analyses a command runs.
#[derive(Clone, Copy)]
struct Analyses {
    actions: bool,
    posture: bool,
    deps: bool,
    history: bool,
}

impl Analyses {
    const ALL: Analyses = Analyses {
        actions: true,
        posture: true,
        deps: true,
        history: true,
    };
    const ACTIONS: Analyses = Analyses {
        actions: true,
        posture: false,
        deps: false,
        history: false,
    };
    const POSTURE: Analyses = Analyses {
        actions: false,
        posture: true,
        deps: false,
        history: false,
    };
    const DEPS: Analyses = Analyses {
        actions: false,
        posture: false,
        deps: true,
        history: false,
    };
}

fn load_config(args: &ScanArgs, root: &Path) -> Result<Config> {
    let mut cfg = crate::registry::load_config(root, args.config.as_deref(), args.isolated)?;
    crate::registry::check_cli(&args.select, &args.ignore)?;
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

fn scan(args: &ScanArgs, which: Analyses) -> Result<ExitCode> {
    for p in &args.paths {
        if !p.exists() {
            bail!("{}: no such file or directory", p.display());
        }
    }
    if args.paths.len() > 1 && (which.actions || which.posture) {
        bail!("this command scans one checkout; `garrison deps` takes several paths");
    }
    if let Err(e) = garrison_python::markers::may_apply(
        "python_version >= '2'",
        args.deps.python_version.as_deref(),
        args.deps.platform.as_deref(),
    ) {
        bail!("{e}");
    }
    let single = args.paths.len() == 1;
    let fallback = PathBuf::from(".");
    let path = if single { &args.paths[0] } else { &fallback };
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
    let root_for_config = if path.is_dir() {
        path.clone()
    } else {
        path.parent().map(Path::to_path_buf).unwrap_or_default()
    };
    let cfg = load_config(args, &root_for_config)?;
    let window = which
        .history
        .then(|| crate::history::window(args.history_window.as_deref(), &cfg))
        .transpose()?;
    let selected = |id: &str| cfg.selects(id);

    let mut report = Report {
        root: path.display().to_string(),
        ..Report::default()
    };

    if which.deps && !(which.actions || which.posture) {
        // `garrison deps`: any number of checkouts and dependency files.
        let mut manifests = Vec::new();
        let excludes = cfg.exclude_matchers();
        for p in &args.paths {
            if p.is_dir() {
                let ws = Workspace::load(p, &Options::new(Inputs::FilesOnly, excludes.clone()));
                let files: Vec<String> = ws.paths().map(str::to_string).collect();
                let prefix = if single {
                    String::new()
                } else {
                    format!("{}/", p.display().to_string().trim_end_matches('/'))
                };
                manifests.extend(crate::deps::manifests_in(p, &files, &prefix, &mut report));
            } else {
                manifests.extend(crate::deps::manifests_of_file(p, &mut report)?);
            }
        }
        let db = crate::deps::load_db(&args.deps, &mut report)?;
        crate::deps::add(
            &mut report,
            db.as_ref(),
            &manifests,
            &cfg,
            &args.deps,
            &selected,
        )?;
    } else if path.is_file() {
        // A single file: audit it as the GitHub file its name says (workflow by default).
        let mut ws = Workspace::load_file(path, None)?;
        add_actions(&mut report, &ws, &selected);
        report
            .errors
            .extend(ws.errors_of(garrison_actions::INPUTS).cloned());
        report.sources.extend(ws.take_sources());
    } else {
        // One walk and one parse of every input serve all the analyses.
        let inputs = if which.posture {
            Inputs::All
        } else if which.actions {
            Inputs::GitHub
        } else {
            Inputs::FilesOnly
        };
        let mut ws = Workspace::load(path, &Options::new(inputs, cfg.exclude_matchers()));
        if ws.truncated {
            report.errors.push(garrison_report::FileError {
                path: ".".into(),
                line: None,
                column: None,
                message: "the checkout is larger than the walk limits; the rest was not scanned"
                    .into(),
            });
        }
        // Each analysis answers for the load errors of the inputs it reads; each error is
        // reported once.
        let mut read: Vec<Option<garrison_workspace::Kind>> = Vec::new();
        if which.actions {
            add_actions(&mut report, &ws, &selected);
            read.extend(garrison_actions::INPUTS);
        }
        if which.posture {
            crate::posture::add(&mut report, &ws, &selected);
            read.extend(garrison_posture::INPUTS);
        }
        report.errors.extend(ws.errors_of(&read).cloned());
        if which.deps {
            let files: Vec<String> = ws.paths().map(str::to_string).collect();
            let manifests = crate::deps::manifests_in(path, &files, "", &mut report);
            let db = crate::deps::load_db(&args.deps, &mut report)?;
            crate::deps::add(
                &mut report,
                db.as_ref(),
                &manifests,
                &cfg,
                &args.deps,
                &selected,
            )?;
        }
        if let Some(window) = &window {
            crate::history::add_to_scan(&mut report, path, window, &selected);
        }
        // Every file a finding can point at was read by the workspace.
        report.sources.extend(ws.take_sources());
    }

    let out = Output {
        write_baseline: args.write_baseline.as_deref(),
        ..Output::of(&args.output)
    };
    finish(report, &cfg, baseline.as_ref(), &out)
}

fn add_actions(report: &mut Report, ws: &Workspace, selected: &dyn Fn(&str) -> bool) {
    report.findings.extend(garrison_actions::run(ws, selected));
    report.files_scanned += garrison_actions::file_count(ws);
    report.rules.extend(
        garrison_actions::rules()
            .into_iter()
            .filter(|r| selected(r.id)),
    );
}

fn rules(args: &RulesArgs) -> Result<ExitCode> {
    let registry = crate::registry::registry();
    let mut all: Vec<&'static RuleMeta> = registry.rules().to_vec();
    if let Some(sel) = &args.rule {
        if let Some(rule) = registry.get(sel) {
            write_output(None, &rule.markdown())?;
            return Ok(ExitCode::SUCCESS);
        }
        // A family (`workflow`) lists its rules; anything else is an unknown rule.
        registry.check(sel)?;
        all.retain(|r| r.matches(sel));
    }
    let text = match args.format {
        OutputFormat::Json => {
            let v: Vec<_> = all
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "id": r.id,
                        "summary": r.summary,
                        "default_severity": r.default_severity,
                        "help": r.help,
                        "references": r.references,
                        "help_uri": r.help_uri(),
                        "docs": r.markdown(),
                    })
                })
                .collect();
            serde_json::to_string_pretty(&v)? + "\n"
        }
        OutputFormat::Markdown => all
            .iter()
            .map(|r| r.markdown())
            .collect::<Vec<_>>()
            .join("\n---\n\n"),
        OutputFormat::Text | OutputFormat::Sarif => {
            let width = all.iter().map(|r| r.id.len()).max().unwrap_or(0);
            let mut s = String::new();
            for r in &all {
                s.push_str(&format!(
                    "{:<width$}  {:<8}  {}\n",
                    r.id,
                    r.default_severity.as_str(),
                    r.summary
                ));
            }
            s.push_str(&format!(
                "\n{} rules. `garrison rules RULE` prints a rule's documentation.\n",
                all.len()
            ));
            s
        }
    };
    write_output(None, &text)?;
    Ok(ExitCode::SUCCESS)
}
