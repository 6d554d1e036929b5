//! stub

use crate::deps::{Format, Manifest};

/// Reads the file.
pub fn parse(path: &str, _text: &str) -> Manifest {
    crate::util::manifest(path, Format::Requirements)
}
pub fn read_installed(_p: &std::path::Path) -> Vec<crate::Dependency> {
    Vec::new()
}
