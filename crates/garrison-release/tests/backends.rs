//! Real sdists and wheels built by the pinned build backends (`.ci/python-backends.sh`) from
//! the fixture projects in `tests/fixtures/backends/`: each clean release reads and verifies
//! without findings, and what each backend adds to (or leaves out of) its dists relative to
//! the git tree at the tag is pinned here, so a backend upgrade that changes it is noticed.
//! `tests/fixtures/backends/README.md` describes these members and their content.
//!
//! Skipped with a message when no backend python is found, except under CI, where
//! `common::build::backend_python` panics instead.
#![allow(clippy::unwrap_used, clippy::print_stderr)]

mod common;

use std::collections::BTreeSet;

use common::build::{self, BuildBackend, Built, Comparison};
use garrison_release::{DistKind, Limits, check_dist, read_dist_path, verify_wheel};

/// What a clean release of one fixture is expected to look like, relative to the git tree
/// at its tag. `{EXT}` stands for the building python's extension suffix
/// (`.cpython-311-x86_64-linux-gnu.so`).
struct Expected {
    /// sdist members not in the tree (without the `name-version/` top directory).
    sdist_generated: &'static [&'static str],
    /// Tree files not in the sdist.
    sdist_left_out: &'static [&'static str],
    /// sdist members whose content differs from the tree's.
    sdist_differs: &'static [&'static str],
    /// Wheel members not in the tree (under the layout's package root).
    wheel_generated: &'static [&'static str],
    /// Tree files inside the package directory that are not in the wheel.
    wheel_left_out_of_package: &'static [&'static str],
    /// Wheel members whose content differs from the tree's.
    wheel_differs: &'static [&'static str],
}

struct Release {
    built: Built,
    sdist: Comparison,
    wheel: Comparison,
}

fn set(items: &[&str], ext: &str) -> BTreeSet<String> {
    items.iter().map(|s| s.replace("{EXT}", ext)).collect()
}

/// The tree directory that is the wheel's root: `src/` for a src layout.
fn wheel_root(backend: BuildBackend) -> &'static str {
    match backend {
        BuildBackend::Flit | BuildBackend::Meson => "",
        _ => "src/",
    }
}

/// Builds `backend`'s fixture, checks that both dists read and verify cleanly and carry the
/// tag's version, and compares them with the tree at the tag.
fn release(python: &std::path::Path, backend: BuildBackend) -> Release {
    let built = build::build_release(python, backend);
    let tree = built.tree();
    let version = backend.version();
    let limits = Limits::default();

    let sdist = read_dist_path(&built.sdist, &limits).unwrap();
    assert_eq!(sdist.kind, DistKind::Sdist);
    let sdist_bytes = std::fs::read(&built.sdist).unwrap();
    let findings = check_dist(&sdist.filename, &sdist_bytes, &limits);
    assert!(findings.is_empty(), "{backend:?} sdist: {findings:#?}");
    let sdist_files = build::dist_files(&sdist);
    let pkg_info = String::from_utf8_lossy(&sdist_files["PKG-INFO"]).into_owned();
    assert!(
        pkg_info.contains(&format!("\nVersion: {version}\n")),
        "{backend:?} PKG-INFO:\n{pkg_info}"
    );

    let wheel = read_dist_path(&built.wheel, &limits).unwrap();
    assert_eq!(wheel.kind, DistKind::Wheel);
    let (info, findings) = verify_wheel(&wheel);
    assert!(findings.is_empty(), "{backend:?} wheel: {findings:#?}");
    let wheel_bytes = std::fs::read(&built.wheel).unwrap();
    assert!(check_dist(&wheel.filename, &wheel_bytes, &limits).is_empty());
    assert_eq!(info.metadata.get("Version"), Some(version));
    assert_eq!(info.record.len(), wheel.files.len(), "{backend:?}");
    assert_eq!(
        info.dist_info.as_deref(),
        Some(format!("{}-{version}.dist-info", backend.package()).as_str())
    );

    let sdist = build::compare(&sdist_files, &tree, "");
    let wheel = build::compare(&build::dist_files(&wheel), &tree, wheel_root(backend));
    Release {
        built,
        sdist,
        wheel,
    }
}

