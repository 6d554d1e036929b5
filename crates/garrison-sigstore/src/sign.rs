//! Keyless Sigstore signing: an ephemeral key, a Fulcio certificate for an OIDC identity, a
//! Rekor transparency log entry, and a v0.3 bundle that [`crate::verify_bundle`] accepts.
//!
//! The flow (as cosign and sigstore-python do it):
//!
//! 1. An ECDSA P-256 key is generated in memory for this run only; it is never written
//!    anywhere and is zeroized when the [`KeylessSigner`] is dropped.
//! 2. Fulcio (`POST {fulcio}/api/v2/signingCert`) receives the OIDC identity token, the public
//!    key, and a proof of possession (the key's signature over the token's `email` claim, or
//!    `sub` when it has no email), and returns a short-lived certificate for the token's
//!    identity with an embedded SCT.
//! 3. For each artifact, the SHA-256 digest is signed and logged in Rekor
//!    (`POST {rekor}/api/v1/log/entries`, a `hashedrekord` v0.0.1 entry holding the digest,
//!    the signature and the certificate).
//! 4. The bundle (media type v0.3) holds the certificate, the signature and digest, and the
//!    log entry with its signed entry timestamp and inclusion proof + checkpoint.
//!
//! Garrison does not validate the identity token: Fulcio does (signature, issuer, audience,
//! expiry). Garrison only decodes its claims to build the proof of possession and to say
//! whose identity is being used.
//!
//! Network I/O stays in the caller through [`Transport`] (the CLI implements it with `ureq`),
//! so this crate does no I/O of its own.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use p256::ecdsa::signature::Signer as _;
use p256::ecdsa::signature::hazmat::PrehashSigner as _;
use p256::ecdsa::{DerSignature, SigningKey};
use p256::elliptic_curve::Generate as _;
use p256::pkcs8::EncodePublicKey as _;
use serde_json::{Value, json};

/// Sigstore's public-good Fulcio.
pub const PRODUCTION_FULCIO_URL: &str = "https://fulcio.sigstore.dev";
/// Sigstore's public-good Rekor.
pub const PRODUCTION_REKOR_URL: &str = "https://rekor.sigstore.dev";
/// Sigstore's staging Fulcio.
pub const STAGING_FULCIO_URL: &str = "https://fulcio.sigstage.dev";
/// Sigstore's staging Rekor.
pub const STAGING_REKOR_URL: &str = "https://rekor.sigstage.dev";
/// The largest response a [`Transport`] should accept from Fulcio or Rekor (1 MiB; a
/// certificate chain or a log entry with its proof is a few KiB).
pub const MAX_RESPONSE_BYTES: u64 = 1 << 20;
/// The largest identity token accepted (a JWT is a few KiB).
pub const MAX_TOKEN_BYTES: usize = 64 * 1024;

const BUNDLE_V03: &str = "application/vnd.dev.sigstore.bundle.v0.3+json";
const BUNDLE_V01: &str = "application/vnd.dev.sigstore.bundle+json;version=0.1";

/// The Sigstore service a request goes to (named in errors).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    /// The certificate authority.
    Fulcio,
    /// The transparency log.
    Rekor,
}

impl std::fmt::Display for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Service::Fulcio => "Fulcio",
            Service::Rekor => "Rekor",
        })
    }
}

/// An HTTP response: status and body (already bounded by the transport).
#[derive(Debug, Clone)]
pub struct HttpResponse {
    /// The HTTP status code.
    pub status: u16,
    /// The body, at most [`MAX_RESPONSE_BYTES`].
    pub body: Vec<u8>,
}

/// A request that did not complete (connection, TLS, timeout, oversized response), with a
/// message for the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TransportError(pub String);

/// How requests reach Fulcio and Rekor. Implementations set timeouts, refuse responses larger
/// than [`MAX_RESPONSE_BYTES`], and return non-2xx responses as `Ok` (the status is checked
/// here). `Err` is for failures to connect, send or read.
pub trait Transport {
    /// `POST url` with `Content-Type: application/json` and `body`.
    fn post_json(
        &self,
        service: Service,
        url: &str,
        body: &[u8],
    ) -> Result<HttpResponse, TransportError>;

