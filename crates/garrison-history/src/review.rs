//! The review's policy, for the commands that run it: what to mine for a revision range (the
//! base's history for calibration plus the range's commits, reported as pending), the cache,
//! `--since` and the scan's history window, the report of an analysis, and the history part of
//! a repository scan.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use garrison_report::not_evaluated::NotEvaluated;
use garrison_report::{FileError, Finding, Location, Report, Severity};

use crate::risk::{Analysis, AnalyzeOptions, analyze};
use crate::{History, HistoryError, MineOptions, OnProgress, mine, mine_cached};

/// The window of recent history `garrison scan` reviews when nothing else is configured.
pub const DEFAULT_WINDOW: &str = "90d";

/// History warnings copied into a report's errors, at most.
const MAX_REPORTED_WARNINGS: usize = 50;

/// How to mine: limits, cache, threads, progress.
#[derive(Debug, Clone, Default)]
pub struct Mining {
    /// Mine at most this many commits (newest first).
    pub max_commits: Option<usize>,
    /// Keep mined commits in this directory (see [`mine_cached`]); `None` mines afresh.
    pub cache: Option<PathBuf>,
    /// Worker threads for the per-commit diffs (0 = one per CPU).
    pub threads: usize,
    /// Told how mining advances.
    pub progress: Option<OnProgress>,
}

impl Mining {
    fn options(&self) -> MineOptions {
        MineOptions {
            max_commits: self.max_commits,
            threads: self.threads,
            progress: self.progress.clone(),
            ..MineOptions::default()
        }
    }

    fn mine(&self, path: &Path, opts: &MineOptions) -> Result<History, HistoryError> {
        match &self.cache {
            Some(dir) => mine_cached(path, opts, dir),
            None => mine(path, opts),
        }
    }
}

/// A revision range `BASE..HEAD` (neither side empty; `BASE...HEAD` is not a range here).
pub fn parse_range(s: &str) -> Option<(String, String)> {
    let (a, b) = s.split_once("..")?;
    if a.is_empty() || b.is_empty() || b.starts_with('.') {
        return None;
    }
    Some((a.to_string(), b.to_string()))
}

/// The root of the repository that holds `path`, found upward like git (so a history command
/// works from a subdirectory, and paths in its findings stay relative to the repository root).
/// `path` itself, as the user spelled it, when it is the root.
pub fn repository_root(path: &Path) -> Result<PathBuf, HistoryError> {
    let root = garrison_git::discover(path)?;
    Ok(match (path.canonicalize(), root.canonicalize()) {
        (Ok(a), Ok(b)) if a == b => path.to_path_buf(),
        (_, Ok(b)) => b,
        _ => root,
    })
}

/// Reads `--since`: an ISO 8601 date or date and time, `@UNIX-SECONDS`, or a duration back from
/// now (see [`garrison_source::time::parse_since`]); the error says which forms it takes.
pub fn parse_since(s: &str) -> Result<i64, HistoryError> {
    Ok(garrison_source::time::parse_since(
        s,
        garrison_source::time::now(),
    )?)
}

/// What [`mine_for`] mined.
#[derive(Debug, Clone, Default)]
pub struct Mined {
    /// The base's history plus the range's commits (or all of `HEAD`'s history).
    pub history: History,
    /// The range's commits (`git rev-list BASE..HEAD`): empty without a range, and for an
    /// empty range.
    pub pending: HashSet<String>,
    /// The commit the range's base resolved to (hex); `None` without a range.
    pub base: Option<String>,
    /// A range was mined and holds no commit (not even one that could not be read): "no
    /// commits to review".
    pub empty: bool,
}

/// Mines the history for reporting on `range` (or all of `HEAD`): for a range, the base's
/// history (to calibrate and to build profiles) plus the range's commits (exactly git's
/// `BASE..HEAD`: reachable from HEAD and not from BASE, whatever the two ends' relation), whose
/// ids come back as the pending set.
pub fn mine_for(
    path: &Path,
    range: Option<(String, String)>,
    m: &Mining,
) -> Result<Mined, HistoryError> {
    let opts = m.options();
    let Some((base, head)) = range else {
        return Ok(Mined {
            history: m.mine(path, &opts)?,
            ..Mined::default()
        });
    };
    let pr = m.mine(
        path,
        &MineOptions {
            range: Some((base.clone(), head)),
            ..opts.clone()
        },
    )?;
    let mut all = m.mine(
        path,
        &MineOptions {
            tip: Some(base),
            ..opts
        },
    )?;
    let pending: HashSet<String> = pr.commits.iter().map(|c| c.id.clone()).collect();
    let empty = pr.commits.is_empty() && pr.warnings.is_empty();
    all.commits.extend(pr.commits);
    all.commits
        .sort_by_key(|c| std::cmp::Reverse(c.commit_time));
    let base = std::mem::replace(&mut all.head, pr.head);
    all.warnings.extend(pr.warnings);
    Ok(Mined {
        history: all,
        pending,
        base,
        empty,
    })
}

