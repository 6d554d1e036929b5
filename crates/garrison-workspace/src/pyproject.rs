//! `pyproject.toml` at the root of a checkout.

use garrison_source::{FileError, SourceFile};

/// `pyproject.toml` at the root: its text and, when it parses, its value.
#[derive(Debug, Clone)]
pub struct Pyproject {
    /// `pyproject.toml`.
    pub path: String,
    /// The text, indexed by line.
    pub source: SourceFile,
    /// The parsed document, or `None` when it is not valid TOML (the error is a load error).
    pub value: Option<toml::Value>,
}

impl Pyproject {
    /// Parses `text`; an invalid document keeps its text and gives the error beside it.
    pub fn parse(path: &str, text: &str) -> (Pyproject, Option<FileError>) {
        let (value, error) = match text.parse::<toml::Table>().map(toml::Value::Table) {
            Ok(v) => (Some(v), None),
            Err(e) => (
                None,
                Some(FileError {
                    path: path.to_string(),
                    line: None,
                    column: None,
                    message: format!("invalid TOML: {}", e.message()),
                }),
            ),
        };
        let p = Pyproject {
            path: path.to_string(),
            source: SourceFile::new(text),
            value,
        };
        (p, error)
    }
}
