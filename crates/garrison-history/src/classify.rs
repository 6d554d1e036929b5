//! Path classification for contribution-risk rules: what role a changed path plays in a
//! repository (build system, CI, release, policy, tests, import-time code, ...) and which
//! language its content is, decided from the path alone (no content, no `.gitattributes`).
//!
//! A path can have several roles at once (`setup.py` is [`PathClass::BUILD_SYSTEM`],
//! [`PathClass::BUILD_TIME_CODE`] and [`PathClass::PYTHON`]). Matching is on the `/`-separated
//! repository path; file names compare case-sensitively where the ecosystems do (`Makefile.am`)
//! and extensions compare ASCII-case-insensitively.

use std::fmt;
use std::ops::{BitAnd, BitOr, BitOrAssign};

use serde::{Deserialize, Serialize};

/// A set of path roles, written by hand as a `u32` bit set (no `bitflags` crate).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord, Serialize, Deserialize)]
pub struct PathClass(u32);

impl PathClass {
    /// No role.
    pub const NONE: PathClass = PathClass(0);
    /// Build configuration or build scripts: CMake, autotools (`configure.ac`, `*.m4`,
    /// `Makefile.am/in`, `configure`), make, meson, setuptools (`setup.py`, `setup.cfg`),
    /// `pyproject.toml`, build hooks (`hatch_build.py`), `MANIFEST.in`, `*.pyxbld`, `build.rs`.
    pub const BUILD_SYSTEM: PathClass = PathClass(1 << 0);
    /// CI configuration and CI helper scripts: GitHub workflows and actions, GitLab, Azure,
    /// CircleCI, Travis, AppVeyor, Cirrus, Jenkins, Buildkite, `tox.ini`, `noxfile.py`,
    /// `.pre-commit-config.yaml` (they run automatically on contributor or CI machines), and
    /// files under a `ci/` directory.
    pub const CI: PathClass = PathClass(1 << 1);
    /// Release machinery: CI files or scripts whose name suggests release, publish, wheels,
    /// deploy, upload or PyPI, files under a `wheels/` or `release/` tooling directory, `.pypirc`.
    pub const RELEASE: PathClass = PathClass(1 << 2);
    /// A security policy: `SECURITY` (`.md`, `.rst`, `.txt` or no extension) written in
    /// capitals anywhere, or lower-case at the root, in `.github/` or a top-level docs folder.
    pub const SECURITY_POLICY: PathClass = PathClass(1 << 3);
    /// Ownership and identity: `CODEOWNERS`, `MAINTAINERS`, `OWNERS`, `.mailmap` (it remaps
    /// author identities, which history review relies on).
    pub const OWNERSHIP: PathClass = PathClass(1 << 4);
    /// Ignore and attribute rules at any depth: `.gitignore`, `.gitattributes`,
    /// `.dockerignore`, `.npmignore`, `.hgignore`, `.git-blame-ignore-revs`.
    pub const IGNORE_RULES: PathClass = PathClass(1 << 5);
    /// Test code and test data: a `tests`/`test`/`testing`/`fixtures`/`testdata` directory,
    /// `conftest.py`, `test_*.py`, `*_test.py`, `*_tests.py`.
    pub const TEST_PATH: PathClass = PathClass(1 << 6);
    /// Python code run merely by importing or starting Python: `__init__.py`, `conftest.py`
    /// (pytest imports it), `sitecustomize.py`, `usercustomize.py`, `_distributor_init.py`,
    /// `*.pth`.
    pub const IMPORT_TIME: PathClass = PathClass(1 << 7);
    /// Code executed while building or installing: `setup.py`, build hooks, `*_build.py`
    /// (cffi), files in `_build_utils`/`build_utils`/`build-aux`, `*.m4`, `configure`,
    /// `configure.ac`, `build.rs`.
    pub const BUILD_TIME_CODE: PathClass = PathClass(1 << 8);
    /// Documentation: a `doc`/`docs`/`documentation` directory, `.md`, `.rst`, `.adoc`, `README*`,
    /// `CHANGELOG*`, `LICENSE*`.
    pub const DOCS: PathClass = PathClass(1 << 9);
    /// Third-party code kept in the tree: `vendor`, `vendored*`, `_vendor`, `third_party`,
    /// `thirdparty`, `third-party`, `extern`, `external`, meson `subprojects`.
    pub const VENDORED: PathClass = PathClass(1 << 10);
    /// Lock files and generated or minified artefacts whose content is not reviewed line by
    /// line: `*.lock`, `package-lock.json`, `pnpm-lock.yaml`, `*.min.js`, `*.min.css`, `*.map`,
    /// protobuf `*_pb2.py`.
    pub const GENERATED_OR_LOCK: PathClass = PathClass(1 << 11);
    /// C, C++, assembly and Cython sources (`.c .h .cc .cpp .cxx .hpp .hh .hxx .cu .cuh .s .S
    /// .asm .pyx .pxd .pxi`, and numpy's templated `.c.src`/`.h.src`).
    pub const C_SOURCE: PathClass = PathClass(1 << 12);
    /// Python sources (`.py .pyi .pyw`).
    pub const PYTHON: PathClass = PathClass(1 << 13);
    /// Shell and Windows scripts (`.sh .bash .zsh .ksh .ps1 .psm1 .bat .cmd`, `configure`).
    pub const SHELL: PathClass = PathClass(1 << 14);

