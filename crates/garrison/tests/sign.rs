//! `garrison sign` and `garrison verify` of SSH signatures end to end, with keys made by the real
//! `ssh-keygen` (installed on every machine of this project and in CI) and cross-checked by it.
//! Each run is a snapshot of everything the user sees: the temporary directory is shown as
//! `[DIR]`, and the fingerprints of the keys (new each run) as `[KEY]` and `[OTHER KEY]`, after
//! checking they are the ones `ssh-keygen -l` prints.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use garrison_test::cli::{Run, run};

const PRINCIPAL: &str = "maintainer@example.org";
const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data");

fn keygen(dir: &Path, name: &str, passphrase: &str) -> PathBuf {
    let key = dir.join(name);
    let ok = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-C", "", "-N", passphrase, "-f"])
        .arg(&key)
        .stdin(Stdio::null())
        .status()
        .expect("ssh-keygen is required for these tests")
        .success();
    assert!(ok);
    key
}

/// `SHA256:…` of a key, as `ssh-keygen -l` prints it.
fn fingerprint(key: &Path) -> String {
    let out = Command::new("ssh-keygen")
        .arg("-lf")
        .arg(key.with_extension("pub"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let fp = text.split_whitespace().nth(1).unwrap().to_string();
    assert!(fp.starts_with("SHA256:"), "{text}");
    fp
}

fn allowed_signers(dir: &Path, key: &Path) -> PathBuf {
    let public = std::fs::read_to_string(key.with_extension("pub")).unwrap();
    let path = dir.join("allowed_signers");
    std::fs::write(&path, format!("{PRINCIPAL} {}\n", public.trim())).unwrap();
    path
}

/// A temporary directory and the keys whose fingerprints the snapshots redact.
struct Setup {
    dir: tempfile::TempDir,
    keys: Vec<(String, &'static str)>,
}

impl Setup {
    fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
            keys: Vec::new(),
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// A new key; its fingerprint is shown as `shown`.
    fn key(&mut self, name: &str, passphrase: &str, shown: &'static str) -> PathBuf {
        let key = keygen(self.path(), name, passphrase);
        self.keys.push((fingerprint(&key), shown));
        key
    }

    /// `garrison ARGS...` (paths given as they are, shown under `[DIR]` and `[DATA]`).
    fn garrison(&self, args: impl FnOnce(&mut Command)) -> Run {
        let mut c = Command::new(env!("CARGO_BIN_EXE_garrison"));
        c.env("NO_COLOR", "1").env_remove("GARRISON_SSH_PASSPHRASE");
        args(&mut c);
        let mut r = run(
            &mut c,
            &[(self.path(), "[DIR]"), (Path::new(DATA), "[DATA]")],
        );
        for (fp, shown) in &self.keys {
            r = r.redact(fp, shown);
        }
        r
    }

    fn sign(&self, files: &[&Path], key: &Path, extra: &[&str]) -> Run {
        self.garrison(|c| {
            c.arg("sign").args(files).arg("--key").arg(key).args(extra);
        })
    }

    fn verify(&self, sig: &Path, artifact: &Path, allowed: &Path, principal: &str) -> Run {
        self.garrison(|c| {
            c.arg("verify")
                .arg(sig)
                .arg("--artifact")
                .arg(artifact)
                .arg("--allowed-signers")
                .arg(allowed)
                .args(["--identity", principal]);
        })
    }
}

fn ssh_keygen_verify(sig: &Path, artifact: &Path, allowed: &Path) -> bool {
    let mut child = Command::new("ssh-keygen")
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
    let mut s = Setup::new();
    let key = s.key("id_ed25519", "", "[KEY]");
    let allowed = allowed_signers(s.path(), &key);
    let a = s.path().join("pkg-1.0.tar.gz");
    let b = s.path().join("pkg-1.0-py3-none-any.whl");
    std::fs::write(&a, b"sdist bytes").unwrap();
    std::fs::write(&b, b"wheel bytes").unwrap();

    let r = s.sign(&[&a, &b], &key, &[]);
    insta::assert_snapshot!(r.snapshot(), @"
    exit: 0
    --- stdout
    signed: [DIR]/pkg-1.0.tar.gz -> [DIR]/pkg-1.0.tar.gz.sig (ssh-ed25519 [KEY], namespace file)
    signed: [DIR]/pkg-1.0-py3-none-any.whl -> [DIR]/pkg-1.0-py3-none-any.whl.sig (ssh-ed25519 [KEY], namespace file)
    ");
    // No secret material on any output. (The snapshot would show it too, but as a run-to-run
    // difference; this names the property.)
    let secret = std::fs::read_to_string(&key).unwrap();
    let secret_line = secret.lines().nth(1).unwrap();
    assert!(!r.snapshot().contains(secret_line));

    let sig_a = s.path().join("pkg-1.0.tar.gz.sig");
    let sig_b = s.path().join("pkg-1.0-py3-none-any.whl.sig");
    // Byte-for-byte what `ssh-keygen -Y sign -n file` writes (Ed25519 is deterministic):
    // ssh-keygen writes a.sig afresh, then `garrison sign --force` overwrites it.
    let ours = std::fs::read(&sig_a).unwrap();
    std::fs::remove_file(&sig_a).unwrap();
    let status = Command::new("ssh-keygen")
        .args(["-Y", "sign", "-n", "file", "-f"])
        .arg(&key)
        .arg(s.path().join("pkg-1.0.tar.gz"))
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .unwrap()
        .status;
    assert!(status.success());
    let theirs = std::fs::read(&sig_a).unwrap();
    assert_eq!(ours, theirs);
    std::fs::write(&sig_a, b"stale").unwrap();
    insta::assert_snapshot!(s.sign(&[&a], &key, &["--force"]).snapshot(), @"
    exit: 0
    --- stdout
    signed: [DIR]/pkg-1.0.tar.gz -> [DIR]/pkg-1.0.tar.gz.sig (ssh-ed25519 [KEY], namespace file)
    ");
    assert_eq!(std::fs::read(&sig_a).unwrap(), theirs);

    assert!(ssh_keygen_verify(&sig_a, &a, &allowed));
    assert!(ssh_keygen_verify(&sig_b, &b, &allowed));
    insta::assert_snapshot!(s.verify(&sig_a, &a, &allowed, PRINCIPAL).snapshot(), @"
    exit: 0
    --- stdout
    verified: [DIR]/pkg-1.0.tar.gz.sig (SSH signature of [DIR]/pkg-1.0.tar.gz)
      signer:    maintainer@example.org (allowed_signers line 1)
      key:       ssh-ed25519 [KEY]
      namespace: file
    ");
    insta::assert_snapshot!(s.verify(&sig_b, &b, &allowed, PRINCIPAL).snapshot(), @"
    exit: 0
    --- stdout
    verified: [DIR]/pkg-1.0-py3-none-any.whl.sig (SSH signature of [DIR]/pkg-1.0-py3-none-any.whl)
      signer:    maintainer@example.org (allowed_signers line 1)
      key:       ssh-ed25519 [KEY]
      namespace: file
    ");
    // With the public key instead of allowed_signers, and as JSON.
    let with_public_key = |sig: &Path, file: &Path| {
        s.garrison(|c| {
            c.arg("verify")
                .arg(sig)
                .arg("--artifact")
                .arg(file)
                .arg("--public-key")
                .arg(key.with_extension("pub"))
                .args(["--format", "json"]);
        })
    };
    insta::assert_snapshot!(with_public_key(&sig_a, &a).snapshot(), @r#"
    exit: 0
    --- stdout
    {
      "allowed_signers_line": null,
      "artifact": "[DIR]/pkg-1.0.tar.gz",
      "fingerprint": "[KEY]",
      "key_algorithm": "ssh-ed25519",
      "kind": "ssh",
      "namespace": "file",
      "principal": null,
      "signature": "[DIR]/pkg-1.0.tar.gz.sig",
      "verified": true
    }
    "#);
    insta::assert_snapshot!(with_public_key(&sig_b, &b).snapshot(), @r#"
    exit: 0
    --- stdout
    {
      "allowed_signers_line": null,
      "artifact": "[DIR]/pkg-1.0-py3-none-any.whl",
      "fingerprint": "[KEY]",
      "key_algorithm": "ssh-ed25519",
      "kind": "ssh",
      "namespace": "file",
      "principal": null,
      "signature": "[DIR]/pkg-1.0-py3-none-any.whl.sig",
      "verified": true
    }
    "#);
}

#[test]
fn existing_signatures_are_not_overwritten_without_force() {
    let mut s = Setup::new();
    let key = s.key("k", "", "[KEY]");
    let a = s.path().join("a.txt");
    let b = s.path().join("b.txt");
    std::fs::write(&a, b"a").unwrap();
    std::fs::write(&b, b"b").unwrap();
    std::fs::write(s.path().join("b.txt.sig"), b"keep me").unwrap();
    insta::assert_snapshot!(s.sign(&[&a, &b], &key, &[]).snapshot(), @"
    exit: 2
    --- stderr
    garrison: error: [DIR]/b.txt.sig: already exists; pass --force to overwrite it
    ");
    // Nothing was written: the check comes before any signing.
    assert!(!s.path().join("a.txt.sig").exists());
    assert_eq!(
        std::fs::read(s.path().join("b.txt.sig")).unwrap(),
        b"keep me"
    );
}

#[test]
fn encrypted_keys_take_the_passphrase_from_the_environment() {
    let mut s = Setup::new();
    let key = s.key("enc", "s3cret pass", "[KEY]");
    let a = s.path().join("a.txt");
    std::fs::write(&a, b"a").unwrap();
    insta::assert_snapshot!(s.sign(&[&a], &key, &[]).snapshot(), @"
    exit: 2
    --- stderr
    garrison: error: [DIR]/enc: the private key is encrypted: put its passphrase in the GARRISON_SSH_PASSPHRASE environment variable (Garrison does not prompt and does not use ssh-agent)
    ");
    let with_passphrase = |passphrase: &str| {
        s.garrison(|c| {
            c.env("GARRISON_SSH_PASSPHRASE", passphrase)
                .arg("sign")
                .arg(&a)
                .arg("--key")
                .arg(&key);
        })
    };
    let r = with_passphrase("wrong");
    insta::assert_snapshot!(r.snapshot(), @"
    exit: 2
    --- stderr
    garrison: error: [DIR]/enc: GARRISON_SSH_PASSPHRASE does not decrypt this private key
    ");
    // The passphrase is never echoed (the snapshot shows it too; this names the property).
    assert!(!r.snapshot().contains("wrong"));
    insta::assert_snapshot!(with_passphrase("s3cret pass").snapshot(), @"
    exit: 0
    --- stdout
    signed: [DIR]/a.txt -> [DIR]/a.txt.sig (ssh-ed25519 [KEY], namespace file)
    ");
    let allowed = allowed_signers(s.path(), &key);
    assert!(ssh_keygen_verify(&s.path().join("a.txt.sig"), &a, &allowed));
    // A public key given as --key.
    insta::assert_snapshot!(s.sign(&[&a], &key.with_extension("pub"), &["--force"]).snapshot(), @"
    exit: 2
    --- stderr
    garrison: error: [DIR]/enc.pub: this is a public key; give the private key (the file without `.pub`)
    ");
}

#[test]
fn refusals_exit_1_with_a_reason_and_input_errors_exit_2() {
    let mut s = Setup::new();
    let key = s.key("k", "", "[KEY]");
    let other = s.key("other", "", "[OTHER KEY]");
    let allowed = allowed_signers(s.path(), &key);
    let a = s.path().join("a.txt");
    std::fs::write(&a, b"release").unwrap();
    insta::assert_snapshot!(s.sign(&[&a], &key, &[]).snapshot(), @"
    exit: 0
    --- stdout
    signed: [DIR]/a.txt -> [DIR]/a.txt.sig (ssh-ed25519 [KEY], namespace file)
    ");
    let sig = s.path().join("a.txt.sig");

    // Tampered file.
    let tampered = s.path().join("tampered.txt");
    std::fs::write(&tampered, b"release!").unwrap();
    insta::assert_snapshot!(s.verify(&sig, &tampered, &allowed, PRINCIPAL).snapshot(), @"
    exit: 1
    --- stdout
    NOT verified: [DIR]/a.txt.sig: the signature does not match the file (the file was changed after signing, or the signature is damaged)
    ");
    // Wrong principal.
    insta::assert_snapshot!(s.verify(&sig, &a, &allowed, "eve@example.org").snapshot(), @r#"
    exit: 1
    --- stdout
    NOT verified: [DIR]/a.txt.sig: key [KEY] is not allowed to sign as "eve@example.org": no allowed_signers entry names this principal
    "#);
    // Wrong namespace.
    let r = s.garrison(|c| {
        c.arg("verify")
            .arg(&sig)
            .arg("--artifact")
            .arg(&a)
            .arg("--allowed-signers")
            .arg(&allowed)
            .args(["--identity", PRINCIPAL, "--namespace", "git"]);
    });
    insta::assert_snapshot!(r.snapshot(), @r#"
    exit: 1
    --- stdout
    NOT verified: [DIR]/a.txt.sig: the signature is for namespace "file", expected "git" (sign with `-n git` / `--namespace git`, or verify with `--namespace file`)
    "#);
    // Wrong key.
    let r = s.garrison(|c| {
        c.arg("verify")
            .arg(&sig)
            .arg("--artifact")
            .arg(&a)
            .arg("--public-key")
            .arg(other.with_extension("pub"));
    });
    insta::assert_snapshot!(r.snapshot(), @"
    exit: 1
    --- stdout
    NOT verified: [DIR]/a.txt.sig: signed with key [KEY], not with the given key [OTHER KEY]
    ");
    // Truncated armor: detected as SSH by its first line, refused as malformed.
    let text = std::fs::read_to_string(&sig).unwrap();
    let cut = s.path().join("cut.sig");
    std::fs::write(&cut, &text[..text.len() / 2]).unwrap();
    insta::assert_snapshot!(s.verify(&cut, &a, &allowed, PRINCIPAL).snapshot(), @"
    exit: 1
    --- stdout
    NOT verified: [DIR]/cut.sig: malformed SSH signature: no `-----END SSH SIGNATURE-----` line (truncated?)
    ");

    // Input errors: a malformed allowed_signers names its line; flags of the other kind.
    let bad = s.path().join("bad_signers");
    std::fs::write(&bad, "# ok\nmaintainer@example.org\n").unwrap();
    insta::assert_snapshot!(s.verify(&sig, &a, &bad, PRINCIPAL).snapshot(), @"
    exit: 2
    --- stderr
    garrison: error: [DIR]/bad_signers:2: no public key: expected `PRINCIPALS [OPTIONS] KEYTYPE BASE64`
    ");
    let r = s.garrison(|c| {
        c.arg("verify")
            .arg(&sig)
            .arg("--artifact")
            .arg(&a)
            .args(["--certificate-identity", "x"]);
    });
    insta::assert_snapshot!(r.snapshot(), @"
    exit: 2
    --- stderr
    garrison: error: [DIR]/a.txt.sig: is an SSH signature; --certificate-identity applies to Sigstore bundles. Give --artifact FILE and --allowed-signers FILE --identity PRINCIPAL (or --public-key KEY.pub)
    ");
    // Nobody named who must have signed.
    let r = s.garrison(|c| {
        c.arg("verify").arg(&sig).arg("--artifact").arg(&a);
    });
    insta::assert_snapshot!(r.snapshot(), @"
    exit: 2
    --- stderr
    garrison: error: say who must have signed: --allowed-signers FILE --identity PRINCIPAL, or --public-key KEY.pub
    ");
    // --identity needs --allowed-signers (clap usage error).
    let r = s.garrison(|c| {
        c.arg("verify")
            .arg(&sig)
            .arg("--artifact")
            .arg(&a)
            .args(["--identity", PRINCIPAL]);
    });
    insta::assert_snapshot!(r.snapshot(), @"
    exit: 2
    --- stderr
    error: the following required arguments were not provided:
      --allowed-signers <FILE>

    Usage: garrison verify --identity <PRINCIPAL> --allowed-signers <FILE> --artifact <FILE> <BUNDLE>

    For more information, try '--help'.
    ");
    // SSH flags on a Sigstore bundle.
    let r = s.garrison(|c| {
        c.arg("verify")
            .arg(format!(
                "{DATA}/sigstore/conformance/bundle-verify/happy-path-v0.3/bundle.sigstore.json"
            ))
            .arg("--artifact")
            .arg(&a)
            .arg("--public-key")
            .arg(key.with_extension("pub"));
    });
    insta::assert_snapshot!(r.snapshot(), @"
    exit: 2
    --- stderr
    garrison: error: [DATA]/sigstore/conformance/bundle-verify/happy-path-v0.3/bundle.sigstore.json: not an SSH signature (no `-----BEGIN SSH SIGNATURE-----` line); --allowed-signers, --identity, --public-key and --namespace apply to SSH signatures
    ");
}
