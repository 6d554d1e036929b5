#![allow(clippy::print_stdout)]

//! Makes the content scanner's version (`scan::SCANNER_VERSION`, part of the history cache key) a
//! hash of the sources that decide what the scan reports: every file of `src/content/` but its
//! tests, `src/classify.rs`, `src/scan.rs`, `src/registry.rs`, the signal list
//! (`src/rules/mod.rs`), and every rule file that has a detector of its own (`impl Detector
//! for`). Adding or changing a detector therefore can never
//! keep stale cached hits, and nobody has to remember to bump a number. Line endings are
//! normalised, so a CRLF checkout hashes like an LF one.

use std::fmt::Write as _;
use std::path::Path;

fn rust_files(dir: &str) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .collect();
    v.sort();
    v
}

fn main() {
    println!("cargo:rerun-if-changed=src/content");
    println!("cargo:rerun-if-changed=src/rules");
    let mut sources: Vec<String> = rust_files("src/content")
        .into_iter()
        .filter(|p| !p.ends_with("/tests.rs"))
        .collect();
    for f in [
        "src/classify.rs",
        "src/scan.rs",
        "src/registry.rs",
        "src/rules/mod.rs",
    ] {
        println!("cargo:rerun-if-changed={f}");
        sources.push(f.to_string());
    }
    for f in rust_files("src/rules") {
        let text = std::fs::read_to_string(&f).unwrap_or_else(|e| panic!("{f}: {e}"));
        if text.contains("impl Detector for") && !f.ends_with("/mod.rs") {
            sources.push(f);
        }
    }
    sources.sort();
    // FNV-1a, 64 bits: a cache key, not a security boundary.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for path in &sources {
        let text = std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"));
        for b in path
            .bytes()
            .chain([0])
            .chain(text.into_iter().filter(|b| *b != b'\r'))
        {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "/// The content scanner's version: a hash of [`SCANNER_SOURCES`], made by `build.rs`.\npub const SCANNER_VERSION: u64 = 0x{h:016x};\n\n/// The sources [`SCANNER_VERSION`] hashes (paths from the crate root).\npub const SCANNER_SOURCES: &[&str] = &{sources:?};"
    );
    let dir = std::env::var("OUT_DIR").unwrap_or_else(|e| panic!("OUT_DIR: {e}"));
    let path = Path::new(&dir).join("scanner_version.rs");
    std::fs::write(&path, out).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}
