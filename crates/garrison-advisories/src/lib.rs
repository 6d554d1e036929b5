//! OSV advisories for PyPI: the model, the database (import, compact index, status) and
//! matching by PEP 440 ordering.
//!
//! - [`model`]: OSV schema 1.7 records and merged [`Vulnerability`]s.
//! - [`parse`]: reading records from YAML (errors with line numbers) and JSON.
//! - [`merge`]: records naming each other (ids, aliases) become one vulnerability.
//! - [`cvss`]: CVSS 3.x base scores from vectors, mapped to Garrison severities.
//! - [`db`]: [`Database::import`] (PyPA checkout, OSV JSON directory, OSV export zip),
//!   [`Database::save`] / [`Database::load`] (a compact index decoded lazily per package),
//!   [`Database::status`], [`default_path`].
//! - [`snapshot`]: the advisory snapshot embedded in the binary ([`snapshot::embedded`]), its
//!   generator ([`snapshot::generate`]) and the staleness rule ([`snapshot::freshness`]).
//! - [`eval`]: the OSV evaluation algorithm over PEP 440 ordering, and how local versions,
//!   pre-releases and non-PEP 440 events are handled.
//! - [`print`](mod@print): what `garrison db` says about a database or the snapshot.
//! - [`matching`]: [`Database::evaluate`], [`Database::affected`], [`Database::smallest_fix`],
//!   [`Database::affected_versions_admitted`].
//!
//! ```no_run
//! use garrison_advisories::Database;
//! use garrison_python::{PackageName, pep440::parse_version};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let db = Database::load(&garrison_advisories::default_path())?;
//! let hits = db.affected(&PackageName::new("scipy")?, &parse_version("1.7.0")?);
//! # Ok(()) }
//! ```

pub mod audit;
pub mod cvss;
pub mod db;
pub mod eval;
pub mod impact;
pub mod matching;
pub mod merge;
pub mod model;
pub mod parse;
pub mod print;
pub mod registry;
pub mod rules;
pub mod snapshot;

pub use cvss::{Assessment, assess, cvss3_base_score, severity_of_score};
pub use db::{Database, DbError, ImportError, IndexError, Status, default_path};
pub use eval::RangeError;
pub use matching::{Admitted, Evaluation, Match, MatchSource, Verdict};
pub use model::{
    Affected, Credit, Event, EventKind, Package, Range, RangeKind, Record, Reference,
    SeverityScore, Vulnerability,
};
