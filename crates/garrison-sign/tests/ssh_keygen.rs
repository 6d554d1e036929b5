//! SSH signatures against the real OpenSSH (`/usr/bin/ssh-keygen`, installed on every machine
//! of this project and in CI): keys made by ssh-keygen, signatures made by each side verified
//! by the other, byte-for-byte equality where the algorithm is deterministic, and every way a
//! signature must fail.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use garrison_sign::{
    AllowedSigners, KeyError, PublicKey, Signature, Signer, SigningKey, VerifyError, verify,
};

const SSH_KEYGEN: &str = "ssh-keygen";
const MESSAGE: &[u8] = b"numpy-2.3.0.tar.gz contents\n";
const PRINCIPAL: &str = "maintainer@example.org";
/// 2026-01-01, inside the validity windows below.
const NOW: i64 = 1_767_225_600;

struct Key {
    private: PathBuf,
    public: PathBuf,
}

fn keygen(dir: &Path, name: &str, args: &[&str]) -> Key {
    let private = dir.join(name);
    let status = Command::new(SSH_KEYGEN)
        .args(["-q", "-C", "test key", "-f"])
        .arg(&private)
        .args(args)
        .stdin(Stdio::null())
        .status()
        .expect("ssh-keygen is required for these tests");
    assert!(status.success());
    Key {
        public: private.with_extension("pub"),
        private,
    }
}

fn read(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap()
}

/// `ssh-keygen -Y sign`, returning the armored signature.
fn ssh_sign(dir: &Path, key: &Key, namespace: &str) -> Vec<u8> {
    let msg = dir.join("msg");
    std::fs::write(&msg, MESSAGE).unwrap();
    let sig = dir.join("msg.sig");
    let _ = std::fs::remove_file(&sig);
    let out = Command::new(SSH_KEYGEN)
        .args(["-Y", "sign", "-n", namespace, "-f"])
        .arg(&key.private)
        .arg(&msg)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    read(&sig)
}

/// `ssh-keygen -Y verify` of `sig` over `message`; true when OpenSSH accepts it.
fn ssh_verify(dir: &Path, allowed: &str, principal: &str, namespace: &str, sig: &[u8]) -> bool {
    let allowed_path = dir.join("allowed_signers");
    std::fs::write(&allowed_path, allowed).unwrap();
    let sig_path = dir.join("check.sig");
    std::fs::write(&sig_path, sig).unwrap();
    let mut child = Command::new(SSH_KEYGEN)
        .args(["-Y", "verify", "-f"])
        .arg(&allowed_path)
        .args(["-I", principal, "-n", namespace, "-s"])
        .arg(&sig_path)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(MESSAGE).unwrap();
    child.wait().unwrap().success()
}

fn allowed_line(key: &Key) -> String {
    let pubkey = String::from_utf8(read(&key.public)).unwrap();
    format!("{PRINCIPAL} {}", pubkey.trim())
}

fn garrison_sign(key: &Key, namespace: &str) -> Signature {
    let k = SigningKey::from_openssh(&read(&key.private), None).unwrap();
    k.sign(namespace, &mut &MESSAGE[..]).unwrap()
}

fn garrison_verify(
    sig: &[u8],
    msg: &[u8],
    allowed: &str,
    principal: &str,
    namespace: &str,
) -> Result<garrison_sign::Verified, VerifyError> {
    let sig = Signature::parse(sig)?;
    let signers = AllowedSigners::parse(allowed).unwrap();
    let signer = Signer::AllowedSigners {
        signers: &signers,
        principal,
        now: NOW,
    };
    verify(&sig, &mut &msg[..], namespace, &signer)
}

