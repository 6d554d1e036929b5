//! PEP 740 attestations from trailofbits/pypi-attestations (pinned in
//! `shared/data/sigstore/SOURCES`): each verifies against the publisher its certificate names,
//! and a wrong repository, workflow, filename or digest fails.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

use base64::Engine as _;
use garrison_sigstore::pep740::{
    self, Publisher, SLSA_PROVENANCE_V1, parse_provenance, to_bundle, verify_attestation,
};
use garrison_sigstore::{Artifact, Identity, Policy, TrustedRoot, VerifyError, verify_bundle};
use std::path::{Path, PathBuf};

const DATA: &str = "../../../shared/data/sigstore/pep740";

fn attestations() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(DATA)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "attestation"))
        .collect();
    v.sort();
    v
}

/// The distribution filename (attestation file name minus the attestation suffix) and the
/// subject digest the statement carries.
fn dist_of(path: &Path, json: &[u8]) -> (String, [u8; 32]) {
    let file = path.file_name().unwrap().to_string_lossy().to_string();
    let name = file
        .trim_end_matches(".attestation")
        .trim_end_matches(".publish")
        .trim_end_matches(".slsa")
        .to_string();
    let v: serde_json::Value = serde_json::from_slice(json).unwrap();
    let st = v["envelope"]["statement"].as_str().unwrap();
    let st: serde_json::Value = serde_json::from_slice(
        &base64::engine::general_purpose::STANDARD
            .decode(st)
            .unwrap(),
    )
    .unwrap();
    let hex = st["subject"][0]["digest"]["sha256"].as_str().unwrap();
    let mut digest = [0u8; 32];
    for (i, b) in digest.iter_mut().enumerate() {
        *b = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap();
    }
    (name, digest)
}

/// The publisher the certificate names, read from a cryptographically verified bundle, and the
/// instance (production or staging) whose root verifies it.
fn publisher_from_certificate(json: &[u8], digest: [u8; 32]) -> (Publisher, TrustedRoot, bool) {
    let bundle = to_bundle(json).unwrap();
    let any = Policy::new(Identity::Pattern("*".into()));
    let production = TrustedRoot::production().unwrap();
    let staging = TrustedRoot::staging().unwrap();
    let (v, root, is_staging) =
        match verify_bundle(&bundle, Artifact::Digest(digest), &any, &production) {
            Ok(v) => (v, production, false),
            Err(_) => {
                // Not valid under production: it must verify under staging, and only there.
                let v = verify_bundle(&bundle, Artifact::Digest(digest), &any, &staging).unwrap();
                (v, staging, true)
            }
        };
    let publisher = match v.issuer.as_deref() {
        Some("https://token.actions.githubusercontent.com") => Publisher::GitHub {
            repository: v.claims.github_repository().unwrap().to_string(),
            workflow: v
                .claims
                .workflow_path()
                .unwrap()
                .rsplit('/')
                .next()
                .unwrap()
                .to_string(),
        },
        Some("https://gitlab.com") => {
            let uri = v.claims.build_config_uri.clone().unwrap();
            let repo = v.claims.source_repository_uri.clone().unwrap();
            let path = uri
                .strip_prefix(&format!("{repo}//"))
                .unwrap()
                .rsplit_once('@')
                .unwrap()
                .0
                .to_string();
            Publisher::GitLab {
                repository: repo
                    .strip_prefix("https://gitlab.com/")
                    .unwrap()
                    .to_string(),
                workflow_filepath: path,
            }
        }
        _ => Publisher::Google {
            email: v.identity.clone().unwrap(),
        },
    };
    (publisher, root, is_staging)
}

fn wrong_repository(p: &Publisher) -> Publisher {
    match p.clone() {
        Publisher::GitHub { workflow, .. } => Publisher::GitHub {
            repository: "pypa/sampleproject".into(),
            workflow,
        },
        Publisher::GitLab {
            workflow_filepath, ..
        } => Publisher::GitLab {
            repository: "pypa/sampleproject".into(),
            workflow_filepath,
        },
        Publisher::Google { .. } => Publisher::Google {
            email: "someone-else@example.iam.gserviceaccount.com".into(),
        },
    }
}

fn wrong_workflow(p: &Publisher) -> Option<Publisher> {
    match p.clone() {
        Publisher::GitHub { repository, .. } => Some(Publisher::GitHub {
            repository,
            workflow: "ci.yml".into(),
        }),
        Publisher::GitLab { repository, .. } => Some(Publisher::GitLab {
            repository,
            workflow_filepath: "other-ci.yml".into(),
        }),
        Publisher::Google { .. } => None,
    }
}

