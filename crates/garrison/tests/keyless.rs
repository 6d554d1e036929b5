//! `garrison sign --keyless` end to end, on loopback only: a fake Fulcio (a test CA issuing a
//! leaf for the request's public key with an embedded SCT from a test CT log), a fake Rekor
//! (a test log key signing the SET and a checkpoint over a Merkle tree holding the entry), a
//! fake GitHub Actions token endpoint, and a `trusted_root.json` naming these keys. The bundle
//! Garrison writes must pass `garrison verify` with that root, every check of sigstore-verify
//! included (chain, SCT, SET, inclusion proof, checkpoint, signature), and fail for a changed
//! artifact or another identity.
//!
//! The identity tokens are ES256 JWTs signed by a test issuer key; the fake Fulcio checks their
//! signature, audience and the proof of possession, as the real one does (Garrison itself only
//! decodes the `email`/`sub` claim it signs as proof of possession).
//!
//! Each run is a snapshot of everything the user sees: the temporary directory is shown as
//! `[DIR]` and the loopback servers (a new port each run) as `[FULCIO]`, `[REKOR]` and
//! `[TOKEN SERVICE]`. The bundles are snapshots too, with the values that are new on every run
//! (the ephemeral key's certificate and signature, times, the log's signatures over them)
//! replaced by placeholders.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use garrison_test::cli::{Run, run};

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::Command;
use std::str::FromStr as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use p256::ecdsa::signature::{Signer as _, Verifier as _};
use p256::ecdsa::{DerSignature, Signature, SigningKey, VerifyingKey};
use p256::pkcs8::{DecodePublicKey as _, EncodePublicKey as _};
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};
use x509_cert::der::asn1::{BitString, Ia5String, ObjectIdentifier, OctetString, Utf8StringRef};
use x509_cert::der::{Decode as _, Encode as _};
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{
    BasicConstraints, ExtendedKeyUsage, KeyUsage, KeyUsages, SubjectAltName,
};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use x509_cert::time::{Time, Validity};
use x509_cert::{Certificate, TbsCertificate, Version};

const ISSUER: &str = "https://oidc.test.invalid";
const EMAIL: &str = "maintainer@example.org";
const WORKFLOW: &str = "https://github.com/org/repo/.github/workflows/release.yml@refs/tags/v1.0";
const ACTIONS_BEARER: &str = "actions-request-token";

const ECDSA_SHA256: &str = "1.2.840.10045.4.3.2";
const CODE_SIGNING: &str = "1.3.6.1.5.5.7.3.3";
const FULCIO_ISSUER_V2: &str = "1.3.6.1.4.1.57264.1.8";
const CT_PRECERT_SCTS: &str = "1.3.6.1.4.1.11129.2.4.2";

fn key(seed: u8) -> SigningKey {
    SigningKey::from_slice(&[seed; 32]).unwrap()
}

fn spki_der(key: &SigningKey) -> Vec<u8> {
    key.verifying_key()
        .to_public_key_der()
        .unwrap()
        .as_bytes()
        .to_vec()
}

fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn pem(label: &str, der: &[u8]) -> String {
    let body: Vec<String> = STANDARD
        .encode(der)
        .as_bytes()
        .chunks(64)
        .map(|c| String::from_utf8(c.to_vec()).unwrap())
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        body.join("\n")
    )
}

fn unpem(text: &str) -> Vec<u8> {
    let b64: String = text
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect::<String>();
    STANDARD.decode(b64).unwrap()
}

/// The test Sigstore instance: OIDC issuer, Fulcio CA, CT log and Rekor keys.
struct Instance {
    oidc: SigningKey,
    ca: SigningKey,
    ct: SigningKey,
    rekor: SigningKey,
    ca_name: Name,
    ca_der: Vec<u8>,
}

fn algorithm() -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid: ObjectIdentifier::new_unwrap(ECDSA_SHA256),
        parameters: None,
    }
}

fn extension(oid: &str, critical: bool, value: Vec<u8>) -> Extension {
    Extension {
        extn_id: ObjectIdentifier::new_unwrap(oid),
        critical,
        extn_value: OctetString::new(value).unwrap(),
    }
}

