//! Bundle verification: the only place that calls `sigstore-verify`.

use crate::policy::{GithubClaims, Policy, glob_match};
use crate::provider;
use crate::root::TrustedRoot;

/// What was signed: the artifact itself, or its SHA-256 digest.
#[derive(Debug, Clone, Copy)]
pub enum Artifact<'a> {
    /// The artifact's bytes.
    Bytes(&'a [u8]),
    /// The artifact's SHA-256 digest (e.g. from a lock file). Verifying by digest works for
    /// message signatures over SHA-256 and for in-toto subjects with a `sha256` digest.
    Digest([u8; 32]),
}

/// Why verification failed. Messages are meant for the user as they are.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// The bundle is not JSON, has an unknown media type, or is structurally invalid.
    #[error("invalid Sigstore bundle: {0}")]
    InvalidBundle(String),
    /// The trusted root could not be read or parsed.
    #[error("invalid trusted root: {0}")]
    TrustedRoot(String),
    /// The policy accepts any signer (no identity, issuer or repository).
    #[error("the policy names no signer: give an identity, an issuer or a repository")]
    UnconstrainedPolicy,
    /// Cryptographic or transparency verification failed (signature, certificate chain, SCT,
    /// transparency log inclusion, timestamps, artifact binding).
    #[error("signature verification failed: {0}")]
    Verification(String),
    /// The certificate was issued to another identity.
    #[error("certificate identity {found:?} does not match the expected {expected}")]
    IdentityMismatch {
        /// The policy's identity.
        expected: String,
        /// The certificate's SAN (empty when it has none).
        found: String,
    },
    /// The certificate was issued by another OIDC issuer.
    #[error("OIDC issuer {found:?} does not match the expected {expected:?}")]
    IssuerMismatch {
        /// The policy's issuer.
        expected: String,
        /// The certificate's issuer (empty when it has none).
        found: String,
    },
    /// A GitHub Actions claim differs from the policy.
    #[error("certificate claim {claim} is {found:?}, expected {expected:?}")]
    ClaimMismatch {
        /// The claim's name (`repository`, `workflow`, `ref`, `trigger`, ...).
        claim: &'static str,
        /// What the policy asked for.
        expected: String,
        /// What the certificate says (empty when absent).
        found: String,
    },
    /// A PEP 740 attestation is malformed or does not describe the given distribution.
    #[error("attestation: {0}")]
    Attestation(String),
}

impl VerifyError {
    /// A short, stable name of the error's kind, for tests and machine-readable reports:
    /// `invalid-bundle`, `trusted-root`, `unconstrained-policy`, `verification`,
    /// `identity-mismatch`, `issuer-mismatch`, `claim-mismatch` or `attestation`.
    pub fn kind(&self) -> &'static str {
        match self {
            VerifyError::InvalidBundle(_) => "invalid-bundle",
            VerifyError::TrustedRoot(_) => "trusted-root",
            VerifyError::UnconstrainedPolicy => "unconstrained-policy",
            VerifyError::Verification(_) => "verification",
            VerifyError::IdentityMismatch { .. } => "identity-mismatch",
            VerifyError::IssuerMismatch { .. } => "issuer-mismatch",
            VerifyError::ClaimMismatch { .. } => "claim-mismatch",
            VerifyError::Attestation(_) => "attestation",
        }
    }
}

