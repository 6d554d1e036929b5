//! Mining tests on small repositories built with real `git`, plus a differential test against
//! `git log --numstat --no-renames` (on the test repositories and on this repository).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use garrison_history::{
    ChangeKind, Commit, History, MineOptions, merge_identities, mine, mine_cached, timelines,
};

fn git_ok() -> bool {
    Command::new("git").arg("--version").output().is_ok()
}

/// Run git in `dir` with a fixed identity/date (overridable through `env`).
fn git(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> String {
    let mut cmd = Command::new("git");
    cmd.current_dir(dir)
        .args(args)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Alice Example")
        .env("GIT_AUTHOR_EMAIL", "alice@example.org")
        .env("GIT_COMMITTER_NAME", "Alice Example")
        .env("GIT_COMMITTER_EMAIL", "alice@example.org")
        .env("GIT_AUTHOR_DATE", "1700000000 +0100")
        .env("GIT_COMMITTER_DATE", "1700000000 +0100");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn write(dir: &Path, path: &str, data: &[u8]) {
    let p = dir.join(path);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, data).unwrap();
}

fn commit(dir: &Path, msg: &str, time: i64, env: &[(&str, &str)]) -> String {
    git(dir, &["add", "-A"], &[]);
    let date = format!("{time} +0100");
    let mut e: Vec<(&str, &str)> = vec![("GIT_AUTHOR_DATE", &date), ("GIT_COMMITTER_DATE", &date)];
    e.extend_from_slice(env);
    git(dir, &["commit", "-q", "--allow-empty", "-m", msg], &e);
    git(dir, &["rev-parse", "HEAD"], &[]).trim().to_string()
}

/// A repository exercising every case the miner must handle. Returns commit ids by label.
fn build(dir: &Path) -> BTreeMap<&'static str, String> {
    let mut ids = BTreeMap::new();
    git(dir, &["init", "-q", "-b", "main"], &[]);
    let lines: String = (1..=50).map(|i| format!("line {i}\n")).collect();
    write(dir, "src/a.txt", lines.as_bytes());
    write(dir, "README", b"hello\nworld");
    ids.insert("root", commit(dir, "root", 1_700_000_000, &[]));

    let edited = lines
        .replace("line 10\n", "line ten\nline ten b\n")
        .replace("line 40\n", "");
    write(dir, "src/a.txt", edited.as_bytes());
    write(dir, "README", b"hello\nworld\n");
    ids.insert("edit", commit(dir, "edit", 1_700_000_100, &[]));

    let mut bin = vec![0u8; 3000];
    bin.extend_from_slice(b"abc\n");
    write(dir, "tests/data/blob.bin", &bin);
    ids.insert("binary_add", commit(dir, "add fixture", 1_700_000_200, &[]));
    bin[5] = 7;
    bin.extend_from_slice(&[1, 2, 3]);
    write(dir, "tests/data/blob.bin", &bin);
    ids.insert(
        "binary_rewrite",
        commit(dir, "rewrite fixture", 1_700_000_300, &[]),
    );

    git(dir, &["mv", "src/a.txt", "src/b.txt"], &[]);
    ids.insert("rename", commit(dir, "rename", 1_700_000_400, &[]));

    write(dir, "run.sh", b"#!/bin/sh\necho hi\n");
    ids.insert("script", commit(dir, "script", 1_700_000_500, &[]));
    {
        use std::os::unix::fs::PermissionsExt;
        let p = dir.join("run.sh");
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    ids.insert("exec", commit(dir, "chmod", 1_700_000_600, &[]));

    // A side branch merged back.
    git(dir, &["checkout", "-q", "-b", "side"], &[]);
    write(dir, "side.txt", b"side\n");
    ids.insert("side", commit(dir, "side", 1_700_000_700, &[]));
    git(dir, &["checkout", "-q", "main"], &[]);
    write(dir, "main.txt", b"main\n");
    ids.insert("main2", commit(dir, "main2", 1_700_000_800, &[]));
    git(
        dir,
        &["merge", "-q", "--no-ff", "-m", "merge side", "side"],
        &[
            ("GIT_COMMITTER_DATE", "1700000900 +0100"),
            ("GIT_AUTHOR_DATE", "1700000900 +0100"),
        ],
    );
    ids.insert(
        "merge",
        git(dir, &["rev-parse", "HEAD"], &[]).trim().to_string(),
    );

    // Someone else's work committed by Alice; Bob under an old address mapped by .mailmap.
    write(dir, "bob.txt", b"bob\n");
    ids.insert(
        "bob",
        commit(
            dir,
            "bob's change",
            1_700_001_000,
            &[
                ("GIT_AUTHOR_NAME", "bob"),
                ("GIT_AUTHOR_EMAIL", "bob@old.example"),
                ("GIT_AUTHOR_DATE", "1700001000 -0500"),
            ],
        ),
    );
    write(
        dir,
        ".mailmap",
        b"Bob Builder <bob@example.org> <bob@old.example>\n",
    );
    write(dir, "bob2.txt", b"bob again\n");
    ids.insert(
        "bob2",
        commit(
            dir,
            "bob again",
            1_700_001_100,
            &[
                ("GIT_AUTHOR_NAME", "Bob Builder"),
                ("GIT_AUTHOR_EMAIL", "bob@example.org"),
                ("GIT_COMMITTER_NAME", "Bob Builder"),
                ("GIT_COMMITTER_EMAIL", "bob@example.org"),
            ],
        ),
    );
    // Same name, different email (no mailmap entry): merged by name.
    write(dir, "c.txt", b"c\n");
    ids.insert(
        "carol1",
        commit(
            dir,
            "carol",
            1_700_001_200,
            &[
                ("GIT_AUTHOR_NAME", "Carol  Danvers"),
                ("GIT_AUTHOR_EMAIL", "carol@work.example"),
            ],
        ),
    );
    write(dir, "c.txt", b"c\nc\n");
    ids.insert(
        "carol2",
        commit(
            dir,
            "carol again",
            1_700_001_300,
            &[
                ("GIT_AUTHOR_NAME", "carol danvers"),
                ("GIT_AUTHOR_EMAIL", "carol@home.example"),
            ],
        ),
    );
    // File deletion and an empty file.
    git(dir, &["rm", "-q", "side.txt"], &[]);
    write(dir, "empty", b"");
    ids.insert("delete", commit(dir, "delete", 1_700_001_400, &[]));

    git(dir, &["tag", "light"], &[]);
    git(
        dir,
        &["tag", "-a", "v1.0", "-m", "release 1.0"],
        &[
            ("GIT_COMMITTER_DATE", "1700001500 +0000"),
            ("GIT_COMMITTER_NAME", "Bob Builder"),
            ("GIT_COMMITTER_EMAIL", "bob@example.org"),
        ],
    );
    ids
}

fn by_id<'a>(h: &'a History, id: &str) -> &'a Commit {
    h.commits.iter().find(|c| c.id == id).expect("commit mined")
}

