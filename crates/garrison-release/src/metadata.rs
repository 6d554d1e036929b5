//! A distribution's core metadata (wheel `METADATA`, sdist `PKG-INFO`) against the source's
//! `pyproject.toml` `[project]` table: name, version, `Requires-Python` and dependencies.
//!
//! Fields the project declares `dynamic` are computed by the backend and cannot be compared;
//! the version is then compared with the tag the source was read at, when there is one.

use std::collections::BTreeMap;

use garrison_python::name::name_key;
use garrison_python::requirement::parse_requirement;

use crate::wheel::{Headers, same_version};

/// One difference between the metadata and `pyproject.toml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// The metadata field (`Name`, `Version`, `Requires-Dist`, `Requires-Python`).
    pub field: &'static str,
    /// What the distribution says.
    pub dist: String,
    /// What the source says.
    pub source: String,
    /// One sentence for the report.
    pub message: String,
    /// Whether this can change what gets installed (a dependency added or loosened).
    pub serious: bool,
    /// 1-based line in `pyproject.toml` of the declaration, when known.
    pub line: Option<u32>,
}

/// What `[project]` declares, as far as the comparison needs.
#[derive(Debug, Default)]
pub struct Project {
    name: Option<String>,
    version: Option<String>,
    requires_python: Option<String>,
    dynamic: Vec<String>,
    /// `(extra or "", requirement text)`.
    deps: Vec<(String, String)>,
    name_line: Option<u32>,
    version_line: Option<u32>,
    deps_line: Option<u32>,
}

impl Project {
    /// Reads `[project]` from `pyproject.toml`; `None` when there is none (or the file is not
    /// valid TOML: the error is in the second element).
    pub fn parse(text: &str) -> Result<Option<Project>, toml::de::Error> {
        let doc: toml::Table = text.parse()?;
        let Some(project) = doc.get("project").and_then(|p| p.as_table()) else {
            return Ok(None);
        };
        let line_of = |key: &str| -> Option<u32> {
            let needle = format!("\n{key}");
            let start = text.find("[project]")?;
            let at = text[start..].find(&needle)? + start + 1;
            u32::try_from(text[..at].matches('\n').count() + 1).ok()
        };
        let s = |k: &str| project.get(k).and_then(|v| v.as_str()).map(str::to_string);
        let mut p = Project {
            name: s("name"),
            version: s("version"),
            requires_python: s("requires-python"),
            dynamic: project
                .get("dynamic")
                .and_then(|d| d.as_array())
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_lowercase))
                        .collect()
                })
                .unwrap_or_default(),
            name_line: line_of("name"),
            version_line: line_of("version"),
            deps_line: line_of("dependencies"),
            ..Project::default()
        };
        for d in project
            .get("dependencies")
            .and_then(|d| d.as_array())
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str())
        {
            p.deps.push((String::new(), d.to_string()));
        }
        if let Some(opt) = project
            .get("optional-dependencies")
            .and_then(|o| o.as_table())
        {
            for (extra, list) in opt {
                for d in list
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|v| v.as_str())
                {
                    p.deps.push((name_key(extra), d.to_string()));
                }
            }
        }
        Ok(Some(p))
    }

    fn is_dynamic(&self, field: &str) -> bool {
        self.dynamic.iter().any(|d| d == field)
    }
}

/// Normalized requirement key: `(name, extra)` → specifier text (sorted, no spaces) and
/// whether it has a marker other than the extra.
fn req_map(reqs: impl Iterator<Item = (String, String)>) -> BTreeMap<(String, String), String> {
    let mut out = BTreeMap::new();
    for (extra, text) in reqs {
        let Ok(r) = parse_requirement(&text) else {
            out.insert((text.clone(), extra), String::from("(unparsable)"));
            continue;
        };
        let mut extra = extra;
        if let Some(m) = &r.marker
            && let Some(e) = extra_of(m)
        {
            extra = e;
        }
        let mut spec: Vec<String> = r
            .specifiers
            .as_ref()
            .map(|s| s.iter().map(|x| x.to_string().replace(' ', "")).collect())
            .unwrap_or_default();
        spec.sort();
        let mut value = spec.join(",");
        if let Some(u) = &r.url {
            value.push_str(&format!(" @ {u}"));
        }
        out.insert((r.name.as_str().to_string(), extra), value);
    }
    out
}

