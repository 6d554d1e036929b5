//! On-disk cache of mined commits (postcard), one file per repository.
//!
//! The cache is keyed by [`MINING_VERSION`] (a hash of this crate's mining sources, made by
//! `build.rs`, so any change to the encoding or the mining code rebuilds old caches without
//! anyone remembering to bump a number) and by the caller's [`ChangeScanner::version`].

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::mine::mine_raw;
use crate::{ChangeScanner, Commit, GitError, History, MineOptions};

/// Version of the cache file's layout; the first field of every cache file, so a file of any
/// older layout is recognised (and rebuilt) before the rest is decoded.
const CACHE_FORMAT: u32 = 5;

// `MINING_VERSION`: a hash of the sources that decide what is mined and how it is encoded
// (`src/lib.rs`, `src/mine.rs`, `src/tags.rs`, `src/cache.rs`), computed by `build.rs`.
include!(concat!(env!("OUT_DIR"), "/mining_version.rs"));

/// Walks remembered (most recent first).
const MAX_WALKS: usize = 4;

#[derive(Serialize, Deserialize)]
struct CacheFile<H> {
    format: u32,
    /// [`MINING_VERSION`] of the writer.
    mining: u64,
    /// [`ChangeScanner::version`] of the writer.
    scanner: u64,
    /// Raw commits (before `.mailmap`), any order.
    commits: Vec<Commit<H>>,
    /// Recent walks: options key, walk id (the head, and a range's resolved base), walked ids
    /// (newest first).
    walks: Vec<(String, String, Vec<String>)>,
}

fn walk_key(opts: &MineOptions) -> String {
    format!(
        "since={:?} range={:?} max={:?} tip={:?}",
        opts.since, opts.range, opts.max_commits, opts.tip
    )
}

fn cache_path(repo: &Path, cache_dir: &Path) -> PathBuf {
    let canon = repo.canonicalize().unwrap_or_else(|_| repo.to_path_buf());
    let digest = Sha256::digest(canon.to_string_lossy().as_bytes());
    let hex: String = digest.iter().take(12).map(|b| format!("{b:02x}")).collect();
    cache_dir.join(format!("history-{hex}.postcard"))
}

type Walks = Vec<(String, String, Vec<String>)>;

fn load<H: DeserializeOwned>(
    path: &Path,
    scanner: u64,
    warnings: &mut Vec<String>,
) -> (HashMap<String, Commit<H>>, Walks) {
    let Ok(bytes) = std::fs::read(path) else {
        return Default::default();
    };
    let unreadable = |warnings: &mut Vec<String>, e: postcard::Error| {
        warnings.push(format!(
            "history cache {}: unreadable ({e}), rebuilt",
            path.display()
        ));
        Default::default()
    };
    // The layout first, then the writer's versions: a file written by another layout, other
    // mining code or another scanner is not decoded further.
    let current = match postcard::take_from_bytes::<u32>(&bytes) {
        Ok((format, rest)) if format == CACHE_FORMAT => {
            match postcard::take_from_bytes::<(u64, u64)>(rest) {
                Ok((versions, _)) => versions == (MINING_VERSION, scanner),
                Err(e) => return unreadable(warnings, e),
            }
        }
        Ok(_) => false,
        Err(e) => return unreadable(warnings, e),
    };
    if !current {
        warnings.push(format!(
            "history cache {}: old version, rebuilt",
            path.display()
        ));
        return Default::default();
    }
    match postcard::from_bytes::<CacheFile<H>>(&bytes) {
        Ok(f) => (
            f.commits.into_iter().map(|c| (c.id.clone(), c)).collect(),
            f.walks,
        ),
        Err(e) => unreadable(warnings, e),
    }
}

fn store<H: Serialize>(
    path: &Path,
    scanner: u64,
    commits: Vec<Commit<H>>,
    walks: Walks,
) -> std::io::Result<()> {
    let file = CacheFile {
        format: CACHE_FORMAT,
        mining: MINING_VERSION,
        scanner,
        commits,
        walks,
    };
    // An encoding failure reads as its own message, like an I/O error.
    let bytes = postcard::to_stdvec(&file).map_err(std::io::Error::other)?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}

/// Like [`crate::mine`], reusing commits mined earlier from a cache file in `cache_dir` (one
/// file per repository, named after a hash of its canonical path). Only commits missing from the
/// cache are diffed; the cache is then rewritten with the union. A missing, old or corrupt cache,
/// or one written by other mining code or another scanner version, is ignored and rebuilt (a
/// warning is added); failing to write it is a warning too.
pub fn mine_cached<S: ChangeScanner>(
    repo: &Path,
    opts: &MineOptions,
    scanner: &S,
    cache_dir: &Path,
) -> Result<History<S::Hits>, GitError> {
    let path = cache_path(repo, cache_dir);
    let mut warnings = Vec::new();
    let version = scanner.version();
    let (mut cached, mut walks) = load::<S::Hits>(&path, version, &mut warnings);
    let key = walk_key(opts);
    let known = walks
        .iter()
        .find(|(k, _, _)| *k == key)
        .map(|(_, h, ids)| (h.as_str(), ids.as_slice()));
    let before = cached.len();
    let mut raw = mine_raw(repo, opts, scanner, &mut cached, known)?;
    let reused = before - cached.len();
    let walk_changed = !walks
        .iter()
        .any(|(k, h, _)| *k == key && Some(h) == raw.walk_id.as_ref());
    if reused < raw.commits.len() || before == 0 || walk_changed {
        // New commits were mined or the walk changed: write back everything (this walk plus
        // entries it did not visit).
        let mut all: Vec<Commit<S::Hits>> = cached.into_values().collect();
        all.extend(raw.commits.iter().cloned());
        walks.retain(|(k, _, _)| *k != key);
        if let Some(id) = &raw.walk_id {
            walks.insert(0, (key, id.clone(), std::mem::take(&mut raw.ids)));
        }
        walks.truncate(MAX_WALKS);
        if let Err(e) = store(&path, version, all, walks) {
            warnings.push(format!(
                "history cache {}: not written ({e})",
                path.display()
            ));
        }
    }
    raw.warnings.extend(warnings);
    Ok(raw.finish())
}

/// The default cache directory: `$GARRISON_CACHE_DIR`, else the user cache directory
/// (`$XDG_CACHE_HOME/garrison` or `~/.cache/garrison`; `~/Library/Caches/garrison` on macOS;
/// `%LOCALAPPDATA%\garrison\cache` on Windows).
pub fn default_cache_dir() -> PathBuf {
    let env = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if let Some(p) = env("GARRISON_CACHE_DIR") {
        return p;
    }
    if cfg!(windows) {
        return env("LOCALAPPDATA")
            .unwrap_or_default()
            .join("garrison")
            .join("cache");
    }
    if cfg!(target_os = "macos") {
        return env("HOME")
            .unwrap_or_default()
            .join("Library")
            .join("Caches")
            .join("garrison");
    }
    if let Some(x) = env("XDG_CACHE_HOME").filter(|p| p.is_absolute()) {
        return x.join("garrison");
    }
    env("HOME")
        .unwrap_or_default()
        .join(".cache")
        .join("garrison")
}
