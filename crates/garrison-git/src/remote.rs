//! Remote repositories kept in a local cache: cloned on first use, fetched afterwards
//! ([`clone_or_fetch`]), each bounded by a deadline.
//!
//! A cached repository is a bare git directory at `DEST/.git` (no work tree, nothing checked out:
//! evaluations read trees from git objects), so tools that look for `DEST/.git` (history review,
//! tag checks) find it. Its fetch refspecs mirror the remote's branches and tags
//! (`+refs/heads/*:refs/heads/*`, `+refs/tags/*:refs/tags/*`), so a fetch moves the default
//! branch `HEAD` names, and a fetch points `HEAD` where the remote's is (a renamed default
//! branch, a detached `HEAD`). Branches deleted upstream are not pruned. One cache directory
//! serves one fetch at a time: concurrent fetches of the same URL fail on git's lock files. `https://` goes through gix's reqwest transport (rustls, the ring
//! provider, the platform's roots); `file://` URLs and local paths run `git upload-pack`, as git
//! does. Nothing here prompts for credentials: the repositories are public.
//!
//! A clone or fetch runs on its own thread; when the deadline passes, gix's interrupt flag is
//! raised and [`RemoteError::Timeout`] returned at once (the thread stops at gix's next interrupt
//! check and a half-made clone is removed), so a caller never waits much past the deadline.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

/// What a clone or fetch ended with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    /// The local repository (its `.git` is the bare git directory).
    pub path: PathBuf,
    /// Hex id of the commit `HEAD` names after the clone or fetch.
    pub head: String,
    /// True when this call cloned (the repository was not in the cache).
    pub cloned: bool,
}

/// Why a remote repository could not be made available.
#[derive(Debug, thiserror::Error)]
pub enum RemoteError {
    /// The deadline passed before the clone or fetch was done.
    #[error("timed out after {} s fetching {url}", .after.as_secs())]
    Timeout {
        /// The repository URL.
        url: String,
        /// The deadline it was given.
        after: Duration,
    },
    /// The caller stopped the clone or fetch ([`clone_or_fetch_until`]).
    #[error("interrupted while fetching {url}")]
    Interrupted {
        /// The repository URL.
        url: String,
    },
    /// The clone failed (unreachable, not a repository, refused, interrupted).
    #[error("cannot clone {url}: {message}")]
    Clone {
        /// The repository URL.
        url: String,
        /// Why.
        message: String,
    },
    /// The fetch into the cached clone failed.
    #[error("cannot fetch {url} into {}: {message}", path.display())]
    Fetch {
        /// The repository URL.
        url: String,
        /// The cached clone.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// The repository has no commit on the branch `HEAD` names (an empty repository).
    #[error("{url}: HEAD names no commit: {message}")]
    NoHead {
        /// The repository URL.
        url: String,
        /// gix's message.
        message: String,
    },
    /// The cache directory cannot be used.
    #[error("cache {}: {message}", path.display())]
    Cache {
        /// The directory.
        path: PathBuf,
        /// Why.
        message: String,
    },
}

/// The refspecs of a cached clone: every branch and tag, force-updated.
const REFSPECS: [&str; 2] = ["+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"];

/// The directory name of `url` in a cache: its host and path with every character other than
/// ASCII letters, digits, `.`, `_` and `-` replaced by `-` (at most 80 of them), then a short hash
/// of the whole URL so two URLs never share a directory
/// (`github.com-numpy-numpy-3f2a9c01d4e5b6a7`).
pub fn cache_name(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let rest = rest.trim_end_matches('/').trim_end_matches(".git");
    let mut name: String = rest
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '-'
            }
        })
        .take(80)
        .collect();
    name = name.trim_matches(|c| c == '-' || c == '.').to_string();
    let hash = Sha256::digest(url.as_bytes());
    let hex: String = hash.iter().take(8).map(|b| format!("{b:02x}")).collect();
    if name.is_empty() {
        hex
    } else {
        format!("{name}-{hex}")
    }
}

/// Makes `url` available at `dest`: clones it (bare, into `dest/.git`) when `dest` holds no
/// repository, else fetches into the clone there; returns the commit `HEAD` names. Gives up with
/// [`RemoteError::Timeout`] once `timeout` has passed. A directory at `dest` that is not a
/// repository (a clone interrupted before gix could clean it up) is removed and cloned again.
pub fn clone_or_fetch(url: &str, dest: &Path, timeout: Duration) -> Result<Fetched, RemoteError> {
    clone_or_fetch_until(url, dest, timeout, &AtomicBool::new(false))
}

/// [`clone_or_fetch`] that also stops when the caller sets `stop` (its own deadline, a
/// shutdown): then [`RemoteError::Interrupted`] is returned at once, as for the deadline.
pub fn clone_or_fetch_until(
    url: &str,
    dest: &Path,
    timeout: Duration,
    stop: &AtomicBool,
) -> Result<Fetched, RemoteError> {
    let url_owned = url.to_string();
    let dest_owned = dest.to_path_buf();
    with_deadline(url, timeout, stop, move |interrupt| {
        clone_or_fetch_now(&url_owned, &dest_owned, interrupt)
    })
}

