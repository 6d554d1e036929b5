//! The ecosystem report (`garrison ecosystem report`, the server's `/api/v1`): the latest verdicts
//! of every project, or the monthly timeline, as versioned JSON (documented in
//! `docs/ecosystem-json.md`), CSV or Markdown.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use garrison_store::{Snapshot, Store, StoreError};
use serde::Serialize;

use crate::items::{Item, Status};

/// The version of the JSON documents; bumped on any incompatible change.
pub const VERSION: u32 = 1;

/// The latest verdicts of every project.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// [`VERSION`].
    pub version: u32,
    /// Every stored project, by name.
    pub projects: Vec<ProjectReport>,
}

/// One project's latest verdicts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProjectReport {
    /// The project.
    pub name: String,
    /// One of the core projects.
    pub core: bool,
    /// The SPECs it endorses.
    pub endorses: Vec<u32>,
    /// The SPECs it adopts (every evaluable item holds).
    pub adopted: Vec<u32>,
    /// The repository scanned.
    pub repository: Option<String>,
    /// The commit scanned.
    pub commit: Option<String>,
    /// When (RFC 3339, UTC); absent when the project was never scanned.
    pub scanned_at: Option<String>,
    /// Why the last scan could not evaluate the project.
    pub error: Option<String>,
    /// Every item of the catalogue with its verdict, in catalogue order.
    pub items: Vec<ItemReport>,
}

/// One item's verdict.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemReport {
    /// The item's id.
    pub id: String,
    /// Its SPEC.
    pub spec: u32,
    /// `holds`, `fails`, `not-evaluated` or `not-applicable`.
    pub status: String,
    /// What decided it.
    pub evidence: serde_json::Value,
}

/// The monthly timeline of every project.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct History {
    /// [`VERSION`].
    pub version: u32,
    /// Every project with a timeline, by name.
    pub projects: Vec<ProjectHistory>,
}

/// One project's timeline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProjectHistory {
    /// The project.
    pub name: String,
    /// Its months, oldest first.
    pub timeline: Vec<Month>,
}

/// One month of a timeline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Month {
    /// `YYYY-MM`.
    pub month: String,
    /// Each item's status that month.
    pub items: BTreeMap<String, String>,
}

fn project_report(
    p: &garrison_store::ProjectRow,
    snap: Option<&Snapshot>,
    items: &[Item],
) -> ProjectReport {
    let by_id: BTreeMap<&str, &garrison_store::VerdictRow> = snap
        .map(|s| s.verdicts.iter().map(|v| (v.item.as_str(), v)).collect())
        .unwrap_or_default();
    let mut report_items = Vec::new();
    if snap.is_some_and(|s| s.error.is_none()) {
        for item in items {
            let (status, evidence) = match by_id.get(item.id.as_str()) {
                Some(v) => (v.status.clone(), v.evidence.clone()),
                // An item added to the catalogue after the scan.
                None => (
                    Status::NotEvaluated.as_str().to_string(),
                    serde_json::json!([{"rule": "garrison/needs", "severity": "info",
                        "message": "not in the catalogue when this project was last scanned; the next scan evaluates it",
                        "path": null, "line": null}]),
                ),
            };
            report_items.push(ItemReport {
                id: item.id.clone(),
                spec: item.spec,
                status,
                evidence,
            });
        }
    }
    ProjectReport {
        name: p.name.clone(),
        core: p.core,
        endorses: p.endorses.clone(),
        adopted: snap.map(|s| s.adopted.clone()).unwrap_or_default(),
        repository: snap
            .and_then(|s| s.repository.clone())
            .or_else(|| p.repositories.first().cloned()),
        commit: snap.and_then(|s| s.commit.clone()),
        scanned_at: snap.and_then(|s| garrison_source::time::rfc3339(s.taken_at)),
        error: match snap {
            Some(s) => s.error.clone(),
            None => Some("not scanned yet".into()),
        },
        items: report_items,
    }
}

/// The latest verdicts of every stored project.
pub async fn latest(store: &Store, items: &[Item]) -> Result<Report, StoreError> {
    let projects = store.projects().await?;
    let snaps = store.latest().await?;
    let by: BTreeMap<&str, &Snapshot> = snaps.iter().map(|s| (s.project.as_str(), s)).collect();
    Ok(Report {
        version: VERSION,
        projects: projects
            .iter()
            .map(|p| project_report(p, by.get(p.name.as_str()).copied(), items))
            .collect(),
    })
}

