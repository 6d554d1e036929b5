//! [`ScanError`]: why a scan could not run. Each message names the input and is what the CLI
//! prints after `garrison: error:`; a variant keeps its cause as its source only where the
//! message does not already say it.

use std::path::PathBuf;

use garrison_advisories::DbError;
use garrison_history::HistoryError;
use garrison_python::PythonError;
use garrison_report::config::ConfigError;
use garrison_source::read::ReadError;

/// An input a scan cannot use: a missing path, a bad option, configuration, advisory data.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    /// A path to scan does not exist.
    #[error("{}: no such file or directory", .0.display())]
    NotFound(PathBuf),
    /// Several paths for analyses that scan one checkout.
    #[error("this command scans one checkout; `garrison deps` takes several paths")]
    OneCheckout,
    /// A Python version or platform the environment markers cannot be evaluated for.
    #[error("{0}")]
    Environment(PythonError),
    /// The configuration (or a rule selector) is not usable.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// `--history-window` cannot be read.
    #[error("--history-window {0}")]
    WindowOption(HistoryError),
    /// The configuration's `history-window` cannot be read.
    #[error("history-window in the configuration: {0}")]
    WindowConfig(HistoryError),
    /// The history could not be read for a reason that stops the scan.
    #[error(transparent)]
    History(#[from] HistoryError),
    /// A single file to scan cannot be read.
    #[error(transparent)]
    Workspace(#[from] garrison_workspace::Error),
    /// A dependency file named by the caller cannot be read.
    #[error("{}: {error}", .path.display())]
    DependencyFile {
        /// The file as named.
        path: PathBuf,
        /// Why.
        error: ReadError,
    },
    /// A file named for an SBOM is not a dependency file Garrison can read.
    #[error(
        "{}: not a dependency file Garrison can read ({message}); give a requirements file, pyproject.toml, a lock file or a checkout",
        .path.display()
    )]
    NotADependencyFile {
        /// The file as named.
        path: PathBuf,
        /// Why it could not be read.
        message: String,
    },
    /// The local advisory database exists but cannot be loaded.
    #[error("cannot load the advisory database {}", .path.display())]
    Database {
        /// The database file.
        path: PathBuf,
        /// Why.
        #[source]
        source: DbError,
    },
    /// The advisory snapshot built into Garrison cannot be opened.
    #[error("cannot open the embedded advisory snapshot")]
    Snapshot(#[source] DbError),
    /// An advisory file cannot be read.
    #[error("{}: {error}", .path.display())]
    AdvisoryFile {
        /// The file.
        path: PathBuf,
        /// Why.
        error: ReadError,
    },
    /// An advisory file is not an OSV record.
    #[error("{}{}: {message}", .path.display(), .line.map(|l| format!(":{l}")).unwrap_or_default())]
    Advisory {
        /// The file.
        path: PathBuf,
        /// 1-based line, when the format gives one.
        line: Option<u32>,
        /// What is wrong.
        message: String,
    },
    /// An advisory file holds no PyPI advisory.
    #[error("{}: no PyPI advisory in the file", .0.display())]
    NoPypiAdvisory(PathBuf),
    /// An advisory id or alias that is not in the advisory data.
    #[error("advisory `{id}` is not in the {data} of {date} (an OSV file can be passed instead)")]
    UnknownAdvisory {
        /// The id or alias as given.
        id: String,
        /// Which data was searched (`embedded snapshot`, `local database`).
        data: &'static str,
        /// The data's date.
        date: String,
    },
    /// An `ignore-vulnerabilities` entry names an invalid package.
    #[error("ignore-vulnerabilities `{id}`: {error}")]
    AcceptedPackage {
        /// The entry's advisory id.
        id: String,
        /// Why the package name is invalid.
        error: PythonError,
    },
}