    /// `GET url` with `Authorization: bearer {bearer}` and `Accept: application/json` (the
    /// GitHub Actions OIDC token service). Transports that only talk to Fulcio and Rekor need
    /// not implement it.
    fn get_json(&self, url: &str, bearer: &str) -> Result<HttpResponse, TransportError> {
        let _ = (url, bearer);
        Err(TransportError(
            "this transport cannot request tokens".into(),
        ))
    }
}

/// GitHub Actions' OIDC token endpoint (set when the job has `permissions: id-token: write`).
pub const GITHUB_URL_VAR: &str = "ACTIONS_ID_TOKEN_REQUEST_URL";
/// The bearer token for that endpoint.
pub const GITHUB_TOKEN_VAR: &str = "ACTIONS_ID_TOKEN_REQUEST_TOKEN";

/// The identity token for keyless signing: `explicit` (`--identity-token`) when given, else
/// GitHub Actions' ambient token (audience `sigstore`), requested through `transport` at the
/// endpoint the environment names (`env` looks a variable up); else an error that says how to
/// get one (Garrison never prompts or opens a browser).
pub fn identity_token(
    explicit: Option<&str>,
    env: &dyn Fn(&str) -> Option<String>,
    transport: &dyn Transport,
) -> Result<String, SignError> {
    if let Some(token) = explicit {
        return Ok(token.to_string());
    }
    let var = |name: &str| env(name).filter(|v| !v.is_empty());
    let (url, bearer) = match (var(GITHUB_URL_VAR), var(GITHUB_TOKEN_VAR)) {
        (Some(url), Some(bearer)) => (url, bearer),
        (Some(_), None) => {
            return Err(SignError::AmbientToken(format!(
                "keyless signing: {GITHUB_URL_VAR} is set but {GITHUB_TOKEN_VAR} is not, so the \
                 GitHub Actions OIDC token cannot be requested"
            )));
        }
        _ => {
            return Err(SignError::AmbientToken(
                "keyless signing needs an OIDC identity token: pass --identity-token TOKEN, or \
                 run in GitHub Actions with `permissions: id-token: write` (Garrison does not \
                 prompt or open a browser)"
                    .into(),
            ));
        }
    };
    let sep = if url.contains('?') { '&' } else { '?' };
    let what = "the GitHub Actions OIDC token service";
    let response = transport
        .get_json(&format!("{url}{sep}audience=sigstore"), &bearer)
        .map_err(|e| SignError::AmbientToken(format!("{what}: {e}")))?;
    if !(200..300).contains(&response.status) {
        return Err(SignError::AmbientToken(format!(
            "{what} answered HTTP {}; does the job have `permissions: id-token: write`?",
            response.status
        )));
    }
    let value: Value = serde_json::from_slice(&response.body)
        .map_err(|_| SignError::AmbientToken(format!("{what}: the response is not JSON")))?;
    value
        .get("value")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty() && t.len() <= MAX_TOKEN_BYTES)
        .map(str::to_string)
        .ok_or_else(|| {
            SignError::AmbientToken(format!("{what}: the response has no token in `value`"))
        })
}

/// The SHA-256 of everything `reader` yields, read in 64 KiB blocks.
pub fn sha256_of(mut reader: impl std::io::Read) -> std::io::Result<[u8; 32]> {
    use sha2::Digest as _;
    let mut hasher = sha2::Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        hasher.update(buf.get(..n).unwrap_or_default());
    }
    Ok(hasher.finalize().into())
}

/// What is wrong with a 2xx response (a sentence).
#[derive(Debug)]
struct Malformed(String);

impl From<&str> for Malformed {
    fn from(s: &str) -> Self {
        Malformed(s.to_string())
    }
}

impl From<String> for Malformed {
    fn from(s: String) -> Self {
        Malformed(s)
    }
}

/// Where Fulcio and Rekor are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    /// Fulcio's base URL (`https://fulcio.sigstore.dev`).
    pub fulcio: String,
    /// Rekor's base URL (`https://rekor.sigstore.dev`).
    pub rekor: String,
}

impl Endpoints {
    /// The public-good instance.
    pub fn production() -> Self {
        Self {
            fulcio: PRODUCTION_FULCIO_URL.into(),
            rekor: PRODUCTION_REKOR_URL.into(),
        }
    }

