//! `requirements*.txt` and constraints files (pip's format).
//!
//! Logical lines join `\` continuations; comments start at a `#` at the line start or after
//! whitespace. A line is an option (`-r`, `-c`, `-e`, index options…) or a PEP 508
//! requirement followed by per-requirement options (`--hash=sha256:…`). Bare paths and URLs
//! (`./pkg`, `https://…/x.whl`) are recorded with their URL and no version (`-e .`, the
//! project itself, is skipped). `${VAR}` references
//! are kept as written (never expanded).

use std::collections::HashSet;
use std::path::Path;

use garrison_source::SourceFile;

use crate::deps::{DepKind, Dependency, Ecosystem, Format, Manifest};
use crate::error::PythonError;
use crate::name::PackageName;
use crate::requirement::parse_requirement;
use crate::util::{self, error, line_of, push};

/// Deepest include chain [`read_tree`] follows.
pub const MAX_INCLUDE_DEPTH: usize = 16;
/// Most files [`read_tree`] reads.
pub const MAX_TREE_FILES: usize = 1_000;

/// One `-r`/`-c` include as written and resolved.
#[derive(Debug, Clone)]
struct Include {
    /// `-r` or `-c`.
    flag: &'static str,
    /// The file as written.
    written: String,
    /// Resolved relative to the root.
    resolved: String,
}

/// Options that take a value and are ignored (index and install options).
const VALUE_OPTIONS: &[&str] = &[
    "-i",
    "--index-url",
    "--extra-index-url",
    "-f",
    "--find-links",
    "--trusted-host",
    "--use-feature",
    "--only-binary",
    "--no-binary",
    "--config-settings",
    "--global-option",
    "--install-option",
    "--progress-bar",
];
/// Flags that are ignored.
const FLAG_OPTIONS: &[&str] = &[
    "--pre",
    "--no-index",
    "--prefer-binary",
    "--require-hashes",
    "--no-deps",
    "-Z",
    "--always-unzip",
];

/// Reads a requirements or constraints file. Includes are listed in `includes` (resolved
/// relative to this file's directory); [`read_tree`] follows them.
pub fn parse(path: &str, text: &str) -> Manifest {
    parse_inner(path, text).0
}

fn parse_inner(path: &str, text: &str) -> (Manifest, Vec<Include>) {
    let mut m = util::manifest(path, Format::Requirements);
    let mut includes = Vec::new();
    if util::too_large(&mut m, text) {
        return (m, includes);
    }
    let src = SourceFile::new(text);
    let group = path.to_string();
    for (start, end, logical) in logical_lines(text) {
        let line = line_of(&src, start);
        let content = strip_comment(&logical);
        let content = content.trim();
        if content.is_empty() {
            continue;
        }
        // The span: the physical lines of the entry, without the trailing newline.
        let trimmed_end = start
            + text
                .get(start..end)
                .map_or(0, |s| s.trim_end_matches(['\n', '\r']).len());
        let span = src.span(start, trimmed_end);
        if content.starts_with('-') {
            option_line(&mut m, &mut includes, path, content, line, &group, span);
            continue;
        }
        let (req, opts) = split_options(content);
        let mut hashes = Vec::new();
        option_hashes(&mut m, opts, line, &mut hashes);
        let dep = if looks_like_path_or_url(req) {
            url_dependency(req, &group, path, span)
        } else {
            match parse_requirement(req) {
                Ok(r) => Some(r.into_dependency(group.clone(), path, span)),
                Err(e) => {
                    error(&mut m, Some(line), e);
                    None
                }
            }
        };
        if let Some(mut dep) = dep {
            dep.hashes = hashes;
            if !push(&mut m, dep) {
                break;
            }
        }
    }
    m.includes = includes.iter().map(|i| i.resolved.clone()).collect();
    (m, includes)
}

