//! The Sigstore conformance suite's `bundle-verify` cases (sigstore/sigstore-conformance, pinned in
//! `shared/data/sigstore/SOURCES`), run offline through Garrison's API.
//!
//! Each case directory holds `bundle.sigstore.json`, optionally `artifact` (else `../a.txt`),
//! `identity` / `issuer` (else the conformance beacon workflow and GitHub's issuer, which the
//! suite passes as `--certificate-identity` / `--certificate-oidc-issuer`), `key.pub` (verify with
//! that key instead of a certificate) and `trusted_root.json` (else production). A name ending in
//! `_fail` must fail, and for the reason [`EXPECTED_FAILURES`] gives (the error's kind and a
//! fragment of its message), so a case that fails for another reason (an unreadable input, a
//! check that stopped earlier than expected) is an unexpected result. Every passing case that
//! has an artifact is also verified by its SHA-256 digest, as the suite's `sha256:` form does.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)]

use garrison_sigstore::{
    Artifact, Identity, IdentityRegex, Policy, TrustedRoot, VerifyError, verify_bundle,
    verify_bundle_with_key,
};
use sha2::Digest as _;
use std::path::Path;

const DATA: &str = "../../../shared/data/sigstore/conformance/bundle-verify";
const DEFAULT_IDENTITY: &str = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
const DEFAULT_ISSUER: &str = "https://token.actions.githubusercontent.com";

fn read_trimmed(path: &Path) -> Option<String> {
    std::fs::read_to_string(path)
        .ok()
        .map(|s| s.trim().to_string())
}

fn run_case(dir: &Path, by_digest: bool) -> Result<(), VerifyError> {
    // The case's own files must read: an I/O error is a broken test, never a rejection.
    let bundle = std::fs::read(dir.join("bundle.sigstore.json"))
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let artifact_path = if dir.join("artifact").exists() {
        dir.join("artifact")
    } else {
        dir.join("../a.txt")
    };
    let artifact = std::fs::read(artifact_path).unwrap();
    let digest: [u8; 32] = sha2::Sha256::digest(&artifact).into();
    let artifact = if by_digest {
        Artifact::Digest(digest)
    } else {
        Artifact::Bytes(&artifact)
    };
    let root = match dir.join("trusted_root.json") {
        p if p.exists() => TrustedRoot::from_file(&p)?,
        _ => TrustedRoot::production()?,
    };
    if let Some(key) = read_trimmed(&dir.join("key.pub")) {
        return verify_bundle_with_key(&bundle, artifact, &key, &root).map(|_| ());
    }
    let identity =
        read_trimmed(&dir.join("identity")).unwrap_or_else(|| DEFAULT_IDENTITY.to_string());
    let issuer = read_trimmed(&dir.join("issuer")).unwrap_or_else(|| DEFAULT_ISSUER.to_string());
    let policy = Policy::new(Identity::Exact(identity)).issuer(issuer);
    verify_bundle(&bundle, artifact, &policy, &root).map(|_| ())
}