/// The report of an analysis: its findings (ranked, not re-sorted), the history rules, and the
/// first mining warnings as errors of `.git`.
pub fn report(root: &Path, analysis: &Analysis, history: &History) -> Report {
    let mut report = Report {
        root: root.display().to_string(),
        findings: analysis.findings(),
        files_scanned: analysis.evaluated,
        ..Report::default()
    };
    report.rules.extend(crate::registry::rules());
    for w in history.warnings.iter().take(MAX_REPORTED_WARNINGS) {
        report.errors.push(FileError {
            path: ".git".into(),
            line: None,
            column: None,
            message: w.clone(),
        });
    }
    report
}

/// How much recent history a scan reviews.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Window {
    /// No history review.
    Off,
    /// The whole history.
    All,
    /// Commits committed since `time`, as the user wrote it (`spec`).
    Since {
        /// `90d`, `2024-01-31`, …
        spec: String,
        /// Unix time.
        time: i64,
    },
}

impl Window {
    /// Reads a history window: `off`, `all`, or anything [`parse_since`] takes.
    pub fn parse(s: &str) -> Result<Window, HistoryError> {
        Window::parse_at(s, garrison_source::time::now())
    }

    /// [`Window::parse`] with durations counted back from `now` (Unix seconds), for a caller
    /// that reads the clock once.
    pub fn parse_at(s: &str, now: i64) -> Result<Window, HistoryError> {
        let s = s.trim();
        match s {
            "off" => Ok(Window::Off),
            "all" => Ok(Window::All),
            _ => match garrison_source::time::parse_since(s, now) {
                Ok(time) => Ok(Window::Since {
                    spec: s.to_string(),
                    time,
                }),
                Err(_) => Err(HistoryError::Window(s.to_string())),
            },
        }
    }

    /// `in the last 90 days`, `since 2024-01-31`.
    fn describe(&self) -> String {
        let Window::Since { spec, time } = self else {
            return "in the history".to_string();
        };
        let (n, unit) = spec.split_at(spec.len().saturating_sub(1));
        let unit = match unit {
            "h" => Some("hour"),
            "d" => Some("day"),
            "w" => Some("week"),
            "m" => Some("month"),
            "y" => Some("year"),
            _ => None,
        };
        match (n.parse::<u64>(), unit) {
            (Ok(1), Some(u)) => format!("in the last {u}"),
            (Ok(n), Some(u)) => format!("in the last {n} {u}s"),
            _ => format!("since {}", garrison_source::time::date(*time)),
        }
    }
}

