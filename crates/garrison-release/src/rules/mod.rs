//! The release rules, one file each. Findings are built in [`crate::wheel`] and
//! [`crate::check_dist`], and for lock verification in [`crate::lock`]; these files hold each rule's id, severity and documentation.

pub mod content_differs;
pub mod dist_info_mismatch;
pub mod dist_missing;
pub mod dist_not_in_lock;
pub mod file_missing_from_dist;
pub mod file_not_in_source;
pub mod generated_file;
pub mod hash_mismatch;
pub mod identity_mismatch;
pub mod ignored_file_in_dist;
pub mod metadata_mismatch;
pub mod publisher_changed;
pub mod record_mismatch;
pub mod record_missing_entry;
pub mod record_stale_entry;
pub mod unattested;
pub mod unsafe_archive;

/// PEP 427, the wheel format (RECORD, dist-info).
pub const PEP427: &str = "https://peps.python.org/pep-0427/";
/// The binary distribution format specification (RECORD hashes).
pub const BDIST_SPEC: &str =
    "https://packaging.python.org/en/latest/specifications/binary-distribution-format/";
/// The recording-installed-projects specification (RECORD syntax).
pub const RECORD_SPEC: &str = "https://packaging.python.org/en/latest/specifications/recording-installed-packages/#the-record-file";
/// SPEC 8, Securing the Release Process.
pub const SPEC8: &str = "https://scientific-python.org/specs/spec-0008/";
/// PEP 621, project metadata in pyproject.toml.
pub const PEP621: &str = "https://packaging.python.org/en/latest/specifications/pyproject-toml/";
/// PEP 740, index support for digital attestations.
pub const PEP740: &str = "https://peps.python.org/pep-0740/";
/// PEP 751, the `pylock.toml` lock file format.
pub const PEP751: &str = "https://peps.python.org/pep-0751/";
/// pip's hash-checking mode.
pub const HASH_CHECKING: &str =
    "https://pip.pypa.io/en/stable/topics/secure-installs/#hash-checking-mode";
/// PyPI Trusted Publishers.
pub const TRUSTED_PUBLISHERS: &str = "https://docs.pypi.org/trusted-publishers/";
