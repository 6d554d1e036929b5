//! The ecosystem half's fleet: the manifest of projects ([`manifest`]) and the SPEC data read
//! from a checkout of the Scientific Python SPECs repository ([`specs`]). Scanning every
//! project, the SPEC item catalogue and its verdicts, and history replay build on these (see
//! "Layers" in the design).

pub mod evaluate;
pub mod items;
pub mod manifest;
pub mod report;
pub mod run;
pub mod specs;

use std::path::PathBuf;

pub use evaluate::{Checkouts, Evaluation, evaluate_checkout};
pub use items::{Facts, Item, SpecMeta, Status, Verdict, adoption, catalogue, spec_metas};
pub use manifest::{Location, Manifest, Project};
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
