//! Fuzz target for `garrison-release`'s archive reader and wheel verification: the first byte
//! picks the format (wheel, `.tar.gz` sdist, `.zip` sdist), the rest is the archive. Nothing
//! may panic, allocate past the limits, or return a member that breaks the reader's
//! guarantees (normalized relative paths, file data matching its size, limits respected).

#![no_main]

use garrison_release::{DistKind, Limits, MemberKind, check_dist, read_dist, verify_wheel};
use libfuzzer_sys::fuzz_target;

const NAMES: &[&str] = &[
    "pkg-1.0-py3-none-any.whl",
    "pkg-1.0.tar.gz",
    "pkg-1.0.zip",
];

fuzz_target!(|data: &[u8]| {
    let Some((&sel, bytes)) = data.split_first() else {
        return;
    };
    let name = NAMES[usize::from(sel) % NAMES.len()];
    // Small limits keep each run fast; the checks are the same as with the defaults.
    let limits = Limits {
        max_archive_bytes: 1 << 20,
        max_total_bytes: 4 << 20,
        max_file_bytes: 1 << 20,
        max_files: 2_000,
        max_path_len: 256,
        max_path_depth: 16,
        max_ratio: 200,
        ratio_min_bytes: 64 << 10,
    };
    let dist = match read_dist(name, bytes, &limits) {
        Ok(d) => d,
        Err(e) => {
            let _ = e.to_string();
            let _ = check_dist(name, bytes, &limits);
            return;
        }
    };
    assert!(dist.files.len() <= limits.max_files);
    let mut total = 0u64;
    for m in &dist.files {
        assert!(!m.path.is_empty() && !m.path.starts_with('/'), "{:?}", m.path);
        assert!(m.path.len() <= limits.max_path_len);
        assert!(m.path.split('/').count() <= limits.max_path_depth);
        assert!(
            m.path.split('/').all(|c| !c.is_empty() && c != "." && c != ".."),
            "{:?}",
            m.path
        );
        assert!(!m.path.contains(['\\', '\0']));
        assert!(m.path.ends_with(m.rel()));
        match &m.kind {
            MemberKind::File => {
                assert_eq!(m.data.len() as u64, m.size);
                assert!(m.size <= limits.max_file_bytes);
            }
            MemberKind::Symlink { target } => assert!(!target.starts_with('/')),
            _ => assert!(m.data.is_empty()),
        }
        total += m.size;
    }
    assert!(total <= limits.max_total_bytes);
    if dist.kind == DistKind::Wheel {
        let (_, findings) = verify_wheel(&dist);
        for f in findings {
            assert!(f.rule.starts_with("release/"));
        }
    }
});
