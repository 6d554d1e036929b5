//! On-disk cache of mined commits (postcard), one file per repository.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::mine::mine_raw;
use crate::{Commit, History, HistoryError, MineOptions};

/// Bumped whenever [`Commit`]'s encoding or the mining semantics change.
const CACHE_VERSION: u32 = 4;
/// Walks remembered (most recent first).
const MAX_WALKS: usize = 4;

#[derive(Serialize, Deserialize)]
struct CacheFile {
    version: u32,
    /// Raw commits (before `.mailmap`), any order.
    commits: Vec<Commit>,
    /// Recent walks: options key, head id, walked ids (newest first).
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

fn load(path: &Path, warnings: &mut Vec<String>) -> (HashMap<String, Commit>, Walks) {
    let Ok(bytes) = std::fs::read(path) else {
        return Default::default();
    };
    match postcard::from_bytes::<CacheFile>(&bytes) {
        Ok(f) if f.version == CACHE_VERSION => (
            f.commits.into_iter().map(|c| (c.id.clone(), c)).collect(),
            f.walks,
        ),
        Ok(_) => {
            warnings.push(format!(
                "history cache {}: old version, rebuilt",
                path.display()
            ));
            Default::default()
        }
        Err(e) => {
            warnings.push(format!(
                "history cache {}: unreadable ({e}), rebuilt",
                path.display()
            ));
            Default::default()
        }
    }
}

fn store(path: &Path, commits: Vec<Commit>, walks: Walks) -> Result<(), String> {
    let file = CacheFile {
        version: CACHE_VERSION,
        commits,
        walks,
    };
    let bytes = postcard::to_stdvec(&file).map_err(|e| e.to_string())?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    }
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&tmp, bytes).map_err(|e| e.to_string())?;
    std::fs::rename(&tmp, path).map_err(|e| e.to_string())
}

/// Like [`crate::mine`], reusing commits mined earlier from a cache file in `cache_dir` (one
/// file per repository, named after a hash of its canonical path). Only commits missing from the
/// cache are diffed; the cache is then rewritten with the union. A missing, old or corrupt cache
/// is ignored and rebuilt (a warning is added); failing to write it is a warning too.
pub fn mine_cached(
    repo: &Path,
    opts: &MineOptions,
    cache_dir: &Path,
) -> Result<History, HistoryError> {
    let path = cache_path(repo, cache_dir);
    let mut warnings = Vec::new();
    let (mut cached, mut walks) = load(&path, &mut warnings);
    let key = walk_key(opts);
    let known = walks
        .iter()
        .find(|(k, _, _)| *k == key)
        .map(|(_, h, ids)| (h.as_str(), ids.as_slice()));
    let before = cached.len();
    let mut raw = mine_raw(repo, opts, &mut cached, known)?;
    let reused = before - cached.len();
    let walk_changed = !walks
        .iter()
        .any(|(k, h, _)| *k == key && Some(h) == raw.head.as_ref());
    if reused < raw.commits.len() || before == 0 || walk_changed {
        // New commits were mined or the walk changed: write back everything (this walk plus
        // entries it did not visit).
        let mut all: Vec<Commit> = cached.into_values().collect();
        all.extend(raw.commits.iter().cloned());
        walks.retain(|(k, _, _)| *k != key);
        if let Some(head) = &raw.head {
            walks.insert(0, (key, head.clone(), std::mem::take(&mut raw.ids)));
        }
        walks.truncate(MAX_WALKS);
        if let Err(e) = store(&path, all, walks) {
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
