//! PEP 740 attestations (PyPI): attestation objects and provenance objects, verified offline
//! against a Trusted Publisher.
//!
//! An attestation object (`{"version": 1, "verification_material": {"certificate",
//! "transparency_entries"}, "envelope": {"statement", "signature"}}`) is a Sigstore bundle in
//! other clothes: [`to_bundle`] rewrites it as a v0.3 bundle with a DSSE envelope (payload type
//! `application/vnd.in-toto+json`), which [`crate::verify_bundle`] checks. On top,
//! [`verify_attestation`] requires what PyPI requires:
//!
//! - exactly one in-toto subject, named exactly like the distribution file, whose `sha256`
//!   equals the distribution's digest;
//! - a known predicate type: [`PUBLISH_V1`] or [`SLSA_PROVENANCE_V1`];
//! - a certificate issued to the expected [`Publisher`] (GitHub: repository + workflow
//!   filename; GitLab: project path + CI file path; Google: service account email).
//!
//! A provenance object (the PyPI integrity API's `{"version": 1, "attestation_bundles": [...]}`)
//! is read by [`parse_provenance`] into the publisher PyPI recorded and its attestations.

use crate::policy::{GithubClaims, Identity, Policy};
use crate::root::TrustedRoot;
use crate::verify::{Artifact, Verified, VerifyError, verify_bundle};
use base64::Engine as _;
use serde::Deserialize;

/// PyPI's publish attestation predicate.
pub const PUBLISH_V1: &str = "https://docs.pypi.org/attestations/publish/v1";
/// SLSA build provenance v1.
pub const SLSA_PROVENANCE_V1: &str = "https://slsa.dev/provenance/v1";

const GITHUB_ISSUER: &str = "https://token.actions.githubusercontent.com";
const GITLAB_ISSUER: &str = "https://gitlab.com";
const GOOGLE_ISSUER: &str = "https://accounts.google.com";
const STATEMENT_V1: &str = "https://in-toto.io/Statement/v1";

/// A PyPI Trusted Publisher: who is allowed to have produced the attestation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Publisher {
    /// GitHub Actions: `owner/name` and the workflow filename (e.g. `release.yml`).
    GitHub {
        /// `owner/name`, compared case-insensitively.
        repository: String,
        /// Workflow filename under `.github/workflows/`.
        workflow: String,
    },
    /// GitLab CI/CD on gitlab.com: `namespace/project` and the CI file path
    /// (e.g. `.gitlab-ci.yml`).
    GitLab {
        /// `namespace/project`, compared case-insensitively.
        repository: String,
        /// Path of the top-level CI configuration inside the project.
        workflow_filepath: String,
    },
    /// Google Cloud: the service account email.
    Google {
        /// The service account's email address.
        email: String,
    },
}

/// An attestation that verified and matched the distribution and publisher.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedAttestation {
    /// The in-toto predicate type ([`PUBLISH_V1`] or [`SLSA_PROVENANCE_V1`]).
    pub predicate_type: String,
    /// The signer, as verified.
    pub verified: Verified,
}

#[derive(Deserialize)]
struct AttestationObject {
    version: u64,
    verification_material: VerificationMaterial,
    envelope: Envelope,
}

