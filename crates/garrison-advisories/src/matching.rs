//! Matching a package version against the database (see [`crate::eval`] for the algorithm).

use std::cmp::Ordering;
use std::sync::Arc;

use garrison_python::pep440::{Version, VersionSpecifiers, parse_version};
use garrison_python::{PackageName, VersionRef};

use crate::db::Database;
use crate::eval::{RangeError, SortedRange, cmp_version};
use crate::merge::preference;
use crate::model::{RangeKind, Vulnerability};

/// Why a vulnerability was found to affect a version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MatchSource {
    /// A range of the advisory includes the version.
    Range {
        /// The record the range is in.
        record_id: String,
        /// Index of the range in that record's affected entry.
        range: usize,
        /// The range's events as written (`introduced 0, fixed 1.10.0`).
        events: String,
    },
    /// The advisory's enumerated `versions` list contains the version.
    VersionsList {
        /// The record the list is in.
        record_id: String,
        /// The listed version, as written.
        listed: String,
    },
}

/// One vulnerability affecting a package version.
#[derive(Debug, Clone)]
pub struct Match {
    /// The id to report for this package: the preferred id (PYSEC, then GHSA) among the
    /// merged records that have an affected entry for the package.
    pub id: String,
    /// The merged vulnerability (aliases, severity, references, …).
    pub vulnerability: Arc<Vulnerability>,
    /// What matched (ranges and/or the versions list).
    pub sources: Vec<MatchSource>,
    /// Fixed versions above the current one at which this vulnerability no longer applies,
    /// ascending.
    pub fixed: Vec<Version>,
    /// When the versions list and the ranges disagree about this version, what they say.
    pub disagreement: Option<String>,
}

impl Match {
    /// `ranges`, `versions-list` or `ranges+versions-list`: which evidence matched.
    pub fn source_label(&self) -> &'static str {
        let r = self
            .sources
            .iter()
            .any(|s| matches!(s, MatchSource::Range { .. }));
        let l = self
            .sources
            .iter()
            .any(|s| matches!(s, MatchSource::VersionsList { .. }));
        match (r, l) {
            (true, true) => "ranges+versions-list",
            (false, true) => "versions-list",
            _ => "ranges",
        }
    }
}

/// The verdict for one vulnerability and one version.
#[derive(Debug, Clone)]
pub enum Verdict {
    /// The version is affected.
    Affected(Match),
    /// The version is not affected.
    NotAffected,
    /// The advisory cannot be evaluated for this version (a non-PEP 440 event or version); the
    /// reason says which.
    NotEvaluated(String),
}

/// All verdicts for one package version that are not "not affected".
#[derive(Debug, Clone, Default)]
pub struct Evaluation {
    /// Vulnerabilities affecting the version.
    pub matches: Vec<Match>,
    /// `(vulnerability id, reason)` for advisories that could not be evaluated.
    pub not_evaluated: Vec<(String, String)>,
}

/// A vulnerability admitted by a declared specifier set (library mode).
#[derive(Debug, Clone)]
pub struct Admitted {
    /// The id to report for this package (as in [`Match::id`]).
    pub id: String,
    /// The vulnerability.
    pub vulnerability: Arc<Vulnerability>,
    /// The advisory's enumerated affected versions that the specifiers admit, ascending.
    pub affected_versions: Vec<Version>,
    /// The smallest fixed version above every enumerated affected version at which the
    /// vulnerability's ranges no longer apply: raise the floor to `>=` this.
    pub recommended_floor: Option<Version>,
}

#[derive(Debug)]
pub(crate) struct ListedVersion {
    raw: String,
    parsed: Option<Version>,
}

#[derive(Debug)]
pub(crate) struct RangeEval {
    record_id: String,
    index: usize,
    events: String,
    sorted: Result<SortedRange, RangeError>,
}

#[derive(Debug)]
pub(crate) struct EntryEval {
    record_id: String,
    ranges: Vec<RangeEval>,
    versions: Vec<ListedVersion>,
}

#[derive(Debug)]
pub(crate) struct VulnEval {
    pub(crate) vuln: Arc<Vulnerability>,
    id: String,
    entries: Vec<EntryEval>,
}

/// One package's vulnerabilities with their ranges parsed.
#[derive(Debug)]
pub(crate) struct PackageIndex {
    pub(crate) vulns: Vec<VulnEval>,
}