    const NAMES: [(PathClass, &'static str); 15] = [
        (Self::BUILD_SYSTEM, "build-system"),
        (Self::CI, "ci"),
        (Self::RELEASE, "release"),
        (Self::SECURITY_POLICY, "security-policy"),
        (Self::OWNERSHIP, "ownership"),
        (Self::IGNORE_RULES, "ignore-rules"),
        (Self::TEST_PATH, "test-path"),
        (Self::IMPORT_TIME, "import-time"),
        (Self::BUILD_TIME_CODE, "build-time-code"),
        (Self::DOCS, "docs"),
        (Self::VENDORED, "vendored"),
        (Self::GENERATED_OR_LOCK, "generated-or-lock"),
        (Self::C_SOURCE, "c-source"),
        (Self::PYTHON, "python"),
        (Self::SHELL, "shell"),
    ];

    /// The raw bits.
    pub const fn bits(self) -> u32 {
        self.0
    }

    /// No role set.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Every role of `other` is set in `self`.
    pub const fn contains(self, other: PathClass) -> bool {
        self.0 & other.0 == other.0
    }

    /// At least one role of `other` is set in `self`.
    pub const fn intersects(self, other: PathClass) -> bool {
        self.0 & other.0 != 0
    }

    /// Both sets.
    #[must_use]
    pub const fn union(self, other: PathClass) -> PathClass {
        PathClass(self.0 | other.0)
    }

    /// Kebab-case names of the roles set, in declaration order.
    pub fn names(self) -> impl Iterator<Item = &'static str> {
        Self::NAMES
            .into_iter()
            .filter(move |(c, _)| self.contains(*c))
            .map(|(_, n)| n)
    }
}

impl BitOr for PathClass {
    type Output = PathClass;
    fn bitor(self, rhs: PathClass) -> PathClass {
        self.union(rhs)
    }
}

impl BitOrAssign for PathClass {
    fn bitor_assign(&mut self, rhs: PathClass) {
        self.0 |= rhs.0;
    }
}

impl BitAnd for PathClass {
    type Output = PathClass;
    fn bitand(self, rhs: PathClass) -> PathClass {
        PathClass(self.0 & rhs.0)
    }
}

impl fmt::Debug for PathClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PathClass(")?;
        let mut first = true;
        for n in self.names() {
            if !first {
                write!(f, " | ")?;
            }
            write!(f, "{n}")?;
            first = false;
        }
        write!(f, ")")
    }
}

/// The language of a file's content as far as the content scanner cares (see [`language`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Lang {
    /// Python (`.py`, `.pyi`, `.pyw`).
    Python,
    /// Cython (`.pyx`, `.pxd`, `.pxi`): Python-like calls and C-level hooks both apply.
    Cython,
    /// C, C++, CUDA, assembly.
    C,
    /// POSIX shell (`.sh`, `.bash`, `configure`, ...).
    Shell,
    /// Windows scripts (`.ps1`, `.bat`, `.cmd`).
    WinScript,
    /// Autoconf/m4 (`.m4`, `configure.ac`, `configure.in`, `aclocal.m4`).
    Autotools,
    /// CMake (`CMakeLists.txt`, `.cmake`).
    CMake,
    /// Meson (`meson.build`, `meson.options`, `meson_options.txt`).
    Meson,
    /// Make (`Makefile`, `GNUmakefile`, `Makefile.am`, `Makefile.in`, `.mk`).
    Make,
    /// TOML (`pyproject.toml`, `Cargo.toml`, ...).
    Toml,
    /// INI-like configuration (`setup.cfg`, `tox.ini`, `.cfg`, `.ini`).
    Ini,
    /// YAML.
    Yaml,
    /// Prose: Markdown, reStructuredText, AsciiDoc, plain text documents.
    Docs,
    /// Text data: JSON, CSV, TSV, SVG, XML, notebooks, `.po` translations, lock files.
    Data,
    /// Anything else (unknown extension, `.gitignore`, ...).
    Other,
}

impl Lang {
    /// Code the scanner treats as executable source (not prose, data or plain configuration).
    pub const fn is_code(self) -> bool {
        matches!(
            self,
            Lang::Python
                | Lang::Cython
                | Lang::C
                | Lang::Shell
                | Lang::WinScript
                | Lang::Autotools
                | Lang::CMake
                | Lang::Meson
                | Lang::Make
        )
    }

