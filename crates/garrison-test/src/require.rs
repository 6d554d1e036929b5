//! Preconditions of tests that need something outside the repository (the shared data next
//! to it, `git`, a Python with build tools). Locally, a missing input skips the test with a
//! message; under CI (the `CI` environment variable is set, as `.ci/run` and every CI service
//! do) it fails, so a suite can never pass by skipping everything.

use std::path::{Path, PathBuf};

/// True when running under CI, where every precondition must hold.
pub fn in_ci() -> bool {
    std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "0" && v != "false")
}

/// Returns `ok`; when it is false, says what is missing and fails under CI.
///
/// # Panics
/// Under CI, when `ok` is false.
pub fn precondition(ok: bool, what: &str) -> bool {
    if !ok {
        assert!(
            !in_ci(),
            "missing test input under CI: {what} (.ci/run provides it; a test must not pass by skipping)"
        );
        #[allow(clippy::print_stderr)]
        {
            eprintln!("skipped: missing {what}");
        }
    }
    ok
}

/// `../shared/data/<rel>` from the workspace root, when it exists (see [`precondition`]).
pub fn shared_data(rel: &str) -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    let p = root.join(rel);
    precondition(p.exists(), &format!("shared data {}", p.display())).then_some(p)
}

/// Whether a program runs (`git --version`, `python3 -c …`); see [`precondition`].
pub fn program(cmd: &str, args: &[&str]) -> bool {
    let ok = std::process::Command::new(cmd)
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success());
    precondition(ok, &format!("program `{cmd}`"))
}

/// `value` when it is there; `None` says what is missing and fails under CI (see
/// [`precondition`]), so a test can write `let Some(x) = require(find(), "…") else { return };`.
///
/// # Panics
/// Under CI, when `value` is `None`.
pub fn require<T>(value: Option<T>, what: &str) -> Option<T> {
    precondition(value.is_some(), what);
    value
}
