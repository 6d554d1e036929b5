//! Keyed signatures for Garrison: SSH signatures (the SSHSIG format of `ssh-keygen -Y sign`,
//! which `git` also uses), OpenSSH public and private keys, and OpenSSH `allowed_signers` files.
//!
//! Maintainers already hold SSH keys, and GitHub publishes every user's signing keys, so a
//! release signed with `garrison sign --key ~/.ssh/id_ed25519` (or `ssh-keygen -Y sign`) can be
//! checked by anyone with `garrison verify` (or `ssh-keygen -Y verify`) against an
//! `allowed_signers` file or a single public key. The cryptography and the key formats are
//! RustCrypto's `ssh-key` crate, pinned exactly and never exposed: no `ssh-key` type appears in
//! this crate's public API.
//!
//! - [`SigningKey`]: an OpenSSH private key (Ed25519, ECDSA P-256, RSA), decrypted with a
//!   passphrase when it is encrypted. Its `Debug` never shows secret material.
//! - [`Signature`]: an armored SSH signature (`-----BEGIN SSH SIGNATURE-----`), parsed under a
//!   size limit; [`is_ssh_signature`] tells it from other inputs by content.
//! - [`PublicKey`] and [`AllowedSigners`]: who may have signed.
//! - [`verify`]: signature + message + namespace + [`Signer`] → [`Verified`] or
//!   [`VerifyError`] (every error is a reason the signature is not accepted); [`print`](mod@print)
//!   writes the outcome as `garrison verify` shows it.
//!
//! Signatures are byte-for-byte those of `ssh-keygen -Y sign` (SHA-512 message hash, armor
//! wrapped at 70 columns; Ed25519 and ECDSA signatures are deterministic).
//!
//! ```no_run
//! use garrison_sign::{AllowedSigners, Signature, Signer, SigningKey, verify};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let key = SigningKey::from_openssh(&std::fs::read("id_ed25519")?, None)?;
//! let sig = key.sign("file", &mut std::fs::File::open("dist.whl")?)?;
//! std::fs::write("dist.whl.sig", sig.to_armored())?;
//!
//! let signers = AllowedSigners::parse(&std::fs::read_to_string("allowed_signers")?)?;
//! let sig = Signature::parse(&std::fs::read("dist.whl.sig")?)?;
//! let trust = Signer::AllowedSigners { signers: &signers, principal: "me@example.org", now: 0 };
//! let verified = verify(&sig, &mut std::fs::File::open("dist.whl")?, "file", &trust)?;
//! # Ok(()) }
//! ```

mod allowed;
pub mod print;

use std::io::Read;

use ssh_key::{HashAlg, LineEnding, SshSig};

pub use allowed::{
    AllowedSigners, AllowedSignersError, Entry, MAX_ALLOWED_SIGNERS_BYTES, pattern_list_match,
};

/// Largest armored signature accepted (an RSA-4096 SSHSIG is under 2 KiB).
pub const MAX_SIGNATURE_BYTES: usize = 64 * 1024;
/// Largest key file accepted.
pub const MAX_KEY_BYTES: usize = 1024 * 1024;

const BEGIN: &str = "-----BEGIN SSH SIGNATURE-----";
const END: &str = "-----END SSH SIGNATURE-----";

/// Whether `bytes` is an armored SSH signature (as opposed to, say, a Sigstore JSON bundle).
pub fn is_ssh_signature(bytes: &[u8]) -> bool {
    bytes.trim_ascii_start().starts_with(BEGIN.as_bytes())
}

/// A private key could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// The key is encrypted and no passphrase was given.
    #[error("the private key is encrypted and no passphrase was given")]
    Encrypted,
    /// The passphrase did not decrypt the key.
    #[error("the passphrase does not decrypt the private key")]
    WrongPassphrase,
    /// The file is a public key, not a private key.
    #[error("this is a public key; give the private key (the file without `.pub`)")]
    PublicKeyGiven,
    /// The file is not an OpenSSH private key.
    #[error(
        "not an OpenSSH private key (`-----BEGIN OPENSSH PRIVATE KEY-----`): {0}; convert a PEM \
         key with `ssh-keygen -p -f KEY`"
    )]
    Invalid(String),
    /// The key's algorithm cannot sign here.
    #[error("{0} keys cannot sign here: use an Ed25519, ECDSA P-256 or RSA key")]
    Unsupported(String),
    /// The file is too large to be a key.
    #[error("larger than {MAX_KEY_BYTES} bytes: not a key")]
    TooLarge,
}

