//! Input errors of the release, dependency, SBOM and database commands: exit 2 and a message
//! that names the input and says what to do, never a finding or silence. Each case is a
//! snapshot of the whole run (exit code, standard output, standard error), the temporary
//! directory shown as `[DIR]`.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::Command;

use garrison_test::cli::{Run, run};

/// `garrison ARGS...` run in `dir`, with `@PATH` arguments meaning `dir/PATH` (absolute). The
/// time an import took is shown as `[T]`.
fn on(dir: &Path, args: &[&str]) -> Run {
    let mut c = Command::new(env!("CARGO_BIN_EXE_garrison"));
    c.current_dir(dir)
        .env("NO_COLOR", "1")
        .env("GARRISON_NO_PROGRESS", "1")
        .env("GARRISON_DB", "/nonexistent/garrison-test/advisories.db");
    for a in args {
        match a.strip_prefix('@') {
            Some(rel) => c.arg(dir.join(rel)),
            None => c.arg(a),
        };
    }
    run(&mut c, &[(dir, "[DIR]")])
        .redact(
            concat!("\"", env!("CARGO_PKG_VERSION"), "\""),
            "\"[VERSION]\"",
        )
        .redact_matches(r"imported in \d+\.\d+ s", "imported in [T] s")
}

const OSV: &str = r#"{"id": "PYSEC-0000-1", "modified": "2024-01-01T00:00:00Z",
 "affected": [{"package": {"name": "numpy", "ecosystem": "PyPI"},
   "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.22.0"}]}]}]}"#;