    /// The staging instance (bundles verify with `TrustedRoot::staging()`).
    pub fn staging() -> Self {
        Self {
            fulcio: STAGING_FULCIO_URL.into(),
            rekor: STAGING_REKOR_URL.into(),
        }
    }
}

/// Why keyless signing failed. Messages are meant for the user as they are.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignError {
    /// No identity token, or GitHub Actions' token service did not give one (the message says
    /// what to do).
    #[error("{0}")]
    AmbientToken(String),
    /// The identity token is not a JWT with the claims signing needs.
    #[error("OIDC identity token: {0}")]
    Token(String),
    /// The system random number generator failed.
    #[error("cannot generate an ephemeral signing key: {0}")]
    Key(String),
    /// The request did not complete (connection, TLS, timeout, oversized response).
    #[error("{service} ({url}): {message}")]
    Transport {
        /// Fulcio or Rekor.
        service: Service,
        /// The request URL.
        url: String,
        /// What went wrong.
        message: String,
    },
    /// The service answered with an error status.
    #[error("{service} ({url}) answered HTTP {status}: {message}")]
    Status {
        /// Fulcio or Rekor.
        service: Service,
        /// The request URL.
        url: String,
        /// The HTTP status.
        status: u16,
        /// The service's error message (shortened).
        message: String,
    },
    /// The service answered 2xx with something that is not what the protocol says.
    #[error("{service} ({url}): unexpected response: {message}")]
    Response {
        /// Fulcio or Rekor.
        service: Service,
        /// The request URL.
        url: String,
        /// What is wrong with it.
        message: String,
    },
}

/// An OIDC identity token (a JWT), decoded but not validated: Fulcio validates it.
#[derive(Clone)]
pub struct IdentityToken {
    raw: String,
    issuer: Option<String>,
    proof_subject: String,
}

impl std::fmt::Debug for IdentityToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The token is a bearer credential: never print it.
        f.debug_struct("IdentityToken")
            .field("issuer", &self.issuer)
            .field("proof_subject", &self.proof_subject)
            .finish_non_exhaustive()
    }
}

impl IdentityToken {
    /// Decode a JWT's claims. `now` (Unix seconds) rejects an expired token early with a clear
    /// message instead of a Fulcio error.
    pub fn parse(raw: &str, now: i64) -> Result<Self, SignError> {
        let raw = raw.trim();
        if raw.len() > MAX_TOKEN_BYTES {
            return Err(SignError::Token(format!(
                "longer than {MAX_TOKEN_BYTES} bytes"
            )));
        }
        let mut parts = raw.split('.');
        let (Some(_header), Some(payload), Some(_sig), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(SignError::Token(
                "not a JWT (expected three base64url parts separated by dots)".into(),
            ));
        };
        let payload = URL_SAFE_NO_PAD
            .decode(payload.trim_end_matches('='))
            .map_err(|_| SignError::Token("the payload is not base64url".into()))?;
        let claims: Value = serde_json::from_slice(&payload)
            .map_err(|_| SignError::Token("the payload is not a JSON object".into()))?;
        let Some(claims) = claims.as_object() else {
            return Err(SignError::Token("the payload is not a JSON object".into()));
        };
        let text = |name: &str| claims.get(name).and_then(Value::as_str).map(str::to_string);
        if let Some(exp) = claims.get("exp").and_then(Value::as_i64)
            && exp < now
        {
            return Err(SignError::Token(format!(
                "expired {} seconds ago; get a fresh token",
                now - exp
            )));
        }
        // As cosign: Fulcio's challenge is the email for email identities, else the subject.
        let proof_subject = text("email")
            .or_else(|| text("sub"))
            .filter(|s| !s.is_empty())
            .ok_or_else(|| {
                SignError::Token("it has neither an `email` nor a `sub` claim".into())
            })?;
        Ok(Self {
            raw: raw.to_string(),
            issuer: text("iss"),
            proof_subject,
        })
    }

    /// The token's `iss` claim (unvalidated).
    pub fn issuer(&self) -> Option<&str> {
        self.issuer.as_deref()
    }

    /// The claim signed as proof of possession (`email`, else `sub`).
    pub fn proof_subject(&self) -> &str {
        &self.proof_subject
    }
}

