//! The release rules, one file each: the declaration (id, severity, documentation) and the
//! logic that turns what the analyses observed into that rule's findings, through
//! [`ReleaseRule`]. The analyses ([`crate::archive`], [`crate::wheel`], [`crate::source`],
//! [`crate::lock`]) read and compare; they hand each observation, in order, to every rule of
//! [`crate::registry::RULES`], so a rule is one file plus one registry line.

use garrison_report::{Finding, FindingBuilder, Location, RuleMeta};

use crate::archive::{Dist, ReleaseError};
use crate::lock::{LockReport, Row};
use crate::source::{CompareCx, SourceEvent};
use crate::wheel::{WheelCx, WheelFact};

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

/// A release rule. Each hook receives one observation and adds the rule's findings, if any;
/// the defaults do nothing, so a rule implements only the hooks of the inputs it judges.
pub trait ReleaseRule: Sync {
    /// The rule's metadata.
    fn meta(&self) -> &'static RuleMeta;

    /// A distribution [`crate::read_dist`] rejected.
    fn rejected(&self, _err: &ReleaseError, _out: &mut Vec<Finding>) {}

    /// One fact of a wheel's dist-info and RECORD verification ([`crate::verify_wheel`]).
    fn wheel(&self, _cx: &WheelCx<'_>, _fact: &WheelFact<'_>, _out: &mut Vec<Finding>) {}

    /// One event of a distribution's comparison with its source tree ([`crate::compare`]).
    fn source(&self, _cx: &CompareCx<'_>, _event: &SourceEvent<'_>, _out: &mut Vec<Finding>) {}

    /// One row of a lock verification ([`crate::lock::LockReport::findings`]).
    fn lock(&self, _report: &LockReport, _row: &Row, _out: &mut Vec<Finding>) {}
}

/// A finding about one member of a distribution: located at the archive with the member as
/// route, the member as evidence and key.
pub(crate) fn member_finding(
    rule: &'static RuleMeta,
    dist: &Dist,
    route: &str,
    message: String,
) -> FindingBuilder {
    Finding::builder(rule)
        .message(message)
        .location(Location::file(dist.filename.clone()).with_route(route.to_string()))
        .evidence("member", route.to_string())
        .key(route.to_string())
}
