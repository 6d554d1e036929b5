//! Dependency files read from disk: the ones among a checkout's files ([`read_manifests`]) and
//! one file named by a user ([`read_path`]), requirements files with their `-r`/`-c` includes.
//! Paths in the manifests, their dependencies and errors are the paths shown to the user.

use std::path::Path;

use garrison_source::read::{ReadError, read_text};
use garrison_source::{FileError, SourceFile};

use crate::deps::{Format, Manifest};
use crate::util::MAX_BYTES;

/// What was read.
#[derive(Debug, Default)]
pub struct Manifests {
    /// The dependency files that were read, in order.
    pub manifests: Vec<Manifest>,
    /// The text of every file read, by its shown path (for snippets and suppressions).
    pub sources: Vec<(String, SourceFile)>,
    /// Files that could not be read, and the readers' errors, in order.
    pub errors: Vec<FileError>,
}

impl Manifests {
    fn add(&mut self, m: Manifest, text: Option<String>) {
        if let Some(text) = text {
            self.sources.push((m.path.clone(), SourceFile::new(text)));
        }
        self.errors.extend(m.errors.iter().cloned());
        self.manifests.push(m);
    }

    fn unreadable(&mut self, path: String, message: String) {
        self.errors.push(FileError {
            path,
            line: None,
            column: None,
            message,
        });
    }
}

/// The dependency files among `files` (paths relative to a checkout), by [`crate::detect`].
pub fn dependency_files(files: &[String]) -> Vec<&str> {
    files
        .iter()
        .map(String::as_str)
        .filter(|f| crate::detect(f).is_some())
        .collect()
}

/// Reads the dependency files `rels` (relative to `root`, as [`dependency_files`] gives them),
/// shown as `prefix` + the relative path. `on_file` is called before each file is read.
pub fn read_manifests(
    root: &Path,
    rels: &[&str],
    prefix: &str,
    on_file: &mut dyn FnMut(&str),
) -> Manifests {
    read_manifests_with(rels, prefix, on_file, &mut |rel, limit| {
        read_text(&root.join(rel), limit)
    })
}

/// Reads the dependency files `rels` like [`read_manifests`], through `read` (a relative path
/// and the byte limit, [`MAX_BYTES`]) instead of from a directory: files held in memory, such
/// as a tree read from git objects.
pub fn read_manifests_with(
    rels: &[&str],
    prefix: &str,
    on_file: &mut dyn FnMut(&str),
    read: &mut dyn FnMut(&str, u64) -> Result<String, ReadError>,
) -> Manifests {
    let mut out = Manifests::default();
    for rel in rels {
        on_file(rel);
        let shown = format!("{prefix}{rel}");
        match read(rel, MAX_BYTES as u64) {
            Ok(text) => {
                if let Some(m) = crate::read(&shown, &text) {
                    out.add(m, Some(text));
                }
            }
            Err(e) => out.unreadable(shown, e.to_string()),
        }
    }
    out
}

/// Reads one file named on the command line: a requirements file with the files it includes
/// (`-r`, `-c`, relative to its directory, shown under that directory), any other dependency
/// file by its name, and a file of an unknown name as a requirements file (`deps reqs.in`).
pub fn read_path(path: &Path) -> Manifests {
    let mut out = Manifests::default();
    let shown = path.display().to_string();
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_string();
    let format = crate::detect(&shown).or_else(|| crate::detect(&name));
    if format == Some(Format::Requirements) {
        return read_requirements(path);
    }
    match read_text(path, MAX_BYTES as u64) {
        Ok(text) => {
            let m = crate::read(&shown, &text)
                .unwrap_or_else(|| crate::requirements::parse(&shown, &text));
            out.add(m, Some(text));
        }
        Err(e) => out.unreadable(shown, e.to_string()),
    }
    out
}

/// Reads a requirements file and the files it includes (`-r`, `-c`, relative to its
/// directory), each shown under that directory.
pub fn read_requirements(path: &Path) -> Manifests {
    let mut out = Manifests::default();
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_string();
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let prefix = if dir.as_os_str().is_empty() {
        String::new()
    } else {
        format!("{}/", dir.display())
    };
    let read = |rel: &str| read_text(&dir.join(rel), MAX_BYTES as u64).ok();
    for mut m in crate::read_tree(&dir, &name, read) {
        let text = read(&m.path);
        let shown = format!("{prefix}{}", m.path);
        for d in &mut m.deps {
            d.path = shown.clone();
        }
        for e in &mut m.errors {
            e.path = shown.clone();
        }
        m.path = shown;
        out.add(m, text);
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn requirements_includes_are_shown_under_their_directory() {
        let dir = tempfile::tempdir().unwrap();
        let req = dir.path().join("req");
        std::fs::create_dir_all(&req).unwrap();
        std::fs::write(req.join("requirements.txt"), "-r base.txt\nnumpy==1.0\n").unwrap();
        std::fs::write(req.join("base.txt"), "scipy==1.0\nnot a req !!\n").unwrap();
        let got = read_path(&req.join("requirements.txt"));
        let shown = |p: &str| format!("{}/{p}", req.display());
        let paths: Vec<&str> = got.manifests.iter().map(|m| m.path.as_str()).collect();
        assert_eq!(paths, [shown("requirements.txt"), shown("base.txt")]);
        assert!(
            got.manifests[1]
                .deps
                .iter()
                .all(|d| d.path == shown("base.txt"))
        );
        assert_eq!(got.sources.len(), 2);
        assert_eq!(got.errors.len(), 1, "{:?}", got.errors);
        assert_eq!(got.errors[0].path, shown("base.txt"));

        let files = vec!["req/requirements.txt".to_string(), "README.md".to_string()];
        let mut seen = Vec::new();
        let got = read_manifests(dir.path(), &dependency_files(&files), "x/", &mut |f| {
            seen.push(f.to_string())
        });
        assert_eq!(seen, ["req/requirements.txt"]);
        assert_eq!(got.manifests[0].path, "x/req/requirements.txt");
        assert_eq!(
            got.manifests.len(),
            1,
            "includes are not followed in a checkout"
        );
        let missing = read_path(&dir.path().join("nope.txt"));
        assert!(
            missing.errors[0].message.starts_with("cannot read: "),
            "{:?}",
            missing.errors
        );
    }
}
