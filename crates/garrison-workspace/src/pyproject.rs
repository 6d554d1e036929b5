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
    /// The error names the line and column where the document stops being TOML.
    pub fn parse(path: &str, text: &str) -> (Pyproject, Option<FileError>) {
        let source = SourceFile::new(text);
        let (value, error) = match text.parse::<toml::Table>().map(toml::Value::Table) {
            Ok(v) => (Some(v), None),
            Err(e) => {
                let at = e.span().map(|r| source.span(r.start, r.end));
                (
                    None,
                    Some(FileError {
                        path: path.to_string(),
                        line: at.map(|s| s.start_line),
                        column: at.map(|s| s.start_column),
                        message: format!("invalid TOML: {}", e.message()),
                    }),
                )
            }
        };
        let p = Pyproject {
            path: path.to_string(),
            source,
            value,
        };
        (p, error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_toml_is_an_error_at_its_line_and_column() {
        let (p, e) = Pyproject::parse("pyproject.toml", "[project]\nname = \"x\"\nversion = \n");
        assert!(p.value.is_none());
        let e = e.expect("an error");
        assert_eq!((e.line, e.column), (Some(3), Some(11)), "{e}");
        assert!(e.message.starts_with("invalid TOML: "), "{e}");

        let (p, e) = Pyproject::parse("pyproject.toml", "[project]\nname = \"x\"\n");
        assert!(p.value.is_some() && e.is_none());
    }
}
