//! The OSV data model (schema 1.7), as records are read and as merged vulnerabilities.
//!
//! Every field keeps the advisory's own text: versions are strings here (they are parsed as
//! PEP 440 only when matching, and kept raw when they are not PEP 440), and the free-form
//! `database_specific` / `ecosystem_specific` objects are kept as JSON text.

use serde::{Deserialize, Serialize};

/// One OSV record as read from a file (`PYSEC-…`, `GHSA-…`, …).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Record {
    /// The record's id.
    pub id: String,
    /// `modified` timestamp (RFC 3339, as written).
    pub modified: String,
    /// `published` timestamp, if any.
    pub published: Option<String>,
    /// `withdrawn` timestamp: withdrawn records are counted and otherwise ignored.
    pub withdrawn: Option<String>,
    /// Other ids of the same vulnerability (`CVE-…`, `GHSA-…`).
    pub aliases: Vec<String>,
    /// Ids of related but different vulnerabilities.
    pub related: Vec<String>,
    /// One-line summary.
    pub summary: Option<String>,
    /// Full description (Markdown).
    pub details: Option<String>,
    /// Severity scores of the record.
    pub severity: Vec<SeverityScore>,
    /// Affected packages.
    pub affected: Vec<Affected>,
    /// References.
    pub references: Vec<Reference>,
    /// Credits.
    pub credits: Vec<Credit>,
    /// `database_specific`, as JSON text.
    pub database_specific: Option<String>,
    /// `schema_version`, if given.
    pub schema_version: Option<String>,
}

/// A severity entry: `{type: CVSS_V3, score: "CVSS:3.1/AV:N/…"}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SeverityScore {
    /// `CVSS_V2`, `CVSS_V3`, `CVSS_V4`, `Ubuntu`, …
    pub kind: String,
    /// The vector or value, as written.
    pub score: String,
}

/// One `affected[]` entry.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Affected {
    /// The id of the record this entry comes from (records are merged by alias).
    pub record_id: String,
    /// The package.
    pub package: Package,
    /// Package-level severity, if any.
    pub severity: Vec<SeverityScore>,
    /// Version ranges.
    pub ranges: Vec<Range>,
    /// The enumerated affected versions, as written.
    pub versions: Vec<String>,
    /// `ecosystem_specific`, as JSON text.
    pub ecosystem_specific: Option<String>,
    /// `database_specific`, as JSON text.
    pub database_specific: Option<String>,
}

/// `affected[].package`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Package {
    /// `PyPI`, `npm`, …
    pub ecosystem: String,
    /// The name as written in the advisory (not normalized).
    pub name: String,
    /// Package URL, if any.
    pub purl: Option<String>,
}

/// The type of a range.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RangeKind {
    /// Versions of the package's ecosystem (PEP 440 for PyPI).
    Ecosystem,
    /// SemVer 2.0 versions (evaluated with PEP 440 ordering for PyPI packages).
    Semver,
    /// Git commits: never used for version matching.
    Git,
    /// Any other type, as written.
    Other(String),
}

impl RangeKind {
    /// Reads the `type` field.
    pub fn parse(s: &str) -> RangeKind {
        match s {
            "ECOSYSTEM" => RangeKind::Ecosystem,
            "SEMVER" => RangeKind::Semver,
            "GIT" => RangeKind::Git,
            other => RangeKind::Other(other.to_string()),
        }
    }

    /// The OSV spelling.
    pub fn as_str(&self) -> &str {
        match self {
            RangeKind::Ecosystem => "ECOSYSTEM",
            RangeKind::Semver => "SEMVER",
            RangeKind::Git => "GIT",
            RangeKind::Other(s) => s,
        }
    }
}

/// `affected[].ranges[]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Range {
    /// The range type.
    pub kind: RangeKind,
    /// Repository URL (GIT ranges).
    pub repo: Option<String>,
    /// Events in the order written.
    pub events: Vec<Event>,
    /// `database_specific`, as JSON text.
    pub database_specific: Option<String>,
}

/// What an event marks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EventKind {
    /// `introduced`: this version and later are affected (`"0"` = since the beginning).
    Introduced,
    /// `fixed`: this version and later are not affected.
    Fixed,
    /// `last_affected`: versions after this one are not affected.
    LastAffected,
    /// `limit`: only versions below a limit are considered (`"*"` = infinity).
    Limit,
}

impl EventKind {
    /// The OSV key.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Introduced => "introduced",
            EventKind::Fixed => "fixed",
            EventKind::LastAffected => "last_affected",
            EventKind::Limit => "limit",
        }
    }
}

/// A range event: `{introduced: "1.0"}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Event {
    /// The kind.
    pub kind: EventKind,
    /// The version, as written.
    pub version: String,
}

/// `references[]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Reference {
    /// `ADVISORY`, `FIX`, `WEB`, …
    pub kind: String,
    /// The URL.
    pub url: String,
}

/// `credits[]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Credit {
    /// Who.
    pub name: String,
    /// Contact URLs/addresses.
    pub contact: Vec<String>,
    /// `FINDER`, `REPORTER`, …
    pub kind: Option<String>,
}

/// One vulnerability: the records that name each other (ids and aliases) merged.
///
/// `id` is the canonical id (a `PYSEC-` id when there is one, else `GHSA-`, else the first id
/// in sort order); `aliases` holds every other id of the group; `affected`, `references`,
/// `severity`, `credits` and `related` are unions over the group (`affected` only keeps PyPI
/// entries). `modified` is the newest and `published` the oldest of the group.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Vulnerability {
    /// Canonical id.
    pub id: String,
    /// The ids of the merged records (canonical first).
    pub record_ids: Vec<String>,
    /// Every other id (record ids and aliases), sorted.
    pub aliases: Vec<String>,
    /// Related ids (union).
    pub related: Vec<String>,
    /// Summary of the first record that has one.
    pub summary: Option<String>,
    /// Details of the first record that has them.
    pub details: Option<String>,
    /// Newest `modified`.
    pub modified: String,
    /// Oldest `published`.
    pub published: Option<String>,
    /// Severity scores (union of record-level ones).
    pub severity: Vec<SeverityScore>,
    /// PyPI affected entries (union).
    pub affected: Vec<Affected>,
    /// References (union, first-seen order).
    pub references: Vec<Reference>,
    /// Credits (union).
    pub credits: Vec<Credit>,
    /// `database_specific` objects of the records, as JSON text.
    pub database_specific: Vec<String>,
}

impl Vulnerability {
    /// Every id of this vulnerability: the canonical one then the aliases.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.id.as_str()).chain(self.aliases.iter().map(String::as_str))
    }

    /// True when `id` is the canonical id or one of the aliases.
    pub fn has_id(&self, id: &str) -> bool {
        self.ids().any(|i| i.eq_ignore_ascii_case(id))
    }
}
