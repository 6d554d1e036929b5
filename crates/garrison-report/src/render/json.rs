//! Versioned machine output. The format is documented field by field in `docs/json-format.md`;
//! within `version` 1, fields are only ever added, never renamed, retyped or removed.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::advisory_data::AdvisoryData;
use crate::finding::{Finding, Severity};
use crate::report::{FileError, Report};

/// The version of the JSON format this renderer writes.
pub const FORMAT_VERSION: u32 = 1;

/// Renders `report` as pretty-printed JSON with a trailing newline.
pub fn render(report: &Report) -> String {
    let s = &report.suppressed;
    let doc = Document {
        version: FORMAT_VERSION,
        tool: Tool {
            name: "garrison",
            version: env!("CARGO_PKG_VERSION"),
        },
        root: &report.root,
        summary: Summary {
            files_scanned: report.files_scanned,
            findings: report.findings.len(),
            errors: report.errors.len(),
            by_severity: Counts::from(&report.by_severity()),
            by_family: report
                .by_family()
                .iter()
                .map(|(family, counts)| (family.clone(), Counts::from(counts)))
                .collect(),
            suppressed: SuppressedCounts {
                total: s.config + s.inline + s.baseline + s.threshold,
                config: s.config,
                inline: s.inline,
                baseline: s.baseline,
                threshold: s.threshold,
            },
        },
        advisories: report.advisories.as_ref(),
        findings: &report.findings,
        errors: &report.errors,
        notes: &report.notes,
    };
    match serde_json::to_string_pretty(&doc) {
        Ok(mut out) => {
            out.push('\n');
            out
        }
        // Every type above serializes infallibly (string keys, no custom impls); keep the
        // output parseable even so.
        Err(e) => format!(
            "{{\"version\": {FORMAT_VERSION}, \"error\": {}}}\n",
            serde_json::Value::String(e.to_string())
        ),
    }
}

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    tool: Tool,
    root: &'a str,
    summary: Summary,
    /// Present when the dependency analysis ran.
    #[serde(skip_serializing_if = "Option::is_none")]
    advisories: Option<&'a AdvisoryData>,
    findings: &'a [Finding],
    errors: &'a [FileError],
    /// What the run could not check, and why (absent when nothing).
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    notes: &'a [String],
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Summary {
    files_scanned: usize,
    findings: usize,
    errors: usize,
    by_severity: Counts,
    by_family: BTreeMap<String, Counts>,
    suppressed: SuppressedCounts,
}

/// Counts per severity; every severity is always present, most severe first.
#[derive(Serialize)]
struct Counts {
    critical: usize,
    high: usize,
    medium: usize,
    low: usize,
    info: usize,
}

impl From<&BTreeMap<Severity, usize>> for Counts {
    fn from(m: &BTreeMap<Severity, usize>) -> Counts {
        let n = |s| m.get(&s).copied().unwrap_or(0);
        Counts {
            critical: n(Severity::Critical),
            high: n(Severity::High),
            medium: n(Severity::Medium),
            low: n(Severity::Low),
            info: n(Severity::Info),
        }
    }
}

#[derive(Serialize)]
struct SuppressedCounts {
    total: usize,
    config: usize,
    inline: usize,
    baseline: usize,
    threshold: usize,
}
