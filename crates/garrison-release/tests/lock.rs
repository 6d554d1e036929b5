//! Lock verification: hand-written uv.lock, pylock.toml and requirements fixtures
//! (`tests/fixtures/lock/`) against small dist files generated here, hostile directories, the
//! policy and TOFU formats, and the attestation outcomes on the real PEP 740 attestations in
//! `shared/data/sigstore/pep740` checked against the digest the lock records.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use garrison_release::lock::{
    AttestationFile, AttestationKind, DistFile, Lock, LockLimits, LockPolicy, LockReport, Outcome,
    PublisherError, Tofu, VerifyContext, parse_publisher, parse_sha256, scan_dir, verify,
};
use garrison_sigstore::TrustedRoot;

const PEP740: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/sigstore/pep740"
);
const RFC: &str = "rfc8785-0.1.2-py3-none-any.whl";
const PYPI_ATT: &str = "pypi_attestations-0.0.19.tar.gz";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/lock")
        .join(name)
}

/// The content the fixtures' hashes were computed from.
fn content(filename: &str) -> String {
    format!("garrison lock test: {filename}\n")
}

fn load_lock(name: &str) -> Lock {
    let text = std::fs::read_to_string(fixture(name)).unwrap();
    let m = garrison_python::read(name, &text).unwrap();
    Lock::from_manifests(&[m]).unwrap()
}

/// A directory with the given dists (each with its fixture content, or the given content).
fn dist_dir(files: &[(&str, Option<&str>)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, body) in files {
        let body = body.map_or_else(|| content(name), str::to_string);
        std::fs::write(dir.path().join(name), body).unwrap();
    }
    dir
}

fn run(lock: &Lock, dir: &Path, policy: &LockPolicy, tofu: Option<&mut Tofu>) -> LockReport {
    let root = TrustedRoot::production().unwrap();
    let (files, notes) =
        scan_dir(dir, &[], &lock.extra_algorithms(), &LockLimits::default()).unwrap();
    let mut ctx = VerifyContext {
        policy,
        tofu,
        tofu_update: false,
        root: &root,
        dir: dir.display().to_string(),
        limits: LockLimits::default(),
    };
    let mut r = verify(lock, &files, &mut ctx);
    r.notes.extend(notes);
    r
}

fn outcomes(r: &LockReport) -> BTreeMap<String, Outcome> {
    r.rows
        .iter()
        .map(|row| (row.file.clone(), row.outcome))
        .collect()
}

const NUMPY_LINUX: &str = "numpy-2.1.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl";

