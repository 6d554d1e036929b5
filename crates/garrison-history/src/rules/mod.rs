//! Contribution-risk signals: one file per rule, listed in [`crate::registry`].
//!
//! A signal looks at one commit in its context (how it landed, what was known about its author
//! at the time) and adds [`Evidence`]. Evidence is either a *change* signal (what the commit
//! does: rewrites a binary fixture, hides a build input, weakens a security policy) with an
//! additive weight, or a *context* signal (who did it and how: self-committed, recent rights)
//! with a multiplier that applies only when the commit also carries change evidence. See
//! [`crate::risk`] for how weights are calibrated on the repository's own history and combined.

use garrison_report::RuleMeta;

use crate::landing::{Landing, LandingKind};
use crate::people::AuthorState;
use crate::{ChangeKind, Commit, FileChange};

pub mod anomalous_commit;
pub mod binary_fixture_rewrite;
pub mod build_system_change;
pub mod ci_workflow_change;
pub mod ignore_rules_change;
pub mod new_contributor;
pub mod opaque_blob_added;
pub mod recent_rights;
pub mod security_policy_change;
pub mod self_committed;
pub mod unusual_time;

/// Is the evidence about what changed, or about who changed it and how?
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Additive weight.
    Change,
    /// Multiplier applied when the commit has change evidence.
    Context,
}

/// One fact that contributes to a commit's risk score.
#[derive(Debug, Clone)]
pub struct Evidence {
    /// The rule that produced it.
    pub rule: &'static RuleMeta,
    /// Change or context.
    pub role: Role,
    /// Additive weight (change) or multiplier (context), before calibration.
    pub weight: f64,
    /// One line, specific to this commit.
    pub message: String,
    /// The file it concerns, if any.
    pub path: Option<String>,
    /// 1-based line in that file (at this commit), if known.
    pub line: Option<u32>,
    /// A sub-kind (`feature-probe`, `added`), so calibration tells routine variants of a rule
    /// from rare ones.
    pub kind: &'static str,
}

impl Evidence {
    /// Change evidence.
    pub fn change(rule: &'static RuleMeta, weight: f64, message: impl Into<String>) -> Evidence {
        Evidence {
            rule,
            role: Role::Change,
            weight,
            message: message.into(),
            path: None,
            line: None,
            kind: "",
        }
    }

    /// Context evidence (a multiplier).
    pub fn context(rule: &'static RuleMeta, factor: f64, message: impl Into<String>) -> Evidence {
        Evidence {
            rule,
            role: Role::Context,
            weight: factor,
            message: message.into(),
            path: None,
            line: None,
            kind: "",
        }
    }

    /// Set the sub-kind.
    pub fn kind(mut self, kind: &'static str) -> Evidence {
        self.kind = kind;
        self
    }

    /// Point at a file.
    pub fn at(mut self, path: &str, line: Option<u32>) -> Evidence {
        self.path = Some(path.to_string());
        self.line = line;
        self
    }
}

/// Everything a signal may look at for one commit.
pub struct CommitCx<'a> {
    /// The commit.
    pub commit: &'a Commit,
    /// How it landed.
    pub landing: &'a Landing,
    /// The author's state just before this commit.
    pub author: &'a AuthorState,
    /// The author's display label.
    pub author_label: &'a str,
    /// The commit is part of a range under review (not landed yet).
    pub pending: bool,
    /// Whoever landed it is the author (pushed their own work, or merged their own branch).
    pub self_landed: bool,
}

impl CommitCx<'_> {
    /// Short id (10 hex digits).
    pub fn short(&self) -> &str {
        self.commit.id.get(..10).unwrap_or(&self.commit.id)
    }

    /// Does the commit touch any sensitive path (see [`is_sensitive`])?
    pub fn touches_sensitive(&self) -> bool {
        self.commit.files.iter().any(|f| is_sensitive(&f.path))
    }

    /// Was it landed without a second person (pushed directly or self-merged)?
    pub fn unreviewed(&self) -> bool {
        self.self_landed && matches!(self.landing.kind, LandingKind::Direct | LandingKind::Merge)
    }
}

