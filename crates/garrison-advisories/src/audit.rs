//! Dependency audits: the `deps/*` rules, turning dependency entries and the advisory
//! database into findings.

use std::collections::BTreeMap;

use garrison_python::deps::{DepKind, Dependency, Ecosystem, Manifest, VersionRef};
use garrison_report::not_evaluated::NotEvaluated;
use garrison_report::{Confidence, Finding, Location, RuleMeta, Severity, declare_rule};

use crate::cvss::assess;
use crate::db::Database;
use crate::matching::Match;

declare_rule! {
    /// ## What it checks
    /// Every locked, pinned or installed dependency (`uv.lock`, `pylock.toml`, `poetry.lock`,
    /// `Pipfile.lock`, `pdm.lock`, `pixi.lock`, `conda-lock.yml`, `requirements*.txt` pins,
    /// conda environment pins, `*.dist-info`) against the local OSV advisory database.
    /// Ranges are evaluated with the OSV algorithm over PEP 440 *ordering* (so `2.0rc1` is
    /// affected by `fixed: 2.0`), and the advisory's enumerated `versions` list counts too.
    ///
    /// ## Why it matters
    /// A pinned version with a published vulnerability ships that vulnerability to every
    /// environment built from the lock, including CI runners that hold release credentials.
    ///
    /// ## Example
    /// ```text
    /// pillow==8.0.0    # requirements.txt
    /// ```
    /// is affected by dozens of advisories (for example PYSEC-2021-36, fixed in 8.1.1).
    ///
    /// ## Remediation
    /// Upgrade to the version the finding names: the smallest release that fixes *all* known
    /// vulnerabilities of the package affecting the current version. If the vulnerable code
    /// is not reachable, record that in `ignore-vulnerabilities` with a reason and an expiry.
    pub KnownVulnerability {
        id: "deps/known-vulnerability",
        summary: "a locked or pinned dependency version has a known vulnerability",
        severity: High,
        help: "upgrade to a fixed version",
        references: [
            "SPEC 8: https://scientific-python.org/specs/spec-0008/",
            "https://ossf.github.io/osv-schema/",
        ],
    }
}

declare_rule! {
    /// ## What it checks
    /// Declared requirement ranges (library mode: `pyproject.toml` `dependencies`, optional
    /// dependencies, dependency groups, `build-system.requires`, unpinned requirements lines)
    /// that admit versions with known vulnerabilities. The versions counted are those each
    /// advisory enumerates in its `versions` list (the releases known to be affected).
    ///
    /// ## Why it matters
    /// A library's floor is what its users' resolvers may pick, for example in environments
    /// pinned by other constraints. `scipy>=1.7.2` still admits releases affected by
    /// PYSEC-2023-102; raising the floor protects every downstream user at once.
    ///
    /// ## Example
    /// ```toml
    /// dependencies = ["scipy>=1.7.2"]
    /// ```
    ///
    /// ## Remediation
    /// Raise the floor to the recommended version, or document why older versions must stay
    /// allowed. Unconstrained requirements are reported with low confidence: resolvers pick
    /// the newest release unless something else constrains them.
    pub VulnerableRange {
        id: "deps/vulnerable-range",
        summary: "a declared requirement range admits versions with known vulnerabilities",
        severity: Medium,
        help: "raise the lower bound to a fixed version",
        references: [
            "SPEC 8: https://scientific-python.org/specs/spec-0008/",
        ],
    }
}

/// The `deps/*` rules (and the shared `info/not-evaluated`).
pub fn rules() -> Vec<&'static RuleMeta> {
    vec![
        &KnownVulnerability::META,
        &VulnerableRange::META,
        &NotEvaluated::META,
    ]
}

/// An accepted vulnerability: not reported until `expires` (`YYYY-MM-DD`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    /// Advisory id or alias.
    pub id: String,
    /// Limit to this package (normalized), if given.
    pub package: Option<String>,
    /// Why.
    pub reason: String,
    /// Last day the acceptance holds; none means until removed.
    pub expires: Option<String>,
}