/// Claims a Fulcio certificate makes about the workload it was issued to (extensions under
/// `1.3.6.1.4.1.57264.1`). The deprecated GitHub extensions (`.1.2`–`.1.6`) fill gaps when
/// the current ones are absent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FulcioClaims {
    /// `.1.9` Build Signer URI (the workflow that signed; the SAN is derived from it).
    pub build_signer_uri: Option<String>,
    /// `.1.10` Build Signer Digest.
    pub build_signer_digest: Option<String>,
    /// `.1.11` Runner Environment (`github-hosted`, `self-hosted`).
    pub runner_environment: Option<String>,
    /// `.1.12` Source Repository URI (or `https://github.com/` + `.1.5`).
    pub source_repository_uri: Option<String>,
    /// `.1.13` Source Repository Digest (or `.1.3`).
    pub source_repository_digest: Option<String>,
    /// `.1.14` Source Repository Ref (or `.1.6`).
    pub source_repository_ref: Option<String>,
    /// `.1.15` Source Repository Identifier.
    pub source_repository_identifier: Option<String>,
    /// `.1.16` Source Repository Owner URI.
    pub source_repository_owner_uri: Option<String>,
    /// `.1.18` Build Config URI (the top-level workflow).
    pub build_config_uri: Option<String>,
    /// `.1.19` Build Config Digest.
    pub build_config_digest: Option<String>,
    /// `.1.20` Build Trigger (or `.1.2`).
    pub build_trigger: Option<String>,
    /// `.1.21` Run Invocation URI.
    pub run_invocation_uri: Option<String>,
    /// `.1.22` Source Repository Visibility At Signing.
    pub source_repository_visibility: Option<String>,
    /// `.1.23` Deployment Environment.
    pub deployment_environment: Option<String>,
}

impl FulcioClaims {
    fn from_ci(c: &sigstore_crypto::FulcioCiClaims) -> Self {
        let old = &c.deprecated_github;
        Self {
            build_signer_uri: c.build_signer_uri.clone(),
            build_signer_digest: c.build_signer_digest.clone(),
            runner_environment: c.runner_environment.clone(),
            source_repository_uri: c.source_repository_uri.clone().or_else(|| {
                old.workflow_repository
                    .as_ref()
                    .map(|r| format!("https://github.com/{r}"))
            }),
            source_repository_digest: c
                .source_repository_digest
                .clone()
                .or_else(|| old.workflow_sha.clone()),
            source_repository_ref: c
                .source_repository_ref
                .clone()
                .or_else(|| old.workflow_ref.clone()),
            source_repository_identifier: c.source_repository_identifier.clone(),
            source_repository_owner_uri: c.source_repository_owner_uri.clone(),
            build_config_uri: c.build_config_uri.clone(),
            build_config_digest: c.build_config_digest.clone(),
            build_trigger: c
                .build_trigger
                .clone()
                .or_else(|| old.workflow_trigger.clone()),
            run_invocation_uri: c.run_invocation_uri.clone(),
            source_repository_visibility: c.source_repository_visibility_at_signing.clone(),
            deployment_environment: c.deployment_environment.clone(),
        }
    }

    /// `owner/name` when the source repository is on github.com.
    pub fn github_repository(&self) -> Option<&str> {
        self.source_repository_uri
            .as_deref()?
            .strip_prefix("https://github.com/")
    }

    /// The workflow path inside the repository from the Build Config URI, e.g.
    /// `.github/workflows/release.yml` (without `@ref`).
    pub fn workflow_path(&self) -> Option<&str> {
        let uri = self.build_config_uri.as_deref()?;
        let without_ref = uri.split_once('@').map_or(uri, |(path, _)| path);
        let repo = self.source_repository_uri.as_deref()?;
        without_ref.strip_prefix(repo)?.strip_prefix('/')
    }
}

/// A signature that verified and satisfied the policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The certificate's SAN (workflow URI or email); `None` for managed-key bundles.
    pub identity: Option<String>,
    /// The OIDC issuer; `None` for managed-key bundles.
    pub issuer: Option<String>,
    /// Workload claims from the certificate (empty for human identities and managed keys).
    pub claims: FulcioClaims,
    /// When the signature was made (transparency log integration or RFC 3161 timestamp),
    /// Unix seconds, earliest first.
    pub signed_at: Vec<i64>,
}

fn parse_bundle(bundle_json: &[u8]) -> Result<sigstore_types::Bundle, VerifyError> {
    let text = std::str::from_utf8(bundle_json)
        .map_err(|_| VerifyError::InvalidBundle("not UTF-8".into()))?;
    sigstore_types::Bundle::from_json(text).map_err(|e| VerifyError::InvalidBundle(e.to_string()))
}

