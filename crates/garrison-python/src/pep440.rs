//! PEP 440 versions and specifiers: the one adapter over `uv-pep440`.
//!
//! Everything else in Garrison uses these re-exports and helpers, so the pinned dependency can
//! be swapped in one place.

pub use uv_pep440::{Operator, Version, VersionSpecifier, VersionSpecifiers};

use crate::error::PythonError;

/// Parses a version; the error is a sentence.
pub fn parse_version(s: &str) -> Result<Version, PythonError> {
    s.trim()
        .parse::<Version>()
        .map_err(|e| PythonError::Version {
            input: s.to_string(),
            reason: e.to_string(),
        })
}

/// Parses a specifier set (`>=1.7,<2`); the error is a sentence.
pub fn parse_specifiers(s: &str) -> Result<VersionSpecifiers, PythonError> {
    s.trim()
        .parse::<VersionSpecifiers>()
        .map_err(|e| PythonError::Specifiers {
            input: s.to_string(),
            reason: e.to_string(),
        })
}
