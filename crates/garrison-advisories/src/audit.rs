//! Dependency audits: each locked, pinned or declared entry of the manifests against the
//! advisory database, judged by the `deps/*` rules ([`crate::rules`], [`crate::registry`]).

use garrison_python::PackageName;
use garrison_python::deps::{DepKind, Dependency, Ecosystem, Manifest};
use garrison_report::{Finding, RuleMeta};

use crate::db::Database;
use crate::rules::{DepCx, DepsRule};

pub use crate::rules::not_evaluated::missing_database;

/// The `deps/*` rules (and the shared `info/not-evaluated`).
pub fn rules() -> Vec<&'static RuleMeta> {
    crate::registry::rules()
}

/// An accepted vulnerability: not reported until `expires` (`YYYY-MM-DD`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    /// Advisory id or alias.
    pub id: String,
    /// Limit to this package, if given.
    pub package: Option<PackageName>,
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

/// Audits the dependencies of `manifests` against `db` with the rules `selected` accepts.
pub fn audit(
    db: &Database,
    manifests: &[Manifest],
    opts: &Options,
    selected: &dyn Fn(&str) -> bool,
) -> Vec<Finding> {
    let rules: Vec<&dyn DepsRule> = crate::registry::RULES
        .iter()
        .copied()
        .filter(|r| selected(r.meta().id))
        .collect();
    // Locked versions are evaluated once, for the rules that report on them.
    let evaluate = rules
        .iter()
        .any(|r| [KNOWN, NOT_EVALUATED].contains(&r.meta().id));
    let mut out = Vec::new();
    for m in manifests {
        for dep in &m.deps {
            if dep.ecosystem == Ecosystem::Conda || !marker_applies(dep, opts) {
                continue;
            }
            let locked = match (&dep.kind, &dep.version) {
                (DepKind::Locked | DepKind::Pinned, Some(v)) => Some(v),
                _ => None,
            };
            if locked.is_some() && !evaluate {
                continue;
            }
            let cx = DepCx {
                db,
                opts,
                dep,
                locked: locked.map(|v| (v, db.evaluate(&dep.name, v))),
            };
            for r in &rules {
                r.dependency(&cx, &mut out);
            }
        }
        for r in &rules {
            r.manifest(m, &mut out);
        }
    }
    out
}

const KNOWN: &str = crate::rules::known_vulnerability::KnownVulnerability::META.id;
const NOT_EVALUATED: &str = garrison_report::not_evaluated::NotEvaluated::META.id;

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