/// One project's latest verdicts, with its findings; `None` for an unknown project.
pub async fn project(
    store: &Store,
    name: &str,
    items: &[Item],
) -> Result<Option<(ProjectReport, Option<Snapshot>)>, StoreError> {
    let projects = store.projects().await?;
    let Some(p) = projects.iter().find(|p| p.name == name) else {
        return Ok(None);
    };
    let snap = store.latest_for(name).await?;
    Ok(Some((project_report(p, snap.as_ref(), items), snap)))
}

/// The monthly timeline of every project (or one).
pub async fn history(store: &Store, project: Option<&str>) -> Result<History, StoreError> {
    let rows = store.timeline(project).await?;
    let mut projects: Vec<ProjectHistory> = Vec::new();
    for r in rows {
        if projects.last().is_none_or(|p| p.name != r.project) {
            projects.push(ProjectHistory {
                name: r.project.clone(),
                timeline: Vec::new(),
            });
        }
        let Some(p) = projects.last_mut() else {
            continue;
        };
        if p.timeline.last().is_none_or(|m| m.month != r.month) {
            p.timeline.push(Month {
                month: r.month.clone(),
                items: BTreeMap::new(),
            });
        }
        if let Some(m) = p.timeline.last_mut() {
            m.items.insert(r.item, r.status);
        }
    }
    Ok(History {
        version: VERSION,
        projects,
    })
}

/// A CSV cell that a spreadsheet would run as a formula is prefixed with `'` (evidence
/// messages quote repository content, which an attacker controls).
fn cell(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

fn csv_text(header: &[&str], rows: Vec<Vec<String>>) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(header);
    for r in rows {
        let _ = w.write_record(r.iter().map(|c| cell(c)));
    }
    let bytes = w.into_inner().unwrap_or_default();
    String::from_utf8_lossy(&bytes).into_owned()
}

fn first_evidence(e: &serde_json::Value) -> (String, String) {
    let Some(first) = e.as_array().and_then(|a| a.first()) else {
        return (String::new(), String::new());
    };
    let path = first.get("path").and_then(|p| p.as_str()).unwrap_or("");
    let at = match first.get("line").and_then(|l| l.as_u64()) {
        Some(l) if !path.is_empty() => format!("{path}:{l}"),
        _ => path.to_string(),
    };
    let msg = first
        .get("message")
        .and_then(|m| m.as_str())
        .unwrap_or("")
        .to_string();
    (at, msg)
}