/// Logical lines: (start byte, end byte, text with continuations joined).
fn logical_lines(text: &str) -> Vec<(usize, usize, String)> {
    let mut out = Vec::new();
    let mut current: Option<(usize, String)> = None;
    let mut offset = 0;
    for raw in text.split_inclusive('\n') {
        let line_start = offset;
        offset += raw.len();
        let body = raw.trim_end_matches(['\n', '\r']);
        // A comment line inside a continuation ends nothing in pip, but a `\` at the end of a
        // comment is still a comment; keep it simple and faithful: join on a trailing `\`.
        let (start, mut acc) = current
            .take()
            .unwrap_or_else(|| (line_start, String::new()));
        if let Some(stripped) = body.strip_suffix('\\') {
            acc.push_str(stripped);
            current = Some((start, acc));
        } else {
            acc.push_str(body);
            out.push((start, offset, acc));
        }
    }
    if let Some((start, acc)) = current {
        out.push((start, offset, acc));
    }
    out
}

/// Removes a `#` comment at the line start or after whitespace (pip's rule).
fn strip_comment(line: &str) -> &str {
    let bytes = line.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'#' && (i == 0 || bytes[i - 1].is_ascii_whitespace()) {
            return &line[..i];
        }
    }
    line
}

/// Splits `req --hash=… --config-settings …` into the requirement and its options.
fn split_options(content: &str) -> (&str, &str) {
    let mut search = 0;
    while let Some(i) = content[search..].find("--") {
        let at = search + i;
        if at > 0 && content.as_bytes()[at - 1].is_ascii_whitespace() {
            return (content[..at].trim(), content[at..].trim());
        }
        search = at + 2;
    }
    (content, "")
}

