//! History replay: the file-checkable items at monthly points of a repository's history, read
//! from git objects (no checkout).
//!
//! The state at a month `YYYY-MM` is the tree of the last first-parent commit of the default
//! branch (`HEAD`) whose committer time is strictly before the 1st of that month, 00:00 UTC
//! ([`points`]); a month before the first commit has no state and is left out. Each state is
//! evaluated for the items a past tree decides ([`Item::file_checkable`]); the others are
//! `not-evaluated` ([`evaluate_month`]). Only the files those items read are taken from the
//! tree (workflows, action definitions, `dependabot.yml`, the pre-commit configuration,
//! `pyproject.toml`, `CODEOWNERS` and the documents posture reads): every path is listed, the
//! other blobs are not read. [`replay`] evaluates many months in parallel, each distinct commit
//! once. Incremental runs pass the months already stored to [`points_missing`].

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use garrison_git::tree::TreeLimits;
use garrison_report::Severity;
use garrison_report::config::Config;
use garrison_scan::{Analyses, ScanOptions};
use garrison_workspace::Inputs;
use rayon::prelude::*;

use crate::FleetError;
use crate::evaluate::{Evaluation, tree_workspace};
use crate::items::{Evidence, Facts, Item, Status, Verdict, catalogue};

/// The rule named in the evidence of an item a replay does not evaluate.
pub const NOT_REPLAYED: &str = "garrison/not-file-checkable";

/// One month's state: the commit whose tree describes the project at the start of `month`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MonthPoint {
    /// `YYYY-MM`.
    pub month: String,
    /// Hex id of the last first-parent commit before the 1st of the month, 00:00 UTC.
    pub commit: String,
}

/// Parses `YYYY-MM` into (year, month).
fn parse_month(s: &str) -> Result<(i64, u32), FleetError> {
    let bad = || FleetError::Month(s.to_string());
    let (y, m) = s.split_once('-').ok_or_else(bad)?;
    if y.len() != 4 || m.len() != 2 || !y.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let year: i64 = y.parse().map_err(|_| bad())?;
    let month: u32 = m.parse().map_err(|_| bad())?;
    if !(1..=12).contains(&month) || year < 1970 {
        return Err(bad());
    }
    Ok((year, month))
}

/// Unix time of the 1st of `month` of `year`, 00:00 UTC.
fn month_start(year: i64, month: u32) -> i64 {
    garrison_source::time::days_from_civil(year, i64::from(month), 1) * 86_400
}

/// The months from `since` (`YYYY-MM`) whose 1st, 00:00 UTC, is at or before `until` (Unix
/// seconds; the current time for a replay up to now), with the start of each, oldest first.
pub fn months(since: &str, until: i64) -> Result<Vec<(String, i64)>, FleetError> {
    let (mut y, mut m) = parse_month(since)?;
    let mut out = Vec::new();
    loop {
        let start = month_start(y, m);
        if start > until {
            break;
        }
        out.push((format!("{y:04}-{m:02}"), start));
        if m == 12 {
            y += 1;
            m = 1;
        } else {
            m += 1;
        }
    }
    Ok(out)
}

/// The state of every month from `since` (`YYYY-MM`) to the month holding `until` (Unix
/// seconds): for each, the last commit of `HEAD`'s first-parent chain whose committer time is
/// strictly before the month's 1st, 00:00 UTC (`git rev-list --first-parent -1
/// --before=<1st minus one second> HEAD`). Months before the first commit are left out.
pub fn points(repo: &Path, since: &str, until: i64) -> Result<Vec<MonthPoint>, FleetError> {
    points_missing(repo, since, until, &BTreeSet::new())
}

/// [`points`] without the months in `stored` (`YYYY-MM`): what an incremental replay still has
/// to compute.
pub fn points_missing(
    repo: &Path,
    since: &str,
    until: i64,
    stored: &BTreeSet<String>,
) -> Result<Vec<MonthPoint>, FleetError> {
    let wanted: Vec<(String, i64)> = months(since, until)?
        .into_iter()
        .filter(|(m, _)| !stored.contains(m))
        .collect();
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    let chain = garrison_git::tree::first_parent_chain(repo, "HEAD")?;
    Ok(wanted
        .into_iter()
        .filter_map(|(month, start)| {
            // The chain is newest first; committer times need not be monotonic along it, so
            // the first one before the boundary is taken, as git's walk takes it.
            chain.iter().find(|c| c.time < start).map(|c| MonthPoint {
                month,
                commit: c.id.clone(),
            })
        })
        .collect())
}

