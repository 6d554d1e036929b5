//! Downstream impact: which projects of a set admit the affected versions of one
//! vulnerability, directly or through other projects of the set.
//!
//! For every PyPI package named in the vulnerability's `affected` entries, every dependency
//! of every project on that package is examined:
//!
//! - **Declared** ranges (library mode, `scipy>=1.7`): the *universe of known affected
//!   releases* is the advisory's enumerated `versions` list (an advisory without one yields no
//!   declared hits). The hit counts the listed versions the specifier set admits (no specifier
//!   admits them all); pre-releases count only when the specifier set itself names one, as an
//!   installer would choose. This is exactly [`Database::affected_versions_admitted`]
//!   (both call the same code). A direct-URL requirement without a specifier (`scipy @ https://…`)
//!   and a specifier that is not PEP 440 cannot be evaluated and are skipped.
//! - **Pinned** (`==`) and **locked** versions: a hit when the OSV evaluation of the
//!   vulnerability's ranges (and its `versions` list) says the version is affected, as
//!   [`Database::evaluate`] does; versions that cannot be evaluated (not PEP 440) are skipped.
//!
//! The recommended floor of a declared hit is the smallest `fixed` event above every listed
//! affected version at which the ranges no longer apply; of a pinned or locked hit, the smallest
//! `fixed` event above the version that is not itself affected. `None` when the vulnerability
//! has no fix.
//!
//! **Transitive hits.** When project P depends (declared or pinned, not through a lock file,
//! in any group) on project Q of the set (by normalized `[project].name`), every hit of Q that
//! Q's *dependents* inherit is reported for P too, at P's line that names Q, with `via = [Q]`
//! and Q's offending specifier, count and floor. What a dependent inherits from Q: Q's
//! `runtime` hits (`[project] dependencies`, Poetry `dependencies`), and, recursively, the
//! hits Q inherits through its own `runtime` dependencies on projects of the set (`via = [Q,
//! R, …]`). Q's extras, build requirements, dependency groups and locks are not installed by
//! Q's dependents and do not propagate (a requested extra, `q[test]`, is not recorded in the
//! dependency model, so extras are never followed). Cycles are cut (a project never appears
//! twice in a chain) and chains are at most [`MAX_DEPTH`] projects long.
//!
//! **A chain meets the project's own requirements.** At every step of a chain (P's line on Q,
//! and Q's runtime line on R), the inherited affected versions are narrowed to those the
//! dependent's own requirements on the affected package admit in the same environment: its
//! declared or pinned requirements on that package in the same file and group, plus that
//! file's runtime requirements when the group is an extra, a dependency group or the runtime
//! (those environments install the runtime). A project requiring `scipy>=1.15` is therefore
//! not exposed to scipy 1.8 "via statsmodels"; when no affected version is left there is no
//! hit. Requirements with an environment marker do not hold in every environment and do not
//! narrow; the recommended floor is the inherited one. Direct hits are not narrowed: the line
//! itself admits those versions and raising its floor is the fix.
//!
//! **The project itself is not a dependent.** A project's requirements on its own name (its
//! extras, `dask[array]` inside dask, `hist[plot]` in hist's dev group) are neither hits nor
//! edges.
//!
//! **One hit per line.** A line several dependency groups include (`{ include-group = … }`)
//! is read once per group; hits that differ only in their group are one hit naming every
//! group ([`ImpactHit::groups`]).
//!
//! No I/O here: the caller reads the files (with [`garrison_python::read`]) and the projects'
//! names.
//!
//! [`Database::affected_versions_admitted`]: crate::Database::affected_versions_admitted
//! [`Database::evaluate`]: crate::Database::evaluate

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use garrison_python::pep440::VersionSpecifiers;
use garrison_python::{DepKind, Dependency, Ecosystem, Format, Manifest, PackageName, VersionRef};
use serde::Serialize;

use crate::matching::{PackageIndex, Verdict};
use crate::model::Vulnerability;

/// Longest chain of projects followed for transitive hits (`via` has at most this many
/// entries).
pub const MAX_DEPTH: usize = 10;

/// Most hits reported for one vulnerability (a guard against pathological project graphs).
pub const MAX_HITS: usize = 100_000;

