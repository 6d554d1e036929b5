//! Projects and endorsements from a checkout of the Scientific Python SPECs repository
//! (`scientific-python/specs`): every `core-projects/*.md` gives a core project (its file stem
//! is its name; frontmatter `repository:` and `pypi:`), every `spec-*/index.md` a SPEC (its
//! `number`, `title` and `endorsed-by`). Endorsements are recorded on the endorsing projects,
//! so the manifest never needs hand edits when a project endorses a SPEC.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use garrison_yaml::Node;

use crate::{FleetError, Manifest, Project};

/// At most this many bytes of a SPEC or project file are read.
const MAX_FILE_BYTES: u64 = 1 << 20;
/// At most this many files per directory kind are read.
const MAX_FILES: usize = 1_000;

/// One SPEC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spec {
    /// Its number (`8`).
    pub number: u32,
    /// Its title (`SPEC 8 — Securing the Release Process`).
    pub title: String,
    /// Projects that endorse it, as written (`numpy`, `scikit-learn`).
    pub endorsed_by: Vec<String>,
}

/// What a SPECs checkout gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    /// The core projects with their endorsements, by name.
    pub manifest: Manifest,
    /// Every SPEC, by number.
    pub specs: Vec<Spec>,
    /// Endorsements naming a project that is not a core project file (kept on the SPEC, not on
    /// any project).
    pub unknown_endorsers: Vec<(u32, String)>,
}

/// Reads `core-projects/*.md` and `spec-*/index.md` under `dir`.
pub fn import_specs(dir: &Path) -> Result<Imported, FleetError> {
    let core_dir = dir.join("core-projects");
    let mut projects = Vec::new();
    for path in files(&core_dir, |n| n.ends_with(".md"))? {
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_string();
        let (text, fm) = frontmatter(&path)?;
        let repository = required(&path, &text, &fm, "repository")?;
        let pypi = match fm.get("pypi").and_then(Node::as_str) {
            Some(url) => vec![pypi_name(&path, &text, &fm, url)?],
            None => Vec::new(),
        };
        let org = repository
            .strip_prefix("https://github.com/")
            .and_then(|r| r.split('/').next())
            .map(str::to_string);
        projects.push(Project {
            name,
            repositories: vec![repository.trim_end_matches('/').to_string()],
            pypi,
            core: true,
            org,
            endorses: Vec::new(),
        });
    }
    let mut specs = Vec::new();
    for spec_dir in files(dir, |n| n.starts_with("spec-"))? {
        let path = spec_dir.join("index.md");
        if !path.is_file() {
            continue;
        }
        let (text, fm) = frontmatter(&path)?;
        let number = fm
            .get("number")
            .and_then(Node::as_str)
            .and_then(|n| n.trim().parse::<u32>().ok())
            .ok_or_else(|| specs_error(&path, &text, &fm, "number", "no numeric `number:`"))?;
        let title = required(&path, &text, &fm, "title")?;
        let endorsed_by = fm
            .get("endorsed-by")
            .and_then(Node::as_seq)
            .map(|s| {
                s.iter()
                    .filter_map(Node::as_str)
                    .map(|e| e.trim().to_string())
                    .collect()
            })
            .unwrap_or_default();
        specs.push(Spec {
            number,
            title,
            endorsed_by,
        });
    }
    specs.sort_by_key(|s| s.number);
    let index: BTreeMap<String, usize> = projects
        .iter()
        .enumerate()
        .map(|(i, p)| (p.name.clone(), i))
        .collect();
    let mut unknown = Vec::new();
    for s in &specs {
        for e in &s.endorsed_by {
            match index.get(e).and_then(|&i| projects.get_mut(i)) {
                Some(p) => p.endorses.push(s.number),
                None => unknown.push((s.number, e.clone())),
            }
        }
    }
    Ok(Imported {
        manifest: Manifest { projects },
        specs,
        unknown_endorsers: unknown,
    })
}

/// The entries of `dir` whose name passes `keep`, sorted, at most [`MAX_FILES`].
fn files(dir: &Path, keep: impl Fn(&str) -> bool) -> Result<Vec<PathBuf>, FleetError> {
    let rd = std::fs::read_dir(dir).map_err(|e| FleetError::Read {
        path: dir.to_path_buf(),
        message: format!("{e} (expected a checkout of scientific-python/specs)"),
    })?;
    let mut v: Vec<PathBuf> = rd
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(&keep))
        .take(MAX_FILES)
        .collect();
    v.sort();
    Ok(v)
}

/// The file's text and its YAML frontmatter (between the first two `---` lines).
fn frontmatter(path: &Path) -> Result<(String, Node), FleetError> {
    let text =
        garrison_source::read::read_text(path, MAX_FILE_BYTES).map_err(|e| FleetError::Read {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
    let err = |line: usize, message: &str| FleetError::Specs {
        path: path.to_path_buf(),
        line,
        message: message.to_string(),
    };
    let mut lines = text.split_inclusive('\n');
    if lines.next().map(str::trim_end) != Some("---") {
        return Err(err(
            1,
            "no frontmatter: the file must start with a `---` line",
        ));
    }
    let start = text.find('\n').map_or(text.len(), |i| i + 1);
    let mut end = None;
    let mut pos = start;
    for l in lines {
        if l.trim_end() == "---" {
            end = Some(pos);
            break;
        }
        pos += l.len();
    }
    let end = end.ok_or_else(|| err(1, "frontmatter not closed by a `---` line"))?;
    // Parse the frontmatter in place (blanked outside) so spans are offsets into the file.
    let mut buf = String::with_capacity(text.len());
    buf.push_str(&" ".repeat(start.saturating_sub(1)));
    buf.push('\n');
    buf.push_str(text.get(start..end).unwrap_or_default());
    let fm = garrison_yaml::parse(&buf).map_err(|e| FleetError::Specs {
        path: path.to_path_buf(),
        line: 1,
        message: format!("invalid frontmatter: {e}"),
    })?;
    Ok((text, fm))
}

fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset).unwrap_or(text).matches('\n').count() + 1
}

fn specs_error(path: &Path, text: &str, fm: &Node, key: &str, message: &str) -> FleetError {
    let line = fm
        .entry(key)
        .map_or(1, |(k, _)| line_of(text, k.span.start_offset));
    FleetError::Specs {
        path: path.to_path_buf(),
        line,
        message: format!("`{key}`: {message}"),
    }
}

fn required(path: &Path, text: &str, fm: &Node, key: &str) -> Result<String, FleetError> {
    fm.get(key)
        .and_then(Node::as_str)
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .ok_or_else(|| specs_error(path, text, fm, key, "missing or empty"))
}

/// The package name of a PyPI (or pypistats) project URL: its last path segment.
fn pypi_name(path: &Path, text: &str, fm: &Node, url: &str) -> Result<String, FleetError> {
    let last = url
        .trim()
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or("");
    garrison_python::PackageName::new(last)
        .map(|_| last.to_string())
        .map_err(|_| {
            specs_error(
                path,
                text,
                fm,
                "pypi",
                &format!("`{url}` names no PyPI project"),
            )
        })
}
