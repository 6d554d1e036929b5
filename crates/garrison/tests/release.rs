//! End-to-end tests of `garrison release verify --source` on a real git repository (built
//! with `git` in a temporary directory): the tag is found from the distribution's version, an
//! explicit `PATH@REF` is honoured, and what differs from the tagged tree is reported with the
//! exit code a release pipeline can gate on.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write as _;
use std::path::Path;
use std::process::Command as Std;

use assert_cmd::Command;

const PYPROJECT: &str = "[build-system]\nrequires = [\"flit_core>=3.9\"]\nbuild-backend = \"flit_core.buildapi\"\n\n[project]\nname = \"sci-pkg\"\nversion = \"1.2.0\"\ndescription = \"x\"\nrequires-python = \">=3.9\"\ndependencies = [\"numpy>=1.24\"]\n";
const CORE_TAGGED: &str = "def mean(xs):\n    return sum(xs) / len(xs)\n";
const CORE_LATER: &str = "def mean(xs):\n    xs = list(xs)\n    return sum(xs) / len(xs)\n";

fn git(dir: &Path, args: &[&str]) {
    let out = Std::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "Maintainer")
        .env("GIT_AUTHOR_EMAIL", "m@example.org")
        .env("GIT_COMMITTER_NAME", "Maintainer")
        .env("GIT_COMMITTER_EMAIL", "m@example.org")
        .env("GIT_AUTHOR_DATE", "2026-01-01T00:00:00Z")
        .env("GIT_COMMITTER_DATE", "2026-01-01T00:00:00Z")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn write(root: &Path, files: &[(&str, &str)]) {
    for (p, d) in files {
        let path = root.join(p);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, d).unwrap();
    }
}

/// A repository tagged `v1.2.0`, then one more commit that changes `core.py`.
fn repo(root: &Path) -> std::path::PathBuf {
    let r = root.join("repo");
    std::fs::create_dir_all(&r).unwrap();
    git(&r, &["init", "-q", "-b", "main"]);
    write(
        &r,
        &[
            ("pyproject.toml", PYPROJECT),
            (".gitignore", "build/\n/m4/*.m4\n"),
            (
                "sci_pkg/__init__.py",
                "\"\"\"Statistics.\"\"\"\n__version__ = \"1.2.0\"\nfrom .core import mean\n",
            ),
            ("sci_pkg/core.py", CORE_TAGGED),
            ("README.md", "# sci-pkg\n"),
        ],
    );
    git(&r, &["add", "-A"]);
    git(&r, &["commit", "-q", "-m", "release 1.2.0"]);
    git(&r, &["tag", "v1.2.0"]);
    write(&r, &[("sci_pkg/core.py", CORE_LATER)]);
    git(&r, &["commit", "-q", "-am", "accept iterables"]);
    r
}

