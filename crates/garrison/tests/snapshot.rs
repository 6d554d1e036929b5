//! The advisory snapshot built into Garrison: a fresh machine evaluates dependencies with no
//! `db` step, `garrison db snapshot` is deterministic and refuses empty sources, stale data is
//! warned about in every format, and a local database replaces the snapshot.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use garrison_test::require::shared_data;
use serde_json::Value;

/// `garrison` with `GARRISON_DB` at `db` and a data directory that holds no database, as on a
/// machine that never ran `garrison db`.
fn garrison(home: &Path, db: &Path) -> Command {
    let mut c = Command::cargo_bin("garrison").unwrap();
    c.env("GARRISON_DB", db)
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("LOCALAPPDATA", home.join("data"))
        .env_remove("NO_COLOR");
    c
}

fn run(c: &mut Command) -> (i32, String, String) {
    let out = c.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// One OSV record for a made-up package, `modified` `days_ago` days before now.
fn osv_record(id: &str, package: &str, fixed: &str, days_ago: i64) -> String {
    let modified =
        garrison_source::time::rfc3339(garrison_source::time::now() - days_ago * 86_400).unwrap();
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

/// A local database at `dir/advisories.db` holding one advisory for `garrison-test-pkg < 2.0`,
/// last modified `days_ago` days ago.
fn local_db(dir: &Path, days_ago: i64) -> PathBuf {
    let src = dir.join("osv");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(
        src.join("GHSA-gggg-test-0001.json"),
        osv_record("GHSA-gggg-test-0001", "garrison-test-pkg", "2.0", days_ago),
    )
    .unwrap();
    let db = dir.join("advisories.db");
    let (code, out, err) = run(garrison(dir, &db).args(["db", "import"]).arg(&src));
    assert_eq!(code, 0, "{out}{err}");
    db
}

fn json(out: &str) -> Value {
    serde_json::from_str(out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

fn deps_findings(v: &Value) -> Vec<(String, String)> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"].as_str().unwrap().starts_with("deps/"))
        .map(|f| {
            (
                f["evidence"]["package"].as_str().unwrap_or("").to_string(),
                f["evidence"]["id"].as_str().unwrap_or("").to_string(),
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
    let (code, out, err) = run(garrison(home.path(), &db)
        .args(["scan", "-f", "json", "--isolated"])
        .arg(&repo));
    assert_eq!(code, 1, "{err}");
    let v = json(&out);
    // uv.lock pins pyarrow 13.0.0, affected by PYSEC-2023-238 (fixed in 14.0.1).
    let pyarrow = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| {
            f["rule"] == "deps/known-vulnerability"
                && f["evidence"]["package"] == "pyarrow"
                && f["evidence"]["version"] == "13.0.0"
                && f["locations"][0]["path"] == "uv.lock"
        })
        .unwrap_or_else(|| panic!("no pyarrow finding in uv.lock: {out}"));
    assert_eq!(pyarrow["evidence"]["id"], "PYSEC-2023-238");
    assert!(
        !v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "info/not-evaluated"
                && f["evidence"]["check"] == "deps/known-vulnerability"),
        "{out}"
    );
    let a = &v["advisories"];
    assert_eq!(a["source"], "embedded", "{a}");
    assert!(a.get("path").is_none(), "{a}");
    assert_eq!(
        a["date"].as_str().unwrap(),
        &a["newest_modified"].as_str().unwrap()[..10]
    );
    assert!(!db.exists(), "a scan never writes a database");

    // The text report says where the advisories came from and how old they are.
    let (_, out, _) = run(garrison(home.path(), &db)
        .args(["scan", "--isolated", "--color", "never"])
        .arg(&repo));
    let date = a["date"].as_str().unwrap();
    assert!(
        out.contains(&format!("advisories: embedded snapshot of {date} (")),
        "{out}"
    );
}

#[test]
fn db_status_without_a_database_describes_the_embedded_snapshot() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("none.db");
    let (code, out, err) = run(garrison(home.path(), &db).args(["db", "status"]));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("no advisory database at"), "{out}");
    assert!(out.contains("snapshot:"), "{out}");
    assert!(out.contains("vulnerabilities: "), "{out}");
    assert!(out.contains("CC-BY 4.0"), "{out}");
}

#[test]
fn the_generator_is_deterministic() {
    let Some(advisories) = shared_data("advisories/pypa-advisory-database") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut outputs = Vec::new();
    for i in 0..2 {
        let out = dir.path().join(format!("{i}.snapshot"));
        let (code, text, err) = run(garrison(dir.path(), &dir.path().join("none.db"))
            .args(["db", "snapshot", "--from"])
            .arg(&advisories)
            .arg("--output")
            .arg(&out));
        assert_eq!(code, 0, "{err}");
        assert!(text.contains("records:         2661"), "{text}");
        outputs.push(std::fs::read(&out).unwrap());
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
                osv_record(id, pkg, "1.0", 400),
            )
            .unwrap();
        }
        let out = dir.path().join(parent).join("out.snapshot");
        let (code, _, err) = run(garrison(dir.path(), &dir.path().join("none.db"))
            .args(["db", "snapshot", "--from"])
            .arg(&src)
            .arg("-o")
            .arg(&out));
        assert_eq!(code, 0, "{err}");
        small.push(std::fs::read(&out).unwrap());
    }
    assert!(
        small[0] == small[1],
        "the source's directory leaked into the snapshot"
    );

    // A snapshot file is also a database `--db` accepts.
    let snap = dir.path().join("a/out.snapshot");
    let (code, out, err) = run(garrison(dir.path(), &snap).args(["db", "status"]));
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("vulnerabilities: 2 (aliases merged) in 2 packages"),
        "{out}"
    );
    assert!(out.contains("OSV directory osv"), "{out}");
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
        osv_record("GHSA-npm-0001", "left-pad", "2.0", 1).replace("\"PyPI\"", "\"npm\""),
    )
    .unwrap();
    for src in [&empty, &npm] {
        let out = dir.path().join("out.snapshot");
        let (code, _, err) = run(garrison(dir.path(), &dir.path().join("none.db"))
            .args(["db", "snapshot", "--from"])
            .arg(src)
            .arg("-o")
            .arg(&out));
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("no PyPI advisories"), "{err}");
        assert!(!out.exists(), "nothing is written");
    }
}

