//! The advisory snapshot built into Garrison: a fresh machine evaluates dependencies with no
//! `db` step, `garrison db snapshot` is deterministic and refuses empty sources, stale data is
//! warned about in every format, and a local database replaces the snapshot. Each case is a
//! snapshot of the run; the embedded snapshot's facts (date, source, counts), which move at
//! every refresh, are redacted by `support::embedded`, and its findings are reduced to those
//! every refresh keeps.
#![allow(clippy::unwrap_used)]

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use garrison_test::cli::{Run, run, run_with_age, snapshots};
use garrison_test::require::shared_data;
use serde_json::Value;

/// `garrison` with `GARRISON_DB` at `db` and a data directory that holds no database, as on a
/// machine that never ran `garrison db`.
fn garrison(home: &Path, db: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_garrison"));
    c.env("GARRISON_DB", db)
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("LOCALAPPDATA", home.join("data"))
        .env("NO_COLOR", "1")
        .env("GARRISON_NO_PROGRESS", "1");
    c
}

/// One OSV record for a made-up package, last modified at `modified` (RFC 3339).
fn osv_record(id: &str, package: &str, fixed: &str, modified: &str) -> String {
    serde_json::json!({
        "schema_version": "1.6.0",
        "id": id,
        "modified": modified,
        "published": modified,
        "summary": "a test advisory",
        "affected": [{
            "package": { "ecosystem": "PyPI", "name": package },
            "ranges": [{ "type": "ECOSYSTEM", "events": [{ "introduced": "0" }, { "fixed": fixed }] }]
        }]
    })
    .to_string()
}

/// `days` days before now, in RFC 3339.
fn days_ago(days: i64) -> String {
    garrison_source::time::rfc3339(garrison_source::time::now() - days * 86_400).unwrap()
}

/// A local database at `dir/advisories.db` holding one advisory for `garrison-test-pkg < 2.0`,
/// last modified at `modified`.
fn local_db(dir: &Path, modified: &str) -> PathBuf {
    let src = dir.join("osv");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(
        src.join("GHSA-gggg-test-0001.json"),
        osv_record("GHSA-gggg-test-0001", "garrison-test-pkg", "2.0", modified),
    )
    .unwrap();
    let db = dir.join("advisories.db");
    let r = run(garrison(dir, &db).args(["db", "import"]).arg(&src), &[]);
    assert_eq!(r.code, 0, "{}", r.snapshot());
    db
}

/// The `deps/` findings of a JSON report as `package id`.
fn deps_findings(v: &Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"].as_str().unwrap().starts_with("deps/"))
        .map(|f| {
            format!(
                "{} {}",
                f["evidence"]["package"].as_str().unwrap_or(""),
                f["evidence"]["id"].as_str().unwrap_or("")
            )
        })
        .collect()
}

#[test]
fn a_fresh_machine_scan_reports_dependency_findings_from_the_embedded_snapshot() {
    let Some(repo) = shared_data("repos/narwhals-dev__narwhals") else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("nowhere/advisories.db");
    let redact = [(home.path(), "[HOME]"), (repo.as_path(), "[REPO]")];
    let r = run(
        garrison(home.path(), &db)
            .args(["scan", "-f", "json", "--isolated"])
            .arg(&repo),
        &redact,
    );
    // The report states the embedded snapshot (no path: it is not a file); uv.lock pins
    // pyarrow 13.0.0, affected by PYSEC-2023-238 (fixed in 14.0.1); no dependency check is
    // left unevaluated for want of a database.
    let json = support::embedded(r.json_part(|v| {
        let findings = v["findings"].as_array().unwrap();
        serde_json::json!({
            "advisories": v["advisories"],
            "pyarrow 13.0.0 in uv.lock": findings.iter().find(|f| {
                f["rule"] == "deps/known-vulnerability"
                    && f["evidence"]["package"] == "pyarrow"
                    && f["evidence"]["version"] == "13.0.0"
                    && f["locations"][0]["path"] == "uv.lock"
                    && f["evidence"]["id"] == "PYSEC-2023-238"
            }).map(|f| serde_json::json!({
                "message": f["message"],
                "location": f["locations"][0],
                "fixed": f["evidence"]["fixed"],
            })),
            "deps checks not evaluated": findings.iter().filter(|f| {
                f["rule"] == "info/not-evaluated"
                    && f["evidence"]["check"].as_str().is_some_and(|c| c.starts_with("deps/"))
            }).count(),
        })
    }));
    // The text report's statement of its advisory data (its findings are the JSON's).
    let text = support::embedded(run(
        garrison(home.path(), &db)
            .args(["scan", "--isolated", "--color", "never"])
            .arg(&repo),
        &redact,
    ));
    let statement = Run {
        code: text.code,
        stdout: text
            .stdout
            .lines()
            .filter(|l| l.starts_with("advisories: "))
            .map(|l| format!("{l}\n"))
            .collect(),
        stderr: text.stderr,
    };
    insta::assert_snapshot!(
        "fresh_machine_scan",
        snapshots(&[("json", &json), ("text, advisories line", &statement)])
    );
    assert!(!db.exists(), "a scan never writes a database");
}

