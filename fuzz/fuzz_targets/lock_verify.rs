//! Fuzz target for `garrison verify --lock`'s parsers and classifier: the input is split at
//! 0xFF bytes into a lock (the first byte picks uv.lock, pylock.toml or requirements), a
//! publisher policy (TOML), a TOFU record (JSON), and an attestation; the lock's packages are
//! verified against two dists (one named like a locked file, with a digest taken from the
//! input) carrying the attestation. Nothing may panic; every outcome of the report must be
//! about a file or package that exists.

#![no_main]

use garrison_release::lock::{
    AttestationFile, AttestationKind, DistFile, Lock, LockLimits, LockPolicy, Tofu,
    VerifyContext, verify,
};
use garrison_sigstore::TrustedRoot;
use libfuzzer_sys::fuzz_target;

const LOCKS: &[&str] = &["uv.lock", "pylock.toml", "requirements.txt"];

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let parts: Vec<&[u8]> = rest.splitn(4, |&b| b == 0xFF).collect();
    let part = |i: usize| parts.get(i).copied().unwrap_or_default();
    let text = |i: usize| String::from_utf8_lossy(part(i)).into_owned();

    let lock_name = LOCKS[usize::from(sel) % LOCKS.len()];
    let Some(manifest) = garrison_python::read(lock_name, &text(0)) else {
        return;
    };
    let policy = LockPolicy::parse("policy.toml", &text(1));
    let mut tofu = Tofu::parse("tofu.json", &text(2)).ok();
    if let Some(t) = &tofu {
        let _ = t.to_json();
    }
    let Ok(lock) = Lock::from_manifests(&[manifest]) else {
        return;
    };
    let Ok(policy) = policy else { return };
    let Ok(root) = TrustedRoot::production() else {
        return;
    };
    let mut digest = [0u8; 32];
    for (i, b) in part(3).iter().take(32).enumerate() {
        digest[i] = *b;
    }
    let first_file = lock
        .packages
        .iter()
        .flat_map(|p| p.files.iter())
        .map(|f| f.filename.clone())
        .next()
        .unwrap_or_else(|| "pkg-1.0-py3-none-any.whl".into());
    let mut dists = vec![
        DistFile::from_digest(&first_file, digest),
        DistFile::from_digest("other-2.0.tar.gz", [7u8; 32]),
    ];
    dists[0].attestations.push(AttestationFile {
        path: format!("{first_file}.publish.attestation"),
        kind: if sel & 0x40 != 0 { AttestationKind::Provenance } else { AttestationKind::Object },
        bytes: part(3).to_vec(),
        error: None,
    });
    let mut ctx = VerifyContext {
        policy: &policy,
        tofu: tofu.as_mut(),
        tofu_update: sel & 0x80 != 0,
        root: &root,
        dir: "dists".into(),
        limits: LockLimits::default(),
    };
    let report = verify(&lock, &dists, &mut ctx);
    let _ = report.fails(false);
    for f in report.findings() {
        assert!(f.rule.starts_with("release/"));
    }
});
