//! Garrison's ground: the types every crate may stand on, with no analysis and no renderer.
//!
//! - [`span`]: [`Span`], a region of a file (1-based lines, character columns, byte offsets).
//! - [`mod@file`]: [`SourceFile`] (a text with a line index) and [`SourceMap`] (the texts of a run).
//! - [`error`]: [`FileError`], a file that could not be analysed, with where and why.
//! - [`time`]: civil dates of Unix times, and parsing of instants (ISO 8601, `@UNIX`, durations).
//! - [`hex`]: lower-case hex encoding and decoding.
//! - [`read`]: reading files and streams under a byte limit.
//! - [`wildcard`]: whole-string `*`/`?` matching.

pub mod error;
pub mod file;
pub mod hex;
pub mod read;
pub mod span;
pub mod time;
pub mod wildcard;

pub use error::FileError;
pub use file::{SourceFile, SourceMap};
pub use read::ReadError;
pub use span::Span;