/// A contribution-risk signal.
pub trait Signal: Sync {
    /// The rule's metadata.
    fn meta(&self) -> &'static RuleMeta;
    /// Add evidence for one commit.
    fn check(&self, cx: &CommitCx<'_>, out: &mut Vec<Evidence>);
}

// ---- path helpers shared by the rules ----

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn extension(path: &str) -> String {
    let name = file_name(path);
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => ext.to_ascii_lowercase(),
        _ => String::new(),
    }
}

/// Build-system inputs: CMake, autotools, meson, setuptools/pyproject, scikit-build, Cython
/// build config, make.
pub fn is_build_file(path: &str) -> bool {
    let name = file_name(path).to_ascii_lowercase();
    let ext = extension(path);
    matches!(
        name.as_str(),
        "cmakelists.txt"
            | "configure.ac"
            | "configure.in"
            | "configure"
            | "makefile.am"
            | "makefile.in"
            | "makefile"
            | "meson.build"
            | "meson_options.txt"
            | "meson.options"
            | "setup.py"
            | "setup.cfg"
            | "pyproject.toml"
            | "manifest.in"
            | "hatch_build.py"
            | "build.py"
            | "aclocal.m4"
    ) || matches!(ext.as_str(), "cmake" | "m4" | "pyxbld" | "mk")
}

/// CI and release automation.
pub fn is_ci_file(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    ((lower.starts_with(".github/workflows/") || lower.starts_with(".github/actions/"))
        && (lower.ends_with(".yml") || lower.ends_with(".yaml")))
        || lower == ".gitlab-ci.yml"
        || lower == ".circleci/config.yml"
        || lower == ".cirrus.yml"
        || lower == ".travis.yml"
        || lower.starts_with("azure-pipelines")
        || lower.starts_with(".azure-pipelines/")
}

/// A workflow whose name says it builds or publishes releases.
pub fn is_release_workflow(path: &str) -> bool {
    let name = file_name(path).to_ascii_lowercase();
    is_ci_file(path)
        && [
            "release", "publish", "wheel", "deploy", "pypi", "dist", "sdist", "cd.",
        ]
        .iter()
        .any(|k| name.contains(k))
}

/// Security policy files.
pub fn is_security_policy(path: &str) -> bool {
    let name = file_name(path).to_ascii_lowercase();
    name == "security.md" || name == "security.rst" || name == "security.txt" || name == "security"
}

/// `.gitignore` / `.gitattributes` at any depth.
pub fn is_ignore_rules(path: &str) -> bool {
    let name = file_name(path);
    name == ".gitignore" || name == ".gitattributes"
}

/// Paths whose change deserves a second look on its own: build system, CI, security policy,
/// ignore rules, ownership.
pub fn is_sensitive(path: &str) -> bool {
    is_build_file(path)
        || is_ci_file(path)
        || is_security_policy(path)
        || is_ignore_rules(path)
        || matches!(file_name(path), "CODEOWNERS" | "MAINTAINERS")
}

/// Test paths (`tests/`, `test/`, `testing/`, `testdata/`, `fixtures/`, `test_*.py`).
pub fn is_test_path(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    lower.split('/').any(|seg| {
        matches!(
            seg,
            "tests" | "test" | "testing" | "testdata" | "test_data" | "fixtures" | "testfiles"
        )
    }) || file_name(&lower).starts_with("test_")
}

/// Documentation paths (`doc/`, `docs/`, `documentation/`).
pub fn is_docs_path(path: &str) -> bool {
    path.split('/').any(|seg| {
        matches!(
            seg.to_ascii_lowercase().as_str(),
            "doc" | "docs" | "documentation" | "_static" | "_images"
        )
    })
}

