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

/// The evaluator of local repositories and plain directories: a repository is used in place
/// (its HEAD is read, nothing is fetched); a plain directory has no commit.
#[derive(Debug, Clone, Copy, Default)]
pub struct Checkouts;

impl crate::run::Evaluator for Checkouts {
    fn fetch(
        &self,
        repository: &str,
        _interrupt: &std::sync::atomic::AtomicBool,
    ) -> Result<crate::run::Fetched, String> {
        if repository.contains("://") {
            return Err(format!(
                "{repository}: this build evaluates local repositories only"
            ));
        }
        let path = std::path::PathBuf::from(repository);
        if !path.is_dir() {
            return Err(format!("{repository}: no such directory"));
        }
        let commit = if garrison_git::is_repository(&path) {
            Some(garrison_git::tree::head_commit(&path).map_err(|e| format!("{repository}: {e}"))?)
        } else {
            None
        };
        let revision = commit.clone().or_else(|| Some(dir_fingerprint(&path)));
        Ok(crate::run::Fetched {
            repository: repository.to_string(),
            path,
            commit,
            revision,
        })
    }

    fn evaluate(
        &self,
        fetched: &crate::run::Fetched,
        _interrupt: &std::sync::atomic::AtomicBool,
    ) -> Result<crate::run::Outcome, String> {
        let e = evaluate_checkout(&fetched.path).map_err(|e| e.to_string())?;
        Ok(crate::run::Outcome {
            verdicts: e.verdicts,
            findings: crate::run::finding_rows(&e.findings),
        })
    }
}

/// The fleet's evaluator for `garrison ecosystem scan` and workers: a remote repository is
/// cloned into (or fetched in) the cache directory with gix, a local repository used in place;
/// a commit is evaluated from its tree in git objects with every analysis of `garrison scan`
/// ([`evaluate_tree`]), a plain directory as it is on disk ([`evaluate_dir`]: its history and
/// tag items are not evaluated). Repository strings are read as the manifest's
/// ([`Location::parse`](crate::manifest::Location::parse); stored local paths are absolute).
#[derive(Debug, Clone)]
pub struct Repositories {
    /// Where remote repositories are cloned.
    pub cache: std::path::PathBuf,
    /// The deadline of one clone or fetch (the worker's interrupt also stops it).
    pub fetch_timeout: std::time::Duration,
}

impl Repositories {
    /// Clones into `cache`, within [`crate::fetch::DEFAULT_TIMEOUT`] per repository.
    pub fn new(cache: impl Into<std::path::PathBuf>) -> Repositories {
        Repositories {
            cache: cache.into(),
            fetch_timeout: crate::fetch::DEFAULT_TIMEOUT,
        }
    }
}

impl Default for Repositories {
    /// Clones into [`garrison_git::remote::default_repos_dir`].
    fn default() -> Repositories {
        Repositories::new(garrison_git::remote::default_repos_dir())
    }
}

impl crate::run::Evaluator for Repositories {
    fn fetch(
        &self,
        repository: &str,
        interrupt: &std::sync::atomic::AtomicBool,
    ) -> Result<crate::run::Fetched, String> {
        let location = crate::manifest::Location::parse(repository, Path::new(""));
        let a = crate::fetch::fetch_until(&location, &self.cache, self.fetch_timeout, interrupt)
            .map_err(|e| e.to_string())?;
        let revision = match &a.head {
            Some(head) => Some(head.clone()),
            None => Some(dir_fingerprint(&a.path)),
        };
        Ok(crate::run::Fetched {
            repository: repository.to_string(),
            path: a.path,
            commit: a.head,
            revision,
        })
    }

    fn evaluate(
        &self,
        fetched: &crate::run::Fetched,
        _interrupt: &std::sync::atomic::AtomicBool,
    ) -> Result<crate::run::Outcome, String> {
        let opts = scan_options(garrison_source::time::now());
        let e = match &fetched.commit {
            Some(commit) => evaluate_tree(&fetched.path, commit, &opts),
            None => evaluate_dir(&fetched.path, &opts),
        }
        .map_err(|e| e.to_string())?;
        Ok(crate::run::Outcome {
            verdicts: e.verdicts,
            findings: crate::run::finding_rows(&e.findings),
        })
    }
}

/// A plain directory's revision: a SHA-256 over every file's path, size and modification time
/// (nanoseconds), in path order, `.git` directories left out. Any file added, removed, resized
/// or touched changes it; reading metadata only keeps an unchanged directory cheap to skip.
pub fn dir_fingerprint(root: &Path) -> String {
    use sha2::Digest as _;
    let mut h = sha2::Sha256::new();
    for entry in walkdir::WalkDir::new(root)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.file_name() != ".git")
        .flatten()
    {
        let Ok(meta) = entry.metadata() else { continue };
        if meta.is_dir() {
            continue;
        }
        let rel = entry.path().strip_prefix(root).unwrap_or(entry.path());
        let mtime = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos());
        h.update(rel.to_string_lossy().as_bytes());
        h.update([0]);
        h.update(meta.len().to_le_bytes());
        h.update(mtime.to_le_bytes());
    }
    let digest = h.finalize();
    let mut s = String::from("files:sha256:");
    for b in digest {
        s.push_str(&format!("{b:02x}"));
    }
    s
}
