//! The Sigstore conformance suite's `bundle-verify` cases (sigstore/sigstore-conformance, pinned in
//! `shared/data/sigstore/SOURCES`), run offline through Garrison's API.
//!
//! Each case directory holds `bundle.sigstore.json`, optionally `artifact` (else `../a.txt`),
//! `identity` / `issuer` (else the conformance beacon workflow and GitHub's issuer, which the
//! suite passes as `--certificate-identity` / `--certificate-oidc-issuer`), `key.pub` (verify with
//! that key instead of a certificate) and `trusted_root.json` (else production). A name ending in
//! `_fail` must fail. Every passing case that has an artifact is also verified by its SHA-256
//! digest, as the suite's `sha256:` form does.
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
    let bundle = std::fs::read(dir.join("bundle.sigstore.json"))
        .map_err(|e| VerifyError::InvalidBundle(e.to_string()))?;
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
        match (&result, must_fail) {
            (Ok(()), false) => pass_ok += 1,
            (Err(_), true) => fail_ok += 1,
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
    assert!(verify_bundle(&bundle, Artifact::Bytes(&artifact), &good, &staging).is_err());
    // A different artifact fails.
    assert!(verify_bundle(&bundle, Artifact::Bytes(b"other"), &good, &root).is_err());
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
                    assert_eq!(expected, format!("regexp {p}"));
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