/// The same directory against the three lock formats: hash-ok, hash-mismatch, not-in-lock
/// (unknown package, other version, unlisted file of the locked version), missing.
#[test]
fn three_lock_formats_classify_the_same_directory() {
    let dir = dist_dir(&[
        ("attrs-25.1.0-py3-none-any.whl", None),
        (NUMPY_LINUX, None),
        ("six-1.16.0-py2.py3-none-any.whl", Some("tampered\n")),
        ("requests-2.32.4-py3-none-any.whl", None),
        ("numpy-2.0.0-cp312-cp312-win_amd64.whl", None),
        ("attrs-25.1.0-py2-none-any.whl", None),
    ]);
    std::fs::write(dir.path().join("README.txt"), "not a dist").unwrap();
    for lock_name in ["uv.lock", "pylock.toml", "requirements.txt"] {
        let lock = load_lock(lock_name);
        let r = run(&lock, dir.path(), &LockPolicy::default(), None);
        let o = outcomes(&r);
        assert_eq!(
            o["attrs-25.1.0-py3-none-any.whl"],
            Outcome::HashOk,
            "{lock_name}"
        );
        assert_eq!(o[NUMPY_LINUX], Outcome::HashOk, "{lock_name}");
        assert_eq!(
            o["six-1.16.0-py2.py3-none-any.whl"],
            Outcome::HashMismatch,
            "{lock_name}"
        );
        assert_eq!(o["requests-2.32.4-py3-none-any.whl"], Outcome::NotInLock);
        assert_eq!(
            o["numpy-2.0.0-cp312-cp312-win_amd64.whl"],
            Outcome::NotInLock
        );
        // The lock lists attrs' files (uv.lock, pylock.toml): an unlisted one is not in the
        // lock. Requirements only pool hashes, so the same file is a hash mismatch there.
        let unlisted = o["attrs-25.1.0-py2-none-any.whl"];
        if lock_name == "requirements.txt" {
            assert_eq!(unlisted, Outcome::HashMismatch);
            assert_eq!(o["idna==3.10"], Outcome::Missing);
            assert_eq!(o["rfc8785==0.1.2"], Outcome::Missing);
        } else {
            assert_eq!(unlisted, Outcome::NotInLock, "{lock_name}");
            assert_eq!(o["idna-3.10.tar.gz"], Outcome::Missing, "{lock_name}");
            assert_eq!(o[RFC], Outcome::Missing, "{lock_name}");
        }
        // Messages say why.
        let row = |f: &str| r.rows.iter().find(|x| x.file == f).unwrap();
        assert!(
            row("numpy-2.0.0-cp312-cp312-win_amd64.whl")
                .detail
                .contains("the lock pins numpy 2.1.0, not 2.0.0")
        );
        assert!(
            row("requests-2.32.4-py3-none-any.whl")
                .detail
                .contains("no package `requests`")
        );
        let six = row("six-1.16.0-py2.py3-none-any.whl");
        assert!(six.detail.contains("expects"), "{}", six.detail);
        assert!(six.lock_line.unwrap() > 1);
        // One package with some of its files (numpy: 1 of 3) is present, not missing.
        assert!(
            !r.rows
                .iter()
                .any(|x| x.package == "numpy" && x.outcome == Outcome::Missing)
        );
        assert!(
            r.notes.iter().any(|n| n.contains("README.txt")),
            "{:?}",
            r.notes
        );
        assert!(r.fails(false));
        assert_eq!(r.summary["hash-ok"], 2, "{lock_name}");
        // Findings for SARIF: one per problem row, with the rule for its outcome.
        let rules: Vec<String> = r.findings().iter().map(|f| f.rule.clone()).collect();
        assert!(rules.contains(&"release/hash-mismatch".to_string()));
        assert!(rules.contains(&"release/dist-not-in-lock".to_string()));
        assert!(rules.contains(&"release/dist-missing".to_string()));
        assert_eq!(
            rules.len(),
            r.rows.iter().filter(|x| x.outcome.fails(true)).count()
        );
    }
    let uv = load_lock("uv.lock");
    assert!(
        uv.notes
            .iter()
            .any(|n| n.contains("from-git") && n.contains("git"))
    );
    assert!(!uv.packages.iter().any(|p| p.name.as_str() == "lock-demo"));
}

#[test]
fn clean_directory_passes() {
    let dir = dist_dir(&[
        ("attrs-25.1.0-py3-none-any.whl", None),
        ("six-1.16.0-py2.py3-none-any.whl", None),
    ]);
    let r = run(
        &load_lock("pylock.toml"),
        dir.path(),
        &LockPolicy::default(),
        None,
    );
    assert!(!r.fails(false), "{:?}", r.rows);
    assert!(r.fails(true), "numpy, idna and rfc8785 are missing");
}

