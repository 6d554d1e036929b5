//! Reports as `garrison verify` and `garrison sign --keyless` print them.

use garrison_source::hex::encode as hex;

use crate::sign::SignedBundle;
use crate::verify::{Verified, VerifyError};

/// The outcome of verifying bundle `bundle` (as given) over an artifact with sha256 `digest`;
/// `predicate` is the PEP 740 predicate type when an attestation was verified. Text, or
/// pretty JSON (`verified`, `bundle`, `sha256`, the signer's identity and claims, …).
pub fn verification(
    bundle: &str,
    digest: &[u8; 32],
    outcome: &Result<(Verified, Option<String>), VerifyError>,
    json: bool,
) -> String {
    match (outcome, json) {
        (Ok((v, predicate)), true) => to_json(&serde_json::json!({
            "verified": true,
            "bundle": bundle,
            "sha256": hex(digest),
            "identity": v.identity,
            "issuer": v.issuer,
            "repository": v.claims.github_repository(),
            "workflow": v.claims.workflow_path(),
            "ref": v.claims.source_repository_ref,
            "trigger": v.claims.build_trigger,
            "predicate_type": predicate,
            "signed_at": v.signed_at,
        })),
        (Err(e), true) => to_json(&serde_json::json!({
            "verified": false,
            "bundle": bundle,
            "sha256": hex(digest),
            "error": e.to_string(),
        })),
        (Ok((v, predicate)), false) => {
            let mut s = format!("verified: {bundle} (sha256 {})\n", hex(digest));
            let lines = [
                (
                    "signer:",
                    Some(v.identity.as_deref().unwrap_or("(public key)")),
                ),
                ("issuer:", Some(v.issuer.as_deref().unwrap_or("-"))),
                ("repository:", v.claims.github_repository()),
                ("workflow:", v.claims.workflow_path()),
                ("ref:", v.claims.source_repository_ref.as_deref()),
                ("trigger:", v.claims.build_trigger.as_deref()),
                ("predicate:", predicate.as_deref()),
            ];
            // One column for the values, as `garrison verify` of an SSH signature prints.
            for (label, value) in lines {
                if let Some(value) = value {
                    s.push_str(&format!("  {label:<12}{value}\n"));
                }
            }
            s
        }
        (Err(e), false) => format!("NOT verified: {bundle}: {e}\n"),
    }
}

/// One line of `garrison sign --keyless`: `signed: FILE -> BUNDLE (Sigstore, Rekor log index N)`.
pub fn signed(file: &str, bundle_file: &str, signed: &SignedBundle) -> String {
    format!(
        "signed: {file} -> {bundle_file} (Sigstore, Rekor log index {}{})\n",
        signed.log_index,
        if signed.has_inclusion_proof {
            ""
        } else {
            "; no inclusion proof, v0.1 bundle"
        }
    )
}

/// The closing lines of `garrison sign --keyless`: who signed, and how to verify.
pub fn signer(identity: &str, issuer: &str, staging: bool) -> String {
    format!(
        "  identity: {identity}\n  issuer:   {issuer}\nverify with: garrison verify FILE.sigstore.json --artifact FILE --certificate-identity '{identity}' --certificate-oidc-issuer '{issuer}'{}\n",
        if staging { " --staging" } else { "" }
    )
}

fn to_json(v: &serde_json::Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default() + "\n"
}