#[test]
fn a_local_database_replaces_the_embedded_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("requirements.txt"),
        "pillow==8.0.0\ngarrison-test-pkg==1.0\n",
    )
    .unwrap();
    let deps = |db: &Path| {
        let (code, out, err) = run(garrison(dir.path(), db).current_dir(dir.path()).args([
            "deps",
            "requirements.txt",
            "-f",
            "json",
        ]));
        assert_eq!(code, 1, "{err}");
        json(&out)
    };

    // No database: the embedded snapshot knows pillow, not the made-up package.
    let v = deps(&dir.path().join("none.db"));
    assert_eq!(v["advisories"]["source"], "embedded");
    let found = deps_findings(&v);
    assert!(found.iter().any(|(p, _)| p == "pillow"), "{found:?}");
    assert!(
        !found.iter().any(|(p, _)| p == "garrison-test-pkg"),
        "{found:?}"
    );

    // A local database wins, and the report names it.
    let db = local_db(dir.path(), 2);
    let v = deps(&db);
    assert_eq!(v["advisories"]["source"], "database");
    assert_eq!(v["advisories"]["path"], db.display().to_string());
    assert_eq!(
        deps_findings(&v),
        vec![(
            "garrison-test-pkg".to_string(),
            "GHSA-gggg-test-0001".to_string()
        )]
    );
}

#[test]
fn stale_advisory_data_is_warned_about_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("requirements.txt"),
        "garrison-test-pkg==1.0\n",
    )
    .unwrap();
    let report = |db: &Path, format: &str| {
        let (code, out, err) = run(garrison(dir.path(), db)
            .current_dir(dir.path())
            .args(["deps", ".", "--color", "never", "-f", format]));
        assert_eq!(code, 1, "{err}");
        out
    };
    for (days, stale) in [(40, true), (2, false)] {
        let sub = dir.path().join(format!("{days}"));
        let db = local_db(&sub, days);
        let warning = format!("the advisory database is {days} days old (more than 30)");

        let text = report(&db, "text");
        assert!(text.contains("advisories: local database of "), "{text}");
        assert!(text.contains(&format!("({days} days old, ")), "{text}");
        assert_eq!(
            text.contains(&format!("warning: {warning}")),
            stale,
            "{text}"
        );

        let v = json(&report(&db, "json"));
        assert_eq!(v["advisories"]["age_days"], days);
        assert_eq!(v["advisories"]["stale"], stale);

        let sarif = json(&report(&db, "sarif"));
        let notes = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .filter(|n| n["descriptor"]["id"] == "garrison/stale-advisories")
            .count();
        assert_eq!(notes, usize::from(stale), "{sarif}");
        assert_eq!(
            sarif["runs"][0]["properties"]["advisories"]["age_days"],
            days
        );

        let md = report(&db, "markdown");
        assert!(md.contains("Advisories: local database of "), "{md}");
        assert_eq!(
            md.contains(&format!("> **Warning:** {warning}")),
            stale,
            "{md}"
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
    let (code, out, err) = run(garrison(dir.path(), &dir.path().join("none.db"))
        .args(["deps", "impact", "PYSEC-2023-102", "--projects"])
        .arg(dir.path().join("projects"))
        .args(["-f", "json"]));
    assert_eq!(code, 1, "{err}");
    let v = json(&out);
    assert_eq!(v["advisory"]["id"], "PYSEC-2023-102");
    assert_eq!(v["hits"][0]["project"], "demo");
}