    /// Languages whose statements run shell pipelines (shell, m4, make recipes, Windows).
    pub const fn is_shellish(self) -> bool {
        matches!(
            self,
            Lang::Shell | Lang::WinScript | Lang::Autotools | Lang::Make
        )
    }

    /// Python syntax (Python or Cython).
    pub const fn is_pythonish(self) -> bool {
        matches!(self, Lang::Python | Lang::Cython)
    }
}

fn file_name(path: &str) -> &str {
    let p = path.trim_end_matches('/');
    match p.rfind('/') {
        Some(i) => p.get(i + 1..).unwrap_or(p),
        None => p,
    }
}

/// Lower-cased extension after the last dot of the file name (`""` when there is none or the
/// name starts with its only dot).
fn ext_lower(name: &str) -> String {
    match name.rfind('.') {
        Some(0) | None => String::new(),
        Some(i) => name.get(i + 1..).unwrap_or("").to_ascii_lowercase(),
    }
}

fn ends_with_ci(s: &str, suffix: &str) -> bool {
    s.len() >= suffix.len()
        && s.get(s.len() - suffix.len()..)
            .is_some_and(|t| t.eq_ignore_ascii_case(suffix))
}

fn starts_with_ci(s: &str, prefix: &str) -> bool {
    s.get(..prefix.len())
        .is_some_and(|t| t.eq_ignore_ascii_case(prefix))
}

/// Directory components of the path (everything before the file name).
fn dirs(path: &str) -> impl Iterator<Item = &str> {
    let p = path.trim_end_matches('/');
    let d = match p.rfind('/') {
        Some(i) => p.get(..i).unwrap_or(""),
        None => "",
    };
    d.split('/').filter(|c| !c.is_empty() && *c != ".")
}

const C_EXTS: &[&str] = &[
    "c", "h", "cc", "cpp", "cxx", "c++", "hpp", "hh", "hxx", "h++", "ipp", "inl", "cu", "cuh", "s",
    "asm", "pyx", "pxd", "pxi",
];
const PY_EXTS: &[&str] = &["py", "pyi", "pyw"];
const SHELL_EXTS: &[&str] = &["sh", "bash", "zsh", "ksh", "ps1", "psm1", "bat", "cmd"];

fn is_ci_path(path: &str, name: &str, dirs_lc: &[String]) -> bool {
    let lower = path.to_ascii_lowercase();
    let yaml = ends_with_ci(name, ".yml") || ends_with_ci(name, ".yaml");
    (lower.starts_with(".github/workflows/") && yaml)
        || (lower.starts_with(".github/actions/")
            && (name == "action.yml" || name == "action.yaml"))
        || (dirs_lc.is_empty() && (name == "action.yml" || name == "action.yaml"))
        || name == ".gitlab-ci.yml"
        || (lower.starts_with(".gitlab/") && yaml)
        || (starts_with_ci(name, "azure-pipelines") && yaml)
        || (lower.starts_with(".azure-pipelines/") && yaml)
        || (lower.starts_with(".circleci/") && yaml)
        || name == ".travis.yml"
        || name == "appveyor.yml"
        || name == ".appveyor.yml"
        || name == ".cirrus.yml"
        || name == ".cirrus.star"
        || name == "Jenkinsfile"
        || lower.starts_with(".buildkite/")
        || lower.starts_with(".woodpecker")
        || name == "bitbucket-pipelines.yml"
        || name == "tox.ini"
        || name == "noxfile.py"
        || name == ".pre-commit-config.yaml"
        || dirs_lc
            .iter()
            .any(|d| d == "ci" || d == ".ci" || d == "ci_scripts")
}

fn is_release_name(lower_name: &str) -> bool {
    let stem = lower_name.split('.').next().unwrap_or(lower_name);
    [
        "release", "publish", "wheel", "deploy", "upload", "pypi", "sdist",
    ]
    .iter()
    .any(|w| stem.contains(w))
        || matches!(stem, "cd" | "dist")
        || stem.ends_with("-cd")
        || stem.ends_with("_cd")
}

fn is_security_policy(name: &str, depth: usize, first_dir: Option<&str>) -> bool {
    let stem = match name.rfind('.') {
        Some(i) if i > 0 => name.get(..i).unwrap_or(name),
        _ => name,
    };
    let ext = ext_lower(name);
    if !matches!(
        ext.as_str(),
        "" | "md" | "rst" | "txt" | "markdown" | "adoc"
    ) || !stem.eq_ignore_ascii_case("security")
    {
        return false;
    }
    if stem == "SECURITY" {
        return true;
    }
    depth == 0
        || (depth == 1
            && first_dir.is_some_and(|d| {
                d.eq_ignore_ascii_case(".github")
                    || d.eq_ignore_ascii_case("doc")
                    || d.eq_ignore_ascii_case("docs")
            }))
}

