//! The advisory snapshot built into Garrison, so dependencies are evaluated on a machine that
//! never ran `garrison db`.
//!
//! The snapshot is one file, `data/pypi-advisories.snapshot` in this crate, included in the
//! binary with `include_bytes!` (the build reads nothing outside the crate, so `cargo install`
//! and a wheel built from the sdist carry it). It is the database's index format
//! ([`crate::db`]) with each package's slice compressed with raw DEFLATE, so opening it decodes
//! only the header (package names and offsets) and a package is inflated the first time it is
//! looked up. [`generate`] writes it from an advisory source; the same input gives the same
//! bytes (the date inside is the newest `modified` of the advisories, never the clock).
//!
//! The data comes from the PyPA advisory database (CC-BY 4.0, [`ATTRIBUTION`]); see
//! `data/README.md`. A local database (`garrison db sync`/`import`), when present, replaces it.

use std::borrow::Cow;
use std::io::{Read as _, Write as _};
use std::path::Path;

use crate::db::{Codec, Database, DbError, ImportError, Status};

/// The snapshot file, embedded in the binary.
static EMBEDDED: &[u8] = include_bytes!("../data/pypi-advisories.snapshot");

/// The name errors give the embedded snapshot.
pub const EMBEDDED_NAME: &str = "<embedded advisory snapshot>";

/// Advisory data older than this many days (by its newest `modified`) is stale: reports warn.
pub const STALE_AFTER_DAYS: u64 = 30;

/// Largest uncompressed slice accepted for one package.
const MAX_SLICE_BYTES: u64 = 256 * 1024 * 1024;

/// The attribution the snapshot's licence (CC-BY 4.0) asks for.
pub const ATTRIBUTION: &str = "Advisory data: the Python Packaging Advisory Database \
(https://github.com/pypa/advisory-database), CC-BY 4.0 \
(https://creativecommons.org/licenses/by/4.0/); converted to Garrison's index, aliases merged";

/// The snapshot embedded in this build (only its header is decoded here).
pub fn embedded() -> Result<Database, DbError> {
    Database::from_bytes(Cow::Borrowed(EMBEDDED), Path::new(EMBEDDED_NAME))
}

/// Size of the embedded snapshot in bytes.
pub fn embedded_size() -> usize {
    EMBEDDED.len()
}

/// Imports `source` (anything [`Database::import`] reads) and returns the snapshot file's
/// bytes, the snapshot's status and the records that could not be read.
///
/// The output depends only on the records and on the source's file name: the status names
/// the source without its directory, and its `imported_at` is the newest `modified` of the
/// records. A source with no PyPI advisory is refused ([`DbError::Empty`]).
pub fn generate(source: &Path) -> Result<(Vec<u8>, Status, Vec<ImportError>), DbError> {
    let (mut db, errors) = Database::import(source)?;
    if db.status.vulnerabilities == 0 || db.package_names().next().is_none() {
        return Err(DbError::Empty(source.to_path_buf()));
    }
    if let Some(name) = source.file_name() {
        let full = source.display().to_string();
        db.status.source = db.status.source.replace(&full, &name.to_string_lossy());
    }
    db.status.imported_at = crate::db::rfc3339_to_unix(&db.status.newest_modified)
        .and_then(|t| u64::try_from(t).ok())
        .unwrap_or(0);
    let bytes = db.encode(Codec::Deflate, source)?;
    Ok((bytes, db.status.clone(), errors))
}

/// How old advisory data is on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Freshness {
    /// Whole days between the newest `modified` and now; `None` when it cannot be read.
    pub age_days: Option<u64>,
    /// Older than [`STALE_AFTER_DAYS`] (or of unknown age).
    pub stale: bool,
}

/// The freshness of `status` at `now` (Unix seconds).
pub fn freshness(status: &Status, now: i64) -> Freshness {
    let age_days = u64::try_from(now).ok().and_then(|now| status.age_days(now));
    Freshness {
        age_days,
        stale: age_days.is_none_or(|a| a > STALE_AFTER_DAYS),
    }
}

/// Compresses one package slice (raw DEFLATE, best compression).
pub(crate) fn deflate(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut e = flate2::write::DeflateEncoder::new(
        Vec::with_capacity(bytes.len() / 4),
        flate2::Compression::best(),
    );
    e.write_all(bytes)?;
    e.finish()
}

/// Why a snapshot slice cannot be inflated.
#[derive(Debug, thiserror::Error)]
pub(crate) enum InflateError {
    #[error("index entry cannot be inflated ({0})")]
    Read(std::io::Error),
    #[error("index entry inflates to more than {MAX_SLICE_BYTES} bytes")]
    TooLarge,
}

/// Inflates one package slice, within [`MAX_SLICE_BYTES`].
pub(crate) fn inflate(bytes: &[u8]) -> Result<Vec<u8>, InflateError> {
    let mut out = Vec::with_capacity(bytes.len().saturating_mul(5));
    flate2::read::DeflateDecoder::new(bytes)
        .take(MAX_SLICE_BYTES + 1)
        .read_to_end(&mut out)
        .map_err(InflateError::Read)?;
    if out.len() as u64 > MAX_SLICE_BYTES {
        return Err(InflateError::TooLarge);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn status(newest: &str) -> Status {
        Status {
            source: "test".into(),
            records: 1,
            withdrawn: 0,
            errors: 0,
            vulnerabilities: 1,
            packages: 1,
            newest_modified: newest.into(),
            imported_at: 0,
        }
    }

    #[test]
    fn freshness_turns_stale_after_thirty_days() {
        let s = status("2024-01-01T12:00:00Z");
        let day = 86_400;
        let t0 = crate::db::rfc3339_to_unix("2024-01-01T12:00:00Z").unwrap();
        assert_eq!(
            freshness(&s, t0 + 30 * day),
            Freshness {
                age_days: Some(30),
                stale: false
            }
        );
        assert_eq!(
            freshness(&s, t0 + 31 * day),
            Freshness {
                age_days: Some(31),
                stale: true
            }
        );
        // A clock behind the data is not an error: age 0.
        assert_eq!(freshness(&s, t0 - day).age_days, Some(0));
        // An unreadable date is treated as stale: the report cannot vouch for it.
        assert!(freshness(&status("yesterday"), t0).stale);
    }

    #[test]
    fn slices_round_trip_and_garbage_is_an_error() {
        let data = b"postcard bytes ".repeat(100);
        let packed = deflate(&data).unwrap();
        assert!(packed.len() < data.len() / 4);
        assert_eq!(inflate(&packed).unwrap(), data);
        assert!(inflate(&[0xff, 0xff, 0xff]).is_err());
    }

    #[test]
    fn the_embedded_snapshot_opens_and_decodes() {
        let db = embedded().unwrap();
        let s = db.status();
        assert!(s.vulnerabilities > 1000, "{s:?}");
        // The source is named without its directory (no absolute path from the release
        // machine in every binary).
        assert!(!s.source.contains(" /"), "{}", s.source);
        assert_eq!(
            s.imported_at,
            u64::try_from(crate::db::rfc3339_to_unix(&s.newest_modified).unwrap()).unwrap(),
        );
        db.verify().unwrap();
    }
}
