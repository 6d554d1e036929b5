//! The repository half composed: everything `garrison scan` runs over one checkout — workflow
//! audits (garrison-actions), SPEC 6/8 posture (garrison-posture), known vulnerabilities in the
//! dependencies (garrison-advisories over garrison-python's readers) and the review of recent
//! history (garrison-history) — on one load of the project (garrison-workspace), into one
//! [`Report`]. The CLI (`garrison scan`, `actions`, `posture`, `deps`) and the ecosystem fleet
//! (once per project) call the same functions: [`scan_checkout`] for a checkout (or one
//! workflow file), [`scan_paths`] for the dependency audit of any number of checkouts and
//! dependency files, [`scan`] for either as a command line names them.
//!
//! Nothing here prints. What does not stop a scan comes back as a [`Warning`]; long work is
//! told to the caller's [`Progress`]; the clock is read once, into [`ScanOptions::now`]; input
//! errors are one [`ScanError`]. The configuration is the caller's to build: [`load_config`]
//! reads and checks it against the one [`registry`] of every rule. [`impact`] gathers the inputs
//! of `garrison deps impact` (an advisory, a set of projects) the same way.

mod advisories;
pub mod deps;
mod error;
mod history;
pub mod impact;
mod progress;
mod registry;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use garrison_history::HistoryError;
use garrison_report::Report;
use garrison_report::config::Config;
use garrison_workspace::{Inputs, Options, Workspace};

pub use advisories::{advisory_data, open_advisories};
pub use error::ScanError;
pub use history::window;
pub use progress::{NoProgress, Progress, Stage};
pub use registry::{check_selectors, load_config, registry};

/// Which analyses a scan runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Analyses {
    /// Workflow audits (`workflow/*`, `dependabot/*`).
    pub actions: bool,
    /// SPEC 6 / SPEC 8 posture (`posture/*`).
    pub posture: bool,
    /// Known vulnerabilities in dependencies (`deps/*`).
    pub deps: bool,
    /// Risky commits of the recent history (`history/*`).
    pub history: bool,
}

impl Analyses {
    /// Everything (`garrison scan`).
    pub const ALL: Analyses = Analyses {
        actions: true,
        posture: true,
        deps: true,
        history: true,
    };
    /// Workflow audits only (`garrison actions`).
    pub const ACTIONS: Analyses = Analyses {
        actions: true,
        posture: false,
        deps: false,
        history: false,
    };
    /// Posture only (`garrison posture`).
    pub const POSTURE: Analyses = Analyses {
        actions: false,
        posture: true,
        deps: false,
        history: false,
    };
    /// The dependency audit only (`garrison deps`).
    pub const DEPS: Analyses = Analyses {
        actions: false,
        posture: false,
        deps: true,
        history: false,
    };

    /// Only the dependency audit, which takes any number of checkouts and dependency files
    /// ([`scan_paths`]); the other analyses scan one checkout ([`scan_checkout`]).
    pub fn deps_only(self) -> bool {
        self.deps && !(self.actions || self.posture)
    }
}

/// Options of the dependency audit.
#[derive(Debug, Clone)]
pub struct DepsOptions {
    /// The advisory database; when the file does not exist, the snapshot built into Garrison
    /// ([`open_advisories`]).
    pub db: PathBuf,
    /// Only entries whose environment markers may apply to this Python version (`3.11`).
    pub python_version: Option<String>,
    /// Only entries whose environment markers may apply on this platform (`linux`, `darwin`,
    /// `win32`).
    pub platform: Option<String>,
    /// Report declared ranges that admit vulnerable versions (off: library mode).
    pub declared: bool,
}

impl Default for DepsOptions {
    /// The default database ([`garrison_advisories::default_path`]), every environment,
    /// declared ranges reported.
    fn default() -> DepsOptions {
        DepsOptions {
            db: garrison_advisories::default_path(),
            python_version: None,
            platform: None,
            declared: true,
        }
    }
}

/// How to scan.
#[derive(Clone)]
pub struct ScanOptions {
    /// The analyses to run.
    pub analyses: Analyses,
    /// The dependency audit's options.
    pub deps: DepsOptions,
    /// The history window as the user gave it (`--history-window`); it overrides the
    /// configuration's `history-window` (see [`window`]).
    pub history_window: Option<String>,
    /// Where mined history is cached; `None` mines afresh.
    pub history_cache: Option<PathBuf>,
    /// The time of the scan, Unix seconds: history windows, the advisory data's age, expiries
    /// of accepted vulnerabilities.
    pub now: i64,
    /// Told how long work advances.
    pub progress: Arc<dyn Progress>,
}

impl ScanOptions {
    /// `analyses` with the default database and history cache, no progress, at the current
    /// time (the clock is read here, once).
    pub fn new(analyses: Analyses) -> ScanOptions {
        ScanOptions {
            analyses,
            deps: DepsOptions::default(),
            history_window: None,
            history_cache: Some(garrison_history::default_cache_dir()),
            now: garrison_source::time::now(),
            progress: Arc::new(NoProgress),
        }
    }

