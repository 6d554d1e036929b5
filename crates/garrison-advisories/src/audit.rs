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

impl Options {
    /// The acceptance in configuration of vulnerability `id` (or any of `aliases`) in
    /// `package`, whether expired or not.
    pub fn acceptance<'a>(
        &self,
        id: &str,
        mut aliases: impl Iterator<Item = &'a str>,
        package: &PackageName,
    ) -> Option<&Accepted> {
        let aliases: Vec<&str> = aliases.by_ref().collect();
        self.accepted.iter().find(|a| {
            (a.id == id || aliases.contains(&a.id.as_str()))
                && a.package.as_ref().is_none_or(|p| p == package)
        })
    }

    /// True if `acceptance` no longer holds (its `expires` day is before today).
    pub fn expired(&self, acceptance: &Accepted) -> bool {
        acceptance
            .expires
            .as_deref()
            .is_some_and(|e| !self.today.is_empty() && e < self.today.as_str())
    }

    /// True if vulnerability `id` (with `aliases`) is accepted for `package` and the acceptance
    /// holds today: it is reported by no rule.
    pub fn accepts<'a>(
        &self,
        id: &str,
        aliases: impl Iterator<Item = &'a str>,
        package: &PackageName,
    ) -> bool {
        self.acceptance(id, aliases, package)
            .is_some_and(|a| !self.expired(a))
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acceptances_match_ids_aliases_and_packages_until_they_expire() {
        let name = |n: &str| PackageName::new(n).ok();
        let opts = Options {
            accepted: vec![
                Accepted {
                    id: "CVE-2023-29824".into(),
                    package: name("scipy"),
                    reason: "not reachable".into(),
                    expires: Some("2026-12-31".into()),
                },
                Accepted {
                    id: "PYSEC-2020-1".into(),
                    package: None,
                    reason: "old".into(),
                    expires: Some("2020-01-31".into()),
                },
            ],
            today: "2026-12-06".into(),
            ..Options::default()
        };
        let (Some(scipy), Some(numpy)) = (name("scipy"), name("numpy")) else {
            panic!("valid names")
        };
        // By alias, for the named package only.
        assert!(opts.accepts("PYSEC-2023-114", ["CVE-2023-29824"].into_iter(), &scipy));
        assert!(!opts.accepts("PYSEC-2023-114", ["CVE-2023-29824"].into_iter(), &numpy));
        assert!(!opts.accepts("PYSEC-2023-102", std::iter::empty(), &scipy));
        // An expired acceptance is found but no longer holds.
        let a = opts.acceptance("PYSEC-2020-1", std::iter::empty(), &numpy);
        assert!(a.is_some_and(|a| opts.expired(a)));
        assert!(!opts.accepts("PYSEC-2020-1", std::iter::empty(), &numpy));
    }
}