/// Why a signature is not accepted. Every variant means "not verified"; the message says why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// The armor or the SSHSIG structure inside it is malformed, truncated or too large.
    #[error("malformed SSH signature: {0}")]
    Malformed(String),
    /// The signature was made for another namespace (another purpose).
    #[error(
        "the signature is for namespace {found:?}, expected {expected:?} (sign with \
         `-n {expected}` / `--namespace {expected}`, or verify with `--namespace {found}`)"
    )]
    NamespaceMismatch {
        /// The namespace asked for.
        expected: String,
        /// The signature's namespace.
        found: String,
    },
    /// The signature was made with another key than the one given.
    #[error("signed with key {found}, not with the given key {expected}")]
    KeyMismatch {
        /// Fingerprint of the expected key.
        expected: String,
        /// Fingerprint of the signing key.
        found: String,
    },
    /// No `allowed_signers` entry lets this principal sign with this key (for this namespace,
    /// at this time).
    #[error("key {fingerprint} is not allowed to sign as {principal:?}: {reason}")]
    NotAllowed {
        /// The principal asked for.
        principal: String,
        /// Fingerprint of the signing key.
        fingerprint: String,
        /// What the file says (no entry for the principal, another key, a namespace or
        /// validity restriction, an unsupported `cert-authority` entry).
        reason: String,
    },
    /// The signature does not verify: the message was changed, or the signature was forged or
    /// damaged.
    #[error(
        "the signature does not match the file (the file was changed after signing, or the \
         signature is damaged)"
    )]
    BadSignature,
    /// The signature uses an algorithm that cannot be verified here.
    #[error("unsupported signature: {0}")]
    Unsupported(String),
    /// Reading the message failed.
    #[error("reading the signed file: {0}")]
    Io(String),
}

/// An OpenSSH public key (`ssh-ed25519 AAAA... comment`). Two keys are equal when their key
/// material is, whatever their comments.
#[derive(Clone)]
pub struct PublicKey(ssh_key::PublicKey);

impl PartialEq for PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.data() == other.data()
    }
}

impl Eq for PublicKey {}

impl PublicKey {
    /// Parses one public key line (`KEYTYPE BASE64 [COMMENT]`), as in a `.pub` file.
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        let line = text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with('#'))
            .unwrap_or_default();
        ssh_key::PublicKey::from_openssh(line)
            .map(Self)
            .map_err(|e| KeyError::Invalid(format!("not an OpenSSH public key: {e}")))
    }

    /// `SHA256:...`, as `ssh-keygen -l` prints it.
    pub fn fingerprint(&self) -> String {
        self.0.fingerprint(HashAlg::Sha256).to_string()
    }

    /// The key algorithm (`ssh-ed25519`, `ecdsa-sha2-nistp256`, `ssh-rsa`, ...).
    pub fn algorithm(&self) -> String {
        self.0.algorithm().to_string()
    }

    /// The key as one OpenSSH line without comment.
    pub fn to_openssh(&self) -> String {
        let mut k = self.0.clone();
        k.set_comment("");
        k.to_openssh().unwrap_or_default()
    }

    fn data(&self) -> &ssh_key::public::KeyData {
        self.0.key_data()
    }
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PublicKey({} {})", self.algorithm(), self.fingerprint())
    }
}

fn fingerprint_of(data: &ssh_key::public::KeyData) -> String {
    data.fingerprint(HashAlg::Sha256).to_string()
}

/// An OpenSSH private key, decrypted. Its `Debug` shows the algorithm and public fingerprint
/// only; secret material is zeroized on drop by `ssh-key`.
pub struct SigningKey(ssh_key::PrivateKey);

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "SigningKey({} {})",
            self.0.algorithm(),
            self.public_key().fingerprint()
        )
    }
}

