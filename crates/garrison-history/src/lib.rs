//! Contribution-risk review of a repository's history, on the mined history of
//! [`garrison_git`].
//!
//! [`mine`] mines a repository with garrison-git (gix, no `git` process; see that crate for the
//! walk, numstat and its limits) and runs the content scan on every changed text file while
//! diffing ([`scan::ContentScanner`]); [`mine_cached`] keeps the result on disk, keyed by the
//! scanner's version ([`scan::SCANNER_VERSION`]). [`merge_identities`] and [`timelines`] build
//! contributor profiles on top.
//!
//! For contribution-risk rules, [`classify()`] gives a changed path's roles ([`PathClass`]:
//! build system, CI, release, security policy, tests, import-time code, ...) and [`language`]
//! its content language; [`scan_change`] reports content signals ([`ContentHit`]) in the lines
//! one change adds or removes, given its [`Hunk`]s (Unicode tricks, encoded payloads,
//! decode-then-execute, build-time processes and network, C hooks, feature probes, hardening
//! flags, sandboxing, build hooks, ignore rules, security policy edits).
//!
//! Untrusted repositories: a commit that cannot be read or diffed becomes a warning in
//! [`History::warnings`] rather than an error; the content scan is bounded (see [`content`]).

pub mod classify;
pub mod content;
mod forest;
mod identity;
mod landing;
mod people;
pub mod print;
pub mod registry;
pub mod review;
pub mod risk;
pub mod rules;
pub mod scan;

use std::path::Path;

pub use classify::{Lang, PathClass, classify, is_opaque_extension, is_scientific_data, language};
pub use content::{ContentHit, HitKind, scan_change};
pub use garrison_git::{
    ChangeKind, GitError, Hunk, Identity, MAX_DIFF_BLOB, MAX_MESSAGE, MAX_SIBLINGS, MineOptions,
    OnProgress, References, Tag, default_cache_dir,
};
pub use identity::{Person, Timeline, merge_identities, timelines};
pub use landing::{Landing, LandingKind, landings};
pub use people::{AuthorState, PeopleIndex};
pub use review::{Mined, Mining, Window, mine_for, parse_range, parse_since, repository_root};
pub use risk::{Analysis, AnalyzeOptions, AuthorSummary, ScoredCommit, analyze};

/// One mined commit, with the content signals of each changed file.
pub type Commit = garrison_git::Commit<Vec<ContentHit>>;

/// One changed path of a commit, with numstat counts and content signals
/// ([`FileChange::hits`](garrison_git::FileChange::hits)).
pub type FileChange = garrison_git::FileChange<Vec<ContentHit>>;

/// The mined history.
pub type History = garrison_git::History<Vec<ContentHit>>;

/// Mine the history of the repository at `repo` (a work tree or a bare git directory) with the
/// content scan. Commits come newest first; identities are mapped through the `.mailmap` of
/// `HEAD`; per-commit failures become [`History::warnings`](garrison_git::History::warnings).
pub fn mine(repo: &Path, opts: &MineOptions) -> Result<History, HistoryError> {
    Ok(garrison_git::mine(repo, opts, &scan::ContentScanner)?)
}

/// Like [`mine`], reusing commits mined earlier from a cache file in `cache_dir` (see
/// [`garrison_git::mine_cached`]); a cache written by another scanner version is rebuilt.
pub fn mine_cached(
    repo: &Path,
    opts: &MineOptions,
    cache_dir: &Path,
) -> Result<History, HistoryError> {
    Ok(garrison_git::mine_cached(
        repo,
        opts,
        &scan::ContentScanner,
        cache_dir,
    )?)
}

/// Errors of the history review.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    /// Reading the repository failed.
    #[error(transparent)]
    Git(#[from] GitError),
    /// A `--since` instant that cannot be read (the message lists the forms it takes).
    #[error(transparent)]
    Since(#[from] garrison_source::time::InstantError),
    /// A history window that cannot be read.
    #[error(
        "`{0}`: expected `off`, `all`, a date (2024-01-31), a date and time (2024-01-18T21:36:27+01:00; UTC without an offset), @UNIX-SECONDS, or a duration back from now (36h, 90d, 26w, 6m, 1y)"
    )]
    Window(String),
}
