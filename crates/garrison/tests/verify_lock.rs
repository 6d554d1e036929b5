//! `garrison verify --lock` end to end: the lock fixtures of garrison-release
//! (`crates/garrison-release/tests/fixtures/lock/`) against dist files generated here, with
//! policies, TOFU records, hostile inputs and every output format.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;

const PEP740: &str = "../../../shared/data/sigstore/pep740";
const NUMPY: &str = "numpy-2.1.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl";
const ATTRS: &str = "attrs-25.1.0-py3-none-any.whl";
const SIX: &str = "six-1.16.0-py2.py3-none-any.whl";

fn lock(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../garrison-release/tests/fixtures/lock")
        .join(name)
}

/// A directory of dists with the content the fixtures' hashes were computed from.
fn dists(names: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for n in names {
        std::fs::write(dir.path().join(n), format!("garrison lock test: {n}\n")).unwrap();
    }
    dir
}

fn garrison(lock_name: &str, dir: &Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    let mut c = Command::cargo_bin("garrison").unwrap();
    c.arg("verify")
        .arg("--lock")
        .arg(lock(lock_name))
        .arg("--dists")
        .arg(dir)
        .args(extra);
    c.assert()
}

fn stdout(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&a.get_output().stdout).into_owned()
}

fn json(a: &assert_cmd::assert::Assert) -> serde_json::Value {
    serde_json::from_slice(&a.get_output().stdout).unwrap()
}

fn outcome<'a>(v: &'a serde_json::Value, file: &str) -> &'a str {
    v["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["file"] == file)
        .unwrap_or_else(|| panic!("no row for {file}: {v}"))["outcome"]
        .as_str()
        .unwrap()
}

#[test]
fn matching_directory_passes_and_missing_fails_only_with_require_all() {
    let dir = dists(&[ATTRS, NUMPY, SIX]);
    for l in ["uv.lock", "pylock.toml", "requirements.txt"] {
        let a = garrison(l, dir.path(), &[]).success();
        let out = stdout(&a);
        assert!(out.contains("FILE") && out.contains("OUTCOME"), "{out}");
        assert!(out.contains(&format!("{ATTRS}  ")), "{out}");
        assert!(out.contains("hash-ok"), "{out}");
        assert!(out.contains("3 hash-ok"), "{out}");
        assert!(out.contains("missing"), "{out}");
        assert!(out.contains("OK: every file matches"), "{out}");
        garrison(l, dir.path(), &["--require-all"]).code(1);
    }
}

#[test]
fn mismatches_fail_with_a_table_json_and_sarif() {
    let dir = dists(&[ATTRS, NUMPY, "requests-2.32.4-py3-none-any.whl"]);
    std::fs::write(dir.path().join(SIX), "tampered\n").unwrap();
    let a = garrison("uv.lock", dir.path(), &[]).code(1);
    let out = stdout(&a);
    assert!(out.contains("hash-mismatch"), "{out}");
    assert!(out.contains("not-in-lock"), "{out}");
    assert!(out.contains("FAILED"), "{out}");
    assert!(out.contains("`from-git` not checked"), "{out}");

    let v = json(&garrison("pylock.toml", dir.path(), &["-f", "json"]).code(1));
    assert_eq!(v["ok"], false);
    assert_eq!(outcome(&v, SIX), "hash-mismatch");
    assert_eq!(outcome(&v, ATTRS), "hash-ok");
    assert_eq!(
        outcome(&v, "requests-2.32.4-py3-none-any.whl"),
        "not-in-lock"
    );
    assert_eq!(outcome(&v, "idna-3.10.tar.gz"), "missing");
    assert_eq!(v["summary"]["hash-mismatch"], 1);

    let sarif = json(&garrison("requirements.txt", dir.path(), &["-f", "sarif"]).code(1));
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let rules: Vec<&str> = results
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"release/hash-mismatch"), "{rules:?}");
    assert!(rules.contains(&"release/dist-not-in-lock"), "{rules:?}");
    let md = stdout(&garrison("uv.lock", dir.path(), &["-f", "markdown"]).code(1));
    assert!(md.contains("release/hash-mismatch"), "{md}");
}