/// How to run the audit.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Only entries whose marker may apply under this Python version (`3.11`).
    pub python_version: Option<String>,
    /// Only entries whose marker may apply on this platform (`linux`, `darwin`, `win32`).
    pub platform: Option<String>,
    /// Report declared ranges (library mode).
    pub declared: bool,
    /// Accepted vulnerabilities from configuration.
    pub accepted: Vec<Accepted>,
    /// Today's date, `YYYY-MM-DD`, for expiries (injected for tests).
    pub today: String,
}

/// Audits the dependencies of `manifests` against `db`.
pub fn audit(
    db: &Database,
    manifests: &[Manifest],
    opts: &Options,
    selected: &dyn Fn(&str) -> bool,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for m in manifests {
        // Conda entries with a `pkg:pypi` purl are also recorded as PyPI entries (group
        // `… (purl)`) and checked as such; only the others are unchecked.
        let via_purl = m
            .deps
            .iter()
            .filter(|d| d.ecosystem == Ecosystem::PyPI && d.group.ends_with("(purl)"))
            .count();
        let conda = m
            .deps
            .iter()
            .filter(|d| d.ecosystem == Ecosystem::Conda)
            .count();
        let conda_unchecked = conda.saturating_sub(via_purl);
        for dep in &m.deps {
            if dep.ecosystem == Ecosystem::Conda {
                continue;
            }
            if !marker_applies(dep, opts) {
                continue;
            }
            match (&dep.kind, &dep.version) {
                (DepKind::Locked | DepKind::Pinned, Some(v)) => {
                    locked(db, dep, v, opts, selected, &mut out);
                }
                _ if opts.declared && selected(VulnerableRange::META.id) => {
                    declared(db, dep, opts, &mut out);
                }
                _ => {}
            }
        }
        if conda_unchecked > 0 && selected(NotEvaluated::META.id) {
            out.push(
                Finding::builder(&NotEvaluated::META)
                    .message(format!(
                        "not evaluated: {conda_unchecked} conda packages without a PyPI counterpart in {} (PyPI advisories do not apply to them)",
                        m.path
                    ))
                    .severity(Severity::Info)
                    .location(Location::file(m.path.clone()))
                    .evidence("check", "deps/conda-packages")
                    .evidence("reason", "conda packages have no PyPI advisory data")
                    .evidence("count", conda_unchecked)
                    .help("conda-forge packages that repackage PyPI projects are checked through their `pkg:pypi` purls in pixi.lock; check the others against conda-forge's own announcements")
                    .key(m.path.clone())
                    .build(),
            );
        }
    }
    out
}

/// The finding that says the database is missing.
pub fn missing_database(path: &str) -> Finding {
    Finding::builder(&NotEvaluated::META)
        .message(format!(
            "not evaluated: known vulnerabilities in dependencies (no advisory database at {path})"
        ))
        .severity(Severity::Info)
        .location(Location::file("."))
        .evidence("check", "deps/known-vulnerability")
        .evidence("reason", format!("no advisory database at {path}"))
        .help("run `garrison db sync` (downloads the OSV PyPI export) or `garrison db import <pypa/advisory-database checkout>`")
        .key("no-database")
        .build()
}

fn marker_applies(dep: &Dependency, opts: &Options) -> bool {
    let Some(marker) = dep.marker.as_deref() else {
        return true;
    };
    if opts.python_version.is_none() && opts.platform.is_none() {
        return true;
    }
    garrison_python::markers::may_apply(
        marker,
        opts.python_version.as_deref(),
        opts.platform.as_deref(),
    )
    .unwrap_or(true)
}

fn accepted<'a>(opts: &'a Options, m: &Match, dep: &Dependency) -> Option<&'a Accepted> {
    opts.accepted.iter().find(|a| {
        (a.id == m.id || m.vulnerability.ids().any(|i| i == a.id))
            && a.package
                .as_deref()
                .is_none_or(|p| garrison_python::PackageName::new(p) == dep.name)
    })
}

fn location(dep: &Dependency, note: String) -> Location {
    Location::span(dep.path.clone(), dep.span)
        .with_route(format!("{} > {}", dep.group, dep.name))
        .with_note(note)
}