/// The certificate Fulcio issued, as the verifier will read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certified {
    /// The certificate's identity (SAN): an email or a workflow URI.
    pub identity: Option<String>,
    /// The OIDC issuer from the certificate's Fulcio extension.
    pub issuer: Option<String>,
    /// The certificate's validity, Unix seconds.
    pub not_before: i64,
    /// The certificate's expiry, Unix seconds (Fulcio issues 10-minute certificates).
    pub not_after: i64,
}

/// A signed artifact: the bundle and where it was logged.
#[derive(Debug, Clone)]
pub struct SignedBundle {
    /// The bundle JSON (`FILE.sigstore.json`).
    pub json: Vec<u8>,
    /// The Rekor log index.
    pub log_index: i64,
    /// Whether Rekor returned an inclusion proof (then the bundle is v0.3; without one, the
    /// bundle is v0.1 with the signed entry timestamp only).
    pub has_inclusion_proof: bool,
}

/// An ephemeral key with its Fulcio certificate; signs any number of artifacts.
pub struct KeylessSigner<'t, T: Transport + ?Sized> {
    transport: &'t T,
    endpoints: Endpoints,
    key: SigningKey,
    cert_der: Vec<u8>,
    cert_pem: String,
    certified: Certified,
}

impl<T: Transport + ?Sized> std::fmt::Debug for KeylessSigner<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeylessSigner")
            .field("endpoints", &self.endpoints)
            .field("certified", &self.certified)
            .finish_non_exhaustive()
    }
}

fn join(base: &str, path: &str) -> String {
    format!("{}{path}", base.trim_end_matches('/'))
}

/// A short, printable excerpt of an error body.
fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let message = serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| {
            v.get("message")
                .or_else(|| v.get("error"))
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .unwrap_or_else(|| text.into_owned());
    let clean: String = message
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(300)
        .collect();
    if clean.trim().is_empty() {
        "(empty body)".into()
    } else {
        clean.trim().to_string()
    }
}

