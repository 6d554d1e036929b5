//! Finding the files of a checkout: a bounded walk that never follows symlinks.

use std::path::Path;

/// Directories never entered.
const SKIP_DIRS: &[&str] = &[
    ".git",
    "node_modules",
    ".tox",
    ".nox",
    ".venv",
    "venv",
    "__pycache__",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    "target",
    ".eggs",
    ".hg",
    ".svn",
];

/// Most entries visited; a checkout larger than this is reported partially.
pub const MAX_ENTRIES: usize = 2_000_000;

/// Repository-relative, `/`-separated paths of the regular files under `root`, sorted.
/// Returns whether the walk was cut short by [`MAX_ENTRIES`].
pub fn files(root: &Path) -> (Vec<String>, bool) {
    let mut out = Vec::new();
    let mut stack = vec![(root.to_path_buf(), String::new(), 0usize)];
    let mut seen = 0usize;
    let mut truncated = false;
    while let Some((dir, rel, depth)) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in rd.flatten() {
            seen += 1;
            if seen > MAX_ENTRIES {
                truncated = true;
                break;
            }
            let Ok(ft) = entry.file_type() else {
                continue;
            };
            let name = entry.file_name();
            let Some(name) = name.to_str() else {
                continue;
            };
            let child = if rel.is_empty() {
                name.to_string()
            } else {
                format!("{rel}/{name}")
            };
            if ft.is_dir() {
                if depth < 64 && !SKIP_DIRS.contains(&name) {
                    stack.push((entry.path(), child, depth + 1));
                }
            } else if ft.is_file() {
                out.push(child);
            }
        }
    }
    out.sort();
    (out, truncated)
}
