//! A pure-Rust (RustCrypto) [`CryptoProvider`] for `sigstore-crypto`.
//!
//! `sigstore-crypto` ships only an `aws-lc-rs` provider (C, cmake), behind a default feature that
//! Garrison turns off. This provider does what verification needs: SHA-2 hashing and signature
//! verification for ECDSA P-256/P-384 (DER signatures, SHA-256 or SHA-384), Ed25519 and RSA
//! (PKCS#1 v1.5 and PSS with salt length = digest length, as `aws-lc-rs`/ring do). It never signs
//! or generates keys, and ML-DSA is refused (no Sigstore instance issues ML-DSA material yet).
//!
//! The provider is process-wide (`sigstore-crypto` keeps it in a `OnceLock`); [`ensure`] installs
//! it once before any verification.

use p256::ecdsa::signature::hazmat::PrehashVerifier;
use sha2::Digest as _;
use sigstore_crypto::{CryptoProvider, Error, HashContext, Result, SigningScheme};
use sigstore_types::HashAlgorithm;

/// The RustCrypto provider; stateless.
#[derive(Debug)]
pub(crate) struct RustCryptoProvider;

static PROVIDER: RustCryptoProvider = RustCryptoProvider;

/// Install the RustCrypto provider as `sigstore-crypto`'s default, once per process.
///
/// When another provider was installed first (by a host embedding Garrison), that one stays.
pub(crate) fn ensure() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // Err means a provider is already installed, which is fine.
        let _ = sigstore_crypto::install_default_provider(&PROVIDER);
    });
}

enum Hasher {
    Sha256(sha2::Sha256),
    Sha384(sha2::Sha384),
    Sha512(sha2::Sha512),
}

impl HashContext for Hasher {
    fn update(&mut self, data: &[u8]) {
        match self {
            Hasher::Sha256(h) => h.update(data),
            Hasher::Sha384(h) => h.update(data),
            Hasher::Sha512(h) => h.update(data),
        }
    }

    fn finalize(self: Box<Self>) -> Vec<u8> {
        match *self {
            Hasher::Sha256(h) => h.finalize().to_vec(),
            Hasher::Sha384(h) => h.finalize().to_vec(),
            Hasher::Sha512(h) => h.finalize().to_vec(),
        }
    }
}

fn digest(algorithm: HashAlgorithm, data: &[u8]) -> Result<Vec<u8>> {
    match algorithm {
        HashAlgorithm::Sha2256 => Ok(sha2::Sha256::digest(data).to_vec()),
        HashAlgorithm::Sha2384 => Ok(sha2::Sha384::digest(data).to_vec()),
        HashAlgorithm::Sha2512 => Ok(sha2::Sha512::digest(data).to_vec()),
        other => Err(Error::UnsupportedAlgorithm(format!(
            "cannot compute {other} digests"
        ))),
    }
}

fn invalid(scheme: SigningScheme) -> Error {
    Error::Verification(format!("{} signature invalid", scheme.name()))
}

/// Verify `signature` over a digest already computed with the scheme's hash.
fn verify_digest(scheme: SigningScheme, key: &[u8], digest: &[u8], signature: &[u8]) -> Result<()> {
    match scheme {
        SigningScheme::EcdsaP256Sha256 | SigningScheme::EcdsaP256Sha384 => {
            let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(key)
                .map_err(|_| Error::InvalidKeyFormat("invalid P-256 public key".into()))?;
            let sig = p256::ecdsa::Signature::from_der(signature).map_err(|_| invalid(scheme))?;
            key.verify_prehash(digest, &sig)
                .map_err(|_| invalid(scheme))
        }
        SigningScheme::EcdsaP384Sha256 | SigningScheme::EcdsaP384Sha384 => {
            let key = p384::ecdsa::VerifyingKey::from_sec1_bytes(key)
                .map_err(|_| Error::InvalidKeyFormat("invalid P-384 public key".into()))?;
            let sig = p384::ecdsa::Signature::from_der(signature).map_err(|_| invalid(scheme))?;
            key.verify_prehash(digest, &sig)
                .map_err(|_| invalid(scheme))
        }
        SigningScheme::RsaPkcs1Sha256
        | SigningScheme::RsaPkcs1Sha384
        | SigningScheme::RsaPkcs1Sha512
        | SigningScheme::RsaPssSha256
        | SigningScheme::RsaPssSha384
        | SigningScheme::RsaPssSha512 => verify_rsa(scheme, key, digest, signature),
        _ => Err(Error::UnsupportedAlgorithm(format!(
            "{} cannot be verified over a digest",
            scheme.name()
        ))),
    }
}

