//! End-to-end tests of `garrison db` and `garrison deps` on the real PyPA advisory database.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use assert_cmd::Command;

fn advisories() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/advisories/pypa-advisory-database")
}

/// Imports the PyPA database once for all tests of this binary.
fn db() -> Option<&'static Path> {
    static DB: OnceLock<Option<(tempfile::TempDir, PathBuf)>> = OnceLock::new();
    DB.get_or_init(|| {
        if !garrison_test::require::precondition(
            advisories().is_dir(),
            "the PyPA advisory database under ../shared/data/advisories",
        ) {
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("advisories.db");
        let out = Command::cargo_bin("garrison")
            .unwrap()
            .args(["db", "import"])
            .arg(advisories())
            .arg("--db")
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(text.contains("records:         2661"), "{text}");
        Some((dir, path))
    })
    .as_ref()
    .map(|(_, p)| p.as_path())
}

fn run(args: &[&str], cwd: &Path) -> (i32, String, String) {
    let out = Command::cargo_bin("garrison")
        .unwrap()
        .current_dir(cwd)
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

fn json_findings(out: &str) -> Vec<serde_json::Value> {
    let v: serde_json::Value = serde_json::from_str(out).unwrap();
    v["findings"].as_array().unwrap().clone()
}

#[test]
fn pinned_requirements_are_matched_with_fix_and_location() {
    let Some(db) = db() else { return };
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("requirements.txt"),
        "# pinned\npillow==8.0.0\nscipy==1.9.3 ; python_version < \"3.9\"\nrequests==2.32.3\n",
    )
    .unwrap();
    let db = db.to_str().unwrap();
    let (code, out, err) = run(
        &["deps", "requirements.txt", "--db", db, "-f", "json"],
        dir.path(),
    );
    assert_eq!(code, 1, "{err}");
    let f = json_findings(&out);
    let pillow: Vec<_> = f
        .iter()
        .filter(|x| x["evidence"]["package"] == "pillow")
        .collect();
    assert!(pillow.len() > 20, "{}", pillow.len());
    assert!(
        pillow
            .iter()
            .all(|x| x["locations"][0]["span"]["start_line"] == 2)
    );
    assert!(pillow.iter().any(|x| {
        x["evidence"]["id"] == "PYSEC-2021-36"
            || x["evidence"]["aliases"]
                .as_array()
                .unwrap()
                .iter()
                .any(|a| a == "PYSEC-2021-36")
    }));
    let fix = pillow[0]["evidence"]["smallest_fix"].as_str().unwrap();
    assert!(
        fix.starts_with("10.") || fix.starts_with("9.") || fix.starts_with("11."),
        "{fix}"
    );
    let scipy: Vec<_> = f
        .iter()
        .filter(|x| x["evidence"]["package"] == "scipy")
        .collect();
    assert!(
        scipy
            .iter()
            .any(|x| x["evidence"]["id"] == "PYSEC-2023-102")
    );
    assert_eq!(scipy[0]["evidence"]["marker"], "python_version < \"3.9\"");
    assert!(!f.iter().any(|x| x["evidence"]["package"] == "requests"));

    // Narrowed to Python 3.12, the scipy entry (python < 3.9) does not apply.
    let (_, out, _) = run(
        &[
            "deps",
            "requirements.txt",
            "--db",
            db,
            "-f",
            "json",
            "--python-version",
            "3.12",
        ],
        dir.path(),
    );
    assert!(
        !json_findings(&out)
            .iter()
            .any(|x| x["evidence"]["package"] == "scipy")
    );
}

