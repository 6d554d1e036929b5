//! Offline Sigstore bundle verification behind Garrison's own API.
//!
//! The work is done by the modular `sigstore-verify` crate (sigstore/sigstore-rust), pinned
//! exactly and never exposed: no sigstore type appears in this crate's public API, so the pin can
//! move in one place. Its default `aws-lc-rs` backend is off; a RustCrypto provider
//! (`provider.rs`) keeps the build free of C.
//!
//! - [`TrustedRoot`]: the embedded production and staging roots, or one read from a file
//!   (`--trusted-root FILE`). Nothing is fetched.
//! - [`Policy`]: who must have signed: OIDC issuer, certificate identity (exact, glob or
//!   anchored regular expression), and
//!   GitHub Actions workflow claims.
//! - [`verify_bundle`]: bundle (media types v0.1, v0.2, v0.3) + artifact (bytes or SHA-256
//!   digest) + policy → [`Verified`] (identity, issuer, Fulcio workload claims) or
//!   [`VerifyError`]. Message signatures and DSSE in-toto envelopes; Rekor v1 and v2 entries;
//!   RFC 3161 timestamps. [`verify_bundle_with_key`] covers managed-key (non-Fulcio) bundles.
//! - [`pep740`]: PyPI attestation objects (PEP 740) checked against a Trusted Publisher.
//! - [`sign`]: keyless signing (ephemeral key, Fulcio certificate, Rekor entry, v0.3 bundle)
//!   over a caller-supplied HTTP [`sign::Transport`].
//! - [`print`](mod@print): the reports `garrison verify` and `garrison sign --keyless` print.
//!
//! ```no_run
//! use garrison_sigstore::{verify_bundle, Artifact, Identity, Policy, TrustedRoot};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let bundle = std::fs::read("dist.whl.sigstore.json")?;
//! let artifact = std::fs::read("dist.whl")?;
//! let policy = Policy::new(
//!     Identity::Exact("https://github.com/o/r/.github/workflows/release.yml@refs/tags/v1".into()),
//! )
//! .issuer("https://token.actions.githubusercontent.com");
//! let verified = verify_bundle(&bundle, Artifact::Bytes(&artifact), &policy, &TrustedRoot::production()?)?;
//! assert_eq!(verified.issuer.as_deref(), Some("https://token.actions.githubusercontent.com"));
//! # Ok(()) }
//! ```

pub mod pep740;
mod policy;
pub mod print;
mod provider;
mod root;
pub mod sign;
mod verify;

pub use policy::{
    GithubClaims, IDENTITY_REGEX_SIZE_LIMIT, Identity, IdentityRegex, Policy, RegexError,
    glob_match,
};
pub use root::TrustedRoot;
pub use verify::{
    Artifact, FulcioClaims, Verified, VerifyError, verify_bundle, verify_bundle_with_key,
};
