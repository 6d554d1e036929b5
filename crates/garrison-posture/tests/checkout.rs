//! `Checkout::scan`: what the walk lists and what it leaves out.

#![allow(clippy::unwrap_used)]

use garrison_posture::Checkout;
use globset::Glob;

#[test]
fn walk_skips_vcs_envs_build_output_excluded_and_symlinks() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    for (p, body) in [
        ("README.md", "x"),
        (".git/config", "[core]"),
        ("node_modules/x/index.js", "x"),
        (".venv/lib/site.py", "x"),
        ("build/lib/pkg/__init__.py", "x"),
        ("src/build/keep.py", "x"),
        ("src/pkg.egg-info/PKG-INFO", "x"),
        ("vendor/big.bin", "x"),
        (
            "pyproject.toml",
            "[build-system]\nrequires = [\"flit_core\"]\n",
        ),
    ] {
        let path = root.join(p);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, body).unwrap();
    }
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("/etc", root.join("etc-link")).unwrap();
        std::os::unix::fs::symlink(root.join("README.md"), root.join("readme-link")).unwrap();
    }
    let exclude = [Glob::new("vendor/**").unwrap().compile_matcher()];
    let co = Checkout::scan(root, &exclude);
    let files: Vec<&str> = co.files.iter().map(|f| f.rel.as_str()).collect();
    assert_eq!(files, ["README.md", "pyproject.toml", "src/build/keep.py"]);
    assert!(co.pyproject.as_ref().unwrap().value.is_some());
    assert!(co.errors.is_empty());
    assert!(!co.truncated);
}

#[test]
fn invalid_configuration_is_an_error_not_a_panic() {
    let co = Checkout::from_files(
        std::path::Path::new("/nonexistent"),
        vec![
            (
                "pyproject.toml".to_string(),
                b"[build-system\nrequires = 1".to_vec(),
            ),
            (".pre-commit-config.yaml".to_string(), b"repos: [".to_vec()),
            (".github/workflows/ci.yml".to_string(), vec![0xff, 0xfe]),
        ],
    );
    assert_eq!(co.errors.len(), 3, "{:?}", co.errors);
    let findings = garrison_posture::run(&co, &|_| true);
    assert!(findings.iter().any(|f| f.rule == "info/not-evaluated"));
}