/// Every `_fail` case with the kind of error it must fail with ([`VerifyError::kind`]) and a
/// fragment of the message: the reason sigstore-verify gives today. A case failing with another
/// kind or message is reported; review such a change before updating this table.
const EXPECTED_FAILURES: &[(&str, &str, &str)] = &[
    (
        "bundle-empty-certificate-chain_fail",
        "verification",
        "inclusion proof has no checkpoint",
    ),
    (
        "bundle-from-wrong-instance_fail",
        "verification",
        "No log key valid at integrated time",
    ),
    (
        "bundle-invalid-base64-signature_fail",
        "invalid-bundle",
        "invalid base64",
    ),
    (
        "bundle-malformed-json_fail",
        "invalid-bundle",
        "EOF while parsing",
    ),
    (
        "bundle-negative-log-index_fail",
        "invalid-bundle",
        "negative log index",
    ),
    (
        "bundle-unknown-version_fail",
        "invalid-bundle",
        "Invalid media type",
    ),
    (
        "bundle-with-root-cert_fail",
        "verification",
        "inclusion proof has no checkpoint",
    ),
    (
        "checkpoint-bad-keyhint_fail",
        "verification",
        "No matching Rekor key found for checkpoint",
    ),
    (
        "checkpoint-wrong-roothash_fail",
        "verification",
        "root hash does not match checkpoint",
    ),
    (
        "dsse-invalid-sig_fail",
        "verification",
        "DSSE signature verification failed",
    ),
    (
        "dsse-mismatch-envelope_fail",
        "verification",
        "DSSE payload hash mismatch",
    ),
    (
        "dsse-mismatch-sig_fail",
        "verification",
        "does not match any signature in Rekor entry",
    ),
    (
        "inclusion-proof-corrupted-hash_fail",
        "verification",
        "inclusion proof verification failed",
    ),
    (
        "incorrect-public-key_fail",
        "verification",
        "SET verification failed",
    ),
    (
        "integrated-time-in-future_fail",
        "verification",
        "CertExpired",
    ),
    (
        "intoto-expired-certificate_fail",
        "verification",
        "CertNotValidYet",
    ),
    (
        "intoto-log-entry-mismatch_fail",
        "verification",
        "failed to decode Rekor signature",
    ),
    (
        "intoto-missing-inclusion-proof_fail",
        "verification",
        "must have an inclusion proof",
    ),
    (
        "intoto-set-outside-signing-cert-validity_fail",
        "verification",
        "CertExpired",
    ),
    (
        "intoto-tsa-timestamp-outside-cert-validity_fail",
        "verification",
        "CertExpired",
    ),
    (
        "invalid-checkpoint-signature_fail",
        "verification",
        "No valid Rekor signature found on checkpoint",
    ),
    (
        "invalid-ct-key_fail",
        "verification",
        "SCT signature verification failed",
    ),
    (
        "invalid-inclusion-proof_fail",
        "verification",
        "inclusion proof has no checkpoint",
    ),
    (
        "managed-key-no-key_fail",
        "invalid-bundle",
        "bundle has no signing certificate",
    ),
    (
        "managed-key-wrong-key_fail",
        "verification",
        "invalid public key",
    ),
    (
        "message-digest-mismatch_fail",
        "verification",
        "message digest in bundle does not match artifact hash",
    ),
    (
        "rekor2-checkpoint-missing-log-signature_fail",
        "invalid-bundle",
        "no signatures found",
    ),
    (
        "rekor2-checkpoint-missing-origin_fail",
        "invalid-bundle",
        "Invalid checkpoint format",
    ),
    (
        "rekor2-checkpoint-missing-root-hash_fail",
        "invalid-bundle",
        "missing root hash",
    ),
    (
        "rekor2-checkpoint-missing-size_fail",
        "invalid-bundle",
        "invalid tree size",
    ),
    (
        "rekor2-checkpoint-no-matching-signature_fail",
        "verification",
        "No valid Rekor signature found on checkpoint",
    ),
    (
        "rekor2-dsse-invalid-sig_fail",
        "verification",
        "DSSE signature verification failed",
    ),
    (
        "rekor2-dsse-mismatch-envelope_fail",
        "verification",
        "artifact hash mismatch",
    ),
    (
        "rekor2-dsse-mismatch-sig_fail",
        "verification",
        "does not match signature in Rekor entry",
    ),
    (
        "rekor2-no-inclusion-proof_fail",
        "verification",
        "must have an inclusion proof",
    ),
    (
        "rekor2-no-timestamp_fail",
        "verification",
        "requires RFC3161 timestamp",
    ),
    (
        "rekor2-timestamp-outside-trust-root-tsa-validity_fail",
        "verification",
        "outside the validity period",
    ),
    (
        "rekor2-timestamp-outside-tsa-cert-validity_fail",
        "verification",
        "TSA certificate chain validation failed",
    ),
    (
        "rekor2-timestamp-payload-mismatch_fail",
        "verification",
        "Timestamp message hash mismatch",
    ),
    (
        "rekor2-timestamp-untrusted-tsa-with-embedded-cert_fail",
        "verification",
        "does not match any trusted TSA certificate",
    ),
    (
        "rekor2-timestamp-untrusted-tsa-without-embedded-cert_fail",
        "verification",
        "does not match any trusted TSA certificate",
    ),
    (
        "rekor2-timestamp-with-incorrect-time_fail",
        "invalid-bundle",
        "invalid base64",
    ),
    (
        "set-invalid-signature_fail",
        "verification",
        "SET verification failed",
    ),
    (
        "signature-mismatch_fail",
        "verification",
        "signature verification failed",
    ),
    (
        "trust-root-tlog-missing-validity-start_fail",
        "trusted-root",
        "missing field `start`",
    ),
    (
        "wrong-hashedrekord-artifact_fail",
        "verification",
        "artifact hash mismatch",
    ),
    (
        "wrong-hashedrekord-cert-and-sig_fail",
        "verification",
        "certificate in bundle does not match certificate in Rekor entry",
    ),
    (
        "wrong-hashedrekord-entry_fail",
        "verification",
        "artifact hash mismatch",
    ),
    (
        "wrong-material_fail",
        "verification",
        "message digest in bundle does not match artifact hash",
    ),
];

