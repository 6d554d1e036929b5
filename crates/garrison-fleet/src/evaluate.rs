//! A project's SPEC verdicts at one state: the analyses `garrison scan` runs (workflows,
//! posture, the dependency audit with the advisory data Garrison embeds or the local database,
//! the recent history and the release tags where a repository is there), with Garrison's
//! default configuration so every project is measured alike, the facts the items depend on,
//! and every item of the catalogue decided, with a text rendering.
//!
//! [`evaluate_tree`] reads a commit's tree from git objects (no checkout: a cached bare clone
//! is enough); [`evaluate_dir`] scans a directory as it is on disk (a plain directory without
//! git, whose history and tag items are then not evaluated). Both load the workspace once and
//! share [`garrison_scan::scan_workspace`].

use std::fmt::Write as _;
use std::path::Path;

use garrison_git::tree::{TreeEntryKind, TreeLimits};
use garrison_report::Finding;
use garrison_report::config::Config;
use garrison_scan::{Analyses, ScanOptions};
use garrison_workspace::{MemoryFile, Options, Workspace};

use crate::FleetError;
use crate::items::{Facts, Item, Status, Verdict, adoption, catalogue};

/// A project's verdicts at one state.
#[derive(Debug, Clone)]
pub struct Evaluation {
    /// The commit evaluated (hex), or `None` for a directory on disk.
    pub commit: Option<String>,
    /// The catalogue the verdicts follow.
    pub items: Vec<Item>,
    /// What is known about the tree.
    pub facts: Facts,
    /// Every finding of the scan, as the scan reported them (not filtered by severity).
    pub findings: Vec<Finding>,
    /// One verdict per item, in catalogue order.
    pub verdicts: Vec<Verdict>,
    /// What could not be done without failing: tree entries not read, history not reviewed.
    pub warnings: Vec<String>,
}

/// The scan options of a fleet evaluation: every analysis (`garrison scan`'s), the default
/// advisory database (the embedded snapshot when there is no local one), the default history
/// window and cache, at `now` (Unix seconds).
pub fn scan_options(now: i64) -> ScanOptions {
    let mut opts = ScanOptions::new(Analyses::ALL);
    opts.now = now;
    opts
}

/// Scans the checkout at `path` with workflows and posture (no dependency audit, no history)
/// and decides every item: `garrison ecosystem verdicts`.
pub fn evaluate_checkout(path: &Path) -> Result<Evaluation, FleetError> {
    let opts = ScanOptions::new(Analyses {
        actions: true,
        posture: true,
        deps: false,
        history: false,
    });
    evaluate_dir(path, &opts)
}

/// Scans the directory at `path` as it is on disk with the analyses of `opts` (see
/// [`scan_options`]) and decides every item. Without a `.git` there, the history and tag checks
/// report `info/not-evaluated`, so their items are `not-evaluated`.
pub fn evaluate_dir(path: &Path, opts: &ScanOptions) -> Result<Evaluation, FleetError> {
    let cfg = Config::default();
    if !path.is_dir() {
        return Err(garrison_scan::ScanError::NotFound(path.to_path_buf()).into());
    }
    let inputs = garrison_scan::inputs_for(opts.analyses);
    let mut ws = Workspace::load(path, &Options::new(inputs, cfg.exclude_matchers()));
    decide(&mut ws, path, None, Vec::new(), &cfg, opts)
}

/// Reads the tree of `commit` (any revision) from the repository at `repo` (a work tree or a
/// git directory; nothing is checked out), scans it with the analyses of `opts` (see
/// [`scan_options`]) and decides every item. The release tags and the history window are the
/// repository's as it is now (they describe the state at `HEAD`, which is what a scan
/// evaluates); findings point at paths of the tree. Blobs over [`TreeLimits`] are listed
/// without contents (a warning says so).
pub fn evaluate_tree(
    repo: &Path,
    commit: &str,
    opts: &ScanOptions,
) -> Result<Evaluation, FleetError> {
    let tree = garrison_git::tree::read_tree(repo, commit, &TreeLimits::default())?;
    let cfg = Config::default();
    let (mut ws, warnings, id) =
        tree_workspace(repo, tree, garrison_scan::inputs_for(opts.analyses));
    ws.git = Some(repo.to_path_buf());
    decide(&mut ws, repo, Some(id), warnings, &cfg, opts)
}

