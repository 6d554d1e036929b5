//! End-to-end tests of `garrison release verify --source` on a real git repository (built
//! with `git` in a temporary directory): the tag is found from the distribution's version, an
//! explicit `PATH@REF` is honoured, and what differs from the tagged tree is reported with the
//! exit code a release pipeline can gate on. Each case is a snapshot of the whole run (exit
//! code, standard output, standard error); the commits have fixed dates, so their ids are the
//! same on every machine.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use garrison_test::cli::{Run, run, snapshots};
use garrison_test::git::{Repo, Who, require_git, utc};

const PYPROJECT: &str = "[build-system]\nrequires = [\"flit_core>=3.9\"]\nbuild-backend = \"flit_core.buildapi\"\n\n[project]\nname = \"sci-pkg\"\nversion = \"1.2.0\"\ndescription = \"x\"\nrequires-python = \">=3.9\"\ndependencies = [\"numpy>=1.24\"]\n";
const CORE_TAGGED: &str = "def mean(xs):\n    return sum(xs) / len(xs)\n";
const CORE_LATER: &str = "def mean(xs):\n    xs = list(xs)\n    return sum(xs) / len(xs)\n";

const MAINTAINER: Who = Who::of("Maintainer", "m@example.org");
/// 2026-01-01T00:00:00Z.
const RELEASED: i64 = 1_767_225_600;

fn write(root: &Path, files: &[(&str, &str)]) {
    for (p, d) in files {
        let path = root.join(p);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, d).unwrap();
    }
}

/// A repository tagged `v1.2.0` (lightweight), then one more commit that changes `core.py`;
/// `None` when `git` is missing (a failure under CI).
fn repo() -> Option<Repo> {
    if !require_git() {
        return None;
    }
    let r = Repo::new();
    for (p, d) in tagged_files() {
        r.write(p, d);
    }
    r.write(".gitignore", "build/\n/m4/*.m4\n");
    r.commit("release 1.2.0", &MAINTAINER, utc(RELEASED));
    r.lightweight_tag("v1.2.0");
    r.write("sci_pkg/core.py", CORE_LATER);
    r.commit("accept iterables", &MAINTAINER, utc(RELEASED));
    Some(r)
}

/// An sdist as flit writes it: `sci_pkg-1.2.0/` with the files and PKG-INFO.
fn sdist(dir: &Path, version: &str, files: &[(&str, &str)]) -> PathBuf {
    let top = format!("sci_pkg-{version}");
    let mut b = tar::Builder::new(Vec::new());
    let pkg_info = format!(
        "Metadata-Version: 2.1\nName: sci-pkg\nVersion: {version}\nSummary: x\nRequires-Python: >=3.9\nRequires-Dist: numpy>=1.24\n"
    );
    let mut all: Vec<(String, String)> = files
        .iter()
        .map(|(p, d)| (format!("{top}/{p}"), d.to_string()))
        .collect();
    all.push((format!("{top}/PKG-INFO"), pkg_info));
    for (p, d) in &all {
        let mut h = tar::Header::new_gnu();
        h.set_mode(0o644);
        h.set_size(d.len() as u64);
        h.set_cksum();
        b.append_data(&mut h, p, d.as_bytes()).unwrap();
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&b.into_inner().unwrap()).unwrap();
    let path = dir.join(format!("sci_pkg-{version}.tar.gz"));
    std::fs::write(&path, gz.finish().unwrap()).unwrap();
    path
}

fn tagged_files() -> Vec<(&'static str, &'static str)> {
    vec![
        ("pyproject.toml", PYPROJECT),
        (
            "sci_pkg/__init__.py",
            "\"\"\"Statistics.\"\"\"\n__version__ = \"1.2.0\"\nfrom .core import mean\n",
        ),
        ("sci_pkg/core.py", CORE_TAGGED),
        ("README.md", "# sci-pkg\n"),
    ]
}

/// `garrison release verify DIST --source SOURCE EXTRA…`, with the temporary directory of the
/// dists and the repository redacted.
fn verify(dist: &Path, source: &str, extra: &[&str], redact: &[(&Path, &str)]) -> Run {
    run(
        Command::new(env!("CARGO_BIN_EXE_garrison"))
            .env("NO_COLOR", "1")
            .env("GARRISON_NO_PROGRESS", "1")
            .args(["release", "verify"])
            .arg(dist)
            .args(["--source", source])
            .args(extra),
        redact,
    )
}

