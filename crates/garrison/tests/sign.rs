//! `garrison sign` and `garrison verify` of SSH signatures end to end, with keys made by the real
//! `ssh-keygen` (installed on every machine of this project and in CI) and cross-checked by it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command as Process, Stdio};

use assert_cmd::Command;

const PRINCIPAL: &str = "maintainer@example.org";

fn garrison() -> Command {
    let mut c = Command::cargo_bin("garrison").unwrap();
    c.env_remove("GARRISON_SSH_PASSPHRASE");
    c
}

fn keygen(dir: &Path, name: &str, passphrase: &str) -> PathBuf {
    let key = dir.join(name);
    let ok = Process::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-C", "", "-N", passphrase, "-f"])
        .arg(&key)
        .stdin(Stdio::null())
        .status()
        .expect("ssh-keygen is required for these tests")
        .success();
    assert!(ok);
    key
}

fn allowed_signers(dir: &Path, key: &Path) -> PathBuf {
    let public = std::fs::read_to_string(key.with_extension("pub")).unwrap();
    let path = dir.join("allowed_signers");
    std::fs::write(&path, format!("{PRINCIPAL} {}\n", public.trim())).unwrap();
    path
}

fn stdout(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&a.get_output().stdout).into_owned()
}

fn stderr(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&a.get_output().stderr).into_owned()
}

fn verify(
    sig: &Path,
    artifact: &Path,
    allowed: &Path,
    principal: &str,
) -> assert_cmd::assert::Assert {
    garrison()
        .arg("verify")
        .arg(sig)
        .arg("--artifact")
        .arg(artifact)
        .arg("--allowed-signers")
        .arg(allowed)
        .args(["--identity", principal])
        .assert()
}

fn ssh_keygen_verify(sig: &Path, artifact: &Path, allowed: &Path) -> bool {
    let mut child = Process::new("ssh-keygen")
        .args(["-Y", "verify", "-f"])
        .arg(allowed)
        .args(["-I", PRINCIPAL, "-n", "file", "-s"])
        .arg(sig)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(&std::fs::read(artifact).unwrap())
        .unwrap();
    child.wait().unwrap().success()
}

#[test]
fn sign_then_verify_with_garrison_and_ssh_keygen() {
    let dir = tempfile::tempdir().unwrap();
    let key = keygen(dir.path(), "id_ed25519", "");
    let allowed = allowed_signers(dir.path(), &key);
    let a = dir.path().join("pkg-1.0.tar.gz");
    let b = dir.path().join("pkg-1.0-py3-none-any.whl");
    std::fs::write(&a, b"sdist bytes").unwrap();
    std::fs::write(&b, b"wheel bytes").unwrap();

    let out = garrison()
        .arg("sign")
        .arg(&a)
        .arg(&b)
        .arg("--key")
        .arg(&key)
        .assert()
        .success();
    let text = stdout(&out);
    assert_eq!(text.matches("signed: ").count(), 2, "{text}");
    assert!(text.contains("ssh-ed25519 SHA256:"), "{text}");
    // No secret material on any output.
    let secret = std::fs::read_to_string(&key).unwrap();
    let secret_line = secret.lines().nth(1).unwrap();
    assert!(!text.contains(secret_line) && !stderr(&out).contains(secret_line));

    let sig_a = dir.path().join("pkg-1.0.tar.gz.sig");
    let sig_b = dir.path().join("pkg-1.0-py3-none-any.whl.sig");
    // Byte-for-byte what `ssh-keygen -Y sign -n file` writes (Ed25519 is deterministic):
    // ssh-keygen writes a.sig afresh, then `garrison sign --force` overwrites it.
    let ours = std::fs::read(&sig_a).unwrap();
    std::fs::remove_file(&sig_a).unwrap();
    let status = Process::new("ssh-keygen")
        .args(["-Y", "sign", "-n", "file", "-f"])
        .arg(&key)
        .arg(dir.path().join("pkg-1.0.tar.gz"))
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .unwrap()
        .status;
    assert!(status.success());
    let theirs = std::fs::read(&sig_a).unwrap();
    assert_eq!(ours, theirs);
    std::fs::write(&sig_a, b"stale").unwrap();
    garrison()
        .arg("sign")
        .arg(&a)
        .arg("--key")
        .arg(&key)
        .arg("--force")
        .assert()
        .success();
    assert_eq!(std::fs::read(&sig_a).unwrap(), theirs);

    for (sig, file) in [(&sig_a, &a), (&sig_b, &b)] {
        assert!(ssh_keygen_verify(sig, file, &allowed));
        let out = verify(sig, file, &allowed, PRINCIPAL).success();
        let text = stdout(&out);
        assert!(text.starts_with("verified: "), "{text}");
        assert!(
            text.contains("maintainer@example.org (allowed_signers line 1)"),
            "{text}"
        );
        // With the public key instead of allowed_signers, and as JSON.
        let out = garrison()
            .arg("verify")
            .arg(sig)
            .arg("--artifact")
            .arg(file)
            .arg("--public-key")
            .arg(key.with_extension("pub"))
            .args(["--format", "json"])
            .assert()
            .success();
        let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
        assert_eq!(v["verified"], true);
        assert_eq!(v["kind"], "ssh");
        assert_eq!(v["namespace"], "file");
    }
}

