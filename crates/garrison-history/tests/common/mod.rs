//! Builds small repositories with real `git` for the history tests: commits by chosen people at
//! chosen times and UTC offsets, `--no-ff` merges by a chosen committer, commits committed by
//! GitHub's web flow, annotated tags, binary blobs. Also the XZ-Utils-like story shared by the
//! library tests and the CLI tests (`crates/garrison/tests/history.rs` includes this file).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Is a `git` executable available?
pub fn git_ok() -> bool {
    Command::new("git")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Seconds in a day.
pub const DAY: i64 = 86_400;

/// A person as git records them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Who {
    pub name: &'static str,
    pub email: &'static str,
}

/// GitHub's web-flow committer (squash/rebase merges and edits through the web UI).
pub const GITHUB: Who = Who {
    name: "GitHub",
    email: "noreply@github.com",
};

/// A moment with its UTC offset in minutes (east positive), as git stores it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct When {
    pub time: i64,
    pub offset: i32,
}

/// `time` at UTC+00:00.
pub fn utc(time: i64) -> When {
    When { time, offset: 0 }
}

/// `time` at the given UTC offset (minutes, east positive).
pub fn at(time: i64, offset: i32) -> When {
    When { time, offset }
}

impl When {
    /// git's `<unix> <+hhmm>` date format.
    pub fn git(self) -> String {
        let sign = if self.offset < 0 { '-' } else { '+' };
        let o = self.offset.abs();
        format!("{} {sign}{:02}{:02}", self.time, o / 60, o % 60)
    }

    /// The same offset, `secs` later.
    pub fn plus(self, secs: i64) -> When {
        When {
            time: self.time + secs,
            offset: self.offset,
        }
    }
}

/// `hour`:00 local time on day `day` after `start` (a UTC midnight), at `offset`.
pub fn local(start: i64, day: i64, hour: i64, offset: i32) -> When {
    at(
        start + day * DAY + hour * 3600 - i64::from(offset) * 60,
        offset,
    )
}

/// `len` bytes that git considers binary (NUL bytes early), different for each `seed`, starting
/// with the xz magic so the test files look like what they pretend to be.
pub fn blob(len: usize, seed: u32) -> Vec<u8> {
    let mut v = b"\xfd7zXZ\x00\x00".to_vec();
    let mut x = seed.wrapping_mul(2_654_435_761).wrapping_add(12_345);
    while v.len() < len {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        v.push((x >> 11) as u8);
    }
    v.truncate(len);
    v
}

/// `n` lines of text, different for each `seed`.
pub fn text(n: usize, seed: u32) -> String {
    (0..n)
        .map(|i| format!("line {i} of version {seed}\n"))
        .collect()
}

/// A git repository, in a temporary directory removed on drop or at a fixed path.
pub struct Repo {
    path: PathBuf,
    _tmp: Option<tempfile::TempDir>,
}

impl Repo {
    /// `git init -b main` in a new temporary directory.
    pub fn new() -> Repo {
        let tmp = tempfile::tempdir().unwrap();
        Repo::init(tmp.path().to_path_buf(), Some(tmp))
    }

    /// `git init -b main` at `path`, emptied first; kept after the test (for a repository
    /// shared by the tests of a process, under Cargo's test temporary directory).
    pub fn at(path: &Path) -> Repo {
        if path.exists() {
            std::fs::remove_dir_all(path).unwrap();
        }
        std::fs::create_dir_all(path).unwrap();
        Repo::init(path.to_path_buf(), None)
    }

    fn init(path: PathBuf, tmp: Option<tempfile::TempDir>) -> Repo {
        let r = Repo { path, _tmp: tmp };
        r.git(&["init", "-q", "-b", "main"], &[]);
        r
    }