impl Report {
    /// JSON (`docs/ecosystem-json.md`).
    pub fn json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default() + "\n"
    }

    /// CSV: one row per project and item (a project without verdicts has one row with its
    /// error).
    pub fn csv(&self) -> String {
        let mut rows = Vec::new();
        for p in &self.projects {
            let adopted = |spec: u32| p.adopted.contains(&spec);
            if p.items.is_empty() {
                rows.push(vec![
                    p.name.clone(),
                    p.core.to_string(),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                    p.commit.clone().unwrap_or_default(),
                    p.scanned_at.clone().unwrap_or_default(),
                    p.error.clone().unwrap_or_default(),
                ]);
            }
            for i in &p.items {
                let (at, msg) = first_evidence(&i.evidence);
                rows.push(vec![
                    p.name.clone(),
                    p.core.to_string(),
                    i.spec.to_string(),
                    adopted(i.spec).to_string(),
                    i.id.clone(),
                    i.status.clone(),
                    at,
                    msg,
                    p.commit.clone().unwrap_or_default(),
                    p.scanned_at.clone().unwrap_or_default(),
                    String::new(),
                ]);
            }
        }
        csv_text(
            &[
                "project",
                "core",
                "spec",
                "spec_adopted",
                "item",
                "status",
                "evidence_location",
                "evidence",
                "commit",
                "scanned_at",
                "error",
            ],
            rows,
        )
    }

    /// Markdown: per SPEC, who adopts it, then a table of every project's items.
    pub fn markdown(&self, items: &[Item]) -> String {
        let mut s = String::from("# SPEC adoption\n");
        let mut specs: Vec<u32> = items.iter().map(|i| i.spec).collect();
        specs.sort_unstable_by(|a, b| b.cmp(a));
        specs.dedup();
        for spec in specs {
            let adopters: Vec<&str> = self
                .projects
                .iter()
                .filter(|p| p.adopted.contains(&spec))
                .map(|p| p.name.as_str())
                .collect();
            let endorsers: Vec<&str> = self
                .projects
                .iter()
                .filter(|p| p.core && p.endorses.contains(&spec))
                .map(|p| p.name.as_str())
                .collect();
            let _ = writeln!(
                s,
                "\n## SPEC {spec}\n\nAdopted by {} of {} projects{}; endorsed by {} core projects{}.\n",
                adopters.len(),
                self.projects.len(),
                list(&adopters),
                endorsers.len(),
                list(&endorsers),
            );
            let _ = writeln!(
                s,
                "| project | adopted | holds | fails | not evaluated | failing items |"
            );
            let _ = writeln!(s, "|---|---|---|---|---|---|");
            for p in &self.projects {
                let of = |st: &str| {
                    p.items
                        .iter()
                        .filter(|i| i.spec == spec && i.status == st)
                        .count()
                };
                let failing: Vec<String> = p
                    .items
                    .iter()
                    .filter(|i| i.spec == spec && i.status == "fails")
                    .map(|i| format!("`{}`", i.id))
                    .collect();
                let adopted = if let Some(e) = &p.error {
                    format!("error: {}", md(e))
                } else if p.adopted.contains(&spec) {
                    "yes".into()
                } else {
                    "no".into()
                };
                let _ = writeln!(
                    s,
                    "| {} | {adopted} | {} | {} | {} | {} |",
                    md(&p.name),
                    of("holds"),
                    of("fails"),
                    of("not-evaluated"),
                    failing.join(", ")
                );
            }
        }
        s
    }
}

fn list(names: &[&str]) -> String {
    if names.is_empty() {
        String::new()
    } else {
        format!(" ({})", names.join(", "))
    }
}

/// Markdown table cell text: pipes, newlines and HTML are neutralized.
fn md(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace('<', "&lt;")
        .replace(['\n', '\r'], " ")
}

impl History {
    /// JSON (`docs/ecosystem-json.md`).
    pub fn json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default() + "\n"
    }

    /// CSV: one row per project, month and item.
    pub fn csv(&self) -> String {
        let mut rows = Vec::new();
        for p in &self.projects {
            for m in &p.timeline {
                for (item, status) in &m.items {
                    rows.push(vec![
                        p.name.clone(),
                        m.month.clone(),
                        item.clone(),
                        status.clone(),
                    ]);
                }
            }
        }
        csv_text(&["project", "month", "item", "status"], rows)
    }

    /// Markdown: per project, one row per month with how many items hold, fail or are not
    /// evaluated.
    pub fn markdown(&self) -> String {
        let mut s = String::from("# SPEC item timeline\n");
        for p in &self.projects {
            let _ = writeln!(
                s,
                "\n## {}\n\n| month | holds | fails | not evaluated | not applicable |\n|---|---|---|---|---|",
                md(&p.name)
            );
            for m in &p.timeline {
                let of = |st: &str| m.items.values().filter(|v| *v == st).count();
                let _ = writeln!(
                    s,
                    "| {} | {} | {} | {} | {} |",
                    m.month,
                    of("holds"),
                    of("fails"),
                    of("not-evaluated"),
                    of("not-applicable")
                );
            }
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scan_times_are_rfc3339_utc() {
        let t = |u| garrison_source::time::rfc3339(u).unwrap_or_default();
        assert_eq!(t(0), "1970-01-01T00:00:00Z");
        assert_eq!(t(951_825_600), "2000-02-29T12:00:00Z");
        assert_eq!(t(1_798_761_599), "2026-12-31T23:59:59Z");
    }

    #[test]
    fn formula_cells_are_neutralized() {
        let t = csv_text(
            &["a", "b"],
            vec![vec!["=HYPERLINK(\"x\")".into(), "ok, \"q\"".into()]],
        );
        assert_eq!(t, "a,b\n\"'=HYPERLINK(\"\"x\"\")\",\"ok, \"\"q\"\"\"\n");
    }
}