#[test]
fn attestations_verify_against_their_publisher() {
    let mut ok = 0;
    let mut trusted_publishers = 0;
    let mut on_staging = 0;
    for path in attestations() {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let json = std::fs::read(&path).unwrap();
        let (dist, digest) = dist_of(&path, &json);
        let (publisher, root, is_staging) = publisher_from_certificate(&json, digest);
        on_staging += usize::from(is_staging);
        println!(
            "{name}: {publisher:?}{}",
            if is_staging { " (staging)" } else { "" }
        );
        let result = verify_attestation(&json, &dist, digest, &publisher, &root);
        match (&publisher, result) {
            // Email identities from an interactive login (not Google's issuer) are not
            // Trusted Publishers: the Google publisher must refuse them.
            (Publisher::Google { .. }, Err(VerifyError::IssuerMismatch { found, .. })) => {
                println!("  not a Trusted Publisher (issuer {found})");
                ok += 1;
                continue;
            }
            (_, Ok(v)) => {
                assert!(v.verified.identity.is_some());
                if name.contains(".slsa.") {
                    assert_eq!(v.predicate_type, SLSA_PROVENANCE_V1);
                } else {
                    assert_eq!(v.predicate_type, pep740::PUBLISH_V1);
                }
                trusted_publishers += 1;
                ok += 1;
            }
            (_, Err(e)) => panic!("{name}: {e}"),
        }
        let err = verify_attestation(&json, &dist, digest, &wrong_repository(&publisher), &root);
        match (&publisher, err) {
            (Publisher::GitHub { .. } | Publisher::GitLab { .. }, Err(e)) => assert!(
                matches!(
                    e,
                    VerifyError::ClaimMismatch {
                        claim: "repository",
                        ..
                    }
                ),
                "{name}: {e}"
            ),
            (Publisher::Google { .. }, Err(e)) => {
                assert_eq!(e.kind(), "identity-mismatch", "{name}: {e}")
            }
            (_, Ok(_)) => panic!("{name}: wrong repository accepted"),
        }
        if let Some(w) = wrong_workflow(&publisher) {
            let err = verify_attestation(&json, &dist, digest, &w, &root);
            assert!(
                matches!(
                    err,
                    Err(VerifyError::ClaimMismatch {
                        claim: "workflow",
                        ..
                    })
                ),
                "{name}: wrong workflow: {err:?}"
            );
        }
        let mut bad_digest = digest;
        bad_digest[0] ^= 1;
        let err = verify_attestation(&json, &dist, bad_digest, &publisher, &root);
        assert!(matches!(err, Err(VerifyError::Attestation(_))), "{name}");
        let err = verify_attestation(&json, "other-1.0.tar.gz", digest, &publisher, &root);
        assert!(matches!(err, Err(VerifyError::Attestation(_))), "{name}");
    }
    println!(
        "pep740: {ok} attestations as expected, {trusted_publishers} from Trusted Publishers, \
         {on_staging} signed on staging"
    );
    assert!(trusted_publishers >= 4);
}

#[test]
fn tampered_statement_fails_signature() {
    let root = TrustedRoot::production().unwrap();
    let path = Path::new(DATA).join("pypi_attestations-0.0.19.tar.gz.publish.attestation");
    let json = std::fs::read(&path).unwrap();
    let (dist, digest) = dist_of(&path, &json);
    let publisher = Publisher::GitHub {
        repository: "trailofbits/pypi-attestations".into(),
        workflow: "release.yml".into(),
    };
    assert!(verify_attestation(&json, &dist, digest, &publisher, &root).is_ok());
    // Same subject, different predicate: the DSSE signature no longer matches.
    let mut v: serde_json::Value = serde_json::from_slice(&json).unwrap();
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut st: serde_json::Value = serde_json::from_slice(
        &b64.decode(v["envelope"]["statement"].as_str().unwrap())
            .unwrap(),
    )
    .unwrap();
    st["predicate"] = serde_json::json!({"tampered": true});
    v["envelope"]["statement"] = b64.encode(serde_json::to_vec(&st).unwrap()).into();
    let tampered = serde_json::to_vec(&v).unwrap();
    let err = verify_attestation(&tampered, &dist, digest, &publisher, &root);
    assert!(matches!(err, Err(VerifyError::Verification(_))), "{err:?}");
}