/// One project of the set examined.
#[derive(Debug, Clone)]
pub struct Project {
    /// `[project].name` of its `pyproject.toml`, if any: how other projects of the set
    /// depend on it.
    pub name: Option<PackageName>,
    /// Display path of the project's root (a checkout directory).
    pub root: String,
    /// Every dependency file read from the project.
    pub manifests: Vec<Manifest>,
}

impl Project {
    /// How the project is named in hits and `via` chains: its name, else its root.
    pub fn label(&self) -> String {
        self.name
            .as_ref()
            .map_or_else(|| self.root.clone(), |n| n.as_str().to_string())
    }
}

/// One project dependency that admits affected versions of the vulnerability.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ImpactHit {
    /// The project ([`Project::label`]: its name, else its root).
    pub project: String,
    /// The file of the project's dependency line (for a transitive hit, the line naming the
    /// first project of `via`).
    pub path: String,
    /// Its 1-based line.
    pub line: u32,
    /// The groups of that line ([`group_label`]: `runtime`, `extra:<x>`, `build`,
    /// `group:<g>`, `lock:<file>`, `requirements:<file>`, …), sorted: one line that several
    /// dependency groups include (`{ include-group = "test" }`) is one hit naming them all.
    pub groups: Vec<String>,
    /// The affected package (normalized name).
    pub dependency: String,
    /// The offending specifier as written (`>=1.7.2`; `==<version>` for a locked version; empty
    /// when a declaration has none). For a transitive hit, the specifier of the last project
    /// of `via`.
    pub specifier: String,
    /// `declared`, `pinned` or `locked`.
    pub kind: String,
    /// How many known affected versions the specifier admits (1 for a pinned or locked hit);
    /// for a transitive hit, only those the project's own requirements on the package in the
    /// same environment also admit (see the module documentation).
    pub affected_versions_admitted: usize,
    /// Those versions, ascending (the pinned or locked version itself for those hits).
    pub affected_versions: Vec<String>,
    /// Raise the floor to `>=` this version (`None`: no fix is known).
    pub recommended_floor: Option<String>,
    /// Empty for a direct hit; the chain of projects (labels) through which the affected
    /// dependency comes for a transitive one.
    pub via: Vec<String>,
}

/// The label of a dependency's group for impact reports: from `pyproject.toml`,
/// `project.dependencies` → `runtime`, `project.optional-dependencies.X` → `extra:X`,
/// `build-system.requires` → `build`, `dependency-groups.G` → `group:G`, Poetry
/// `tool.poetry.dependencies` → `runtime`, `tool.poetry.dev-dependencies` → `group:dev`,
/// `tool.poetry.group.G.dependencies` → `group:G`, pixi `tool.pixi.pypi-dependencies` →
/// `pixi`, `tool.pixi.feature.F.pypi-dependencies` → `pixi:F`; lock files →
/// `lock:<file name>`; requirements and constraints files → `requirements:<file name>`; conda
/// environment files → `environment:<file name>`; an installed environment → `installed`.
/// Anything else keeps the reader's group.
pub fn group_label(dep: &Dependency) -> String {
    let file = dep
        .path
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(dep.path.as_str());
    let g = dep.group.as_str();
    match garrison_python::detect(&dep.path) {
        Some(Format::Pyproject) => {
            if g == "project.dependencies" || g == "tool.poetry.dependencies" {
                "runtime".to_string()
            } else if g == "build-system.requires" {
                "build".to_string()
            } else if g == "tool.poetry.dev-dependencies" {
                "group:dev".to_string()
            } else if g == "tool.pixi.pypi-dependencies" {
                "pixi".to_string()
            } else if let Some(x) = g.strip_prefix("project.optional-dependencies.") {
                format!("extra:{x}")
            } else if let Some(x) = g.strip_prefix("dependency-groups.") {
                format!("group:{x}")
            } else if let Some(x) = g
                .strip_prefix("tool.poetry.group.")
                .and_then(|x| x.strip_suffix(".dependencies"))
            {
                format!("group:{x}")
            } else if let Some(x) = g
                .strip_prefix("tool.pixi.feature.")
                .and_then(|x| x.strip_suffix(".pypi-dependencies"))
            {
                format!("pixi:{x}")
            } else {
                g.to_string()
            }
        }
        Some(Format::Requirements) => format!("requirements:{file}"),
        Some(Format::CondaEnvironment) => format!("environment:{file}"),
        Some(Format::Installed) => "installed".to_string(),
        Some(
            Format::UvLock
            | Format::Pylock
            | Format::PoetryLock
            | Format::PipfileLock
            | Format::PdmLock
            | Format::PixiLock
            | Format::CondaLock,
        ) => format!("lock:{file}"),
        None => g.to_string(),
    }
}

