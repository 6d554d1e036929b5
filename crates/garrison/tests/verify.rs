//! `garrison verify` end to end on the PEP 740 attestations of `shared/data/sigstore/pep740`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use assert_cmd::Command;

const DIR: &str = "../../../shared/data/sigstore/pep740";
const ATT: &str = "pypi_attestations-0.0.19.tar.gz.publish.attestation";
const DIGEST: &str = "sha256:9bb1add04b1b4e182be6b0b80931593f7a291eb49d69b4fd728a5d4cbcdc4bd3";

fn verify(extra: &[&str]) -> assert_cmd::assert::Assert {
    let mut c = Command::cargo_bin("garrison").unwrap();
    c.arg("verify")
        .arg(format!("{DIR}/{ATT}"))
        .args(["--pep740", "--filename", "pypi_attestations-0.0.19.tar.gz"])
        .args(extra);
    c.assert()
}

#[test]
fn pep740_attestation_verifies_against_its_publisher() {
    let out = verify(&[
        "--digest",
        DIGEST,
        "--repository",
        "trailofbits/pypi-attestations",
        "--workflow",
        "release.yml",
        "--format",
        "json",
    ])
    .success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(v["verified"], true);
    assert_eq!(v["repository"], "trailofbits/pypi-attestations");
    assert_eq!(v["ref"], "refs/tags/v0.0.19");
    assert_eq!(
        v["predicate_type"],
        "https://docs.pypi.org/attestations/publish/v1"
    );
}

#[test]
fn wrong_repository_workflow_or_digest_fail_with_exit_1() {
    for (repo, wf, digest, reason) in [
        (
            "evil/pypi-attestations",
            "release.yml",
            DIGEST,
            "certificate claim repository is",
        ),
        (
            "trailofbits/pypi-attestations",
            "other.yml",
            DIGEST,
            "certificate claim workflow is",
        ),
        (
            "trailofbits/pypi-attestations",
            "release.yml",
            "sha256:0000000000000000000000000000000000000000000000000000000000000000",
            ": attestation: ",
        ),
    ] {
        let out = verify(&["--digest", digest, "--repository", repo, "--workflow", wf]).code(1);
        let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
        assert!(text.starts_with("NOT verified"), "{text}");
        assert!(
            text.contains(reason),
            "refused for its reason `{reason}`: {text}"
        );
    }
}

#[test]
fn missing_inputs_are_usage_errors() {
    // No artifact or digest.
    let out = verify(&["--repository", "a/b", "--workflow", "x.yml"]).code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(err.contains("--artifact"), "{err}");
    // A malformed digest.
    verify(&[
        "--digest",
        "sha256:zz",
        "--repository",
        "a/b",
        "--workflow",
        "x.yml",
    ])
    .code(2);
}

const CONFORMANCE: &str = "../../../shared/data/sigstore/conformance/bundle-verify";

fn verify_conformance(extra: &[&str]) -> assert_cmd::assert::Assert {
    let mut c = Command::cargo_bin("garrison").unwrap();
    c.arg("verify")
        .arg(format!(
            "{CONFORMANCE}/happy-path-v0.3/bundle.sigstore.json"
        ))
        .arg("--artifact")
        .arg(format!("{CONFORMANCE}/a.txt"))
        .args([
            "--certificate-oidc-issuer",
            "https://token.actions.githubusercontent.com",
        ])
        .args(extra);
    c.assert()
}

#[test]
fn certificate_identity_regexp_is_anchored_to_the_whole_identity() {
    let out = verify_conformance(&[
        "--certificate-identity-regexp",
        r"https://github\.com/sigstore-conformance/[^/]+/\.github/workflows/.*@refs/heads/main",
    ])
    .success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(text.starts_with("verified:"), "{text}");
    // Matches part of the identity only.
    let out =
        verify_conformance(&["--certificate-identity-regexp", "sigstore-conformance"]).code(1);
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(text.contains("regexp sigstore-conformance"), "{text}");
}

#[test]
fn certificate_identity_regexp_errors_are_usage_errors() {
    // Not a regular expression.
    let out = verify_conformance(&["--certificate-identity-regexp", "a)|(b"]).code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(err.contains("--certificate-identity-regexp"), "{err}");
    // Conflicts with the exact and glob forms.
    verify_conformance(&[
        "--certificate-identity-regexp",
        ".*",
        "--certificate-identity",
        "x",
    ])
    .code(2);
    verify_conformance(&[
        "--certificate-identity-regexp",
        ".*",
        "--certificate-identity-pattern",
        "*",
    ])
    .code(2);
}
