//! Making a project's repository available for evaluation: a remote one cloned into a cache
//! directory on first use and fetched afterwards (through garrison-git's
//! [`garrison_git::remote`], with a per-repository deadline), a local git repository used in
//! place, and a local plain directory used as it is (no commit: its history items are not
//! evaluated).

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use crate::FleetError;
use crate::manifest::Location;

/// The deadline of one repository's clone or fetch unless the caller gives another.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);

/// A repository made available.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Available {
    /// Where it is: the cached clone (its `.git` a bare git directory, nothing checked out), the
    /// local repository, or the plain directory.
    pub path: PathBuf,
    /// The commit `HEAD` names (hex), or `None` for a plain directory.
    pub head: Option<String>,
    /// How it was made available.
    pub kind: Kind,
}

/// How a repository was made available.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Cloned into the cache by this call.
    Cloned,
    /// Fetched into the cached clone by this call.
    Fetched,
    /// A local git repository, used in place (nothing cloned or fetched).
    Local,
    /// A local directory without git: evaluate its files with [`crate::evaluate_dir`]; history
    /// and tag items are not evaluated.
    Plain,
}

impl Available {
    /// True when the evaluation reads git objects ([`crate::evaluate_tree`] at [`Self::head`]).
    pub fn is_git(&self) -> bool {
        self.kind != Kind::Plain
    }
}

/// Makes the repository at `location` available: a [`Location::Remote`] through
/// [`fetch_url`] into `cache`, a [`Location::Local`] in place. A local path that does not exist
/// is an error, and so is a local repository whose `HEAD` names no commit; one that gix cannot
/// open as a repository (a plain directory, or a directory inside a repository rather than its
/// root) is [`Kind::Plain`].
pub fn fetch(
    location: &Location,
    cache: &Path,
    timeout: Duration,
) -> Result<Available, FleetError> {
    match location {
        Location::Remote(url) => fetch_url(url, cache, timeout),
        Location::Local(path) => local(path),
    }
}

/// [`fetch`] that also stops when the caller sets `stop` (its own deadline, a shutdown): the
/// clone or fetch then ends at once with an error naming the URL.
pub fn fetch_until(
    location: &Location,
    cache: &Path,
    timeout: Duration,
    stop: &AtomicBool,
) -> Result<Available, FleetError> {
    match location {
        Location::Remote(url) => {
            let dest = cache.join(garrison_git::remote::cache_name(url));
            let f = garrison_git::remote::clone_or_fetch_until(url, &dest, timeout, stop)?;
            Ok(available(f))
        }
        Location::Local(path) => local(path),
    }
}

/// Clones `url` (any URL gix fetches from: `https://`, `file://`, a path) into
/// `cache/<name>` ([`garrison_git::remote::cache_name`]) on first use and fetches it afterwards,
/// within `timeout`: an unreachable repository or a deadline passed is an error naming the URL
/// (`timed out after 120 s fetching URL`), for the caller to record as the project's error.
pub fn fetch_url(url: &str, cache: &Path, timeout: Duration) -> Result<Available, FleetError> {
    let dest = cache.join(garrison_git::remote::cache_name(url));
    let f = garrison_git::remote::clone_or_fetch(url, &dest, timeout)?;
    Ok(available(f))
}

fn available(f: garrison_git::remote::Fetched) -> Available {
    Available {
        path: f.path,
        head: Some(f.head),
        kind: if f.cloned {
            Kind::Cloned
        } else {
            Kind::Fetched
        },
    }
}

fn local(path: &Path) -> Result<Available, FleetError> {
    if !path.is_dir() {
        return Err(FleetError::Read {
            path: path.to_path_buf(),
            message: "not a directory".into(),
        });
    }
    if garrison_git::is_repository(path) {
        return Ok(Available {
            path: path.to_path_buf(),
            head: Some(garrison_git::tree::head_commit(path)?),
            kind: Kind::Local,
        });
    }
    Ok(Available {
        path: path.to_path_buf(),
        head: None,
        kind: Kind::Plain,
    })
}
