//! Repositories made available for evaluation: clones from `file://` URLs into a cache (a
//! repository built from a commit script, and a real history from a bundle), fetches that move
//! `HEAD`, local repositories and plain directories used in place, and the errors of an
//! unreachable repository and of a server that never answers. No network: URLs are `file://`
//! or a listener on 127.0.0.1.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use garrison_fleet::fetch::{Kind, fetch, fetch_url};
use garrison_fleet::{FleetError, Location, Status};
use garrison_test::git::{Who, build, require_git, utc};
use garrison_test::require::shared_data;

const T: Duration = Duration::from_secs(120);

fn url(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// A bare clone of a bundle made with the real git (gix does not read bundles).
fn bare_from_bundle(bundle: &Path, dir: &Path) -> PathBuf {
    let dest = dir.join("origin.git");
    let out = Command::new("git")
        .args(["clone", "-q", "--bare"])
        .arg(bundle)
        .arg(&dest)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    dest
}

fn git_out(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

#[test]
fn clone_then_fetch_moves_head_and_brings_tags() {
    if !require_git() {
        return;
    }
    let b = build(
        "author Mara <mara@example.org>\n\
         date 2021-03-01T10:00Z\n\
         commit first\n  write README.md\n  | hello\n",
    );
    let cache = tempfile::tempdir().unwrap();
    let first = fetch_url(&url(b.path()), cache.path(), T).unwrap();
    assert_eq!(first.kind, Kind::Cloned);
    assert_eq!(first.head.as_deref(), Some(b.repo.head().as_str()));
    assert!(first.path.starts_with(cache.path()));
    // Nothing checked out: only the git directory is there.
    let entries: Vec<_> = std::fs::read_dir(&first.path)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(entries, [".git"]);

    // Unchanged remote: a fetch, same HEAD.
    let again = fetch_url(&url(b.path()), cache.path(), T).unwrap();
    assert_eq!(again.kind, Kind::Fetched);
    assert_eq!(again.head, first.head);

    // A new commit and a tag upstream: the fetch moves HEAD and brings the tag.
    b.repo.write("README.md", "hello again\n");
    let who = Who::new("Mara", "mara@example.org");
    let second = b.repo.commit("second", &who, utc(1_620_000_000));
    b.repo.tag("v1.0.0", &who, utc(1_620_000_100));
    let moved = fetch_url(&url(b.path()), cache.path(), T).unwrap();
    assert_eq!(moved.kind, Kind::Fetched);
    assert_eq!(moved.path, first.path);
    assert_eq!(moved.head.as_deref(), Some(second.as_str()));
    let (tags, _) = garrison_git::tags(&moved.path).unwrap();
    assert_eq!(
        tags.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
        ["v1.0.0"]
    );
}

#[test]
fn clone_of_a_real_history_and_its_evaluation_at_head() {
    if !require_git() {
        return;
    }
    let Some(bundle) = shared_data("git/hist.bundle") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let origin = bare_from_bundle(&bundle, dir.path());
    let cache = dir.path().join("cache");
    let a = fetch_url(&url(&origin), &cache, T).unwrap();
    assert_eq!(a.kind, Kind::Cloned);
    let head = git_out(&origin, &["rev-parse", "HEAD"]);
    assert_eq!(a.head.as_deref(), Some(head.as_str()));
    assert!(a.is_git());

    // Every analysis of `garrison scan`, from git objects of the bare clone.
    let mut opts = garrison_fleet::scan_options(1_786_000_000);
    opts.history_cache = None;
    let e = garrison_fleet::evaluate_tree(&a.path, &head, &opts).unwrap();
    assert_eq!(e.commit.as_deref(), Some(head.as_str()));
    assert!(e.facts.workflows && e.facts.publishing && e.facts.remote_actions);
    let rules: std::collections::BTreeSet<&str> =
        e.findings.iter().map(|f| f.rule.as_str()).collect();
    assert!(
        rules.iter().any(|r| r.starts_with("workflow/")),
        "{rules:?}"
    );
    assert!(rules.iter().any(|r| r.starts_with("posture/")), "{rules:?}");
    // The tags were read (the repository is there), so the tag item is decided.
    let tags = e
        .verdicts
        .iter()
        .find(|v| v.id == "spec8/signed-release-tags")
        .unwrap();
    assert!(
        matches!(tags.status, Status::Holds | Status::Fails),
        "{tags:?}"
    );
    // The history window was reviewed from the clone's git directory: no "not a git checkout".
    assert!(
        !e.findings
            .iter()
            .any(|f| f.message.contains("not a git checkout")),
        "{:#?}",
        e.findings
    );
}

#[test]
fn local_repository_in_place_and_plain_directory() {
    if !require_git() {
        return;
    }
    let b = build("author Mara <mara@example.org>\ncommit one\n  write a.txt\n  | a\n");
    let cache = tempfile::tempdir().unwrap();
    let local = fetch(&Location::Local(b.path().to_path_buf()), cache.path(), T).unwrap();
    assert_eq!(local.kind, Kind::Local);
    assert_eq!(local.path, b.path());
    assert_eq!(local.head.as_deref(), Some(b.repo.head().as_str()));
    assert_eq!(
        std::fs::read_dir(cache.path()).unwrap().count(),
        0,
        "nothing cloned"
    );

    let plain = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(plain.path().join(".github/workflows")).unwrap();
    std::fs::write(
        plain.path().join(".github/workflows/ci.yml"),
        "on: push\npermissions: {}\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo hi\n",
    )
    .unwrap();
    let p = fetch(
        &Location::Local(plain.path().to_path_buf()),
        cache.path(),
        T,
    )
    .unwrap();
    assert_eq!(p.kind, Kind::Plain);
    assert_eq!(p.head, None);
    assert!(!p.is_git());
    let mut opts = garrison_fleet::scan_options(1_786_000_000);
    opts.history_cache = None;
    let e = garrison_fleet::evaluate_dir(&p.path, &opts).unwrap();
    assert_eq!(e.commit, None);
    let tags = e
        .verdicts
        .iter()
        .find(|v| v.id == "spec8/signed-release-tags")
        .unwrap();
    assert_eq!(tags.status, Status::NotEvaluated, "{tags:?}");

    let missing = fetch(&Location::Local(plain.path().join("nope")), cache.path(), T);
    assert!(
        matches!(missing, Err(FleetError::Read { .. })),
        "{missing:?}"
    );
}

#[test]
fn unreachable_repository_is_an_error_naming_it() {
    if !require_git() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let gone = url(&dir.path().join("no-such-repository.git"));
    for _ in 0..2 {
        let err = fetch_url(&gone, &dir.path().join("cache"), T).unwrap_err();
        assert!(
            matches!(
                &err,
                FleetError::Remote(garrison_git::remote::RemoteError::Clone { .. })
            ),
            "{err:?}"
        );
        assert!(err.to_string().contains(&gone), "{err}");
    }
}

/// A server that accepts the connection and never answers: the deadline ends the fetch with
/// an error that says so, instead of a hang.
#[test]
fn a_server_that_never_answers_times_out() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let held = std::thread::spawn(move || {
        // Keep the connections open and silent until the test ends.
        let mut open = Vec::new();
        for s in listener.incoming().take(4) {
            match s {
                Ok(s) => open.push(s),
                Err(_) => break,
            }
        }
        std::thread::sleep(Duration::from_secs(30));
        drop(open);
    });
    let dir = tempfile::tempdir().unwrap();
    let u = format!("http://127.0.0.1:{port}/silent.git");
    let err = fetch_url(&u, dir.path(), Duration::from_secs(2)).unwrap_err();
    assert_eq!(err.to_string(), format!("timed out after 2 s fetching {u}"));
    drop(held);
}

/// The default branch is renamed upstream (and the old one kept, as a fetch never prunes): the
/// clone's HEAD follows the remote's, so the fetch evaluates the new default branch.
#[test]
fn a_renamed_default_branch_is_followed() {
    if !require_git() {
        return;
    }
    let b = build("author Mara <mara@example.org>\ncommit one\n  write a.txt\n  | a\n");
    let cache = tempfile::tempdir().unwrap();
    let first = fetch_url(&url(b.path()), cache.path(), T).unwrap();
    assert_eq!(first.head.as_deref(), Some(b.repo.head().as_str()));
    b.repo.git(&["branch", "-c", "main", "trunk"], &[]);
    b.repo.checkout("trunk");
    b.repo.write("a.txt", "b\n");
    let who = Who::new("Mara", "mara@example.org");
    let on_trunk = b.repo.commit("on trunk", &who, utc(1_620_000_000));
    let moved = fetch_url(&url(b.path()), cache.path(), T).unwrap();
    assert_eq!(moved.head.as_deref(), Some(on_trunk.as_str()));
    assert_eq!(
        git_out(&moved.path, &["symbolic-ref", "HEAD"]),
        "refs/heads/trunk"
    );
    // A detached HEAD upstream is followed to its commit.
    let old = b.repo.rev("main");
    b.repo.git(&["checkout", "-q", "--detach", "main"], &[]);
    let detached = fetch_url(&url(b.path()), cache.path(), T).unwrap();
    assert_eq!(detached.head.as_deref(), Some(old.as_str()));
}

/// The fleet's evaluator as workers use it: a local repository evaluated at its HEAD from git
/// objects, a plain directory from disk, a missing path an error.
#[test]
fn the_fleet_evaluator_fetches_and_evaluates() {
    use garrison_fleet::run::Evaluator;
    if !require_git() {
        return;
    }
    let b = build(
        "author Mara <mara@example.org>\n\
         commit ci\n  write .github/workflows/ci.yml\n  \
         | on: push\n  | jobs:\n  |   t:\n  |     runs-on: ubuntu-latest\n  \
         |     steps:\n  |       - uses: actions/checkout@v4\n",
    );
    // Uncommitted work in the checkout is not what the commit holds: evaluation reads the
    // commit's tree.
    std::fs::remove_file(b.path().join(".github/workflows/ci.yml")).unwrap();
    let cache = tempfile::tempdir().unwrap();
    let fleet = garrison_fleet::Repositories::new(cache.path());
    let stop = std::sync::atomic::AtomicBool::new(false);
    let repo = b.path().display().to_string();
    let f = fleet.fetch(&repo, &stop).unwrap();
    assert_eq!(f.commit.as_deref(), Some(b.repo.head().as_str()));
    let o = fleet.evaluate(&f, &stop).unwrap();
    assert_eq!(o.verdicts.len(), garrison_fleet::catalogue().unwrap().len());
    let pinned = o
        .verdicts
        .iter()
        .find(|v| v.id == "spec8/actions-pinned-sha")
        .unwrap();
    assert_eq!(pinned.status, Status::Fails, "{pinned:?}");
    assert!(
        o.findings
            .iter()
            .any(|f| f.path.as_deref() == Some(".github/workflows/ci.yml"))
    );

    let plain = tempfile::tempdir().unwrap();
    let p = fleet
        .fetch(&plain.path().display().to_string(), &stop)
        .unwrap();
    assert_eq!(p.commit, None);
    let o = fleet.evaluate(&p, &stop).unwrap();
    let pinned = o
        .verdicts
        .iter()
        .find(|v| v.id == "spec8/actions-pinned-sha")
        .unwrap();
    assert_eq!(pinned.status, Status::NotApplicable);

    let missing = fleet.fetch(&plain.path().join("gone").display().to_string(), &stop);
    assert!(missing.is_err());
}

/// The worker's stop flag ends a fetch from a server that never answers (a TLS handshake that
/// never comes), well before the fetch's own deadline.
#[test]
fn a_stop_request_ends_a_hung_fetch() {
    use garrison_fleet::run::Evaluator;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut open = Vec::new();
        for s in listener.incoming().take(4) {
            match s {
                Ok(s) => open.push(s),
                Err(_) => break,
            }
        }
        std::thread::sleep(Duration::from_secs(60));
        drop(open);
    });
    let cache = tempfile::tempdir().unwrap();
    let fleet = garrison_fleet::Repositories::new(cache.path());
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let setter = std::sync::Arc::clone(&stop);
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        setter.store(true, std::sync::atomic::Ordering::SeqCst);
    });
    let u = format!("https://127.0.0.1:{port}/silent.git");
    let err = fleet.fetch(&u, &stop).unwrap_err();
    assert_eq!(err, format!("interrupted while fetching {u}"));
}
