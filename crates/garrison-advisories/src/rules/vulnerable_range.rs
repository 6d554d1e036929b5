use std::collections::BTreeMap;

use garrison_python::deps::Dependency;
use garrison_report::{Confidence, Finding, RuleMeta, Severity, declare_rule};

use super::{DepCx, DepsRule, location};
use crate::audit::Options;
use crate::cvss::assess;
use crate::db::Database;

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

impl DepsRule for VulnerableRange {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    /// Entries without a locked or pinned version, in library mode (`declared`).
    fn dependency(&self, cx: &DepCx<'_>, out: &mut Vec<Finding>) {
        if cx.opts.declared && !cx.is_locked() {
            declared(cx.db, cx.dep, cx.opts, out);
        }
    }
}

/// The finding for a declared range that admits affected versions.
fn declared(db: &Database, dep: &Dependency, opts: &Options, out: &mut Vec<Finding>) {
    let all_versions = garrison_python::pep440::VersionSpecifiers::empty();
    let specs = dep.specifiers.as_ref().unwrap_or(&all_versions);
    let admitted = db.affected_versions_admitted(&dep.name, specs);
    // Vulnerabilities accepted in configuration are not held against the range either.
    let admitted: Vec<_> = admitted
        .into_iter()
        .filter(|a| !a.affected_versions.is_empty())
        .filter(|a| !opts.accepts(&a.id, a.vulnerability.ids(), &dep.name))
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