impl PackageIndex {
    pub(crate) fn new(name: &str, vulns: Vec<Arc<Vulnerability>>) -> PackageIndex {
        let vulns = vulns
            .into_iter()
            .map(|vuln| {
                let entries: Vec<EntryEval> = vuln
                    .affected
                    .iter()
                    .filter(|a| PackageName::new(&a.package.name).is_ok_and(|n| n.as_str() == name))
                    .map(|a| EntryEval {
                        record_id: a.record_id.clone(),
                        ranges: a
                            .ranges
                            .iter()
                            .enumerate()
                            .filter(|(_, r)| {
                                matches!(r.kind, RangeKind::Ecosystem | RangeKind::Semver)
                            })
                            .map(|(i, r)| RangeEval {
                                record_id: a.record_id.clone(),
                                index: i,
                                events: r
                                    .events
                                    .iter()
                                    .map(|e| format!("{} {}", e.kind.as_str(), e.version))
                                    .collect::<Vec<_>>()
                                    .join(", "),
                                sorted: SortedRange::new(r),
                            })
                            .collect(),
                        versions: a
                            .versions
                            .iter()
                            .map(|s| ListedVersion {
                                raw: s.clone(),
                                parsed: parse_version(s).ok(),
                            })
                            .collect(),
                    })
                    .collect();
                let mut ids: Vec<&str> = entries.iter().map(|e| e.record_id.as_str()).collect();
                ids.sort_by(|a, b| preference((a, true), (b, true)));
                let id = ids
                    .first()
                    .map_or_else(|| vuln.id.clone(), |s| s.to_string());
                VulnEval { vuln, id, entries }
            })
            .collect();
        PackageIndex { vulns }
    }
}

fn same_listed(v: &Version, listed: &Version) -> bool {
    cmp_version(v, listed) == Ordering::Equal
}

impl VulnEval {
    pub(crate) fn verdict(&self, version: &VersionRef) -> Verdict {
        let mut sources = Vec::new();
        let mut unevaluable = Vec::new();
        let mut list_only = Vec::new();
        let mut ranges_not_listed = false;
        for entry in &self.entries {
            let listed = entry.versions.iter().find(|l| match version {
                VersionRef::Pep440(v) => l.parsed.as_ref().is_some_and(|p| same_listed(v, p)),
                VersionRef::Raw(s) => l.raw.trim().eq_ignore_ascii_case(s.trim()),
            });
            let mut in_ranges = false;
            let mut all_evaluated = true;
            for r in &entry.ranges {
                match (&r.sorted, version) {
                    (Ok(sorted), VersionRef::Pep440(v)) => {
                        if sorted.includes(v) {
                            in_ranges = true;
                            sources.push(MatchSource::Range {
                                record_id: r.record_id.clone(),
                                range: r.index,
                                events: r.events.clone(),
                            });
                        }
                    }
                    (Err(reason), _) => {
                        all_evaluated = false;
                        unevaluable.push(format!("{}: {reason}", r.record_id));
                    }
                    (Ok(_), VersionRef::Raw(s)) => {
                        all_evaluated = false;
                        unevaluable.push(format!(
                            "`{s}` is not a PEP 440 version: the ranges of {} cannot be evaluated",
                            r.record_id
                        ));
                    }
                }
            }
            if let Some(l) = listed {
                sources.push(MatchSource::VersionsList {
                    record_id: entry.record_id.clone(),
                    listed: l.raw.clone(),
                });
                if !in_ranges && all_evaluated && !entry.ranges.is_empty() {
                    list_only.push(entry.record_id.clone());
                }
            } else if in_ranges && !entry.versions.is_empty() {
                ranges_not_listed = true;
            }
        }
        if sources.is_empty() {
            if unevaluable.is_empty() {
                return Verdict::NotAffected;
            }
            unevaluable.dedup();
            return Verdict::NotEvaluated(unevaluable.join("; "));
        }
        let disagreement = if !list_only.is_empty() {
            Some(format!(
                "listed in the `versions` of {} but outside its ranges",
                list_only.join(", ")
            ))
        } else if ranges_not_listed
            && !sources
                .iter()
                .any(|s| matches!(s, MatchSource::VersionsList { .. }))
        {
            Some("inside the ranges but not in the enumerated `versions` list".to_string())
        } else {
            None
        };
        let fixed = match version {
            VersionRef::Pep440(v) => self.fixes_above(v),
            VersionRef::Raw(_) => Vec::new(),
        };
        Verdict::Affected(Match {
            id: self.id.clone(),
            vulnerability: Arc::clone(&self.vuln),
            sources,
            fixed,
            disagreement,
        })
    }

    /// True when the version is affected (ranges or list); not-evaluated counts as not affected.
    fn affects(&self, v: &Version) -> bool {
        self.entries.iter().any(|e| {
            e.versions
                .iter()
                .any(|l| l.parsed.as_ref().is_some_and(|p| same_listed(v, p)))
                || e.ranges
                    .iter()
                    .any(|r| r.sorted.as_ref().is_ok_and(|s| s.includes(v)))
        })
    }

    fn fixed_events(&self) -> impl Iterator<Item = &Version> {
        self.entries
            .iter()
            .flat_map(|e| e.ranges.iter())
            .filter_map(|r| r.sorted.as_ref().ok())
            .flat_map(|s| s.fixed())
    }