#[test]
fn interop_both_ways_for_each_key_type() {
    let dir = tempfile::tempdir().unwrap();
    for (name, args, deterministic) in [
        ("ed25519", &["-t", "ed25519", "-N", ""][..], true),
        ("ecdsa", &["-t", "ecdsa", "-b", "256", "-N", ""][..], false),
        ("rsa", &["-t", "rsa", "-b", "2048", "-N", ""][..], true),
    ] {
        let key = keygen(dir.path(), name, args);
        let allowed = allowed_line(&key);

        // Garrison signs, OpenSSH verifies.
        let ours = garrison_sign(&key, "file").to_armored();
        assert!(
            ssh_verify(dir.path(), &allowed, PRINCIPAL, "file", ours.as_bytes()),
            "{name}: ssh-keygen rejects Garrison's signature:\n{ours}"
        );
        // OpenSSH signs, Garrison verifies.
        let theirs = ssh_sign(dir.path(), &key, "file");
        let v = garrison_verify(&theirs, MESSAGE, &allowed, PRINCIPAL, "file")
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(v.principal, Some((PRINCIPAL.to_string(), 1)));
        assert_eq!(
            v.fingerprint,
            PublicKey::parse(&String::from_utf8(read(&key.public)).unwrap())
                .unwrap()
                .fingerprint()
        );
        // Garrison's own signature verifies with Garrison.
        garrison_verify(ours.as_bytes(), MESSAGE, &allowed, PRINCIPAL, "file").unwrap();
        // Deterministic algorithms: byte-for-byte what ssh-keygen writes.
        if deterministic {
            assert_eq!(
                ours.as_bytes(),
                &theirs[..],
                "{name}: armor differs from ssh-keygen"
            );
        }
        // The parsed form re-armors to the same text.
        let parsed = Signature::parse(&theirs).unwrap();
        assert_eq!(parsed.to_armored().as_bytes(), &theirs[..]);
        assert_eq!(parsed.namespace(), "file");
        assert_eq!(parsed.hash_algorithm(), "sha512");
    }
}

#[test]
fn every_mismatch_is_refused_with_its_reason() {
    let dir = tempfile::tempdir().unwrap();
    let key = keygen(dir.path(), "k", &["-t", "ed25519", "-N", ""]);
    let other = keygen(dir.path(), "other", &["-t", "ed25519", "-N", ""]);
    let allowed = allowed_line(&key);
    let sig = ssh_sign(dir.path(), &key, "file");

    // Tampered file.
    let e = garrison_verify(
        &sig,
        b"numpy-2.3.0.tar.gz contents!\n",
        &allowed,
        PRINCIPAL,
        "file",
    )
    .unwrap_err();
    assert_eq!(e, VerifyError::BadSignature);
    assert!(e.to_string().contains("changed after signing"));
    // Wrong namespace (a git signature is not a file signature).
    let e = garrison_verify(&sig, MESSAGE, &allowed, PRINCIPAL, "git").unwrap_err();
    assert!(matches!(e, VerifyError::NamespaceMismatch { .. }), "{e}");
    assert!(!ssh_verify(dir.path(), &allowed, PRINCIPAL, "git", &sig));
    // Wrong principal.
    let e = garrison_verify(&sig, MESSAGE, &allowed, "eve@example.org", "file").unwrap_err();
    assert!(
        e.to_string().contains("no allowed_signers entry names"),
        "{e}"
    );
    assert!(!ssh_verify(
        dir.path(),
        &allowed,
        "eve@example.org",
        "file",
        &sig
    ));
    // The principal is listed, with another key.
    let other_allowed = allowed_line(&other);
    let e = garrison_verify(&sig, MESSAGE, &other_allowed, PRINCIPAL, "file").unwrap_err();
    assert!(e.to_string().contains("list other keys"), "{e}");
    assert!(!ssh_verify(
        dir.path(),
        &other_allowed,
        PRINCIPAL,
        "file",
        &sig
    ));
    // Wrong key given directly.
    let other_pub = PublicKey::parse(&String::from_utf8(read(&other.public)).unwrap()).unwrap();
    let parsed = Signature::parse(&sig).unwrap();
    let e = verify(
        &parsed,
        &mut &MESSAGE[..],
        "file",
        &Signer::PublicKey(&other_pub),
    )
    .unwrap_err();
    assert!(matches!(e, VerifyError::KeyMismatch { .. }), "{e}");
    // The right key given directly.
    let key_pub = PublicKey::parse(&String::from_utf8(read(&key.public)).unwrap()).unwrap();
    verify(
        &parsed,
        &mut &MESSAGE[..],
        "file",
        &Signer::PublicKey(&key_pub),
    )
    .unwrap();
}