#[test]
fn conformance_bundle_verify() {
    let mut cases: Vec<_> = std::fs::read_dir(DATA)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    let mut wrong = Vec::new();
    let (mut pass_ok, mut fail_ok, mut digest_ok) = (0, 0, 0);
    for dir in &cases {
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        let must_fail = name.ends_with("_fail");
        let result = run_case(dir, false);
        let expected = EXPECTED_FAILURES.iter().find(|(case, ..)| *case == name);
        match (&result, must_fail) {
            (Ok(()), false) => pass_ok += 1,
            (Err(e), true) => match expected {
                Some((_, kind, fragment))
                    if e.kind() == *kind && e.to_string().contains(fragment) =>
                {
                    fail_ok += 1
                }
                Some((_, kind, fragment)) => wrong.push(format!(
                    "{name}: fails with {} ({e}), expected {kind} containing `{fragment}`",
                    e.kind()
                )),
                None => wrong.push(format!(
                    "{name}: fails with {} ({e}); add its expected reason to EXPECTED_FAILURES",
                    e.kind()
                )),
            },
            (Ok(()), true) => wrong.push(format!("{name}: verified but must fail")),
            (Err(e), false) => wrong.push(format!("{name}: {e}")),
        }
        if !must_fail && result.is_ok() {
            match run_case(dir, true) {
                Ok(()) => digest_ok += 1,
                Err(e) => wrong.push(format!("{name} (by digest): {e}")),
            }
        }
        if let (Err(e), true) = (&result, must_fail) {
            println!("{name}: fails as expected: {e}");
        }
    }
    let total = cases.len();
    println!(
        "conformance bundle-verify: {}/{total} as expected ({pass_ok} verify, {fail_ok} fail; \
         {digest_ok} also verify by digest)",
        pass_ok + fail_ok
    );
    for w in &wrong {
        eprintln!("UNEXPECTED {w}");
    }
    assert!(total >= 70, "expected about 70 cases, found {total}");
    assert_eq!(
        fail_ok,
        EXPECTED_FAILURES.len(),
        "every listed failure case was run"
    );
    assert!(wrong.is_empty(), "{} unexpected results", wrong.len());
}

