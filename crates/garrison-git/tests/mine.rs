//! Mining tests on small repositories built with real `git` from commit scripts, the cache (keyed
//! by the scanner's version), progress, and a differential test against `git log --numstat
//! --no-renames` (on the test repository and on this repository).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use garrison_git::{
    ChangeKind, ChangeScanner, Commit, History, MineOptions, OnProgress, TextChange, mine,
    mine_cached,
};
use garrison_test::git::{Built, build, require_git};
use garrison_test::require::precondition;

/// A repository exercising every case the miner must handle.
const EVERY_CASE: &str = r#"
person alice = Alice Example <alice@example.org>
person bob-old = bob <bob@old.example>
person bob = Bob Builder <bob@example.org>
author alice

date @1700000000 +0100
commit [root] root
  write src/a.txt lines 50 seed 1
  write README noeol
  | hello
  | world

date @1700000100 +0100
commit [edit] edit
  replace src/a.txt
  - line 10 of version 1
  + line ten
  + line ten b
  replace src/a.txt
  - line 40 of version 1
  write README
  | hello
  | world

date @1700000200 +0100
commit [binary_add] add fixture
  write tests/data/blob.bin binary 3004 seed 1
date @1700000300 +0100
commit [binary_rewrite] rewrite fixture
  write tests/data/blob.bin binary 3007 seed 2

date @1700000400 +0100
commit [rename] rename
  move src/a.txt src/b.txt

date @1700000500 +0100
commit [script] script
  write run.sh
  | #!/bin/sh
  | echo hi
date @1700000600 +0100
commit [exec] chmod
  chmod +x run.sh

# A side branch merged back.
branch side
date @1700000700 +0100
commit [side] side
  write side.txt
  | side
checkout main
date @1700000800 +0100
commit [main2] main2
  write main.txt
  | main
date @1700000900 +0100
merge [merge] side

# Bob's work committed by Alice, under an old address that .mailmap maps.
author bob-old
committer alice
date @1700001000 -0500
commit [bob] bob's change
  write bob.txt
  | bob
author bob
date @1700001100 +0100
commit [bob2] bob again
  write .mailmap
  | Bob Builder <bob@example.org> <bob@old.example>
  write bob2.txt
  | bob again

# Same name, different email (no mailmap entry).
author Carol  Danvers <carol@work.example>
committer alice
date @1700001200 +0100
commit [carol1] carol
  write c.txt
  | c
author carol danvers <carol@home.example>
committer alice
date @1700001300 +0100
commit [carol2] carol again
  write c.txt
  | c
  | c

# File deletion and an empty file.
author alice
date @1700001400 +0100
commit [delete] delete
  delete side.txt
  write empty noeol
  |
tag light lightweight
author bob
date @1700001500 +0000
tag v1.0
"#;

fn every_case() -> Option<Built> {
    require_git().then(|| build(EVERY_CASE))
}

fn by_id<'a, H>(h: &'a History<H>, id: &str) -> &'a Commit<H> {
    h.commits.iter().find(|c| c.id == id).expect("commit mined")
}