/// Classify a repository path (`/`-separated, relative to the repository root).
pub fn classify(path: &str) -> PathClass {
    let name = file_name(path);
    let ext = ext_lower(name);
    let lower_name = name.to_ascii_lowercase();
    let dirs_lc: Vec<String> = dirs(path).map(str::to_ascii_lowercase).collect();
    let mut c = PathClass::NONE;

    // Languages.
    let templated_c = ends_with_ci(name, ".c.src") || ends_with_ci(name, ".h.src");
    if C_EXTS.contains(&ext.as_str()) || templated_c {
        c |= PathClass::C_SOURCE;
    }
    if PY_EXTS.contains(&ext.as_str()) {
        c |= PathClass::PYTHON;
    }
    if SHELL_EXTS.contains(&ext.as_str()) || name == "configure" {
        c |= PathClass::SHELL;
    }

    // Build system.
    let build_file = matches!(
        name,
        "CMakeLists.txt"
            | "configure.ac"
            | "configure.in"
            | "configure"
            | "Makefile.am"
            | "Makefile.in"
            | "Makefile"
            | "GNUmakefile"
            | "makefile"
            | "meson.build"
            | "meson.options"
            | "meson_options.txt"
            | "setup.py"
            | "setup.cfg"
            | "pyproject.toml"
            | "hatch_build.py"
            | "MANIFEST.in"
            | "SConstruct"
            | "SConscript"
            | "build.rs"
            | "Cargo.toml"
            | "aclocal.m4"
            | "acinclude.m4"
            | "Kconfig"
            | "BUILD"
            | "BUILD.bazel"
            | "WORKSPACE"
            | "MODULE.bazel"
    ) || matches!(
        ext.as_str(),
        "cmake" | "m4" | "mk" | "pyxbld" | "bzl" | "ac" | "am"
    );
    if build_file {
        c |= PathClass::BUILD_SYSTEM;
    }

    // Code run at build or install time.
    let build_dir = dirs_lc.iter().any(|d| {
        matches!(
            d.as_str(),
            "_build_utils" | "build_utils" | "build-aux" | "buildtools" | "build_tools"
        )
    });
    let py_build_script = ext == "py"
        && (matches!(
            name,
            "setup.py" | "hatch_build.py" | "build.py" | "_build.py" | "build_backend.py"
        ) || lower_name.ends_with("_build.py")
            || lower_name.starts_with("build_")
            || build_dir);
    if py_build_script
        || matches!(
            name,
            "configure"
                | "configure.ac"
                | "configure.in"
                | "build.rs"
                | "SConstruct"
                | "SConscript"
        )
        || ext == "m4"
        || ext == "pyxbld"
        || (build_dir && (c.contains(PathClass::SHELL) || ext.is_empty()))
    {
        c |= PathClass::BUILD_TIME_CODE;
    }
    if py_build_script && name != "setup.py" && !c.contains(PathClass::BUILD_SYSTEM) {
        // In-tree build scripts and hooks are part of the build configuration too.
        c |= PathClass::BUILD_SYSTEM;
    }

    // CI and release.
    if is_ci_path(path, name, &dirs_lc) {
        c |= PathClass::CI;
    }
    let release_dir = dirs_lc.iter().any(|d| {
        matches!(
            d.as_str(),
            "wheels" | "release" | "releasing" | "release-tools"
        )
    });
    if (c.contains(PathClass::CI) && is_release_name(&lower_name))
        || name == ".pypirc"
        || (release_dir
            && (c.intersects(PathClass::SHELL | PathClass::PYTHON | PathClass::CI)
                || ext == "yml"
                || ext == "yaml"
                || ext == "toml"))
    {
        c |= PathClass::RELEASE;
    }

    // Policy and ownership.
    let first_dir = dirs(path).next();
    if is_security_policy(name, dirs_lc.len(), first_dir) {
        c |= PathClass::SECURITY_POLICY;
    }
    let stem_upper = match name.rfind('.') {
        Some(i) if i > 0 => name.get(..i).unwrap_or(name),
        _ => name,
    };
    if matches!(
        name,
        "CODEOWNERS" | ".mailmap" | "OWNERS" | "OWNERS_ALIASES"
    ) || matches!(stem_upper, "MAINTAINERS" | "CODEOWNERS")
    {
        c |= PathClass::OWNERSHIP;
    }
    if matches!(
        name,
        ".gitignore"
            | ".gitattributes"
            | ".dockerignore"
            | ".npmignore"
            | ".hgignore"
            | ".git-blame-ignore-revs"
    ) {
        c |= PathClass::IGNORE_RULES;
    }

    // Tests.
    let test_dir = dirs_lc.iter().any(|d| {
        matches!(
            d.as_str(),
            "tests" | "test" | "testing" | "fixtures" | "testdata" | "test_data" | "__tests__"
        )
    });
    let test_file = name == "conftest.py"
        || (ext == "py"
            && (lower_name.starts_with("test_")
                || lower_name.ends_with("_test.py")
                || lower_name.ends_with("_tests.py")));
    if test_dir || test_file {
        c |= PathClass::TEST_PATH;
    }

    // Import-time code.
    if matches!(
        name,
        "__init__.py"
            | "conftest.py"
            | "sitecustomize.py"
            | "usercustomize.py"
            | "_distributor_init.py"
    ) || ext == "pth"
    {
        c |= PathClass::IMPORT_TIME;
    }

    // Docs.
    let doc_dir = dirs_lc
        .first()
        .is_some_and(|d| matches!(d.as_str(), "doc" | "docs" | "documentation" | "doc-src"));
    if doc_dir
        || matches!(ext.as_str(), "md" | "rst" | "adoc" | "markdown" | "rdoc")
        || lower_name.starts_with("readme")
        || lower_name.starts_with("changelog")
        || lower_name.starts_with("changes")
        || lower_name.starts_with("license")
        || lower_name.starts_with("copying")
    {
        c |= PathClass::DOCS;
    }

    // Vendored code.
    if dirs_lc.iter().any(|d| {
        matches!(
            d.as_str(),
            "vendor"
                | "_vendor"
                | "third_party"
                | "thirdparty"
                | "third-party"
                | "3rdparty"
                | "extern"
                | "external"
                | "externals"
                | "subprojects"
        ) || d.starts_with("vendored")
    }) {
        c |= PathClass::VENDORED;
    }

    // Lock files and generated artefacts.
    if ext == "lock"
        || matches!(
            name,
            "package-lock.json"
                | "npm-shrinkwrap.json"
                | "pnpm-lock.yaml"
                | "yarn.lock"
                | "Pipfile.lock"
                | "poetry.lock"
                | "uv.lock"
                | "pdm.lock"
                | "pylock.toml"
                | "conda-lock.yml"
        )
        || (lower_name.starts_with("pylock.") && ext == "toml")
        || lower_name.ends_with(".min.js")
        || lower_name.ends_with(".min.css")
        || ext == "map"
        || lower_name.ends_with("_pb2.py")
        || lower_name.ends_with("_pb2_grpc.py")
        || lower_name.ends_with("_pb2.pyi")
    {
        c |= PathClass::GENERATED_OR_LOCK;
    }
    c
}