fn option_hashes(m: &mut Manifest, opts: &str, line: u32, hashes: &mut Vec<String>) {
    let mut tokens = opts.split_whitespace();
    while let Some(tok) = tokens.next() {
        let (name, value) = match tok.split_once('=') {
            Some((n, v)) => (n, Some(v.to_string())),
            None => (tok, None),
        };
        match name {
            "--hash" => {
                let value = value.or_else(|| tokens.next().map(str::to_string));
                match value {
                    Some(v) if v.contains(':') => hashes.push(v),
                    _ => error(m, Some(line), "`--hash` needs a value like `sha256:<hex>`"),
                }
            }
            "--config-settings" | "--global-option" | "--install-option" | "-C" => {
                if value.is_none() {
                    tokens.next();
                }
            }
            _ => error(
                m,
                Some(line),
                format!("unknown per-requirement option `{name}`"),
            ),
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn option_line(
    m: &mut Manifest,
    includes: &mut Vec<Include>,
    path: &str,
    content: &str,
    line: u32,
    group: &str,
    span: garrison_source::Span,
) {
    let (opt, value) = split_option(content);
    match opt {
        "-r" | "--requirement" | "-c" | "--constraint" => {
            let flag = if opt.starts_with("-r") || opt == "--requirement" {
                "-r"
            } else {
                "-c"
            };
            if value.is_empty() {
                error(m, Some(line), format!("`{opt}` needs a file"));
                return;
            }
            match resolve(path, value) {
                Ok(resolved) => includes.push(Include {
                    flag,
                    written: value.to_string(),
                    resolved,
                }),
                Err(e) => error(m, Some(line), e),
            }
        }
        "-e" | "--editable" => {
            if value.is_empty() {
                error(m, Some(line), "`-e` needs a path or URL");
                return;
            }
            if let Some(dep) = url_dependency(value, group, path, span) {
                push(m, dep);
            }
        }
        o if VALUE_OPTIONS.contains(&o) || FLAG_OPTIONS.contains(&o) => {}
        o => error(m, Some(line), format!("unknown option `{o}`")),
    }
}

/// Splits `-r file`, `-rfile`, `--requirement=file`, `--requirement file`.
fn split_option(content: &str) -> (&str, &str) {
    if let Some(long) = content.strip_prefix("--") {
        let end = long
            .find(|c: char| c == '=' || c.is_whitespace())
            .unwrap_or(long.len());
        let name = &content[..end + 2];
        let rest = content[end + 2..].trim_start();
        let rest = rest.strip_prefix('=').unwrap_or(rest).trim();
        return (name, rest);
    }
    // Short option: `-r file` or `-rfile`.
    let name = content.get(..2).unwrap_or(content);
    let rest = content.get(2..).unwrap_or("").trim();
    let rest = rest.strip_prefix('=').unwrap_or(rest).trim();
    (name, rest)
}

/// Resolves an include relative to the including file's directory, lexically.
fn resolve(including: &str, target: &str) -> Result<String, PythonError> {
    if target.contains("://") {
        return Err(include(target, "is a URL; not followed"));
    }
    if target.starts_with('/') || target.starts_with('\\') || target.get(1..2) == Some(":") {
        return Err(include(target, "is an absolute path; not followed"));
    }
    let dir = match including.rfind('/') {
        Some(i) => &including[..i],
        None => "",
    };
    let mut parts: Vec<&str> = dir
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    for p in target.split(['/', '\\']) {
        match p {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Err(include(
                        target,
                        "leaves the scanned directory; not followed",
                    ));
                }
            }
            p => parts.push(p),
        }
    }
    if parts.is_empty() {
        return Err(include(target, "names no file"));
    }
    Ok(parts.join("/"))
}

fn include(target: &str, reason: &'static str) -> PythonError {
    PythonError::Include {
        target: target.to_string(),
        reason,
    }
}

fn looks_like_path_or_url(s: &str) -> bool {
    // `name [extras] @ url` is a PEP 508 direct reference, not a bare URL.
    let name_end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(s.len());
    if name_end > 0 {
        let rest = s[name_end..].trim_start();
        let rest = match rest.strip_prefix('[') {
            Some(r) => r.split_once(']').map_or("", |(_, a)| a.trim_start()),
            None => rest,
        };
        if rest.starts_with('@') {
            return false;
        }
    }
    s.starts_with('.')
        || s.starts_with('/')
        || s.starts_with('~')
        || s.starts_with("${")
        || s.contains("://")
        || s.starts_with("git+")
        || s.starts_with("file:")
        || s.ends_with(".whl")
        || s.ends_with(".tar.gz")
        || s.ends_with(".zip")
        || (s.contains('/') && !s.contains(['=', '<', '>', '~', '!', ';', '@']))
}

/// An entry that is a path or URL: the name comes from `#egg=`, a wheel or sdist file name,
/// or the last path segment; no version. `None` when no name can be told (`-e .`, the
/// project itself).
fn url_dependency(
    url: &str,
    group: &str,
    path: &str,
    span: garrison_source::Span,
) -> Option<Dependency> {
    let url = url.trim();
    let name = url_name(url);
    // A name that cannot be told (`-e .`, a path that names no valid package) is no entry.
    let normalized = PackageName::new(&name).ok()?;
    Some(Dependency {
        name: normalized,
        raw_name: name,
        ecosystem: Ecosystem::PyPI,
        kind: DepKind::Declared,
        version: None,
        specifiers: None,
        specifier_text: None,
        marker: None,
        group: group.to_string(),
        url: Some(url.to_string()),
        hashes: Vec::new(),
        files: Vec::new(),
        path: path.to_string(),
        span,
    })
}

/// The project name a path or URL refers to, as well as it can be told.
pub(crate) fn url_name(url: &str) -> String {
    if let Some(i) = url.find("egg=") {
        let rest = &url[i + 4..];
        let end = rest.find(['&', ' ', '#']).unwrap_or(rest.len());
        return rest[..end].to_string();
    }
    let no_frag = url.split(['#', '?']).next().unwrap_or(url);
    let last = no_frag
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or(no_frag);
    if let Some(stem) = last.strip_suffix(".whl") {
        return stem.split('-').next().unwrap_or(stem).to_string();
    }
    for ext in [".tar.gz", ".zip", ".tar.bz2", ".tgz"] {
        if let Some(stem) = last.strip_suffix(ext) {
            // sdist: `name-version`; the version is the last `-` segment.
            return match stem.rsplit_once('-') {
                Some((n, _)) => n.to_string(),
                None => stem.to_string(),
            };
        }
    }
    let last = last.split('@').next().unwrap_or(last);
    last.strip_suffix(".git").unwrap_or(last).to_string()
}

/// Reads `rel` and every file it includes (`-r`, `-c`), depth-first, each file once.
///
/// `read` is given a path relative to `root` and returns its text (or `None` when it cannot
/// be read: the including manifest then records an error). Includes that leave `root`, are
/// absolute, or are URLs are not followed. Each dependency's `group` is the include chain
/// from `rel`, like `requirements.txt -> -r base.txt -> -c constraints.txt`. Files are
/// returned in the order read, `rel` first; a file reached twice (a cycle, or a diamond) is
/// read only the first time.
pub fn read_tree(root: &Path, rel: &str, read: impl Fn(&str) -> Option<String>) -> Vec<Manifest> {
    let mut out = Vec::new();
    let Some(text) = read(rel) else {
        let mut m = util::manifest(rel, Format::Requirements);
        let msg = format!("cannot read `{rel}` under `{}`", root.display());
        error(&mut m, None, msg);
        out.push(m);
        return out;
    };
    let mut visited = HashSet::new();
    visited.insert(rel.to_string());
    walk(
        rel,
        &text,
        rel.to_string(),
        0,
        &read,
        &mut visited,
        &mut out,
    );
    out
}

fn walk(
    path: &str,
    text: &str,
    chain: String,
    depth: usize,
    read: &impl Fn(&str) -> Option<String>,
    visited: &mut HashSet<String>,
    out: &mut Vec<Manifest>,
) {
    let (mut m, includes) = parse_inner(path, text);
    for d in &mut m.deps {
        d.group.clone_from(&chain);
    }
    let index = out.len();
    out.push(m);
    for inc in includes {
        if !visited.insert(inc.resolved.clone()) {
            continue;
        }
        if depth + 1 > MAX_INCLUDE_DEPTH || out.len() >= MAX_TREE_FILES {
            if let Some(m) = out.get_mut(index) {
                let msg = format!(
                    "include `{}` not followed: deeper than {MAX_INCLUDE_DEPTH} or more than {MAX_TREE_FILES} files",
                    inc.written
                );
                error(m, None, msg);
            }
            continue;
        }
        let Some(text) = read(&inc.resolved) else {
            if let Some(m) = out.get_mut(index) {
                let msg = format!("cannot read included file `{}`", inc.resolved);
                error(m, None, msg);
            }
            continue;
        };
        let chain = format!("{chain} -> {} {}", inc.flag, inc.written);
        walk(&inc.resolved, &text, chain, depth + 1, read, visited, out);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn resolves() {
        assert_eq!(
            resolve("requirements/dev.txt", "base.txt").unwrap(),
            "requirements/base.txt"
        );
        assert_eq!(
            resolve("requirements/dev.txt", "../r.txt").unwrap(),
            "r.txt"
        );
        assert_eq!(
            resolve("requirements.txt", "./a/./b.txt").unwrap(),
            "a/b.txt"
        );
        assert!(resolve("requirements.txt", "../x.txt").is_err());
        assert!(resolve("requirements.txt", "/etc/passwd").is_err());
        assert!(resolve("requirements.txt", "https://x/r.txt").is_err());
    }

    #[test]
    fn names_from_urls() {
        assert_eq!(url_name("git+https://github.com/a/b.git#egg=foo"), "foo");
        assert_eq!(
            url_name("https://x/numpy-1.26.0-cp312-none-any.whl"),
            "numpy"
        );
        assert_eq!(
            url_name("https://x/scikit-learn-1.0.tar.gz"),
            "scikit-learn"
        );
        assert_eq!(url_name("./packages/foo/"), "foo");
        assert_eq!(url_name("git+https://github.com/a/bar.git@v1"), "bar");
    }
}
