//! `posture/unsigned-release-tags` on real git repositories built from commit scripts (tags are
//! read through garrison-git; no `git` process runs in the check).

#![allow(clippy::unwrap_used)]

use std::path::Path;

use garrison_posture::checks::unsigned_release_tags::recent_tags;
use garrison_posture::run;
use garrison_test::git::{build, require_git};
use garrison_workspace::{Inputs, Options, Workspace};

#[test]
fn lightweight_annotated_and_signed_tags() {
    if !require_git() {
        return;
    }
    let b = build(
        "author Test <test@example.org>\n\
         date 2026-01-01T00:00Z\n\
         commit first\n  write README.md\n  | hello\n\
         tag v0.1.0 lightweight\n\
         commit second\n  write README.md\n  | hello again\n\
         tag v0.2.0\n\
         tag v0.3.0 signed\n",
    );
    let co = Workspace::load(b.path(), &Options::default());
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

/// The 50 newest tags by creation (tagger time, or the commit's time for a lightweight tag),
/// as `git for-each-ref --sort=-creatordate` picks them.
#[test]
fn only_the_newest_tags_are_inspected() {
    if !require_git() {
        return;
    }
    let b = build(
        "author Test <test@example.org>\n\
         date 2020-01-01T00:00Z\n\
         commit first\n  write a.txt\n  | a\n\
         repeat 55 every 1d\n  tag old-{n} signed\nend\n\
         date 2021-01-01T00:00Z\n\
         commit second\n  write a.txt\n  | b\n\
         tag newest lightweight\n",
    );
    let co = Workspace::load(b.path(), &Options::default());
    let tags = recent_tags(&co).unwrap();
    assert_eq!(tags.len(), 50);
    assert_eq!(tags[0].name, "newest");
    assert_eq!(tags[1].name, "old-54");
    assert!(
        tags.iter().all(|t| t.name != "old-0"),
        "the oldest are left out"
    );
}

#[test]
fn repository_without_tags_is_not_evaluated() {
    if !require_git() {
        return;
    }
    let b = build("author Test <test@example.org>\ncommit only\n  write a.txt\n  | a\n");
    let co = Workspace::load(b.path(), &Options::default());
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