#[test]
fn clean_sdist_matches_its_tag_not_head() {
    let Some(r) = repo() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let dist = sdist(tmp.path(), "1.2.0", &tagged_files());
    let source = r.path().display().to_string();
    let redact = [(tmp.path(), "[DISTS]"), (r.path(), "[REPO]")];
    // The tag is found from the version: every file identical, PKG-INFO expected from the build.
    insta::assert_snapshot!(verify(&dist, &source, &[], &redact).snapshot(), @"
    exit: 0
    --- stdout
    sci_pkg-1.2.0.tar.gz vs [REPO]@v1.2.0 (4eae237e22): 5 files: 4 identical, 1 expected from the build, 0 with findings

    sci_pkg-1.2.0.tar.gz (1 finding)

    info[release/generated-file]: 1 file expected from every build backend: PKG-INFO
    --> sci_pkg-1.2.0.tar.gz
     = note: the sdist's core metadata, written by the build backend (checked against pyproject.toml separately)
     = confidence: high
     = route: PKG-INFO
     = help: nothing to fix; these files are produced by the build and were checked by shape, not byte for byte
     = see: https://github.com/garrison-security/garrison/blob/main/docs/rules/release/generated-file.md

    release: 1 info
    1 finding (1 info) in 1 file
    ");
    // Against HEAD the same sdist differs: core.py changed after the tag (the diff excerpt is
    // shown).
    let at_head = format!("{source}@main");
    insta::assert_snapshot!(verify(&dist, &at_head, &[], &redact).snapshot(), @"
    exit: 1
    --- stdout
    sci_pkg-1.2.0.tar.gz vs [REPO]@main (47d0180758): 5 files: 3 identical, 1 expected from the build, 1 with findings

    sci_pkg-1.2.0.tar.gz (2 findings)

    high[release/content-differs]: `sci_pkg/core.py` differs from the source file in [REPO]@main (47d0180758) (+0 −1 lines)
    --> sci_pkg-1.2.0.tar.gz
     = note: --- source/sci_pkg/core.py
             +++ dist/sci_pkg/core.py
             @@ -1,3 +1,2 @@
              def mean(xs):
             -    xs = list(xs)
                  return sum(xs) / len(xs)
     = confidence: high
     = route: sci_pkg/core.py
     = related: sci_pkg/core.py: the source file in [REPO]@main (47d0180758)
     = help: do not publish this artifact; rebuild from a clean checkout of the tag and find what changed the file
     = see: https://github.com/garrison-security/garrison/blob/main/docs/rules/release/content-differs.md

    info[release/generated-file]: 1 file expected from every build backend: PKG-INFO
    --> sci_pkg-1.2.0.tar.gz
     = note: the sdist's core metadata, written by the build backend (checked against pyproject.toml separately)
     = confidence: high
     = route: PKG-INFO
     = help: nothing to fix; these files are produced by the build and were checked by shape, not byte for byte
     = see: https://github.com/garrison-security/garrison/blob/main/docs/rules/release/generated-file.md

    release: 1 high, 1 info
    2 findings (1 high, 1 info) in 1 file
    ");
}

#[test]
fn tampered_sdist_fails_with_explained_findings() {
    let Some(r) = repo() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let mut files = tagged_files();
    files.retain(|(p, _)| *p != "sci_pkg/core.py");
    files.push((
        "sci_pkg/core.py",
        "def mean(xs):\n    __import__('os').system('id')\n    return sum(xs) / len(xs)\n",
    ));
    files.push(("m4/build-to-host.m4", "AC_DEFUN([x], [eval $y])\n"));
    files.push(("sci_pkg/_extra.py", "print('hi')\n"));
    let dist = sdist(tmp.path(), "1.2.0", &files);
    let source = r.path().display().to_string();
    let redact = [(tmp.path(), "[DISTS]"), (r.path(), "[REPO]")];
    // A changed file (the diff shows the added line), a file the repository does not have, and
    // a file its .gitignore excludes (the rule quoted and located): the text and JSON reports.
    let text = verify(&dist, &source, &[], &redact);
    let json = verify(&dist, &source, &["--format", "json"], &redact);
    insta::assert_snapshot!(
        "tampered_sdist",
        snapshots(&[("text", &text), ("json", &json)])
    );
}

#[test]
fn missing_tag_and_bad_source_are_usage_errors() {
    let Some(r) = repo() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let dist = sdist(tmp.path(), "9.9.9", &tagged_files());
    let source = r.path().display().to_string();
    let redact = [(tmp.path(), "[DISTS]"), (r.path(), "[REPO]")];
    // The tried tag names are listed.
    insta::assert_snapshot!(verify(&dist, &source, &[], &redact).snapshot(), @"
    exit: 2
    --- stderr
    garrison: error: [REPO]: no tag names version 9.9.9 of sci-pkg (tried v9.9.9, 9.9.9, sci-pkg-9.9.9, sci-pkg-v9.9.9, release-9.9.9, release/9.9.9, sci-pkg/v9.9.9, and any tag equal to 9.9.9 under PEP 440); give the ref with --source [REPO]@REF
    ");
    let bad_ref = format!("{source}@no-such-ref");
    insta::assert_snapshot!(verify(&dist, &bad_ref, &[], &redact).snapshot(), @r#"
    exit: 2
    --- stderr
    garrison: error: cannot resolve revision no-such-ref: couldn't parse revision, input="no-such-ref"
    "#);
    insta::assert_snapshot!(verify(&dist, "/no/such/dir", &[], &redact).snapshot(), @"
    exit: 2
    --- stderr
    garrison: error: --source /no/such/dir: no such directory
    ");
}

#[test]
fn plain_directory_source() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("checkout");
    write(&src, &tagged_files());
    let dist = sdist(tmp.path(), "1.2.0", &tagged_files());
    let redact = [(tmp.path(), "[TMP]")];
    insta::assert_snapshot!(verify(&dist, src.to_str().unwrap(), &[], &redact).snapshot(), @"
    exit: 0
    --- stdout
    sci_pkg-1.2.0.tar.gz vs [TMP]/checkout: 5 files: 4 identical, 1 expected from the build, 0 with findings

    sci_pkg-1.2.0.tar.gz (1 finding)

    info[release/generated-file]: 1 file expected from every build backend: PKG-INFO
    --> sci_pkg-1.2.0.tar.gz
     = note: the sdist's core metadata, written by the build backend (checked against pyproject.toml separately)
     = confidence: high
     = route: PKG-INFO
     = help: nothing to fix; these files are produced by the build and were checked by shape, not byte for byte
     = see: https://github.com/garrison-security/garrison/blob/main/docs/rules/release/generated-file.md

    release: 1 info
    1 finding (1 info) in 1 file
    ");
}

#[test]
fn project_config_ignores_by_member_path_but_select_does_not_hide_release_findings() {
    let Some(r) = repo() else { return };
    let tmp = tempfile::tempdir().unwrap();
    // The project's config (in its working tree) selects only workflow rules for `scan` and
    // ignores one reviewed generated file of its releases, by the path inside the dist.
    write(
        r.path(),
        &[(
            "garrison.toml",
            "select = [\"workflow\"]\nignore = [{ rule = \"release/file-not-in-source\", path = \"sci_pkg/_generated_*.py\", reason = \"written by tools/gen.py, reviewed\" }]\n",
        )],
    );
    let mut files = tagged_files();
    files.push(("sci_pkg/_generated_api.py", "API = 1\n"));
    files.push(("sci_pkg/_extra.py", "print('hi')\n"));
    let dist = sdist(tmp.path(), "1.2.0", &files);
    let source = r.path().display().to_string();
    let redact = [(tmp.path(), "[DISTS]"), (r.path(), "[REPO]")];
    // Only `sci_pkg/_extra.py` is reported as not in the source; the generated file is
    // suppressed by the configuration.
    insta::assert_snapshot!(
        "config_ignores_by_member_path",
        verify(&dist, &source, &["--format", "json"], &redact).snapshot()
    );
    // --min-severity hides the info allowances.
    insta::assert_snapshot!(verify(&dist, &source, &["--min-severity", "low"], &redact).snapshot(), @"
    exit: 1
    --- stdout
    sci_pkg-1.2.0.tar.gz vs [REPO]@v1.2.0 (4eae237e22): 7 files: 4 identical, 1 expected from the build, 2 with findings

    sci_pkg-1.2.0.tar.gz (1 finding)

    high[release/file-not-in-source]: `sci_pkg/_extra.py` is in the distribution but not in [REPO]@v1.2.0 (4eae237e22)
    --> sci_pkg-1.2.0.tar.gz
     = note: no file `sci_pkg/_extra.py` in [REPO]@v1.2.0 (4eae237e22)
     = confidence: medium
     = route: sci_pkg/_extra.py
     = help: do not publish or install this artifact until the file's origin is known; rebuild from a clean checkout of the tag
     = see: https://github.com/garrison-security/garrison/blob/main/docs/rules/release/file-not-in-source.md

    release: 1 high
    1 finding (1 high) in 1 file; 2 suppressed (config 1, below threshold 1)
    ");
}

/// A vendored library as a git submodule: its files are read from the checkout at the commit
/// the tag records and compared like the rest; a doctored vendored file is reported.
#[test]
fn submodule_files_are_compared_when_checked_out() {
    if !require_git() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    // Siblings, so the submodule's URL is relative (`../vendored-lib`) and the commit recording
    // `.gitmodules` has the same id on every machine.
    let lib = Repo::at(&tmp.path().join("vendored-lib"));
    lib.write("src/fast.c", "int fast(void) { return 1; }\n");
    lib.commit("lib", &MAINTAINER, utc(RELEASED));

    let r = Repo::at(&tmp.path().join("repo"));
    for (p, d) in tagged_files() {
        r.write(p, d);
    }
    r.git(
        &[
            "-c",
            "protocol.file.allow=always",
            "submodule",
            "add",
            "-q",
            "../vendored-lib",
            "vendored/lib",
        ],
        &[],
    );
    r.commit("release 1.2.0", &MAINTAINER, utc(RELEASED));
    r.lightweight_tag("v1.2.0");

    let gitmodules = std::fs::read_to_string(r.path().join(".gitmodules")).unwrap();
    let mut files = tagged_files();
    files.push(("vendored/lib/src/fast.c", "int fast(void) { return 1; }\n"));
    files.push((".gitmodules", gitmodules.as_str()));
    let dist = sdist(tmp.path(), "1.2.0", &files);
    let source = r.path().display().to_string();
    let redact = [(tmp.path(), "[TMP]")];
    // The submodule's file is compared (7 files: 6 identical).
    insta::assert_snapshot!(verify(&dist, &source, &[], &redact).snapshot(), @"
    exit: 0
    --- stdout
    sci_pkg-1.2.0.tar.gz vs [TMP]/repo@v1.2.0 (d12a8c3ea0): 7 files: 6 identical, 1 expected from the build, 0 with findings

    sci_pkg-1.2.0.tar.gz (1 finding)

    info[release/generated-file]: 1 file expected from every build backend: PKG-INFO
    --> sci_pkg-1.2.0.tar.gz
     = note: the sdist's core metadata, written by the build backend (checked against pyproject.toml separately)
     = confidence: high
     = route: PKG-INFO
     = help: nothing to fix; these files are produced by the build and were checked by shape, not byte for byte
     = see: https://github.com/garrison-security/garrison/blob/main/docs/rules/release/generated-file.md

    release: 1 info
    1 finding (1 info) in 1 file
    ");

    files.retain(|(p, _)| !p.starts_with("vendored/"));
    files.push((
        "vendored/lib/src/fast.c",
        "int fast(void) { system(\"id\"); return 1; }\n",
    ));
    let dist = sdist(tmp.path(), "1.2.0", &files);
    insta::assert_snapshot!(verify(&dist, &source, &[], &redact).snapshot(), @r#"
    exit: 1
    --- stdout
    sci_pkg-1.2.0.tar.gz vs [TMP]/repo@v1.2.0 (d12a8c3ea0): 7 files: 5 identical, 1 expected from the build, 1 with findings

    sci_pkg-1.2.0.tar.gz (2 findings)

    high[release/content-differs]: `vendored/lib/src/fast.c` differs from the source file in [TMP]/repo@v1.2.0 (d12a8c3ea0) (+1 −1 lines)
    --> sci_pkg-1.2.0.tar.gz
     = note: --- source/vendored/lib/src/fast.c
             +++ dist/vendored/lib/src/fast.c
             @@ -1 +1 @@
             -int fast(void) { return 1; }
             +int fast(void) { system("id"); return 1; }
     = confidence: high
     = route: vendored/lib/src/fast.c
     = related: vendored/lib/src/fast.c: the source file in [TMP]/repo@v1.2.0 (d12a8c3ea0)
     = help: do not publish this artifact; rebuild from a clean checkout of the tag and find what changed the file
     = see: https://github.com/garrison-security/garrison/blob/main/docs/rules/release/content-differs.md

    info[release/generated-file]: 1 file expected from every build backend: PKG-INFO
    --> sci_pkg-1.2.0.tar.gz
     = note: the sdist's core metadata, written by the build backend (checked against pyproject.toml separately)
     = confidence: high
     = route: PKG-INFO
     = help: nothing to fix; these files are produced by the build and were checked by shape, not byte for byte
     = see: https://github.com/garrison-security/garrison/blob/main/docs/rules/release/generated-file.md

    release: 1 high, 1 info
    2 findings (1 high, 1 info) in 1 file
    "#);
}
