//! `garrison verify --lock` end to end: the lock fixtures of garrison-release
//! (`crates/garrison-release/tests/fixtures/lock/`) against dist files generated here, with
//! policies, TOFU records, hostile inputs and every output format. Each case is a snapshot of
//! the whole run (exit code, standard output, standard error).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use garrison_test::cli::{Run, run, snapshots};

const NUMPY: &str = "numpy-2.1.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl";
const ATTRS: &str = "attrs-25.1.0-py3-none-any.whl";
const SIX: &str = "six-1.16.0-py2.py3-none-any.whl";

fn locks() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../garrison-release/tests/fixtures/lock")
}

/// A directory of dists (`ROOT/dists`) with the content the fixtures' hashes were computed
/// from, next to copies of the lock fixtures (`ROOT/locks`). Findings sort by path, so the lock
/// and the dists live side by side: their order is the same wherever the checkout and the
/// temporary directory are.
struct Dists {
    root: tempfile::TempDir,
}

impl Dists {
    fn path(&self) -> PathBuf {
        self.root.path().join("dists")
    }

    /// A copy of the lock fixture `name`, in `ROOT/locks`.
    fn lock(&self, name: &str) -> PathBuf {
        let dir = self.root.path().join("locks");
        std::fs::create_dir_all(&dir).unwrap();
        let to = dir.join(name);
        std::fs::copy(locks().join(name), &to).unwrap();
        to
    }
}

fn dists(names: &[&str]) -> Dists {
    let d = Dists {
        root: tempfile::tempdir().unwrap(),
    };
    std::fs::create_dir(d.path()).unwrap();
    for n in names {
        std::fs::write(d.path().join(n), format!("garrison lock test: {n}\n")).unwrap();
    }
    d
}

fn garrison() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_garrison"));
    c.env("NO_COLOR", "1").env("GARRISON_NO_PROGRESS", "1");
    c
}

/// `garrison verify --lock LOCK --dists DIR EXTRA…`; the fixtures' directory is `[LOCKS]`, the
/// dists' `[DISTS]`, and `redact` names the test's other directories. Fingerprints are not
/// redacted: they name the lock and the dists by file name, so they are the same in every run
/// although the paths are fresh temporary directories.
fn verify(lock_path: &Path, dir: &Path, extra: &[&str], redact: &[(&Path, &str)]) -> Run {
    let locks = lock_path.parent().filter(|p| p.ends_with("locks"));
    let mut all: Vec<(&Path, &str)> = locks.map(|l| (l, "[LOCKS]")).into_iter().collect();
    all.push((dir, "[DISTS]"));
    all.extend_from_slice(redact);
    run(
        garrison()
            .arg("verify")
            .arg("--lock")
            .arg(lock_path)
            .arg("--dists")
            .arg(dir)
            .args(extra),
        &all,
    )
}

/// SARIF's results only (the rules' documentation, also in the log, is left out).
fn sarif_results(r: &Run) -> Run {
    r.json_part(|s| s["runs"][0]["results"].clone())
}

#[test]
fn matching_directory_passes_and_missing_fails_only_with_require_all() {
    let dir = dists(&[ATTRS, NUMPY, SIX]);
    for l in ["uv.lock", "pylock.toml", "requirements.txt"] {
        // Every file present matches (hash-ok); the locked packages with no file are listed as
        // missing, which passes unless --require-all.
        let all = verify(&dir.lock(l), &dir.path(), &[], &[]);
        let required = verify(&dir.lock(l), &dir.path(), &["--require-all"], &[]);
        insta::assert_snapshot!(
            format!("matching_{l}"),
            snapshots(&[("default", &all), ("--require-all", &required)])
        );
    }
}

