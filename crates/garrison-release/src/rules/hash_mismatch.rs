use garrison_report::{Finding, RuleMeta, declare_rule};

use super::{HASH_CHECKING, PEP751, ReleaseRule};
use crate::lock::{DistFile, LockReport, Outcome, Row, hex};

declare_rule! {
    /// ## What it checks
    /// `garrison verify --lock LOCK --dists DIR`: each distribution file in `DIR` that the lock
    /// names (by file name in uv.lock and pylock.toml, by package name and version for
    /// requirements files with `--hash`) is hashed, and its sha256 (or sha384/sha512 when the
    /// lock uses those) must be one the lock records for it. A lock entry with no usable hash
    /// is reported too. The finding points at the lock entry and gives the file and its digest.
    ///
    /// ## Why it matters
    /// The lock's hashes are what was reviewed and resolved. A file with another digest was
    /// replaced somewhere between the index and the install: a compromised or stale mirror, a
    /// cache poisoned by an earlier run, or a release re-uploaded under the same name (PyPI
    /// forbids that, other indexes may not).
    ///
    /// ## Example
    /// `uv.lock` records `sha256:5f…` for `numpy-2.1.0-cp312-cp312-manylinux_2_17_x86_64.whl`;
    /// the file in `wheelhouse/` hashes to `sha256:9a…`.
    ///
    /// ## Remediation
    /// Do not install the file. Download it again from the index the lock names and compare;
    /// if the index serves the new digest, find out why before re-locking (`uv lock`,
    /// `pip-compile --generate-hashes`).
    pub HashMismatch {
        id: "release/hash-mismatch",
        summary: "distribution file does not match the hash its lock records",
        severity: High,
        help: "do not install this file; download it again from the locked index and compare before re-locking",
        references: [HASH_CHECKING, PEP751],
    }
}

impl ReleaseRule for HashMismatch {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn lock(&self, report: &LockReport, row: &Row, out: &mut Vec<Finding>) {
        if row.outcome == Outcome::HashMismatch {
            out.push(report.row_finding(&Self::META, row));
        }
    }
}

/// Why a file's digest is not one the lock records for it; the detail of a
/// `release/hash-mismatch` row.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HashProblem {
    /// The lock entry has no hash at all.
    #[error("the lock (line {line}) records no hash for this file")]
    NoHash {
        /// The lock entry's line.
        line: u32,
    },
    /// Only algorithms Garrison does not compute (md5, sha1, …).
    #[error(
        "the lock (line {line}) records only {algorithms} for this file; Garrison checks sha256, sha384 and sha512"
    )]
    Unusable {
        /// The lock entry's line.
        line: u32,
        /// The algorithms, comma-separated.
        algorithms: String,
    },
    /// One usable hash, and the file's digest differs.
    #[error("{algorithm} is {actual}, the lock (line {line}) expects {expected}")]
    Differs {
        /// The lock entry's line.
        line: u32,
        /// The algorithm.
        algorithm: String,
        /// The file's digest (hex).
        actual: String,
        /// The lock's.
        expected: String,
    },
    /// Several usable hashes, none equal to the file's.
    #[error("sha256 is {sha256}, none of the {count} hashes the lock (line {line}) allows")]
    NoneOf {
        /// The lock entry's line.
        line: u32,
        /// The file's sha256 (hex).
        sha256: String,
        /// How many usable hashes the lock allows.
        count: usize,
    },
}

/// Checks a file's digests against the hashes the lock records for it (`algorithm:hex`, any
/// one equal suffices).
pub fn check_hashes(dist: &DistFile, hashes: &[String], line: u32) -> Result<(), HashProblem> {
    let mut usable = Vec::new();
    for h in hashes {
        let Some((alg, want)) = h.split_once(':') else {
            continue;
        };
        let alg = alg.trim().to_ascii_lowercase();
        if let Some(have) = dist.digest_hex(&alg) {
            if have.eq_ignore_ascii_case(want.trim()) {
                return Ok(());
            }
            usable.push((alg, want.trim().to_string()));
        }
    }
    match usable.as_slice() {
        [] if hashes.is_empty() => Err(HashProblem::NoHash { line }),
        [] => Err(HashProblem::Unusable {
            line,
            algorithms: hashes
                .iter()
                .filter_map(|h| h.split_once(':').map(|(a, _)| a))
                .collect::<Vec<_>>()
                .join(", "),
        }),
        [(alg, want)] => Err(HashProblem::Differs {
            line,
            algorithm: alg.clone(),
            actual: dist.digest_hex(alg).unwrap_or_default(),
            expected: want.clone(),
        }),
        many => Err(HashProblem::NoneOf {
            line,
            sha256: hex(&dist.sha256),
            count: many.len(),
        }),
    }
}