/// The content language of a path (see [`Lang`]); decided from the name only.
pub fn language(path: &str) -> Lang {
    let name = file_name(path);
    let ext = ext_lower(name);
    match name {
        "CMakeLists.txt" => return Lang::CMake,
        "meson.build" | "meson.options" | "meson_options.txt" => return Lang::Meson,
        "configure.ac" | "configure.in" => return Lang::Autotools,
        "configure" => return Lang::Shell,
        "Makefile" | "GNUmakefile" | "makefile" | "Makefile.am" | "Makefile.in" => {
            return Lang::Make;
        }
        "SConstruct" | "SConscript" => return Lang::Python,
        "Jenkinsfile" => return Lang::Other,
        _ => {}
    }
    if ends_with_ci(name, ".c.src") || ends_with_ci(name, ".h.src") {
        return Lang::C;
    }
    if ends_with_ci(name, ".pyx.in") || ends_with_ci(name, ".pxd.in") {
        return Lang::Cython;
    }
    match ext.as_str() {
        "py" | "pyi" | "pyw" | "pyxbld" | "bzl" => Lang::Python,
        "pyx" | "pxd" | "pxi" => Lang::Cython,
        "c" | "h" | "cc" | "cpp" | "cxx" | "c++" | "hpp" | "hh" | "hxx" | "h++" | "ipp" | "inl"
        | "cu" | "cuh" | "s" | "asm" | "m" | "mm" => Lang::C,
        "sh" | "bash" | "zsh" | "ksh" => Lang::Shell,
        "ps1" | "psm1" | "bat" | "cmd" => Lang::WinScript,
        "m4" | "ac" => Lang::Autotools,
        "am" | "mk" => Lang::Make,
        "cmake" => Lang::CMake,
        "toml" => Lang::Toml,
        "cfg" | "ini" => Lang::Ini,
        "yml" | "yaml" => Lang::Yaml,
        "md" | "rst" | "adoc" | "markdown" | "rdoc" | "txt" | "tex" => Lang::Docs,
        "json" | "csv" | "tsv" | "svg" | "xml" | "ipynb" | "po" | "pot" | "lock" | "html"
        | "htm" | "css" | "dat" | "pem" | "crt" | "cer" | "asc" | "sig" | "b64" | "geojson"
        | "jsonl" | "ndjson" => Lang::Data,
        _ if is_pem_like(&ext) => Lang::Data,
        _ => Lang::Other,
    }
}

fn is_pem_like(ext: &str) -> bool {
    matches!(ext, "key" | "pub" | "gpg")
}

