//! The ecosystem manifest: which projects the fleet scans, where their code lives, which PyPI
//! names they publish, whether they are core projects, and which SPECs they endorse.
//!
//! ```toml
//! [[project]]
//! name = "numpy"
//! repositories = ["https://github.com/numpy/numpy"]
//! pypi = ["numpy"]
//! core = true
//! org = "numpy"
//! endorses = [6, 8]
//! ```
//!
//! Repositories are `https://` or `file://` URLs, or local paths (relative to the manifest's
//! directory); a local directory without git is scanned as it is, with the history items not
//! evaluated.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::FleetError;

/// At most this many bytes of manifest are read.
pub const MAX_MANIFEST_BYTES: u64 = 4 << 20;

/// The manifest of the core projects, generated from the SPECs repository with
/// `garrison ecosystem import-specs` (see [`crate::specs`]); refreshed in RELEASING.md.
pub const CORE_PROJECTS: &str = include_str!("../data/core-projects.toml");

/// A list of projects.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// The projects, in file order.
    #[serde(default, rename = "project")]
    pub projects: Vec<Project>,
}

/// One project of the ecosystem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Project {
    /// Unique name (the SPECs repository's slug for core projects: `numpy`, `scikit-learn`).
    pub name: String,
    /// Where its code lives: `https://` or `file://` URLs, or local paths.
    pub repositories: Vec<String>,
    /// PyPI names it publishes.
    #[serde(default)]
    pub pypi: Vec<String>,
    /// A core project of the Scientific Python ecosystem (its endorsements count).
    #[serde(default)]
    pub core: bool,
    /// The GitHub organisation that owns it, for access audits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<String>,
    /// Numbers of the SPECs it endorses (from the SPECs' `endorsed-by`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub endorses: Vec<u32>,
}

/// Where a repository entry points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// An `https://` URL to clone or fetch.
    Remote(String),
    /// A local directory (from a `file://` URL or a path), resolved against the manifest's
    /// directory.
    Local(PathBuf),
}

impl Location {
    /// A repository entry as a location: an `https://` URL is remote, a `file://` URL or a path
    /// local (a relative path resolved against `base`).
    pub fn parse(repository: &str, base: &Path) -> Location {
        if repository.starts_with("https://") {
            return Location::Remote(repository.to_string());
        }
        let p = repository.strip_prefix("file://").unwrap_or(repository);
        let p = Path::new(p);
        Location::Local(if p.is_absolute() {
            p.to_path_buf()
        } else {
            base.join(p)
        })
    }
}

impl Project {
    /// The repositories as locations, relative paths resolved against `base`.
    pub fn locations(&self, base: &Path) -> Vec<Location> {
        self.repositories
            .iter()
            .map(|r| Location::parse(r, base))
            .collect()
    }
}

impl Manifest {
    /// The manifest shipped with Garrison: the core projects of the Scientific Python
    /// ecosystem.
    pub fn core() -> Manifest {
        // The shipped file is checked by a test; a broken one is a build defect.
        Manifest::parse(CORE_PROJECTS, Path::new("core-projects.toml")).unwrap_or_default()
    }

    /// Reads the manifest at `path` (at most [`MAX_MANIFEST_BYTES`]).
    pub fn load(path: &Path) -> Result<Manifest, FleetError> {
        let text = garrison_source::read::read_text(path, MAX_MANIFEST_BYTES).map_err(|e| {
            FleetError::Read {
                path: path.to_path_buf(),
                message: e.to_string(),
            }
        })?;
        Manifest::parse(&text, path)
    }

    /// Parses manifest text; `path` names it in errors, which give the line and column.
    pub fn parse(text: &str, path: &Path) -> Result<Manifest, FleetError> {
        let m: Manifest = toml::from_str(text).map_err(|e| {
            let (line, column) = e.span().map_or((1, 1), |s| line_col(text, s.start));
            FleetError::Manifest {
                path: path.to_path_buf(),
                line,
                column,
                message: e.message().trim().to_string(),
            }
        })?;
        m.validate(text, path)?;
        Ok(m)
    }