fn policy(dir: &Path, text: &str) -> String {
    let p = dir.join("policy.toml");
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

/// The policy names numpy's publisher and the wheel has no attestation: unattested.
#[test]
fn unattested_under_policy() {
    let dir = dists(&[ATTRS, NUMPY]);
    let cfg = tempfile::tempdir().unwrap();
    let p = policy(
        cfg.path(),
        "[publishers]\nnumpy = \"github:numpy/numpy workflow=wheels.yml\"\n",
    );
    let v = json(&garrison("uv.lock", dir.path(), &["--policy", &p, "-f", "json"]).code(1));
    assert_eq!(outcome(&v, NUMPY), "unattested");
    assert_eq!(outcome(&v, ATTRS), "hash-ok");
    let p = policy(cfg.path(), "require-attestations = true\n");
    let v = json(&garrison("uv.lock", dir.path(), &["--policy", &p, "-f", "json"]).code(1));
    assert_eq!(outcome(&v, ATTRS), "unattested");
}

/// The real attestation of pypi_attestations-0.0.19.tar.gz next to a file of that name whose
/// content (and locked hash) is not the attested one: the attestation does not verify, under
/// the right publisher or any other.
#[test]
fn attestation_for_other_bytes_is_an_identity_mismatch() {
    use sha2::Digest as _;
    let name = "pypi_attestations-0.0.19.tar.gz";
    let dir = tempfile::tempdir().unwrap();
    let body = b"not the released sdist\n";
    std::fs::write(dir.path().join(name), body).unwrap();
    let digest: String = sha2::Sha256::digest(body)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let req = dir.path().join("requirements.txt");
    std::fs::write(
        &req,
        format!("pypi-attestations==0.0.19 --hash=sha256:{digest}\n"),
    )
    .unwrap();
    let atts = tempfile::tempdir().unwrap();
    std::fs::copy(
        Path::new(PEP740).join(format!("{name}.publish.attestation")),
        atts.path().join(format!("{name}.publish.attestation")),
    )
    .unwrap();
    let cfg = tempfile::tempdir().unwrap();
    for publisher in [
        "github:trailofbits/pypi-attestations workflow=release.yml",
        "github:someone/else workflow=release.yml",
    ] {
        let p = policy(
            cfg.path(),
            &format!("[publishers]\npypi-attestations = \"{publisher}\"\n"),
        );
        let mut c = Command::cargo_bin("garrison").unwrap();
        let a = c
            .arg("verify")
            .arg("--lock")
            .arg(&req)
            .arg("--dists")
            .arg(dir.path())
            .arg("--attestations")
            .arg(atts.path())
            .args(["--policy", &p, "-f", "json"])
            .assert()
            .code(1);
        let v = json(&a);
        assert_eq!(outcome(&v, name), "identity-mismatch");
        let detail = v["rows"][0]["detail"].as_str().unwrap();
        assert!(detail.contains("does not verify"), "{detail}");
        assert!(
            detail.contains("does not match the distribution's"),
            "{detail}"
        );
    }
}

#[test]
fn tofu_record_created_and_vanished_publisher_flagged() {
    let dir = dists(&[ATTRS, NUMPY]);
    let cfg = tempfile::tempdir().unwrap();
    let tofu = cfg.path().join("tofu.json");
    let t = tofu.display().to_string();
    // First run: no attestations, so nothing is recorded, but the record is created.
    garrison("uv.lock", dir.path(), &["--tofu", &t]).success();
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&tofu).unwrap()).unwrap();
    assert_eq!(v["version"], 1);
    assert_eq!(v["packages"], serde_json::json!({}));
    // A record says numpy was attested by its publisher at 2.0.0; 2.1.0 has no attestation.
    let record = "{\n  \"version\": 1,\n  \"packages\": {\n    \"numpy\": {\n      \"publisher\": \"github:numpy/numpy workflow=wheels.yml\",\n      \"since\": \"2.0.0\",\n      \"last\": \"2.0.0\"\n    }\n  }\n}\n";
    std::fs::write(&tofu, record).unwrap();
    let a = garrison("uv.lock", dir.path(), &["--tofu", &t, "-f", "json"]).code(1);
    let v = json(&a);
    assert_eq!(outcome(&v, NUMPY), "unattested");
    let row = v["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["file"] == NUMPY)
        .unwrap();
    assert_eq!(row["publisher_changed"], true);
    assert!(
        row["detail"]
            .as_str()
            .unwrap()
            .contains("publisher vanished: github:numpy/numpy workflow=wheels.yml attested since version 2.0.0"),
        "{row}"
    );
    assert_eq!(
        std::fs::read_to_string(&tofu).unwrap(),
        record,
        "not rewritten"
    );
    let sarif = json(&garrison("uv.lock", dir.path(), &["--tofu", &t, "-f", "sarif"]).code(1));
    assert_eq!(
        sarif["runs"][0]["results"][0]["ruleId"],
        "release/publisher-changed"
    );
    // Accepting the change removes the record.
    garrison("uv.lock", dir.path(), &["--tofu", &t, "--tofu-update"]).success();
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&tofu).unwrap()).unwrap();
    assert_eq!(v["packages"], serde_json::json!({}));
    // No temporary files left behind.
    assert_eq!(std::fs::read_dir(cfg.path()).unwrap().count(), 1);
}

