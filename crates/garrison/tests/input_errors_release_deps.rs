//! Input errors of the release, dependency, SBOM and database commands: exit 2 and a message
//! that names the input and says what to do, never a finding or silence.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use assert_cmd::Command;

fn garrison(args: &[&std::ffi::OsStr]) -> (i32, String, String) {
    let out = Command::cargo_bin("garrison")
        .unwrap()
        .env_remove("GARRISON_DB")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `garrison ARGS...` with paths under `dir` given relative to it.
fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let args: Vec<std::ffi::OsString> = args
        .iter()
        .map(|a| match a.strip_prefix('@') {
            Some(rel) => dir.join(rel).into_os_string(),
            None => (*a).into(),
        })
        .collect();
    let refs: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_os_str()).collect();
    garrison(&refs)
}

fn usage_error(got: (i32, String, String), wanted: &str) {
    let (code, out, err) = got;
    assert_eq!(code, 2, "stdout: {out}\nstderr: {err}");
    assert!(err.contains(wanted), "expected `{wanted}` in: {err}");
    assert!(out.is_empty(), "nothing on standard output: {out}");
}

const OSV: &str = r#"{"id": "PYSEC-0000-1", "modified": "2024-01-01T00:00:00Z",
 "affected": [{"package": {"name": "numpy", "ecosystem": "PyPI"},
   "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.22.0"}]}]}]}"#;

#[test]
fn release_verify_refuses_what_is_not_a_distribution() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("README.md"), "# hello\n").unwrap();
    usage_error(
        run(dir.path(), &["release", "verify", "@README.md"]),
        "README.md: not a distribution: expected .whl, .tar.gz or .zip",
    );
    // A truncated download: the start of a zip, cut off.
    std::fs::write(
        dir.path().join("pkg-1.0-py3-none-any.whl"),
        b"PK\x03\x04\x14\x00",
    )
    .unwrap();
    usage_error(
        run(
            dir.path(),
            &["release", "verify", "@pkg-1.0-py3-none-any.whl"],
        ),
        "pkg-1.0-py3-none-any.whl: truncated or not an archive (",
    );
    std::fs::write(dir.path().join("pkg-1.0.tar.gz"), b"\x1f\x8b\x08\x00").unwrap();
    usage_error(
        run(dir.path(), &["release", "verify", "@pkg-1.0.tar.gz"]),
        "pkg-1.0.tar.gz: truncated or not an archive (",
    );
    // Unreadable: a directory named like a wheel.
    std::fs::create_dir(dir.path().join("dir-1.0-py3-none-any.whl")).unwrap();
    usage_error(
        run(
            dir.path(),
            &["release", "verify", "@dir-1.0-py3-none-any.whl"],
        ),
        "dir-1.0-py3-none-any.whl: not a regular file",
    );
    usage_error(
        run(dir.path(), &["release", "verify", "@missing-1.0.tar.gz"]),
        "missing-1.0.tar.gz: no such file",
    );
}

#[test]
fn sbom_refuses_a_file_that_is_not_a_dependency_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("garbage.bin"),
        [0u8, 159, 146, 150, 255, 0, 1],
    )
    .unwrap();
    usage_error(
        run(dir.path(), &["sbom", "@garbage.bin"]),
        "garbage.bin: not a dependency file Garrison can read (not valid UTF-8",
    );
    std::fs::write(dir.path().join("notes.md"), "# Notes\n\nsome prose here\n").unwrap();
    usage_error(
        run(dir.path(), &["sbom", "@notes.md"]),
        "notes.md: not a dependency file Garrison can read (",
    );
    // A real requirements file still works.
    std::fs::write(dir.path().join("requirements.txt"), "numpy==1.21.0\n").unwrap();
    let (code, out, err) = run(dir.path(), &["sbom", "@requirements.txt"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("pkg:pypi/numpy@1.21.0"), "{out}");
}

#[test]
fn deps_of_an_unreadable_file_is_an_input_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("requirements.txt"), [b'n', 0xff, b'\n']).unwrap();
    usage_error(
        run(dir.path(), &["deps", "@requirements.txt"]),
        "requirements.txt: not valid UTF-8 (byte 1); not analysed",
    );
}

#[test]
fn db_import_of_nothing_keeps_the_database() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("PYSEC-0000-1.json"), OSV).unwrap();
    let db = dir.path().join("advisories.db");
    let (code, _, err) = run(
        dir.path(),
        &[
            "db",
            "import",
            "@PYSEC-0000-1.json",
            "--db",
            "@advisories.db",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let before = std::fs::read(&db).unwrap();
    std::fs::create_dir(dir.path().join("empty")).unwrap();
    usage_error(
        run(
            dir.path(),
            &["db", "import", "@empty", "--db", "@advisories.db"],
        ),
        "empty: no PyPI advisories found (0 records read, 0 unreadable);",
    );
    assert_eq!(
        std::fs::read(&db).unwrap(),
        before,
        "the database is unchanged"
    );
}

#[test]
fn deps_impact_needs_projects_and_a_format_it_can_write() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("advisory.json"), OSV).unwrap();
    std::fs::create_dir(dir.path().join("projects")).unwrap();
    std::fs::create_dir(dir.path().join("projects/docs")).unwrap();
    std::fs::write(dir.path().join("projects/docs/README.md"), "# docs\n").unwrap();
    usage_error(
        run(
            dir.path(),
            &[
                "deps",
                "impact",
                "@advisory.json",
                "--projects",
                "@projects",
            ],
        ),
        "projects: no Python projects (no pyproject.toml, requirements or lock file",
    );
    std::fs::create_dir(dir.path().join("projects/app")).unwrap();
    std::fs::write(
        dir.path().join("projects/app/requirements.txt"),
        "numpy==1.21.0\n",
    )
    .unwrap();
    usage_error(
        run(
            dir.path(),
            &[
                "deps",
                "impact",
                "@advisory.json",
                "--projects",
                "@projects",
                "-f",
                "sarif",
            ],
        ),
        "deps impact writes text, json or markdown",
    );
    let (code, out, err) = run(
        dir.path(),
        &[
            "deps",
            "impact",
            "@advisory.json",
            "--projects",
            "@projects",
            "-f",
            "json",
        ],
    );
    assert_eq!(code, 1, "an affected project fails the run: {err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["projects_scanned"], 2);
    assert_eq!(v["hits"][0]["dependency"], "numpy");
}
