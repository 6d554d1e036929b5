use garrison_report::declare_rule;

use super::{HASH_CHECKING, PEP751};

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
