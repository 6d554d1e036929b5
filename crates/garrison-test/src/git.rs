//! Real git repositories for tests, made with the `git` command: from Rust ([`Repo`]: commits
//! by chosen people at chosen times and UTC offsets, `--no-ff` merges, annotated and signed-looking
//! tags, binary blobs) or from a small, readable commit script ([`build`]).
//!
//! # Commit scripts
//!
//! One statement per line; `#` starts a comment line; blank lines are ignored; indentation is
//! free. File contents are written as lines starting with `|` (the `| ` prefix is removed; a lone
//! `|` is an empty line; every line ends with a newline).
//!
//! ```text
//! person mara = Mara Maintainer <mara@example.org>
//! author mara                      # author and committer of the next commits
//! date 2020-09-14T10:00+02:00      # ISO 8601 with an offset (or Z); `@UNIX +HHMM` also works
//!
//! commit [root] initial import     # an optional [label] names the commit for the test
//!   write setup.py
//!   | from setuptools import setup
//!   | setup(name="pkg")
//!   write tests/data/ref.npy binary 2000 seed 1
//!
//! date +3d                         # later by 3 days (also h, w); the offset stays
//! commit [exfil] setup: report install stats
//!   append setup.py
//!   | import requests
//!   replace setup.py               # the `-` lines, found once, become the `+` lines
//!   - setup(name="pkg")
//!   + setup(name="pkg", version="2")
//!   delete tests/data/ref.npy
//! ```
//!
//! A `commit` line is followed by its changes; the commit is made at the next statement that is
//! not a change (or at the end of the script), with the author, committer and date set before
//! its `commit` line. Statements:
//!
//! - `person NAME = Full Name <email>`: a short name for an identity (any identity may also be
//!   written in full wherever a person is expected).
//! - `author PERSON`: author and committer of the next commits; `committer PERSON`: a different
//!   committer until the next `author`.
//! - `date WHEN`: `YYYY-MM-DD[THH:MM[:SS]](Z|±HH:MM)` (a date alone is midnight UTC), `@UNIX
//!   ±HHMM`, or `+N(d|h|w)` after the current date (same offset). The first date defaults to
//!   2020-01-01T00:00Z.
//! - `commit [LABEL] MESSAGE`; changes inside it:
//!   `write PATH` (+ content lines; `write PATH noeol` drops the last newline), `write PATH
//!   binary SIZE [seed N]` (bytes git calls binary,
//!   starting with the xz magic), `write PATH lines N [seed N]` (generated text lines), `append
//!   PATH` (+ content lines), `replace PATH` (+ `- old` and `+ new` lines), `delete PATH`, `move
//!   OLD NEW`, `chmod +x PATH` / `chmod -x PATH`.
//! - `branch NAME` (create it at the current commit and switch to it), `checkout NAME`,
//!   `merge [LABEL] BRANCH` (`--no-ff`, message `Merge branch 'BRANCH'`, by the current author at
//!   the current date).
//! - `tag NAME` (annotated, by the current author at the current date), `tag NAME lightweight`,
//!   `tag NAME signed` (an annotated tag whose message carries an SSH signature block; not a
//!   valid signature).
//! - `repeat N [every DURATION]` … `end`: the enclosed statements N times, `{n}` replaced by
//!   0…N-1, the date advanced by DURATION before every round but the first.
//! - `routine N every DURATION`: N routine commits by the current author ([`Repo::routine`]).

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Seconds in a day.
pub const DAY: i64 = 86_400;

/// Whether a test that needs `git` can run: true when `git` is installed; otherwise false
/// locally (the test returns early) and a failure under CI (see [`crate::require`]).
pub fn require_git() -> bool {
    crate::require::program("git", &["--version"])
}

/// A person as git records them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Who {
    /// Display name.
    pub name: Cow<'static, str>,
    /// Email address.
    pub email: Cow<'static, str>,
}

impl Who {
    /// A person known when the test is written (usable in a `const`).
    pub const fn of(name: &'static str, email: &'static str) -> Who {
        Who {
            name: Cow::Borrowed(name),
            email: Cow::Borrowed(email),
        }
    }