#[test]
fn provenance_object() {
    let root = TrustedRoot::production().unwrap();
    let json =
        std::fs::read(Path::new(DATA).join("pypi_attestations-0.0.19.tar.gz.provenance")).unwrap();
    let entries = parse_provenance(&json).unwrap();
    assert_eq!(entries.len(), 1);
    let entry = &entries[0];
    let expected = Publisher::GitHub {
        repository: "trailofbits/pypi-attestations".into(),
        workflow: "release.yml".into(),
    };
    assert_eq!(entry.publisher.as_ref(), Some(&expected));
    let path = Path::new(DATA).join("pypi_attestations-0.0.19.tar.gz.publish.attestation");
    let (dist, digest) = dist_of(&path, &std::fs::read(&path).unwrap());
    for att in &entry.attestations {
        verify_attestation(att, &dist, digest, &expected, &root).unwrap();
    }
}

/// The `.sigstore` files next to the attestations are the same signatures as plain v0.3
/// bundles; they verify as bundles, and as attestations after conversion they agree.
#[test]
fn sigstore_bundles_next_to_attestations() {
    for (bundle, attestation, staging) in [
        (
            "pypi_attestation_models-0.0.4a2.tar.gz.sigstore",
            "pypi_attestation_models-0.0.4a2.tar.gz.attestation",
            false,
        ),
        (
            "rfc8785-0.1.2-py3-none-any.whl.sigstore",
            "rfc8785-0.1.2-py3-none-any.whl.attestation",
            true,
        ),
    ] {
        let root = if staging {
            TrustedRoot::staging().unwrap()
        } else {
            TrustedRoot::production().unwrap()
        };
        let att_path = Path::new(DATA).join(attestation);
        let (_, digest) = dist_of(&att_path, &std::fs::read(&att_path).unwrap());
        let json = std::fs::read(Path::new(DATA).join(bundle)).unwrap();
        let any = Policy::new(Identity::Pattern("*".into()));
        let v = verify_bundle(&json, Artifact::Digest(digest), &any, &root).unwrap();
        let converted = to_bundle(&std::fs::read(&att_path).unwrap()).unwrap();
        let w = verify_bundle(&converted, Artifact::Digest(digest), &any, &root).unwrap();
        assert_eq!(v.identity, w.identity, "{bundle}");
    }
}

/// `verify_attestation_signer` finds the same publisher the certificate names, and that
/// publisher then passes `verify_attestation`; a wrong digest or filename still fails.
#[test]
fn signer_publisher_matches_policy_check() {
    let mut checked = 0;
    for path in attestations() {
        let json = std::fs::read(&path).unwrap();
        let (dist, digest) = dist_of(&path, &json);
        let (expected, root, _) = publisher_from_certificate(&json, digest);
        let (v, found) = pep740::verify_attestation_signer(&json, &dist, digest, &root).unwrap();
        match expected {
            Publisher::Google { .. }
                if v.verified.issuer.as_deref() != Some("https://accounts.google.com") =>
            {
                assert_eq!(found, None, "{}", path.display());
            }
            _ => {
                let found = found.unwrap();
                assert!(found.same_as(&expected), "{found} vs {expected}");
                assert!(verify_attestation(&json, &dist, digest, &found, &root).is_ok());
                assert!(!found.same_as(&wrong_repository(&found)));
                checked += 1;
            }
        }
        let mut bad = digest;
        bad[31] ^= 1;
        for (file, sha) in [(dist.as_str(), bad), ("x-1.0.tar.gz", digest)] {
            match pep740::verify_attestation_signer(&json, file, sha, &root) {
                Err(e) => assert_eq!(e.kind(), "attestation", "{file}: {e}"),
                Ok(_) => panic!("{}: accepted for {file}", path.display()),
            }
        }
    }
    assert!(checked >= 4, "{checked}");
    let p = Publisher::GitHub {
        repository: "Numpy/numpy".into(),
        workflow: "wheels.yml".into(),
    };
    assert_eq!(p.to_string(), "github:Numpy/numpy workflow=wheels.yml");
    assert!(p.same_as(&Publisher::GitHub {
        repository: "numpy/NumPy".into(),
        workflow: "wheels.yml".into(),
    }));
    assert!(!p.same_as(&Publisher::GitHub {
        repository: "numpy/numpy".into(),
        workflow: "Wheels.yml".into(),
    }));
}