#[test]
fn db_status_without_a_database_describes_the_embedded_snapshot() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("none.db");
    let r = run(
        garrison(home.path(), &db).args(["db", "status"]),
        &[(home.path(), "[HOME]")],
    );
    insta::assert_snapshot!(support::embedded(r).snapshot(), @"
    exit: 0
    --- stdout
    no advisory database at [HOME]/none.db (run `garrison db sync` or `garrison db import PATH`);
    scans use the snapshot built into Garrison:

    snapshot:        (embedded)
    source:          [EMBEDDED SOURCE]
    records:         [N] ([N] withdrawn, [N] unreadable)
    vulnerabilities: [N] (aliases merged) in [N] packages
    newest record:   [EMBEDDED NEWEST] ([N] days old)
    Advisory data: the Python Packaging Advisory Database (https://github.com/pypa/advisory-database), CC-BY 4.0 (https://creativecommons.org/licenses/by/4.0/); converted to Garrison's index, aliases merged
    ");
}

#[test]
fn the_generator_is_deterministic() {
    let Some(advisories) = shared_data("advisories/pypa-advisory-database") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let redact = [
        (dir.path(), "[TMP]"),
        (advisories.as_path(), "[ADVISORIES]"),
    ];
    let mut outputs = Vec::new();
    for i in 0..2 {
        let out = dir.path().join(format!("{i}.snapshot"));
        let r = run(
            garrison(dir.path(), &dir.path().join("none.db"))
                .args(["db", "snapshot", "--from"])
                .arg(&advisories)
                .arg("--output")
                .arg(&out),
            &redact,
        );
        outputs.push(std::fs::read(&out).unwrap());
        if i == 0 {
            insta::assert_snapshot!(r.snapshot(), @"
            exit: 0
            --- stdout
            snapshot:        [TMP]/0.snapshot (945598 bytes)
            source:          PyPA advisory-database checkout pypa-advisory-database (pypa/advisory-database 3ccb612573e2511ab5cad7dafecd838605c80cda 2024-10-10T17:35:05Z)
            records:         2661 (10 withdrawn, 0 unreadable)
            vulnerabilities: 2055 (aliases merged) in 660 packages
            date:            2024-10-10T17:22:00.587279Z (newest record)
            ");
        }
    }
    assert!(outputs[0] == outputs[1], "two runs gave different bytes");

    // The same records under another directory give the same bytes too: the date is the
    // newest `modified` and the source is named without its directory.
    let mut small = Vec::new();
    for parent in ["a", "b/c"] {
        let src = dir.path().join(parent).join("osv");
        std::fs::create_dir_all(&src).unwrap();
        for (id, pkg) in [("GHSA-aaaa-0001", "one"), ("GHSA-aaaa-0002", "two")] {
            std::fs::write(
                src.join(format!("{id}.json")),
                osv_record(id, pkg, "1.0", "2023-06-01T12:00:00Z"),
            )
            .unwrap();
        }
        let out = dir.path().join(parent).join("out.snapshot");
        let r = run(
            garrison(dir.path(), &dir.path().join("none.db"))
                .args(["db", "snapshot", "--from"])
                .arg(&src)
                .arg("-o")
                .arg(&out),
            &redact,
        );
        assert_eq!(r.code, 0, "{}", r.snapshot());
        small.push(std::fs::read(&out).unwrap());
    }
    assert!(
        small[0] == small[1],
        "the source's directory leaked into the snapshot"
    );

    // A snapshot file is also a database `--db` accepts.
    let snap = dir.path().join("a/out.snapshot");
    let r = run(garrison(dir.path(), &snap).args(["db", "status"]), &redact);
    insta::assert_snapshot!(r.snapshot(), @"
    exit: 0
    --- stdout
    database:        [TMP]/a/out.snapshot
    source:          OSV directory osv
    records:         2 (0 withdrawn, 0 unreadable)
    vulnerabilities: 2 (aliases merged) in 2 packages
    newest record:   2023-06-01T12:00:00Z ([N] days old)
    warning: older than 30 days; run `garrison db sync` (or re-import) for current advisories
    ");
}

#[test]
fn the_generator_refuses_a_source_without_advisories() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let npm = dir.path().join("npm");
    std::fs::create_dir_all(&npm).unwrap();
    std::fs::write(
        npm.join("GHSA-npm-0001.json"),
        osv_record("GHSA-npm-0001", "left-pad", "2.0", "2023-06-01T12:00:00Z")
            .replace("\"PyPI\"", "\"npm\""),
    )
    .unwrap();
    let out = dir.path().join("out.snapshot");
    let refuse = |src: &Path| {
        run(
            garrison(dir.path(), &dir.path().join("none.db"))
                .args(["db", "snapshot", "--from"])
                .arg(src)
                .arg("-o")
                .arg(&out),
            &[(dir.path(), "[TMP]")],
        )
    };
    let (empty, npm) = (refuse(&empty), refuse(&npm));
    insta::assert_snapshot!(snapshots(&[("empty directory", &empty), ("npm advisories only", &npm)]), @"
    ## empty directory
    exit: 2
    --- stderr
    garrison: error: cannot make a snapshot of [TMP]/empty
      caused by: [TMP]/empty: no PyPI advisories in this source; refusing to write a snapshot without any

    ## npm advisories only
    exit: 2
    --- stderr
    garrison: error: cannot make a snapshot of [TMP]/npm
      caused by: [TMP]/npm: no PyPI advisories in this source; refusing to write a snapshot without any
    ");
    assert!(!out.exists(), "nothing is written");
}

#[test]
fn a_local_database_replaces_the_embedded_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("requirements.txt"),
        "pillow==8.0.0\ngarrison-test-pkg==1.0\n",
    )
    .unwrap();
    let deps = |db: &Path, format: &str| {
        run(
            garrison(dir.path(), db).current_dir(dir.path()).args([
                "deps",
                "requirements.txt",
                "-f",
                format,
            ]),
            &[(dir.path(), "[PROJECT]")],
        )
    };

    // No database: the embedded snapshot knows pillow, not the made-up package.
    let embedded = support::embedded(deps(&dir.path().join("none.db"), "json").json_part(|v| {
        let mut packages: Vec<String> = deps_findings(v)
            .iter()
            .map(|f| f.split(' ').next().unwrap_or("").to_string())
            .collect();
        packages.sort();
        packages.dedup();
        serde_json::json!({ "advisories": v["advisories"], "packages with findings": packages })
    }));
    insta::assert_snapshot!(embedded.snapshot(), @r#"
    exit: 1
    --- stdout
    {
      "advisories": {
        "age_days": "[N]",
        "date": "[EMBEDDED DATE]",
        "newest_modified": "[EMBEDDED NEWEST]",
        "origin": "[EMBEDDED SOURCE]",
        "source": "embedded",
        "stale": "[STALE]",
        "stale_after_days": 30
      },
      "packages with findings": [
        "pillow"
      ]
    }
    "#);

    // A local database wins, and the report names it.
    let db = local_db(dir.path(), "2024-01-01T00:00:00Z");
    let text = deps(&db, "text");
    let json = deps(&db, "json");
    insta::assert_snapshot!(
        "local_database_replaces_embedded",
        snapshots(&[("text", &text), ("json", &json)])
    );
}

/// Redacts the date of an advisory database modified at `modified` (an RFC 3339 time computed
/// from now) as `[placeholder]`.
fn redact_date(r: Run, modified: &str, placeholder: &str) -> Run {
    r.redact_all(&[(modified, placeholder), (&modified[..10], placeholder)])
}

#[test]
fn stale_advisory_data_is_warned_about_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("requirements.txt"),
        "garrison-test-pkg==1.0\n",
    )
    .unwrap();
    for (days, name) in [(40, "stale_40_days"), (2, "fresh_2_days")] {
        let sub = dir.path().join(format!("{days}"));
        let modified = days_ago(days);
        let db = local_db(&sub, &modified);
        let report = |format: &str| {
            let r = run_with_age(
                garrison(dir.path(), &db)
                    .current_dir(dir.path())
                    .args(["deps", ".", "--color", "never", "-f", format]),
                &[(dir.path(), "[PROJECT]")],
            );
            redact_date(r, &modified, &format!("[TODAY-{days}d]"))
        };
        // The age (fixed here, so not redacted), and past 30 days the warning: a line of the
        // text and Markdown reports, `stale` in JSON, a tool notification in SARIF.
        let sarif = report("sarif").json_part(|s| {
            serde_json::json!({
                "invocations": s["runs"][0]["invocations"],
                "properties": s["runs"][0]["properties"],
            })
        });
        insta::assert_snapshot!(
            name,
            snapshots(&[
                ("text", &report("text")),
                ("json", &report("json")),
                ("sarif invocations and properties", &sarif),
                ("markdown", &report("markdown")),
            ])
        );
    }
}

