//! An installed environment: `*.dist-info/METADATA` files of a site-packages directory.
//!
//! The `Name:` and `Version:` headers (RFC 822 style, before the first blank line) give a
//! Locked PyPI entry, group `installed`; the span is the `Version:` line.

use std::path::Path;

use garrison_source::SourceFile;

use crate::deps::{Dependency, Ecosystem, Format, Manifest};
use crate::util::{self, error, locked, push};

/// Most directory entries [`read_installed`] looks at.
pub const MAX_ENTRIES: usize = 100_000;
/// Largest METADATA file read.
const MAX_METADATA: u64 = 16 * 1024 * 1024;

/// Reads one `METADATA` file (`path` like `numpy-2.0.0.dist-info/METADATA`).
pub fn parse(path: &str, text: &str) -> Manifest {
    let mut m = util::manifest(path, Format::Installed);
    if util::too_large(&mut m, text) {
        return m;
    }
    let src = SourceFile::new(text);
    let mut name = None;
    let mut version = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let body = line.trim_end_matches(['\n', '\r']);
        if body.is_empty() {
            break;
        }
        if let Some((k, v)) = body.split_once(':') {
            if k.eq_ignore_ascii_case("name") && name.is_none() {
                name = Some(v.trim().to_string());
            } else if k.eq_ignore_ascii_case("version") && version.is_none() {
                version = Some((v.trim().to_string(), start, start + body.len()));
            }
        }
    }
    match (name, version) {
        (Some(n), Some((v, s, e))) if !n.is_empty() => {
            let span = src.span(s, e);
            match locked(&n, Some(&v), Ecosystem::PyPI, "installed", path, span) {
                Ok(dep) => {
                    push(&mut m, dep);
                }
                Err(e) => error(&mut m, Some(span.start_line), e),
            }
        }
        (Some(n), None) if !n.is_empty() => {
            error(&mut m, None, format!("`{n}` has no `Version:` header"));
        }
        _ => error(&mut m, None, "no `Name:` header"),
    }
    m
}

/// Reads every `*.dist-info/METADATA` directly under `site_packages` (at most
/// [`MAX_ENTRIES`] directory entries looked at, in name order). Paths of the dependencies are
/// relative to `site_packages` (`numpy-2.0.0.dist-info/METADATA`). Unreadable entries are
/// skipped.
pub fn read_installed(site_packages: &Path) -> Vec<Dependency> {
    let Ok(rd) = std::fs::read_dir(site_packages) else {
        return Vec::new();
    };
    let mut dirs: Vec<String> = rd
        .take(MAX_ENTRIES)
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.ends_with(".dist-info"))
        .collect();
    dirs.sort();
    let mut out = Vec::new();
    for d in dirs {
        let p = site_packages.join(&d).join("METADATA");
        let Ok(meta) = std::fs::metadata(&p) else {
            continue;
        };
        if !meta.is_file() || meta.len() > MAX_METADATA {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&p) else {
            continue;
        };
        let m = parse(&format!("{d}/METADATA"), &text);
        out.extend(m.deps);
    }
    out
}