fn locked(
    db: &Database,
    dep: &Dependency,
    version: &VersionRef,
    opts: &Options,
    selected: &dyn Fn(&str) -> bool,
    out: &mut Vec<Finding>,
) {
    let eval = db.evaluate(&dep.name, version);
    let shown = match version {
        VersionRef::Pep440(v) => v.to_string(),
        VersionRef::Raw(r) => r.clone(),
    };
    let fix = match version {
        VersionRef::Pep440(v) if !eval.matches.is_empty() => db.smallest_fix(&dep.name, v),
        _ => None,
    };
    let total = eval.matches.len();
    for m in &eval.matches {
        let mut expired_acceptance = None;
        if let Some(a) = accepted(opts, m, dep) {
            let expired = a
                .expires
                .as_deref()
                .is_some_and(|e| !opts.today.is_empty() && e < opts.today.as_str());
            if !expired {
                continue;
            }
            expired_acceptance = Some(format!(
                "accepted in configuration until {} ({}); the acceptance has expired",
                a.expires.as_deref().unwrap_or(""),
                a.reason
            ));
        }
        if !selected(KnownVulnerability::META.id) {
            continue;
        }
        let a = assess(&m.vulnerability, Some(dep.name.as_str()));
        let aliases: Vec<&str> = m.vulnerability.ids().filter(|i| *i != m.id).collect();
        let summary = m
            .vulnerability
            .summary
            .clone()
            .or_else(|| {
                m.vulnerability
                    .details
                    .as_deref()
                    .map(|d| d.lines().next().unwrap_or("").to_string())
            })
            .unwrap_or_default();
        let summary = truncate(&summary, 160);
        let alias_text = if aliases.is_empty() {
            String::new()
        } else {
            format!(
                " ({})",
                aliases
                    .iter()
                    .take(3)
                    .copied()
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        let mut fixed: Vec<String> = m.fixed.iter().map(ToString::to_string).collect();
        fixed.dedup();
        let help = match &fix {
            Some(f) if total == 1 => format!(
                "upgrade {} to {f} or later (the smallest fixed release)",
                dep.raw_name
            ),
            Some(f) => format!(
                "upgrade {} to {f} or later: the smallest release that fixes all {total} known vulnerabilities affecting {shown}",
                dep.raw_name
            ),
            None if fixed.is_empty() => format!(
                "no fixed release of {} is known: remove or replace it, or accept the risk with a reason in `ignore-vulnerabilities`",
                dep.raw_name
            ),
            None => format!(
                "upgrade {} to a fixed release ({}); no single release fixes every known vulnerability affecting {shown}",
                dep.raw_name,
                fixed.join(", ")
            ),
        };
        let mut b = Finding::builder(&KnownVulnerability::META)
            .severity(a.severity)
            .confidence(a.confidence.min(if dep.marker.is_some() {
                Confidence::Medium
            } else {
                Confidence::High
            }))
            .message(format!(
                "{} {shown} is affected by {}{alias_text}: {summary}",
                dep.raw_name, m.id
            ))
            .location(location(dep, format!("{} {shown}", dep.name)))
            .evidence("package", dep.name.as_str())
            .evidence("version", shown.clone())
            .evidence("id", m.id.clone())
            .evidence(
                "aliases",
                aliases.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
            )
            .evidence("fixed", fixed.clone())
            .evidence("severity_source", a.note.clone())
            .evidence("matched_by", m.source_label())
            .evidence("group", dep.group.clone())
            .help(help)
            .reference(format!("https://osv.dev/vulnerability/{}", m.id))
            .key(m.id.clone());
        if let Some(f) = &fix {
            b = b.evidence("smallest_fix", f.to_string());
        }
        if let Some(v) = &a.vector {
            b = b.evidence("cvss", v.clone());
        }
        if let Some(mk) = &dep.marker {
            b = b.evidence("marker", mk.clone());
        }
        if let Some(d) = &m.disagreement {
            b = b.evidence("note", d.clone());
        }
        if let Some(e) = expired_acceptance {
            b = b.evidence("expired_acceptance", e);
        }
        for r in m.vulnerability.references.iter().take(3) {
            b = b.reference(r.url.clone());
        }
        out.push(b.build());
    }
    if selected(NotEvaluated::META.id) {
        for (id, reason) in &eval.not_evaluated {
            out.push(
                Finding::builder(&NotEvaluated::META)
                    .message(format!(
                        "not evaluated: {} {shown} against {id} ({reason})",
                        dep.raw_name
                    ))
                    .severity(Severity::Info)
                    .location(location(dep, "not evaluated".to_string()))
                    .evidence("check", "deps/known-vulnerability")
                    .evidence("reason", reason.clone())
                    .evidence("package", dep.name.as_str())
                    .evidence("version", shown.clone())
                    .evidence("id", id.clone())
                    .help("check this advisory by hand: its ranges or this version are not PEP 440")
                    .key(id.clone())
                    .build(),
            );
        }
    }
}

fn declared(db: &Database, dep: &Dependency, _opts: &Options, out: &mut Vec<Finding>) {
    let all_versions = garrison_python::pep440::VersionSpecifiers::empty();
    let specs = dep.specifiers.as_ref().unwrap_or(&all_versions);
    let admitted = db.affected_versions_admitted(&dep.name, specs);
    let admitted: Vec<_> = admitted
        .into_iter()
        .filter(|a| !a.affected_versions.is_empty())
        .collect();
    if admitted.is_empty() {
        return;
    }
    let unconstrained = dep.specifiers.as_ref().is_none_or(|s| s.is_empty());
    let written = format!(
        "{}{}",
        dep.raw_name,
        dep.specifier_text.as_deref().unwrap_or("")
    );
    let floor = admitted
        .iter()
        .filter_map(|a| a.recommended_floor.clone())
        .max();
    let mut severity = Severity::Info;
    let mut per_id = BTreeMap::new();
    let mut distinct = std::collections::BTreeSet::new();
    for a in &admitted {
        severity = severity.max(assess(&a.vulnerability, Some(dep.name.as_str())).severity);
        distinct.extend(a.affected_versions.iter().cloned());
        per_id.insert(
            a.id.clone(),
            serde_json::json!({
                "affected_versions_admitted": a.affected_versions.len(),
                "examples": a.affected_versions.iter().rev().take(3).map(ToString::to_string).collect::<Vec<_>>(),
                "recommended_floor": a.recommended_floor.as_ref().map(ToString::to_string),
            }),
        );
    }
    let severity = severity.min(Severity::Medium);
    let versions_total = distinct.len();
    let ids: Vec<&str> = admitted.iter().map(|a| a.id.as_str()).collect();
    let first = &admitted[0];
    let message = if admitted.len() == 1 {
        format!(
            "`{written}` admits {} {} affected by {}",
            first.affected_versions.len(),
            if first.affected_versions.len() == 1 {
                "version"
            } else {
                "versions"
            },
            first.id
        )
    } else {
        format!(
            "`{written}` admits versions affected by {} known vulnerabilities ({}{})",
            admitted.len(),
            ids.iter().take(4).copied().collect::<Vec<_>>().join(", "),
            if admitted.len() > 4 { ", …" } else { "" }
        )
    };
    let help = match &floor {
        Some(f) => format!("raise the floor to `{}>={f}`", dep.raw_name),
        None => "no fixed release is known for at least one of these; consider an upper bound or replacing the dependency".to_string(),
    };
    let message = match &floor {
        Some(f) => format!("{message}; raise the floor to >={f}"),
        None => message,
    };
    let mut b = Finding::builder(&VulnerableRange::META)
        .severity(severity)
        .confidence(if unconstrained {
            Confidence::Low
        } else {
            Confidence::Medium
        })
        .message(message)
        .location(location(
            dep,
            format!("admits {versions_total} affected versions"),
        ))
        .evidence("package", dep.name.as_str())
        .evidence("specifier", dep.specifier_text.clone().unwrap_or_default())
        .evidence("group", dep.group.clone())
        .evidence(
            "advisories",
            serde_json::Value::Object(per_id.into_iter().collect()),
        )
        .help(help)
        .key(dep.name.as_str().to_string());
    if let Some(f) = &floor {
        b = b.evidence("recommended_floor", f.to_string());
    }
    if let Some(mk) = &dep.marker {
        b = b.evidence("marker", mk.clone());
    }
    out.push(b.build());
}

fn truncate(s: &str, max: usize) -> String {
    let s = s.trim();
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut t: String = s.chars().take(max).collect();
    t.push('…');
    t
}