    /// The work tree.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Run git with a clean configuration, no signing and a placeholder identity (overridden
    /// through `env`); panics with git's stderr when it fails.
    pub fn git(&self, args: &[&str], env: &[(&str, String)]) -> String {
        let mut cmd = Command::new("git");
        cmd.current_dir(self.path())
            .args([
                "-c",
                "commit.gpgsign=false",
                "-c",
                "tag.gpgsign=false",
                "-c",
                "core.autocrlf=false",
            ])
            .args(args)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "Placeholder")
            .env("GIT_AUTHOR_EMAIL", "placeholder@example.invalid")
            .env("GIT_COMMITTER_NAME", "Placeholder")
            .env("GIT_COMMITTER_EMAIL", "placeholder@example.invalid")
            .env("GIT_AUTHOR_DATE", "1500000000 +0000")
            .env("GIT_COMMITTER_DATE", "1500000000 +0000");
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

    /// Write a file (creating directories).
    pub fn write(&self, path: &str, data: impl AsRef<[u8]>) {
        let p = self.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, data).unwrap();
    }

    /// Append to a text file.
    pub fn append(&self, path: &str, data: &str) {
        let p = self.path().join(path);
        let mut old = std::fs::read_to_string(&p).unwrap_or_default();
        old.push_str(data);
        self.write(path, old);
    }

    /// Delete a file.
    pub fn remove(&self, path: &str) {
        std::fs::remove_file(self.path().join(path)).unwrap();
    }

    /// `HEAD`'s id, read from `.git` (one process less per commit), else from `git rev-parse`.
    pub fn head(&self) -> String {
        let git = self.path().join(".git");
        let head = std::fs::read_to_string(git.join("HEAD")).unwrap_or_default();
        let id = match head.trim().strip_prefix("ref: ") {
            Some(r) => std::fs::read_to_string(git.join(r)).unwrap_or_default(),
            None => head,
        };
        let id = id.trim();
        if id.len() == 40 && id.bytes().all(|b| b.is_ascii_hexdigit()) {
            id.to_string()
        } else {
            self.rev("HEAD")
        }
    }

    /// A revision's commit id.
    pub fn rev(&self, rev: &str) -> String {
        self.git(&["rev-parse", &format!("{rev}^{{commit}}")], &[])
            .trim()
            .to_string()
    }

    /// Stage everything and commit it, authored and committed by `author` at `when`.
    pub fn commit(&self, msg: &str, author: Who, when: When) -> String {
        self.commit_as(msg, author, when, author, when)
    }

    /// Stage everything and commit it with separate author and committer.
    pub fn commit_as(
        &self,
        msg: &str,
        author: Who,
        authored: When,
        committer: Who,
        committed: When,
    ) -> String {
        self.git(&["add", "-A"], &[]);
        self.git(
            &["commit", "-q", "--allow-empty", "-m", msg],
            &identity(author, authored, committer, committed),
        );
        self.head()
    }

    /// `git checkout -b name` from the current commit.
    pub fn branch(&self, name: &str) {
        self.git(&["checkout", "-q", "-b", name], &[]);
    }

    /// `git checkout name`.
    pub fn checkout(&self, name: &str) {
        self.git(&["checkout", "-q", name], &[]);
    }

    /// `git merge --no-ff branch` into the current branch, made by `by` at `when`.
    pub fn merge(&self, branch: &str, by: Who, when: When) -> String {
        let msg = format!("Merge branch '{branch}'");
        self.git(
            &["merge", "-q", "--no-ff", "-m", &msg, branch],
            &identity(by, when, by, when),
        );
        self.head()
    }

    /// A pull request: branch `name` from the current commit of `main`, one commit by `author`
    /// writing `files`, merged with `--no-ff` by `merger` a day later. Returns (commit, merge).
    pub fn pull_request(
        &self,
        name: &str,
        msg: &str,
        files: &[(&str, &[u8])],
        author: Who,
        when: When,
        merger: Who,
    ) -> (String, String) {
        self.branch(name);
        for (p, d) in files {
            self.write(p, d);
        }
        let c = self.commit(msg, author, when);
        self.checkout("main");
        let m = self.merge(name, merger, when.plus(DAY));
        (c, m)
    }

    /// `n` routine commits by `who` (a line appended to `src/core.py`), one every `every` days
    /// from `from`, at varying daytime hours. Returns the time of the last one.
    pub fn routine(&self, who: Who, from: When, n: usize, every: i64) -> When {
        let mut when = from;
        for k in 0..n {
            when = from.plus(k as i64 * every * DAY + (k as i64 % 5) * 1800);
            self.append(
                "src/core.py",
                &format!("# routine change {k} by {}\n", who.name),
            );
            self.commit(&format!("core: routine change {k}"), who, when);
        }
        when
    }

    /// Annotated tag on `HEAD` by `tagger` at `when`.
    pub fn tag(&self, name: &str, tagger: Who, when: When) {
        self.git(
            &["tag", "-a", name, "-m", &format!("release {name}")],
            &identity(tagger, when, tagger, when),
        );
    }
}