#[test]
fn mines_every_case() {
    let Some(b) = every_case() else { return };
    let ids = &b.ids;
    let h = mine(b.path(), &MineOptions::default(), &()).unwrap();
    assert!(h.warnings.is_empty(), "{:?}", h.warnings);
    assert_eq!(h.commits.len(), ids.len());
    assert_eq!(h.commits.first().unwrap().id, ids["delete"], "newest first");

    let root = by_id(&h, &ids["root"]);
    assert!(root.parents.is_empty());
    assert_eq!(root.files.len(), 2);
    let a = root.files.iter().find(|f| f.path == "src/a.txt").unwrap();
    let a_len = garrison_test::git::text(50, 1).len() as u64;
    assert_eq!(
        (a.kind, a.added, a.removed, a.new_size),
        (ChangeKind::Added, 50, 0, Some(a_len))
    );
    let readme = root.files.iter().find(|f| f.path == "README").unwrap();
    assert_eq!(
        (readme.added, readme.removed),
        (2, 0),
        "last line without newline counts"
    );
    assert_eq!(root.author_offset_minutes, 60);
    assert_eq!(root.author_time, 1_700_000_000);

    let edit = by_id(&h, &ids["edit"]);
    let a = edit.files.iter().find(|f| f.path == "src/a.txt").unwrap();
    assert_eq!((a.kind, a.added, a.removed), (ChangeKind::Modified, 2, 2));
    let readme = edit.files.iter().find(|f| f.path == "README").unwrap();
    assert_eq!(
        (readme.added, readme.removed),
        (1, 1),
        "newline at EOF added"
    );

    let bin = &by_id(&h, &ids["binary_add"]).files[0];
    assert!(bin.binary && bin.added == 0 && bin.new_size == Some(3004) && bin.old_size.is_none());
    let bin = &by_id(&h, &ids["binary_rewrite"]).files[0];
    assert!(
        bin.binary
            && bin.kind == ChangeKind::Modified
            && bin.old_size == Some(3004)
            && bin.new_size == Some(3007)
    );

    let r = &by_id(&h, &ids["rename"]).files;
    assert_eq!(r.len(), 2, "rename = delete + add");
    assert!(
        r.iter()
            .any(|f| f.path == "src/a.txt" && f.kind == ChangeKind::Deleted && f.removed == 50)
    );
    assert!(
        r.iter()
            .any(|f| f.path == "src/b.txt" && f.kind == ChangeKind::Added && f.added == 50)
    );
    assert!(r.iter().all(|f| f.old_path.is_none()));

    let x = &by_id(&h, &ids["exec"]).files;
    assert_eq!(x.len(), 1);
    assert!(
        x[0].mode_exec && x[0].added == 0 && x[0].removed == 0 && x[0].kind == ChangeKind::Modified
    );
    assert!(!by_id(&h, &ids["script"]).files[0].mode_exec);

    let m = by_id(&h, &ids["merge"]);
    assert!(m.is_merge && m.files.is_empty());
    assert_eq!(m.parents, vec![ids["main2"].clone(), ids["side"].clone()]);

    // .mailmap at HEAD maps the old address; Alice committed Bob's work.
    let bob = by_id(&h, &ids["bob"]);
    assert_eq!(bob.author.name, "Bob Builder");
    assert_eq!(bob.author.email, "bob@example.org");
    assert_eq!(bob.author_offset_minutes, -300);
    assert_eq!(bob.committer.email, "alice@example.org");
    assert!(!bob.signed);

    let d = &by_id(&h, &ids["delete"]).files;
    assert!(
        d.iter()
            .any(|f| f.path == "side.txt" && f.kind == ChangeKind::Deleted && f.removed == 1)
    );
    assert!(d.iter().any(|f| f.path == "empty"
        && f.kind == ChangeKind::Added
        && f.added == 0
        && f.new_size == Some(0)));

    assert_eq!(h.tags.len(), 2);
    let light = h.tags.iter().find(|t| t.name == "light").unwrap();
    assert!(!light.annotated && light.tagger.is_none() && light.target == ids["delete"]);
    assert_eq!(light.created, Some(1_700_001_400), "the commit's time");
    let v1 = h.tags.iter().find(|t| t.name == "v1.0").unwrap();
    assert!(v1.annotated && !v1.signed && v1.target == ids["delete"]);
    assert_eq!(v1.time, Some(1_700_001_500));
    assert_eq!(v1.created, v1.time);
    assert_eq!(v1.tagger.as_ref().unwrap().name, "Bob Builder");
}

#[test]
fn tags_alone_with_signatures_and_creation_times() {
    if !require_git() {
        return;
    }
    let b = build(
        "author Test <test@example.org>\n\
         date 2026-01-01T00:00Z\n\
         commit first\n  write README.md\n  | hello\n\
         tag v0.1.0 lightweight\n\
         date +1d\n\
         commit second\n  write README.md\n  | hello again\n\
         tag v0.2.0\n\
         date +1d\n\
         tag v0.3.0 signed\n",
    );
    let (tags, warnings) = garrison_git::tags(b.path()).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    let summary: Vec<(&str, bool, bool, Option<i64>)> = tags
        .iter()
        .map(|t| (t.name.as_str(), t.annotated, t.signed, t.created))
        .collect();
    let day = 1_767_225_600;
    assert_eq!(
        summary,
        [
            ("v0.1.0", false, false, Some(day)),
            ("v0.2.0", true, false, Some(day + 86_400)),
            ("v0.3.0", true, true, Some(day + 2 * 86_400)),
        ]
    );
    assert!(garrison_git::tags(&b.path().join("nope")).is_err());
}