#[test]
fn existing_signatures_are_not_overwritten_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let key = keygen(dir.path(), "k", "");
    let a = dir.path().join("a.txt");
    let b = dir.path().join("b.txt");
    std::fs::write(&a, b"a").unwrap();
    std::fs::write(&b, b"b").unwrap();
    std::fs::write(dir.path().join("b.txt.sig"), b"keep me").unwrap();
    let out = garrison()
        .arg("sign")
        .arg(&a)
        .arg(&b)
        .arg("--key")
        .arg(&key)
        .assert()
        .code(2);
    assert!(stderr(&out).contains("--force"), "{}", stderr(&out));
    // Nothing was written: the check comes before any signing.
    assert!(!dir.path().join("a.txt.sig").exists());
    assert_eq!(
        std::fs::read(dir.path().join("b.txt.sig")).unwrap(),
        b"keep me"
    );
}

#[test]
fn encrypted_keys_take_the_passphrase_from_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let key = keygen(dir.path(), "enc", "s3cret pass");
    let a = dir.path().join("a.txt");
    std::fs::write(&a, b"a").unwrap();
    let out = garrison()
        .arg("sign")
        .arg(&a)
        .arg("--key")
        .arg(&key)
        .assert()
        .code(2);
    assert!(
        stderr(&out).contains("GARRISON_SSH_PASSPHRASE"),
        "{}",
        stderr(&out)
    );
    let out = garrison()
        .env("GARRISON_SSH_PASSPHRASE", "wrong")
        .arg("sign")
        .arg(&a)
        .arg("--key")
        .arg(&key)
        .assert()
        .code(2);
    assert!(
        stderr(&out).contains("does not decrypt"),
        "{}",
        stderr(&out)
    );
    assert!(
        !stderr(&out).contains("wrong"),
        "the passphrase is never echoed"
    );
    garrison()
        .env("GARRISON_SSH_PASSPHRASE", "s3cret pass")
        .arg("sign")
        .arg(&a)
        .arg("--key")
        .arg(&key)
        .assert()
        .success();
    let allowed = allowed_signers(dir.path(), &key);
    assert!(ssh_keygen_verify(
        &dir.path().join("a.txt.sig"),
        &a,
        &allowed
    ));
    // A public key given as --key.
    let out = garrison()
        .arg("sign")
        .arg(&a)
        .arg("--key")
        .arg(key.with_extension("pub"))
        .arg("--force")
        .assert()
        .code(2);
    assert!(stderr(&out).contains("public key"), "{}", stderr(&out));
}