    /// A person read from a script.
    pub fn new(name: &str, email: &str) -> Who {
        Who {
            name: Cow::Owned(name.to_string()),
            email: Cow::Owned(email.to_string()),
        }
    }
}

/// GitHub's web-flow committer (squash/rebase merges and edits through the web UI).
pub const GITHUB: Who = Who::of("GitHub", "noreply@github.com");

/// A moment with its UTC offset in minutes (east positive), as git stores it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct When {
    /// Unix seconds.
    pub time: i64,
    /// UTC offset in minutes.
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

/// `hour`:00 local time on day `day` after `start` (a UTC midnight), at `offset`.
pub fn local(start: i64, day: i64, hour: i64, offset: i32) -> When {
    at(
        start + day * DAY + hour * 3600 - i64::from(offset) * 60,
        offset,
    )
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

/// `len` bytes that git considers binary (NUL bytes early), different for each `seed`, starting
/// with the xz magic so test files look like what they pretend to be.
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

/// A git repository, in a temporary directory removed on drop, or at a fixed path.
pub struct Repo {
    path: PathBuf,
    _tmp: Option<tempfile::TempDir>,
}

impl Default for Repo {
    fn default() -> Repo {
        Repo::new()
    }
}

fn check(what: &str, r: std::io::Result<()>) {
    if let Err(e) = r {
        panic!("{what}: {e}");
    }
}

impl Repo {
    /// `git init -b main` in a new temporary directory.
    pub fn new() -> Repo {
        let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("temporary directory: {e}"));
        Repo::init(tmp.path().to_path_buf(), Some(tmp))
    }

    /// `git init -b main` at `path`, emptied first; kept after the test (for a repository
    /// shared by the tests of a process, under Cargo's test temporary directory).
    pub fn at(path: &Path) -> Repo {
        if path.exists() {
            check("remove old repository", std::fs::remove_dir_all(path));
        }
        check("create repository", std::fs::create_dir_all(path));
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

    /// Runs git with a clean configuration, no signing and a placeholder identity (overridden
    /// through `env`); panics with git's stderr when it fails. Returns its standard output.
    pub fn git(&self, args: &[&str], env: &[(&str, String)]) -> String {
        self.git_with_input(args, env, None)
    }

    fn git_with_input(
        &self,
        args: &[&str],
        env: &[(&str, String)],
        input: Option<&[u8]>,
    ) -> String {
        use std::io::Write as _;
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
            .env("GIT_COMMITTER_DATE", "1500000000 +0000")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().unwrap_or_else(|e| panic!("git {args:?}: {e}"));
        if let Some(mut stdin) = child.stdin.take() {
            check("git stdin", stdin.write_all(input.unwrap_or_default()));
        }
        let out = child
            .wait_with_output()
            .unwrap_or_else(|e| panic!("git {args:?}: {e}"));
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Writes a file (creating directories).
    pub fn write(&self, path: &str, data: impl AsRef<[u8]>) {
        let p = self.path().join(path);
        if let Some(dir) = p.parent() {
            check("create directory", std::fs::create_dir_all(dir));
        }
        check(path, std::fs::write(p, data));
    }

    /// Reads a file of the work tree (empty when missing).
    pub fn read(&self, path: &str) -> String {
        std::fs::read_to_string(self.path().join(path)).unwrap_or_default()
    }

    /// Appends to a text file.
    pub fn append(&self, path: &str, data: &str) {
        let mut old = self.read(path);
        old.push_str(data);
        self.write(path, old);
    }

    /// Deletes a file.
    pub fn remove(&self, path: &str) {
        check(path, std::fs::remove_file(self.path().join(path)));
    }

    /// Makes a file executable (or not).
    pub fn set_executable(&self, path: &str, exec: bool) {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = if exec { 0o755 } else { 0o644 };
            let p = self.path().join(path);
            check(
                path,
                std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)),
            );
        }
        #[cfg(not(unix))]
        {
            let flag = if exec { "--chmod=+x" } else { "--chmod=-x" };
            self.git(&["add", flag, path], &[]);
        }
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

    /// Stages everything and commits it, authored and committed by `author` at `when`.
    pub fn commit(&self, msg: &str, author: &Who, when: When) -> String {
        self.commit_as(msg, author, when, author, when)
    }

    /// Stages everything and commits it with separate author and committer.
    pub fn commit_as(
        &self,
        msg: &str,
        author: &Who,
        authored: When,
        committer: &Who,
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
    pub fn merge(&self, branch: &str, by: &Who, when: When) -> String {
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
        author: &Who,
        when: When,
        merger: &Who,
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
    /// from `from`, at varying daytime half hours. Returns the time of the last one.
    pub fn routine(&self, who: &Who, from: When, n: usize, every: i64) -> When {
        let mut when = from;
        for k in 0..n {
            let k = i64::try_from(k).unwrap_or(i64::MAX);
            when = from.plus(k * every * DAY + (k % 5) * 1800);
            self.append(
                "src/core.py",
                &format!("# routine change {k} by {}\n", who.name),
            );
            self.commit(&format!("core: routine change {k}"), who, when);
        }
        when
    }

    /// Annotated tag on `HEAD` by `tagger` at `when`.
    pub fn tag(&self, name: &str, tagger: &Who, when: When) {
        self.git(
            &["tag", "-a", name, "-m", &format!("release {name}")],
            &identity(tagger, when, tagger, when),
        );
    }

    /// Lightweight tag on `HEAD`.
    pub fn lightweight_tag(&self, name: &str) {
        self.git(&["tag", name], &[]);
    }

    /// An annotated tag on `HEAD` whose message carries an SSH signature block (made with
    /// `git mktag`; the block is not a valid signature, only its presence is tested).
    pub fn signed_tag(&self, name: &str, tagger: &Who, when: When) {
        let body = format!(
            "object {}\ntype commit\ntag {name}\ntagger {} <{}> {}\n\nRelease {name}\n-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n-----END SSH SIGNATURE-----\n",
            self.head(),
            tagger.name,
            tagger.email,
            when.git()
        );
        let id = self.git_with_input(&["mktag"], &[], Some(body.as_bytes()));
        self.git(
            &["update-ref", &format!("refs/tags/{name}"), id.trim()],
            &[],
        );
    }
}

fn identity(
    author: &Who,
    authored: When,
    committer: &Who,
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

// ---- commit scripts ----

/// A repository built from a commit script, with its labelled commits.
pub struct Built {
    /// The repository.
    pub repo: Repo,
    /// Commit ids by label (`commit [label] …`, `merge [label] …`).
    pub ids: BTreeMap<String, String>,
}

impl Built {
    /// The id of the commit labelled `label`; panics when there is none.
    pub fn id(&self, label: &str) -> &str {
        self.ids
            .get(label)
            .unwrap_or_else(|| panic!("no commit labelled [{label}] in {:?}", self.ids.keys()))
    }

    /// The work tree.
    pub fn path(&self) -> &Path {
        self.repo.path()
    }
}

/// A mistake in a commit script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptError {
    /// 1-based line.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ScriptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "commit script line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for ScriptError {}

/// Builds a repository (in a temporary directory) from a commit script; panics on a mistake in
/// the script, naming its line.
pub fn build(script: &str) -> Built {
    build_in(Repo::new(), script).unwrap_or_else(|e| panic!("{e}"))
}

/// Builds the commit script `script` into `repo` (a fresh [`Repo`]).
pub fn build_in(repo: Repo, script: &str) -> Result<Built, ScriptError> {
    let lines = expand(script)?;
    let mut b = Builder {
        repo,
        ids: BTreeMap::new(),
        people: BTreeMap::new(),
        author: Who::new("Placeholder", "placeholder@example.invalid"),
        committer: None,
        date: utc(1_577_836_800),
        pending: None,
    };
    let mut i = 0;
    while i < lines.len() {
        i = b.statement(&lines, i)?;
    }
    b.flush()?;
    Ok(Built {
        repo: b.repo,
        ids: b.ids,
    })
}

/// One script line after `repeat` expansion: its 1-based number and text.
type Line = (usize, String);

/// Expands `repeat N [every D]` … `end` blocks (nested), substituting `{n}`; drops comments and
/// blank lines. A `date +D` is inserted before every round but the first.
fn expand(script: &str) -> Result<Vec<Line>, ScriptError> {
    let raw: Vec<Line> = script
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.to_string()))
        .filter(|(_, l)| {
            let t = l.trim_start();
            !t.is_empty() && !t.starts_with('#')
        })
        .collect();
    let (out, rest) = expand_block(&raw, 0)?;
    match raw.get(rest) {
        Some((no, _)) => Err(err(*no, "`end` without `repeat`")),
        None => Ok(out),
    }
}

fn expand_block(raw: &[Line], mut i: usize) -> Result<(Vec<Line>, usize), ScriptError> {
    let mut out = Vec::new();
    while let Some((no, l)) = raw.get(i) {
        let t = l.trim();
        if t == "end" {
            return Ok((out, i));
        }
        if let Some(args) = t.strip_prefix("repeat ") {
            let mut words = args.split_whitespace();
            let n: usize = words
                .next()
                .and_then(|w| w.parse().ok())
                .ok_or_else(|| err(*no, "expected `repeat N [every DURATION]`"))?;
            let every = match (words.next(), words.next()) {
                (Some("every"), Some(d)) => Some(d.to_string()),
                (None, _) => None,
                _ => return Err(err(*no, "expected `repeat N [every DURATION]`")),
            };
            let (body, end) = expand_block(raw, i + 1)?;
            if raw.get(end).is_none() {
                return Err(err(*no, "`repeat` without `end`"));
            }
            for k in 0..n {
                if k > 0
                    && let Some(d) = &every
                {
                    out.push((*no, format!("date +{d}")));
                }
                out.extend(
                    body.iter()
                        .map(|(bn, bl)| (*bn, bl.replace("{n}", &k.to_string()))),
                );
            }
            i = end + 1;
            continue;
        }
        out.push((*no, l.clone()));
        i += 1;
    }
    Ok((out, i))
}

fn err(line: usize, message: impl Into<String>) -> ScriptError {
    ScriptError {
        line,
        message: message.into(),
    }
}

/// A commit being written: its label and message.
struct Pending {
    line: usize,
    label: Option<String>,
    message: String,
}

struct Builder {
    repo: Repo,
    ids: BTreeMap<String, String>,
    people: BTreeMap<String, Who>,
    author: Who,
    committer: Option<Who>,
    date: When,
    pending: Option<Pending>,
}

/// `[label] rest` → (Some(label), rest).
fn label(s: &str) -> (Option<String>, &str) {
    if let Some(r) = s.strip_prefix('[')
        && let Some((l, rest)) = r.split_once(']')
    {
        return (Some(l.trim().to_string()), rest.trim());
    }
    (None, s.trim())
}

impl Builder {
    /// Makes the pending commit, if any.
    fn flush(&mut self) -> Result<(), ScriptError> {
        let Some(p) = self.pending.take() else {
            return Ok(());
        };
        let committer = self
            .committer
            .clone()
            .unwrap_or_else(|| self.author.clone());
        let id = self
            .repo
            .commit_as(&p.message, &self.author, self.date, &committer, self.date);
        if let Some(l) = p.label {
            if self.ids.contains_key(&l) {
                return Err(err(p.line, format!("label [{l}] used twice")));
            }
            self.ids.insert(l, id);
        }
        Ok(())
    }

    fn person(&self, no: usize, s: &str) -> Result<Who, ScriptError> {
        let s = s.trim();
        if let Some(w) = self.people.get(s) {
            return Ok(w.clone());
        }
        match s.rsplit_once('<') {
            Some((name, email)) if email.ends_with('>') => {
                Ok(Who::new(name.trim(), email.trim_end_matches('>').trim()))
            }
            _ => Err(err(
                no,
                format!("`{s}`: expected a person's short name or `Full Name <email>`"),
            )),
        }
    }

    /// Content lines (`| text`) from `i`; returns the text and the next line's index.
    fn content(lines: &[Line], mut i: usize) -> (String, usize) {
        let mut out = String::new();
        while let Some((_, l)) = lines.get(i) {
            let t = l.trim_start();
            let Some(rest) = t.strip_prefix('|') else {
                break;
            };
            out.push_str(rest.strip_prefix(' ').unwrap_or(rest));
            out.push('\n');
            i += 1;
        }
        (out, i)
    }

    /// Runs the statement at `i`; returns the index of the next one.
    fn statement(&mut self, lines: &[Line], i: usize) -> Result<usize, ScriptError> {
        let Some((no, line)) = lines.get(i) else {
            return Ok(i + 1);
        };
        let no = *no;
        let t = line.trim();
        let (word, rest) = t.split_once(char::is_whitespace).unwrap_or((t, ""));
        let rest = rest.trim();
        let change = matches!(
            word,
            "write" | "append" | "replace" | "delete" | "move" | "chmod"
        );
        if change && self.pending.is_none() {
            return Err(err(no, format!("`{word}` outside a commit")));
        }
        if !change {
            self.flush()?;
        }
        let need = |n: usize| {
            let parts: Vec<&str> = rest.split_whitespace().collect();
            if parts.len() < n {
                Err(err(no, format!("`{word}`: expected {n} argument(s)")))
            } else {
                Ok(parts)
            }
        };
        match word {
            "person" => {
                let (name, who) = rest
                    .split_once('=')
                    .ok_or_else(|| err(no, "expected `person NAME = Full Name <email>`"))?;
                let who = self.person(no, who)?;
                self.people.insert(name.trim().to_string(), who);
            }
            "author" => {
                self.author = self.person(no, rest)?;
                self.committer = None;
            }
            "committer" => self.committer = Some(self.person(no, rest)?),
            "date" => self.date = parse_date(rest, self.date).map_err(|m| err(no, m))?,
            "commit" => {
                let (label, message) = label(rest);
                if message.is_empty() {
                    return Err(err(no, "`commit`: a message is needed"));
                }
                self.pending = Some(Pending {
                    line: no,
                    label,
                    message: message.to_string(),
                });
            }
            "write" => {
                let p = need(1)?;
                let path = p[0];
                match p.get(1).copied() {
                    Some("binary") | Some("lines") => {
                        let n: usize = p
                            .get(2)
                            .and_then(|n| n.parse().ok())
                            .ok_or_else(|| err(no, "expected a size after `binary`/`lines`"))?;
                        let seed: u32 = match (p.get(3), p.get(4)) {
                            (Some(&"seed"), Some(s)) => {
                                s.parse().map_err(|_| err(no, "bad seed"))?
                            }
                            (None, _) => 0,
                            _ => return Err(err(no, "expected `seed N`")),
                        };
                        if p[1] == "binary" {
                            self.repo.write(path, blob(n, seed));
                        } else {
                            self.repo.write(path, text(n, seed));
                        }
                    }
                    Some("noeol") | None => {
                        let (mut body, next) = Self::content(lines, i + 1);
                        if p.get(1).is_some() {
                            body.pop();
                        }
                        self.repo.write(path, body);
                        return Ok(next);
                    }
                    Some(other) => return Err(err(no, format!("`write`: unknown `{other}`"))),
                }
            }
            "append" => {
                let path = need(1)?[0];
                let (body, next) = Self::content(lines, i + 1);
                self.repo.append(path, &body);
                return Ok(next);
            }
            "replace" => {
                let path = need(1)?[0];
                let (mut old, mut new) = (String::new(), String::new());
                let mut j = i + 1;
                while let Some((_, l)) = lines.get(j) {
                    let t = l.trim_start();
                    let (side, text) = if let Some(r) = t.strip_prefix('-') {
                        (&mut old, r)
                    } else if let Some(r) = t.strip_prefix('+') {
                        (&mut new, r)
                    } else {
                        break;
                    };
                    side.push_str(text.strip_prefix(' ').unwrap_or(text));
                    side.push('\n');
                    j += 1;
                }
                let now = self.repo.read(path);
                if old.is_empty() || now.matches(&old).count() != 1 {
                    return Err(err(
                        no,
                        format!("`replace {path}`: the `-` lines must occur exactly once"),
                    ));
                }
                self.repo.write(path, now.replacen(&old, &new, 1));
                return Ok(j);
            }
            "delete" => self.repo.remove(need(1)?[0]),
            "move" => {
                let p = need(2)?;
                self.repo.git(&["mv", p[0], p[1]], &[]);
            }
            "chmod" => {
                let p = need(2)?;
                let exec = match p[0] {
                    "+x" => true,
                    "-x" => false,
                    other => return Err(err(no, format!("`chmod {other}`: expected +x or -x"))),
                };
                self.repo.set_executable(p[1], exec);
            }
            "branch" => self.repo.branch(need(1)?[0]),
            "checkout" => self.repo.checkout(need(1)?[0]),
            "merge" => {
                let (label, branch) = label(rest);
                if branch.is_empty() {
                    return Err(err(no, "`merge`: a branch is needed"));
                }
                let id = self.repo.merge(branch, &self.author, self.date);
                if let Some(l) = label {
                    self.ids.insert(l, id);
                }
            }
            "tag" => {
                let p = need(1)?;
                match p.get(1).copied() {
                    None => self.repo.tag(p[0], &self.author, self.date),
                    Some("lightweight") => self.repo.lightweight_tag(p[0]),
                    Some("signed") => self.repo.signed_tag(p[0], &self.author, self.date),
                    Some(other) => return Err(err(no, format!("`tag`: unknown `{other}`"))),
                }
            }
            "routine" => {
                let p = need(3)?;
                let n: usize = p[0]
                    .parse()
                    .map_err(|_| err(no, "expected `routine N every DURATION`"))?;
                if p[1] != "every" {
                    return Err(err(no, "expected `routine N every DURATION`"));
                }
                let every = duration(p[2]).map_err(|m| err(no, m))?;
                if every % DAY != 0 {
                    return Err(err(no, "`routine`: the interval is whole days"));
                }
                let author = self.author.clone();
                self.date = self.repo.routine(&author, self.date, n, every / DAY);
            }
            other => return Err(err(no, format!("unknown statement `{other}`"))),
        }
        Ok(i + 1)
    }
}

/// `3d`, `12h`, `2w` in seconds.
fn duration(s: &str) -> Result<i64, String> {
    let bad = || format!("`{s}`: expected a duration such as 3d, 12h or 2w");
    let (n, unit) = s.split_at(s.len().saturating_sub(1));
    let n: i64 = n.parse().map_err(|_| bad())?;
    Ok(n * match unit {
        "h" => 3600,
        "d" => DAY,
        "w" => 7 * DAY,
        _ => return Err(bad()),
    })
}

/// A `date` statement's argument.
fn parse_date(s: &str, current: When) -> Result<When, String> {
    let s = s.trim();
    if let Some(d) = s.strip_prefix('+') {
        return Ok(current.plus(duration(d)?));
    }
    let bad =
        || format!("`{s}`: expected YYYY-MM-DD[THH:MM[:SS]](Z|+HH:MM), @UNIX +HHMM, or +DURATION");
    if let Some(rest) = s.strip_prefix('@') {
        let (t, off) = rest.split_once(' ').unwrap_or((rest, "+0000"));
        let time: i64 = t.parse().map_err(|_| bad())?;
        let offset = offset_minutes(off.trim()).ok_or_else(bad)?;
        return Ok(at(time, offset));
    }
    let (date, time) = s.split_once('T').unwrap_or((s, "00:00Z"));
    let mut d = date.split('-');
    let num = |it: &mut std::str::Split<'_, char>| -> Result<i64, String> {
        it.next()
            .and_then(|x| x.parse::<i64>().ok())
            .ok_or_else(bad)
    };
    let (y, m, day) = (num(&mut d)?, num(&mut d)?, num(&mut d)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&day) {
        return Err(bad());
    }
    let (clock, offset) = match time.find(['Z', '+', '-']) {
        Some(p) => (&time[..p], offset_minutes(&time[p..]).ok_or_else(bad)?),
        None => return Err(bad()),
    };
    let mut c = clock.split(':');
    let hour = num(&mut c)?;
    let minute = num(&mut c)?;
    let second = c
        .next()
        .map_or(Ok(0), |x| x.parse::<i64>().map_err(|_| bad()))?;
    let days = days_from_civil(y, m, day);
    let local = days * DAY + hour * 3600 + minute * 60 + second;
    Ok(at(local - i64::from(offset) * 60, offset))
}