fn kind_label(k: &DepKind) -> &'static str {
    match k {
        DepKind::Declared => "declared",
        DepKind::Pinned => "pinned",
        DepKind::Locked => "locked",
    }
}

fn version_text(v: &VersionRef) -> String {
    match v {
        VersionRef::Pep440(v) => v.to_string(),
        VersionRef::Raw(s) => s.clone(),
    }
}

/// The direct hit of one dependency, if it admits affected versions.
fn direct_hit(project: &str, dep: &Dependency, index: &PackageIndex) -> Option<ImpactHit> {
    let eval = index.vulns.first()?;
    let base = |specifier: String, versions: Vec<String>, floor: Option<String>| ImpactHit {
        project: project.to_string(),
        path: dep.path.clone(),
        line: dep.span.start_line,
        groups: vec![group_label(dep)],
        dependency: dep.name.as_str().to_string(),
        specifier,
        kind: kind_label(&dep.kind).to_string(),
        affected_versions_admitted: versions.len(),
        affected_versions: versions,
        recommended_floor: floor,
        via: Vec::new(),
    };
    match dep.kind {
        DepKind::Declared => {
            let specs = match (&dep.specifiers, &dep.specifier_text, &dep.url) {
                (Some(s), _, _) => s.clone(),
                (None, None, None) => VersionSpecifiers::empty(),
                // Unparseable specifier, or a direct URL of unknown version.
                _ => return None,
            };
            let a = eval.admitted(&specs)?;
            Some(base(
                dep.specifier_text.clone().unwrap_or_default(),
                a.affected_versions
                    .iter()
                    .map(ToString::to_string)
                    .collect(),
                a.recommended_floor.map(|f| f.to_string()),
            ))
        }
        DepKind::Pinned | DepKind::Locked => {
            let version = dep.version.as_ref()?;
            let Verdict::Affected(m) = eval.verdict(version) else {
                return None;
            };
            let v = version_text(version);
            let specifier = match (&dep.kind, &dep.specifier_text) {
                (DepKind::Pinned, Some(t)) => t.clone(),
                _ => format!("=={v}"),
            };
            Some(base(
                specifier,
                vec![v],
                m.fixed.first().map(ToString::to_string),
            ))
        }
    }
}