    fn fixes_above(&self, v: &Version) -> Vec<Version> {
        let mut out: Vec<Version> = self
            .fixed_events()
            .filter(|f| cmp_version(v, f) == Ordering::Less && !self.affects(f))
            .cloned()
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// Library mode for this one vulnerability (see [`Database::affected_versions_admitted`]);
    /// `None` when the specifiers admit no enumerated affected version.
    pub(crate) fn admitted(&self, specifiers: &VersionSpecifiers) -> Option<Admitted> {
        let pre_ok = specifiers.iter().any(|s| s.version().any_prerelease());
        let listed = self.listed();
        let admitted: Vec<Version> = listed
            .iter()
            .filter(|x| (pre_ok || !x.any_prerelease()) && specifiers.contains(x))
            .cloned()
            .collect();
        if admitted.is_empty() {
            return None;
        }
        let max = listed.last();
        let mut fixes: Vec<&Version> = self
            .fixed_events()
            .filter(|f| max.is_none_or(|m| *f > m) && !self.affects(f))
            .collect();
        fixes.sort();
        Some(Admitted {
            id: self.id.clone(),
            vulnerability: Arc::clone(&self.vuln),
            affected_versions: admitted,
            recommended_floor: fixes.first().map(|f| (*f).clone()),
        })
    }

    fn listed(&self) -> Vec<Version> {
        let mut out: Vec<Version> = self
            .entries
            .iter()
            .flat_map(|e| e.versions.iter())
            .filter_map(|l| l.parsed.clone())
            .collect();
        out.sort();
        out.dedup();
        out
    }
}

impl Database {
    /// Every vulnerability's verdict for `version` of package `name` (names are compared
    /// normalized, so `Pillow` in an advisory matches `pillow`).
    pub fn verdicts(
        &self,
        name: &PackageName,
        version: &VersionRef,
    ) -> Vec<(Arc<Vulnerability>, Verdict)> {
        match self.package(name) {
            Ok(Some(p)) => p
                .vulns
                .iter()
                .map(|v| (Arc::clone(&v.vuln), v.verdict(version)))
                .collect(),
            Ok(None) => Vec::new(),
            Err(e) => vec![(
                Arc::new(Vulnerability {
                    id: format!("index:{name}"),
                    ..Vulnerability::default()
                }),
                Verdict::NotEvaluated(e.problem),
            )],
        }
    }

    /// Evaluates a version (PEP 440 or raw) of a package: the vulnerabilities that affect it and
    /// those that could not be evaluated (non-PEP 440 events, or a raw version against
    /// ranges), never a guess.
    pub fn evaluate(&self, name: &PackageName, version: &VersionRef) -> Evaluation {
        let mut out = Evaluation::default();
        for (vuln, verdict) in self.verdicts(name, version) {
            match verdict {
                Verdict::Affected(m) => out.matches.push(m),
                Verdict::NotAffected => {}
                Verdict::NotEvaluated(reason) => out.not_evaluated.push((vuln.id.clone(), reason)),
            }
        }
        out
    }

    /// The vulnerabilities affecting `version` of package `name`.
    pub fn affected(&self, name: &PackageName, version: &Version) -> Vec<Match> {
        self.evaluate(name, &VersionRef::Pep440(version.clone()))
            .matches
    }

    /// The smallest version above `version` that no known vulnerability of the package affects,
    /// taken from the union of the package's `fixed` events and listed versions; `None` when
    /// `version` is not affected or no such candidate exists (e.g. an unfixed vulnerability).
    /// Pre-releases are candidates only when `version` is itself a pre-release. Advisories that
    /// cannot be evaluated do not block a candidate.
    pub fn smallest_fix(&self, name: &PackageName, version: &Version) -> Option<Version> {
        let pkg = self.package(name).ok()??;
        if !pkg.vulns.iter().any(|v| v.affects(version)) {
            return None;
        }
        let pre_ok = version.any_prerelease();
        let mut candidates: Vec<Version> = pkg
            .vulns
            .iter()
            .flat_map(|v| v.fixed_events().cloned().chain(v.listed()))
            .filter(|c| c > version && (pre_ok || !c.any_prerelease()))
            .collect();
        candidates.sort();
        candidates.dedup();
        candidates
            .into_iter()
            .find(|c| !pkg.vulns.iter().any(|v| v.affects(c)))
    }

    /// Library mode: for each vulnerability of the package, the affected versions a declared
    /// specifier set admits, and the floor to raise it to.
    ///
    /// The universe of known versions is each advisory's enumerated `versions` list (advisories
    /// without one are not reported here). Pre-releases and dev releases count only when the
    /// specifier set itself names one, as an installer would choose. The recommended floor is
    /// the smallest `fixed` event above every listed affected version at which the ranges no
    /// longer apply (`None` when there is none, e.g. no fix released).
    pub fn affected_versions_admitted(
        &self,
        name: &PackageName,
        specifiers: &VersionSpecifiers,
    ) -> Vec<Admitted> {
        let Ok(Some(pkg)) = self.package(name) else {
            return Vec::new();
        };
        pkg.vulns
            .iter()
            .filter_map(|v| v.admitted(specifiers))
            .collect()
    }
}