    /// Checks `paths` and the options before anything is read: every path exists, several
    /// paths only for the dependency audit, and the environment the markers are evaluated for
    /// can be read.
    pub fn check<P: AsRef<Path>>(&self, paths: &[P]) -> Result<(), ScanError> {
        exist(paths)?;
        if paths.len() > 1 && (self.analyses.actions || self.analyses.posture) {
            return Err(ScanError::OneCheckout);
        }
        self.check_environment()
    }

    fn check_environment(&self) -> Result<(), ScanError> {
        garrison_python::markers::may_apply(
            "python_version >= '2'",
            self.deps.python_version.as_deref(),
            self.deps.platform.as_deref(),
        )
        .map(drop)
        .map_err(ScanError::Environment)
    }
}

fn exist<P: AsRef<Path>>(paths: &[P]) -> Result<(), ScanError> {
    match paths.iter().map(AsRef::as_ref).find(|p| !p.exists()) {
        Some(p) => Err(ScanError::NotFound(p.to_path_buf())),
        None => Ok(()),
    }
}

/// The directory whose configuration applies to a scan of `paths`: the one path (its
/// directory when it is a file), else the current directory.
pub fn config_root<P: AsRef<Path>>(paths: &[P]) -> PathBuf {
    let path = report_root(paths);
    if path.is_dir() {
        path
    } else {
        path.parent().map(Path::to_path_buf).unwrap_or_default()
    }
}

/// The root a report of `paths` names: the one path, else the current directory.
fn report_root<P: AsRef<Path>>(paths: &[P]) -> PathBuf {
    match paths {
        [one] => one.as_ref().to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// What a scan found, and what it could not do without failing.
#[derive(Debug)]
pub struct Scan {
    /// Findings, the rules that ran, the files read and the errors of those that could not be.
    /// Not yet sorted or filtered by the configuration's thresholds and ignores (the caller's
    /// output does that with the baseline).
    pub report: Report,
    /// What the caller may want to tell the user; the report says it too.
    pub warnings: Vec<Warning>,
}

/// Something a scan could not do, without failing.
#[derive(Debug)]
pub enum Warning {
    /// The git history could not be read, so no commit was reviewed.
    HistoryNotReviewed(HistoryError),
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Warning::HistoryNotReviewed(e) => write!(f, "history not reviewed: {e}"),
        }
    }
}

/// Scans `paths` as the command line gives them: the dependency audit of any number of paths
/// ([`scan_paths`]) when it is the only analysis, else the one checkout or file
/// ([`scan_checkout`]).
pub fn scan<P: AsRef<Path>>(
    paths: &[P],
    cfg: &Config,
    opts: &ScanOptions,
) -> Result<Scan, ScanError> {
    opts.check(paths)?;
    if opts.analyses.deps_only() {
        scan_paths(paths, cfg, opts)
    } else {
        scan_checkout(&report_root(paths), cfg, opts)
    }
}

/// Scans one checkout with the analyses of `opts`: one walk and one parse of every input serve
/// them all. A file instead of a checkout is audited as the GitHub file its name says (a
/// workflow by default). `cfg` selects the rules and excludes paths; its thresholds and
/// ignores are applied by the caller. For the dependency audit of several paths, see
/// [`scan_paths`].
pub fn scan_checkout(path: &Path, cfg: &Config, opts: &ScanOptions) -> Result<Scan, ScanError> {
    exist(&[path])?;
    opts.check_environment()?;
    let which = opts.analyses;
    if which.history {
        // A window that cannot be read is an error before anything is loaded.
        window(opts.history_window.as_deref(), cfg, opts.now)?;
    }
    if path.is_file() {
        let selected = |id: &str| cfg.selects(id);
        let mut scan = Scan {
            report: Report {
                root: path.display().to_string(),
                ..Report::default()
            },
            warnings: Vec::new(),
        };
        let report = &mut scan.report;
        let mut ws = Workspace::load_file(path, None)?;
        add_actions(report, &ws, &selected);
        report
            .errors
            .extend(ws.errors_of(garrison_actions::INPUTS).cloned());
        report.sources.extend(ws.take_sources());
        return Ok(scan);
    }

    let mut ws = Workspace::load(
        path,
        &Options::new(inputs_for(which), cfg.exclude_matchers()),
    );
    scan_workspace(&mut ws, path, cfg, opts)
}

/// The inputs a workspace must read for `analyses` ([`scan_workspace`]'s caller loads it so).
pub fn inputs_for(analyses: Analyses) -> Inputs {
    if analyses.posture {
        Inputs::All
    } else if analyses.actions {
        Inputs::GitHub
    } else {
        Inputs::FilesOnly
    }
}