#[test]
fn allowed_signers_options_agree_with_openssh() {
    let dir = tempfile::tempdir().unwrap();
    let key = keygen(dir.path(), "k", &["-t", "ed25519", "-N", ""]);
    let pubkey = String::from_utf8(read(&key.public)).unwrap();
    let pubkey = pubkey.trim();
    let sig = ssh_sign(dir.path(), &key, "file");
    let now_ok = [
        format!("*@example.org {pubkey}"),
        format!("{PRINCIPAL} namespaces=\"git,file\" {pubkey}"),
        format!("{PRINCIPAL} namespaces=\"f*\" {pubkey}"),
        format!("{PRINCIPAL} valid-after=\"20200101Z\" {pubkey}"),
        format!("{PRINCIPAL} valid-before=\"29990101Z\",valid-after=\"20200101\" {pubkey}"),
        format!("\"{PRINCIPAL}\" {pubkey}"),
        format!("other@example.org {pubkey}\n{PRINCIPAL} {pubkey}"),
    ];
    let refused = [
        (
            format!("{PRINCIPAL} namespaces=\"git\" {pubkey}"),
            "not in namespaces",
        ),
        (
            format!("{PRINCIPAL} valid-before=\"20200101Z\" {pubkey}"),
            "expired",
        ),
        (
            format!("{PRINCIPAL} valid-after=\"29990101Z\" {pubkey}"),
            "valid only after",
        ),
        (
            format!("*@example.org,!{PRINCIPAL} {pubkey}"),
            "no allowed_signers entry",
        ),
        (
            format!("{PRINCIPAL} cert-authority {pubkey}"),
            "cert-authority",
        ),
    ];
    for allowed in &now_ok {
        garrison_verify(&sig, MESSAGE, allowed, PRINCIPAL, "file")
            .unwrap_or_else(|e| panic!("{allowed}: {e}"));
        // OpenSSH checks validity against the current time; these windows hold today too.
        assert!(
            ssh_verify(dir.path(), allowed, PRINCIPAL, "file", &sig),
            "{allowed}"
        );
    }
    for (allowed, reason) in &refused {
        let e = garrison_verify(&sig, MESSAGE, allowed, PRINCIPAL, "file").unwrap_err();
        assert!(e.to_string().contains(reason), "{allowed}: {e}");
        assert!(
            !ssh_verify(dir.path(), allowed, PRINCIPAL, "file", &sig),
            "{allowed}"
        );
    }
}

#[test]
fn malformed_and_truncated_signatures_never_panic() {
    let dir = tempfile::tempdir().unwrap();
    let key = keygen(dir.path(), "k", &["-t", "ed25519", "-N", ""]);
    let allowed = allowed_line(&key);
    let sig = ssh_sign(dir.path(), &key, "file");
    // Every truncation: refused, as malformed or (never) as verified.
    for n in 0..sig.len() - 1 {
        let cut = &sig[..n];
        if let Ok(v) = garrison_verify(cut, MESSAGE, &allowed, PRINCIPAL, "file") {
            // Only dropping the final newline may still verify.
            assert!(n >= sig.len() - 1, "prefix {n} verified: {v:?}");
        }
    }
    // Every single-character change of the base64 body.
    let text = String::from_utf8(sig.clone()).unwrap();
    let body_start = text.find('\n').unwrap() + 1;
    let body_end = text.find("-----END").unwrap();
    let mut verified = 0;
    for i in body_start..body_end {
        let mut bytes = sig.clone();
        if bytes[i] == b'\n' {
            continue;
        }
        bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
        if garrison_verify(&bytes, MESSAGE, &allowed, PRINCIPAL, "file").is_ok() {
            verified += 1;
        }
    }
    // Base64 padding bits aside, no change of the signature may verify.
    assert!(verified <= 2, "{verified} altered signatures verified");
    for bad in [
        &b""[..],
        b"-----BEGIN SSH SIGNATURE-----\n-----END SSH SIGNATURE-----\n",
        b"-----BEGIN SSH SIGNATURE-----\n!!!!\n-----END SSH SIGNATURE-----\n",
        b"-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n-----END SSH SIGNATURE-----\n",
        b"{\"mediaType\": \"application/vnd.dev.sigstore.bundle.v0.3+json\"}",
        b"\xff\xfe",
    ] {
        let e = Signature::parse(bad).unwrap_err();
        assert!(matches!(e, VerifyError::Malformed(_)), "{e}");
    }
    let mut trailing = sig.clone();
    trailing.extend_from_slice(b"junk\n");
    assert!(
        matches!(Signature::parse(&trailing), Err(VerifyError::Malformed(_))),
        "text after the END line is a malformed signature"
    );
}