fn sigstore_artifact(artifact: Artifact<'_>) -> sigstore_types::Artifact<'_> {
    match artifact {
        Artifact::Bytes(bytes) => sigstore_types::Artifact::Blob(bytes),
        Artifact::Digest(digest) => {
            sigstore_types::Artifact::from_digest(sigstore_types::Sha256Hash::new(digest))
        }
    }
}

fn failed(e: sigstore_verify::Error) -> VerifyError {
    match e {
        sigstore_verify::Error::InvalidBundle(m) => VerifyError::InvalidBundle(m),
        other => VerifyError::Verification(other.to_string()),
    }
}

fn timestamps(result: &sigstore_verify::VerificationResult) -> Vec<i64> {
    let mut out: Vec<i64> = result
        .verified_timestamps()
        .iter()
        .map(|t| t.as_second())
        .chain(result.integrated_time().map(|t| t.as_second()))
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// Verify a Sigstore bundle offline against `root` and check its signer against `policy`.
///
/// Cryptography first (certificate chain to a Fulcio CA valid at signing time, embedded SCT,
/// transparency log inclusion proof / checkpoint / promise, RFC 3161 timestamps, the signature
/// over the artifact or the DSSE envelope and its subject), then the policy. The error says
/// which step failed.
pub fn verify_bundle(
    bundle_json: &[u8],
    artifact: Artifact<'_>,
    policy: &Policy,
    root: &TrustedRoot,
) -> Result<Verified, VerifyError> {
    if !policy.constrains_signer() {
        return Err(VerifyError::UnconstrainedPolicy);
    }
    provider::ensure();
    let bundle = parse_bundle(bundle_json)?;
    // Identity and issuer are checked below, by Garrison, so globs and GitHub claims share
    // one code path and one wording of errors; the library still verifies everything else.
    let sig_policy = sigstore_verify::VerificationPolicy::any_identity();
    let result = sigstore_verify::verify(
        sigstore_artifact(artifact),
        &bundle,
        &sig_policy,
        &root.inner,
    )
    .map_err(failed)?;
    let Some(cert) = result.certificate() else {
        return Err(VerifyError::Verification(
            "the bundle has no signing certificate".into(),
        ));
    };
    let verified = Verified {
        identity: cert.identity.as_ref().map(|san| san.as_str().to_string()),
        issuer: cert.issuer.clone(),
        claims: FulcioClaims::from_ci(&cert.ci_claims),
        signed_at: timestamps(&result),
    };
    check_policy(&verified, policy)?;
    Ok(verified)
}

/// Verify a bundle signed with a managed key (no Fulcio certificate; the conformance suite's
/// `key.pub` cases) given that key as PEM (`-----BEGIN PUBLIC KEY-----`). The transparency log
/// entry is still required and verified.
pub fn verify_bundle_with_key(
    bundle_json: &[u8],
    artifact: Artifact<'_>,
    public_key_pem: &str,
    root: &TrustedRoot,
) -> Result<Verified, VerifyError> {
    provider::ensure();
    let bundle = parse_bundle(bundle_json)?;
    let key = sigstore_types::DerPublicKey::from_pem(public_key_pem)
        .map_err(|e| VerifyError::Verification(format!("invalid public key: {e}")))?;
    let policy = sigstore_verify::PublicKeyVerificationPolicy::new(key);
    let result =
        sigstore_verify::verify(sigstore_artifact(artifact), &bundle, &policy, &root.inner)
            .map_err(failed)?;
    Ok(Verified {
        identity: None,
        issuer: None,
        claims: FulcioClaims::default(),
        signed_at: timestamps(&result),
    })
}

fn mismatch(claim: &'static str, expected: &str, found: Option<&str>) -> VerifyError {
    VerifyError::ClaimMismatch {
        claim,
        expected: expected.to_string(),
        found: found.unwrap_or_default().to_string(),
    }
}

pub(crate) fn check_policy(verified: &Verified, policy: &Policy) -> Result<(), VerifyError> {
    let san = verified.identity.as_deref().unwrap_or_default();
    if !policy.identity.matches(san) {
        return Err(VerifyError::IdentityMismatch {
            expected: policy.identity.to_string(),
            found: san.to_string(),
        });
    }
    if let Some(expected) = &policy.issuer
        && verified.issuer.as_deref() != Some(expected.as_str())
    {
        return Err(VerifyError::IssuerMismatch {
            expected: expected.clone(),
            found: verified.issuer.clone().unwrap_or_default(),
        });
    }
    if let Some(github) = &policy.github {
        check_github(&verified.claims, github)?;
    }
    Ok(())
}

fn check_github(claims: &FulcioClaims, want: &GithubClaims) -> Result<(), VerifyError> {
    if let Some(repo) = &want.repository {
        let found = claims.github_repository();
        if !found.is_some_and(|f| f.eq_ignore_ascii_case(repo)) {
            return Err(mismatch("repository", repo, found));
        }
    }
    if let Some(workflow) = &want.workflow_path {
        let found = claims.workflow_path();
        let ok = found.is_some_and(|path| {
            path == workflow
                || (!workflow.contains('/')
                    && path.strip_prefix(".github/workflows/") == Some(workflow.as_str()))
        });
        if !ok {
            return Err(mismatch("workflow", workflow, found));
        }
    }
    if let Some(git_ref) = &want.ref_ {
        let found = claims.source_repository_ref.as_deref();
        if !found.is_some_and(|f| glob_match(git_ref, f)) {
            return Err(mismatch("ref", git_ref, found));
        }
    }
    if let Some(trigger) = &want.trigger {
        let found = claims.build_trigger.as_deref();
        if found != Some(trigger.as_str()) {
            return Err(mismatch("trigger", trigger, found));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Identity;

    fn claims() -> FulcioClaims {
        FulcioClaims {
            source_repository_uri: Some("https://github.com/Org/Repo".into()),
            build_config_uri: Some(
                "https://github.com/Org/Repo/.github/workflows/release.yml@refs/tags/v1".into(),
            ),
            source_repository_ref: Some("refs/tags/v1".into()),
            build_trigger: Some("release".into()),
            ..FulcioClaims::default()
        }
    }

    #[test]
    fn github_claims() {
        let c = claims();
        assert_eq!(c.github_repository(), Some("Org/Repo"));
        assert_eq!(c.workflow_path(), Some(".github/workflows/release.yml"));
        let ok = GithubClaims {
            repository: Some("org/repo".into()),
            workflow_path: Some("release.yml".into()),
            ref_: Some("refs/tags/v*".into()),
            trigger: Some("release".into()),
        };
        assert!(check_github(&c, &ok).is_ok());
        let full_path = GithubClaims {
            workflow_path: Some(".github/workflows/release.yml".into()),
            ..GithubClaims::default()
        };
        assert!(check_github(&c, &full_path).is_ok());
        for bad in [
            GithubClaims {
                repository: Some("org/other".into()),
                ..ok.clone()
            },
            GithubClaims {
                workflow_path: Some("ci.yml".into()),
                ..ok.clone()
            },
            GithubClaims {
                ref_: Some("refs/heads/*".into()),
                ..ok.clone()
            },
            GithubClaims {
                trigger: Some("push".into()),
                ..ok.clone()
            },
        ] {
            assert!(matches!(
                check_github(&c, &bad),
                Err(VerifyError::ClaimMismatch { .. })
            ));
        }
    }

    #[test]
    fn unconstrained_policy_is_refused() {
        let root = TrustedRoot::production();
        let Ok(root) = root else {
            panic!("embedded root")
        };
        let err = verify_bundle(
            b"{}",
            Artifact::Bytes(b""),
            &Policy::new(Identity::Any),
            &root,
        );
        assert_eq!(err, Err(VerifyError::UnconstrainedPolicy));
    }

    #[test]
    fn garbage_bundle_is_invalid() {
        let Ok(root) = TrustedRoot::production() else {
            panic!("embedded root")
        };
        let policy = Policy::new(Identity::Exact("x".into()));
        let err = verify_bundle(b"not json", Artifact::Bytes(b""), &policy, &root);
        assert!(matches!(err, Err(VerifyError::InvalidBundle(_))));
    }
}
