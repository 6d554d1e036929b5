//! What the pages show, as read from the store: projects, their latest scan with its item
//! verdicts, and the monthly timeline. Handlers convert the store's rows into these (a field
//! per column, nothing computed) and the pages render them.

use serde::Deserialize;

/// A project of the fleet.
#[derive(Debug, Clone, Default)]
pub struct Project {
    /// Its unique name.
    pub name: String,
    /// A core project (its endorsements count).
    pub core: bool,
    /// GitHub organisation.
    pub org: Option<String>,
    /// Repository URLs or paths.
    pub repositories: Vec<String>,
    /// PyPI names.
    pub pypi: Vec<String>,
    /// SPECs it endorses.
    pub endorses: Vec<u32>,
}

/// A project's latest stored snapshot.
#[derive(Debug, Clone, Default)]
pub struct Scan {
    /// The project.
    pub project: String,
    /// `scan` or `replay`.
    pub kind: String,
    /// Its `YYYY-MM`.
    pub month: String,
    /// When it was taken (RFC 3339).
    pub taken_at: String,
    /// The scanned commit.
    pub commit: Option<String>,
    /// The scanned repository.
    pub repository: Option<String>,
    /// Why the scan failed.
    pub error: Option<String>,
    /// SPECs adopted.
    pub adopted: Vec<u32>,
    /// Item verdicts.
    pub verdicts: Vec<ItemVerdict>,
}

/// One item's stored verdict.
#[derive(Debug, Clone, Default)]
pub struct ItemVerdict {
    /// Item id.
    pub item: String,
    /// SPEC number.
    pub spec: u32,
    /// `holds`, `fails`, `not-evaluated` or `not-applicable`.
    pub status: String,
    /// The deciding evidence.
    pub evidence: Vec<Evidence>,
}

/// One piece of evidence (garrison-fleet's `Evidence` as stored JSON; every field optional so
/// a stored row written by another version still renders).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Evidence {
    /// The rule.
    #[serde(default)]
    pub rule: String,
    /// Its severity.
    #[serde(default)]
    pub severity: String,
    /// What it says.
    #[serde(default)]
    pub message: String,
    /// Path in the tree.
    #[serde(default)]
    pub path: Option<String>,
    /// 1-based line.
    #[serde(default)]
    pub line: Option<u32>,
}

impl Evidence {
    /// The stored JSON array of evidence (anything else reads as none).
    pub fn list(value: &serde_json::Value) -> Vec<Evidence> {
        match value {
            serde_json::Value::Array(a) => a
                .iter()
                .filter_map(|v| Evidence::deserialize(v).ok())
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// One month of one item in a project's timeline.
#[derive(Debug, Clone, Default)]
pub struct TimelineRow {
    /// `YYYY-MM`.
    pub month: String,
    /// Item id.
    pub item: String,
    /// Its status that month.
    pub status: String,
}