fn check(backend: BuildBackend, expected: &Expected) {
    let Some(python) = build::python_or_skip(&format!("{backend:?}")) else {
        return;
    };
    let r = release(&python, backend);
    let ext = r.built.ext_suffix();
    let package_dir = format!("{}{}/", wheel_root(backend), backend.package());
    let wheel_left_out: BTreeSet<String> = r
        .wheel
        .left_out
        .iter()
        .filter(|p| p.starts_with(&package_dir))
        .cloned()
        .collect();
    let got = (
        &r.sdist.generated,
        &r.sdist.left_out,
        &r.sdist.differs,
        &r.wheel.generated,
        &wheel_left_out,
        &r.wheel.differs,
    );
    let want = (
        &set(expected.sdist_generated, &ext),
        &set(expected.sdist_left_out, &ext),
        &set(expected.sdist_differs, &ext),
        &set(expected.wheel_generated, &ext),
        &set(expected.wheel_left_out_of_package, &ext),
        &set(expected.wheel_differs, &ext),
    );
    assert_eq!(
        got, want,
        "{backend:?}: (sdist generated, sdist left out, sdist differs, wheel generated, \
         wheel left out of the package, wheel differs)"
    );
}

#[test]
fn setuptools_scm() {
    check(
        BuildBackend::Setuptools,
        &Expected {
            sdist_generated: &[
                "PKG-INFO",
                "setup.cfg",
                "src/sp_setuptools.egg-info/PKG-INFO",
                "src/sp_setuptools.egg-info/SOURCES.txt",
                "src/sp_setuptools.egg-info/dependency_links.txt",
                "src/sp_setuptools.egg-info/entry_points.txt",
                "src/sp_setuptools.egg-info/requires.txt",
                "src/sp_setuptools.egg-info/scm_file_list.json",
                "src/sp_setuptools.egg-info/scm_version.json",
                "src/sp_setuptools.egg-info/top_level.txt",
                "src/sp_setuptools/_version.py",
            ],
            sdist_left_out: &[],
            sdist_differs: &[],
            wheel_generated: &[
                "sp_setuptools-1.2.0.dist-info/METADATA",
                "sp_setuptools-1.2.0.dist-info/RECORD",
                "sp_setuptools-1.2.0.dist-info/WHEEL",
                "sp_setuptools-1.2.0.dist-info/entry_points.txt",
                "sp_setuptools-1.2.0.dist-info/licenses/LICENSE",
                "sp_setuptools-1.2.0.dist-info/top_level.txt",
                "sp_setuptools/_version.py",
            ],
            wheel_left_out_of_package: &[],
            wheel_differs: &[],
        },
    );
}

#[test]
fn hatchling_vcs() {
    check(
        BuildBackend::Hatch,
        &Expected {
            sdist_generated: &["PKG-INFO", "src/sp_hatch/_version.py"],
            sdist_left_out: &[],
            sdist_differs: &[],
            wheel_generated: &[
                "sp_hatch-1.2.0.dist-info/METADATA",
                "sp_hatch-1.2.0.dist-info/RECORD",
                "sp_hatch-1.2.0.dist-info/WHEEL",
                "sp_hatch-1.2.0.dist-info/entry_points.txt",
                "sp_hatch-1.2.0.dist-info/licenses/LICENSE",
                "sp_hatch/_version.py",
            ],
            wheel_left_out_of_package: &[],
            wheel_differs: &[],
        },
    );
}