/// A workspace of a tree read from git objects: regular and executable files (symbolic links
/// and submodules are left out, as a walk of a checkout leaves them out), with the tree's
/// warnings and the commit id.
pub(crate) fn tree_workspace(
    repo: &Path,
    tree: garrison_git::tree::Tree,
    inputs: garrison_workspace::Inputs,
) -> (Workspace, Vec<String>, String) {
    let files = tree
        .files
        .into_iter()
        .filter(|f| matches!(f.kind, TreeEntryKind::File | TreeEntryKind::Executable))
        .map(|f| MemoryFile {
            rel: f.path,
            size: f.size,
            executable: f.kind == TreeEntryKind::Executable,
            data: f.data,
        })
        .collect();
    let ws = Workspace::from_tree(repo, files, inputs);
    (ws, tree.warnings, tree.commit)
}

fn decide(
    ws: &mut Workspace,
    history: &Path,
    commit: Option<String>,
    mut warnings: Vec<String>,
    cfg: &Config,
    opts: &ScanOptions,
) -> Result<Evaluation, FleetError> {
    let facts = Facts::of(ws);
    let scan = garrison_scan::scan_workspace(ws, history, cfg, opts)?;
    warnings.extend(scan.warnings.iter().map(ToString::to_string));
    let items = catalogue()?;
    let verdicts = items
        .iter()
        .map(|i| i.verdict(&scan.report.findings, &facts))
        .collect();
    Ok(Evaluation {
        commit,
        items,
        facts,
        findings: scan.report.findings,
        verdicts,
        warnings,
    })
}

impl Evaluation {
    /// Text: per SPEC, whether it is adopted, then each item with its verdict and the first
    /// piece of evidence (file:line and message, or what is missing).
    pub fn text(&self, root: &str) -> String {
        let mut s = format!("garrison ecosystem verdicts: {root}\n");
        let mut specs: Vec<u32> = self.items.iter().map(|i| i.spec).collect();
        specs.sort_unstable_by(|a, b| b.cmp(a));
        specs.dedup();
        for spec in specs {
            let (adopted, holds, evaluated) = adoption(spec, &self.verdicts);
            let count = |st: Status| {
                self.items
                    .iter()
                    .zip(&self.verdicts)
                    .filter(|(i, v)| i.spec == spec && v.status == st)
                    .count()
            };
            let _ = writeln!(
                s,
                "\nSPEC {spec}: {} ({holds} of {evaluated} evaluated items hold; {} not evaluated, {} not applicable)",
                if adopted {
                    "adopted as far as Garrison can check"
                } else {
                    "not adopted"
                },
                count(Status::NotEvaluated),
                count(Status::NotApplicable),
            );
            for (i, v) in self
                .items
                .iter()
                .zip(&self.verdicts)
                .filter(|(i, _)| i.spec == spec)
            {
                let mark = match v.status {
                    Status::Holds => "holds",
                    Status::Fails => "FAILS",
                    Status::NotEvaluated => "not evaluated",
                    Status::NotApplicable => "n/a",
                };
                let _ = writeln!(s, "  {mark:<14} {:<38} {}", i.id, i.title);
                if let Some(e) = v.evidence.first() {
                    let at = match (&e.path, e.line) {
                        (Some(p), Some(l)) => format!("{p}:{l}: "),
                        (Some(p), None) if p != "." => format!("{p}: "),
                        _ => String::new(),
                    };
                    let more = if v.evidence.len() > 1 {
                        format!(" (and {} more)", v.evidence.len() - 1)
                    } else {
                        String::new()
                    };
                    let _ = writeln!(s, "  {:<14} {at}{}{more}", "", e.message);
                }
            }
        }
        s
    }
}