/// True for the files the file-checkable items read: the inputs the workspace parses and the
/// documents posture reads.
pub fn replay_reads(rel: &str) -> bool {
    garrison_workspace::Kind::of(rel).is_some() || garrison_workspace::documents::is_document(rel)
}

/// The scan options of a replay: workflows and posture, nothing that needs the present (no
/// dependency audit against today's advisories, no history window, no tags).
fn replay_options() -> ScanOptions {
    let mut opts = ScanOptions::new(Analyses {
        actions: true,
        posture: true,
        deps: false,
        history: false,
    });
    opts.history_cache = None;
    opts
}

/// Evaluates one month: the file-checkable items from the tree of `point.commit` (only the
/// files they read are taken from git objects), every other item `not-evaluated` with the
/// reason ([`NOT_REPLAYED`]).
pub fn evaluate_month(repo: &Path, point: &MonthPoint) -> Result<Evaluation, FleetError> {
    let items = catalogue()?;
    evaluate_commit(repo, &point.commit, &items)
}

fn evaluate_commit(repo: &Path, commit: &str, items: &[Item]) -> Result<Evaluation, FleetError> {
    let tree = garrison_git::tree::read_tree_selected(
        repo,
        commit,
        &TreeLimits::default(),
        &replay_reads,
    )?;
    let (mut ws, warnings, id) = tree_workspace(repo, tree, Inputs::All);
    let facts = Facts::of(&ws);
    // The report's root is never shown; no history is reviewed.
    let scan = garrison_scan::scan_workspace(
        &mut ws,
        Path::new(""),
        &Config::default(),
        &replay_options(),
    )?;
    let verdicts = items
        .iter()
        .map(|i| {
            if i.file_checkable {
                i.verdict(&scan.report.findings, &facts)
            } else {
                not_replayed(i)
            }
        })
        .collect();
    Ok(Evaluation {
        commit: Some(id),
        items: items.to_vec(),
        facts,
        findings: scan.report.findings,
        verdicts,
        warnings,
    })
}

fn not_replayed(item: &Item) -> Verdict {
    Verdict {
        id: item.id.clone(),
        spec: item.spec,
        status: Status::NotEvaluated,
        evidence: vec![Evidence {
            rule: NOT_REPLAYED.into(),
            severity: Severity::Info,
            message: "not decidable from a past tree: history replay evaluates the file-checkable items only".into(),
            path: None,
            line: None,
        }],
    }
}

/// Evaluates `points` (from [`points`] or [`points_missing`]) in parallel on rayon's pool, each
/// distinct commit once (months without a new commit share their predecessor's evaluation).
/// One result per point, in the order given: a commit that cannot be read is that month's
/// error ([`FleetError::Replay`]); only an unusable catalogue fails the whole replay.
#[allow(clippy::type_complexity)]
pub fn replay(
    repo: &Path,
    points: &[MonthPoint],
) -> Result<Vec<(MonthPoint, Result<Evaluation, FleetError>)>, FleetError> {
    let items = catalogue()?;
    let commits: Vec<&str> = points
        .iter()
        .map(|p| p.commit.as_str())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let done: BTreeMap<&str, Result<Evaluation, String>> = commits
        .par_iter()
        .map(|c| {
            (
                *c,
                evaluate_commit(repo, c, &items).map_err(|e| e.to_string()),
            )
        })
        .collect();
    Ok(points
        .iter()
        .map(|p| {
            let r = match done.get(p.commit.as_str()) {
                Some(Ok(e)) => Ok(e.clone()),
                Some(Err(message)) => Err(FleetError::Replay {
                    month: p.month.clone(),
                    message: message.clone(),
                }),
                None => Err(FleetError::Replay {
                    month: p.month.clone(),
                    message: "not evaluated".into(),
                }),
            };
            (p.clone(), r)
        })
        .collect())
}