impl SigningKey {
    /// Reads an OpenSSH private key (`-----BEGIN OPENSSH PRIVATE KEY-----`), decrypting it with
    /// `passphrase` when it is encrypted.
    pub fn from_openssh(bytes: &[u8], passphrase: Option<&[u8]>) -> Result<Self, KeyError> {
        if bytes.len() > MAX_KEY_BYTES {
            return Err(KeyError::TooLarge);
        }
        let text = bytes.trim_ascii();
        if !text.starts_with(b"-----BEGIN")
            && PublicKey::parse(&String::from_utf8_lossy(text)).is_ok()
        {
            return Err(KeyError::PublicKeyGiven);
        }
        let key = ssh_key::PrivateKey::from_openssh(text).map_err(|e| {
            KeyError::Invalid(match e {
                ssh_key::Error::Encoding(e) => format!("encoding: {e}"),
                e => e.to_string(),
            })
        })?;
        let key = if key.is_encrypted() {
            let Some(passphrase) = passphrase else {
                return Err(KeyError::Encrypted);
            };
            key.decrypt(passphrase).map_err(|e| match e {
                ssh_key::Error::Crypto => KeyError::WrongPassphrase,
                e => KeyError::Invalid(format!("decrypting: {e}")),
            })?
        } else {
            key
        };
        match key.algorithm() {
            ssh_key::Algorithm::Ed25519 | ssh_key::Algorithm::Rsa { .. } => {}
            ssh_key::Algorithm::Ecdsa {
                curve: ssh_key::EcdsaCurve::NistP256,
            } => {}
            other => return Err(KeyError::Unsupported(other.to_string())),
        }
        Ok(Self(key))
    }

    /// The matching public key.
    pub fn public_key(&self) -> PublicKey {
        PublicKey(self.0.public_key().clone())
    }

    /// Signs everything `message` yields, for `namespace` (`file` for release files, `git` for
    /// git objects), as `ssh-keygen -Y sign -n NAMESPACE` does: SHA-512 of the message, signed
    /// inside the SSHSIG envelope. RSA keys sign with `rsa-sha2-512`.
    pub fn sign(&self, namespace: &str, message: &mut dyn Read) -> Result<Signature, KeyError> {
        if namespace.is_empty() {
            return Err(KeyError::Invalid("the namespace must not be empty".into()));
        }
        let digest = hash(HashAlg::Sha512, message).map_err(|e| KeyError::Invalid(e.0))?;
        let sig = self
            .0
            .sign_prehash(namespace, HashAlg::Sha512, &digest)
            .map_err(|e| KeyError::Invalid(format!("signing failed: {e}")))?;
        Ok(Signature(sig))
    }
}

/// Why a message could not be hashed (a sentence).
#[derive(Debug)]
struct HashFailure(String);

fn hash(alg: HashAlg, message: &mut dyn Read) -> Result<Vec<u8>, HashFailure> {
    fn run<D: sha2::Digest>(message: &mut dyn Read) -> Result<Vec<u8>, HashFailure> {
        let mut hasher = D::new();
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            match message.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => hasher.update(buf.get(..n).unwrap_or_default()),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(HashFailure(e.to_string())),
            }
        }
        Ok(hasher.finalize().to_vec())
    }
    match alg {
        HashAlg::Sha256 => run::<sha2::Sha256>(message),
        HashAlg::Sha512 => run::<sha2::Sha512>(message),
        other => Err(HashFailure(format!("unsupported hash algorithm {other}"))),
    }
}

/// A parsed SSH signature (SSHSIG).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature(SshSig);

impl Signature {
    /// Parses an armored signature as `ssh-keygen -Y verify` reads it: the BEGIN line first
    /// (leading whitespace allowed), base64 up to the END line (whitespace ignored), nothing
    /// but whitespace after it.
    pub fn parse(armored: &[u8]) -> Result<Self, VerifyError> {
        let bad = |m: &str| VerifyError::Malformed(m.to_string());
        if armored.len() > MAX_SIGNATURE_BYTES {
            return Err(bad(&format!("larger than {MAX_SIGNATURE_BYTES} bytes")));
        }
        let text = std::str::from_utf8(armored).map_err(|_| bad("not UTF-8 text"))?;
        let body = text
            .trim_start()
            .strip_prefix(BEGIN)
            .ok_or_else(|| bad(&format!("does not start with `{BEGIN}`")))?;
        let (body, rest) = body
            .split_once(END)
            .ok_or_else(|| bad(&format!("no `{END}` line (truncated?)")))?;
        if !rest.trim().is_empty() {
            return Err(bad("text after the END line"));
        }
        let b64: String = body.chars().filter(|c| !c.is_ascii_whitespace()).collect();
        if b64.is_empty() {
            return Err(bad("empty signature"));
        }
        // Re-wrap canonically so the strict PEM decoder sees the form it expects.
        let mut pem = String::with_capacity(b64.len() + b64.len() / 64 + 64);
        pem.push_str(BEGIN);
        pem.push('\n');
        for chunk in b64.as_bytes().chunks(64) {
            pem.push_str(std::str::from_utf8(chunk).map_err(|_| bad("not base64"))?);
            pem.push('\n');
        }
        pem.push_str(END);
        pem.push('\n');
        let sig = SshSig::from_pem(pem.as_bytes()).map_err(|e| {
            VerifyError::Malformed(match e {
                ssh_key::Error::Encoding(e) => format!("encoding: {e}"),
                e => e.to_string(),
            })
        })?;
        if sig.version() != SshSig::VERSION {
            return Err(bad(&format!(
                "unsupported SSHSIG version {}",
                sig.version()
            )));
        }
        Ok(Self(sig))
    }