#[test]
fn flit_core() {
    check(
        BuildBackend::Flit,
        &Expected {
            sdist_generated: &["PKG-INFO"],
            sdist_left_out: &[".gitignore"],
            sdist_differs: &[],
            wheel_generated: &[
                "sp_flit-0.3.0.dist-info/METADATA",
                "sp_flit-0.3.0.dist-info/RECORD",
                "sp_flit-0.3.0.dist-info/WHEEL",
                "sp_flit-0.3.0.dist-info/entry_points.txt",
                "sp_flit-0.3.0.dist-info/licenses/LICENSE",
            ],
            wheel_left_out_of_package: &[],
            wheel_differs: &[],
        },
    );
}

#[test]
fn pdm_backend() {
    check(
        BuildBackend::Pdm,
        &Expected {
            sdist_generated: &["PKG-INFO", "src/sp_pdm/_version.py"],
            sdist_left_out: &[".gitignore"],
            // pdm-backend rewrites pyproject.toml with the resolved version (`dynamic = []`,
            // `version = "1.2.0"`) and reformats its arrays.
            sdist_differs: &["pyproject.toml"],
            wheel_generated: &[
                "sp_pdm-1.2.0.dist-info/METADATA",
                "sp_pdm-1.2.0.dist-info/RECORD",
                "sp_pdm-1.2.0.dist-info/WHEEL",
                "sp_pdm-1.2.0.dist-info/entry_points.txt",
                "sp_pdm-1.2.0.dist-info/licenses/LICENSE",
                "sp_pdm/_version.py",
            ],
            wheel_left_out_of_package: &[],
            wheel_differs: &[],
        },
    );
}

#[test]
fn poetry_core() {
    check(
        BuildBackend::Poetry,
        &Expected {
            sdist_generated: &["PKG-INFO"],
            sdist_left_out: &[".gitignore"],
            sdist_differs: &[],
            wheel_generated: &[
                "sp_poetry-2.0.1.dist-info/METADATA",
                "sp_poetry-2.0.1.dist-info/RECORD",
                "sp_poetry-2.0.1.dist-info/WHEEL",
                "sp_poetry-2.0.1.dist-info/entry_points.txt",
                "sp_poetry-2.0.1.dist-info/licenses/LICENSE",
            ],
            wheel_left_out_of_package: &[],
            wheel_differs: &[],
        },
    );
}

#[test]
fn meson_python() {
    check(
        BuildBackend::Meson,
        &Expected {
            sdist_generated: &["PKG-INFO"],
            sdist_left_out: &[],
            sdist_differs: &[],
            wheel_generated: &[
                "sp_meson-0.4.0.dist-info/METADATA",
                "sp_meson-0.4.0.dist-info/RECORD",
                "sp_meson-0.4.0.dist-info/WHEEL",
                "sp_meson-0.4.0.dist-info/licenses/LICENSE",
                "sp_meson/_kernels{EXT}",
                "sp_meson/version.py",
            ],
            wheel_left_out_of_package: &["sp_meson/_kernels.c", "sp_meson/version.py.in"],
            wheel_differs: &[],
        },
    );
}

#[test]
fn scikit_build_core() {
    check(
        BuildBackend::ScikitBuild,
        &Expected {
            sdist_generated: &["PKG-INFO"],
            sdist_left_out: &[],
            sdist_differs: &[],
            // The C source stays in the wheel: scikit-build-core copies the package dir.
            wheel_generated: &[
                "sp_skbuild-0.5.0.dist-info/METADATA",
                "sp_skbuild-0.5.0.dist-info/RECORD",
                "sp_skbuild-0.5.0.dist-info/WHEEL",
                "sp_skbuild-0.5.0.dist-info/licenses/LICENSE",
                "sp_skbuild/_kernels{EXT}",
            ],
            wheel_left_out_of_package: &[],
            wheel_differs: &[],
        },
    );
}

