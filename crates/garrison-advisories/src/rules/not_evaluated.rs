//! `info/not-evaluated` (the rule shared by every analysis) for dependencies: advisories
//! whose ranges or the locked version are not PEP 440, conda packages without a PyPI
//! counterpart, and a missing database.

use garrison_python::deps::{Ecosystem, Manifest};
use garrison_report::not_evaluated::NotEvaluated;
use garrison_report::{Finding, Location, RuleMeta, Severity};

use super::{DepCx, DepsRule, location, shown};

/// The dependency checks that could not run.
#[derive(Debug, Clone, Copy, Default)]
pub struct DepsNotEvaluated;

impl DepsRule for DepsNotEvaluated {
    fn meta(&self) -> &'static RuleMeta {
        &NotEvaluated::META
    }

    /// Advisories the locked or pinned version could not be evaluated against.
    fn dependency(&self, cx: &DepCx<'_>, out: &mut Vec<Finding>) {
        let Some((version, eval)) = &cx.locked else {
            return;
        };
        let (dep, shown) = (cx.dep, shown(version));
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

    /// Conda entries without a `pkg:pypi` purl: PyPI advisories do not apply to them.
    fn manifest(&self, m: &Manifest, out: &mut Vec<Finding>) {
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
        if conda_unchecked > 0 {
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
