//! Python packaging knowledge for Garrison.
//!
//! - [`pep440`]: versions and specifiers (uv's implementation behind one adapter; OSV ranges
//!   are evaluated by version *ordering*, never by turning them into specifiers).
//! - [`name`]: validated package names (PEP 508), normalized (PEP 503).
//! - [`PythonError`]: the crate's one error type.
//! - [`deps`]: the common model every reader produces: [`Dependency`] with its exact origin.
//! - [`requirement`]: PEP 508 requirement strings.
//! - readers, one module per format, each `pub fn parse(path: &str, text: &str) -> Manifest`:
//!   [`requirements`], [`pyproject`], [`uv_lock`], [`pylock`], [`poetry_lock`],
//!   [`pipfile_lock`], [`pdm_lock`], [`pixi_lock`], [`conda_env`], [`conda_lock`]; and
//!   [`installed`] for a site-packages directory.
//! - [`detect`] tells a file's format from its path; [`read`] dispatches on it;
//!   [`discover`] reads the dependency files of a checkout or a path from disk.
//!
//! Readers never panic on any input: malformed entries become [`Manifest::errors`] with a
//! line, and the rest of the file is still read. Inputs over 64 MiB are refused.

pub mod conda_env;
pub mod conda_lock;
pub mod deps;
pub mod discover;
mod error;
pub mod installed;
pub mod markers;
pub mod name;
pub mod pdm_lock;
pub mod pep440;
pub mod pipfile_lock;
pub mod pixi_lock;
pub mod poetry_lock;
pub mod pylock;
pub mod pyproject;
pub mod requirement;
pub mod requirements;
pub mod sbom;
mod util;
pub mod uv_lock;

pub use deps::{DepKind, Dependency, Ecosystem, Format, LockedFile, Manifest, VersionRef};
pub use error::PythonError;
pub use installed::read_installed;
pub use name::PackageName;
pub use requirement::{Requirement, parse_requirement};
pub use requirements::read_tree;
pub use util::MAX_BYTES;

/// The format of a dependency file, from its path (only the file name and, for
/// `requirements/*.txt` and `*.dist-info/METADATA`, its parent directory matter).
pub fn detect(path: &str) -> Option<Format> {
    let path = path.replace('\\', "/");
    let mut parts = path.rsplit('/');
    let file = parts.next()?;
    let parent = parts.next().unwrap_or("");
    let lower = file.to_ascii_lowercase();
    let format = match lower.as_str() {
        "pyproject.toml" => Format::Pyproject,
        "uv.lock" => Format::UvLock,
        "pylock.toml" => Format::Pylock,
        "poetry.lock" => Format::PoetryLock,
        "pipfile.lock" => Format::PipfileLock,
        "pdm.lock" => Format::PdmLock,
        "pixi.lock" => Format::PixiLock,
        "conda-lock.yml" | "conda-lock.yaml" => Format::CondaLock,
        "metadata" if parent.ends_with(".dist-info") => Format::Installed,
        f if f.starts_with("pylock.") && f.ends_with(".toml") => Format::Pylock,
        f if f.starts_with("environment") && (f.ends_with(".yml") || f.ends_with(".yaml")) => {
            Format::CondaEnvironment
        }
        f if f.ends_with(".txt")
            && (f.contains("requirements")
                || f.starts_with("constraints")
                || parent == "requirements"
                || parent == "constraints") =>
        {
            Format::Requirements
        }
        _ => return None,
    };
    Some(format)
}

/// Reads `text` as the format [`detect`] gives for `path`; `None` when the path is not a
/// dependency file.
pub fn read(path: &str, text: &str) -> Option<Manifest> {
    let m = match detect(path)? {
        Format::Requirements => requirements::parse(path, text),
        Format::Pyproject => pyproject::parse(path, text),
        Format::UvLock => uv_lock::parse(path, text),
        Format::Pylock => pylock::parse(path, text),
        Format::PoetryLock => poetry_lock::parse(path, text),
        Format::PipfileLock => pipfile_lock::parse(path, text),
        Format::PdmLock => pdm_lock::parse(path, text),
        Format::PixiLock => pixi_lock::parse(path, text),
        Format::CondaEnvironment => conda_env::parse(path, text),
        Format::CondaLock => conda_lock::parse(path, text),
        Format::Installed => installed::parse(path, text),
    };
    Some(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects() {
        let cases = [
            ("requirements.txt", Some(Format::Requirements)),
            ("requirements-dev.txt", Some(Format::Requirements)),
            ("ci/test_requirements.txt", Some(Format::Requirements)),
            ("requirements/docs.txt", Some(Format::Requirements)),
            (
                "resources/constraints/constraints_py3.12.txt",
                Some(Format::Requirements),
            ),
            ("constraints.txt", Some(Format::Requirements)),
            ("pyproject.toml", Some(Format::Pyproject)),
            ("a/uv.lock", Some(Format::UvLock)),
            ("pylock.toml", Some(Format::Pylock)),
            ("tools/pylock.ci-old.toml", Some(Format::Pylock)),
            ("poetry.lock", Some(Format::PoetryLock)),
            ("Pipfile.lock", Some(Format::PipfileLock)),
            ("pdm.lock", Some(Format::PdmLock)),
            ("pixi.lock", Some(Format::PixiLock)),
            ("environment.yml", Some(Format::CondaEnvironment)),
            ("environment-dev.yaml", Some(Format::CondaEnvironment)),
            ("conda-lock.yml", Some(Format::CondaLock)),
            ("lib/numpy-2.0.dist-info/METADATA", Some(Format::Installed)),
            ("README.txt", None),
            ("METADATA", None),
            ("Cargo.lock", None),
            ("setup.cfg", None),
        ];
        for (p, f) in cases {
            assert_eq!(detect(p), f, "{p}");
        }
    }
}
