#![allow(clippy::print_stdout)]

//! Hashes the sources that decide what the miner produces and how the cache encodes it, so the
//! cache key changes whenever they do (`cache::MINING_VERSION`): nobody has to remember to bump
//! a version number. Line endings are normalised, so a CRLF checkout hashes like an LF one.

use std::fmt::Write as _;

const SOURCES: &[&str] = &["src/lib.rs", "src/mine.rs", "src/tags.rs", "src/cache.rs"];

fn main() {
    // FNV-1a, 64 bits: a cache key, not a security boundary.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for path in SOURCES {
        println!("cargo:rerun-if-changed={path}");
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
        "/// A hash of the mining sources ({}), made by `build.rs`.\npub(crate) const MINING_VERSION: u64 = 0x{h:016x};",
        SOURCES.join(", ")
    );
    let dir = std::env::var("OUT_DIR").unwrap_or_else(|e| panic!("OUT_DIR: {e}"));
    let path = std::path::Path::new(&dir).join("mining_version.rs");
    std::fs::write(&path, out).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}