const OPAQUE_EXTS: &[&str] = &[
    // archives and compressed streams
    "xz",
    "gz",
    "tgz",
    "bz2",
    "tbz",
    "zst",
    "zstd",
    "lz",
    "lz4",
    "lzma",
    "lzo",
    "z",
    "zip",
    "tar",
    "7z",
    "rar",
    "cab",
    "cpio",
    "ar",
    "deb",
    "rpm",
    "apk",
    "dmg",
    "iso",
    "img",
    // raw binary and serialised objects
    "bin",
    "dat",
    "raw",
    "npy",
    "npz",
    "pkl",
    "pickle",
    "joblib",
    "h5",
    "hdf5",
    "hdf",
    "he5",
    "nc",
    "fits",
    "fit",
    "mat",
    "sav",
    "feather",
    "parquet",
    "arrow",
    "db",
    "sqlite",
    "sqlite3",
    // compiled objects, libraries, executables, bytecode, packages
    "so",
    "dll",
    "dylib",
    "pyd",
    "o",
    "obj",
    "a",
    "lib",
    "exe",
    "msi",
    "sys",
    "ko",
    "elf",
    "whl",
    "egg",
    "pyc",
    "pyo",
    "jar",
    "war",
    "class",
    "wasm",
    "node",
    // model weights
    "pt",
    "onnx",
    "safetensors",
    "ckpt",
    "gguf",
    "tflite",
];

/// Opaque or binary by nature: archives and compressed streams, serialised objects, compiled
/// objects and libraries, bytecode, packages, model weights. Such files cannot be reviewed as
/// text (the XZ backdoor hid in `.xz` test fixtures). Scientific data formats are also listed
/// in [`is_scientific_data`] so rules can treat them as routine.
pub fn is_opaque_extension(path: &str) -> bool {
    let lower = file_name(path).to_ascii_lowercase();
    // Versioned shared objects: libfoo.so.1.2
    if let Some(i) = lower.rfind(".so.") {
        let after = lower.get(i + 4..).unwrap_or("");
        if !after.is_empty() && after.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
            return true;
        }
    }
    let ext = ext_lower(&lower);
    // `.pth` is both a PyTorch weights suffix (binary) and a Python path-configuration file
    // (text, executed at start-up): only names that look like weights count as opaque.
    if ext == "pth" {
        return [
            "model",
            "weight",
            "checkpoint",
            "ckpt",
            "state",
            "epoch",
            "best",
            "last",
        ]
        .iter()
        .any(|w| lower.contains(w));
    }
    OPAQUE_EXTS.contains(&ext.as_str())
}

const SCI_DATA_EXTS: &[&str] = &[
    // arrays and tables
    "npy", "npz", "mat", "h5", "hdf5", "hdf", "he5", "nc", "nc4", "cdf", "fits", "fit", "fts",
    "csv", "tsv", "parquet", "feather", "arrow", "sav", "dat", "dta", "xpt", "arff", "mtx", "grib",
    "grb", "zarr", // images and audio
    "wav", "png", "jpg", "jpeg", "gif", "bmp", "tif", "tiff", "ico", "webp", "pgm", "ppm", "pbm",
    "pnm",
];

