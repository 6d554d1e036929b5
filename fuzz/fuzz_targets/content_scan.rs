//! Fuzz target for `garrison-history`'s content scanner and path classification: arbitrary old
//! and new file contents, arbitrary (possibly out-of-range) hunks, and a path chosen from the
//! kinds of file the scanner treats differently. Nothing may panic or take super-linear time,
//! and every hit must respect the documented caps.

#![no_main]

use garrison_history::{Hunk, classify, content, scan_change};
use libfuzzer_sys::fuzz_target;

const PATHS: &[&str] = &[
    "setup.py",
    "pkg/__init__.py",
    "conftest.py",
    "src/ext.c",
    "src/mod.pyx",
    "CMakeLists.txt",
    "configure.ac",
    "m4/build-to-host.m4",
    "meson.build",
    "pyproject.toml",
    ".gitignore",
    ".gitattributes",
    "SECURITY.md",
    "scripts/install.sh",
    "site.pth",
    ".github/workflows/wheels.yml",
    "docs/index.rst",
    "tests/test_io.py",
    "setup.cfg",
    "requirements.txt",
    "package.json",
    "pkg/_version.py",
];

fn u32_at(d: &[u8], i: usize) -> u32 {
    let b = |k: usize| u32::from(d.get(i + k).copied().unwrap_or(0));
    (b(0) << 8 | b(1)) % 5000
}

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let path = PATHS[usize::from(sel) % PATHS.len()];
    // Up to 8 hunks of 8 bytes each, then old and new separated by 0xFF 0xFE.
    let nh = usize::from(sel >> 5).min(rest.len() / 8);
    let (head, body) = rest.split_at(nh * 8);
    let hunks: Vec<Hunk> = (0..nh)
        .map(|k| Hunk {
            old_start: u32_at(head, k * 8),
            old_len: u32_at(head, k * 8 + 2),
            new_start: u32_at(head, k * 8 + 4),
            new_len: u32_at(head, k * 8 + 6),
        })
        .collect();
    let split = body.windows(2).position(|w| w == [0xFF, 0xFE]);
    let (old, new) = match split {
        Some(p) => (&body[..p], &body[p + 2..]),
        None => (&b""[..], body),
    };
    let class = classify(path);
    let hits = scan_change(path, class, old, new, &hunks);
    assert!(hits.len() <= 16);
    for h in &hits {
        assert!(h.excerpt.chars().count() <= content::MAX_EXCERPT_CHARS + 16);
        assert!(h.line >= 1);
    }
    // The path classifier on arbitrary text.
    if let Ok(p) = std::str::from_utf8(body) {
        let _ = classify(p);
        let _ = garrison_history::language(p);
    }
});