#[test]
fn refusals_exit_1_with_a_reason_and_input_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let key = keygen(dir.path(), "k", "");
    let other = keygen(dir.path(), "other", "");
    let allowed = allowed_signers(dir.path(), &key);
    let a = dir.path().join("a.txt");
    std::fs::write(&a, b"release").unwrap();
    garrison()
        .arg("sign")
        .arg(&a)
        .arg("--key")
        .arg(&key)
        .assert()
        .success();
    let sig = dir.path().join("a.txt.sig");

    // Tampered file.
    let tampered = dir.path().join("tampered.txt");
    std::fs::write(&tampered, b"release!").unwrap();
    let out = verify(&sig, &tampered, &allowed, PRINCIPAL).code(1);
    assert!(
        stdout(&out).contains("changed after signing"),
        "{}",
        stdout(&out)
    );
    // Wrong principal.
    let out = verify(&sig, &a, &allowed, "eve@example.org").code(1);
    assert!(
        stdout(&out).contains("not allowed to sign as"),
        "{}",
        stdout(&out)
    );
    // Wrong namespace.
    let out = garrison()
        .arg("verify")
        .arg(&sig)
        .arg("--artifact")
        .arg(&a)
        .arg("--allowed-signers")
        .arg(&allowed)
        .args(["--identity", PRINCIPAL, "--namespace", "git"])
        .assert()
        .code(1);
    assert!(
        stdout(&out).contains("namespace \"file\""),
        "{}",
        stdout(&out)
    );
    // Wrong key.
    let out = garrison()
        .arg("verify")
        .arg(&sig)
        .arg("--artifact")
        .arg(&a)
        .arg("--public-key")
        .arg(other.with_extension("pub"))
        .assert()
        .code(1);
    assert!(
        stdout(&out).contains("not with the given key"),
        "{}",
        stdout(&out)
    );
    // Truncated armor: detected as SSH by its first line, refused as malformed.
    let text = std::fs::read_to_string(&sig).unwrap();
    let cut = dir.path().join("cut.sig");
    std::fs::write(&cut, &text[..text.len() / 2]).unwrap();
    let out = verify(&cut, &a, &allowed, PRINCIPAL).code(1);
    assert!(
        stdout(&out).contains("malformed SSH signature"),
        "{}",
        stdout(&out)
    );

    // Input errors: a malformed allowed_signers names its line; flags of the other kind.
    let bad = dir.path().join("bad_signers");
    std::fs::write(&bad, "# ok\nmaintainer@example.org\n").unwrap();
    let out = verify(&sig, &a, &bad, PRINCIPAL).code(2);
    assert!(
        stderr(&out).contains("bad_signers:2: no public key"),
        "{}",
        stderr(&out)
    );
    let out = garrison()
        .arg("verify")
        .arg(&sig)
        .arg("--artifact")
        .arg(&a)
        .args(["--certificate-identity", "x"])
        .assert()
        .code(2);
    assert!(
        stderr(&out).contains("applies to Sigstore bundles"),
        "{}",
        stderr(&out)
    );
    garrison()
        .arg("verify")
        .arg(&sig)
        .arg("--artifact")
        .arg(&a)
        .assert()
        .code(2);
    // --identity needs --allowed-signers (clap usage error).
    garrison()
        .arg("verify")
        .arg(&sig)
        .arg("--artifact")
        .arg(&a)
        .args(["--identity", PRINCIPAL])
        .assert()
        .code(2);
    // SSH flags on a Sigstore bundle.
    let bundle = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/sigstore/conformance/bundle-verify/happy-path-v0.3/bundle.sigstore.json"
    );
    let out = garrison()
        .arg("verify")
        .arg(bundle)
        .arg("--artifact")
        .arg(&a)
        .arg("--public-key")
        .arg(key.with_extension("pub"))
        .assert()
        .code(2);
    assert!(
        stderr(&out).contains("not an SSH signature"),
        "{}",
        stderr(&out)
    );
}