#[test]
fn range_since_and_limit() {
    let Some(b) = every_case() else { return };
    let (dir, ids) = (b.path(), &b.ids);
    let range = MineOptions {
        range: Some((ids["bob"].clone(), "HEAD".into())),
        ..Default::default()
    };
    let h = mine(dir, &range, &()).unwrap();
    let got: Vec<&str> = h.commits.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(
        got,
        vec![&ids["delete"], &ids["carol2"], &ids["carol1"], &ids["bob2"]]
    );
    let since = MineOptions {
        since: Some(1_700_001_200),
        ..Default::default()
    };
    assert_eq!(mine(dir, &since, &()).unwrap().commits.len(), 3);
    let lim = MineOptions {
        max_commits: Some(2),
        threads: 1,
        ..Default::default()
    };
    assert_eq!(mine(dir, &lim, &()).unwrap().commits.len(), 2);
    assert!(mine(&dir.join("nope"), &MineOptions::default(), &()).is_err());
    let bad = MineOptions {
        range: Some(("nope".into(), "HEAD".into())),
        ..Default::default()
    };
    assert!(mine(dir, &bad, &()).is_err());
}

/// A scanner that counts the added lines of each change, with a chosen version.
struct CountLines(u64);

impl ChangeScanner for CountLines {
    type Hits = u32;

    fn version(&self) -> u64 {
        self.0
    }

    fn scan(&self, c: &TextChange<'_>) -> u32 {
        c.hunks.iter().map(|h| h.new_len).sum()
    }
}

fn hits<H: Clone>(h: &History<H>) -> Vec<(String, H)> {
    h.commits
        .iter()
        .flat_map(|c| c.files.iter().map(|f| (f.path.clone(), f.hits.clone())))
        .collect()
}

#[test]
fn the_scanner_sees_text_changes_and_its_version_keys_the_cache() {
    let Some(b) = every_case() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let cache = tmp.path().join("cache");
    let h = mine(b.path(), &MineOptions::default(), &CountLines(1)).unwrap();
    let edit = by_id(&h, b.id("edit"));
    let a = edit.files.iter().find(|f| f.path == "src/a.txt").unwrap();
    assert_eq!(a.hits, 2, "the scanner saw the two added lines");
    let bin = &by_id(&h, b.id("binary_add")).files[0];
    assert_eq!(bin.hits, 0, "binary files are not scanned");
    let deleted = by_id(&h, b.id("delete"));
    assert!(deleted.files.iter().all(|f| f.hits == 0));

    let first = mine_cached(b.path(), &MineOptions::default(), &CountLines(1), &cache).unwrap();
    assert_eq!(hits(&first), hits(&h));
    let again = mine_cached(b.path(), &MineOptions::default(), &CountLines(1), &cache).unwrap();
    assert!(again.warnings.is_empty(), "{:?}", again.warnings);
    // Another scanner version: the cached hits are not reused.
    let other = mine_cached(b.path(), &MineOptions::default(), &CountLines(2), &cache).unwrap();
    assert!(
        other
            .warnings
            .iter()
            .any(|w| w.contains("old version, rebuilt")),
        "{:?}",
        other.warnings
    );
    assert_eq!(hits(&other), hits(&h));
}

#[test]
fn progress_is_reported_from_zero_to_the_total() {
    let Some(b) = every_case() else { return };
    let calls = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&calls);
    let opts = MineOptions {
        progress: Some(OnProgress::new(move |done, total| {
            seen.lock().unwrap().push((done, total));
        })),
        ..MineOptions::default()
    };
    let h = mine(b.path(), &opts, &()).unwrap();
    let calls = calls.lock().unwrap().clone();
    let n = h.commits.len();
    assert_eq!(calls.first(), Some(&(0, n)));
    assert_eq!(calls.last(), Some(&(n, n)));
    assert!(calls.windows(2).all(|w| w[0].0 <= w[1].0), "{calls:?}");
}