    /// Names unique and non-empty, at least one repository each, repositories of a known form,
    /// PyPI names valid.
    fn validate(&self, text: &str, path: &Path) -> Result<(), FleetError> {
        let mut names = BTreeSet::new();
        for p in &self.projects {
            let at = |needle: &str, message: String| {
                let (line, column) = locate(text, &p.name, needle);
                FleetError::Manifest {
                    path: path.to_path_buf(),
                    line,
                    column,
                    message,
                }
            };
            if p.name.trim().is_empty() {
                return Err(at("name", "a project's `name` is empty".into()));
            }
            if !names.insert(p.name.as_str()) {
                return Err(at("name", format!("project `{}` is listed twice", p.name)));
            }
            if p.repositories.is_empty() {
                return Err(at(
                    "repositories",
                    format!("project `{}` has no repository", p.name),
                ));
            }
            for r in &p.repositories {
                let bad_scheme =
                    r.contains("://") && !(r.starts_with("https://") || r.starts_with("file://"));
                if r.trim().is_empty() || bad_scheme {
                    return Err(at(
                        "repositories",
                        format!(
                            "project `{}`: repository `{r}` is neither an https:// or file:// URL nor a local path",
                            p.name
                        ),
                    ));
                }
            }
            for n in &p.pypi {
                if garrison_python::PackageName::new(n).is_err() {
                    return Err(at(
                        "pypi",
                        format!("project `{}`: `{n}` is not a valid PyPI name", p.name),
                    ));
                }
            }
        }
        Ok(())
    }

    /// The manifest as TOML, in the shipped file's layout.
    pub fn to_toml(&self) -> String {
        let mut s = String::new();
        for (i, p) in self.projects.iter().enumerate() {
            if i > 0 {
                s.push('\n');
            }
            s.push_str("[[project]]\n");
            s.push_str(&format!("name = {}\n", quote(&p.name)));
            s.push_str(&format!("repositories = {}\n", list(&p.repositories)));
            s.push_str(&format!("pypi = {}\n", list(&p.pypi)));
            s.push_str(&format!("core = {}\n", p.core));
            if let Some(o) = &p.org {
                s.push_str(&format!("org = {}\n", quote(o)));
            }
            if !p.endorses.is_empty() {
                let e: Vec<String> = p.endorses.iter().map(u32::to_string).collect();
                s.push_str(&format!("endorses = [{}]\n", e.join(", ")));
            }
        }
        s
    }
}

fn quote(s: &str) -> String {
    // TOML basic strings: escape backslashes and quotes; names and URLs have no control chars.
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

fn list(v: &[String]) -> String {
    let items: Vec<String> = v.iter().map(|s| quote(s)).collect();
    format!("[{}]", items.join(", "))
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// The line of `key` in the `[[project]]` table whose name is `name` (best effort: the name's
/// line, else 1).
fn locate(text: &str, name: &str, key: &str) -> (usize, usize) {
    let lines: Vec<&str> = text.lines().collect();
    let quoted = format!("\"{name}\"");
    let start = lines
        .iter()
        .position(|l| l.trim_start().starts_with("name") && l.contains(&quoted));
    let Some(start) = start else {
        return (1, 1);
    };
    // The table runs from its header before `start` to the next header.
    let header = lines
        .get(..=start)
        .unwrap_or_default()
        .iter()
        .rposition(|l| l.trim_start().starts_with("[[project]]"))
        .unwrap_or(start);
    let end = lines
        .iter()
        .enumerate()
        .skip(start + 1)
        .find(|(_, l)| l.trim_start().starts_with('['))
        .map_or(lines.len(), |(i, _)| i);
    let found = (header..end).find(|&i| {
        lines
            .get(i)
            .is_some_and(|l| l.trim_start().starts_with(key))
    });
    (found.unwrap_or(start) + 1, 1)
}
