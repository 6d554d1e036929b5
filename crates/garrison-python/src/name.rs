//! Package names: validated as PEP 508 names and normalized as PEP 503 says (lowercase, runs
//! of `-`, `_`, `.` become one `-`), through uv's `uv-normalize`.

use std::fmt;
use std::str::FromStr;

use crate::error::PythonError;

/// A valid, normalized Python package name. Built only by [`PackageName::new`] (or parsing),
/// so every value is a name an index could serve: invalid names are errors where they are
/// read, never normalized into something else.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct PackageName(String);

impl PackageName {
    /// Validates `raw` as a PEP 508 name (ASCII letters and digits, with `-`, `_` or `.`
    /// inside) and normalizes it (`Foo_Bar.baz` → `foo-bar-baz`).
    pub fn new(raw: &str) -> Result<PackageName, PythonError> {
        uv_normalize::PackageName::from_str(raw)
            .map(|n| PackageName(n.as_str().to_string()))
            .map_err(|_| PythonError::InvalidName(raw.to_string()))
    }

    /// A conda package name: lowercase ASCII letters, digits, `_`, `-` and `.` (conda names
    /// may start with `_`, as `_openmp_mutex` does), kept as written apart from ASCII case.
    /// Conda names are not PEP 503-normalized: `_openmp_mutex` is not `openmp-mutex`.
    pub fn conda(raw: &str) -> Result<PackageName, PythonError> {
        let lower = raw.to_ascii_lowercase();
        let valid = !lower.is_empty()
            && lower
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_-.".contains(&b));
        if valid {
            Ok(PackageName(lower))
        } else {
            Err(PythonError::InvalidCondaName(raw.to_string()))
        }
    }

    /// The normalized text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Whether two names as written are the same valid package name (both must be valid).
pub fn same_name(a: &str, b: &str) -> bool {
    matches!((PackageName::new(a), PackageName::new(b)), (Ok(x), Ok(y)) if x == y)
}

/// A name as written, for comparisons: the normalized name when it is valid, else the text
/// as written (an invalid name only equals itself; it is never turned into another name).
pub fn name_key(raw: &str) -> String {
    PackageName::new(raw).map_or_else(|_| raw.to_string(), String::from)
}

impl FromStr for PackageName {
    type Err = PythonError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PackageName::new(s)
    }
}

impl TryFrom<String> for PackageName {
    type Error = PythonError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        PackageName::new(&s)
    }
}

impl From<PackageName> for String {
    fn from(n: PackageName) -> String {
        n.0
    }
}

impl From<&uv_normalize::PackageName> for PackageName {
    /// uv's parsed requirement names are already valid and normalized.
    fn from(n: &uv_normalize::PackageName) -> PackageName {
        PackageName(n.as_str().to_string())
    }
}

impl fmt::Display for PackageName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn normalizes() {
        assert_eq!(
            PackageName::new("Foo_Bar.baz").unwrap().as_str(),
            "foo-bar-baz"
        );
        assert_eq!(
            PackageName::new("scikit__learn").unwrap().as_str(),
            "scikit-learn"
        );
        assert_eq!(PackageName::new("PyYAML").unwrap().as_str(), "pyyaml");
        assert_eq!(PackageName::new("a").unwrap().as_str(), "a");
    }

    #[test]
    fn invalid_names_are_errors() {
        for bad in [
            "", " numpy", "numpy ", "-numpy", "numpy_", "num py", "nümpy", "a/b", "x==1",
        ] {
            let e = PackageName::new(bad).unwrap_err();
            assert_eq!(e, PythonError::InvalidName(bad.to_string()), "{bad:?}");
        }
        assert!(serde_json::from_str::<PackageName>("\"-x\"").is_err());
        assert_eq!(
            serde_json::from_str::<PackageName>("\"Foo.Bar\"")
                .unwrap()
                .as_str(),
            "foo-bar"
        );
        assert!(same_name("Foo_Bar", "foo-bar"));
        assert_eq!(
            PackageName::conda("_openmp_mutex").unwrap().as_str(),
            "_openmp_mutex"
        );
        assert!(PackageName::conda("a b").is_err());
        assert!(!same_name("-x", "-x"));
    }
}
