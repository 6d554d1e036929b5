//! Spans: regions of a file with 1-based lines and character columns.

use serde::{Deserialize, Serialize};

/// A region of a file. Lines and columns are 1-based; columns count characters; the end is
/// exclusive. Byte offsets index the file's UTF-8 text and are what renderers slice with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Span {
    /// First line (1-based).
    pub start_line: u32,
    /// First column (1-based, in characters).
    pub start_column: u32,
    /// Last line (1-based, inclusive).
    pub end_line: u32,
    /// Column just past the end (1-based, in characters).
    pub end_column: u32,
    /// Byte offset of the start in the file.
    pub start_offset: usize,
    /// Byte offset just past the end in the file.
    pub end_offset: usize,
}

impl Span {
    /// A span covering a whole line whose text starts at `offset` and is `len` bytes/chars long.
    pub fn line(line: u32, offset: usize, len: usize) -> Span {
        Span {
            start_line: line,
            start_column: 1,
            end_line: line,
            end_column: u32::try_from(len).unwrap_or(u32::MAX).saturating_add(1),
            start_offset: offset,
            end_offset: offset + len,
        }
    }
}