#[derive(Deserialize)]
struct VerificationMaterial {
    certificate: String,
    transparency_entries: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
struct Envelope {
    statement: String,
    signature: String,
}

#[derive(Deserialize)]
struct Statement {
    #[serde(rename = "_type")]
    type_: String,
    subject: Vec<Subject>,
    #[serde(rename = "predicateType")]
    predicate_type: String,
}

#[derive(Deserialize)]
struct Subject {
    name: String,
    digest: std::collections::BTreeMap<String, String>,
}

fn bad(msg: impl Into<String>) -> VerifyError {
    VerifyError::Attestation(msg.into())
}

fn parse(attestation_json: &[u8]) -> Result<AttestationObject, VerifyError> {
    let att: AttestationObject = serde_json::from_slice(attestation_json)
        .map_err(|e| bad(format!("not a PEP 740 attestation object: {e}")))?;
    if att.version != 1 {
        return Err(bad(format!(
            "unsupported attestation version {}",
            att.version
        )));
    }
    Ok(att)
}

/// Rewrite a PEP 740 attestation object as a Sigstore bundle (media type v0.3, DSSE envelope).
pub fn to_bundle(attestation_json: &[u8]) -> Result<Vec<u8>, VerifyError> {
    let att = parse(attestation_json)?;
    bundle_json(&att)
}

fn bundle_json(att: &AttestationObject) -> Result<Vec<u8>, VerifyError> {
    let bundle = serde_json::json!({
        "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
        "verificationMaterial": {
            "certificate": { "rawBytes": att.verification_material.certificate },
            "tlogEntries": att.verification_material.transparency_entries,
        },
        "dsseEnvelope": {
            "payload": att.envelope.statement,
            "payloadType": "application/vnd.in-toto+json",
            "signatures": [ { "sig": att.envelope.signature } ],
        },
    });
    serde_json::to_vec(&bundle).map_err(|e| bad(e.to_string()))
}

use garrison_source::hex::encode as hex;

fn check_statement(
    att: &AttestationObject,
    dist_filename: &str,
    dist_sha256: &[u8; 32],
) -> Result<String, VerifyError> {
    let payload = base64::engine::general_purpose::STANDARD
        .decode(&att.envelope.statement)
        .map_err(|e| bad(format!("statement is not base64: {e}")))?;
    let statement: Statement = serde_json::from_slice(&payload)
        .map_err(|e| bad(format!("statement is not an in-toto statement: {e}")))?;
    if statement.type_ != STATEMENT_V1 {
        return Err(bad(format!(
            "unexpected statement type {:?}",
            statement.type_
        )));
    }
    let [subject] = statement.subject.as_slice() else {
        return Err(bad(format!(
            "expected exactly one subject, found {}",
            statement.subject.len()
        )));
    };
    if subject.name != dist_filename {
        return Err(bad(format!(
            "subject {:?} is not the distribution {dist_filename:?}",
            subject.name
        )));
    }
    let want = hex(dist_sha256);
    match subject.digest.get("sha256") {
        Some(found) if found.eq_ignore_ascii_case(&want) => {}
        Some(found) => {
            return Err(bad(format!(
                "subject sha256 {found} does not match the distribution's {want}"
            )));
        }
        None => return Err(bad("subject has no sha256 digest")),
    }
    if statement.predicate_type != PUBLISH_V1 && statement.predicate_type != SLSA_PROVENANCE_V1 {
        return Err(bad(format!(
            "unknown predicate type {:?}",
            statement.predicate_type
        )));
    }
    Ok(statement.predicate_type)
}

fn policy_for(publisher: &Publisher) -> Policy {
    match publisher {
        Publisher::GitHub {
            repository,
            workflow,
        } => Policy::new(Identity::Any)
            .issuer(GITHUB_ISSUER)
            .github(GithubClaims {
                repository: Some(repository.clone()),
                workflow_path: Some(format!(".github/workflows/{workflow}")),
                ..GithubClaims::default()
            }),
        Publisher::GitLab { .. } => Policy::new(Identity::Any).issuer(GITLAB_ISSUER),
        Publisher::Google { email } => {
            Policy::new(Identity::Exact(email.clone())).issuer(GOOGLE_ISSUER)
        }
    }
}

/// GitLab's SAN and Build Config URI are `https://gitlab.com/{project}//{ci file}@{ref}`.
fn check_gitlab(
    verified: &Verified,
    repository: &str,
    workflow_filepath: &str,
) -> Result<(), VerifyError> {
    let found_repo = verified
        .claims
        .source_repository_uri
        .as_deref()
        .and_then(|u| u.strip_prefix("https://gitlab.com/"));
    if !found_repo.is_some_and(|r| r.eq_ignore_ascii_case(repository)) {
        return Err(VerifyError::ClaimMismatch {
            claim: "repository",
            expected: repository.to_string(),
            found: found_repo.unwrap_or_default().to_string(),
        });
    }
    let found_path = verified.claims.build_config_uri.as_deref().and_then(|u| {
        let without_ref = u.rsplit_once('@').map_or(u, |(p, _)| p);
        without_ref
            .split_once("//")
            .and_then(|(_, rest)| rest.split_once("//"))
            .map(|(_, p)| p)
    });
    if found_path != Some(workflow_filepath) {
        return Err(VerifyError::ClaimMismatch {
            claim: "workflow",
            expected: workflow_filepath.to_string(),
            found: found_path.unwrap_or_default().to_string(),
        });
    }
    Ok(())
}

/// Verify a PEP 740 attestation object for the distribution `dist_filename` with SHA-256
/// `dist_sha256`, signed by `publisher`.
pub fn verify_attestation(
    attestation_json: &[u8],
    dist_filename: &str,
    dist_sha256: [u8; 32],
    publisher: &Publisher,
    root: &TrustedRoot,
) -> Result<VerifiedAttestation, VerifyError> {
    let att = parse(attestation_json)?;
    let predicate_type = check_statement(&att, dist_filename, &dist_sha256)?;
    let bundle = bundle_json(&att)?;
    let verified = verify_bundle(
        &bundle,
        Artifact::Digest(dist_sha256),
        &policy_for(publisher),
        root,
    )?;
    if let Publisher::GitLab {
        repository,
        workflow_filepath,
    } = publisher
    {
        check_gitlab(&verified, repository, workflow_filepath)?;
    }
    Ok(VerifiedAttestation {
        predicate_type,
        verified,
    })
}

impl Publisher {
    /// Whether `other` names the same Trusted Publisher, compared as [`verify_attestation`]
    /// compares a certificate with a publisher: repositories and emails case-insensitively,
    /// workflow files exactly.
    pub fn same_as(&self, other: &Publisher) -> bool {
        match (self, other) {
            (
                Publisher::GitHub {
                    repository: r1,
                    workflow: w1,
                },
                Publisher::GitHub {
                    repository: r2,
                    workflow: w2,
                },
            )
            | (
                Publisher::GitLab {
                    repository: r1,
                    workflow_filepath: w1,
                },
                Publisher::GitLab {
                    repository: r2,
                    workflow_filepath: w2,
                },
            ) => r1.eq_ignore_ascii_case(r2) && w1 == w2,
            (Publisher::Google { email: a }, Publisher::Google { email: b }) => {
                a.eq_ignore_ascii_case(b)
            }
            _ => false,
        }
    }
}

impl std::fmt::Display for Publisher {
    /// `github:owner/name workflow=release.yml`, `gitlab:group/project workflow=.gitlab-ci.yml`,
    /// `google:account@project.iam.gserviceaccount.com` (the policy-file syntax).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Publisher::GitHub {
                repository,
                workflow,
            } => write!(f, "github:{repository} workflow={workflow}"),
            Publisher::GitLab {
                repository,
                workflow_filepath,
            } => write!(f, "gitlab:{repository} workflow={workflow_filepath}"),
            Publisher::Google { email } => write!(f, "google:{email}"),
        }
    }
}