fn identity(
    author: Who,
    authored: When,
    committer: Who,
    committed: When,
) -> Vec<(&'static str, String)> {
    vec![
        ("GIT_AUTHOR_NAME", author.name.to_string()),
        ("GIT_AUTHOR_EMAIL", author.email.to_string()),
        ("GIT_AUTHOR_DATE", authored.git()),
        ("GIT_COMMITTER_NAME", committer.name.to_string()),
        ("GIT_COMMITTER_EMAIL", committer.email.to_string()),
        ("GIT_COMMITTER_DATE", committed.git()),
    ]
}

// ---- the XZ-Utils-like story ----

/// The long-time maintainer.
pub const LASSE: Who = Who {
    name: "Lasse Collin",
    email: "lasse@tukaani.example",
};
/// The newcomer who earns trust, then rewrites the test files.
pub const JIA: Who = Who {
    name: "Jia Tan",
    email: "jiat@example.org",
};
/// An occasional contributor whose pull requests Lasse merges.
pub const BOB: Who = Who {
    name: "Bob Contributor",
    email: "bob@example.net",
};
/// A contributor whose patch Jia commits (Jia's first sign of push rights).
pub const HANS: Who = Who {
    name: "Hans Jansen",
    email: "hans@example.net",
};

/// Lasse's offset (Finland, UTC+02:00) and Jia's (UTC+08:00).
pub const EET: i32 = 120;
pub const CST: i32 = 480;

/// Size of the rewritten `good-large_compressed.lzma`, and of the other fixtures.
pub const LARGE: usize = 40 * 1024;
pub const SMALL: usize = 400;

/// The ordinary test fixtures Lasse commits in the first commit.
pub const FIXTURES: [&str; 5] = [
    "tests/files/good-1-check-crc32.xz",
    "tests/files/good-1-check-crc64.xz",
    "tests/files/good-2-lzma2.xz",
    "tests/files/bad-0-header_magic.xz",
    "tests/files/bad-1-block_header.xz",
];