#[test]
fn setuptools_versioneer() {
    check(
        BuildBackend::Versioneer,
        &Expected {
            sdist_generated: &[
                "PKG-INFO",
                "setup.cfg",
                "src/sp_versioneer.egg-info/PKG-INFO",
                "src/sp_versioneer.egg-info/SOURCES.txt",
                "src/sp_versioneer.egg-info/dependency_links.txt",
                "src/sp_versioneer.egg-info/requires.txt",
                "src/sp_versioneer.egg-info/top_level.txt",
            ],
            sdist_left_out: &[],
            // versioneer replaces the tracked, VCS-querying _version.py with a static one
            // holding the version and the full commit id, in the sdist and the wheel.
            sdist_differs: &["src/sp_versioneer/_version.py"],
            wheel_generated: &[
                "sp_versioneer-1.2.0.dist-info/METADATA",
                "sp_versioneer-1.2.0.dist-info/RECORD",
                "sp_versioneer-1.2.0.dist-info/WHEEL",
                "sp_versioneer-1.2.0.dist-info/licenses/LICENSE",
                "sp_versioneer-1.2.0.dist-info/top_level.txt",
            ],
            wheel_left_out_of_package: &[],
            wheel_differs: &["sp_versioneer/_version.py"],
        },
    );
}

/// The harness's tampering hook: files edited and added in the checkout after the tag reach
/// both dists (flit takes the package directory as it is on disk), while the tree at the tag
/// stays clean.
#[test]
fn edits_after_the_tag_reach_the_dists() {
    let Some(python) = build::python_or_skip("edits_after_the_tag_reach_the_dists") else {
        return;
    };
    let built = build::build_release_with(&python, BuildBackend::Flit, |src| {
        let stats = src.join("sp_flit/stats.py");
        let mut text = std::fs::read_to_string(&stats).unwrap();
        text.push_str("\nimport os  # injected\n");
        std::fs::write(&stats, text).unwrap();
        std::fs::write(src.join("sp_flit/_hook.py"), "print('injected')\n").unwrap();
    });
    let tree = built.tree();
    assert!(!tree.contains_key("sp_flit/_hook.py"));
    let limits = Limits::default();
    let sdist = read_dist_path(&built.sdist, &limits).unwrap();
    let s = build::compare(&build::dist_files(&sdist), &tree, "");
    assert!(s.generated.contains("sp_flit/_hook.py"), "{s:#?}");
    assert_eq!(s.differs, BTreeSet::from(["sp_flit/stats.py".to_string()]));
    let wheel = read_dist_path(&built.wheel, &limits).unwrap();
    let w = build::compare(&build::dist_files(&wheel), &tree, "");
    assert!(w.generated.contains("sp_flit/_hook.py"), "{w:#?}");
    assert_eq!(w.differs, BTreeSet::from(["sp_flit/stats.py".to_string()]));
    // The wheel's own RECORD is consistent: tampering before the build is invisible to it.
    assert!(verify_wheel(&wheel).1.is_empty());
}

/// meson-python's sdist is `meson dist`, a clone of the committed tree: an uncommitted edit
/// in the checkout reaches neither the sdist nor the wheel built from it.
#[test]
fn meson_dist_ignores_uncommitted_edits() {
    let Some(python) = build::python_or_skip("meson_dist_ignores_uncommitted_edits") else {
        return;
    };
    let built = build::build_release_with(&python, BuildBackend::Meson, |src| {
        std::fs::write(src.join("sp_meson/stats.py"), "import os  # injected\n").unwrap();
    });
    let tree = built.tree();
    let limits = Limits::default();
    let sdist = read_dist_path(&built.sdist, &limits).unwrap();
    let s = build::compare(&build::dist_files(&sdist), &tree, "");
    assert!(s.differs.is_empty(), "{s:#?}");
    let wheel = read_dist_path(&built.wheel, &limits).unwrap();
    let w = build::compare(&build::dist_files(&wheel), &tree, "");
    assert!(w.differs.is_empty(), "{w:#?}");
    assert!(
        w.generated.contains("sp_meson/version.py"),
        "the wheel was built: {w:#?}"
    );
}