/// Data formats scientific Python repositories legitimately ship as test or example data:
/// array and table formats (`.npy .npz .mat .h5 .hdf5 .nc .fits .csv .tsv .parquet .feather
/// .arrow .sav .dat .mtx`), images (`.png .jpg .gif .tif ...`), audio (`.wav`), and compressed
/// copies of those (`.csv.gz`, `.npy.bz2`, `.fits.gz`, ...). Rules can treat additions of these
/// as routine (their content stays opaque).
pub fn is_scientific_data(path: &str) -> bool {
    let lower = file_name(path).to_ascii_lowercase();
    let base = ["gz", "bz2", "xz", "zip", "zst"]
        .iter()
        .find_map(|c| lower.strip_suffix(c).and_then(|s| s.strip_suffix('.')))
        .unwrap_or(&lower);
    SCI_DATA_EXTS.contains(&ext_lower(base).as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn has(path: &str, c: PathClass) -> bool {
        classify(path).contains(c)
    }

    #[test]
    fn build_system_files() {
        for p in [
            "CMakeLists.txt",
            "src/liblzma/CMakeLists.txt",
            "cmake/tuklib_cpucores.cmake",
            "configure.ac",
            "m4/build-to-host.m4",
            "Makefile.am",
            "Makefile.in",
            "meson.build",
            "numpy/_core/meson.build",
            "meson.options",
            "meson_options.txt",
            "setup.py",
            "setup.cfg",
            "pyproject.toml",
            "hatch_build.py",
            "MANIFEST.in",
            "pkg/ext.pyxbld",
        ] {
            assert!(has(p, PathClass::BUILD_SYSTEM), "{p}");
        }
        for p in [
            "README.md",
            "numpy/core/multiarray.c",
            "cmake.py",
            "docs/meson.rst",
        ] {
            assert!(!has(p, PathClass::BUILD_SYSTEM), "{p}");
        }
    }

    #[test]
    fn build_time_code() {
        for p in [
            "setup.py",
            "hatch_build.py",
            "m4/build-to-host.m4",
            "configure",
            "numpy/_build_utils/tempita.py",
            "src/_cffi_build.py",
            "build-aux/ltmain.sh",
            "build.rs",
        ] {
            assert!(has(p, PathClass::BUILD_TIME_CODE), "{p}");
        }
        assert!(!has("numpy/linalg/linalg.py", PathClass::BUILD_TIME_CODE));
        assert!(!has("setup.cfg", PathClass::BUILD_TIME_CODE));
    }

    #[test]
    fn ci_and_release() {
        assert!(has(".github/workflows/wheels.yml", PathClass::CI));
        assert!(has(".github/workflows/wheels.yml", PathClass::RELEASE));
        assert!(has(
            ".github/workflows/publish-to-pypi.yaml",
            PathClass::RELEASE
        ));
        assert!(has(".github/workflows/linux.yml", PathClass::CI));
        assert!(!has(".github/workflows/linux.yml", PathClass::RELEASE));
        assert!(has(".github/workflows/cd.yml", PathClass::RELEASE));
        assert!(!has(".github/workflows/abcd.yml", PathClass::RELEASE));
        assert!(has(".github/actions/setup/action.yml", PathClass::CI));
        assert!(has(".gitlab-ci.yml", PathClass::CI));
        assert!(has("azure-pipelines.yml", PathClass::CI));
        assert!(has(".circleci/config.yml", PathClass::CI));
        assert!(has("tools/ci/cirrus_arm.yml", PathClass::CI));
        assert!(has("tox.ini", PathClass::CI));
        assert!(has("noxfile.py", PathClass::CI));
        assert!(has("tools/wheels/cibw_before_build.sh", PathClass::RELEASE));
        assert!(has(".pypirc", PathClass::RELEASE));
        assert!(!has(
            "doc/source/release/1.10.0-notes.rst",
            PathClass::RELEASE
        ));
        assert!(!has("numpy/lib/tests/test_io.py", PathClass::CI));
    }

    #[test]
    fn policy_ownership_ignore() {
        assert!(has("SECURITY.md", PathClass::SECURITY_POLICY));
        assert!(has(".github/SECURITY.md", PathClass::SECURITY_POLICY));
        assert!(has("security.rst", PathClass::SECURITY_POLICY));
        assert!(has("docs/SECURITY.txt", PathClass::SECURITY_POLICY));
        assert!(has("sub/pkg/SECURITY", PathClass::SECURITY_POLICY));
        assert!(!has(
            "doc/source/reference/security.rst",
            PathClass::SECURITY_POLICY
        ));
        assert!(!has("numpy/security.py", PathClass::SECURITY_POLICY));
        assert!(has("CODEOWNERS", PathClass::OWNERSHIP));
        assert!(has(".github/CODEOWNERS", PathClass::OWNERSHIP));
        assert!(has("MAINTAINERS.md", PathClass::OWNERSHIP));
        assert!(has(".mailmap", PathClass::OWNERSHIP));
        assert!(has(".gitignore", PathClass::IGNORE_RULES));
        assert!(has("m4/.gitignore", PathClass::IGNORE_RULES));
        assert!(has("a/b/.gitattributes", PathClass::IGNORE_RULES));
    }

    #[test]
    fn tests_import_time_docs_vendored_lock() {
        assert!(has("numpy/lib/tests/test_io.py", PathClass::TEST_PATH));
        assert!(has(
            "tests/files/bad-3-corrupt_lzma2.xz",
            PathClass::TEST_PATH
        ));
        assert!(has("conftest.py", PathClass::TEST_PATH));
        assert!(has("conftest.py", PathClass::IMPORT_TIME));
        assert!(has("pkg/test_thing.py", PathClass::TEST_PATH));
        assert!(has("pkg/thing_test.py", PathClass::TEST_PATH));
        assert!(!has("numpy/testing_utils_doc.rst", PathClass::TEST_PATH));
        assert!(!has("numpy/_core/multiarray.py", PathClass::TEST_PATH));
        assert!(has("numpy/__init__.py", PathClass::IMPORT_TIME));
        assert!(has("numpy/_distributor_init.py", PathClass::IMPORT_TIME));
        assert!(has("src/evil.pth", PathClass::IMPORT_TIME));
        assert!(has("sitecustomize.py", PathClass::IMPORT_TIME));
        assert!(has("doc/source/conf.py", PathClass::DOCS));
        assert!(has("README.md", PathClass::DOCS));
        assert!(has("numpy/_core/src/umath/svml/README.md", PathClass::DOCS));
        assert!(has("vendored-meson/meson/meson.py", PathClass::VENDORED));
        assert!(has("src/third_party/zlib/inflate.c", PathClass::VENDORED));
        assert!(has("pkg/_vendor/six.py", PathClass::VENDORED));
        assert!(has("subprojects/foo/meson.build", PathClass::VENDORED));
        assert!(has("poetry.lock", PathClass::GENERATED_OR_LOCK));
        assert!(has("uv.lock", PathClass::GENERATED_OR_LOCK));
        assert!(has("web/app.min.js", PathClass::GENERATED_OR_LOCK));
        assert!(has("proto/thing_pb2.py", PathClass::GENERATED_OR_LOCK));
        assert!(!has("requirements.txt", PathClass::GENERATED_OR_LOCK));
    }

    #[test]
    fn languages_and_kinds() {
        assert!(has(
            "numpy/_core/src/multiarray/ctors.c",
            PathClass::C_SOURCE
        ));
        assert!(has(
            "numpy/_core/src/umath/loops.c.src",
            PathClass::C_SOURCE
        ));
        assert!(has("numpy/random/_generator.pyx", PathClass::C_SOURCE));
        assert!(has("numpy/random/c_distributions.pxd", PathClass::C_SOURCE));
        assert!(has("numpy/__init__.pyi", PathClass::PYTHON));
        assert!(has("tools/ci/run.sh", PathClass::SHELL));
        assert!(has("tools/build.ps1", PathClass::SHELL));
        assert!(has("configure", PathClass::SHELL));
        assert_eq!(language("CMakeLists.txt"), Lang::CMake);
        assert_eq!(language("cmake/x.cmake"), Lang::CMake);
        assert_eq!(language("m4/build-to-host.m4"), Lang::Autotools);
        assert_eq!(language("configure.ac"), Lang::Autotools);
        assert_eq!(language("meson.build"), Lang::Meson);
        assert_eq!(language("meson_options.txt"), Lang::Meson);
        assert_eq!(language("src/Makefile.am"), Lang::Make);
        assert_eq!(language("numpy/_core/src/umath/loops.c.src"), Lang::C);
        assert_eq!(language("numpy/random/_mt19937.pyx"), Lang::Cython);
        assert_eq!(
            language("numpy/random/_bounded_integers.pyx.in"),
            Lang::Cython
        );
        assert_eq!(language("setup.py"), Lang::Python);
        assert_eq!(language("pyproject.toml"), Lang::Toml);
        assert_eq!(language("setup.cfg"), Lang::Ini);
        assert_eq!(language(".github/workflows/a.yml"), Lang::Yaml);
        assert_eq!(language("README.md"), Lang::Docs);
        assert_eq!(language("doc/logo.svg"), Lang::Data);
        assert_eq!(language("x.ipynb"), Lang::Data);
        assert_eq!(language(".gitignore"), Lang::Other);
    }

    #[test]
    fn opaque_and_scientific_data() {
        for p in [
            "tests/files/good-1-x86-lzma2.xz",
            "a.tar.gz",
            "lib/libfoo.so",
            "lib/libfoo.so.1.2",
            "x.whl",
            "__pycache__/m.cpython-312.pyc",
            "data/arr.npy",
            "model.pkl",
            "weights/model_best.pth",
            "bin/tool.exe",
        ] {
            assert!(is_opaque_extension(p), "{p}");
        }
        for p in ["setup.py", "foo.pth", "a.c", "libfoo.so.py", "x.json"] {
            assert!(!is_opaque_extension(p), "{p}");
        }
        for p in [
            "numpy/lib/tests/data/py2-objarr.npy",
            "tests/data/image.fits",
            "data/x.h5",
            "data/cube.nc",
            "data/m.mat",
            "doc/_static/logo.png",
            "tests/data/table.csv.gz",
            "tests/data/arr.npy.bz2",
        ] {
            assert!(is_scientific_data(p), "{p}");
        }
        for p in [
            "tests/files/good-1-x86-lzma2.xz",
            "lib/libfoo.so",
            "a.tar.gz",
            "x.py",
        ] {
            assert!(!is_scientific_data(p), "{p}");
        }
    }

    #[test]
    fn bit_set_behaviour() {
        let c = PathClass::BUILD_SYSTEM | PathClass::PYTHON;
        assert!(c.contains(PathClass::PYTHON));
        assert!(c.intersects(PathClass::PYTHON | PathClass::CI));
        assert!(!c.contains(PathClass::PYTHON | PathClass::CI));
        assert!(PathClass::NONE.is_empty());
        assert_eq!((c & PathClass::PYTHON), PathClass::PYTHON);
        assert_eq!(format!("{c:?}"), "PathClass(build-system | python)");
        assert_eq!(
            c.names().collect::<Vec<_>>(),
            vec!["build-system", "python"]
        );
        let setup = classify("setup.py");
        assert!(
            setup
                .contains(PathClass::BUILD_SYSTEM | PathClass::BUILD_TIME_CODE | PathClass::PYTHON)
        );
    }
}
