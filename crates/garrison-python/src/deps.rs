//! The dependency model every reader produces.

use garrison_source::{FileError, Span};

use crate::name::PackageName;
use crate::pep440::{Version, VersionSpecifiers};

/// Which package index a dependency comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Ecosystem {
    /// PyPI (or a PyPI-compatible index).
    PyPI,
    /// A conda channel (conda-forge, defaults, …). Matched against PyPI advisories only when
    /// the entry names its PyPI counterpart (a `pkg:pypi` purl).
    Conda,
}

/// The file format a manifest was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// `requirements*.txt`, constraints files.
    Requirements,
    /// `pyproject.toml` declarations (project, optional, dependency groups, build-system).
    Pyproject,
    /// `uv.lock`.
    UvLock,
    /// `pylock.toml` / `pylock.*.toml` (PEP 751).
    Pylock,
    /// `poetry.lock`.
    PoetryLock,
    /// `Pipfile.lock`.
    PipfileLock,
    /// `pdm.lock`.
    PdmLock,
    /// `pixi.lock`.
    PixiLock,
    /// conda `environment.yml`.
    CondaEnvironment,
    /// `conda-lock.yml`.
    CondaLock,
    /// An installed environment (`*.dist-info/METADATA`).
    Installed,
}

/// How exactly a dependency's version is known.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DepKind {
    /// Resolved in a lock file or installed: one exact version.
    Locked,
    /// Pinned with `==` (or `===`) in a requirements file or environment.
    Pinned,
    /// A declared range (library mode): `scipy>=1.7`.
    Declared,
}

/// A version as written: parsed when it is PEP 440, kept raw when it is not (reported as
/// not evaluated, never a crash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VersionRef {
    /// A PEP 440 version.
    Pep440(Version),
    /// Text that is not PEP 440 (`2.0.0-beta`, a conda build string, a git ref).
    Raw(String),
}

/// One dependency entry with its exact origin.
#[derive(Debug, Clone)]
pub struct Dependency {
    /// Normalized name.
    pub name: PackageName,
    /// The name as written.
    pub raw_name: String,
    /// Ecosystem of the entry.
    pub ecosystem: Ecosystem,
    /// Locked, pinned or declared.
    pub kind: DepKind,
    /// The exact version (locked/pinned entries).
    pub version: Option<VersionRef>,
    /// The specifier set (declared entries; also kept for pinned ones).
    pub specifiers: Option<VersionSpecifiers>,
    /// The specifier as written, for messages (`>=1.7.2`).
    pub specifier_text: Option<String>,
    /// PEP 508 environment marker as written (`python_version < "3.10"`), if any.
    pub marker: Option<String>,
    /// Where the entry comes from within the file: `project.dependencies`,
    /// `project.optional-dependencies.test`, `dependency-groups.dev`, `build-system.requires`,
    /// a lock's package section, an include chain for requirements (`-r base.txt`).
    pub group: String,
    /// A direct URL (`name @ https://…`, a git or path source), if any.
    pub url: Option<String>,
    /// `--hash`/lock hashes (`sha256:…`).
    pub hashes: Vec<String>,
    /// The distribution files a lock names for this entry (uv.lock and pylock.toml wheels,
    /// sdist and archive), each with its own hashes; empty for formats that only list hashes
    /// (requirements with `--hash`, where any file of the pinned version may match any hash).
    pub files: Vec<LockedFile>,
    /// The file the entry is in (relative path as given to the reader).
    pub path: String,
    /// The exact span of the entry (its line, or its table in a lock).
    pub span: Span,
}

/// One distribution file a lock names for an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockedFile {
    /// The file name (`numpy-2.1.0-cp312-cp312-manylinux_2_17_x86_64.whl`): the lock's `name`
    /// key when it has one, else the last path segment of its `url` or `path`, percent-decoded.
    pub filename: String,
    /// The file's hashes as `algorithm:hex` (`sha256:…`).
    pub hashes: Vec<String>,
    /// The size the lock records, if any.
    pub size: Option<u64>,
}

/// The dependencies read from one file.
#[derive(Debug, Clone)]
pub struct Manifest {
    /// The file, as given to the reader.
    pub path: String,
    /// Its format.
    pub format: Format,
    /// Entries in file order.
    pub deps: Vec<Dependency>,
    /// Entries or includes that could not be read (the rest of the file still is).
    pub errors: Vec<FileError>,
    /// Other files this one includes (`-r`, `-c`), relative to the same root, for the caller to read.
    pub includes: Vec<String>,
}