fn sign_tbs(tbs: TbsCertificate, issuer: &SigningKey) -> Vec<u8> {
    let sig: DerSignature = issuer.sign(&tbs.to_der().unwrap());
    Certificate {
        tbs_certificate: tbs,
        signature_algorithm: algorithm(),
        signature: BitString::from_bytes(sig.as_bytes()).unwrap(),
    }
    .to_der()
    .unwrap()
}

impl Instance {
    fn new() -> Self {
        let ca = key(2);
        let ca_name = Name::from_str("CN=garrison-test-fulcio,O=garrison-test").unwrap();
        let spki = SubjectPublicKeyInfoOwned::from_der(&spki_der(&ca)).unwrap();
        let ku = KeyUsage(KeyUsages::KeyCertSign | KeyUsages::CRLSign);
        let tbs = TbsCertificate {
            version: Version::V3,
            serial_number: SerialNumber::new(&[1]).unwrap(),
            signature: algorithm(),
            issuer: ca_name.clone(),
            validity: Validity {
                not_before: Time::try_from(UNIX_EPOCH + Duration::from_secs(1_577_836_800))
                    .unwrap(),
                not_after: Time::try_from(UNIX_EPOCH + Duration::from_secs(4_102_444_800)).unwrap(),
            },
            subject: ca_name.clone(),
            subject_public_key_info: spki,
            issuer_unique_id: None,
            subject_unique_id: None,
            extensions: Some(vec![
                extension(
                    "2.5.29.19",
                    true,
                    BasicConstraints {
                        ca: true,
                        path_len_constraint: Some(0),
                    }
                    .to_der()
                    .unwrap(),
                ),
                extension("2.5.29.15", true, ku.to_der().unwrap()),
            ]),
        };
        let ca_der = sign_tbs(tbs, &ca);
        Self {
            oidc: key(1),
            ca,
            ct: key(3),
            rekor: key(4),
            ca_name,
            ca_der,
        }
    }