/// Scans a workspace the caller has loaded (with [`inputs_for`] the analyses; for example
/// [`Workspace::from_tree`], a commit's tree read from git objects, with [`Workspace::git`] set
/// for the tag checks) with the analyses of `opts`, as [`scan_checkout`] does for a checkout it
/// loads itself. Dependency files are read through the workspace (from memory for an in-memory
/// one). The history analysis reviews the repository at `history`, whose `.git` it reads (a
/// path without one gets the not-evaluated note). The report's root is the workspace's.
pub fn scan_workspace(
    ws: &mut Workspace,
    history: &Path,
    cfg: &Config,
    opts: &ScanOptions,
) -> Result<Scan, ScanError> {
    opts.check_environment()?;
    let which = opts.analyses;
    let window = which
        .history
        .then(|| window(opts.history_window.as_deref(), cfg, opts.now))
        .transpose()?;
    let selected = |id: &str| cfg.selects(id);
    let path = ws.root.clone();
    let mut scan = Scan {
        report: Report {
            root: path.display().to_string(),
            ..Report::default()
        },
        warnings: Vec::new(),
    };
    let report = &mut scan.report;
    if ws.truncated {
        report.errors.push(garrison_report::FileError {
            path: ".".into(),
            line: None,
            column: None,
            message: "the checkout is larger than the walk limits; the rest was not scanned".into(),
        });
    }
    // Each analysis answers for the load errors of the inputs it reads; each error is
    // reported once.
    let mut read: Vec<Option<garrison_workspace::Kind>> = Vec::new();
    if which.actions {
        add_actions(report, ws, &selected);
        read.extend(garrison_actions::INPUTS);
    }
    if which.posture {
        report.findings.extend(garrison_posture::run(ws, &selected));
        report.files_scanned = report.files_scanned.max(ws.files.len());
        report.rules.extend(
            garrison_posture::rules()
                .into_iter()
                .filter(|r| selected(r.id)),
        );
        read.extend(garrison_posture::INPUTS);
    }
    report.errors.extend(ws.errors_of(&read).cloned());
    // The dependency audit (and the advisory data it states) only when one of its rules is
    // selected: `--select workflow` neither loads advisories nor reports their age.
    if which.deps
        && garrison_advisories::audit::rules()
            .iter()
            .any(|r| selected(r.id))
    {
        let files: Vec<String> = ws.paths().map(str::to_string).collect();
        let manifests = if ws.in_memory() {
            deps::manifests_in_workspace(ws, &files, opts.progress.as_ref(), report)
        } else {
            deps::manifests_in(&path, &files, "", opts.progress.as_ref(), report)
        };
        let (db, data) = open_advisories(&opts.deps.db, opts.now)?;
        report.advisories = Some(data);
        deps::audit(
            report, &db, &manifests, cfg, &opts.deps, opts.now, &selected,
        )?;
    }
    if let Some(window) = &window
        && let Some(e) = history::review(report, history, window, &selected, opts)
    {
        scan.warnings.push(Warning::HistoryNotReviewed(e));
    }
    // Every file a finding can point at was read by the workspace.
    scan.report.sources.extend(ws.take_sources());
    Ok(scan)
}

/// The dependency audit of any number of checkouts and dependency files (`garrison deps`).
/// A checkout's dependency files are found by a walk that honours the configuration's
/// excludes; a file is read as the dependency file its name says, following the `-r`/`-c`
/// includes of a requirements file wherever they point. With several paths, each file is
/// shown under the path it was found in.
pub fn scan_paths<P: AsRef<Path>>(
    paths: &[P],
    cfg: &Config,
    opts: &ScanOptions,
) -> Result<Scan, ScanError> {
    exist(paths)?;
    opts.check_environment()?;
    let selected = |id: &str| cfg.selects(id);
    let single = paths.len() == 1;
    let mut report = Report {
        root: report_root(paths).display().to_string(),
        ..Report::default()
    };
    let mut manifests = Vec::new();
    let excludes = cfg.exclude_matchers();
    for p in paths.iter().map(AsRef::as_ref) {
        if p.is_dir() {
            let ws = Workspace::load(p, &Options::new(Inputs::FilesOnly, excludes.clone()));
            let files: Vec<String> = ws.paths().map(str::to_string).collect();
            let prefix = if single {
                String::new()
            } else {
                format!("{}/", p.display().to_string().trim_end_matches('/'))
            };
            let progress = opts.progress.as_ref();
            manifests.extend(deps::manifests_in(
                p,
                &files,
                &prefix,
                progress,
                &mut report,
            ));
        } else {
            manifests.extend(deps::manifests_of_file(p, &mut report)?);
        }
    }
    let (db, data) = open_advisories(&opts.deps.db, opts.now)?;
    report.advisories = Some(data);
    deps::audit(
        &mut report,
        &db,
        &manifests,
        cfg,
        &opts.deps,
        opts.now,
        &selected,
    )?;
    Ok(Scan {
        report,
        warnings: Vec::new(),
    })
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
