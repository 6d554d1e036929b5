//! `garrison verify` end to end on the PEP 740 attestations of `shared/data/sigstore/pep740`
//! and the Sigstore conformance bundles. Each run is a snapshot of everything the user sees,
//! `../shared/data` shown as `[DATA]`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Command;

use garrison_test::cli::{Run, run};

const DATA: &str = "../../../shared/data";
const DIR: &str = "../../../shared/data/sigstore/pep740";
const ATT: &str = "pypi_attestations-0.0.19.tar.gz.publish.attestation";
const DIGEST: &str = "sha256:9bb1add04b1b4e182be6b0b80931593f7a291eb49d69b4fd728a5d4cbcdc4bd3";

fn garrison(args: impl FnOnce(&mut Command)) -> Run {
    let mut c = Command::new(env!("CARGO_BIN_EXE_garrison"));
    c.env("NO_COLOR", "1").arg("verify");
    args(&mut c);
    run(&mut c, &[(Path::new(DATA), "[DATA]")])
}

fn verify(extra: &[&str]) -> Run {
    garrison(|c| {
        c.arg(format!("{DIR}/{ATT}"))
            .args(["--pep740", "--filename", "pypi_attestations-0.0.19.tar.gz"])
            .args(extra);
    })
}

const PUBLISHER: [&str; 6] = [
    "--digest",
    DIGEST,
    "--repository",
    "trailofbits/pypi-attestations",
    "--workflow",
    "release.yml",
];