    /// An ES256 JWT from the test issuer.
    fn token(&self, claims: &Value) -> String {
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"ES256","typ":"JWT"}"#);
        let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
        let signing_input = format!("{header}.{payload}");
        let sig: Signature = self.oidc.sign(signing_input.as_bytes());
        format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(sig.to_bytes()))
    }

    fn trusted_root(&self, dir: &Path) -> std::path::PathBuf {
        let log = |key: &SigningKey, url: &str| {
            let spki = spki_der(key);
            json!({
                "baseUrl": url,
                "hashAlgorithm": "SHA2_256",
                "publicKey": {
                    "rawBytes": STANDARD.encode(&spki),
                    "keyDetails": "PKIX_ECDSA_P256_SHA_256",
                    "validFor": { "start": "2020-01-01T00:00:00Z" }
                },
                "logId": { "keyId": STANDARD.encode(sha256(&spki)) }
            })
        };
        let root = json!({
            "mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
            "tlogs": [log(&self.rekor, "http://rekor.test.invalid")],
            "certificateAuthorities": [{
                "subject": { "organization": "garrison-test", "commonName": "garrison-test-fulcio" },
                "uri": "http://fulcio.test.invalid",
                "certChain": { "certificates": [ { "rawBytes": STANDARD.encode(&self.ca_der) } ] },
                "validFor": { "start": "2020-01-01T00:00:00Z" }
            }],
            "ctlogs": [log(&self.ct, "http://ctfe.test.invalid")],
            "timestampAuthorities": []
        });
        let path = dir.join("trusted_root.json");
        std::fs::write(&path, serde_json::to_vec_pretty(&root).unwrap()).unwrap();
        path
    }

    /// Fulcio `POST /api/v2/signingCert`: check the token and the proof of possession, then
    /// issue a leaf for the request's key with an embedded SCT (RFC 6962 precertificate flow:
    /// the CT log signs the TBS without the SCT extension, the CA then signs it with it).
    fn fulcio(&self, request: &Value) -> (u16, String) {
        let token = request["credentials"]["oidcIdentityToken"]
            .as_str()
            .unwrap_or_default();
        let parts: Vec<&str> = token.split('.').collect();
        let Ok([header, payload, sig]) = <[&str; 3]>::try_from(parts) else {
            return (400, r#"{"message":"malformed token"}"#.into());
        };
        let sig = Signature::from_slice(&URL_SAFE_NO_PAD.decode(sig).unwrap_or_default());
        let signed = format!("{header}.{payload}");
        if !sig.is_ok_and(|s| {
            self.oidc
                .verifying_key()
                .verify(signed.as_bytes(), &s)
                .is_ok()
        }) {
            return (
                401,
                r#"{"message":"invalid identity token signature"}"#.into(),
            );
        }
        let claims: Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
        if claims["aud"] != "sigstore" || claims["iss"] != ISSUER {
            return (401, r#"{"message":"wrong audience or issuer"}"#.into());
        }
        let public_pem = request["publicKeyRequest"]["publicKey"]["content"]
            .as_str()
            .unwrap_or_default();
        let public_der = unpem(public_pem);
        let public = VerifyingKey::from_public_key_der(&public_der).unwrap();
        let proof = STANDARD
            .decode(
                request["publicKeyRequest"]["proofOfPossession"]
                    .as_str()
                    .unwrap_or_default(),
            )
            .unwrap();
        let (identity, challenge) = match claims["email"].as_str() {
            Some(email) => (
                GeneralName::Rfc822Name(Ia5String::new(email).unwrap()),
                email,
            ),
            None => (
                GeneralName::UniformResourceIdentifier(
                    Ia5String::new(claims["job_workflow_ref"].as_str().unwrap()).unwrap(),
                ),
                claims["sub"].as_str().unwrap(),
            ),
        };
        let proof_ok = DerSignature::from_bytes(&proof)
            .is_ok_and(|s| public.verify(challenge.as_bytes(), &s).is_ok());
        if !proof_ok {
            return (400, r#"{"message":"invalid proof of possession"}"#.into());
        }
        let now = now();
        let ku = KeyUsage(KeyUsages::DigitalSignature.into());
        let eku = ExtendedKeyUsage(vec![ObjectIdentifier::new_unwrap(CODE_SIGNING)]);
        let issuer_ext = Utf8StringRef::new(ISSUER).unwrap().to_der().unwrap();
        let mut tbs = TbsCertificate {
            version: Version::V3,
            serial_number: SerialNumber::new(&sha256(&public_der)[..16]).unwrap(),
            signature: algorithm(),
            issuer: self.ca_name.clone(),
            validity: Validity {
                not_before: Time::try_from(UNIX_EPOCH + Duration::from_secs(now - 60)).unwrap(),
                not_after: Time::try_from(UNIX_EPOCH + Duration::from_secs(now + 600)).unwrap(),
            },
            subject: Name::default(),
            subject_public_key_info: SubjectPublicKeyInfoOwned::from_der(&public_der).unwrap(),
            issuer_unique_id: None,
            subject_unique_id: None,
            extensions: Some(vec![
                extension("2.5.29.15", true, ku.to_der().unwrap()),
                extension("2.5.29.37", false, eku.to_der().unwrap()),
                extension(
                    "2.5.29.17",
                    true,
                    SubjectAltName(vec![identity]).to_der().unwrap(),
                ),
                extension(FULCIO_ISSUER_V2, false, issuer_ext),
            ]),
        };
        // RFC 6962 §3.2 digitally-signed struct for a precert entry.
        let timestamp_ms = (now - 30) * 1000;
        let precert_tbs = tbs.to_der().unwrap();
        let mut signed = vec![0u8, 0u8]; // v1, certificate_timestamp
        signed.extend_from_slice(&timestamp_ms.to_be_bytes());
        signed.extend_from_slice(&1u16.to_be_bytes()); // precert_entry
        signed.extend_from_slice(&sha256(&spki_der(&self.ca)));
        signed.extend_from_slice(&u32::try_from(precert_tbs.len()).unwrap().to_be_bytes()[1..]);
        signed.extend_from_slice(&precert_tbs);
        signed.extend_from_slice(&0u16.to_be_bytes()); // no extensions
        let sct_sig: DerSignature = self.ct.sign(&signed);
        let mut sct = vec![0u8]; // v1
        sct.extend_from_slice(&sha256(&spki_der(&self.ct)));
        sct.extend_from_slice(&timestamp_ms.to_be_bytes());
        sct.extend_from_slice(&0u16.to_be_bytes());
        sct.extend_from_slice(&[4, 3]); // sha256, ecdsa
        sct.extend_from_slice(
            &u16::try_from(sct_sig.as_bytes().len())
                .unwrap()
                .to_be_bytes(),
        );
        sct.extend_from_slice(sct_sig.as_bytes());
        let mut list = u16::try_from(sct.len() + 2).unwrap().to_be_bytes().to_vec();
        list.extend_from_slice(&u16::try_from(sct.len()).unwrap().to_be_bytes());
        list.extend_from_slice(&sct);
        let list = OctetString::new(list).unwrap().to_der().unwrap();
        if let Some(exts) = tbs.extensions.as_mut() {
            exts.push(extension(CT_PRECERT_SCTS, false, list));
        }
        let leaf = sign_tbs(tbs, &self.ca);
        let body = json!({ "signedCertificateEmbeddedSct": { "chain": { "certificates": [
            pem("CERTIFICATE", &leaf), pem("CERTIFICATE", &self.ca_der)
        ] } } });
        (201, body.to_string())
    }

    /// Rekor `POST /api/v1/log/entries`: log the hashedrekord as the second leaf of a
    /// two-leaf tree, with a SET and (when `with_proof`) an inclusion proof and a signed
    /// checkpoint.
    fn rekor(&self, request: &Value, log_index: u64, with_proof: bool) -> (u16, String) {
        if request["kind"] != "hashedrekord" || request["apiVersion"] != "0.0.1" {
            return (400, r#"{"message":"unsupported entry kind"}"#.into());
        }
        let body = serde_json::to_vec(request).unwrap();
        let log_id = sha256(&spki_der(&self.rekor));
        let integrated_time = now();
        let body_b64 = STANDARD.encode(&body);
        let set_payload = format!(
            r#"{{"body":"{body_b64}","integratedTime":{integrated_time},"logID":"{}","logIndex":{log_index}}}"#,
            hex(&log_id)
        );
        let set: DerSignature = self.rekor.sign(set_payload.as_bytes());
        let leaf = |data: &[u8]| sha256(&[&[0u8][..], data].concat());
        let other = leaf(b"an earlier entry");
        let ours = leaf(&body);
        let root = sha256(&[&[1u8][..], &other, &ours].concat());
        let note = format!("rekor.test.invalid - 42\n2\n{}\n", STANDARD.encode(root));
        let note_sig: DerSignature = self.rekor.sign(note.as_bytes());
        let signature_line = STANDARD.encode([&log_id[..4], note_sig.as_bytes()].concat());
        let checkpoint = format!("{note}\n\u{2014} rekor.test.invalid {signature_line}\n");
        let mut entry = json!({
            "body": body_b64,
            "integratedTime": integrated_time,
            "logID": hex(&log_id),
            "logIndex": log_index,
            "verification": {
                "inclusionProof": {
                    "checkpoint": checkpoint,
                    "hashes": [hex(&other)],
                    "logIndex": 1,
                    "rootHash": hex(&root),
                    "treeSize": 2
                },
                "signedEntryTimestamp": STANDARD.encode(set.as_bytes())
            }
        });
        if !with_proof {
            entry["verification"]
                .as_object_mut()
                .unwrap()
                .remove("inclusionProof");
        }
        (201, json!({ hex(&sha256(&body)): entry }).to_string())
    }
}

/// A minimal HTTP/1.1 server on 127.0.0.1 (one request per connection).
fn serve(handler: impl Fn(&str, &str, &str, &[u8]) -> (u16, String) + Send + 'static) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let _ = handle(stream, &handler);
        }
    });
    format!("http://{addr}")
}

