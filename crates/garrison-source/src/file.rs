//! The text of scanned files, kept so renderers can show snippets and suppression comments
//! can be read.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::span::Span;

/// One file's text with a line index.
#[derive(Debug, Clone)]
pub struct SourceFile {
    text: Arc<str>,
    line_starts: Vec<usize>,
}

impl SourceFile {
    /// Indexes `text`.
    pub fn new(text: impl Into<Arc<str>>) -> SourceFile {
        let text: Arc<str> = text.into();
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        SourceFile { text, line_starts }
    }

    /// The whole text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Number of lines.
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// Byte offset where 1-based `line` starts.
    pub fn line_start(&self, line: usize) -> Option<usize> {
        self.line_starts.get(line.checked_sub(1)?).copied()
    }

    /// The text of 1-based `line`, without its line terminator.
    pub fn line(&self, line: usize) -> Option<&str> {
        let start = self.line_start(line)?;
        let end = self
            .line_starts
            .get(line)
            .copied()
            .unwrap_or(self.text.len());
        let s = self.text.get(start..end)?;
        Some(s.trim_end_matches(['\n', '\r']))
    }

    /// The [`Span`] of bytes `start..end` (clamped to the text), with 1-based lines and
    /// character columns.
    pub fn span(&self, start: usize, end: usize) -> Span {
        let start = start.min(self.text.len());
        let end = end.clamp(start, self.text.len());
        let (sl, sc) = self.line_col(start);
        let (el, ec) = self.line_col(end);
        Span {
            start_line: sl,
            start_column: sc,
            end_line: el,
            end_column: ec,
            start_offset: start,
            end_offset: end,
        }
    }

    fn line_col(&self, offset: usize) -> (u32, u32) {
        let line = self.line_of(offset);
        let start = self.line_start(line).unwrap_or(0);
        let col = self
            .text
            .get(start..offset)
            .map_or(0, |s| s.chars().count());
        (
            u32::try_from(line).unwrap_or(u32::MAX),
            u32::try_from(col + 1).unwrap_or(u32::MAX),
        )
    }

    /// 1-based line of byte `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(i) => i + 1,
            Err(i) => i,
        }
    }
}

/// Texts of the scanned files, keyed by the same relative path findings use.
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    files: BTreeMap<String, SourceFile>,
}

impl SourceMap {
    /// Records a file's text.
    pub fn insert(&mut self, path: impl Into<String>, file: SourceFile) {
        self.files.insert(path.into(), file);
    }

    /// Looks up a file.
    pub fn get(&self, path: &str) -> Option<&SourceFile> {
        self.files.get(path)
    }

    /// Merges another map.
    pub fn extend(&mut self, other: SourceMap) {
        self.files.extend(other.files);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines() {
        let f = SourceFile::new("a\r\nbb\n\nc");
        assert_eq!(f.line(1), Some("a"));
        assert_eq!(f.line(2), Some("bb"));
        assert_eq!(f.line(3), Some(""));
        assert_eq!(f.line(4), Some("c"));
        assert_eq!(f.line(5), None);
        assert_eq!(f.line(0), None);
        assert_eq!(f.line_of(4), 2);
        assert_eq!(f.line_of(0), 1);
        let s = f.span(4, 6);
        assert_eq!(
            (s.start_line, s.start_column, s.end_line, s.end_column),
            (2, 2, 3, 1)
        );
    }
}