/// The policy is enforced on a bundle that verifies cryptographically, and the certificate's
/// workload claims are reported.
#[test]
fn policy_on_a_real_bundle() {
    let dir = Path::new(DATA).join("happy-path-v0.3");
    let bundle = std::fs::read(dir.join("bundle.sigstore.json")).unwrap();
    let artifact = std::fs::read(Path::new(DATA).join("a.txt")).unwrap();
    let root = TrustedRoot::production().unwrap();
    let check = |policy: &Policy| verify_bundle(&bundle, Artifact::Bytes(&artifact), policy, &root);

    let good = Policy::new(Identity::Exact(DEFAULT_IDENTITY.into())).issuer(DEFAULT_ISSUER);
    let verified = check(&good).unwrap();
    assert_eq!(verified.identity.as_deref(), Some(DEFAULT_IDENTITY));
    assert_eq!(verified.issuer.as_deref(), Some(DEFAULT_ISSUER));
    let repo = "sigstore-conformance/extremely-dangerous-public-oidc-beacon";
    assert_eq!(verified.claims.github_repository(), Some(repo));
    assert_eq!(
        verified.claims.workflow_path(),
        Some(".github/workflows/extremely-dangerous-oidc-beacon.yml")
    );
    assert!(!verified.signed_at.is_empty());
    println!("{verified:#?}");

    let glob = Policy::new(Identity::Pattern(
        "https://github.com/sigstore-conformance/*/.github/workflows/*@refs/heads/main".into(),
    ))
    .issuer(DEFAULT_ISSUER);
    assert!(check(&glob).is_ok());

    let github = garrison_sigstore::GithubClaims {
        repository: Some(repo.into()),
        workflow_path: Some("extremely-dangerous-oidc-beacon.yml".into()),
        ref_: Some("refs/heads/main".into()),
        trigger: verified.claims.build_trigger.clone(),
    };
    let by_claims = Policy::new(Identity::Any).github(github.clone());
    assert!(check(&by_claims).is_ok());

    let wrong_identity = Policy::new(Identity::Exact("https://github.com/x/y".into()));
    assert!(matches!(
        check(&wrong_identity),
        Err(VerifyError::IdentityMismatch { .. })
    ));
    let wrong_issuer =
        Policy::new(Identity::Exact(DEFAULT_IDENTITY.into())).issuer("https://accounts.google.com");
    assert!(matches!(
        check(&wrong_issuer),
        Err(VerifyError::IssuerMismatch { .. })
    ));
    let wrong_repo = Policy::new(Identity::Any).github(garrison_sigstore::GithubClaims {
        repository: Some("sigstore-conformance/other".into()),
        ..github.clone()
    });
    assert!(matches!(
        check(&wrong_repo),
        Err(VerifyError::ClaimMismatch {
            claim: "repository",
            ..
        })
    ));
    let wrong_ref = Policy::new(Identity::Any).github(garrison_sigstore::GithubClaims {
        ref_: Some("refs/tags/*".into()),
        ..github
    });
    assert!(matches!(
        check(&wrong_ref),
        Err(VerifyError::ClaimMismatch { claim: "ref", .. })
    ));
    // The staging root does not vouch for a production bundle.
    let staging = TrustedRoot::staging().unwrap();
    let e = verify_bundle(&bundle, Artifact::Bytes(&artifact), &good, &staging).unwrap_err();
    assert_eq!(e.kind(), "verification", "{e}");
    // A different artifact fails.
    let e = verify_bundle(&bundle, Artifact::Bytes(b"other"), &good, &root).unwrap_err();
    assert_eq!(e.kind(), "verification", "{e}");
    assert!(e.to_string().contains("artifact mismatch"), "{e}");
}

/// `Identity::Regex` on every `happy-path-*` bundle of the suite: an anchored regular expression
/// for the beacon workflow verifies, and near misses (another repository, another ref, a pattern
/// that only matches part of the identity) are identity mismatches, after the cryptographic
/// checks passed.
#[test]
fn identity_regexes_on_the_happy_path_bundles() {
    let artifact = std::fs::read(Path::new(DATA).join("a.txt")).unwrap();
    let root = TrustedRoot::production().unwrap();
    let regex = |p: &str| Identity::Regex(IdentityRegex::new(p).unwrap());
    let matching = [
        r"https://github\.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/\.github/workflows/[^/@]+\.yml@refs/heads/main",
        r"https://github\.com/sigstore-conformance/.*",
        r".*@refs/heads/(main|master)",
    ];
    let mismatching = [
        // Another repository.
        r"https://github\.com/sigstore-conformance/other/.*",
        // A tag instead of the main branch.
        r".*@refs/tags/v.*",
        // Matches a part of the identity only: the match is anchored to the whole SAN.
        r"sigstore-conformance",
        r"https://github\.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon",
    ];
    let mut cases = 0;
    for entry in std::fs::read_dir(DATA).unwrap() {
        let dir = entry.unwrap().path();
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        if !name.starts_with("happy-path-") || dir.join("identity").exists() {
            continue;
        }
        cases += 1;
        let bundle = std::fs::read(dir.join("bundle.sigstore.json")).unwrap();
        let check = |identity: Identity| {
            let policy = Policy::new(identity).issuer(DEFAULT_ISSUER);
            verify_bundle(&bundle, Artifact::Bytes(&artifact), &policy, &root)
        };
        for p in matching {
            let verified = check(regex(p)).unwrap_or_else(|e| panic!("{name}: {p}: {e}"));
            assert_eq!(verified.identity.as_deref(), Some(DEFAULT_IDENTITY));
        }
        for p in mismatching {
            match check(regex(p)) {
                Err(VerifyError::IdentityMismatch { expected, found }) => {
                    assert_eq!(expected, format!("regexp \"{p}\""));
                    assert_eq!(found, DEFAULT_IDENTITY);
                }
                other => panic!("{name}: {p}: expected an identity mismatch, got {other:?}"),
            }
        }
    }
    assert!(
        cases >= 5,
        "expected the 5 happy-path bundles, found {cases}"
    );
}