/// An sdist as flit writes it: `sci_pkg-1.2.0/` with the files and PKG-INFO.
fn sdist(dir: &Path, version: &str, files: &[(&str, &str)]) -> std::path::PathBuf {
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

fn garrison(args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("garrison")
        .unwrap()
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn clean_sdist_matches_its_tag_not_head() {
    let tmp = tempfile::tempdir().unwrap();
    let r = repo(tmp.path());
    let dist = sdist(tmp.path(), "1.2.0", &tagged_files());
    let (code, out, err) = garrison(&[
        "release",
        "verify",
        dist.to_str().unwrap(),
        "--source",
        r.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("sci_pkg-1.2.0.tar.gz vs "), "{out}");
    assert!(out.contains("@v1.2.0 ("), "{out}");
    assert!(
        out.contains("5 files: 4 identical, 1 expected from the build, 0 with findings"),
        "{out}"
    );

    // Against HEAD the same sdist differs: core.py changed after the tag.
    let at_head = format!("{}@main", r.display());
    let (code, out, _) = garrison(&[
        "release",
        "verify",
        dist.to_str().unwrap(),
        "--source",
        &at_head,
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("release/content-differs"), "{out}");
    assert!(
        out.contains("-    xs = list(xs)"),
        "the diff excerpt is shown: {out}"
    );
}

#[test]
fn tampered_sdist_fails_with_explained_findings() {
    let tmp = tempfile::tempdir().unwrap();
    let r = repo(tmp.path());
    let mut files = tagged_files();
    files.retain(|(p, _)| *p != "sci_pkg/core.py");
    files.push((
        "sci_pkg/core.py",
        "def mean(xs):\n    __import__('os').system('id')\n    return sum(xs) / len(xs)\n",
    ));
    files.push(("m4/build-to-host.m4", "AC_DEFUN([x], [eval $y])\n"));
    files.push(("sci_pkg/_extra.py", "print('hi')\n"));
    let dist = sdist(tmp.path(), "1.2.0", &files);
    let (code, out, _) = garrison(&[
        "release",
        "verify",
        dist.to_str().unwrap(),
        "--source",
        r.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(code, 1, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let mut got: Vec<(String, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] != "info")
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        vec![
            ("release/content-differs".to_string(), "high".to_string()),
            ("release/file-not-in-source".to_string(), "high".to_string()),
            (
                "release/ignored-file-in-dist".to_string(),
                "critical".to_string()
            ),
        ]
    );

    let (_, text, _) = garrison(&[
        "release",
        "verify",
        dist.to_str().unwrap(),
        "--source",
        r.to_str().unwrap(),
    ]);
    assert!(
        text.contains("`/m4/*.m4`"),
        "the ignore rule is quoted: {text}"
    );
    assert!(text.contains(".gitignore:2"), "and located: {text}");
    assert!(
        text.contains("+    __import__('os').system('id')"),
        "{text}"
    );
}

#[test]
fn missing_tag_and_bad_source_are_usage_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let r = repo(tmp.path());
    let dist = sdist(tmp.path(), "9.9.9", &tagged_files());
    let (code, _, err) = garrison(&[
        "release",
        "verify",
        dist.to_str().unwrap(),
        "--source",
        r.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("no tag names version 9.9.9"), "{err}");
    assert!(err.contains("v9.9.9"), "the tried names are listed: {err}");

    let bad_ref = format!("{}@no-such-ref", r.display());
    let (code, _, err) = garrison(&[
        "release",
        "verify",
        dist.to_str().unwrap(),
        "--source",
        &bad_ref,
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("no-such-ref"), "{err}");

    let (code, _, err) = garrison(&[
        "release",
        "verify",
        dist.to_str().unwrap(),
        "--source",
        "/no/such/dir",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("/no/such/dir"), "{err}");
}

#[test]
fn plain_directory_source() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("checkout");
    write(&src, &tagged_files());
    let dist = sdist(tmp.path(), "1.2.0", &tagged_files());
    let (code, out, err) = garrison(&[
        "release",
        "verify",
        dist.to_str().unwrap(),
        "--source",
        src.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("4 identical"), "{out}");
}

#[test]
fn project_config_ignores_by_member_path_but_select_does_not_hide_release_findings() {
    let tmp = tempfile::tempdir().unwrap();
    let r = repo(tmp.path());
    // The project's config (in its working tree) selects only workflow rules for `scan` and
    // ignores one reviewed generated file of its releases, by the path inside the dist.
    write(
        &r,
        &[(
            "garrison.toml",
            "select = [\"workflow\"]\nignore = [{ rule = \"release/file-not-in-source\", path = \"sci_pkg/_generated_*.py\", reason = \"written by tools/gen.py, reviewed\" }]\n",
        )],
    );
    let mut files = tagged_files();
    files.push(("sci_pkg/_generated_api.py", "API = 1\n"));
    files.push(("sci_pkg/_extra.py", "print('hi')\n"));
    let dist = sdist(tmp.path(), "1.2.0", &files);
    let (code, out, _) = garrison(&[
        "release",
        "verify",
        dist.to_str().unwrap(),
        "--source",
        r.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(code, 1, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let routes: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "release/file-not-in-source")
        .map(|f| f["locations"][0]["route"].as_str().unwrap())
        .collect();
    assert_eq!(routes, vec!["sci_pkg/_extra.py"], "{out}");

    // --min-severity hides the info allowances.
    let (_, out, _) = garrison(&[
        "release",
        "verify",
        dist.to_str().unwrap(),
        "--source",
        r.to_str().unwrap(),
        "--min-severity",
        "low",
    ]);
    assert!(!out.contains("release/generated-file"), "{out}");
    assert!(out.contains("release/file-not-in-source"), "{out}");
}

/// A vendored library as a git submodule: its files are read from the checkout at the commit
/// the tag records and compared like the rest; a doctored vendored file is reported.
#[test]
fn submodule_files_are_compared_when_checked_out() {
    let tmp = tempfile::tempdir().unwrap();
    let lib = tmp.path().join("vendored-lib");
    std::fs::create_dir_all(&lib).unwrap();
    git(&lib, &["init", "-q", "-b", "main"]);
    write(&lib, &[("src/fast.c", "int fast(void) { return 1; }\n")]);
    git(&lib, &["add", "-A"]);
    git(&lib, &["commit", "-q", "-m", "lib"]);

    let r = tmp.path().join("repo");
    std::fs::create_dir_all(&r).unwrap();
    git(&r, &["init", "-q", "-b", "main"]);
    write(&r, &tagged_files());
    git(&r, &["add", "-A"]);
    git(
        &r,
        &[
            "-c",
            "protocol.file.allow=always",
            "submodule",
            "add",
            "-q",
            lib.to_str().unwrap(),
            "vendored/lib",
        ],
    );
    git(&r, &["commit", "-q", "-m", "release 1.2.0"]);
    git(&r, &["tag", "v1.2.0"]);

    let gitmodules = std::fs::read_to_string(r.join(".gitmodules")).unwrap();
    let mut files = tagged_files();
    files.push(("vendored/lib/src/fast.c", "int fast(void) { return 1; }\n"));
    files.push((".gitmodules", gitmodules.as_str()));
    let dist = sdist(tmp.path(), "1.2.0", &files);
    let (code, out, err) = garrison(&[
        "release",
        "verify",
        dist.to_str().unwrap(),
        "--source",
        r.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("7 files: 6 identical"),
        "the submodule file is compared: {out}"
    );

    files.retain(|(p, _)| !p.starts_with("vendored/"));
    files.push((
        "vendored/lib/src/fast.c",
        "int fast(void) { system(\"id\"); return 1; }\n",
    ));
    let dist = sdist(tmp.path(), "1.2.0", &files);
    let (code, out, _) = garrison(&[
        "release",
        "verify",
        dist.to_str().unwrap(),
        "--source",
        r.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("release/content-differs"), "{out}");
    assert!(out.contains("vendored/lib/src/fast.c"), "{out}");
}