#[test]
fn release_verify_refuses_what_is_not_a_distribution() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("README.md"), "# hello\n").unwrap();
    insta::assert_snapshot!(on(d, &["release", "verify", "@README.md"]).snapshot(), @"
    exit: 2
    --- stderr
    garrison: error: [DIR]/README.md: not a distribution: expected .whl, .tar.gz or .zip
    ");
    // A truncated download: the start of a zip, cut off.
    std::fs::write(d.join("pkg-1.0-py3-none-any.whl"), b"PK\x03\x04\x14\x00").unwrap();
    insta::assert_snapshot!(on(d, &["release", "verify", "@pkg-1.0-py3-none-any.whl"]).snapshot(), @"
    exit: 2
    --- stderr
    garrison: error: [DIR]/pkg-1.0-py3-none-any.whl: truncated or not an archive (invalid Zip archive: Could not find EOCD); download it again
    ");
    std::fs::write(d.join("pkg-1.0.tar.gz"), b"\x1f\x8b\x08\x00").unwrap();
    insta::assert_snapshot!(on(d, &["release", "verify", "@pkg-1.0.tar.gz"]).snapshot(), @"
    exit: 2
    --- stderr
    garrison: error: [DIR]/pkg-1.0.tar.gz: truncated or not an archive (unexpected end of file); download it again
    ");
    // Unreadable: a directory named like a wheel.
    std::fs::create_dir(d.join("dir-1.0-py3-none-any.whl")).unwrap();
    insta::assert_snapshot!(on(d, &["release", "verify", "@dir-1.0-py3-none-any.whl"]).snapshot(), @"
    exit: 2
    --- stderr
    garrison: error: [DIR]/dir-1.0-py3-none-any.whl: not a regular file
    ");
    insta::assert_snapshot!(on(d, &["release", "verify", "@missing-1.0.tar.gz"]).snapshot(), @"
    exit: 2
    --- stderr
    garrison: error: [DIR]/missing-1.0.tar.gz: no such file
    ");
}

#[test]
fn sbom_refuses_a_file_that_is_not_a_dependency_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("garbage.bin"), [0u8, 159, 146, 150, 255, 0, 1]).unwrap();
    insta::assert_snapshot!(on(d, &["sbom", "@garbage.bin"]).snapshot(), @"
    exit: 2
    --- stderr
    garrison: error: [DIR]/garbage.bin: not a dependency file Garrison can read (not valid UTF-8 (byte 1); not analysed); give a requirements file, pyproject.toml, a lock file or a checkout
    ");
    std::fs::write(d.join("notes.md"), "# Notes\n\nsome prose here\n").unwrap();
    insta::assert_snapshot!(on(d, &["sbom", "@notes.md"]).snapshot(), @"
    exit: 2
    --- stderr
    garrison: error: [DIR]/notes.md: not a dependency file Garrison can read (Expected one of `@`, `(`, `<`, `=`, `>`, `~`, `!`, `;`, found `p`); give a requirements file, pyproject.toml, a lock file or a checkout
    ");
    // A real requirements file still works. (Given relative to the working directory: the
    // BOM's serial number is derived from its content, paths included.)
    std::fs::write(d.join("requirements.txt"), "numpy==1.21.0\n").unwrap();
    insta::assert_snapshot!(on(d, &["sbom", "requirements.txt"]).snapshot(), @r#"
    exit: 0
    --- stdout
    {
      "bomFormat": "CycloneDX",
      "components": [
        {
          "bom-ref": "pkg:pypi/numpy@1.21.0",
          "name": "numpy",
          "properties": [
            {
              "name": "garrison:source",
              "value": "requirements.txt:1"
            }
          ],
          "purl": "pkg:pypi/numpy@1.21.0",
          "type": "library",
          "version": "1.21.0"
        }
      ],
      "metadata": {
        "tools": {
          "components": [
            {
              "name": "garrison",
              "type": "application",
              "version": "[VERSION]"
            }
          ]
        }
      },
      "serialNumber": "urn:uuid:7f14c7df-42d0-4c17-996d-5f14cafcf45a",
      "specVersion": "1.5",
      "version": 1
    }
    "#);
}

#[test]
fn deps_of_an_unreadable_file_is_an_input_error() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("requirements.txt"), [b'n', 0xff, b'\n']).unwrap();
    insta::assert_snapshot!(on(d, &["deps", "@requirements.txt"]).snapshot(), @"
    exit: 2
    --- stderr
    garrison: error: [DIR]/requirements.txt: not valid UTF-8 (byte 1); not analysed
    ");
}

#[test]
fn db_import_of_nothing_keeps_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("PYSEC-0000-1.json"), OSV).unwrap();
    let db = d.join("advisories.db");
    insta::assert_snapshot!(on(d, &["db", "import", "@PYSEC-0000-1.json", "--db", "@advisories.db"]).snapshot(), @"
    exit: 0
    --- stdout
    database:        [DIR]/advisories.db
    source:          OSV file [DIR]/PYSEC-0000-1.json
    records:         1 (0 withdrawn, 0 unreadable)
    vulnerabilities: 1 (aliases merged) in 1 package
    newest record:   2024-01-01T00:00:00Z ([N] days old)
    warning: older than 30 days; run `garrison db sync` (or re-import) for current advisories
    imported in [T] s
    ");
    let before = std::fs::read(&db).unwrap();
    std::fs::create_dir(d.join("empty")).unwrap();
    insta::assert_snapshot!(on(d, &["db", "import", "@empty", "--db", "@advisories.db"]).snapshot(), @"
    exit: 2
    --- stderr
    garrison: error: [DIR]/empty: no PyPI advisories found (0 records read, 0 unreadable); [DIR]/advisories.db was not replaced (import a pypa/advisory-database checkout, a directory of OSV files, or an OSV export zip)
    ");
    assert_eq!(
        std::fs::read(&db).unwrap(),
        before,
        "the database is unchanged"
    );
}

#[test]
fn deps_impact_needs_projects_and_a_format_it_can_write() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("advisory.json"), OSV).unwrap();
    std::fs::create_dir_all(d.join("projects/docs")).unwrap();
    std::fs::write(d.join("projects/docs/README.md"), "# docs\n").unwrap();
    // Relative paths, as a user types them: the table's column widths follow the project paths.
    let impact = ["deps", "impact", "advisory.json", "--projects", "projects"];
    insta::assert_snapshot!(on(d, &impact).snapshot(), @"
    exit: 2
    --- stderr
    garrison: error: projects: no Python projects (no pyproject.toml, requirements or lock file in it or in its subdirectories); give a checkout or a directory of checkouts
    ");
    std::fs::create_dir(d.join("projects/app")).unwrap();
    std::fs::write(d.join("projects/app/requirements.txt"), "numpy==1.21.0\n").unwrap();
    insta::assert_snapshot!(on(d, &[&impact[..], &["-f", "sarif"]].concat()).snapshot(), @"
    exit: 2
    --- stderr
    garrison: error: deps impact writes text, json or markdown; SARIF holds findings, not impact tables
    ");
    // An affected project fails the run.
    insta::assert_snapshot!(on(d, &impact).snapshot(), @"
    exit: 1
    --- stdout
    Downstream impact of PYSEC-0000-1
    advisory from advisory.json

    1 of 1 project affected (1 entry); 1 directory without Python dependency files not counted

    project       where               groups                         requirement    admits             raise floor to
    projects/app  requirements.txt:1  requirements:requirements.txt  numpy==1.21.0  pinned (affected)  >=1.22.0
    ");
    insta::assert_snapshot!(on(d, &[&impact[..], &["-f", "json"]].concat()).snapshot(), @r#"
    exit: 1
    --- stdout
    {
      "advisory": {
        "aliases": [],
        "id": "PYSEC-0000-1",
        "summary": null
      },
      "advisory_data": null,
      "advisory_file": "advisory.json",
      "directories_without_dependency_files": 1,
      "hits": [
        {
          "affected_versions": [
            "1.21.0"
          ],
          "affected_versions_admitted": 1,
          "dependency": "numpy",
          "groups": [
            "requirements:requirements.txt"
          ],
          "kind": "pinned",
          "line": 1,
          "path": "requirements.txt",
          "project": "projects/app",
          "recommended_floor": "1.22.0",
          "specifier": "==1.21.0",
          "via": []
        }
      ],
      "projects_scanned": 1,
      "version": 1
    }
    "#);
}
