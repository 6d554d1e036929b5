//! Which advisory data a report's dependency findings come from, and how old it is. Every
//! output format states it (when the dependency analysis ran) and warns when it is stale.

use serde::Serialize;

/// Where the advisories came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AdvisorySource {
    /// The snapshot built into Garrison (no local database).
    Embedded,
    /// A local database written by `garrison db sync` / `garrison db import`.
    Database,
}

impl AdvisorySource {
    /// How the text and Markdown outputs name it.
    pub fn describe(self) -> &'static str {
        match self {
            AdvisorySource::Embedded => "embedded snapshot",
            AdvisorySource::Database => "local database",
        }
    }
}

/// The advisory data a report used. Serialized as the JSON document's `advisories` object
/// (docs/json-format.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AdvisoryData {
    /// Embedded snapshot or local database.
    pub source: AdvisorySource,
    /// The database file, for a local database.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// What the advisories were imported from (kind, name, revision when known).
    pub origin: String,
    /// The data's date: the day of `newest_modified` (`YYYY-MM-DD`).
    pub date: String,
    /// The newest `modified` time among the advisories (RFC 3339, as written).
    pub newest_modified: String,
    /// Whole days between `newest_modified` and the run; absent when it cannot be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub age_days: Option<u64>,
    /// Older than `stale_after_days` (or of unknown age): the report warns.
    pub stale: bool,
    /// The age, in days, past which the data is stale.
    pub stale_after_days: u64,
}

impl AdvisoryData {
    /// `embedded snapshot of 2024-10-10 (787 days old)`, or for a database `local database of
    /// 2026-11-30 (2 days old, ~/.local/share/garrison/advisories.db)`.
    pub fn statement(&self) -> String {
        let age = match self.age_days {
            Some(1) => "1 day old".to_string(),
            Some(n) => format!("{n} days old"),
            None => "age unknown".to_string(),
        };
        match &self.path {
            Some(p) => format!("{} of {} ({age}, {p})", self.source.describe(), self.date),
            None => format!("{} of {} ({age})", self.source.describe(), self.date),
        }
    }

    /// The warning shown when the data is stale, else `None`.
    pub fn warning(&self) -> Option<String> {
        if !self.stale {
            return None;
        }
        let age = match self.age_days {
            Some(n) => format!("{n} days old (more than {})", self.stale_after_days),
            None => "of unknown age".to_string(),
        };
        let what = match self.source {
            AdvisorySource::Embedded => "the embedded advisory snapshot",
            AdvisorySource::Database => "the advisory database",
        };
        Some(format!(
            "{what} is {age}; vulnerabilities published since {} are not reported. Run `garrison db sync` (or `garrison db import PATH`) for current advisories",
            self.date
        ))
    }
}
