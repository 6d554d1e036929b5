//! What `garrison sign` and `garrison verify` print about SSH signatures: a signature
//! written, and the report of a verification (text or JSON).

use crate::{PublicKey, Verified, VerifyError};

/// The line for `file` signed into `sig_file` with `key` for `namespace`.
pub fn signed(file: &str, sig_file: &str, key: &PublicKey, namespace: &str) -> String {
    format!(
        "signed: {file} -> {sig_file} ({} {}, namespace {namespace})\n",
        key.algorithm(),
        key.fingerprint()
    )
}

/// The outcome of verifying the SSH signature `signature` (as given, `-` for standard input)
/// over `artifact`: text, or pretty JSON (`verified`, `kind: ssh`, …).
pub fn verification(
    signature: &str,
    artifact: &str,
    outcome: &Result<Verified, VerifyError>,
    json: bool,
) -> String {
    match (outcome, json) {
        (Ok(v), true) => to_json(&serde_json::json!({
            "verified": true,
            "kind": "ssh",
            "signature": signature,
            "artifact": artifact,
            "principal": v.principal.as_ref().map(|(p, _)| p),
            "allowed_signers_line": v.principal.as_ref().map(|(_, l)| l),
            "key_algorithm": v.key_algorithm,
            "fingerprint": v.fingerprint,
            "namespace": v.namespace,
        })),
        (Err(e), true) => to_json(&serde_json::json!({
            "verified": false,
            "kind": "ssh",
            "signature": signature,
            "artifact": artifact,
            "error": e.to_string(),
        })),
        (Ok(v), false) => {
            let signer = match &v.principal {
                Some((p, line)) => format!("{p} (allowed_signers line {line})"),
                None => "the given public key".to_string(),
            };
            format!(
                "verified: {signature} (SSH signature of {artifact})\n  signer:    {signer}\n  key:       {} {}\n  namespace: {}\n",
                v.key_algorithm, v.fingerprint, v.namespace
            )
        }
        (Err(e), false) => format!("NOT verified: {signature}: {e}\n"),
    }
}

fn to_json(v: &serde_json::Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default() + "\n"
}