#[test]
fn cache_reuses_and_survives_corruption() {
    let Some(b) = every_case() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let cache = tmp.path().join("cache");
    let dir = b.path();
    let opts = MineOptions::default();
    let full = mine(dir, &opts, &()).unwrap();
    let first = mine_cached(dir, &opts, &(), &cache).unwrap();
    assert_eq!(first.commits, full.commits);
    let files: Vec<_> = std::fs::read_dir(&cache).unwrap().collect();
    assert_eq!(files.len(), 1);
    b.repo.write("new.txt", "1\n2\n");
    let new = b.repo.commit(
        "new",
        &garrison_test::git::Who::of("Alice Example", "alice@example.org"),
        garrison_test::git::at(1_700_002_000, 60),
    );
    let second = mine_cached(dir, &opts, &(), &cache).unwrap();
    assert_eq!(second.commits.len(), full.commits.len() + 1);
    assert_eq!(second.commits[0].id, new);
    assert_eq!(second.commits[0].files[0].added, 2);
    assert_eq!(
        &second.commits[1..],
        &full.commits[..],
        "mailmap still applied to cached commits"
    );
    // Corrupt the cache: ignored with a warning, rebuilt.
    let path = std::fs::read_dir(&cache)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    std::fs::write(&path, b"\xff\xff garbage").unwrap();
    let third = mine_cached(dir, &opts, &(), &cache).unwrap();
    assert_eq!(third.commits, second.commits);
    assert!(
        third.warnings.iter().any(|w| w.contains("rebuilt")),
        "{:?}",
        third.warnings
    );
    let fourth = mine_cached(dir, &opts, &(), &cache).unwrap();
    assert!(fourth.warnings.is_empty(), "{:?}", fourth.warnings);
}

/// `git log --numstat --no-renames --format=%H` rendered from mined data.
fn render(h: &History) -> BTreeMap<String, Vec<String>> {
    h.commits
        .iter()
        .filter(|c| !c.is_merge)
        .map(|c| {
            let mut v: Vec<String> = c
                .files
                .iter()
                .map(|f| {
                    if f.binary {
                        format!("-\t-\t{}", f.path)
                    } else {
                        format!("{}\t{}\t{}", f.added, f.removed, f.path)
                    }
                })
                .collect();
            v.sort();
            (c.id.clone(), v)
        })
        .collect()
}

fn git_numstat(dir: &Path) -> BTreeMap<String, Vec<String>> {
    let out = std::process::Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "core.quotePath=false",
            "log",
            "--numstat",
            "--no-renames",
            "--no-merges",
            "--format=%H",
        ])
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut cur = String::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        if line.len() == 40 && line.bytes().all(|b| b.is_ascii_hexdigit()) {
            cur = line.to_string();
            map.entry(cur.clone()).or_default();
        } else if !line.is_empty() {
            map.entry(cur.clone()).or_default().push(line.to_string());
        }
    }
    for v in map.values_mut() {
        v.sort();
    }
    map
}

#[test]
fn differential_test_repo() {
    let Some(b) = every_case() else { return };
    let h = mine(b.path(), &MineOptions::default(), &()).unwrap();
    assert!(h.warnings.is_empty(), "{:?}", h.warnings);
    let ours = render(&h);
    let theirs = git_numstat(b.path());
    assert_eq!(ours.len(), 14);
    assert_eq!(ours, theirs);
}