/// Data formats scientific projects commit routinely for tests and examples.
pub fn is_scientific_data(path: &str) -> bool {
    matches!(
        extension(path).as_str(),
        "npy"
            | "npz"
            | "fits"
            | "fit"
            | "fts"
            | "h5"
            | "hdf5"
            | "hdf"
            | "nc"
            | "mat"
            | "png"
            | "jpg"
            | "jpeg"
            | "gif"
            | "svg"
            | "ico"
            | "tif"
            | "tiff"
            | "bmp"
            | "wav"
            | "pdf"
            | "csv"
            | "parquet"
            | "feather"
            | "arrow"
            | "sav"
            | "dta"
            | "xls"
            | "xlsx"
            | "ods"
            | "odt"
            | "zarr"
            | "asdf"
            | "root"
            | "woff"
            | "woff2"
            | "ttf"
            | "otf"
            | "eot"
            | "mo"
            | "ipynb"
    )
}

/// Opaque containers and executables: compressed streams, archives, native code, pickles.
pub fn is_opaque_type(path: &str) -> bool {
    matches!(
        extension(path).as_str(),
        "xz" | "lzma"
            | "gz"
            | "bz2"
            | "zst"
            | "lz4"
            | "z"
            | "zip"
            | "tar"
            | "tgz"
            | "7z"
            | "rar"
            | "bin"
            | "dat"
            | "so"
            | "dll"
            | "dylib"
            | "o"
            | "a"
            | "lib"
            | "exe"
            | "whl"
            | "egg"
            | "pyc"
            | "pyd"
            | "pkl"
            | "pickle"
            | "joblib"
            | "jar"
            | "class"
            | "wasm"
    )
}

/// A binary or opaque file change (git's NUL rule, or an opaque container type).
pub fn is_opaque_change(f: &FileChange) -> bool {
    f.kind != ChangeKind::Deleted && (f.binary || is_opaque_type(&f.path))
}

/// At least 4× the median size of the other files in its directory, and 8 KiB more.
pub fn much_larger_than_siblings(f: &FileChange) -> bool {
    match (f.new_size, f.sibling_median_size) {
        (Some(n), Some(m)) if f.siblings >= 2 => n >= m.saturating_mul(4) && n >= m + 8192,
        _ => false,
    }
}

/// Human-readable byte size.
pub fn human_size(n: u64) -> String {
    if n >= 1 << 20 {
        format!("{:.1} MiB", n as f64 / f64::from(1u32 << 20))
    } else if n >= 1 << 10 {
        format!("{:.1} KiB", n as f64 / 1024.0)
    } else {
        format!("{n} B")
    }
}

/// `YYYY-MM-DD` of a unix time (UTC).
pub fn date(t: i64) -> String {
    // Civil-from-days (Howard Hinnant), valid for the whole i64 day range we can see.
    let days = t.div_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!("{y:04}-{m:02}-{d:02}")
}

/// Days between two unix times (rounded down, never negative).
pub fn days(from: i64, to: i64) -> i64 {
    (to.saturating_sub(from) / 86_400).max(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(date(0), "1970-01-01");
        assert_eq!(date(1_711_929_600), "2024-04-01");
        assert_eq!(date(951_782_400), "2000-02-29");
    }

    #[test]
    fn path_kinds() {
        assert!(is_build_file("m4/build-to-host.m4"));
        assert!(is_build_file("CMakeLists.txt"));
        assert!(is_build_file("numpy/meson.build"));
        assert!(!is_build_file("numpy/core/src/multiarray.c"));
        assert!(is_ci_file(".github/workflows/wheels.yml"));
        assert!(is_release_workflow(".github/workflows/wheels.yml"));
        assert!(!is_release_workflow(".github/workflows/linux.yml"));
        assert!(is_security_policy(".github/SECURITY.md"));
        assert!(is_test_path("tests/files/good-1.xz"));
        assert!(is_test_path("numpy/lib/tests/data/x.npy"));
        assert!(!is_test_path("numpy/lib/latest.py"));
        assert!(is_opaque_type("tests/files/bad-3-corrupt_lzma2.xz"));
        assert!(is_scientific_data("astropy/io/fits/tests/data/test0.fits"));
    }
}