fn verify_rsa(scheme: SigningScheme, key: &[u8], digest: &[u8], signature: &[u8]) -> Result<()> {
    use rsa::pkcs1::DecodeRsaPublicKey as _;
    use rsa::{Pkcs1v15Sign, PublicKey, pss::Pss};
    let key = PublicKey::from_pkcs1_der(key)
        .map_err(|e| Error::InvalidKeyFormat(format!("invalid RSA public key: {e}")))?;
    if rsa::traits::PublicKeyParts::size(&key) < 256 {
        return Err(Error::InvalidKeyFormat(
            "RSA keys shorter than 2048 bits are not accepted".into(),
        ));
    }
    let result = match scheme {
        SigningScheme::RsaPkcs1Sha256 => {
            key.verify(Pkcs1v15Sign::new::<sha2::Sha256>(), digest, signature)
        }
        SigningScheme::RsaPkcs1Sha384 => {
            key.verify(Pkcs1v15Sign::new::<sha2::Sha384>(), digest, signature)
        }
        SigningScheme::RsaPkcs1Sha512 => {
            key.verify(Pkcs1v15Sign::new::<sha2::Sha512>(), digest, signature)
        }
        SigningScheme::RsaPssSha256 => key.verify(Pss::<sha2::Sha256>::new(), digest, signature),
        SigningScheme::RsaPssSha384 => key.verify(Pss::<sha2::Sha384>::new(), digest, signature),
        SigningScheme::RsaPssSha512 => key.verify(Pss::<sha2::Sha512>::new(), digest, signature),
        _ => return Err(invalid(scheme)),
    };
    result.map_err(|_| invalid(scheme))
}

impl CryptoProvider for RustCryptoProvider {
    fn hash(&self, algorithm: HashAlgorithm) -> Result<Box<dyn HashContext>> {
        match algorithm {
            HashAlgorithm::Sha2256 => Ok(Box::new(Hasher::Sha256(sha2::Sha256::new()))),
            HashAlgorithm::Sha2384 => Ok(Box::new(Hasher::Sha384(sha2::Sha384::new()))),
            HashAlgorithm::Sha2512 => Ok(Box::new(Hasher::Sha512(sha2::Sha512::new()))),
            other => Err(Error::UnsupportedAlgorithm(format!(
                "cannot compute {other} digests"
            ))),
        }
    }

    fn sha256(&self, data: &[u8]) -> [u8; 32] {
        sha2::Sha256::digest(data).into()
    }

    fn sha384(&self, data: &[u8]) -> [u8; 48] {
        sha2::Sha384::digest(data).into()
    }

    fn sha512(&self, data: &[u8]) -> [u8; 64] {
        sha2::Sha512::digest(data).into()
    }

    fn verify_raw(
        &self,
        scheme: SigningScheme,
        spki_pubkey_bytes: &[u8],
        data: &[u8],
        signature: &[u8],
    ) -> Result<()> {
        match scheme {
            SigningScheme::Ed25519 => {
                let key: &[u8; 32] = spki_pubkey_bytes
                    .try_into()
                    .map_err(|_| Error::InvalidKeyFormat("invalid Ed25519 public key".into()))?;
                let key = ed25519_dalek::VerifyingKey::from_bytes(key)
                    .map_err(|_| Error::InvalidKeyFormat("invalid Ed25519 public key".into()))?;
                let sig =
                    ed25519_dalek::Signature::from_slice(signature).map_err(|_| invalid(scheme))?;
                key.verify_strict(data, &sig).map_err(|_| invalid(scheme))
            }
            SigningScheme::MlDsa44 | SigningScheme::MlDsa65 | SigningScheme::MlDsa87 => {
                Err(Error::UnsupportedAlgorithm(format!(
                    "{} is not supported by Garrison's RustCrypto provider",
                    scheme.name()
                )))
            }
            _ => {
                let algorithm = scheme
                    .hash_algorithm()
                    .ok_or_else(|| Error::UnsupportedAlgorithm(scheme.name().to_string()))?;
                let digest = digest(algorithm, data)?;
                verify_digest(scheme, spki_pubkey_bytes, &digest, signature)
            }
        }
    }