/// The extra named in a marker (`extra == "test"`), normalized.
fn extra_of(marker: &str) -> Option<String> {
    let i = marker.find("extra")?;
    let rest = &marker[i + 5..];
    let rest = rest.trim_start().strip_prefix("==")?.trim_start();
    let q = rest.chars().next()?;
    if q != '"' && q != '\'' {
        return None;
    }
    let inner = &rest[1..];
    let end = inner.find(q)?;
    Some(name_key(&inner[..end]))
}

/// Compares core metadata with the project table. `tag_version` is the version the source's
/// tag names, used when the version is dynamic.
///
/// Wheel METADATA always lists every dependency. An sdist's PKG-INFO before Metadata-Version
/// 2.2 (or with `Dynamic: Requires-Dist`) may leave dependencies out, so for it only
/// dependencies it does list are compared.
pub fn compare(
    meta: &Headers,
    project: &Project,
    tag_version: Option<&str>,
    wheel: bool,
) -> Vec<Mismatch> {
    let mut out = Vec::new();
    let complete = wheel
        || meta.get("Metadata-Version").is_some_and(|v| {
            let mut it = v.trim().split('.').map(|x| x.parse::<u32>().unwrap_or(0));
            (it.next().unwrap_or(0), it.next().unwrap_or(0)) >= (2, 2)
        }) && !meta
            .get_all("Dynamic")
            .any(|d| d.trim().eq_ignore_ascii_case("Requires-Dist"));
    if let (Some(m), Some(p)) = (meta.get("Name"), &project.name)
        && name_key(m) != name_key(p)
    {
        out.push(Mismatch {
            field: "Name",
            dist: m.to_string(),
            source: p.clone(),
            message: format!("the distribution is named `{m}` but pyproject.toml names `{p}`"),
            serious: true,
            line: project.name_line,
        });
    }
    if let Some(m) = meta.get("Version") {
        match (&project.version, tag_version) {
            (Some(p), _) if !project.is_dynamic("version") && !same_version(m, p) => {
                out.push(Mismatch {
                    field: "Version",
                    dist: m.to_string(),
                    source: p.clone(),
                    message: format!(
                        "the distribution is version {m} but pyproject.toml declares {p}"
                    ),
                    serious: false,
                    line: project.version_line,
                });
            }
            (_, Some(t)) if !same_version(m, t) => out.push(Mismatch {
                field: "Version",
                dist: m.to_string(),
                source: t.to_string(),
                message: format!(
                    "the distribution is version {m} but was compared with the source tagged {t}"
                ),
                serious: false,
                line: None,
            }),
            _ => {}
        }
    }
    if !project.is_dynamic("requires-python")
        && let (Some(m), Some(p)) = (meta.get("Requires-Python"), &project.requires_python)
    {
        let norm = |s: &str| {
            let mut v: Vec<String> = s.split(',').map(|x| x.replace(' ', "")).collect();
            v.sort();
            v.join(",")
        };
        if norm(m) != norm(p) {
            out.push(Mismatch {
                field: "Requires-Python",
                dist: m.to_string(),
                source: p.clone(),
                message: format!(
                    "Requires-Python is `{m}` in the distribution but `{p}` in pyproject.toml"
                ),
                serious: false,
                line: None,
            });
        }
    }
    if !project.is_dynamic("dependencies") && !project.is_dynamic("optional-dependencies") {
        let dist = req_map(
            meta.get_all("Requires-Dist")
                .map(|r| (String::new(), r.to_string())),
        );
        let src = req_map(project.deps.iter().cloned());
        for (key, spec) in &dist {
            let shown = if key.1.is_empty() {
                key.0.clone()
            } else {
                format!("{} (extra `{}`)", key.0, key.1)
            };
            match src.get(key) {
                None => out.push(Mismatch {
                    field: "Requires-Dist",
                    dist: format!("{} {spec}", key.0),
                    source: String::new(),
                    message: format!(
                        "the distribution requires {shown}{}, which pyproject.toml does not declare",
                        if spec.is_empty() { String::new() } else { format!(" `{spec}`") }
                    ),
                    serious: true,
                    line: project.deps_line,
                }),
                Some(s) if s != spec => out.push(Mismatch {
                    field: "Requires-Dist",
                    dist: format!("{} {spec}", key.0),
                    source: format!("{} {s}", key.0),
                    message: format!(
                        "the distribution requires {shown} `{spec}` but pyproject.toml declares `{s}`"
                    ),
                    serious: true,
                    line: project.deps_line,
                }),
                _ => {}
            }
        }
        for (key, s) in &src {
            if complete && !dist.contains_key(key) {
                let shown = if key.1.is_empty() {
                    key.0.clone()
                } else {
                    format!("{} (extra `{}`)", key.0, key.1)
                };
                out.push(Mismatch {
                    field: "Requires-Dist",
                    dist: String::new(),
                    source: format!("{} {s}", key.0),
                    message: format!(
                        "pyproject.toml declares {shown} but the distribution does not require it"
                    ),
                    serious: false,
                    line: project.deps_line,
                });
            }
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const PYPROJECT: &str = "[build-system]\nrequires = [\"hatchling\"]\n\n[project]\nname = \"Sci_Pkg\"\nversion = \"1.2.0\"\nrequires-python = \">=3.9\"\ndependencies = [\n  \"numpy>=1.24\",\n  \"scipy >=1.10, <2\",\n]\n\n[project.optional-dependencies]\ntest = [\"pytest>=7; python_version >= '3.9'\"]\n";

    fn meta(extra: &str) -> Headers {
        Headers::parse(&format!(
            "Metadata-Version: 2.3\nName: sci-pkg\nVersion: 1.2.0\nRequires-Python: >=3.9\nRequires-Dist: numpy>=1.24\nRequires-Dist: scipy<2,>=1.10\nRequires-Dist: pytest>=7; (python_version >= \"3.9\") and extra == \"test\"\nProvides-Extra: test\n{extra}\n"
        ))
    }

    #[test]
    fn consistent_metadata_has_no_mismatch() {
        let p = Project::parse(PYPROJECT).unwrap().unwrap();
        assert_eq!(compare(&meta(""), &p, None, true), vec![]);
    }

    #[test]
    fn injected_dependency_is_serious() {
        let p = Project::parse(PYPROJECT).unwrap().unwrap();
        let m = compare(&meta("Requires-Dist: evil-helper>=0.1"), &p, None, true);
        assert_eq!(m.len(), 1, "{m:?}");
        assert!(m[0].serious);
        assert_eq!(m[0].line, Some(8));
        assert!(m[0].message.contains("evil-helper"), "{}", m[0].message);
    }

    #[test]
    fn loosened_and_version() {
        let p = Project::parse(&PYPROJECT.replace("numpy>=1.24", "numpy>=1.26"))
            .unwrap()
            .unwrap();
        let m = compare(&meta(""), &p, None, true);
        assert_eq!(m.len(), 1);
        assert!(m[0].message.contains("`>=1.24`"), "{}", m[0].message);
        let p =
            Project::parse(&PYPROJECT.replace("version = \"1.2.0\"", "dynamic = [\"version\"]"))
                .unwrap()
                .unwrap();
        assert_eq!(compare(&meta(""), &p, Some("1.2.0"), true), vec![]);
        assert_eq!(compare(&meta(""), &p, Some("1.3.0"), true).len(), 1);
    }
}