/// The directory remote repositories are cached in by default: `repos` in
/// [`crate::default_cache_dir`] (`$GARRISON_CACHE_DIR/repos`, else `~/.cache/garrison/repos`).
pub fn default_repos_dir() -> PathBuf {
    crate::default_cache_dir().join("repos")
}

/// Runs `work` on its own thread with an interrupt flag, raising the flag and returning a
/// timeout when `timeout` passes first, or [`RemoteError::Interrupted`] when `stop` is set.
/// Blocking network calls inside gix (a server that never answers) do not look at the flag, so
/// the caller never waits on the thread: it is left to end on its own.
fn with_deadline(
    url: &str,
    timeout: Duration,
    stop: &AtomicBool,
    work: impl FnOnce(&AtomicBool) -> Result<Fetched, RemoteError> + Send + 'static,
) -> Result<Fetched, RemoteError> {
    let interrupt = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&interrupt);
    let (tx, rx) = std::sync::mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name("garrison-fetch".into())
        .spawn(move || {
            let _ = tx.send(work(&flag));
        });
    if let Err(e) = spawned {
        return Err(RemoteError::Clone {
            url: url.to_string(),
            message: format!("cannot start a thread: {e}"),
        });
    }
    let deadline = Instant::now() + timeout;
    loop {
        let now = Instant::now();
        if stop.load(Ordering::SeqCst) {
            interrupt.store(true, Ordering::SeqCst);
            return Err(RemoteError::Interrupted {
                url: url.to_string(),
            });
        }
        if now >= deadline {
            interrupt.store(true, Ordering::SeqCst);
            // A moment for gix to notice the flag and clean up; never more.
            let _ = rx.recv_timeout(Duration::from_secs(2));
            return Err(RemoteError::Timeout {
                url: url.to_string(),
                after: timeout,
            });
        }
        let step = (deadline - now).min(Duration::from_millis(100));
        match rx.recv_timeout(step) {
            Ok(result) => return result,
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                return Err(RemoteError::Clone {
                    url: url.to_string(),
                    message: "the fetch stopped without an answer (it panicked)".into(),
                });
            }
        }
    }
}

fn clone_or_fetch_now(
    url: &str,
    dest: &Path,
    interrupt: &AtomicBool,
) -> Result<Fetched, RemoteError> {
    // gix's HTTP transport (reqwest on rustls) needs a process-wide crypto provider; another
    // one may already be installed (then it is used).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let git_dir = dest.join(".git");
    if git_dir.exists() && gix::open(dest).is_ok() {
        return fetch(url, dest, interrupt);
    }
    if dest.exists() {
        std::fs::remove_dir_all(dest).map_err(|e| RemoteError::Cache {
            path: dest.to_path_buf(),
            message: format!("cannot remove an unusable directory: {e}"),
        })?;
    }
    clone(url, dest, interrupt)
}

fn clone(url: &str, dest: &Path, interrupt: &AtomicBool) -> Result<Fetched, RemoteError> {
    let err = |message: String| RemoteError::Clone {
        url: url.to_string(),
        message,
    };
    std::fs::create_dir_all(dest).map_err(|e| RemoteError::Cache {
        path: dest.to_path_buf(),
        message: e.to_string(),
    })?;
    let git_dir = dest.join(".git");
    let mut prepare = gix::prepare_clone_bare(url, &git_dir)
        .map_err(|e| err(e.to_string()))?
        .configure_remote(|remote| remote.with_refspecs(REFSPECS, gix::remote::Direction::Fetch));
    let (repo, _) = prepare
        .fetch_only(gix::progress::Discard, interrupt)
        .map_err(|e| err(e.to_string()))?;
    let head = head_of(&repo).map_err(|message| RemoteError::NoHead {
        url: url.to_string(),
        message,
    })?;
    Ok(Fetched {
        path: dest.to_path_buf(),
        head,
        cloned: true,
    })
}

fn fetch(url: &str, dest: &Path, interrupt: &AtomicBool) -> Result<Fetched, RemoteError> {
    let err = |message: String| RemoteError::Fetch {
        url: url.to_string(),
        path: dest.to_path_buf(),
        message,
    };
    let repo = gix::open(dest).map_err(|e| err(e.to_string()))?;
    // The URL the caller gives wins over the one the clone recorded (a moved repository).
    let remote = repo
        .remote_at(url)
        .and_then(|r| r.with_refspecs(REFSPECS, gix::remote::Direction::Fetch))
        .map_err(|e| err(e.to_string()))?;
    // `HEAD` as an extra refspec: the remote then says which branch is its default (or which
    // commit, when its HEAD is detached), and the clone's HEAD follows a renamed default branch.
    let head_spec = gix::refspec::parse("HEAD".into(), gix::refspec::parse::Operation::Fetch)
        .map_err(|e| err(e.to_string()))?
        .to_owned();
    let options = gix::remote::ref_map::Options {
        extra_refspecs: vec![head_spec],
        ..Default::default()
    };
    let outcome = remote
        .connect(gix::remote::Direction::Fetch)
        .map_err(|e| err(e.to_string()))?
        .prepare_fetch(gix::progress::Discard, options)
        .map_err(|e| err(e.to_string()))?
        .receive(gix::progress::Discard, interrupt)
        .map_err(|e| err(e.to_string()))?;
    // The references changed on disk: read them afresh.
    let repo = gix::open(dest).map_err(|e| err(e.to_string()))?;
    follow_remote_head(&repo, &outcome.ref_map.remote_refs).map_err(err)?;
    let repo = gix::open(dest).map_err(|e| err(e.to_string()))?;
    let head = head_of(&repo).map_err(|message| RemoteError::NoHead {
        url: url.to_string(),
        message,
    })?;
    Ok(Fetched {
        path: dest.to_path_buf(),
        head,
        cloned: false,
    })
}