/// The history part of a repository scan: the risky commits of `window` (findings whose rule
/// `selected` keeps, and the rules), or a not-evaluated note saying why there are none (not a
/// git checkout, a shallow clone, no commits in the window), reported whenever a history rule
/// is selected. Returns the error that kept the
/// history from being read, for the caller to tell the user; the report says it too.
pub fn review_recent(
    report: &mut Report,
    path: &Path,
    window: &Window,
    selected: &dyn Fn(&str) -> bool,
    mining: &Mining,
) -> Option<HistoryError> {
    let since = match window {
        Window::Off => return None,
        Window::All => None,
        Window::Since { time, .. } => Some(*time),
    };
    let rules = crate::registry::rules();
    if !rules.iter().any(|r| selected(r.id)) {
        return None;
    }
    // The history is selected, so its not-evaluated notes are reported whether or not
    // `info/not-evaluated` is itself selected (`--select history` on an export still says the
    // history was not reviewed); the configuration's ignores still apply to them.
    if !path.join(".git").exists() {
        report
            .findings
            .push(not_evaluated("not a git checkout (no .git)", HELP_NO_GIT));
        return None;
    }
    let history = match mine_for(path, None, mining) {
        Ok(mined) => mined.history,
        Err(e) => {
            report.findings.push(not_evaluated(
                &format!("the git history could not be read: {e}"),
                "check that the checkout's .git is complete and readable (`git fsck`), or run `garrison history PATH` to see the error",
            ));
            return Some(e);
        }
    };
    // The shallow-clone note says how many commits the model was fitted on, known after the
    // analysis; it goes where it always stood, before the window's notes and findings.
    let shallow_at = history.shallow.then_some(report.findings.len());
    let shallow = |fitted: Option<usize>| {
        let reason = match fitted {
            Some(n) => crate::print::shallow_note(n),
            None => "shallow clone: fetch the full history (`git fetch --unshallow`, or `fetch-depth: 0` in actions/checkout) so authors and routine changes can be judged".to_string(),
        };
        not_evaluated(
            &reason,
            "fetch the full history (`git fetch --unshallow`, or `fetch-depth: 0` in actions/checkout)",
        )
    };
    let last = history.commits.iter().map(|c| c.commit_time).max();
    let empty = match (last, since) {
        (None, _) => Some("the repository has no commits".to_string()),
        (Some(last), Some(s)) if last < s => Some(format!(
            "no commits {}; last commit {}",
            window.describe(),
            garrison_source::time::date(last)
        )),
        _ => None,
    };
    if let Some(reason) = empty {
        if shallow_at.is_some() {
            report.findings.push(shallow(None));
        }
        report.findings.push(not_evaluated(
            &reason,
            "nothing to review in this window; widen it (`--history-window 1y` or `all`, or `history-window` in the configuration) or run `garrison history PATH`",
        ));
        return None;
    }
    let analysis = analyze(
        &history,
        &AnalyzeOptions {
            since,
            ..AnalyzeOptions::default()
        },
    );
    if let Some(at) = shallow_at {
        report.findings.insert(at, shallow(Some(analysis.fitted)));
    }
    report.findings.extend(
        analysis
            .findings()
            .into_iter()
            .filter(|f| selected(&f.rule)),
    );
    report
        .rules
        .extend(rules.into_iter().filter(|r| selected(r.id)));
    None
}

/// What to do when the checkout has no `.git`.
const HELP_NO_GIT: &str =
    "scan a git clone (not an export) to review recent commits, or run `garrison history PATH`";

fn not_evaluated(reason: &str, help: &str) -> Finding {
    Finding::builder(&NotEvaluated::META)
        .message(format!(
            "not evaluated: contribution-risk review of recent commits ({reason})"
        ))
        .severity(Severity::Info)
        .location(Location::file("."))
        .evidence("check", "history")
        .evidence("reason", reason.to_string())
        .help(help)
        .key("history")
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(
            parse_range("origin/main..HEAD"),
            Some(("origin/main".into(), "HEAD".into()))
        );
        for bad in ["main", "..HEAD", "main..", "a...b"] {
            assert_eq!(parse_range(bad), None, "{bad}");
        }
    }

    #[test]
    fn windows() {
        assert_eq!(Window::parse("off").ok(), Some(Window::Off));
        assert_eq!(Window::parse(" all ").ok(), Some(Window::All));
        let w = Window::parse("90d").ok();
        assert!(matches!(&w, Some(Window::Since { spec, .. }) if spec == "90d"));
        assert_eq!(
            w.map(|w| w.describe()).as_deref(),
            Some("in the last 90 days")
        );
        let one = Window::parse("1y").map(|w| w.describe()).ok();
        assert_eq!(one.as_deref(), Some("in the last year"));
        let date = Window::parse("2024-01-31").map(|w| w.describe()).ok();
        assert_eq!(date.as_deref(), Some("since 2024-01-31"));
        // Durations count back from the clock the caller read.
        let now = garrison_source::time::days_from_civil(2024, 4, 30) * garrison_source::time::DAY;
        let w = Window::parse_at("30d", now).ok();
        let since = now - 30 * garrison_source::time::DAY;
        assert!(matches!(w, Some(Window::Since { time, .. }) if time == since));
        let e = Window::parse("bogus").err().map(|e| e.to_string());
        assert!(
            e.as_deref()
                .is_some_and(|e| e.starts_with("`bogus`: expected `off`, `all`, a date")),
            "{e:?}"
        );
        let e = parse_since("yesterday").err().map(|e| e.to_string());
        assert!(
            e.as_deref().is_some_and(|e| e.contains("@UNIX-SECONDS")),
            "{e:?}"
        );
    }
}