/// Every dependency of `projects` that admits affected versions of `vuln`, directly or through
/// other projects of the set (see the module documentation), sorted by project, path and line.
pub fn impact(vuln: &Vulnerability, projects: &[Project]) -> Vec<ImpactHit> {
    let arc = Arc::new(vuln.clone());
    let names: BTreeSet<String> = vuln
        .affected
        .iter()
        .filter(|a| a.package.ecosystem.eq_ignore_ascii_case("pypi"))
        .filter_map(|a| PackageName::new(&a.package.name).ok())
        .map(String::from)
        .collect();
    let indexes: Vec<(String, PackageIndex)> = names
        .into_iter()
        .map(|n| {
            let idx = PackageIndex::new(&n, vec![Arc::clone(&arc)]);
            (n, idx)
        })
        .collect();

    let labels: Vec<String> = projects.iter().map(Project::label).collect();
    let direct: Vec<Vec<ImpactHit>> = projects
        .iter()
        .zip(&labels)
        .map(|(p, label)| {
            p.manifests
                .iter()
                .flat_map(|m| m.deps.iter())
                .filter(|d| d.ecosystem == Ecosystem::PyPI)
                // `dask[array]` inside dask: the project itself, not a dependency on it.
                .filter(|d| p.name.as_ref() != Some(&d.name))
                .filter_map(|d| {
                    let (_, idx) = indexes.iter().find(|(n, _)| n == d.name.as_str())?;
                    direct_hit(label, d, idx)
                })
                .collect()
        })
        .collect();

    // Edges: (dependency line of P, index of Q) for each non-lock dependency of P on a named
    // project Q of the set (other than P itself).
    let edges: Vec<Vec<(&Dependency, usize)>> = projects
        .iter()
        .enumerate()
        .map(|(pi, p)| {
            let mut out = Vec::new();
            for d in p.manifests.iter().flat_map(|m| m.deps.iter()) {
                if d.kind == DepKind::Locked || d.ecosystem != Ecosystem::PyPI {
                    continue;
                }
                if p.name.as_ref() == Some(&d.name) {
                    continue;
                }
                for (qi, q) in projects.iter().enumerate() {
                    if qi != pi && q.name.as_ref() == Some(&d.name) {
                        out.push((d, qi));
                    }
                }
            }
            out
        })
        .collect();

    let graph = Graph {
        projects,
        direct: &direct,
        edges: &edges,
        labels: &labels,
    };
    let mut out = Vec::new();
    for (pi, hits) in direct.iter().enumerate() {
        out.extend(hits.iter().cloned());
        for &(dep, qi) in &edges[pi] {
            let mut chain = vec![pi, qi];
            for h in graph.exported(qi, &mut chain) {
                if out.len() >= MAX_HITS {
                    break;
                }
                out.extend(graph.through(pi, dep, qi, h));
            }
        }
        if out.len() >= MAX_HITS {
            out.truncate(MAX_HITS);
            break;
        }
    }
    merge_groups(out)
}

/// One hit per line: hits that differ only in their group (one line included by several
/// dependency groups) become one hit naming every group; sorted by project, path, line,
/// groups, dependency and `via`.
fn merge_groups(hits: Vec<ImpactHit>) -> Vec<ImpactHit> {
    // Merged in the order first seen (file order), which the stable sort keeps for ties.
    let mut seen: BTreeMap<ImpactHit, usize> = BTreeMap::new();
    let mut merged: Vec<(ImpactHit, BTreeSet<String>)> = Vec::new();
    for mut h in hits {
        let groups = std::mem::take(&mut h.groups);
        let i = *seen.entry(h.clone()).or_insert_with(|| {
            merged.push((h, BTreeSet::new()));
            merged.len() - 1
        });
        if let Some((_, g)) = merged.get_mut(i) {
            g.extend(groups);
        }
    }
    let mut out: Vec<ImpactHit> = merged
        .into_iter()
        .map(|(h, groups)| ImpactHit {
            groups: groups.into_iter().collect(),
            ..h
        })
        .collect();
    out.sort_by(|a, b| {
        (
            &a.project,
            &a.path,
            a.line,
            &a.groups,
            &a.dependency,
            &a.via,
        )
            .cmp(&(
                &b.project,
                &b.path,
                b.line,
                &b.groups,
                &b.dependency,
                &b.via,
            ))
    });
    out
}

/// Whether an environment of the group labelled `label` installs the project's runtime
/// dependencies too: an extra and a dependency group do (`pip install p[x]`, `uv sync --group
/// g`), as does the runtime itself; build requirements, requirements and environment files,
/// pixi tables and locks are environments of their own.
fn includes_runtime(label: &str) -> bool {
    label == "runtime" || label.starts_with("extra:") || label.starts_with("group:")
}

struct Graph<'a> {
    projects: &'a [Project],
    direct: &'a [Vec<ImpactHit>],
    edges: &'a [Vec<(&'a Dependency, usize)>],
    labels: &'a [String],
}

