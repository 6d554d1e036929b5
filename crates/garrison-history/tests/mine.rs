//! Mining with the content scan (hits found while diffing and kept in the cache), identities
//! and timelines, on small repositories built with real `git` from commit scripts. garrison-git
//! tests the walk, numstat, tags and the cache themselves.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use garrison_history::{HitKind, MineOptions, merge_identities, mine, mine_cached, timelines};
use garrison_test::git::{build, require_git};

const PEOPLE: &str = r#"
person alice = Alice Example <alice@example.org>
person bob-old = bob <bob@old.example>
person bob = Bob Builder <bob@example.org>
author alice
date @1700000000 +0100
commit root
  write setup.py
  | from setuptools import setup
  | setup(name="pkg")

# Bob's work committed by Alice, under an old address that .mailmap maps.
author bob-old
committer alice
date @1700001000 -0500
commit [bob] bob's change
  append setup.py
  | import base64, zlib
  | exec(zlib.decompress(base64.b64decode('eJzLSM3JyVcozy/KSQEAGgQEXQ==')))
author bob
date @1700001100 +0100
commit [bob2] bob again
  write .mailmap
  | Bob Builder <bob@example.org> <bob@old.example>

# Same name, different email (no mailmap entry): merged by name.
author Carol  Danvers <carol@work.example>
committer alice
date @1700001200 +0100
commit carol
  write c.txt
  | c
author carol danvers <carol@home.example>
committer alice
date @1700001300 +0100
commit carol again
  write c.txt
  | c
  | c
author bob
date @1700001500 +0000
tag v1.0
"#;

#[test]
fn mining_scans_content_and_the_cache_keeps_the_hits() {
    if !require_git() {
        return;
    }
    let b = build(PEOPLE);
    let h = mine(b.path(), &MineOptions::default()).unwrap();
    assert!(h.warnings.is_empty(), "{:?}", h.warnings);
    let bob = h.commits.iter().find(|c| c.id == b.id("bob")).unwrap();
    let hits: Vec<HitKind> = bob.files[0].hits.iter().map(|x| x.kind).collect();
    assert!(hits.contains(&HitKind::DECODE_EXEC), "{hits:?}");

    let tmp = tempfile::tempdir().unwrap();
    let first = mine_cached(b.path(), &MineOptions::default(), tmp.path()).unwrap();
    let cached = mine_cached(b.path(), &MineOptions::default(), tmp.path()).unwrap();
    assert!(cached.warnings.is_empty(), "{:?}", cached.warnings);
    assert_eq!(first.commits, h.commits);
    assert_eq!(cached.commits, h.commits, "hits come back from the cache");
}

#[test]
fn identities_merge_and_timelines() {
    if !require_git() {
        return;
    }
    let b = build(PEOPLE);
    let h = mine(b.path(), &MineOptions::default()).unwrap();
    let people = merge_identities(&h.commits);
    let carol = people
        .iter()
        .find(|p| p.emails.contains(&"carol@home.example".to_string()))
        .unwrap();
    assert_eq!(
        carol.emails,
        vec!["carol@home.example", "carol@work.example"]
    );
    assert!(
        carol
            .evidence
            .iter()
            .any(|e| e.starts_with("same name \"carol danvers\"")),
        "{:?}",
        carol.evidence
    );
    let bob_p = people
        .iter()
        .find(|p| p.emails == vec!["bob@example.org"])
        .unwrap();
    let tl = timelines(&h, &people);
    let bob_t = tl.iter().find(|t| t.person == *bob_p).unwrap();
    assert_eq!(bob_t.commits, 2);
    assert_eq!(bob_t.first_seen, 1_700_001_000);
    assert_eq!(bob_t.first_tag, Some((1_700_001_500, "v1.0".to_string())));
    assert_eq!(bob_t.usual_offsets, vec![(-300, 1), (60, 1)]);
    assert_eq!(bob_t.commits_by_year.get(&2023), Some(&2));
    let alice_t = tl
        .iter()
        .find(|t| t.person.emails == vec!["alice@example.org"])
        .unwrap();
    assert_eq!(
        alice_t.first_committed_other,
        Some((1_700_001_000, b.id("bob").to_string()))
    );
    assert!(alice_t.first_tag.is_none());
    assert_eq!(alice_t.hours_utc.iter().sum::<u32>(), alice_t.commits);
}