/// On a real, growing history (this repository, whose commits change after every session) file
/// lists and binary flags must equal git's exactly; line counts may differ on a few large
/// rewrites, where imara-diff's Myers heuristics (pruning of frequent lines, cost limit) differ
/// from xdiff's (see the crate docs), so the test bounds that share instead of naming commits.
#[test]
fn differential_this_repository() {
    let root = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."));
    if !require_git()
        || !precondition(
            root.join(".git").exists(),
            "a git checkout of this repository",
        )
    {
        return;
    }
    let h = mine(root, &MineOptions::default(), &()).unwrap();
    let ours = render(&h);
    let theirs = git_numstat(root);
    assert_eq!(
        ours.keys().collect::<Vec<_>>(),
        theirs.keys().collect::<Vec<_>>()
    );
    // Per file: (path, binary), compared as sorted lists, and the whole numstat line. Lines are
    // sorted by their text, so a differing count can reorder them: compare by path.
    let by_path = |lines: &Vec<String>| -> BTreeMap<String, (bool, String)> {
        lines
            .iter()
            .map(|l| {
                let f: Vec<&str> = l.splitn(3, '\t').collect();
                let path = f.get(2).unwrap_or(&"").to_string();
                (path, (f.first() == Some(&"-"), l.clone()))
            })
            .collect()
    };
    let mut entries = 0usize;
    let mut count_mismatches = Vec::new();
    for (id, v) in &ours {
        let (o, g) = (by_path(v), by_path(&theirs[id]));
        let shape = |m: &BTreeMap<String, (bool, String)>| -> Vec<(String, bool)> {
            m.iter().map(|(p, (b, _))| (p.clone(), *b)).collect()
        };
        assert_eq!(
            shape(&o),
            shape(&g),
            "{id}: file list or binary flags differ"
        );
        assert_eq!(
            (o.len(), g.len()),
            (v.len(), theirs[id].len()),
            "{id}: a path listed twice"
        );
        entries += v.len();
        for (path, (_, a)) in &o {
            let b = &g[path].1;
            if a != b {
                count_mismatches.push(format!("{id}: ours {a:?} git {b:?}"));
            }
        }
    }
    eprintln!(
        "compared {} non-merge commits, {entries} entries, {} count mismatches",
        ours.len(),
        count_mismatches.len()
    );
    assert!(
        count_mismatches.len() * 50 <= entries.max(100),
        "more than 2% of line counts differ from git: {count_mismatches:#?}"
    );
}

/// A repository that is not one: the error names it.
#[test]
fn not_a_repository() {
    let tmp = tempfile::tempdir().unwrap();
    let e = mine(tmp.path(), &MineOptions::default(), &()).unwrap_err();
    assert!(
        e.to_string().starts_with("cannot open git repository"),
        "{e}"
    );
}

/// A shallow clone: the commit whose parent is missing is a warning saying how to fetch the
/// history, and the history says it is shallow.
#[test]
fn shallow_clone_warns() {
    let Some(b) = every_case() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let clone = tmp.path().join("clone");
    let url = format!("file://{}", b.path().display());
    b.repo.git(
        &[
            "clone",
            "-q",
            "--depth",
            "2",
            &url,
            &clone.display().to_string(),
        ],
        &[],
    );
    let h = mine(&clone, &MineOptions::default(), &()).unwrap();
    assert!(h.shallow);
    assert_eq!(h.commits.len(), 1, "{:?}", h.warnings);
    let oldest = b.repo.git(&["rev-parse", "HEAD~1"], &[]);
    assert_eq!(
        h.warnings,
        [format!(
            "commit {}: its parent is not in this shallow clone, so it is not analysed (fetch the full history: `git fetch --unshallow`, or `fetch-depth: 0` in actions/checkout)",
            oldest.trim()
        )]
    );
}

/// Branches, merges both ways, tags and an unrelated history, for range tests.
const RANGES: &str = r#"
person mara = Mara Maintainer <mara@example.org>
person cole = Cole Contributor <cole@example.org>
author mara
date 2021-03-01T10:00Z
commit [root] root
  write a.txt
  | one
tag v1.0.0
date +1d
commit [m1] main one
  append a.txt
  | two
branch feature
author cole
date +1d
commit [f1] feature one
  write f.txt
  | f
checkout main
author mara
date +1d
commit [m2] main two
  append a.txt
  | three
tag v1.1.0 lightweight
checkout feature
author cole
date +1d
merge [back] main
date +1d
commit [f2] feature two
  append f.txt
  | g
checkout main
author mara
date +1d
merge [merge] feature
date +1d
commit [m3] main three
  append a.txt
  | four