    fn verify_prehashed(
        &self,
        scheme: SigningScheme,
        spki_pubkey_bytes: &[u8],
        digest: &[u8],
        signature: &[u8],
    ) -> Result<()> {
        let expected = match scheme.hash_algorithm() {
            Some(HashAlgorithm::Sha2256) => 32,
            Some(HashAlgorithm::Sha2384) => 48,
            Some(HashAlgorithm::Sha2512) => 64,
            _ => {
                return Err(Error::UnsupportedAlgorithm(format!(
                    "{} does not support prehashed verification",
                    scheme.name()
                )));
            }
        };
        if digest.len() != expected {
            return Err(Error::Verification(format!(
                "digest of {} bytes for {}",
                digest.len(),
                scheme.name()
            )));
        }
        verify_digest(scheme, spki_pubkey_bytes, digest, signature)
    }
}

#[cfg(test)]
mod tests {
    //! The conformance bundles only exercise ECDSA P-256/P-384; these fixtures (made with
    //! OpenSSL 3 over the message `garrison`, private keys discarded) cover the other schemes
    //! against an independent implementation.
    use super::*;

    const MSG: &[u8] = b"garrison";

    fn check(scheme: SigningScheme, key: &[u8], sig: &[u8]) {
        assert!(
            PROVIDER.verify_raw(scheme, key, MSG, sig).is_ok(),
            "{scheme:?}"
        );
        assert!(
            PROVIDER.verify_raw(scheme, key, b"other", sig).is_err(),
            "{scheme:?}"
        );
        let mut bad = sig.to_vec();
        if let Some(last) = bad.last_mut() {
            *last ^= 1;
        }
        assert!(
            PROVIDER.verify_raw(scheme, key, MSG, &bad).is_err(),
            "{scheme:?}"
        );
    }

    #[test]
    fn rsa_pkcs1_and_pss() {
        let key = include_bytes!("testdata/rsa-pub-pkcs1.der");
        check(
            SigningScheme::RsaPkcs1Sha256,
            key,
            include_bytes!("testdata/rsa-pkcs1-sha256.sig"),
        );
        check(
            SigningScheme::RsaPssSha256,
            key,
            include_bytes!("testdata/rsa-pss-sha256.sig"),
        );
        // A PKCS#1 v1.5 signature is not a PSS signature.
        let pkcs1 = include_bytes!("testdata/rsa-pkcs1-sha256.sig");
        assert!(
            PROVIDER
                .verify_raw(SigningScheme::RsaPssSha256, key, MSG, pkcs1)
                .is_err()
        );
        let digest = PROVIDER.sha256(MSG);
        assert!(
            PROVIDER
                .verify_prehashed(SigningScheme::RsaPkcs1Sha256, key, &digest, pkcs1)
                .is_ok()
        );
    }

    #[test]
    fn ed25519() {
        check(
            SigningScheme::Ed25519,
            include_bytes!("testdata/ed25519-pub.raw"),
            include_bytes!("testdata/ed25519.sig"),
        );
    }

    #[test]
    fn p384_sha384() {
        let key = include_bytes!("testdata/p384-pub.raw");
        let sig = include_bytes!("testdata/p384-sha384.sig");
        assert!(
            PROVIDER
                .verify_raw(SigningScheme::EcdsaP384Sha384, key, MSG, sig)
                .is_ok()
        );
        assert!(
            PROVIDER
                .verify_raw(SigningScheme::EcdsaP384Sha384, key, b"other", sig)
                .is_err()
        );
        // Same key, wrong curve.
        assert!(
            PROVIDER
                .verify_raw(SigningScheme::EcdsaP256Sha256, key, MSG, sig)
                .is_err()
        );
    }

    #[test]
    fn hashes() {
        let mut h = PROVIDER.hash(HashAlgorithm::Sha2512).ok();
        if let Some(h) = h.as_mut() {
            h.update(MSG);
        }
        let streamed = h.map(|h| h.finalize());
        assert_eq!(streamed.as_deref(), Some(&PROVIDER.sha512(MSG)[..]));
    }
}
