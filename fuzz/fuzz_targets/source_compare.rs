//! Fuzz target for `garrison-release`'s source comparison and the parsers under it: the input
//! is split at 0xFF bytes into a `.gitignore`, a Python file judged by shape
//! (`generated::py_shape`, the version-file check), a template and its output, a
//! `pyproject.toml`, core metadata, and a wheel; the wheel (when it reads) is compared with a
//! source tree made of the other parts. Nothing may panic or hang; ignore rules must say which
//! line matched, and a match must quote a line of the file.

#![no_main]

use garrison_release::gitignore::IgnoreRules;
use garrison_release::wheel::Headers;
use garrison_release::{Limits, SourceFile, SourceTree, compare, generated, metadata, read_dist};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let parts: Vec<&[u8]> = data.splitn(7, |&b| b == 0xFF).collect();
    let part = |i: usize| parts.get(i).copied().unwrap_or_default();
    let text = |i: usize| String::from_utf8_lossy(part(i)).into_owned();

    let ignore_text = part(0);
    let rules = IgnoreRules::new([(".gitignore", ignore_text), ("sub/.gitignore", part(1))]);
    let lines = String::from_utf8_lossy(ignore_text).lines().count() as u32;
    for p in ["m4/build-to-host.m4", "a/b/c.py", "sub/x/_version.py", ".hidden", "a b/c"] {
        if let Some(h) = rules.matched(p) {
            if h.file == ".gitignore" {
                assert!(h.line >= 1 && h.line <= lines.max(1), "{h:?}");
            }
            assert!(p.starts_with(&h.matched));
        }
    }

    let _ = generated::py_shape(&text(1), false);
    let _ = generated::py_shape(&text(1), true);
    let _ = generated::check_template(&text(2), &text(3));
    let _ = generated::template_match(&text(2), &text(3), "$Format:", "$");

    let project = metadata::Project::parse(&text(4));
    let headers = Headers::parse(&text(5));
    if let Ok(Some(p)) = &project {
        let _ = metadata::compare(&headers, p, Some("1.0"), true);
        let _ = metadata::compare(&headers, p, None, false);
    }

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
    let mut tree = SourceTree {
        label: "fuzz@v1.0".into(),
        tag_version: Some("1.0".into()),
        ..SourceTree::default()
    };
    for (path, i) in [
        (".gitignore", 0),
        ("src/pkg/_version.py", 1),
        ("src/pkg/version.py.in", 2),
        ("src/pkg/core.py", 3),
        ("pyproject.toml", 4),
    ] {
        tree.files.insert(
            path.into(),
            SourceFile {
                data: Some(part(i).to_vec()),
                symlink: false,
            },
        );
    }
    tree.submodules.push("vendored".into());
    for name in ["pkg-1.0-py3-none-any.whl", "pkg-1.0.zip"] {
        if let Ok(dist) = read_dist(name, part(6), &limits) {
            let c = compare(&dist, &tree);
            assert!(c.stats.identical + c.stats.allowed <= c.stats.files);
            for f in &c.findings {
                assert!(f.rule.starts_with("release/"));
            }
        }
    }
});