"#;

/// The commits of `git rev-list BASE..HEAD`, sorted.
fn rev_list(b: &Built, base: &str, head: &str) -> Vec<String> {
    let out = b.repo.git(&["rev-list", &format!("{base}..{head}")], &[]);
    let mut ids: Vec<String> = out.lines().map(str::to_string).collect();
    ids.sort();
    ids
}

/// `BASE..HEAD` is exactly git's set (reachable from HEAD, not from BASE) for every pair of
/// ends: equal ends, a base ahead of the head, tags, merges on either side, and a base from an
/// unrelated history (whose range is all of HEAD's history).
#[test]
fn ranges_are_git_rev_list() {
    if !require_git() {
        return;
    }
    let b = build(RANGES);
    // An unrelated history on its own branch (no common root).
    b.repo.git(&["checkout", "-q", "--orphan", "other"], &[]);
    b.repo.write("o.txt", "other\n");
    b.repo.git(&["add", "-A"], &[]);
    let when = [
        ("GIT_AUTHOR_DATE", "@1614600000 +0000".to_string()),
        ("GIT_COMMITTER_DATE", "@1614600000 +0000".to_string()),
    ];
    b.repo.git(&["commit", "-q", "-m", "other root"], &when);
    b.repo.git(&["checkout", "-q", "main"], &[]);
    let ends = [
        "HEAD", "HEAD~1", "HEAD~1^2", "root", "m1", "f1", "m2", "back", "f2", "merge", "v1.0.0",
        "v1.1.0", "feature", "other",
    ];
    let rev = |e: &str| match b.ids.get(e) {
        Some(id) => id.clone(),
        None => e.to_string(),
    };
    let mut nonempty = 0;
    for base in ends {
        for head in ends {
            let (base, head) = (rev(base), rev(head));
            let opts = MineOptions {
                range: Some((base.clone(), head.clone())),
                threads: 1,
                ..Default::default()
            };
            let h = mine(b.path(), &opts, &()).unwrap();
            let mut got: Vec<String> = h.commits.iter().map(|c| c.id.clone()).collect();
            got.sort();
            let want = rev_list(&b, &base, &head);
            assert_eq!(got, want, "{base}..{head}");
            assert!(h.warnings.is_empty(), "{base}..{head}: {:?}", h.warnings);
            nonempty += usize::from(!want.is_empty());
        }
    }
    // The pairs cover both empty and non-empty ranges.
    assert!(
        nonempty > 20 && nonempty < ends.len() * ends.len() - 20,
        "{nonempty}"
    );
}

/// `git ARGS…` in `dir`, its standard output's lines (sorted).
fn git_lines(dir: &Path, args: &[&str]) -> Vec<String> {
    let out = std::process::Command::new("git")
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut lines: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    lines.sort();
    lines
}

/// In a shallow clone, every range between fetched commits is still git's set (the walk stops
/// at the shallow boundary, like git's); a commit at the boundary is a warning, not a commit.
#[test]
fn shallow_ranges_are_git_rev_list() {
    if !require_git() {
        return;
    }
    let b = build(RANGES);
    let tmp = tempfile::tempdir().unwrap();
    let clone = tmp.path().join("clone");
    let url = format!("file://{}", b.path().display());
    b.repo.git(
        &[
            "clone",
            "-q",
            "--depth",
            "3",
            &url,
            &clone.display().to_string(),
        ],
        &[],
    );
    let fetched = git_lines(&clone, &["rev-list", "HEAD"]);
    assert!(fetched.len() >= 3, "{fetched:?}");
    for base in &fetched {
        for head in &fetched {
            let opts = MineOptions {
                range: Some((base.clone(), head.clone())),
                threads: 1,
                ..Default::default()
            };
            let h = mine(&clone, &opts, &()).unwrap();
            assert!(h.shallow);
            let mut got: Vec<String> = h.commits.iter().map(|c| c.id.clone()).collect();
            for w in &h.warnings {
                let id = w.strip_prefix("commit ").and_then(|w| w.split(':').next());
                got.extend(id.map(str::to_string));
            }
            got.sort();
            let want = git_lines(&clone, &["rev-list", &format!("{base}..{head}")]);
            assert_eq!(got, want, "{base}..{head}");
        }
    }
}