fn pem(label: &str, der: &[u8]) -> String {
    let b64 = STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// The DER of the first `CERTIFICATE` block in `text`.
fn first_pem_certificate(text: &str) -> Option<Vec<u8>> {
    let start = text.find("-----BEGIN CERTIFICATE-----")? + "-----BEGIN CERTIFICATE-----".len();
    let end = start + text[start..].find("-----END CERTIFICATE-----")?;
    let b64: String = text[start..end]
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    STANDARD.decode(b64).ok()
}

impl<'t, T: Transport + ?Sized> KeylessSigner<'t, T> {
    /// Generate the ephemeral key and get its certificate from Fulcio.
    pub fn new(
        transport: &'t T,
        endpoints: Endpoints,
        token: &IdentityToken,
    ) -> Result<Self, SignError> {
        crate::provider::ensure();
        let key = SigningKey::try_generate().map_err(|e| SignError::Key(e.to_string()))?;
        let spki = key
            .verifying_key()
            .to_public_key_der()
            .map_err(|e| SignError::Key(e.to_string()))?;
        let proof: DerSignature = key.sign(token.proof_subject.as_bytes());
        let request = json!({
            "credentials": { "oidcIdentityToken": token.raw },
            "publicKeyRequest": {
                "publicKey": { "algorithm": "ECDSA", "content": pem("PUBLIC KEY", spki.as_bytes()) },
                "proofOfPossession": STANDARD.encode(proof.as_bytes()),
            },
        });
        let url = join(&endpoints.fulcio, "/api/v2/signingCert");
        let response = post(transport, Service::Fulcio, &url, &request)?;
        let bad = |message: String| SignError::Response {
            service: Service::Fulcio,
            url: url.clone(),
            message,
        };
        if response.get("signedCertificateDetachedSct").is_some() {
            return Err(bad(
                "the certificate came with a detached SCT; Garrison needs an embedded SCT \
                 (as the public-good Fulcio issues)"
                    .into(),
            ));
        }
        let leaf_pem = response
            .pointer("/signedCertificateEmbeddedSct/chain/certificates/0")
            .and_then(Value::as_str)
            .ok_or_else(|| bad("no signedCertificateEmbeddedSct.chain.certificates[0]".into()))?;
        let cert_der = first_pem_certificate(leaf_pem)
            .ok_or_else(|| bad("the leaf certificate is not PEM".into()))?;
        let info = sigstore_crypto::parse_certificate_info(&sigstore_types::DerCertificate::new(
            cert_der.clone(),
        ))
        .map_err(|e| bad(format!("the leaf certificate does not parse: {e}")))?;
        if info.public_key.as_bytes() != spki.as_bytes() {
            return Err(bad(
                "the certificate is for another public key than the one sent".into(),
            ));
        }
        let certified = Certified {
            identity: info.identity.as_ref().map(|san| san.as_str().to_string()),
            issuer: info.issuer.clone(),
            not_before: info.not_before.as_second(),
            not_after: info.not_after.as_second(),
        };
        Ok(Self {
            transport,
            endpoints,
            key,
            cert_pem: pem("CERTIFICATE", &cert_der),
            cert_der,
            certified,
        })
    }

    /// Who the certificate says signed.
    pub fn certified(&self) -> &Certified {
        &self.certified
    }

    /// Sign an artifact given its SHA-256 digest, log the signature in Rekor and build its
    /// bundle.
    pub fn sign(&self, sha256: [u8; 32]) -> Result<SignedBundle, SignError> {
        let signature: DerSignature = self
            .key
            .sign_prehash(&sha256)
            .map_err(|e| SignError::Key(e.to_string()))?;
        let signature_b64 = STANDARD.encode(signature.as_bytes());
        let digest_hex = hex(&sha256);
        let cert_b64 = STANDARD.encode(self.cert_pem.as_bytes());
        let spec = json!({
            "data": { "hash": { "algorithm": "sha256", "value": digest_hex } },
            "signature": { "content": signature_b64, "publicKey": { "content": cert_b64 } },
        });
        let request = json!({ "apiVersion": "0.0.1", "kind": "hashedrekord", "spec": spec });
        let url = join(&self.endpoints.rekor, "/api/v1/log/entries");
        let response = post(self.transport, Service::Rekor, &url, &request)?;
        let entry = RekorEntry::parse(&response, &spec).map_err(|m| SignError::Response {
            service: Service::Rekor,
            url: url.clone(),
            message: m.0,
        })?;
        let json = self.bundle(&entry, &sha256, &signature_b64);
        Ok(SignedBundle {
            json: serde_json::to_vec_pretty(&json).unwrap_or_default(),
            log_index: entry.log_index,
            has_inclusion_proof: entry.inclusion_proof.is_some(),
        })
    }

    fn bundle(&self, entry: &RekorEntry, sha256: &[u8; 32], signature_b64: &str) -> Value {
        let mut tlog = json!({
            "logIndex": entry.log_index.to_string(),
            "logId": { "keyId": STANDARD.encode(&entry.log_id) },
            "kindVersion": { "kind": "hashedrekord", "version": "0.0.1" },
            "integratedTime": entry.integrated_time.to_string(),
            "inclusionPromise": { "signedEntryTimestamp": STANDARD.encode(&entry.set) },
            "canonicalizedBody": STANDARD.encode(&entry.body),
        });
        let cert_b64 = STANDARD.encode(&self.cert_der);
        let (media_type, material) = match &entry.inclusion_proof {
            Some(proof) => {
                tlog["inclusionProof"] = json!({
                    "logIndex": proof.log_index.to_string(),
                    "rootHash": STANDARD.encode(&proof.root_hash),
                    "treeSize": proof.tree_size.to_string(),
                    "hashes": proof.hashes.iter().map(|h| STANDARD.encode(h)).collect::<Vec<_>>(),
                    "checkpoint": { "envelope": proof.checkpoint },
                });
                (
                    BUNDLE_V03,
                    json!({ "certificate": { "rawBytes": cert_b64 } }),
                )
            }
            // v0.2+ bundles need an inclusion proof; a log that only promises inclusion
            // gives a v0.1 bundle, which carries the certificate as a one-element chain.
            None => (
                BUNDLE_V01,
                json!({ "x509CertificateChain": { "certificates": [ { "rawBytes": cert_b64 } ] } }),
            ),
        };
        let mut material = material;
        material["tlogEntries"] = json!([tlog]);
        json!({
            "mediaType": media_type,
            "verificationMaterial": material,
            "messageSignature": {
                "messageDigest": { "algorithm": "SHA2_256", "digest": STANDARD.encode(sha256) },
                "signature": signature_b64,
            },
        })
    }
}

use garrison_source::hex::encode as hex;

use garrison_source::hex::decode as unhex;

fn post(
    transport: &(impl Transport + ?Sized),
    service: Service,
    url: &str,
    request: &Value,
) -> Result<Value, SignError> {
    let body = serde_json::to_vec(request).unwrap_or_default();
    let response = transport
        .post_json(service, url, &body)
        .map_err(|e| SignError::Transport {
            service,
            url: url.to_string(),
            message: e.0,
        })?;
    if !(200..300).contains(&response.status) {
        return Err(SignError::Status {
            service,
            url: url.to_string(),
            status: response.status,
            message: excerpt(&response.body),
        });
    }
    serde_json::from_slice(&response.body).map_err(|e| SignError::Response {
        service,
        url: url.to_string(),
        message: format!("not JSON ({e})"),
    })
}

struct InclusionProof {
    log_index: i64,
    root_hash: Vec<u8>,
    tree_size: i64,
    hashes: Vec<Vec<u8>>,
    checkpoint: String,
}

struct RekorEntry {
    body: Vec<u8>,
    integrated_time: i64,
    log_id: Vec<u8>,
    log_index: i64,
    set: Vec<u8>,
    inclusion_proof: Option<InclusionProof>,
}

impl RekorEntry {
    /// Rekor answers `{UUID: {body, integratedTime, logID, logIndex, verification}}`. The body
    /// must be the entry that was sent (same digest, signature and certificate).
    fn parse(response: &Value, sent_spec: &Value) -> Result<Self, Malformed> {
        let entries = response
            .as_object()
            .ok_or("not a JSON object of log entries")?;
        let [(_uuid, entry)] = entries.iter().collect::<Vec<_>>()[..] else {
            return Err(format!("expected one log entry, got {}", entries.len()).into());
        };
        let field = |name: &str| entry.get(name).ok_or(format!("no `{name}`"));
        let int = |v: &Value, name: &str| v.as_i64().ok_or(format!("`{name}` is not an integer"));
        let b64 = |v: &Value, name: &str| {
            v.as_str()
                .and_then(|s| STANDARD.decode(s).ok())
                .ok_or(format!("`{name}` is not base64"))
        };
        let body = b64(field("body")?, "body")?;
        let logged: Value =
            serde_json::from_slice(&body).map_err(|_| "the entry body is not JSON".to_string())?;
        if logged.get("kind").and_then(Value::as_str) != Some("hashedrekord")
            || logged.get("spec") != Some(sent_spec)
        {
            return Err(Malformed::from(
                "the logged entry is not the hashedrekord that was sent (digest, signature or \
                 certificate differ)",
            ));
        }
        let log_id = field("logID")?
            .as_str()
            .and_then(unhex)
            .filter(|id| id.len() == 32)
            .ok_or("`logID` is not a hex SHA-256")?;
        let verification = field("verification")?;
        let set = b64(
            verification
                .get("signedEntryTimestamp")
                .ok_or("no `verification.signedEntryTimestamp`")?,
            "signedEntryTimestamp",
        )?;
        let inclusion_proof = match verification.get("inclusionProof") {
            None | Some(Value::Null) => None,
            Some(p) => {
                let get = |name: &str| p.get(name).ok_or(format!("no `inclusionProof.{name}`"));
                let hashes = get("hashes")?
                    .as_array()
                    .ok_or("`inclusionProof.hashes` is not a list")?
                    .iter()
                    .map(|h| h.as_str().and_then(unhex).filter(|h| h.len() == 32))
                    .collect::<Option<Vec<_>>>()
                    .ok_or("`inclusionProof.hashes` are not hex SHA-256 hashes")?;
                Some(InclusionProof {
                    log_index: int(get("logIndex")?, "inclusionProof.logIndex")?,
                    root_hash: get("rootHash")?
                        .as_str()
                        .and_then(unhex)
                        .filter(|h| h.len() == 32)
                        .ok_or("`inclusionProof.rootHash` is not a hex SHA-256")?,
                    tree_size: int(get("treeSize")?, "inclusionProof.treeSize")?,
                    hashes,
                    checkpoint: get("checkpoint")?
                        .as_str()
                        .ok_or("`inclusionProof.checkpoint` is not text")?
                        .to_string(),
                })
            }
        };
        Ok(Self {
            body,
            integrated_time: int(field("integratedTime")?, "integratedTime")?,
            log_id,
            log_index: int(field("logIndex")?, "logIndex")?,
            set,
            inclusion_proof,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(claims: &Value) -> String {
        format!(
            "{}.{}.sig",
            URL_SAFE_NO_PAD.encode(br#"{"alg":"none"}"#),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        )
    }

    #[test]
    fn token_claims() {
        let t = IdentityToken::parse(&jwt(&json!({"iss": "https://i", "sub": "s"})), 0);
        let Ok(t) = t else { panic!("{t:?}") };
        assert_eq!(t.proof_subject(), "s");
        assert_eq!(t.issuer(), Some("https://i"));
        let t = IdentityToken::parse(&jwt(&json!({"sub": "s", "email": "a@b"})), 0);
        assert_eq!(t.map(|t| t.proof_subject).ok().as_deref(), Some("a@b"));
        // Never printed.
        let t = IdentityToken::parse(&jwt(&json!({"sub": "s"})), 0);
        assert!(!format!("{t:?}").contains("eyJ"));
    }

    #[test]
    fn bad_tokens() {
        for (raw, why) in [
            ("abc", "not a JWT"),
            ("a.!!.c", "base64url"),
            (&jwt(&json!({"iss": "x"})), "neither"),
            (
                &jwt(&json!({"sub": "s", "exp": 10})),
                "expired 90 seconds ago",
            ),
            (&jwt(&json!([1])), "JSON object"),
        ] {
            let err = IdentityToken::parse(raw, 100).err().map(|e| e.to_string());
            assert!(
                err.as_deref().is_some_and(|e| e.contains(why)),
                "{raw}: {err:?}"
            );
        }
    }

    #[test]
    fn hex_round_trip() {
        assert_eq!(
            unhex(&hex(&[0, 1, 0xab, 0xff])),
            Some(vec![0, 1, 0xab, 0xff])
        );
        assert_eq!(unhex("abc"), None);
        assert_eq!(unhex("zz"), None);
    }

    #[test]
    fn error_excerpts() {
        assert_eq!(
            excerpt(br#"{"code":401,"message":"bad token"}"#),
            "bad token"
        );
        assert_eq!(excerpt(b""), "(empty body)");
        assert_eq!(excerpt(&[b'x'; 1000]).len(), 300);
        assert_eq!(excerpt(b"a\nb"), "a b");
    }

    struct Refuse;
    impl Transport for Refuse {
        fn post_json(
            &self,
            service: Service,
            _: &str,
            _: &[u8],
        ) -> Result<HttpResponse, TransportError> {
            Ok(HttpResponse {
                status: 401,
                body: format!(r#"{{"message":"{service} says no"}}"#).into_bytes(),
            })
        }
    }

    #[test]
    fn service_errors_name_service_and_status() {
        let Ok(token) = IdentityToken::parse(&jwt(&json!({"sub": "s"})), 0) else {
            panic!("token")
        };
        let endpoints = Endpoints {
            fulcio: "http://f/".into(),
            rekor: "http://r".into(),
        };
        let err = KeylessSigner::new(&Refuse, endpoints, &token).err();
        assert_eq!(
            err.map(|e| e.to_string()).as_deref(),
            Some("Fulcio (http://f/api/v2/signingCert) answered HTTP 401: Fulcio says no")
        );
    }

    #[test]
    fn rekor_entry_must_be_what_was_sent() {
        let spec = json!({"data": {"hash": {"algorithm": "sha256", "value": "00"}}});
        let body = STANDARD.encode(json!({"kind": "hashedrekord", "spec": spec}).to_string());
        let entry = |body: &str| {
            json!({"uuid": {
                "body": body, "integratedTime": 1, "logID": hex(&[7; 32]), "logIndex": 3,
                "verification": {"signedEntryTimestamp": "AAAA"}
            }})
        };
        let ok = RekorEntry::parse(&entry(&body), &spec);
        assert!(
            ok.as_ref()
                .is_ok_and(|e| e.inclusion_proof.is_none() && e.log_index == 3)
        );
        let other = json!({"data": {"hash": {"algorithm": "sha256", "value": "01"}}});
        let err = RekorEntry::parse(&entry(&body), &other).err();
        assert!(err.is_some_and(|e| e.0.contains("not the hashedrekord that was sent")));
        assert!(RekorEntry::parse(&json!({}), &spec).is_err());
    }
}