#[test]
fn declared_ranges_and_accepted_vulnerabilities() {
    let Some(db) = db() else { return };
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("pyproject.toml"),
        "[project]\nname = \"lib\"\nversion = \"1\"\ndependencies = [\n  \"scipy>=1.7.2\",\n  \"numpy>=2.1\",\n]\n\n[tool.garrison]\nignore-vulnerabilities = [{ id = \"CVE-2023-29824\", reason = \"disputed\", expires = \"2999-01-01\" }]\n",
    )
    .unwrap();
    let db = db.to_str().unwrap();
    let (_, out, err) = run(&["deps", ".", "--db", db, "-f", "json"], dir.path());
    let f = json_findings(&out);
    let scipy: Vec<_> = f
        .iter()
        .filter(|x| x["rule"] == "deps/vulnerable-range")
        .collect();
    assert_eq!(scipy.len(), 1, "{err}{out}");
    assert_eq!(scipy[0]["evidence"]["package"], "scipy");
    assert_eq!(scipy[0]["evidence"]["recommended_floor"], "1.10.0");
    assert_eq!(scipy[0]["locations"][0]["span"]["start_line"], 5);
    assert!(
        scipy[0]["message"]
            .as_str()
            .unwrap()
            .contains("PYSEC-2023-102")
    );

    // Pinned old scipy: the accepted CVE (alias of PYSEC-2023-114) is not reported until it expires.
    std::fs::write(dir.path().join("requirements.txt"), "scipy==1.7.0\n").unwrap();
    let (_, out, _) = run(&["deps", ".", "--db", db, "-f", "json"], dir.path());
    let ids: Vec<String> = json_findings(&out)
        .iter()
        .filter(|x| x["rule"] == "deps/known-vulnerability")
        .map(|x| x["evidence"]["id"].as_str().unwrap().to_string())
        .collect();
    assert!(ids.contains(&"PYSEC-2023-102".to_string()), "{ids:?}");
    assert!(!ids.contains(&"PYSEC-2023-114".to_string()), "{ids:?}");
    let text = std::fs::read_to_string(dir.path().join("pyproject.toml")).unwrap();
    std::fs::write(
        dir.path().join("pyproject.toml"),
        text.replace("2999-01-01", "2001-01-01"),
    )
    .unwrap();
    let (_, out, _) = run(&["deps", ".", "--db", db, "-f", "json"], dir.path());
    assert!(
        json_findings(&out)
            .iter()
            .any(|x| x["evidence"]["id"] == "PYSEC-2023-114")
    );
}

#[test]
fn missing_database_falls_back_to_the_embedded_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("requirements.txt"), "pillow==8.0.0\n").unwrap();
    let missing = dir.path().join("nope.db");
    let (code, out, err) = run(
        &["deps", ".", "--db", missing.to_str().unwrap(), "-f", "json"],
        dir.path(),
    );
    assert_eq!(code, 1, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["advisories"]["source"], "embedded");
    let f = json_findings(&out);
    assert!(
        f.iter().any(
            |f| f["rule"] == "deps/known-vulnerability" && f["evidence"]["package"] == "pillow"
        ),
        "{out}"
    );
    assert!(!missing.exists());
}

#[test]
fn corpus_dependency_files_are_read_without_errors() {
    let Some(db) = db() else { return };
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/repos");
    let (code, out, err) = run(
        &[
            "deps",
            root.to_str().unwrap(),
            "--db",
            db.to_str().unwrap(),
            "-f",
            "json",
        ],
        Path::new("."),
    );
    assert!(code == 0 || code == 1, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["errors"].as_array().unwrap().len(), 0, "{}", v["errors"]);
    assert!(v["summary"]["files_scanned"].as_u64().unwrap() >= 120);
}

#[test]
fn impact_of_an_advisory_over_the_corpus() {
    let Some(db) = db() else { return };
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/repos");
    let (code, out, err) = run(
        &[
            "deps",
            "impact",
            "PYSEC-2023-102",
            "--projects",
            root.to_str().unwrap(),
            "--db",
            db.to_str().unwrap(),
            "-f",
            "json",
        ],
        Path::new("."),
    );
    assert_eq!(code, 1, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["advisory"]["id"], "PYSEC-2023-102");
    let hits = v["hits"].as_array().unwrap();
    // pvlib declares `scipy>= 1.7.2` at runtime: 8 affected releases admitted, floor 1.10.0
    // (hand-checked against the advisory's versions list; see crates/garrison-advisories/tests/impact.rs).
    let pvlib = hits
        .iter()
        .find(|h| h["project"] == "pvlib" && h["group"] == "runtime")
        .unwrap();
    assert_eq!(pvlib["affected_versions_admitted"], 8);
    assert_eq!(pvlib["recommended_floor"], "1.10.0");
    assert!(
        hits.iter()
            .any(|h| h["kind"] == "locked" && h["path"] == "uv.lock")
    );
}

#[test]
fn sbom_is_cyclonedx() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/repos/narwhals-dev__narwhals/uv.lock");
    if !garrison_test::require::precondition(root.is_file(), "narwhals' uv.lock in the corpus") {
        return;
    }
    let (code, out, err) = run(&["sbom", root.to_str().unwrap()], Path::new("."));
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["bomFormat"], "CycloneDX");
    assert_eq!(v["specVersion"], "1.5");
    assert!(v["components"].as_array().unwrap().len() > 100);
}

#[test]
fn db_sync_fails_clearly_without_the_network() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.db");
    let (code, _, err) = run(
        &[
            "db",
            "sync",
            "--db",
            db.to_str().unwrap(),
            "--url",
            "http://127.0.0.1:9/all.zip",
        ],
        dir.path(),
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("cannot download") && err.contains("garrison db import"),
        "{err}"
    );
    // No database was written: status describes the embedded snapshot instead.
    let (code, out, err) = run(&["db", "status", "--db", db.to_str().unwrap()], dir.path());
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("no advisory database"), "{out}");
    assert!(!db.exists());
}