#[test]
fn mismatches_fail_with_a_table_json_and_sarif() {
    let dir = dists(&[ATTRS, NUMPY, "requests-2.32.4-py3-none-any.whl"]);
    std::fs::write(dir.path().join(SIX), "tampered\n").unwrap();
    // A tampered file (hash-mismatch), a file no lock names (not-in-lock), missing packages and
    // a git source that cannot be checked, in every format.
    let text = verify(&dir.lock("uv.lock"), &dir.path(), &[], &[]);
    let json = verify(&dir.lock("pylock.toml"), &dir.path(), &["-f", "json"], &[]);
    let sarif = sarif_results(&verify(
        &dir.lock("requirements.txt"),
        &dir.path(),
        &["-f", "sarif"],
        &[],
    ));
    let md = verify(&dir.lock("uv.lock"), &dir.path(), &["-f", "markdown"], &[]);
    insta::assert_snapshot!(
        "mismatches",
        snapshots(&[
            ("uv.lock, text", &text),
            ("pylock.toml, json", &json),
            ("requirements.txt, sarif results", &sarif),
            ("uv.lock, markdown", &md),
        ])
    );
}

fn policy(dir: &Path, text: &str) -> PathBuf {
    let p = dir.join("policy.toml");
    std::fs::write(&p, text).unwrap();
    p
}

/// The policy names numpy's publisher and the wheel has no attestation: unattested; a policy
/// requiring attestations makes every unattested file fail.
#[test]
fn unattested_under_policy() {
    let dir = dists(&[ATTRS, NUMPY]);
    let cfg = tempfile::tempdir().unwrap();
    let redact = [(cfg.path(), "[CFG]")];
    let p = policy(
        cfg.path(),
        "[publishers]\nnumpy = \"github:numpy/numpy workflow=wheels.yml\"\n",
    );
    let p = p.to_str().unwrap();
    let publisher = verify(&dir.lock("uv.lock"), &dir.path(), &["--policy", p], &redact);
    std::fs::write(p, "require-attestations = true\n").unwrap();
    let required = verify(
        &dir.lock("uv.lock"),
        &dir.path(),
        &["--policy", p, "-f", "json"],
        &redact,
    );
    insta::assert_snapshot!(
        "unattested_under_policy",
        snapshots(&[
            ("numpy's publisher named, text", &publisher),
            ("require-attestations, json", &required)
        ])
    );
}

/// The real attestation of pypi_attestations-0.0.19.tar.gz next to a file of that name whose
/// content (and locked hash) is not the attested one: the attestation does not verify, under
/// the right publisher or any other.
#[test]
fn attestation_for_other_bytes_is_an_identity_mismatch() {
    use sha2::Digest as _;
    let Some(pep740) = garrison_test::require::shared_data("sigstore/pep740") else {
        return;
    };
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
        pep740.join(format!("{name}.publish.attestation")),
        atts.path().join(format!("{name}.publish.attestation")),
    )
    .unwrap();
    let cfg = tempfile::tempdir().unwrap();
    let redact = [(atts.path(), "[ATTESTATIONS]"), (cfg.path(), "[CFG]")];
    let mut runs = Vec::new();
    for publisher in [
        "github:trailofbits/pypi-attestations workflow=release.yml",
        "github:someone/else workflow=release.yml",
    ] {
        let p = policy(
            cfg.path(),
            &format!("[publishers]\npypi-attestations = \"{publisher}\"\n"),
        );
        let mut extra = vec!["--attestations", atts.path().to_str().unwrap()];
        extra.extend(["--policy", p.to_str().unwrap(), "-f", "json"]);
        runs.push((publisher, verify(&req, dir.path(), &extra, &redact)));
    }
    let runs: Vec<(&str, &Run)> = runs.iter().map(|(t, r)| (*t, r)).collect();
    insta::assert_snapshot!("attestation_for_other_bytes", snapshots(&runs));
}