#[cfg(unix)]
#[test]
fn hostile_directory_entries_are_skipped_with_a_note() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret"), "secret").unwrap();
    let dir = dist_dir(&[("attrs-25.1.0-py3-none-any.whl", None)]);
    let d = dir.path();
    // A symlink out of the directory, a symlink inside it, a directory, a FIFO, a dangling link.
    std::os::unix::fs::symlink(
        outside.path().join("secret"),
        d.join("evil-1.0-py3-none-any.whl"),
    )
    .unwrap();
    std::fs::write(
        d.join(".hidden-target"),
        content("six-1.16.0-py2.py3-none-any.whl"),
    )
    .unwrap();
    std::os::unix::fs::symlink(
        d.join(".hidden-target"),
        d.join("six-1.16.0-py2.py3-none-any.whl"),
    )
    .unwrap();
    std::fs::create_dir(d.join("sub-1.0.tar.gz")).unwrap();
    std::os::unix::fs::symlink(d.join("nowhere"), d.join("dangling-1.0.tar.gz")).unwrap();
    let fifo = std::process::Command::new("mkfifo")
        .arg(d.join("fifo-1.0.tar.gz"))
        .status()
        .is_ok_and(|s| s.success());
    let lock = load_lock("uv.lock");
    let r = run(&lock, d, &LockPolicy::default(), None);
    let o = outcomes(&r);
    assert_eq!(o["attrs-25.1.0-py3-none-any.whl"], Outcome::HashOk);
    assert_eq!(
        o["six-1.16.0-py2.py3-none-any.whl"],
        Outcome::HashOk,
        "link inside DIR"
    );
    assert!(!o.contains_key("evil-1.0-py3-none-any.whl"));
    let note = |s: &str| r.notes.iter().any(|n| n.contains(s));
    assert!(note("leaves the directory"), "{:?}", r.notes);
    assert!(note("sub-1.0.tar.gz: not a regular file"), "{:?}", r.notes);
    assert!(note("dangling-1.0.tar.gz"), "{:?}", r.notes);
    if fifo {
        assert!(note("fifo-1.0.tar.gz: not a regular file"), "{:?}", r.notes);
    }
    // The secret was never hashed into the report.
    assert!(!format!("{r:?}").contains("secret\""));
}

#[test]
fn oversized_files_are_not_read() {
    let dir = dist_dir(&[("attrs-25.1.0-py3-none-any.whl", None)]);
    std::fs::write(dir.path().join(NUMPY_LINUX), vec![b'x'; 4096]).unwrap();
    std::fs::write(
        dir.path()
            .join("attrs-25.1.0-py3-none-any.whl.publish.attestation"),
        vec![b' '; 2048],
    )
    .unwrap();
    let limits = LockLimits {
        max_dist_bytes: 1024,
        max_attestation_bytes: 1024,
        ..LockLimits::default()
    };
    let (files, notes) = scan_dir(dir.path(), &[], &[], &limits).unwrap();
    // numpy is not read; attrs is, and its oversized attestation counts as one that fails.
    assert_eq!(files.len(), 1);
    assert!(
        files[0].attestations[0]
            .error
            .as_deref()
            .unwrap()
            .contains("limit")
    );
    assert!(
        notes
            .iter()
            .any(|n| n.contains(NUMPY_LINUX) && n.contains("limit")),
        "{notes:?}"
    );
    assert!(
        notes
            .iter()
            .any(|n| n.contains(".publish.attestation") && n.contains("limit"))
    );
}