    /// The armored form, exactly as `ssh-keygen -Y sign` writes it (ends with a newline).
    pub fn to_armored(&self) -> String {
        self.0.to_pem(LineEnding::LF).unwrap_or_default()
    }

    /// The namespace the signature was made for.
    pub fn namespace(&self) -> &str {
        self.0.namespace()
    }

    /// The message hash algorithm (`sha256` or `sha512`).
    pub fn hash_algorithm(&self) -> &'static str {
        self.0.hash_alg().as_str()
    }

    /// The signing key's fingerprint (`SHA256:...`).
    pub fn key_fingerprint(&self) -> String {
        fingerprint_of(self.0.public_key())
    }

    /// The signing key's algorithm.
    pub fn key_algorithm(&self) -> String {
        self.0.public_key().algorithm().to_string()
    }

    /// The signing key.
    pub fn public_key(&self) -> PublicKey {
        PublicKey(ssh_key::PublicKey::new(self.0.public_key().clone(), ""))
    }
}

/// Who may have signed.
#[derive(Debug, Clone, Copy)]
pub enum Signer<'a> {
    /// Exactly this key.
    PublicKey(&'a PublicKey),
    /// Whoever `signers` lets sign as `principal`, at `now` (Unix seconds; for `valid-after` /
    /// `valid-before`).
    AllowedSigners {
        /// The parsed file.
        signers: &'a AllowedSigners,
        /// The identity that must have signed (an email, a user name).
        principal: &'a str,
        /// The verification time, Unix seconds.
        now: i64,
    },
}

/// A signature that verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The signing key's algorithm.
    pub key_algorithm: String,
    /// The signing key's fingerprint (`SHA256:...`).
    pub fingerprint: String,
    /// The namespace.
    pub namespace: String,
    /// With an allowed_signers file: the principal, and the 1-based line of the entry that
    /// allowed it.
    pub principal: Option<(String, usize)>,
}

/// Verifies `sig` over everything `message` yields, for `namespace`, made by `signer`.
///
/// Checks, in order: the namespace; that the signing key is the given key, or that an
/// `allowed_signers` entry lists the principal with this key and allows the namespace and the
/// time; then the signature itself over the message hash.
pub fn verify(
    sig: &Signature,
    message: &mut dyn Read,
    namespace: &str,
    signer: &Signer<'_>,
) -> Result<Verified, VerifyError> {
    let inner = &sig.0;
    if inner.namespace() != namespace {
        return Err(VerifyError::NamespaceMismatch {
            expected: namespace.to_string(),
            found: inner.namespace().to_string(),
        });
    }
    let key = inner.public_key();
    let fingerprint = fingerprint_of(key);
    let principal = match signer {
        Signer::PublicKey(expected) => {
            if expected.data() != key {
                return Err(VerifyError::KeyMismatch {
                    expected: expected.fingerprint(),
                    found: fingerprint,
                });
            }
            None
        }
        Signer::AllowedSigners {
            signers,
            principal,
            now,
        } => {
            let line = signers
                .authorize(principal, key, namespace, *now)
                .map_err(|r| VerifyError::NotAllowed {
                    principal: principal.to_string(),
                    fingerprint: fingerprint.clone(),
                    reason: r.0,
                })?;
            Some((principal.to_string(), line))
        }
    };
    let digest = hash(inner.hash_alg(), message).map_err(|e| VerifyError::Io(e.0))?;
    // Key and namespace were checked above; this checks the signature over the SSHSIG envelope.
    let public = ssh_key::PublicKey::new(key.clone(), "");
    public
        .verify_prehash(namespace, &digest, inner)
        .map_err(|e| match e {
            ssh_key::Error::AlgorithmUnsupported { algorithm } => {
                VerifyError::Unsupported(format!("{algorithm} signatures"))
            }
            ssh_key::Error::AlgorithmUnknown => {
                VerifyError::Unsupported("unknown signature algorithm".into())
            }
            _ => VerifyError::BadSignature,
        })?;
    Ok(Verified {
        key_algorithm: key.algorithm().to_string(),
        fingerprint,
        namespace: namespace.to_string(),
        principal,
    })
}
