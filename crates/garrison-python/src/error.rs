//! The one error type of garrison-python. Messages are sentences for a person, shown as they
//! are (readers put them in [`crate::Manifest::errors`]).

/// What garrison-python could not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PythonError {
    /// Not a valid PEP 508 package name.
    #[error(
        "`{0}` is not a valid package name (letters, digits, and `-`, `_` or `.` between them)"
    )]
    InvalidName(String),
    /// Not a valid conda package name.
    #[error("`{0}` is not a valid conda package name (letters, digits, `_`, `-` and `.`)")]
    InvalidCondaName(String),
    /// Not a PEP 440 version.
    #[error("`{input}` is not a PEP 440 version: {reason}")]
    Version {
        /// The text as given.
        input: String,
        /// The parser's explanation.
        reason: String,
    },
    /// Not a PEP 440 specifier set.
    #[error("`{input}` is not a PEP 440 specifier set: {reason}")]
    Specifiers {
        /// The text as given.
        input: String,
        /// The parser's explanation.
        reason: String,
    },
    /// Not a PEP 508 requirement (the message is one line).
    #[error("{0}")]
    Requirement(String),
    /// A marker, or an environment to evaluate markers in, that does not parse.
    #[error("invalid {what} `{input}`: {reason}")]
    Marker {
        /// `marker`, `Python version` or `platform`.
        what: &'static str,
        /// The text as given.
        input: String,
        /// The parser's explanation.
        reason: String,
    },
    /// A Poetry version constraint that cannot be turned into PEP 440.
    #[error("{0}")]
    PoetryConstraint(String),
    /// A requirements-file include (`-r`, `-c`) that is not followed.
    #[error("include `{target}` {reason}")]
    Include {
        /// The include as written.
        target: String,
        /// Why (`is a URL; not followed`, `names no file`, …).
        reason: &'static str,
    },
}