/// In a depth-1 clone a revision beyond the fetched history is an error that names it, says the
/// clone is shallow (with how much it holds) and how to fetch more; not gix's message.
#[test]
fn shallow_clone_revision_errors_say_so() {
    let Some(b) = every_case() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let clone = tmp.path().join("clone");
    let url = format!("file://{}", b.path().display());
    b.repo.git(
        &[
            "clone",
            "-q",
            "--depth",
            "1",
            &url,
            &clone.display().to_string(),
        ],
        &[],
    );
    let opts = MineOptions {
        range: Some(("HEAD~1".into(), "HEAD".into())),
        ..Default::default()
    };
    let e = mine(&clone, &opts, &()).unwrap_err().to_string();
    assert_eq!(
        e,
        "cannot resolve revision `HEAD~1`: this is a shallow clone (1 commit fetched from HEAD), so the revision may name history that was not fetched; fetch it with `git fetch --unshallow` (or `fetch-depth: 0` in actions/checkout)"
    );
    // A resolvable base: the range is mined (HEAD..HEAD is empty, with no error).
    let opts = MineOptions {
        range: Some(("HEAD".into(), "HEAD".into())),
        ..Default::default()
    };
    let h = mine(&clone, &opts, &()).unwrap();
    assert!(h.shallow && h.commits.is_empty(), "{:?}", h.commits);
    // Outside a shallow clone the error stays gix's resolution message.
    let e = mine(
        b.path(),
        &MineOptions {
            range: Some(("nope".into(), "HEAD".into())),
            ..Default::default()
        },
        &(),
    )
    .unwrap_err()
    .to_string();
    assert!(e.starts_with("cannot resolve revision nope: "), "{e}");
}

/// The repository is found upward from a subdirectory, like git; a directory in no repository
/// is an error.
#[test]
fn discover_finds_the_root_from_a_subdirectory() {
    let Some(b) = every_case() else { return };
    let root = b.path().canonicalize().unwrap();
    let found = garrison_git::discover(&b.path().join("src")).unwrap();
    assert_eq!(found.canonicalize().unwrap(), root);
    let found = garrison_git::discover(b.path()).unwrap();
    assert_eq!(found.canonicalize().unwrap(), root);
    let tmp = tempfile::tempdir().unwrap();
    assert!(garrison_git::discover(tmp.path()).is_err());
}

/// A cached range walk is reused only while both ends resolve to the same commits: a base
/// branch that moves (a fetch of `origin/main`) under an unchanged HEAD is another range.
#[test]
fn cached_range_walks_follow_a_moved_base() {
    if !require_git() {
        return;
    }
    let b = build(RANGES);
    let tmp = tempfile::tempdir().unwrap();
    let cache = tmp.path().join("cache");
    b.repo.git(&["branch", "base", b.id("root")], &[]);
    let opts = MineOptions {
        range: Some(("base".into(), "HEAD".into())),
        ..Default::default()
    };
    let ids = |h: &History| {
        let mut v: Vec<String> = h.commits.iter().map(|c| c.id.clone()).collect();
        v.sort();
        v
    };
    let first = mine_cached(b.path(), &opts, &(), &cache).unwrap();
    assert_eq!(ids(&first), rev_list(&b, "base", "HEAD"));
    assert!(!first.commits.is_empty());
    // The same ends: the cached walk is reused, same commits.
    let again = mine_cached(b.path(), &opts, &(), &cache).unwrap();
    assert_eq!(ids(&again), ids(&first));
    // The base moves to an intermediate commit, then to HEAD: git's set each time.
    for to in [b.id("m2"), "HEAD"] {
        b.repo.git(&["branch", "-f", "base", to], &[]);
        let moved = mine_cached(b.path(), &opts, &(), &cache).unwrap();
        assert_eq!(ids(&moved), rev_list(&b, "base", "HEAD"), "base at {to}");
    }
    assert!(rev_list(&b, "base", "HEAD").is_empty());
}