#[test]
fn encrypted_keys_need_the_passphrase() {
    let dir = tempfile::tempdir().unwrap();
    let key = keygen(dir.path(), "enc", &["-t", "ed25519", "-N", "correct horse"]);
    let bytes = read(&key.private);
    assert_eq!(
        SigningKey::from_openssh(&bytes, None).unwrap_err(),
        KeyError::Encrypted
    );
    assert_eq!(
        SigningKey::from_openssh(&bytes, Some(b"wrong")).unwrap_err(),
        KeyError::WrongPassphrase
    );
    let k = SigningKey::from_openssh(&bytes, Some(b"correct horse")).unwrap();
    // No secret material in Debug.
    let dbg = format!("{k:?}");
    assert!(dbg.starts_with("SigningKey(ssh-ed25519 SHA256:"), "{dbg}");
    let sig = k.sign("file", &mut &MESSAGE[..]).unwrap().to_armored();
    assert!(ssh_verify(
        dir.path(),
        &allowed_line(&key),
        PRINCIPAL,
        "file",
        sig.as_bytes()
    ));
    // A public key or garbage given as the private key.
    assert_eq!(
        SigningKey::from_openssh(&read(&key.public), None).unwrap_err(),
        KeyError::PublicKeyGiven
    );
    assert!(matches!(
        SigningKey::from_openssh(b"not a key", None).unwrap_err(),
        KeyError::Invalid(_)
    ));
}

#[test]
fn public_keys_compare_by_key_material_not_comment() {
    const KEY: &str =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEhtF+L9zU5fs6at3m1Qz9XBwFwHfG1BkXBmvQ97P3pI";
    let with_comment = PublicKey::parse(&format!("{KEY} me@example.org")).unwrap();
    let bare = PublicKey::parse(KEY).unwrap();
    assert_eq!(with_comment, bare);
    assert_eq!(PublicKey::parse(&bare.to_openssh()).unwrap(), with_comment);
    assert_eq!(bare.to_openssh(), KEY);
}

#[test]
fn sha256_signatures_from_ssh_keygen_verify() {
    let dir = tempfile::tempdir().unwrap();
    let key = keygen(dir.path(), "k", &["-t", "ed25519", "-N", ""]);
    let msg = dir.path().join("msg");
    std::fs::write(&msg, MESSAGE).unwrap();
    let out = Command::new(SSH_KEYGEN)
        .args(["-Y", "sign", "-n", "file", "-O", "hashalg=sha256", "-f"])
        .arg(&key.private)
        .arg(&msg)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let sig = read(&dir.path().join("msg.sig"));
    assert_eq!(Signature::parse(&sig).unwrap().hash_algorithm(), "sha256");
    let allowed = allowed_line(&key);
    garrison_verify(&sig, MESSAGE, &allowed, PRINCIPAL, "file").unwrap();
    let e = garrison_verify(&sig, b"other", &allowed, PRINCIPAL, "file").unwrap_err();
    assert_eq!(e, VerifyError::BadSignature);
}