/// The XZ-Utils-like history, all dates from `start` on:
///
/// * year 0–3: Lasse (UTC+02:00, 10:00–18:00) maintains the project: a commit every six weeks,
///   a pull request by Bob merged every quarter, releases v5.0.0 and v5.2.0 tagged by Lasse;
/// * day 1100 on: Jia (UTC+08:00) sends six ordinary patches through pull requests merged by
///   Lasse, a month apart;
/// * day 1290: Jia commits Hans's patch (committed someone else's work: push rights);
/// * day 1300: Jia tags v5.4.0;
/// * day 1320: Jia pushes "Tests: Add a few test files" (two binary fixtures and a README line);
/// * day 1350: Jia pushes "Tests: Update two test files": both fixtures rewritten, no text
///   file changed, `good-large_compressed.lzma` now 40 KiB among 400-byte siblings;
/// * day 1360: Lasse's ordinary commit after it.
///
/// Returns commit ids by label (`rewrite`, `add_fixtures`, `hans`, `jia_pr1`…).
pub fn xz_story(r: &Repo, start: i64) -> BTreeMap<&'static str, String> {
    let mut ids = BTreeMap::new();
    let lasse = |day: i64, hour: i64| local(start, day, hour, EET);
    let jia = |day: i64, hour: i64| local(start, day, hour, CST);

    r.write("README", "XZ Utils\n");
    r.write("src/liblzma/common.c", text(60, 0));
    r.write("src/xz/main.c", text(40, 0));
    r.write(
        "CMakeLists.txt",
        "project(xz C)\nadd_library(lzma src/liblzma/common.c)\n",
    );
    r.write(
        "tests/test_files.sh",
        "#!/bin/sh\nfor f in files/*.xz; do xz -t $f; done\n",
    );
    r.write("tests/files/README", "Test files\n");
    for (i, f) in FIXTURES.iter().enumerate() {
        r.write(f, blob(SMALL + i * 20, i as u32));
    }
    ids.insert("root", r.commit("Initial import", LASSE, lasse(0, 11)));

    // Three years of routine maintenance.
    let mut pr = 0;
    for k in 1..=24i64 {
        let day = k * 45;
        r.append("src/liblzma/common.c", &format!("/* fix {k} */\n"));
        r.commit(&format!("liblzma: Fix {k}"), LASSE, lasse(day, 10 + k % 8));
        if k % 3 == 0 {
            pr += 1;
            let name = format!("bob-{pr}");
            let body = text(3, pr);
            r.pull_request(
                &name,
                &format!("xz: Improve message {pr}"),
                &[(&format!("src/xz/msg{pr}.c"), body.as_bytes())],
                BOB,
                at(start + (day + 5) * DAY, -300),
                LASSE,
            );
        }
        if k == 8 {
            r.tag("v5.0.0", LASSE, lasse(day + 2, 12));
        }
        if k == 20 {
            r.tag("v5.2.0", LASSE, lasse(day + 2, 12));
        }
    }

    // Jia arrives: ordinary patches merged by Lasse.
    for n in 1..=6i64 {
        let day = 1100 + n * 30;
        let body = text(5, 100 + n as u32);
        let (c, _) = r.pull_request(
            &format!("jia-{n}"),
            &format!("xz: Translate message catalogue part {n}"),
            &[(&format!("po/part{n}.po"), body.as_bytes())],
            JIA,
            jia(day, 14),
            LASSE,
        );
        if n == 1 {
            ids.insert("jia_pr1", c);
        }
    }

    // Jia commits someone else's work: push rights.
    r.append("src/xz/main.c", "/* Hans: speed up */\n");
    ids.insert(
        "hans",
        r.commit_as(
            "liblzma: Speed up the decoder",
            HANS,
            at(start + 1285 * DAY, 60),
            JIA,
            jia(1290, 15),
        ),
    );
    r.tag("v5.4.0", JIA, jia(1300, 16));

    // Binary fixtures added, then rewritten.
    r.write("tests/files/bad-3-corrupt_lzma2.xz", blob(SMALL, 77));
    r.write(
        "tests/files/good-large_compressed.lzma",
        blob(SMALL + 200, 78),
    );
    r.append(
        "tests/files/README",
        "bad-3-corrupt_lzma2.xz has a corrupt stream\n",
    );
    ids.insert(
        "add_fixtures",
        r.commit("Tests: Add a few test files", JIA, jia(1320, 13)),
    );
    r.write("tests/files/bad-3-corrupt_lzma2.xz", blob(SMALL + 112, 79));
    r.write("tests/files/good-large_compressed.lzma", blob(LARGE, 80));
    ids.insert(
        "rewrite",
        r.commit("Tests: Update two test files", JIA, jia(1350, 13)),
    );

    r.append("src/liblzma/common.c", "/* after */\n");
    ids.insert(
        "after",
        r.commit("liblzma: Tidy up", LASSE, lasse(1360, 11)),
    );
    ids
}

/// The change evidence every signal gives commit `id` of `h`, judged with an empty author
/// state (so context signals do not matter).
pub fn change_evidence(
    h: &garrison_history::History,
    id: &str,
) -> Vec<garrison_history::rules::Evidence> {
    use garrison_history::rules::{CommitCx, Role};
    let lands = garrison_history::landings(h);
    let (i, c) = h
        .commits
        .iter()
        .enumerate()
        .find(|(_, c)| c.id == id)
        .expect("commit mined");
    let state = garrison_history::AuthorState::default();
    let cx = CommitCx {
        commit: c,
        landing: &lands[i],
        author: &state,
        author_label: "someone",
        pending: false,
        self_landed: false,
    };
    let mut out = Vec::new();
    for s in garrison_history::registry::SIGNALS {
        s.check(&cx, &mut out);
    }
    out.retain(|e| e.role == Role::Change);
    out
}