fn handle(
    stream: TcpStream,
    handler: &impl Fn(&str, &str, &str, &[u8]) -> (u16, String),
) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_string();
    let target = parts.next().unwrap_or_default().to_string();
    let (mut length, mut authorization) = (0usize, String::new());
    loop {
        let mut line = String::new();
        reader.read_line(&mut line)?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            match name.to_ascii_lowercase().as_str() {
                "content-length" => length = value.trim().parse().unwrap_or(0),
                "authorization" => authorization = value.trim().to_string(),
                _ => {}
            }
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    let (status, response) = handler(&method, &target, &authorization, &body);
    let mut stream = stream;
    write!(
        stream,
        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{response}",
        response.len()
    )?;
    stream.flush()
}

struct Servers {
    instance: Arc<Instance>,
    fulcio: String,
    rekor: String,
}

fn servers() -> Servers {
    servers_with(true)
}

fn servers_with(inclusion_proof: bool) -> Servers {
    let instance = Arc::new(Instance::new());
    let i = Arc::clone(&instance);
    let fulcio = serve(move |method, target, _, body| {
        if method != "POST" || target != "/api/v2/signingCert" {
            return (404, r#"{"message":"not found"}"#.into());
        }
        match serde_json::from_slice(body) {
            Ok(request) => i.fulcio(&request),
            Err(_) => (400, r#"{"message":"not JSON"}"#.into()),
        }
    });
    let i = Arc::clone(&instance);
    let count = AtomicU64::new(0);
    let rekor = serve(move |method, target, _, body| {
        if method != "POST" || target != "/api/v1/log/entries" {
            return (404, r#"{"message":"not found"}"#.into());
        }
        match serde_json::from_slice(body) {
            Ok(request) => i.rekor(
                &request,
                7000 + count.fetch_add(1, Ordering::SeqCst),
                inclusion_proof,
            ),
            Err(_) => (400, r#"{"message":"not JSON"}"#.into()),
        }
    });
    Servers {
        instance,
        fulcio,
        rekor,
    }
}

fn garrison() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_garrison"));
    c.env("NO_COLOR", "1");
    for var in [
        "ACTIONS_ID_TOKEN_REQUEST_URL",
        "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
        "HTTP_PROXY",
        "http_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "ALL_PROXY",
        "all_proxy",
    ] {
        c.env_remove(var);
    }
    c
}

/// Runs `c`, with `dir` shown as `[DIR]`, each `(url, name)` as its name (longest first, as
/// one loopback URL can be the prefix of another) and times (the log's, which is now) as
/// `[TIME]`.
fn snap(c: &mut Command, dir: &Path, urls: &[(&str, &str)]) -> Run {
    let mut r =
        run(c, &[(dir, "[DIR]")]).redact_matches(r"\b\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\b", "[TIME]");
    let mut urls = urls.to_vec();
    urls.sort_by_key(|(url, _)| std::cmp::Reverse(url.len()));
    for (url, name) in urls {
        r = r.redact(url, name);
    }
    r
}

impl Servers {
    fn urls(&self) -> [(&str, &'static str); 2] {
        [(&self.fulcio, "[FULCIO]"), (&self.rekor, "[REKOR]")]
    }
}

fn sign(s: &Servers, files: &[&Path], token: Option<&str>) -> Command {
    let mut c = garrison();
    c.arg("sign").args(files).arg("--keyless");
    if let Some(token) = token {
        c.args(["--identity-token", token]);
    }
    c.args(["--fulcio-url", &s.fulcio, "--rekor-url", &s.rekor]);
    c
}

fn verify(bundle: &Path, artifact: &Path, root: Option<&Path>, identity: &str) -> Command {
    let mut c = garrison();
    c.arg("verify")
        .arg(bundle)
        .arg("--artifact")
        .arg(artifact)
        .args(["--certificate-identity", identity])
        .args(["--certificate-oidc-issuer", ISSUER]);
    if let Some(root) = root {
        c.arg("--trusted-root").arg(root);
    }
    c
}

fn email_token(s: &Servers) -> String {
    s.instance.token(&json!({
        "iss": ISSUER, "aud": "sigstore", "sub": "user-1234", "email": EMAIL,
        "exp": now() + 600,
    }))
}

/// The bundle at `path` as pretty JSON, with the values that differ on every run replaced by
/// `[NAME]` (each checked to be there and non-empty first): what the key signed and certified
/// is new each run, and so are the log's time, signatures and tree root over it.
fn bundle_snapshot(path: &Path) -> String {
    fn redact(v: &mut Value) {
        match v {
            Value::Object(map) => {
                for (key, value) in map.iter_mut() {
                    let name = match key.as_str() {
                        "signature" => "[SIGNATURE]",
                        "rawBytes" => "[CERTIFICATE]",
                        "canonicalizedBody" => "[LOG ENTRY]",
                        "integratedTime" => "[TIME]",
                        "signedEntryTimestamp" => "[SET]",
                        "rootHash" => "[ROOT HASH]",
                        "envelope" => "[CHECKPOINT]",
                        _ => {
                            redact(value);
                            continue;
                        }
                    };
                    assert!(
                        value.as_str().is_some_and(|s| !s.is_empty()),
                        "{key}: {value}"
                    );
                    *value = name.into();
                }
            }
            Value::Array(items) => items.iter_mut().for_each(redact),
            _ => {}
        }
    }
    let mut json: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    redact(&mut json);
    serde_json::to_string_pretty(&json).unwrap()
}

#[test]
fn keyless_bundle_verifies_and_binds_artifact_and_identity() {
    let s = servers();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let artifact = d.join("pkg-1.0.tar.gz");
    std::fs::write(&artifact, b"release contents\n").unwrap();
    let root = s.instance.trusted_root(d);

    let r = snap(
        &mut sign(&s, &[&artifact], Some(&email_token(&s))),
        d,
        &s.urls(),
    );
    insta::assert_snapshot!(r.snapshot(), @"
    exit: 0
    --- stdout
    signed: [DIR]/pkg-1.0.tar.gz -> [DIR]/pkg-1.0.tar.gz.sigstore.json (Sigstore, Rekor log index 7000)
      identity: maintainer@example.org
      issuer:   https://oidc.test.invalid
    verify with: garrison verify FILE.sigstore.json --artifact FILE --certificate-identity 'maintainer@example.org' --certificate-oidc-issuer 'https://oidc.test.invalid'
    ");
    let bundle = d.join("pkg-1.0.tar.gz.sigstore.json");
    insta::assert_snapshot!("bundle_v03", bundle_snapshot(&bundle));

    let r = snap(&mut verify(&bundle, &artifact, Some(&root), EMAIL), d, &[]);
    insta::assert_snapshot!(r.snapshot(), @"
    exit: 0
    --- stdout
    verified: [DIR]/pkg-1.0.tar.gz.sigstore.json (sha256 1b66964cc91b80b3d129d353de89321d749e56475a2d6fa8f907c3f9531e7888)
      signer:     maintainer@example.org
      issuer:     https://oidc.test.invalid
    ");

    // Another artifact: the signature and the logged digest no longer match.
    let changed = d.join("changed.tar.gz");
    std::fs::write(&changed, b"release contents, modified\n").unwrap();
    let r = snap(&mut verify(&bundle, &changed, Some(&root), EMAIL), d, &[]);
    insta::assert_snapshot!(r.snapshot(), @"
    exit: 1
    --- stdout
    NOT verified: [DIR]/pkg-1.0.tar.gz.sigstore.json: signature verification failed: artifact mismatch: message digest in bundle does not match artifact hash
    ");

    // Another identity.
    let r = snap(
        &mut verify(&bundle, &artifact, Some(&root), "someone@example.org"),
        d,
        &[],
    );
    insta::assert_snapshot!(r.snapshot(), @r#"
    exit: 1
    --- stdout
    NOT verified: [DIR]/pkg-1.0.tar.gz.sigstore.json: certificate identity "maintainer@example.org" does not match the expected "someone@example.org"
    "#);

    // The public-good root does not trust the test CA.
    let r = snap(&mut verify(&bundle, &artifact, None, EMAIL), d, &[]);
    insta::assert_snapshot!(r.snapshot(), @"
    exit: 1
    --- stdout
    NOT verified: [DIR]/pkg-1.0.tar.gz.sigstore.json: signature verification failed: invalid inclusion promise: No log key valid at integrated time [TIME] for log ID 7WMRF+4vGz/UW429ORWvZ1Dwy17ZVltHNsMcCTjhhq4=
    ");

    // An existing bundle is kept unless --force.
    let r = snap(
        &mut sign(&s, &[&artifact], Some(&email_token(&s))),
        d,
        &s.urls(),
    );
    insta::assert_snapshot!(r.snapshot(), @"
    exit: 2
    --- stderr
    garrison: error: [DIR]/pkg-1.0.tar.gz.sigstore.json: already exists; pass --force to overwrite it
    ");
}

#[test]
fn keyless_uses_the_github_actions_token_and_signs_several_files() {
    let s = servers();
    let instance = Arc::clone(&s.instance);
    let token_url = serve(move |method, target, authorization, _| {
        let ok = method == "GET"
            && target == "/token?api-version=2.0&audience=sigstore"
            && authorization == format!("bearer {ACTIONS_BEARER}");
        if !ok {
            return (403, r#"{"message":"forbidden"}"#.into());
        }
        let jwt = instance.token(&json!({
            "iss": ISSUER, "aud": "sigstore",
            "sub": "repo:org/repo:ref:refs/tags/v1.0",
            "job_workflow_ref": WORKFLOW,
        }));
        (200, json!({ "value": jwt }).to_string())
    });
    let urls = [s.urls()[0], s.urls()[1], (&token_url, "[TOKEN SERVICE]")];
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let root = s.instance.trusted_root(d);
    let wheel = d.join("pkg-1.0-py3-none-any.whl");
    let sdist = d.join("pkg-1.0.tar.gz");
    std::fs::write(&wheel, b"wheel").unwrap();
    std::fs::write(&sdist, b"sdist").unwrap();

    let r = snap(
        sign(&s, &[&wheel, &sdist], None)
            .env(
                "ACTIONS_ID_TOKEN_REQUEST_URL",
                format!("{token_url}/token?api-version=2.0"),
            )
            .env("ACTIONS_ID_TOKEN_REQUEST_TOKEN", ACTIONS_BEARER),
        d,
        &urls,
    );
    insta::assert_snapshot!(r.snapshot(), @"
    exit: 0
    --- stdout
    signed: [DIR]/pkg-1.0-py3-none-any.whl -> [DIR]/pkg-1.0-py3-none-any.whl.sigstore.json (Sigstore, Rekor log index 7000)
    signed: [DIR]/pkg-1.0.tar.gz -> [DIR]/pkg-1.0.tar.gz.sigstore.json (Sigstore, Rekor log index 7001)
      identity: https://github.com/org/repo/.github/workflows/release.yml@refs/tags/v1.0
      issuer:   https://oidc.test.invalid
    verify with: garrison verify FILE.sigstore.json --artifact FILE --certificate-identity 'https://github.com/org/repo/.github/workflows/release.yml@refs/tags/v1.0' --certificate-oidc-issuer 'https://oidc.test.invalid'
    ");
    let r = snap(
        &mut verify(
            &d.join("pkg-1.0-py3-none-any.whl.sigstore.json"),
            &wheel,
            Some(&root),
            WORKFLOW,
        ),
        d,
        &[],
    );
    insta::assert_snapshot!(r.snapshot(), @"
    exit: 0
    --- stdout
    verified: [DIR]/pkg-1.0-py3-none-any.whl.sigstore.json (sha256 ba59926159d2aa256eb8739b8da7e2b574b960e1202c6d624cbe981cef996c91)
      signer:     https://github.com/org/repo/.github/workflows/release.yml@refs/tags/v1.0
      issuer:     https://oidc.test.invalid
    ");
    let r = snap(
        &mut verify(
            &d.join("pkg-1.0.tar.gz.sigstore.json"),
            &sdist,
            Some(&root),
            WORKFLOW,
        ),
        d,
        &[],
    );
    insta::assert_snapshot!(r.snapshot(), @"
    exit: 0
    --- stdout
    verified: [DIR]/pkg-1.0.tar.gz.sigstore.json (sha256 714772a9f82b2aeb4fa5f7092d00fe4ac4c9cdeb6800840b6ed39ea64c4d785a)
      signer:     https://github.com/org/repo/.github/workflows/release.yml@refs/tags/v1.0
      issuer:     https://oidc.test.invalid
    ");
    // Each bundle is bound to its own file.
    let r = snap(
        &mut verify(
            &d.join("pkg-1.0.tar.gz.sigstore.json"),
            &wheel,
            Some(&root),
            WORKFLOW,
        ),
        d,
        &[],
    );
    insta::assert_snapshot!(r.snapshot(), @"
    exit: 1
    --- stdout
    NOT verified: [DIR]/pkg-1.0.tar.gz.sigstore.json: signature verification failed: artifact mismatch: message digest in bundle does not match artifact hash
    ");

    // A wrong bearer token: the token service's refusal is reported, nothing is signed.
    let other = d.join("other.txt");
    std::fs::write(&other, b"x").unwrap();
    let r = snap(
        sign(&s, &[&other], None)
            .env(
                "ACTIONS_ID_TOKEN_REQUEST_URL",
                format!("{token_url}/token?api-version=2.0"),
            )
            .env("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "wrong"),
        d,
        &urls,
    );
    insta::assert_snapshot!(r.snapshot(), @"
    exit: 2
    --- stderr
    garrison: error: the GitHub Actions OIDC token service answered HTTP 403; does the job have `permissions: id-token: write`?
    ");
    assert!(!d.join("other.txt.sigstore.json").exists());
}

#[test]
fn keyless_without_a_token_says_what_is_needed() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let artifact = d.join("a.txt");
    std::fs::write(&artifact, b"x").unwrap();
    // Unroutable URLs: the error must come before any request.
    let r = snap(
        garrison().arg("sign").arg(&artifact).args([
            "--keyless",
            "--fulcio-url",
            "http://127.0.0.1:9",
            "--rekor-url",
            "http://127.0.0.1:9",
        ]),
        d,
        &[],
    );
    insta::assert_snapshot!(r.snapshot(), @"
    exit: 2
    --- stderr
    garrison: error: keyless signing needs an OIDC identity token: pass --identity-token TOKEN, or run in GitHub Actions with `permissions: id-token: write` (Garrison does not prompt or open a browser)
    ");
    assert!(!d.join("a.txt.sigstore.json").exists());
}

#[test]
fn keyless_reports_fulcio_refusals() {
    let s = servers();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let artifact = d.join("a.txt");
    std::fs::write(&artifact, b"x").unwrap();
    // A token from another issuer key: Fulcio refuses it, Garrison says who and why.
    let forged = Instance {
        oidc: key(9),
        ..Instance::new()
    }
    .token(&json!({ "iss": ISSUER, "aud": "sigstore", "sub": "x", "email": EMAIL }));
    let r = snap(&mut sign(&s, &[&artifact], Some(&forged)), d, &s.urls());
    insta::assert_snapshot!(r.snapshot(), @"
    exit: 2
    --- stderr
    garrison: error: Fulcio ([FULCIO]/api/v2/signingCert) answered HTTP 401: invalid identity token signature
    ");
    assert!(!d.join("a.txt.sigstore.json").exists());
}

#[test]
fn keyless_without_an_inclusion_proof_writes_a_v01_bundle_that_verifies() {
    // A log that only promises inclusion (SET, no proof): v0.2+ bundles require a proof, so
    // the bundle is v0.1 with the certificate as a one-element chain.
    let s = servers_with(false);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let artifact = d.join("a.whl");
    std::fs::write(&artifact, b"wheel").unwrap();
    let root = s.instance.trusted_root(d);
    let r = snap(
        &mut sign(&s, &[&artifact], Some(&email_token(&s))),
        d,
        &s.urls(),
    );
    insta::assert_snapshot!(r.snapshot(), @"
    exit: 0
    --- stdout
    signed: [DIR]/a.whl -> [DIR]/a.whl.sigstore.json (Sigstore, Rekor log index 7000; no inclusion proof, v0.1 bundle)
      identity: maintainer@example.org
      issuer:   https://oidc.test.invalid
    verify with: garrison verify FILE.sigstore.json --artifact FILE --certificate-identity 'maintainer@example.org' --certificate-oidc-issuer 'https://oidc.test.invalid'
    ");
    let bundle = d.join("a.whl.sigstore.json");
    insta::assert_snapshot!("bundle_v01", bundle_snapshot(&bundle));
    let r = snap(&mut verify(&bundle, &artifact, Some(&root), EMAIL), d, &[]);
    insta::assert_snapshot!(r.snapshot(), @"
    exit: 0
    --- stdout
    verified: [DIR]/a.whl.sigstore.json (sha256 ba59926159d2aa256eb8739b8da7e2b574b960e1202c6d624cbe981cef996c91)
      signer:     maintainer@example.org
      issuer:     https://oidc.test.invalid
    ");
    let changed = d.join("b.whl");
    std::fs::write(&changed, b"other wheel").unwrap();
    let r = snap(&mut verify(&bundle, &changed, Some(&root), EMAIL), d, &[]);
    insta::assert_snapshot!(r.snapshot(), @"
    exit: 1
    --- stdout
    NOT verified: [DIR]/a.whl.sigstore.json: signature verification failed: artifact mismatch: message digest in bundle does not match artifact hash
    ");
}