#[test]
fn input_errors_exit_2_naming_file_and_line() {
    let dir = dists(&[ATTRS]);
    let cfg = tempfile::tempdir().unwrap();
    let p = policy(
        cfg.path(),
        "[publishers]\nattrs = \"github:python-attrs/attrs\"\n",
    );
    let a = garrison("uv.lock", dir.path(), &["--policy", &p]).code(2);
    let err = String::from_utf8_lossy(&a.get_output().stderr).into_owned();
    assert!(err.contains(&format!("{p}:2: ")), "{err}");
    assert!(err.contains("workflow"), "{err}");

    let t = cfg.path().join("tofu.json");
    std::fs::write(&t, "{\"version\": 1,\n\"packages\": 3}").unwrap();
    let a = garrison("uv.lock", dir.path(), &["--tofu", &t.display().to_string()]).code(2);
    let err = String::from_utf8_lossy(&a.get_output().stderr).into_owned();
    assert!(err.contains("tofu.json:2: "), "{err}");

    let bad_lock = cfg.path().join("uv.lock");
    std::fs::write(
        &bad_lock,
        "[[package]]\nname = \"x\"\nversion = \"1\"\n[[package\n",
    )
    .unwrap();
    let mut c = Command::cargo_bin("garrison").unwrap();
    let a = c
        .args(["verify", "--lock"])
        .arg(&bad_lock)
        .arg("--dists")
        .arg(dir.path())
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&a.get_output().stderr).into_owned();
    assert!(err.contains("uv.lock:4: "), "{err}");

    garrison("uv.lock", &cfg.path().join("nope"), &[]).code(2);
    // Lock mode and a bundle are exclusive; lock mode needs --dists.
    Command::cargo_bin("garrison")
        .unwrap()
        .args(["verify", "x.sigstore", "--lock", "uv.lock", "--dists", "."])
        .assert()
        .code(2);
    Command::cargo_bin("garrison")
        .unwrap()
        .args(["verify", "--lock", "uv.lock"])
        .assert()
        .code(2);
}

#[cfg(unix)]
#[test]
fn symlink_out_of_the_directory_is_not_followed() {
    let dir = dists(&[ATTRS]);
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(
        outside.path().join(SIX),
        format!("garrison lock test: {SIX}\n"),
    )
    .unwrap();
    std::os::unix::fs::symlink(outside.path().join(SIX), dir.path().join(SIX)).unwrap();
    let a = garrison("uv.lock", dir.path(), &["-f", "json"]).success();
    let v = json(&a);
    assert!(
        !v["rows"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["file"] == SIX && r["outcome"] != "missing")
    );
    let notes = v["notes"].to_string();
    assert!(notes.contains("leaves the directory"), "{notes}");
}