impl Graph<'_> {
    /// Hit `h` of project `qi`, seen from the dependent project `pi` through its line `dep`:
    /// the affected versions are narrowed to those `pi`'s own requirements on the affected
    /// package in the same environment also admit ([`Graph::own_constraints`]); `None` when
    /// none is left (a project requiring `scipy>=1.15` is not exposed to scipy 1.8 through
    /// another project).
    fn through(&self, pi: usize, dep: &Dependency, qi: usize, h: ImpactHit) -> Option<ImpactHit> {
        let own = self.own_constraints(pi, dep, &h.dependency);
        let affected_versions: Vec<String> = h
            .affected_versions
            .iter()
            .filter(|v| {
                // A version that is not PEP 440 cannot be compared: kept.
                garrison_python::pep440::parse_version(v)
                    .map_or(true, |v| own.iter().all(|s| s.contains(&v)))
            })
            .cloned()
            .collect();
        if affected_versions.is_empty() {
            return None;
        }
        let mut via = Vec::with_capacity(h.via.len() + 1);
        via.push(self.labels.get(qi).cloned().unwrap_or_default());
        via.extend(h.via);
        Some(ImpactHit {
            project: self.labels.get(pi).cloned().unwrap_or_default(),
            path: dep.path.clone(),
            line: dep.span.start_line,
            groups: vec![group_label(dep)],
            affected_versions_admitted: affected_versions.len(),
            affected_versions,
            via,
            ..h
        })
    }

    /// The specifier sets project `pi` itself puts on package `name` in the environment of its
    /// line `dep`: its declared or pinned requirements on `name` in the same file and group,
    /// and, when that group installs the runtime ([`includes_runtime`]), in the same file's
    /// runtime. Requirements with an environment marker (they do not hold everywhere),
    /// without a specifier, and locks are not constraints.
    fn own_constraints(&self, pi: usize, dep: &Dependency, name: &str) -> Vec<&VersionSpecifiers> {
        let label = group_label(dep);
        let runtime = includes_runtime(&label);
        self.projects
            .get(pi)
            .into_iter()
            .flat_map(|p| p.manifests.iter())
            .flat_map(|m| m.deps.iter())
            .filter(|d| {
                d.name.as_str() == name
                    && d.path == dep.path
                    && d.kind != DepKind::Locked
                    && d.ecosystem == Ecosystem::PyPI
                    && d.marker.is_none()
            })
            .filter(|d| {
                let l = group_label(d);
                l == label || (runtime && l == "runtime")
            })
            .filter_map(|d| d.specifiers.as_ref())
            .collect()
    }

    /// The hits of project `qi` its dependents inherit: its runtime hits, and those inherited
    /// through its runtime dependencies on other projects (narrowed by `qi`'s own runtime
    /// requirements), never revisiting a project of `chain` (which ends with `qi`) and with at
    /// most [`MAX_DEPTH`] projects in a `via`.
    fn exported(&self, qi: usize, chain: &mut Vec<usize>) -> Vec<ImpactHit> {
        let mut out: Vec<ImpactHit> = self
            .direct
            .get(qi)
            .into_iter()
            .flatten()
            .filter(|h| h.groups.iter().any(|g| g == "runtime"))
            .cloned()
            .collect();
        // `chain` holds the dependent plus the projects of the `via` being built.
        if chain.len() > MAX_DEPTH {
            return out;
        }
        for &(dep, ri) in self.edges.get(qi).into_iter().flatten() {
            if chain.contains(&ri) || group_label(dep) != "runtime" {
                continue;
            }
            chain.push(ri);
            let inherited = self.exported(ri, chain);
            chain.pop();
            for h in inherited {
                if out.len() >= MAX_HITS {
                    return out;
                }
                out.extend(self.through(qi, dep, ri, h));
            }
        }
        out
    }
}

/// What an impact report covers: the projects evaluated and where the advisory was read.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    /// Projects with at least one dependency file: every one was evaluated.
    pub scanned: usize,
    /// Directories of the set without any dependency file: not projects, not counted.
    pub without_dependency_files: usize,
    /// The advisory data the advisory was looked up in (`None` for an advisory file).
    pub data: Option<garrison_report::AdvisoryData>,
    /// The advisory file, when one was given instead of an id.
    pub file: Option<String>,
}

impl Scope {
    /// `advisory from the embedded snapshot of 2024-10-10 (787 days old)`, or from a file.
    fn statement(&self) -> Option<String> {
        match (&self.data, &self.file) {
            (Some(d), _) => Some(format!("advisory from the {}", d.statement())),
            (None, Some(f)) => Some(format!("advisory from {f}")),
            (None, None) => None,
        }
    }
}

