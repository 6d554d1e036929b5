//! The ecosystem half's fleet: the manifest of projects ([`manifest`]) and the SPEC data read
//! from a checkout of the Scientific Python SPECs repository ([`specs`]). Scanning every
//! project, the SPEC item catalogue and its verdicts, and history replay build on these (see
//! "Layers" in the design).

pub mod evaluate;
pub mod fetch;
pub mod items;
pub mod manifest;
pub mod replay;
pub mod report;
pub mod run;
pub mod specs;

use std::path::PathBuf;

pub use evaluate::{
    Checkouts, Evaluation, Repositories, evaluate_checkout, evaluate_dir, evaluate_tree,
    scan_options,
};
pub use fetch::{Available, fetch, fetch_until, fetch_url};
pub use items::{Facts, Item, SpecMeta, Status, Verdict, adoption, catalogue, spec_metas};
pub use manifest::{Location, Manifest, Project};
pub use replay::{MonthPoint, evaluate_month, points, points_missing, replay};
pub use specs::{Imported, Spec, import_specs};

/// Errors of the fleet.
#[derive(Debug, thiserror::Error)]
pub enum FleetError {
    /// A file could not be read.
    #[error("{}: {message}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// A manifest that cannot be used.
    #[error("{}:{line}:{column}: {message}", path.display())]
    Manifest {
        /// The manifest.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// The scan of a checkout failed.
    #[error(transparent)]
    Scan(#[from] garrison_scan::ScanError),
    /// A git repository could not be read.
    #[error(transparent)]
    Git(#[from] garrison_git::GitError),
    /// A remote repository could not be cloned or fetched (unreachable, timed out).
    #[error(transparent)]
    Remote(#[from] garrison_git::remote::RemoteError),
    /// A month of a replay could not be evaluated.
    #[error("{month}: {message}")]
    Replay {
        /// `YYYY-MM`.
        month: String,
        /// Why.
        message: String,
    },
    /// The store failed.
    #[error("{0}")]
    Store(String),
    /// A month that is not `YYYY-MM`.
    #[error("`{0}` is not a month (YYYY-MM)")]
    Month(String),
    /// A SPECs checkout whose files cannot be used.
    #[error("{}:{line}: {message}", path.display())]
    Specs {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
}