/// Points the clone's `HEAD` where the remote's is: the same branch (mirrored under
/// `refs/heads/`), or the same commit when the remote's `HEAD` is detached. Nothing changes when
/// the remote did not advertise its `HEAD`.
fn follow_remote_head(
    repo: &gix::Repository,
    remote_refs: &[gix::protocol::handshake::Ref],
) -> Result<(), String> {
    use gix::protocol::handshake::Ref;
    use gix::refs::Target;
    use gix::refs::transaction::{Change, LogChange, PreviousValue, RefEdit, RefLog};
    let new = remote_refs.iter().find_map(|r| match r {
        Ref::Symbolic {
            full_ref_name,
            target,
            ..
        } if full_ref_name == "HEAD" && target.starts_with(b"refs/heads/") => {
            gix::refs::FullName::try_from(target.clone())
                .ok()
                .map(Target::Symbolic)
        }
        Ref::Direct {
            full_ref_name,
            object,
        } if full_ref_name == "HEAD" => Some(Target::Object(*object)),
        _ => None,
    });
    let Some(new) = new else {
        return Ok(());
    };
    let current = repo
        .find_reference("HEAD")
        .map_err(|e| e.to_string())?
        .target()
        .into_owned();
    if current == new {
        return Ok(());
    }
    let name = gix::refs::FullName::try_from("HEAD").map_err(|e| e.to_string())?;
    repo.edit_reference(RefEdit {
        change: Change::Update {
            log: LogChange {
                mode: RefLog::AndReference,
                force_create_reflog: false,
                message: "garrison: follow the remote's HEAD".into(),
            },
            expected: PreviousValue::Any,
            new,
        },
        name,
        deref: false,
    })
    .map_err(|e| format!("cannot point HEAD where the remote's is: {e}"))?;
    Ok(())
}

fn head_of(repo: &gix::Repository) -> Result<String, String> {
    repo.head_id()
        .map(|id| id.to_hex().to_string())
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn cache_names_are_readable_and_distinct() {
        let a = cache_name("https://github.com/numpy/numpy");
        assert!(a.starts_with("github.com-numpy-numpy-"), "{a}");
        assert_eq!(a.len(), "github.com-numpy-numpy-".len() + 16);
        assert_eq!(a, cache_name("https://github.com/numpy/numpy"));
        // Same sanitised text, different URLs: different directories.
        assert_ne!(a, cache_name("https://github.com/numpy/numpy.git"));
        assert_ne!(cache_name("file:///a/b c"), cache_name("file:///a/b-c"));
        for hostile in ["https://x/../../etc", "file:///", "", "https://h/\u{0}/é"] {
            let n = cache_name(hostile);
            assert!(
                !n.is_empty() && !n.contains('/') && !n.starts_with('.'),
                "{n:?}"
            );
            assert!(
                n.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
            );
        }
    }

    #[test]
    fn the_deadline_interrupts_and_says_so() {
        let never = AtomicBool::new(false);
        let err = with_deadline(
            "https://example.invalid/r",
            Duration::from_millis(50),
            &never,
            |stop: &AtomicBool| {
                while !stop.load(Ordering::SeqCst) {
                    std::thread::sleep(Duration::from_millis(5));
                }
                Err(RemoteError::Clone {
                    url: "interrupted".into(),
                    message: "interrupted".into(),
                })
            },
        )
        .unwrap_err();
        assert!(matches!(err, RemoteError::Timeout { .. }), "{err:?}");
        assert_eq!(
            err.to_string(),
            "timed out after 0 s fetching https://example.invalid/r"
        );
    }

    #[test]
    fn a_stop_request_interrupts_and_says_so() {
        let stop = AtomicBool::new(true);
        let err = with_deadline(
            "https://example.invalid/r",
            Duration::from_secs(3600),
            &stop,
            |flag: &AtomicBool| {
                while !flag.load(Ordering::SeqCst) {
                    std::thread::sleep(Duration::from_millis(5));
                }
                Err(RemoteError::Clone {
                    url: "interrupted".into(),
                    message: "interrupted".into(),
                })
            },
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "interrupted while fetching https://example.invalid/r"
        );
    }
}
