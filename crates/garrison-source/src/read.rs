//! Reading files and streams under a byte limit. Everything Garrison reads may come from an
//! attacker: a file is never read past its limit, even when it grows while being read, and a
//! FIFO or device is refused rather than blocking.

use std::io::Read;
use std::path::Path;

/// Why a bounded read failed. The `Display` text is a sentence for the user (without the path,
/// which the caller names).
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The file could not be opened or read.
    #[error("cannot read: {0}")]
    Io(#[from] std::io::Error),
    /// The path is not a regular file (a directory, FIFO, socket or device).
    #[error("not a regular file")]
    NotAFile,
    /// The input is larger than the limit; nothing was kept.
    #[error("file is {size} bytes, over the {limit} byte limit; not analysed")]
    TooLarge {
        /// The size seen (the file's length, or `limit + 1` for a stream that went past it).
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// The text is not UTF-8.
    #[error("not valid UTF-8 (byte {valid_up_to}); not analysed")]
    NotUtf8 {
        /// Bytes before the first invalid sequence.
        valid_up_to: usize,
    },
}

impl ReadError {
    /// True for [`ReadError::TooLarge`].
    pub fn is_too_large(&self) -> bool {
        matches!(self, ReadError::TooLarge { .. })
    }
}

/// Reads at most `limit` bytes from `reader`; more is [`ReadError::TooLarge`].
pub fn read_to_limit(reader: impl Read, limit: u64) -> Result<Vec<u8>, ReadError> {
    let mut buf = Vec::new();
    reader.take(limit.saturating_add(1)).read_to_end(&mut buf)?;
    let got = buf.len() as u64;
    if got > limit {
        return Err(ReadError::TooLarge { size: got, limit });
    }
    Ok(buf)
}

/// Reads a regular file of at most `limit` bytes (symlinks are followed).
pub fn read_file(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(ReadError::NotAFile);
    }
    if meta.len() > limit {
        return Err(ReadError::TooLarge {
            size: meta.len(),
            limit,
        });
    }
    read_to_limit(std::fs::File::open(path)?, limit)
}

/// Reads a regular UTF-8 text file of at most `limit` bytes.
pub fn read_text(path: &Path, limit: u64) -> Result<String, ReadError> {
    to_text(read_file(path, limit)?)
}

/// Bytes as UTF-8 text.
pub fn to_text(bytes: Vec<u8>) -> Result<String, ReadError> {
    String::from_utf8(bytes).map_err(|e| ReadError::NotUtf8 {
        valid_up_to: e.utf8_error().valid_up_to(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits() {
        let data = b"hello world";
        assert_eq!(read_to_limit(&data[..], 11).ok(), Some(data.to_vec()));
        assert!(read_to_limit(&data[..], 10).is_err_and(|e| e.is_too_large()));
        assert!(matches!(
            to_text(vec![b'a', 0xff]),
            Err(ReadError::NotUtf8 { valid_up_to: 1 })
        ));
        let dir = std::env::temp_dir();
        assert!(matches!(read_file(&dir, 10), Err(ReadError::NotAFile)));
        assert!(matches!(
            read_file(&dir.join("garrison-source-no-such-file"), 10),
            Err(ReadError::Io(_))
        ));
    }
}