#[test]
fn mines_every_case() {
    if !git_ok() {
        eprintln!("git missing: skipped");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let ids = build(dir);
    let h = mine(dir, &MineOptions::default()).unwrap();
    assert!(h.warnings.is_empty(), "{:?}", h.warnings);
    assert_eq!(h.commits.len(), ids.len());
    assert_eq!(h.commits.first().unwrap().id, ids["delete"], "newest first");

    let root = by_id(&h, &ids["root"]);
    assert!(root.parents.is_empty());
    assert_eq!(root.files.len(), 2);
    let a = root.files.iter().find(|f| f.path == "src/a.txt").unwrap();
    assert_eq!(
        (a.kind, a.added, a.removed, a.new_size),
        (ChangeKind::Added, 50, 0, Some(lines_len()))
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

    let b = &by_id(&h, &ids["binary_add"]).files[0];
    assert!(b.binary && b.added == 0 && b.new_size == Some(3004) && b.old_size.is_none());
    let b = &by_id(&h, &ids["binary_rewrite"]).files[0];
    assert!(
        b.binary
            && b.kind == ChangeKind::Modified
            && b.old_size == Some(3004)
            && b.new_size == Some(3007)
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
    let v1 = h.tags.iter().find(|t| t.name == "v1.0").unwrap();
    assert!(v1.annotated && !v1.signed && v1.target == ids["delete"]);
    assert_eq!(v1.time, Some(1_700_001_500));
    assert_eq!(v1.tagger.as_ref().unwrap().name, "Bob Builder");

    // Identities and timelines.
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
        Some((1_700_001_000, ids["bob"].clone()))
    );
    assert!(alice_t.first_tag.is_none());
    assert_eq!(alice_t.hours_utc.iter().sum::<u32>(), alice_t.commits);
}

fn lines_len() -> u64 {
    (1..=50)
        .map(|i: u32| format!("line {i}\n").len() as u64)
        .sum()
}

#[test]
fn range_since_and_limit() {
    if !git_ok() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let ids = build(dir);
    let range = MineOptions {
        range: Some((ids["bob"].clone(), "HEAD".into())),
        ..Default::default()
    };
    let h = mine(dir, &range).unwrap();
    let got: Vec<&str> = h.commits.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(
        got,
        vec![&ids["delete"], &ids["carol2"], &ids["carol1"], &ids["bob2"]]
    );
    let since = MineOptions {
        since: Some(1_700_001_200),
        ..Default::default()
    };
    assert_eq!(mine(dir, &since).unwrap().commits.len(), 3);
    let lim = MineOptions {
        max_commits: Some(2),
        threads: 1,
        ..Default::default()
    };
    assert_eq!(mine(dir, &lim).unwrap().commits.len(), 2);
    assert!(mine(&dir.join("nope"), &MineOptions::default()).is_err());
    let bad = MineOptions {
        range: Some(("nope".into(), "HEAD".into())),
        ..Default::default()
    };
    assert!(mine(dir, &bad).is_err());
}

#[test]
fn cache_reuses_and_survives_corruption() {
    if !git_ok() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("repo");
    std::fs::create_dir(&dir).unwrap();
    let cache = tmp.path().join("cache");
    build(&dir);
    let full = mine(&dir, &MineOptions::default()).unwrap();
    let first = mine_cached(&dir, &MineOptions::default(), &cache).unwrap();
    assert_eq!(first.commits, full.commits);
    let files: Vec<_> = std::fs::read_dir(&cache).unwrap().collect();
    assert_eq!(files.len(), 1);
    write(&dir, "new.txt", b"1\n2\n");
    let new = commit(&dir, "new", 1_700_002_000, &[]);
    let second = mine_cached(&dir, &MineOptions::default(), &cache).unwrap();
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
    let third = mine_cached(&dir, &MineOptions::default(), &cache).unwrap();
    assert_eq!(third.commits, second.commits);
    assert!(
        third.warnings.iter().any(|w| w.contains("rebuilt")),
        "{:?}",
        third.warnings
    );
    let fourth = mine_cached(&dir, &MineOptions::default(), &cache).unwrap();
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
    let out = git(
        dir,
        &[
            "-c",
            "core.quotePath=false",
            "log",
            "--numstat",
            "--no-renames",
            "--no-merges",
            "--format=%H",
        ],
        &[],
    );
    let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut cur = String::new();
    for line in out.lines() {
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

/// Compare; returns (commits compared, mismatching commit ids).
fn differential(dir: &Path) -> (usize, Vec<String>) {
    let h = mine(dir, &MineOptions::default()).unwrap();
    assert!(h.warnings.is_empty(), "{:?}", h.warnings);
    let ours = render(&h);
    let theirs = git_numstat(dir);
    assert_eq!(
        ours.keys().collect::<Vec<_>>(),
        theirs.keys().collect::<Vec<_>>()
    );
    let bad: Vec<String> = ours
        .iter()
        .filter(|(id, v)| theirs.get(*id) != Some(v))
        .map(|(id, v)| format!("{id}: ours {v:?} git {:?}", theirs.get(id)))
        .collect();
    (ours.len(), bad)
}

#[test]
fn differential_test_repo() {
    if !git_ok() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    build(tmp.path());
    let (n, bad) = differential(tmp.path());
    assert_eq!(n, 14);
    assert!(bad.is_empty(), "{bad:#?}");
}

/// On a real, growing history (this repository, whose commits change after every session) file
/// lists and binary flags must equal git's exactly; line counts may differ on a few large
/// rewrites, where imara-diff's Myers heuristics (pruning of frequent lines, cost limit) differ
/// from xdiff's (see the crate docs), so the test bounds that share instead of naming commits.
#[test]
fn differential_this_repository() {
    let root = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."));
    if !git_ok() || !root.join(".git").exists() {
        eprintln!("not in a git checkout: skipped");
        return;
    }
    let h = mine(root, &MineOptions::default()).unwrap();
    let ours = render(&h);
    let theirs = git_numstat(root);
    assert_eq!(
        ours.keys().collect::<Vec<_>>(),
        theirs.keys().collect::<Vec<_>>()
    );
    // Lines keyed by path: the rendered lines sort by their counts first, so a count that
    // differs from git's must not reorder the file list.
    let by_path = |lines: &Vec<String>| -> BTreeMap<String, (bool, String)> {
        lines
            .iter()
            .map(|l| {
                let f: Vec<&str> = l.splitn(3, '\t').collect();
                (
                    f.get(2).unwrap_or(&"").to_string(),
                    (f.first() == Some(&"-"), l.clone()),
                )
            })
            .collect()
    };
    let mut entries = 0usize;
    let mut count_mismatches = Vec::new();
    for (id, v) in &ours {
        let (ours, git) = (by_path(v), by_path(&theirs[id]));
        let shape = |m: &BTreeMap<String, (bool, String)>| -> Vec<(String, bool)> {
            m.iter().map(|(p, (bin, _))| (p.clone(), *bin)).collect()
        };
        assert_eq!(
            shape(&ours),
            shape(&git),
            "{id}: file list or binary flags differ"
        );
        entries += v.len();
        for (path, (_, a)) in &ours {
            let b = &git[path].1;
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