/// The Trusted Publisher a verified certificate names: GitHub (repository + workflow file
/// under `.github/workflows/`), GitLab (project + CI file path) or Google (service account);
/// `None` for any other signer (an interactive login is not a Trusted Publisher).
pub fn publisher_of(verified: &Verified) -> Option<Publisher> {
    match verified.issuer.as_deref()? {
        GITHUB_ISSUER => {
            let repository = verified.claims.github_repository()?.to_string();
            let path = verified.claims.workflow_path()?;
            let workflow = path.strip_prefix(".github/workflows/")?;
            if workflow.is_empty() || workflow.contains('/') {
                return None;
            }
            Some(Publisher::GitHub {
                repository,
                workflow: workflow.to_string(),
            })
        }
        GITLAB_ISSUER => {
            let repo_uri = verified.claims.source_repository_uri.as_deref()?;
            let repository = repo_uri.strip_prefix("https://gitlab.com/")?.to_string();
            let uri = verified.claims.build_config_uri.as_deref()?;
            let without_ref = uri.rsplit_once('@').map_or(uri, |(p, _)| p);
            let path = without_ref.strip_prefix(repo_uri)?.strip_prefix("//")?;
            Some(Publisher::GitLab {
                repository,
                workflow_filepath: path.to_string(),
            })
        }
        GOOGLE_ISSUER => Some(Publisher::Google {
            email: verified.identity.clone()?,
        }),
        _ => None,
    }
}