/// The impact report as pretty JSON: `version` 1, the advisory (id, aliases, summary), the
/// advisory data it was read from, the number of projects scanned and every hit.
pub fn to_json(vuln: &Vulnerability, hits: &[ImpactHit], scope: &Scope) -> String {
    let v = serde_json::json!({
        "version": 1,
        "advisory": { "id": vuln.id, "aliases": vuln.aliases, "summary": vuln.summary },
        "advisory_data": scope.data,
        "advisory_file": scope.file,
        "projects_scanned": scope.scanned,
        "directories_without_dependency_files": scope.without_dependency_files,
        "hits": hits,
    });
    serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"
}

/// The impact report as a text table (`markdown`: a Markdown heading and table) over `scope`.
pub fn table(vuln: &Vulnerability, hits: &[ImpactHit], scope: &Scope, markdown: bool) -> String {
    let mut out = String::new();
    let aliases = if vuln.aliases.is_empty() {
        String::new()
    } else {
        format!(" ({})", vuln.aliases.join(", "))
    };
    if markdown {
        out.push_str(&format!("## Downstream impact of {}{aliases}\n\n", vuln.id));
    } else {
        out.push_str(&format!("Downstream impact of {}{aliases}\n", vuln.id));
    }
    if let Some(s) = &vuln.summary {
        out.push_str(&format!("{s}\n"));
    }
    if let Some(s) = scope.statement() {
        out.push_str(&format!("{s}\n"));
    }
    let affected = {
        let mut p: Vec<&str> = hits.iter().map(|h| h.project.as_str()).collect();
        p.sort_unstable();
        p.dedup();
        p.len()
    };
    let scanned = scope.scanned;
    let plural = |n: usize, one: &str, many: &str| if n == 1 { one } else { many }.to_string();
    out.push_str(&format!(
        "\n{affected} of {scanned} {} affected ({} {})",
        plural(scanned, "project", "projects"),
        hits.len(),
        plural(hits.len(), "entry", "entries"),
    ));
    match scope.without_dependency_files {
        0 => out.push('\n'),
        n => out.push_str(&format!(
            "; {n} {} without Python dependency files not counted\n",
            plural(n, "directory", "directories")
        )),
    }
    out.push('\n');
    if hits.is_empty() {
        return out;
    }
    let rows: Vec<[String; 6]> = hits
        .iter()
        .map(|h| {
            [
                h.project.clone(),
                format!("{}:{}", h.path, h.line),
                h.groups.join(", "),
                format!("{}{}", h.dependency, h.specifier),
                if h.kind == "declared" {
                    format!(
                        "{} affected {} admitted",
                        h.affected_versions_admitted,
                        plural(h.affected_versions_admitted, "version", "versions")
                    )
                } else {
                    format!("{} (affected)", h.kind)
                },
                match (&h.recommended_floor, h.via.is_empty()) {
                    (Some(f), true) => format!(">={f}"),
                    (Some(f), false) => format!(">={f} (via {})", h.via.join(" -> ")),
                    (None, true) => "no fixed release".to_string(),
                    (None, false) => format!("via {}", h.via.join(" -> ")),
                },
            ]
        })
        .collect();
    let head = [
        "project",
        "where",
        "groups",
        "requirement",
        "admits",
        "raise floor to",
    ];
    if markdown {
        out.push_str(&format!(
            "| {} |\n|{}\n",
            head.join(" | "),
            "---|".repeat(6)
        ));
        for r in &rows {
            out.push_str(&format!(
                "| {} |\n",
                r.iter()
                    .map(|c| c.replace('|', "\\|"))
                    .collect::<Vec<_>>()
                    .join(" | ")
            ));
        }
    } else {
        let mut w = head.map(str::len);
        for r in &rows {
            for (i, c) in r.iter().enumerate() {
                w[i] = w[i].max(c.chars().count());
            }
        }
        let line = |cells: &[String]| {
            cells
                .iter()
                .enumerate()
                .map(|(i, c)| format!("{c:<width$}", width = w[i]))
                .collect::<Vec<_>>()
                .join("  ")
                .trim_end()
                .to_string()
                + "\n"
        };
        out.push_str(&line(&head.map(String::from)));
        for r in &rows {
            out.push_str(&line(r));
        }
    }
    out
}
