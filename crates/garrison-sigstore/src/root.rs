//! Trusted roots: embedded (production, staging) or read from a file. Never fetched.

use crate::verify::VerifyError;

const PRODUCTION: &str = include_str!("roots/production.json");
const STAGING: &str = include_str!("roots/staging.json");

/// The trust material bundles are verified against: Fulcio certificate authorities, Rekor
/// transparency logs, certificate transparency logs and timestamp authorities, each with its
/// validity window.
#[derive(Debug, Clone)]
pub struct TrustedRoot {
    pub(crate) inner: sigstore_trust_root::TrustedRoot,
}

impl TrustedRoot {
    /// The Sigstore public-good instance (`*.sigstore.dev`), embedded (see `src/roots/README.md`).
    pub fn production() -> Result<Self, VerifyError> {
        Self::from_json(PRODUCTION)
    }

    /// The Sigstore staging instance (`*.sigstage.dev`), embedded.
    pub fn staging() -> Result<Self, VerifyError> {
        Self::from_json(STAGING)
    }

    /// A `trusted_root.json` (media type `application/vnd.dev.sigstore.trustedroot+json`).
    pub fn from_json(json: &str) -> Result<Self, VerifyError> {
        sigstore_trust_root::TrustedRoot::from_json(json)
            .map(|inner| Self { inner })
            .map_err(|e| VerifyError::TrustedRoot(e.to_string()))
    }

    /// Read a `trusted_root.json` file (the `--trusted-root FILE` option).
    pub fn from_file(path: &std::path::Path) -> Result<Self, VerifyError> {
        let json = std::fs::read_to_string(path)
            .map_err(|e| VerifyError::TrustedRoot(format!("{}: {e}", path.display())))?;
        sigstore_trust_root::TrustedRoot::from_json(&json)
            .map(|inner| Self { inner })
            .map_err(|e| VerifyError::TrustedRoot(format!("{}: {e}", path.display())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_roots_parse() {
        assert!(TrustedRoot::production().is_ok());
        assert!(TrustedRoot::staging().is_ok());
    }

    #[test]
    fn garbage_root_is_an_error() {
        let err = TrustedRoot::from_json("{").err();
        assert!(matches!(err, Some(VerifyError::TrustedRoot(_))));
    }
}
