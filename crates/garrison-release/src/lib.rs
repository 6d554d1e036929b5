//! Release integrity: sdists and wheels read in memory under limits ([`archive`]), wheel
//! RECORD / dist-info verification ([`wheel`]), and a directory of distributions verified
//! against a lock file, a publisher policy and PEP 740 attestations ([`lock`]), reported as
//! `release/*` findings ([`rules`], [`registry`]); [`run`] is `garrison release verify`'s
//! pipeline over many distributions.
//!
//! ```no_run
//! let bytes = std::fs::read("dist/pkg-1.0-py3-none-any.whl").unwrap_or_default();
//! let findings = garrison_release::check_dist(
//!     "pkg-1.0-py3-none-any.whl",
//!     &bytes,
//!     &garrison_release::Limits::default(),
//! );
//! assert!(findings.is_empty());
//! ```

pub mod archive;
pub mod generated;
pub mod gitignore;
pub mod lock;
pub mod metadata;
pub mod print;
pub mod registry;
pub mod rules;
pub mod run;
pub mod source;
pub mod wheel;

pub use archive::{
    Dist, DistKind, Limits, Member, MemberKind, Problem, ReleaseError, dist_name_version,
    read_dist, read_dist_path,
};
pub use source::{Comparison, SourceFile, SourceTree, compare};
pub use wheel::{Headers, RecordEntry, WheelInfo, WheelName, parse_record, verify_wheel};

use garrison_report::Finding;

/// The findings (`release/unsafe-archive`) for an archive [`read_dist`] rejected.
pub fn rejected_findings(err: &ReleaseError) -> Vec<Finding> {
    let mut out = Vec::new();
    for rule in registry::RULES {
        rule.rejected(err, &mut out);
    }
    out
}

/// Reads a distribution and verifies it: `release/unsafe-archive` when it is rejected, the
/// RECORD and dist-info findings for a wheel, nothing more for an sdist (the dist-vs-source
/// comparison is a later layer).
pub fn check_dist(filename: &str, bytes: &[u8], limits: &Limits) -> Vec<Finding> {
    match read_dist(filename, bytes, limits) {
        Err(e) => rejected_findings(&e),
        Ok(dist) if dist.kind == DistKind::Wheel => verify_wheel(&dist).1,
        Ok(_) => Vec::new(),
    }
}
