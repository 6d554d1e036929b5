//! `garrison ecosystem`: the manifest imported from the shared SPECs checkout, and one
//! checkout's SPEC verdicts (snapshots of the whole run: exit code, standard output, standard
//! error).
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;
use std::process::Command;

use garrison_test::cli::run;

fn garrison() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_garrison"));
    c.env("NO_COLOR", "1")
        .env("GARRISON_NO_PROGRESS", "1")
        .env("GARRISON_DB", "/nonexistent/garrison-test/advisories.db");
    c
}

fn shared(rel: &str) -> Option<PathBuf> {
    let p = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data")).join(rel);
    garrison_test::require::require(p.exists().then_some(p), "the shared data")
}

#[test]
fn import_specs_prints_the_core_manifest() {
    let Some(specs) = shared("specs") else { return };
    let r = run(
        garrison().args(["ecosystem", "import-specs"]).arg(&specs),
        &[(&specs, "[SPECS]")],
    );
    insta::assert_snapshot!("import_specs", r.snapshot());
    // Missing checkout: exit 2, the path named.
    let r = run(
        garrison().args(["ecosystem", "import-specs", "/nonexistent/specs"]),
        &[],
    );
    insta::assert_snapshot!("import_specs_missing", r.snapshot());
}

#[test]
fn verdicts_of_a_corpus_checkout() {
    let Some(repo) = shared("repos/scientific-python__cookie") else {
        return;
    };
    let r = run(
        garrison().args(["ecosystem", "verdicts"]).arg(&repo),
        &[(&repo, "[REPO]")],
    );
    insta::assert_snapshot!("verdicts_cookie", r.snapshot());
}
