//! PEP 440 versions and specifiers: the one adapter over `uv-pep440`.
//!
//! Everything else in Garrison uses these re-exports and helpers, so the pinned dependency can
//! be swapped in one place.

pub use uv_pep440::{Operator, Version, VersionSpecifier, VersionSpecifiers};

/// Parses a version; the error is a sentence.
pub fn parse_version(s: &str) -> Result<Version, String> {
    s.trim()
        .parse::<Version>()
        .map_err(|e| format!("`{s}` is not a PEP 440 version: {e}"))
}

/// Parses a specifier set (`>=1.7,<2`); the error is a sentence.
pub fn parse_specifiers(s: &str) -> Result<VersionSpecifiers, String> {
    s.trim()
        .parse::<VersionSpecifiers>()
        .map_err(|e| format!("`{s}` is not a PEP 440 specifier set: {e}"))
}