/// Verify a PEP 740 attestation object for `dist_filename` / `dist_sha256` whoever signed it,
/// and say who did: the same statement checks as [`verify_attestation`] and a full signature,
/// certificate chain and transparency-log verification, but no publisher policy. The caller
/// compares the returned publisher (see [`publisher_of`], [`Publisher::same_as`]) with the one
/// it expects; `None` means the signer is not a Trusted Publisher Garrison knows.
pub fn verify_attestation_signer(
    attestation_json: &[u8],
    dist_filename: &str,
    dist_sha256: [u8; 32],
    root: &TrustedRoot,
) -> Result<(VerifiedAttestation, Option<Publisher>), VerifyError> {
    let att = parse(attestation_json)?;
    let predicate_type = check_statement(&att, dist_filename, &dist_sha256)?;
    let bundle = bundle_json(&att)?;
    let verified = verify_bundle(
        &bundle,
        Artifact::Digest(dist_sha256),
        &Policy::new(Identity::Pattern("*".into())),
        root,
    )?;
    let publisher = publisher_of(&verified);
    Ok((
        VerifiedAttestation {
            predicate_type,
            verified,
        },
        publisher,
    ))
}

#[derive(Deserialize)]
struct ProvenanceObject {
    version: u64,
    attestation_bundles: Vec<ProvenanceBundle>,
}

#[derive(Deserialize)]
struct ProvenanceBundle {
    publisher: PublisherJson,
    attestations: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
struct PublisherJson {
    kind: String,
    #[serde(default)]
    repository: Option<String>,
    #[serde(default)]
    workflow: Option<String>,
    #[serde(default)]
    workflow_filepath: Option<String>,
    #[serde(default)]
    email: Option<String>,
}

/// One publisher of a provenance object with its attestation objects (as JSON bytes, ready for
/// [`verify_attestation`]). The publisher is what PyPI recorded; a caller compares it with the
/// publisher it expects before trusting it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProvenanceEntry {
    /// The Trusted Publisher PyPI recorded; `None` for a kind Garrison does not know.
    pub publisher: Option<Publisher>,
    /// The publisher's `kind` as written (`GitHub`, `GitLab`, `Google`, ...).
    pub kind: String,
    /// Attestation objects, serialized.
    pub attestations: Vec<Vec<u8>>,
}

/// Read a PEP 740 provenance object (`{"version": 1, "attestation_bundles": [...]}`).
pub fn parse_provenance(provenance_json: &[u8]) -> Result<Vec<ProvenanceEntry>, VerifyError> {
    let prov: ProvenanceObject = serde_json::from_slice(provenance_json)
        .map_err(|e| bad(format!("not a PEP 740 provenance object: {e}")))?;
    if prov.version != 1 {
        return Err(bad(format!(
            "unsupported provenance version {}",
            prov.version
        )));
    }
    prov.attestation_bundles
        .into_iter()
        .map(|b| {
            let p = b.publisher;
            let publisher = match (
                p.kind.as_str(),
                p.repository,
                p.workflow,
                p.workflow_filepath,
            ) {
                ("GitHub", Some(repository), Some(workflow), _) => Some(Publisher::GitHub {
                    repository,
                    workflow,
                }),
                ("GitLab", Some(repository), _, Some(workflow_filepath)) => {
                    Some(Publisher::GitLab {
                        repository,
                        workflow_filepath,
                    })
                }
                ("Google", ..) => p.email.map(|email| Publisher::Google { email }),
                _ => None,
            };
            let attestations = b
                .attestations
                .iter()
                .map(|a| serde_json::to_vec(a).map_err(|e| bad(e.to_string())))
                .collect::<Result<_, _>>()?;
            Ok(ProvenanceEntry {
                publisher,
                kind: p.kind,
                attestations,
            })
        })
        .collect()
}
