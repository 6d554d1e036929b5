//! The inputs of `garrison deps impact`: the advisory (an id or alias in the advisory data, or
//! an OSV file) and the projects of a set, each with its dependency files and its name, which
//! `garrison_advisories::impact` then follows.

use std::path::{Path, PathBuf};

use garrison_advisories::impact::Project;
use garrison_advisories::{Vulnerability, merge::merge, parse};
use garrison_report::{AdvisoryData, FileError, Report};
use garrison_source::read::read_text;
use garrison_workspace::{Inputs, Options, Workspace};

use crate::{Progress, ScanError, open_advisories};

/// Largest advisory file or `pyproject.toml` read.
const MAX_FILE: u64 = 16 * 1024 * 1024;

/// The advisory `id_or_file` names: an OSV file (`.json`, else YAML) when one exists at that
/// path, else an id or alias looked up in the database at `db` (or the embedded snapshot; see
/// [`open_advisories`], aged at `now`), with the advisory data it was found in (`None` for a
/// file).
pub fn advisory(
    id_or_file: &str,
    db: &Path,
    now: i64,
) -> Result<(Vulnerability, Option<AdvisoryData>), ScanError> {
    let path = Path::new(id_or_file);
    if path.is_file() {
        let text = read_text(path, MAX_FILE).map_err(|error| ScanError::AdvisoryFile {
            path: path.to_path_buf(),
            error,
        })?;
        let record = if id_or_file.ends_with(".json") {
            parse::record_from_json(&text)
        } else {
            parse::record_from_yaml(&text)
        }
        .map_err(|e| ScanError::Advisory {
            path: path.to_path_buf(),
            line: e.line,
            message: e.message,
        })?;
        return merge(vec![record])
            .pop()
            .map(|v| (v, None))
            .ok_or_else(|| ScanError::NoPypiAdvisory(path.to_path_buf()));
    }
    let (db, data) = open_advisories(db, now)?;
    let v = db
        .find(id_or_file)
        .ok_or_else(|| ScanError::UnknownAdvisory {
            id: id_or_file.to_string(),
            data: data.source.describe(),
            date: data.date.clone(),
        })?;
    Ok(((*v).clone(), Some(data)))
}

/// The projects under `root`: `root` itself when it has a `pyproject.toml`, else each of its
/// subdirectories; each with the dependency files its walk finds and its `[project].name`.
/// Files that could not be read are returned beside them, each under its project's directory.
pub fn projects(root: &Path, progress: &dyn Progress) -> (Vec<Project>, Vec<FileError>) {
    let mut projects = Vec::new();
    let mut errors = Vec::new();
    for dir in project_dirs(root) {
        let mut report = Report::default();
        let ws = Workspace::load(&dir, &Options::new(Inputs::FilesOnly, Vec::new()));
        let files: Vec<String> = ws.paths().map(str::to_string).collect();
        let manifests = crate::deps::manifests_in(&dir, &files, "", progress, &mut report);
        errors.extend(report.errors.into_iter().map(|mut e| {
            e.path = dir.join(&e.path).display().to_string();
            e
        }));
        let name = manifests
            .iter()
            .any(|m| m.path == "pyproject.toml")
            .then(|| read_text(&dir.join("pyproject.toml"), MAX_FILE).ok())
            .flatten()
            .and_then(|text| garrison_python::pyproject::project_name(&text));
        projects.push(Project {
            name,
            root: dir.display().to_string(),
            manifests,
        });
    }
    (projects, errors)
}

/// The checkout itself when it has a `pyproject.toml`, else each subdirectory.
fn project_dirs(root: &Path) -> Vec<PathBuf> {
    if root.join("pyproject.toml").is_file() {
        return vec![root.to_path_buf()];
    }
    let mut dirs: Vec<_> = std::fs::read_dir(root)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    dirs.sort();
    dirs
}