#[test]
fn sha512_locks_are_checked_with_sha512() {
    use sha2::Digest as _;
    let name = "six-1.16.0-py2.py3-none-any.whl";
    let good = hex(&sha2::Sha512::digest(content(name).as_bytes()));
    for (hash, want) in [
        (good.as_str(), Outcome::HashOk),
        (&"ab".repeat(64)[..], Outcome::HashMismatch),
    ] {
        let text = format!("six==1.16.0 --hash=sha512:{hash}\n");
        let m = garrison_python::read("requirements.txt", &text).unwrap();
        let lock = Lock::from_manifests(&[m]).unwrap();
        assert_eq!(lock.extra_algorithms(), vec!["sha512"]);
        let dir = dist_dir(&[(name, None)]);
        let r = run(&lock, dir.path(), &LockPolicy::default(), None);
        assert_eq!(outcomes(&r)[name], want);
    }
    let m = garrison_python::read("requirements.txt", "six==1.16.0 --hash=md5:abcd\n").unwrap();
    let lock = Lock::from_manifests(&[m]).unwrap();
    let dir = dist_dir(&[(name, None)]);
    let r = run(&lock, dir.path(), &LockPolicy::default(), None);
    assert_eq!(outcomes(&r)[name], Outcome::HashMismatch);
    assert!(
        r.rows[0].detail.contains("only md5"),
        "{}",
        r.rows[0].detail
    );
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[test]
fn lock_reader_errors_stop_verification() {
    let m = garrison_python::read(
        "uv.lock",
        "[[package]]\nname = \"x\"\nversion = \"1\"\n[[package\n",
    )
    .unwrap();
    let e = Lock::from_manifests(&[m]).unwrap_err();
    assert_eq!(e.path, "uv.lock");
    assert!(e.line.is_some(), "{e}");
    let m = garrison_python::read("pyproject.toml", "[project]\nname='x'\n").unwrap();
    assert!(
        Lock::from_manifests(&[m])
            .unwrap_err()
            .message
            .contains("lock mode reads")
    );
}

#[test]
fn policy_file_parses_and_errors_name_the_line() {
    let p = LockPolicy::parse(
        "policy.toml",
        "require-attestations = true\n\n[publishers]\nNumPy = \"github:numpy/numpy workflow=wheels.yml\"\ngl = \"gitlab:group/sub/project workflow=ci/.gitlab-ci.yml\"\ng = \"google:svc@proj.iam.gserviceaccount.com\"\n",
    )
    .unwrap();
    assert!(p.require_attestations);
    assert_eq!(
        p.publishers["numpy"].to_string(),
        "github:numpy/numpy workflow=wheels.yml"
    );
    assert_eq!(
        p.publishers["gl"].to_string(),
        "gitlab:group/sub/project workflow=ci/.gitlab-ci.yml"
    );
    assert_eq!(
        p.publishers["g"].to_string(),
        "google:svc@proj.iam.gserviceaccount.com"
    );
    let cases = [
        (
            "[publishers]\nnumpy = \"github:numpy/numpy\"\n",
            2,
            "workflow",
        ),
        (
            "[publishers]\n\nx = \"bitbucket:a/b workflow=c\"\n",
            3,
            "unknown publisher kind",
        ),
        (
            "[publishers]\nx = \"github:nope workflow=a.yml\"\n",
            2,
            "not an OWNER/NAME",
        ),
        (
            "[publishers]\nx = \"github:a/b workflow=.github/workflows/a.yml\"\n",
            2,
            "file name",
        ),
        ("[publishers]\nx = 3\n", 2, "must be a string"),
        (
            "[publishers]\nFoo_Bar = \"google:a@b\"\nfoo-bar = \"google:a@b\"\n",
            3,
            "same package as `Foo_Bar` on line 2",
        ),
        ("require-attestations = \"yes\"\n", 1, "true or false"),
        ("\n\nrequire-attestation = true\n", 3, "unknown key"),
        (
            "[publishers]\nnumpy = \"github:numpy/numpy workflow=a.yml\n",
            2,
            "TOML syntax error",
        ),
        (
            "[publishers]\nx = \"github:a/b workflow=a.yml extra\"\n",
            2,
            "unexpected `extra`",
        ),
    ];
    for (text, line, msg) in cases {
        let e = LockPolicy::parse("policy.toml", text).unwrap_err();
        assert_eq!(
            (e.path.as_str(), e.line),
            ("policy.toml", Some(line)),
            "{text}: {e}"
        );
        assert!(e.message.contains(msg), "{text}: {e}");
        assert!(
            e.to_string().starts_with(&format!("policy.toml:{line}: ")),
            "{e}"
        );
    }
    assert!(matches!(
        parse_publisher("google:a@b workflow=x"),
        Err(PublisherError::Google(_))
    ));
}

#[test]
fn tofu_file_round_trips_and_rejects_garbage() {
    let mut t = Tofu::new();
    assert_eq!(Tofu::parse("t.json", &t.to_json()).unwrap(), t);
    t.packages.insert(
        "x".into(),
        garrison_release::lock::TofuRecord {
            publisher: "github:a/b workflow=c.yml".into(),
            since: "1.0".into(),
            last: "1.1".into(),
        },
    );
    assert_eq!(Tofu::parse("t.json", &t.to_json()).unwrap(), t);
    for bad in [
        "",
        "[]",
        "{\"version\": 2, \"packages\": {}}",
        "{\"version\": 1, \"packages\": {\"x\": {\"publisher\": \"nope\", \"since\": \"1\", \"last\": \"1\"}}}",
        "{\"version\": 1, \"packages\": {}, \"extra\": 1}",
    ] {
        let e = Tofu::parse("t.json", bad).unwrap_err();
        assert_eq!(e.path, "t.json", "{bad}");
    }
    let e = Tofu::parse("t.json", "{\n\"version\": 1,\n\"packages\": [\n").unwrap_err();
    assert!(e.line.is_some(), "{e}");
}

// --- Attestations: the real PEP 740 data, checked against the lock's digest ---------------

fn att(name: &str, kind: AttestationKind) -> AttestationFile {
    let path = Path::new(PEP740).join(name);
    AttestationFile {
        path: path.display().to_string(),
        kind,
        bytes: std::fs::read(path).unwrap(),
        error: None,
    }
}

/// A dist as the lock knows it (its locked sha256, no file), with the given attestations.
fn locked_dist(lock: &Lock, package: &str, attestations: &[(&str, AttestationKind)]) -> DistFile {
    let pkg = lock
        .packages
        .iter()
        .find(|p| p.name.as_str() == package)
        .unwrap();
    let digest = parse_sha256(&pkg.files[0].hashes[0]).unwrap();
    let mut d = DistFile::from_digest(&pkg.files[0].filename, digest);
    for (name, kind) in attestations {
        d.attestations.push(att(name, *kind));
    }
    d
}

fn rfc_dist(lock: &Lock) -> DistFile {
    locked_dist(
        lock,
        "rfc8785",
        &[(
            &format!("{RFC}.publish.attestation"),
            AttestationKind::Object,
        )],
    )
}

fn pypi_att_dist(lock: &Lock) -> DistFile {
    locked_dist(
        lock,
        "pypi-attestations",
        &[(
            &format!("{PYPI_ATT}.publish.attestation"),
            AttestationKind::Object,
        )],
    )
}

fn judge(
    lock: &Lock,
    dist: &DistFile,
    policy: &LockPolicy,
    tofu: Option<&mut Tofu>,
    update: bool,
) -> garrison_release::lock::Row {
    // The rfc8785 attestations were signed on Sigstore's staging instance.
    let root = if dist.filename == RFC {
        TrustedRoot::staging().unwrap()
    } else {
        TrustedRoot::production().unwrap()
    };
    let mut ctx = VerifyContext {
        policy,
        tofu,
        tofu_update: update,
        root: &root,
        dir: "dists".into(),
        limits: LockLimits::default(),
    };
    let r = verify(lock, std::slice::from_ref(dist), &mut ctx);
    r.rows
        .into_iter()
        .find(|row| row.file == dist.filename)
        .unwrap()
}

fn policy(entries: &str) -> LockPolicy {
    LockPolicy::parse("policy.toml", &format!("[publishers]\n{entries}\n")).unwrap()
}

const PUBLISHER: &str = "github:trailofbits/pypi-attestations workflow=release.yml";

fn pinned() -> LockPolicy {
    policy(&format!("pypi-attestations = \"{PUBLISHER}\""))
}

#[test]
fn attestation_against_policy_identity() {
    for lock_name in ["uv.lock", "pylock.toml"] {
        let lock = load_lock(lock_name);
        let dist = pypi_att_dist(&lock);
        let ok = judge(&lock, &dist, &pinned(), None, false);
        assert_eq!(ok.outcome, Outcome::Verified, "{}", ok.detail);
        assert_eq!(ok.publisher.as_deref(), Some(PUBLISHER));

        let other =
            policy("pypi-attestations = \"github:someone/pypi-attestations workflow=release.yml\"");
        let row = judge(&lock, &dist, &other, None, false);
        assert_eq!(row.outcome, Outcome::IdentityMismatch);
        assert!(
            row.detail.contains(&format!(
                "attested by {PUBLISHER}, but the policy requires github:someone/"
            )),
            "{}",
            row.detail
        );
        let wf =
            policy("pypi-attestations = \"github:trailofbits/pypi-attestations workflow=ci.yml\"");
        let gl = policy(
            "pypi-attestations = \"gitlab:trailofbits/pypi-attestations workflow=.gitlab-ci.yml\"",
        );
        for other in [&wf, &gl] {
            // The attestation verifies; its publisher is not the one the policy requires.
            let row = judge(&lock, &dist, other, None, false);
            assert_eq!(row.outcome, Outcome::IdentityMismatch);
            assert!(
                row.detail
                    .starts_with(&format!("attested by {PUBLISHER}, but the policy requires")),
                "{}",
                row.detail
            );
        }

        // No attestation, policy names a publisher: unattested.
        let bare = DistFile::from_digest(PYPI_ATT, dist.sha256);
        let un = judge(&lock, &bare, &pinned(), None, false);
        assert_eq!(un.outcome, Outcome::Unattested);
        // No attestation, no policy: hash-ok, and said plainly.
        let plain = judge(&lock, &bare, &LockPolicy::default(), None, false);
        assert_eq!(plain.outcome, Outcome::HashOk);
        assert!(plain.detail.contains("not attested"));
        // require-attestations without a publisher.
        let req = LockPolicy {
            require_attestations: true,
            ..LockPolicy::default()
        };
        assert_eq!(
            judge(&lock, &bare, &req, None, false).outcome,
            Outcome::Unattested
        );
        // An attestation with no policy verifies against its own signer, and says so.
        let any = judge(&lock, &dist, &LockPolicy::default(), None, false);
        assert_eq!(any.outcome, Outcome::Verified);
        assert!(
            any.detail.contains("no policy names a publisher"),
            "{}",
            any.detail
        );
    }
}

/// The rfc8785 wheel's publish attestation (lock digest = its subject) was signed by a person
/// (an e-mail identity), not a Trusted Publisher: it verifies cryptographically, but cannot
/// satisfy a publisher policy.
#[test]
fn rfc8785_attestation_is_not_from_a_trusted_publisher() {
    let lock = load_lock("uv.lock");
    let dist = rfc_dist(&lock);
    let want = policy("rfc8785 = \"github:trailofbits/rfc8785.py workflow=release.yml\"");
    let row = judge(&lock, &dist, &want, None, false);
    assert_eq!(row.outcome, Outcome::IdentityMismatch);
    assert!(
        row.detail.contains("not a Trusted Publisher"),
        "{}",
        row.detail
    );
    let row = judge(&lock, &dist, &LockPolicy::default(), None, false);
    assert_eq!(row.outcome, Outcome::HashOk);
    assert!(
        row.detail.contains("is not a Trusted Publisher"),
        "{}",
        row.detail
    );
    // The same attestation for a digest off by one bit does not verify at all.
    let mut wrong = dist.clone();
    wrong.sha256[0] ^= 1;
    let bad = judge(
        &lock_with_rfc_digest(wrong.sha256),
        &wrong,
        &want,
        None,
        false,
    );
    assert_eq!(bad.outcome, Outcome::IdentityMismatch);
    assert!(bad.detail.contains("does not verify"), "{}", bad.detail);
}

fn lock_with_rfc_digest(d: [u8; 32]) -> Lock {
    let text = format!("rfc8785==0.1.2 --hash=sha256:{}\n", hex(&d));
    Lock::from_manifests(&[garrison_python::read("requirements.txt", &text).unwrap()]).unwrap()
}

#[test]
fn provenance_object_verifies() {
    let lock = load_lock("requirements.txt");
    let pkg = lock
        .packages
        .iter()
        .find(|p| p.name.as_str() == "pypi-attestations")
        .unwrap();
    let digest = parse_sha256(&pkg.hashes[0]).unwrap();
    let mut d = DistFile::from_digest(PYPI_ATT, digest);
    d.attestations.push(att(
        &format!("{PYPI_ATT}.provenance"),
        AttestationKind::Provenance,
    ));
    let row = judge(&lock, &d, &pinned(), None, false);
    assert_eq!(row.outcome, Outcome::Verified, "{}", row.detail);
    let other = policy("pypi-attestations = \"github:a/b workflow=release.yml\"");
    let row = judge(&lock, &d, &other, None, false);
    assert_eq!(row.outcome, Outcome::IdentityMismatch);
    assert!(
        row.detail
            .contains(", but the policy requires github:a/b workflow=release.yml"),
        "{}",
        row.detail
    );
}

#[test]
fn trust_on_first_use() {
    let lock = load_lock("pylock.toml");
    let dist = pypi_att_dist(&lock);
    let none = LockPolicy::default();
    let mut tofu = Tofu::new();
    // First use: recorded.
    let first = judge(&lock, &dist, &none, Some(&mut tofu), false);
    assert_eq!(first.outcome, Outcome::Verified, "{}", first.detail);
    assert!(first.detail.contains("recorded on first use"));
    assert_eq!(tofu.packages["pypi-attestations"].publisher, PUBLISHER);
    assert_eq!(tofu.packages["pypi-attestations"].since, "0.0.19");
    // Same publisher again: verified against the record.
    let again = judge(&lock, &dist, &none, Some(&mut tofu), false);
    assert_eq!(again.outcome, Outcome::Verified);
    assert!(again.detail.contains("as recorded since version 0.0.19"));
    // The record names another publisher: changed, flagged, record untouched.
    let mut changed = tofu.clone();
    changed
        .packages
        .get_mut("pypi-attestations")
        .unwrap()
        .publisher = "github:trailofbits/pypi-attestations workflow=old-release.yml".into();
    let before = changed.clone();
    let row = judge(&lock, &dist, &none, Some(&mut changed), false);
    assert_eq!(row.outcome, Outcome::IdentityMismatch);
    assert!(row.publisher_changed);
    assert!(
        row.detail.contains(&format!("publisher changed from github:trailofbits/pypi-attestations workflow=old-release.yml (recorded since version 0.0.19) to {PUBLISHER}")),
        "{}",
        row.detail
    );
    assert_eq!(changed, before, "never silently rewritten");
    let r = LockReport {
        rows: vec![row],
        ..empty_report()
    };
    assert_eq!(r.findings()[0].rule, "release/publisher-changed");
    // --tofu-update accepts the change.
    let row = judge(&lock, &dist, &none, Some(&mut changed), true);
    assert_eq!(row.outcome, Outcome::Verified);
    assert_eq!(changed.packages["pypi-attestations"].publisher, PUBLISHER);
    // The publisher vanishes: unattested, flagged as a change, record kept.
    let bare = DistFile::from_digest(PYPI_ATT, dist.sha256);
    let row = judge(&lock, &bare, &none, Some(&mut tofu), false);
    assert_eq!(row.outcome, Outcome::Unattested);
    assert!(row.detail.contains("publisher vanished"), "{}", row.detail);
    assert!(tofu.packages.contains_key("pypi-attestations"));
    // A policy entry wins over the record.
    let row = judge(&lock, &dist, &pinned(), Some(&mut changed), false);
    assert_eq!(row.outcome, Outcome::Verified);
}

fn empty_report() -> LockReport {
    LockReport {
        lock: "uv.lock".into(),
        dir: "d".into(),
        rows: Vec::new(),
        summary: BTreeMap::new(),
        packages: 0,
        notes: Vec::new(),
        tofu_changed: false,
    }
}

/// Attestations are found next to the dist and in --attestations directories.
#[test]
fn attestations_found_next_to_dists() {
    let dir = dist_dir(&[("attrs-25.1.0-py3-none-any.whl", None)]);
    let adir = tempfile::tempdir().unwrap();
    std::fs::copy(
        Path::new(PEP740).join(format!("{RFC}.publish.attestation")),
        dir.path()
            .join("attrs-25.1.0-py3-none-any.whl.publish.attestation"),
    )
    .unwrap();
    std::fs::copy(
        Path::new(PEP740).join(format!("{PYPI_ATT}.provenance")),
        adir.path().join("attrs-25.1.0-py3-none-any.whl.provenance"),
    )
    .unwrap();
    let (files, notes) = scan_dir(dir.path(), &[adir.path()], &[], &LockLimits::default()).unwrap();
    assert!(notes.is_empty(), "{notes:?}");
    let kinds: Vec<AttestationKind> = files[0].attestations.iter().map(|a| a.kind).collect();
    assert_eq!(
        kinds,
        vec![AttestationKind::Object, AttestationKind::Provenance]
    );
    // They are for another file, so they do not verify: identity-mismatch, never hash-ok.
    let lock = load_lock("uv.lock");
    let root = TrustedRoot::production().unwrap();
    let none = LockPolicy::default();
    let mut ctx = VerifyContext {
        policy: &none,
        tofu: None,
        tofu_update: false,
        root: &root,
        dir: "d".into(),
        limits: LockLimits::default(),
    };
    let r = verify(&lock, &files, &mut ctx);
    assert_eq!(r.rows[0].outcome, Outcome::IdentityMismatch);
    assert!(
        r.rows[0].detail.contains("is not the distribution"),
        "{}",
        r.rows[0].detail
    );
}

#[test]
fn junk_entries_are_counted_not_listed() {
    let dir = dist_dir(&[("attrs-25.1.0-py3-none-any.whl", None)]);
    for i in 0..50 {
        std::fs::write(dir.path().join(format!("junk-{i}.txt")), "x").unwrap();
    }
    let (files, notes) = scan_dir(dir.path(), &[], &[], &LockLimits::default()).unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(notes.len(), 21, "{notes:?}");
    assert!(notes[20].contains("30 more files"), "{notes:?}");
    let limits = LockLimits {
        max_entries: 10,
        ..LockLimits::default()
    };
    let (_, notes) = scan_dir(dir.path(), &[], &[], &limits).unwrap();
    assert!(
        notes.iter().any(|n| n.contains("more than 10 entries")),
        "{notes:?}"
    );
}

/// A GitLab Trusted Publisher from the policy syntax verifies the real GitLab attestation.
#[test]
fn gitlab_publisher_policy() {
    let name = "gitlab_oidc_project-0.0.3.tar.gz";
    let sha = "c1ca9b0d85df1606451098233018534497bf584362e10e4a8c21dfaea92c02a8";
    let text = format!("gitlab-oidc-project==0.0.3 --hash=sha256:{sha}\n");
    let lock =
        Lock::from_manifests(&[garrison_python::read("requirements.txt", &text).unwrap()]).unwrap();
    let mut d = DistFile::from_digest(name, parse_sha256(sha).unwrap());
    d.attestations.push(att(
        &format!("{name}.publish.attestation"),
        AttestationKind::Object,
    ));
    let ok = policy(
        "gitlab-oidc-project = \"gitlab:facutuesca/gitlab-oidc-project workflow=.gitlab-ci.yml\"",
    );
    let row = judge(&lock, &d, &ok, None, false);
    assert_eq!(row.outcome, Outcome::Verified, "{}", row.detail);
    let other = policy(
        "gitlab-oidc-project = \"gitlab:facutuesca/gitlab-oidc-project workflow=ci/release.yml\"",
    );
    let row = judge(&lock, &d, &other, None, false);
    assert_eq!(row.outcome, Outcome::IdentityMismatch);
    assert!(
        row.detail
            .contains(", but the policy requires gitlab:facutuesca/"),
        "{}",
        row.detail
    );
}

/// Every prefix of valid policy, TOFU and lock texts is read or refused without a panic.
#[test]
fn truncated_inputs_never_panic() {
    let policy_text = "require-attestations = true\n[publishers]\nnumpy = \"github:numpy/numpy workflow=wheels.yml\"\ng = \"google:a@b\"\n";
    let mut tofu = Tofu::new();
    tofu.packages.insert(
        "numpy".into(),
        garrison_release::lock::TofuRecord {
            publisher: "github:numpy/numpy workflow=wheels.yml".into(),
            since: "2.0".into(),
            last: "2.1".into(),
        },
    );
    let tofu_text = tofu.to_json();
    let uv = std::fs::read_to_string(fixture("uv.lock")).unwrap();
    for text in [policy_text, tofu_text.as_str(), uv.as_str()] {
        for end in (0..text.len()).filter(|i| text.is_char_boundary(*i)) {
            let t = &text[..end];
            let _ = LockPolicy::parse("p.toml", t);
            let _ = Tofu::parse("t.json", t);
            if let Some(m) = garrison_python::read("uv.lock", t) {
                let _ = Lock::from_manifests(&[m]);
            }
        }
    }
}
