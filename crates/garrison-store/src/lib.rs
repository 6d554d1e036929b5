//! The ecosystem store: projects, dated snapshots of each project (its findings and the verdict
//! of every SPEC item), the monthly timeline the dashboard draws, and the queue of scan jobs that
//! workers on any number of machines share.
//!
//! One API and one set of queries over SQLite (the embedded default: a file in the user data
//! directory, WAL) and PostgreSQL (`postgres://…`), through sqlx's `Any` driver. Every write of
//! a snapshot is one transaction, so a scan killed at any point leaves the last complete
//! snapshot intact; the database is never re-created behind the user's back: a file that is not
//! a Garrison database is an error.

mod open;
pub mod queue;
pub mod schema;
mod snapshot;
pub mod testing;

use std::path::PathBuf;

use sqlx::AnyPool;

pub use open::{Mode, default_database_path, redact};
pub use queue::{Job, JobState, RunProgress};
pub use snapshot::{
    FindingRow, Kind, NewSnapshot, ProjectRow, Snapshot, TimelineRow, VerdictRow, month_of,
};

/// Which database a store is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An SQLite file.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

impl Backend {
    /// The auto-numbered id column in this dialect: the one place the schema differs.
    fn id_column(self) -> &'static str {
        match self {
            Backend::Sqlite => "INTEGER PRIMARY KEY AUTOINCREMENT",
            Backend::Postgres => "BIGSERIAL PRIMARY KEY",
        }
    }

    /// The name users see.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }
}

/// Why the store could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The URL names no database Garrison supports.
    #[error(
        "unsupported database URL `{0}`: use sqlite:PATH (a file) or postgres://USER@HOST/DATABASE"
    )]
    Url(String),
    /// A reader asked for a database that does not exist.
    #[error("no Garrison database at {0}: run `garrison ecosystem scan` first, or pass --database")]
    Missing(PathBuf),
    /// The file exists but is not an SQLite database, or not Garrison's.
    #[error(
        "{path} is not a Garrison database ({message}); it was left untouched: move it away or pass another --database"
    )]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
    /// The database server could not be reached or refused the login.
    #[error("cannot open the database {url}: {message}")]
    Connect {
        /// The URL, password removed.
        url: String,
        /// The driver's explanation.
        message: String,
    },
    /// The database was written by a newer Garrison.
    #[error(
        "the database {url} has schema version {found}, newer than this Garrison knows ({known}): upgrade Garrison"
    )]
    TooNew {
        /// The URL, password removed.
        url: String,
        /// The version found.
        found: i64,
        /// The newest version this build knows.
        known: i64,
    },
    /// A project the operation names is not in the store.
    #[error("no project named `{0}` in the store")]
    UnknownProject(String),
    /// A query failed.
    #[error("database error: {0}")]
    Sql(#[from] sqlx::Error),
    /// Stored data that does not decode (written by something other than Garrison).
    #[error("malformed stored data: {0}")]
    Data(String),
}

/// The store.
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    url: String,
}

impl Store {
    /// Which database this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The database's URL, password removed (for messages).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// A number that changes whenever anything is written: readers cache on it.
    pub async fn generation(&self) -> Result<i64, StoreError> {
        let g: i64 = sqlx::query_scalar("SELECT generation FROM meta WHERE singleton = 1")
            .fetch_one(&self.pool)
            .await?;
        Ok(g)
    }

    /// Closes the pool, waiting for connections to finish (graceful shutdown).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Unix seconds now.
pub fn now() -> i64 {
    garrison_source::time::now()
}