/// `Z`, `+02:00`, `-0500` in minutes east.
fn offset_minutes(s: &str) -> Option<i32> {
    if s == "Z" {
        return Some(0);
    }
    let (sign, rest) = match s.as_bytes().first()? {
        b'+' => (1, &s[1..]),
        b'-' => (-1, &s[1..]),
        _ => return None,
    };
    let digits: String = rest.chars().filter(|c| *c != ':').collect();
    if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let h: i32 = digits[..2].parse().ok()?;
    let m: i32 = digits[2..].parse().ok()?;
    Some(sign * (h * 60 + m))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        let start = utc(0);
        assert_eq!(
            parse_date("2019-01-01", start),
            Ok(utc(1_546_300_800)),
            "midnight UTC"
        );
        assert_eq!(
            parse_date("2019-01-01T10:00+02:00", start),
            Ok(at(1_546_300_800 + 8 * 3600, 120))
        );
        assert_eq!(
            parse_date("2024-02-29T23:59:59Z", start),
            Ok(utc(1_709_251_199))
        );
        assert_eq!(
            parse_date("@1700000000 -0500", start),
            Ok(at(1_700_000_000, -300))
        );
        assert_eq!(parse_date("+3d", at(100, 60)), Ok(at(100 + 3 * DAY, 60)));
        for bad in ["2019-13-01", "yesterday", "2019-01-01T10:00", "+3x", "@x"] {
            assert!(parse_date(bad, start).is_err(), "{bad}");
        }
    }

    #[test]
    fn repeat_blocks_expand_with_their_round() {
        let lines = expand("repeat 2 every 3d\n  commit c{n}\nend\n# done\n").unwrap_or_default();
        let text: Vec<&str> = lines.iter().map(|(_, l)| l.trim()).collect();
        assert_eq!(text, ["commit c0", "date +3d", "commit c1"]);
        assert!(expand("repeat 2\ncommit x\n").is_err());
        assert!(expand("end\n").is_err());
    }

    #[test]
    fn mistakes_name_their_line() {
        if !require_git() {
            return;
        }
        let e = build_in(Repo::new(), "author A <a@x>\n\nwrite x\n").err();
        assert_eq!(
            e.map(|e| e.to_string()),
            Some("commit script line 3: `write` outside a commit".to_string())
        );
        let e = build_in(
            Repo::new(),
            "commit c\n  replace nothing.txt\n  - a\n  + b\n",
        )
        .err();
        assert_eq!(e.map(|e| e.line), Some(2));
        let e = build_in(Repo::new(), "frobnicate\n").err();
        assert_eq!(
            e.map(|e| e.message),
            Some("unknown statement `frobnicate`".to_string())
        );
    }

    #[test]
    fn a_script_builds_the_commits_it_describes() {
        if !require_git() {
            return;
        }
        let b = build(
            "person ann = Ann Lee <ann@example.org>\n\
             author ann\n\
             date 2020-09-14T10:00+02:00\n\
             commit [one] first\n\
             \x20 write a.txt\n\
             \x20 | hello\n\
             \x20 |\n\
             \x20 write bin/data.bin binary 100 seed 3\n\
             date +1d\n\
             committer Bob <bob@example.org>\n\
             commit [two] second\n\
             \x20 replace a.txt\n\
             \x20 - hello\n\
             \x20 + hello, world\n\
             \x20 chmod +x a.txt\n\
             tag v1.0\n",
        );
        let log = b.repo.git(
            &["log", "--format=%H %an|%ae|%ad|%cn|%s", "--date=raw"],
            &[],
        );
        let lines: Vec<&str> = log.lines().collect();
        assert_eq!(
            lines,
            [
                format!(
                    "{} Ann Lee|ann@example.org|1600156800 +0200|Bob|second",
                    b.id("two")
                ),
                format!(
                    "{} Ann Lee|ann@example.org|1600070400 +0200|Ann Lee|first",
                    b.id("one")
                ),
            ]
        );
        assert_eq!(b.repo.read("a.txt"), "hello, world\n\n");
        assert_eq!(
            std::fs::read(b.path().join("bin/data.bin")).unwrap_or_default(),
            blob(100, 3)
        );
        let tags = b.repo.git(&["tag", "-l", "-n1"], &[]);
        assert!(tags.starts_with("v1.0"), "{tags}");
    }
}