#[test]
fn tofu_record_created_and_vanished_publisher_flagged() {
    let dir = dists(&[ATTRS, NUMPY]);
    let cfg = tempfile::tempdir().unwrap();
    let tofu = cfg.path().join("tofu.json");
    let t = tofu.to_str().unwrap();
    let redact = [(cfg.path(), "[CFG]")];
    // First run: no attestations, so nothing is recorded, but the record is created.
    let first = verify(&dir.lock("uv.lock"), &dir.path(), &["--tofu", t], &redact);
    insta::assert_snapshot!(first.snapshot(), @"
    exit: 0
    --- stdout
    lock [LOCKS]/uv.lock against [DISTS]

    FILE                                                                    PACKAGE            VERSION  OUTCOME  DETAIL
    attrs-25.1.0-py3-none-any.whl                                           attrs              25.1.0   hash-ok  hash as locked; not attested, and no policy or TOFU record expects it
    numpy-2.1.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl  numpy              2.1.0    hash-ok  hash as locked; not attested, and no policy or TOFU record expects it
    six-1.16.0-py2.py3-none-any.whl                                         six                1.16.0   missing  its locked file is not in [DISTS]
    idna-3.10.tar.gz                                                        idna               3.10     missing  none of its 2 locked files is in [DISTS]
    rfc8785-0.1.2-py3-none-any.whl                                          rfc8785            0.1.2    missing  its locked file is not in [DISTS]
    pypi_attestations-0.0.19.tar.gz                                         pypi-attestations  0.0.19   missing  its locked file is not in [DISTS]

    2 files, 6 locked packages: 0 verified, 2 hash-ok, 0 unattested, 0 identity-mismatch, 0 hash-mismatch, 4 missing, 0 not-in-lock

    notes:
      [LOCKS]/uv.lock:59: `from-git` not checked: its source is `https://github.com/example/from-git?rev=v1.0#0123abcd`, with no hash

    OK: every file matches the lock and the policy
    ");
    assert_eq!(
        std::fs::read_to_string(&tofu).unwrap(),
        "{\n  \"version\": 1,\n  \"packages\": {}\n}\n"
    );
    // A record says numpy was attested by its publisher at 2.0.0; 2.1.0 has no attestation:
    // the publisher vanished, in text, JSON and SARIF, and the record is not rewritten.
    let record = "{\n  \"version\": 1,\n  \"packages\": {\n    \"numpy\": {\n      \"publisher\": \"github:numpy/numpy workflow=wheels.yml\",\n      \"since\": \"2.0.0\",\n      \"last\": \"2.0.0\"\n    }\n  }\n}\n";
    std::fs::write(&tofu, record).unwrap();
    let text = verify(&dir.lock("uv.lock"), &dir.path(), &["--tofu", t], &redact);
    let json = verify(
        &dir.lock("uv.lock"),
        &dir.path(),
        &["--tofu", t, "-f", "json"],
        &redact,
    );
    let sarif = sarif_results(&verify(
        &dir.lock("uv.lock"),
        &dir.path(),
        &["--tofu", t, "-f", "sarif"],
        &redact,
    ));
    insta::assert_snapshot!(
        "tofu_publisher_vanished",
        snapshots(&[("text", &text), ("json", &json), ("sarif results", &sarif)])
    );
    assert_eq!(
        std::fs::read_to_string(&tofu).unwrap(),
        record,
        "not rewritten"
    );
    // Accepting the change removes the record.
    let update = verify(
        &dir.lock("uv.lock"),
        &dir.path(),
        &["--tofu", t, "--tofu-update"],
        &redact,
    );
    insta::assert_snapshot!(update.snapshot(), @"
    exit: 0
    --- stdout
    lock [LOCKS]/uv.lock against [DISTS]

    FILE                                                                    PACKAGE            VERSION  OUTCOME  DETAIL
    attrs-25.1.0-py3-none-any.whl                                           attrs              25.1.0   hash-ok  hash as locked; not attested, and no policy or TOFU record expects it
    numpy-2.1.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl  numpy              2.1.0    hash-ok  publisher vanished: github:numpy/numpy workflow=wheels.yml attested since version 2.0.0, this file has no attestation; record removed by --tofu-update
    six-1.16.0-py2.py3-none-any.whl                                         six                1.16.0   missing  its locked file is not in [DISTS]
    idna-3.10.tar.gz                                                        idna               3.10     missing  none of its 2 locked files is in [DISTS]
    rfc8785-0.1.2-py3-none-any.whl                                          rfc8785            0.1.2    missing  its locked file is not in [DISTS]
    pypi_attestations-0.0.19.tar.gz                                         pypi-attestations  0.0.19   missing  its locked file is not in [DISTS]

    2 files, 6 locked packages: 0 verified, 2 hash-ok, 0 unattested, 0 identity-mismatch, 0 hash-mismatch, 4 missing, 0 not-in-lock

    notes:
      [LOCKS]/uv.lock:59: `from-git` not checked: its source is `https://github.com/example/from-git?rev=v1.0#0123abcd`, with no hash

    OK: every file matches the lock and the policy
    ");
    assert_eq!(
        std::fs::read_to_string(&tofu).unwrap(),
        "{\n  \"version\": 1,\n  \"packages\": {}\n}\n"
    );
    // No temporary files left behind.
    assert_eq!(std::fs::read_dir(cfg.path()).unwrap().count(), 1);
}

#[test]
fn input_errors_exit_2_naming_file_and_line() {
    let dir = dists(&[ATTRS]);
    let cfg = tempfile::tempdir().unwrap();
    let redact = [(cfg.path(), "[CFG]")];
    let p = policy(
        cfg.path(),
        "[publishers]\nattrs = \"github:python-attrs/attrs\"\n",
    );
    let r = verify(
        &dir.lock("uv.lock"),
        &dir.path(),
        &["--policy", p.to_str().unwrap()],
        &redact,
    );
    insta::assert_snapshot!(r.snapshot(), @"
    exit: 2
    --- stderr
    garrison: error: [CFG]/policy.toml:2: `github:python-attrs/attrs`: a github publisher needs its workflow (`workflow=FILE`)
    ");

    let t = cfg.path().join("tofu.json");
    std::fs::write(&t, "{\"version\": 1,\n\"packages\": 3}").unwrap();
    let r = verify(
        &dir.lock("uv.lock"),
        &dir.path(),
        &["--tofu", t.to_str().unwrap()],
        &redact,
    );
    insta::assert_snapshot!(r.snapshot(), @"
    exit: 2
    --- stderr
    garrison: error: [CFG]/tofu.json:2: not a Garrison TOFU record: invalid type: integer `3`, expected a map at line 2 column 13
    ");

    let bad_lock = cfg.path().join("uv.lock");
    std::fs::write(
        &bad_lock,
        "[[package]]\nname = \"x\"\nversion = \"1\"\n[[package\n",
    )
    .unwrap();
    insta::assert_snapshot!(verify(&bad_lock, &dir.path(), &[], &redact).snapshot(), @"
    exit: 2
    --- stderr
    garrison: error: [CFG]/uv.lock:4: TOML syntax error: unclosed array table, expected `]]`
    ");

    let nope = cfg.path().join("nope");
    insta::assert_snapshot!(verify(&dir.lock("uv.lock"), &nope, &[], &redact).snapshot(), @"
    exit: 2
    --- stderr
    garrison: error: [DISTS]: cannot open directory: No such file or directory (os error 2)
    ");
    // Lock mode and a bundle are exclusive; lock mode needs --dists.
    let r = run(
        garrison().args(["verify", "x.sigstore", "--lock", "uv.lock", "--dists", "."]),
        &[],
    );
    insta::assert_snapshot!(r.snapshot(), @"
    exit: 2
    --- stderr
    error: the argument '[BUNDLE]' cannot be used with '--lock <FILE>'

    Usage: garrison verify --dists <DIR> <BUNDLE>

    For more information, try '--help'.
    ");
    let r = run(garrison().args(["verify", "--lock", "uv.lock"]), &[]);
    insta::assert_snapshot!(r.snapshot(), @"
    exit: 2
    --- stderr
    error: the following required arguments were not provided:
      --dists <DIR>

    Usage: garrison verify --lock <FILE> --dists <DIR> [BUNDLE]

    For more information, try '--help'.
    ");
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
    // six stays missing, and a note says why its link was not followed.
    let r = verify(
        &dir.lock("uv.lock"),
        &dir.path(),
        &["-f", "json"],
        &[(outside.path(), "[OUTSIDE]")],
    );
    insta::assert_snapshot!("symlink_not_followed", r.snapshot());
}
