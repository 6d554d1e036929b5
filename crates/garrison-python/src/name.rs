//! Normalized package names (PEP 503): lowercase, runs of `-`, `_`, `.` become one `-`.

use std::fmt;

/// A normalized Python package name.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct PackageName(String);

impl PackageName {
    /// Normalizes `raw` (`Foo_Bar.baz` → `foo-bar-baz`). Surrounding whitespace is trimmed.
    pub fn new(raw: &str) -> PackageName {
        let mut out = String::with_capacity(raw.len());
        let mut sep = false;
        for c in raw.trim().chars() {
            if matches!(c, '-' | '_' | '.') {
                sep = true;
            } else {
                if sep && !out.is_empty() {
                    out.push('-');
                }
                sep = false;
                out.extend(c.to_lowercase());
            }
        }
        PackageName(out)
    }

    /// The normalized text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PackageName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes() {
        assert_eq!(PackageName::new("Foo_Bar.baz").as_str(), "foo-bar-baz");
        assert_eq!(
            PackageName::new("  scikit__learn ").as_str(),
            "scikit-learn"
        );
        assert_eq!(PackageName::new("PyYAML").as_str(), "pyyaml");
    }
}