#[test]
fn pep740_attestation_verifies_against_its_publisher() {
    insta::assert_snapshot!(verify(&PUBLISHER).snapshot(), @"
    exit: 0
    --- stdout
    verified: [DATA]/sigstore/pep740/pypi_attestations-0.0.19.tar.gz.publish.attestation (sha256 9bb1add04b1b4e182be6b0b80931593f7a291eb49d69b4fd728a5d4cbcdc4bd3)
      signer:     https://github.com/trailofbits/pypi-attestations/.github/workflows/release.yml@refs/tags/v0.0.19
      issuer:     https://token.actions.githubusercontent.com
      repository: trailofbits/pypi-attestations
      workflow:   .github/workflows/release.yml
      ref:        refs/tags/v0.0.19
      trigger:    release
      predicate:  https://docs.pypi.org/attestations/publish/v1
    ");
    let json = verify(&[&PUBLISHER[..], &["--format", "json"]].concat());
    insta::assert_snapshot!(json.snapshot(), @r#"
    exit: 0
    --- stdout
    {
      "bundle": "[DATA]/sigstore/pep740/pypi_attestations-0.0.19.tar.gz.publish.attestation",
      "identity": "https://github.com/trailofbits/pypi-attestations/.github/workflows/release.yml@refs/tags/v0.0.19",
      "issuer": "https://token.actions.githubusercontent.com",
      "predicate_type": "https://docs.pypi.org/attestations/publish/v1",
      "ref": "refs/tags/v0.0.19",
      "repository": "trailofbits/pypi-attestations",
      "sha256": "9bb1add04b1b4e182be6b0b80931593f7a291eb49d69b4fd728a5d4cbcdc4bd3",
      "signed_at": [
        1733354041
      ],
      "trigger": "release",
      "verified": true,
      "workflow": ".github/workflows/release.yml"
    }
    "#);
}

#[test]
fn wrong_repository_workflow_or_digest_fail_with_exit_1() {
    let r = verify(&[
        "--digest",
        DIGEST,
        "--repository",
        "evil/pypi-attestations",
        "--workflow",
        "release.yml",
    ]);
    insta::assert_snapshot!(r.snapshot(), @r#"
    exit: 1
    --- stdout
    NOT verified: [DATA]/sigstore/pep740/pypi_attestations-0.0.19.tar.gz.publish.attestation: certificate claim repository is "trailofbits/pypi-attestations", expected "evil/pypi-attestations"
    "#);
    let r = verify(&[
        "--digest",
        DIGEST,
        "--repository",
        "trailofbits/pypi-attestations",
        "--workflow",
        "other.yml",
    ]);
    insta::assert_snapshot!(r.snapshot(), @r#"
    exit: 1
    --- stdout
    NOT verified: [DATA]/sigstore/pep740/pypi_attestations-0.0.19.tar.gz.publish.attestation: certificate claim workflow is ".github/workflows/release.yml", expected ".github/workflows/other.yml"
    "#);
    let r = verify(&[
        "--digest",
        "sha256:0000000000000000000000000000000000000000000000000000000000000000",
        "--repository",
        "trailofbits/pypi-attestations",
        "--workflow",
        "release.yml",
    ]);
    insta::assert_snapshot!(r.snapshot(), @"
    exit: 1
    --- stdout
    NOT verified: [DATA]/sigstore/pep740/pypi_attestations-0.0.19.tar.gz.publish.attestation: attestation: subject sha256 9bb1add04b1b4e182be6b0b80931593f7a291eb49d69b4fd728a5d4cbcdc4bd3 does not match the distribution's 0000000000000000000000000000000000000000000000000000000000000000
    ");
}

#[test]
fn missing_inputs_are_usage_errors() {
    // No artifact or digest.
    let r = verify(&["--repository", "a/b", "--workflow", "x.yml"]);
    insta::assert_snapshot!(r.snapshot(), @"
    exit: 2
    --- stderr
    garrison: error: give the signed file (--artifact FILE) or its digest (--digest sha256:HEX)
    ");
    // A malformed digest.
    let r = verify(&[
        "--digest",
        "sha256:zz",
        "--repository",
        "a/b",
        "--workflow",
        "x.yml",
    ]);
    insta::assert_snapshot!(r.snapshot(), @"
    exit: 2
    --- stderr
    garrison: error: `sha256:zz`: expected sha256:<64 hex digits>
    ");
}

const CONFORMANCE: &str = "../../../shared/data/sigstore/conformance/bundle-verify";

fn verify_conformance(extra: &[&str]) -> Run {
    garrison(|c| {
        c.arg(format!(
            "{CONFORMANCE}/happy-path-v0.3/bundle.sigstore.json"
        ))
        .arg("--artifact")
        .arg(format!("{CONFORMANCE}/a.txt"))
        .args([
            "--certificate-oidc-issuer",
            "https://token.actions.githubusercontent.com",
        ])
        .args(extra);
    })
}

#[test]
fn certificate_identity_regexp_is_anchored_to_the_whole_identity() {
    let r = verify_conformance(&[
        "--certificate-identity-regexp",
        r"https://github\.com/sigstore-conformance/[^/]+/\.github/workflows/.*@refs/heads/main",
    ]);
    insta::assert_snapshot!(r.snapshot(), @"
    exit: 0
    --- stdout
    verified: [DATA]/sigstore/conformance/bundle-verify/happy-path-v0.3/bundle.sigstore.json (sha256 a0cfc71271d6e278e57cd332ff957c3f7043fdda354c4cbb190a30d56efa01bf)
      signer:     https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main
      issuer:     https://token.actions.githubusercontent.com
      repository: sigstore-conformance/extremely-dangerous-public-oidc-beacon
      workflow:   .github/workflows/extremely-dangerous-oidc-beacon.yml
      ref:        refs/heads/main
      trigger:    workflow_dispatch
    ");
    // Matches part of the identity only.
    let r = verify_conformance(&["--certificate-identity-regexp", "sigstore-conformance"]);
    insta::assert_snapshot!(r.snapshot(), @r#"
    exit: 1
    --- stdout
    NOT verified: [DATA]/sigstore/conformance/bundle-verify/happy-path-v0.3/bundle.sigstore.json: certificate identity "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main" does not match the expected regexp "sigstore-conformance"
    "#);
}

#[test]
fn certificate_identity_regexp_errors_are_usage_errors() {
    // Not a regular expression.
    let r = verify_conformance(&["--certificate-identity-regexp", "a)|(b"]);
    insta::assert_snapshot!(r.snapshot(), @r#"
    exit: 2
    --- stderr
    garrison: error: --certificate-identity-regexp
      caused by: invalid identity regular expression "a)|(b": regex parse error:
            a)|(b
             ^
        error: unopened group
    "#);
    // Conflicts with the exact and glob forms.
    let r = verify_conformance(&[
        "--certificate-identity-regexp",
        ".*",
        "--certificate-identity",
        "x",
    ]);
    insta::assert_snapshot!(r.snapshot(), @"
    exit: 2
    --- stderr
    error: the argument '--certificate-identity-regexp <REGEX>' cannot be used with '--certificate-identity <IDENTITY>'

    Usage: garrison verify --artifact <FILE> --certificate-oidc-issuer <URL> --certificate-identity-regexp <REGEX> <BUNDLE>

    For more information, try '--help'.
    ");
    let r = verify_conformance(&[
        "--certificate-identity-regexp",
        ".*",
        "--certificate-identity-pattern",
        "*",
    ]);
    insta::assert_snapshot!(r.snapshot(), @"
    exit: 2
    --- stderr
    error: the argument '--certificate-identity-regexp <REGEX>' cannot be used with '--certificate-identity-pattern <GLOB>'

    Usage: garrison verify --artifact <FILE> --certificate-oidc-issuer <URL> --certificate-identity-regexp <REGEX> <BUNDLE>

    For more information, try '--help'.
    ");
}