#[test]
fn deps_impact_looks_advisories_up_in_the_embedded_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("projects/demo");
    std::fs::create_dir_all(&project).unwrap();
    std::fs::write(
        project.join("pyproject.toml"),
        "[project]\nname = \"demo\"\nversion = \"1.0\"\ndependencies = [\"scipy>=1.7.2\"]\n",
    )
    .unwrap();
    let impact = |format: &str| {
        support::embedded(run(
            garrison(dir.path(), &dir.path().join("none.db"))
                .args(["deps", "impact", "PYSEC-2023-102", "--projects"])
                .arg(dir.path().join("projects"))
                .args(["-f", format]),
            &[(dir.path(), "[TMP]")],
        ))
    };
    let json = impact("json")
        .json_part(|v| serde_json::json!({ "advisory": v["advisory"]["id"], "hits": v["hits"] }));
    insta::assert_snapshot!(snapshots(&[("text", &impact("text")), ("json", &json)]), @r#"
    ## text
    exit: 1
    --- stdout
    Downstream impact of PYSEC-2023-102 (CVE-2023-25399)
    advisory from the embedded snapshot of [EMBEDDED DATE] ([N] days old)

    1 of 1 project affected (1 entry)

    project  where             groups   requirement   admits                        raise floor to
    demo     pyproject.toml:4  runtime  scipy>=1.7.2  8 affected versions admitted  >=1.10.0

    ## json
    exit: 1
    --- stdout
    {
      "advisory": "PYSEC-2023-102",
      "hits": [
        {
          "affected_versions": [
            "1.7.2",
            "1.7.3",
            "1.8.0",
            "1.8.1",
            "1.9.0",
            "1.9.1",
            "1.9.2",
            "1.9.3"
          ],
          "affected_versions_admitted": 8,
          "dependency": "scipy",
          "groups": [
            "runtime"
          ],
          "kind": "declared",
          "line": 4,
          "path": "pyproject.toml",
          "project": "demo",
          "recommended_floor": "1.10.0",
          "specifier": ">=1.7.2",
          "via": []
        }
      ]
    }
    "#);
}
