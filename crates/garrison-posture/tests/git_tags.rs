//! `posture/unsigned-release-tags` on a real git repository built in a temporary directory.

#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use garrison_posture::checks::unsigned_release_tags::recent_tags;
use garrison_posture::run;
use garrison_workspace::{Inputs, Options, Workspace};

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args([
            "-c",
            "user.name=Test",
            "-c",
            "user.email=test@example.org",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "tag.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .env("GIT_COMMITTER_DATE", "2026-01-01T00:00:00Z")
        .env("GIT_AUTHOR_DATE", "2026-01-01T00:00:00Z")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Whether `git` runs; under CI a missing `git` fails the test instead of skipping it.
fn have_git() -> bool {
    garrison_test::require::program("git", &["--version"])
}

/// Writes a tag object carrying a (syntactically) signed message with `git mktag`.
fn signed_tag(dir: &Path, name: &str, commit: &str) {
    let body = format!(
        "object {commit}\ntype commit\ntag {name}\ntagger Test <test@example.org> 1767225600 +0000\n\nRelease {name}\n-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n-----END SSH SIGNATURE-----\n"
    );
    let mut child = Command::new("git")
        .arg("-C")
        .arg(dir)
        .arg("mktag")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(body.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let sha = String::from_utf8(out.stdout).unwrap();
    git(
        dir,
        &["update-ref", &format!("refs/tags/{name}"), sha.trim()],
    );
}

#[test]
fn lightweight_annotated_and_signed_tags() {
    if !have_git() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    git(dir, &["init", "-q"]);
    std::fs::write(dir.join("README.md"), "hello\n").unwrap();
    git(dir, &["add", "README.md"]);
    git(dir, &["commit", "-q", "-m", "first"]);
    git(dir, &["tag", "v0.1.0"]);
    std::fs::write(dir.join("README.md"), "hello again\n").unwrap();
    git(dir, &["commit", "-q", "-am", "second"]);
    git(dir, &["tag", "-a", "v0.2.0", "-m", "Release 0.2.0"]);
    let head = git(dir, &["rev-parse", "HEAD"]);
    signed_tag(dir, "v0.3.0", head.trim());

    let co = Workspace::load(dir, &Options::default());
    assert!(co.files.iter().all(|f| !f.rel.starts_with(".git/")));
    let mut tags = recent_tags(&co).unwrap();
    tags.sort_by(|a, b| a.name.cmp(&b.name));
    let summary: Vec<(&str, bool, bool)> = tags
        .iter()
        .map(|t| (t.name.as_str(), t.annotated, t.signed))
        .collect();
    assert_eq!(
        summary,
        [
            ("v0.1.0", false, false),
            ("v0.2.0", true, false),
            ("v0.3.0", true, true)
        ]
    );

    let findings = run(&co, &|id| id == "posture/unsigned-release-tags");
    assert_eq!(findings.len(), 1, "{findings:#?}");
    let f = &findings[0];
    assert_eq!(f.rule, "posture/unsigned-release-tags");
    assert_eq!(f.evidence["inspected"], 3);
    assert_eq!(f.evidence["lightweight"], 1);
    assert_eq!(f.evidence["annotated_unsigned"], 1);
    assert_eq!(f.evidence["signed"], 1);
    assert!(
        f.message
            .starts_with("2 of the 3 most recent tags are not signed")
    );
}

#[test]
fn repository_without_tags_is_not_evaluated() {
    if !have_git() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    git(dir, &["init", "-q"]);
    std::fs::write(dir.join("a.txt"), "a\n").unwrap();
    git(dir, &["add", "a.txt"]);
    git(dir, &["commit", "-q", "-m", "only"]);
    let co = Workspace::load(dir, &Options::default());
    let findings = run(&co, &|id| id == "posture/unsigned-release-tags");
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].rule, "info/not-evaluated");
    assert_eq!(findings[0].evidence["reason"], "the repository has no tags");
}

#[test]
fn in_memory_checkout_is_not_evaluated() {
    let co = Workspace::from_files(
        Path::new("/nonexistent"),
        vec![(
            "SECURITY.md".to_string(),
            b"mail security@example.org".to_vec(),
        )],
        Inputs::All,
    );
    let findings = run(&co, &|id| {
        id == "posture/unsigned-release-tags" || id == "posture/missing-security-policy"
    });
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].rule, "info/not-evaluated");
}
