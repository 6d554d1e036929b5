//! `pixi.lock` (format versions 4 to 7): the `packages:` list.
//!
//! - PyPI entries (`- pypi: <url>` or `kind: pypi`) → [`Ecosystem::PyPI`], group `pypi`;
//!   name and version from the `name:`/`version:` keys, else from the wheel or sdist file name.
//! - conda entries (`- conda: <url>` or `kind: conda`) → [`Ecosystem::Conda`], group `conda`;
//!   name and version from the keys (older formats) or the file name
//!   `name-version-build.conda`. Each `pkg:pypi/<name>[@<version>]` purl of a conda entry is
//!   ALSO recorded as a PyPI dependency, group `conda (purl)`, with the purl's version or, when
//!   the purl has none (pixi's `?source=hash-mapping` purls), the conda version.
//!
//! Editable PyPI entries and `conda_source` entries (the project itself) are skipped.
//!
//! Span: the entry's first line (`- conda: https://…`); for a purl, the purl itself.

use garrison_source::{SourceFile, Span};
use garrison_yaml::{Limits, Node};

use crate::deps::{Ecosystem, Format, Manifest};
use crate::util::{self, error, locked, push};

/// Reads a `pixi.lock`.
pub fn parse(path: &str, text: &str) -> Manifest {
    let mut m = util::manifest(path, Format::PixiLock);
    if util::too_large(&mut m, text) {
        return m;
    }
    // Only the top-level `packages:` section is needed; the `environments:` section before it
    // is about half of a large lock. Parse from `packages:` on when it starts a line (pixi
    // always writes it so), and rebase spans onto the whole file.
    let base = top_level_key(text, "packages:").unwrap_or(0);
    let sub = text.get(base..).unwrap_or(text);
    let src = SourceFile::new(text);
    let rebase = Rebase { base, src: &src };
    let root = match parse_yaml_at(sub) {
        Ok(n) => n,
        Err((line, msg)) => {
            let line = line.saturating_add(util::line_of(&src, base) - 1);
            error(&mut m, Some(line), msg);
            return m;
        }
    };
    let Some(packages) = root.get("packages") else {
        return m;
    };
    let Some(entries) = packages.as_seq() else {
        error(
            &mut m,
            Some(packages.span.start_line),
            "`packages` is not a list",
        );
        return m;
    };
    for e in entries {
        if !entry(&mut m, path, e, &rebase) {
            break;
        }
    }
    m
}

/// Byte offset of the line that is exactly `key` (a top-level mapping key).
fn top_level_key(text: &str, key: &str) -> Option<usize> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if line.trim_end() == key {
            return Some(offset);
        }
        offset += line.len();
    }
    None
}

/// Maps spans of a parse of `text[base..]` onto the whole file.
struct Rebase<'a> {
    base: usize,
    src: &'a SourceFile,
}

impl Rebase<'_> {
    fn span(&self, s: Span) -> Span {
        if self.base == 0 {
            s
        } else {
            self.src
                .span(s.start_offset + self.base, s.end_offset + self.base)
        }
    }
}

fn parse_yaml_at(text: &str) -> Result<Node, (u32, String)> {
    let limits = Limits {
        max_bytes: util::MAX_BYTES,
        max_depth: 64,
        max_nodes: 20_000_000,
    };
    garrison_yaml::parse_with(text, limits)
        .map_err(|e| (e.line, format!("YAML syntax error: {}", e.message)))
}

/// Parses YAML with limits fit for lock files (64 MiB, many nodes); records the error.
pub(crate) fn parse_yaml(m: &mut Manifest, text: &str) -> Option<Node> {
    match parse_yaml_at(text) {
        Ok(n) => Some(n),
        Err((line, msg)) => {
            error(m, Some(line), msg);
            None
        }
    }
}

/// Reads one `packages` entry; false when the manifest is full.
fn entry(m: &mut Manifest, path: &str, e: &Node, rb: &Rebase<'_>) -> bool {
    let line = rb.span(e.span).start_line;
    let Some(map) = e.as_map() else {
        error(m, Some(line), "`packages` entry is not a mapping");
        return true;
    };
    // The first key/value is the entry's identifying line.
    let span = rb.span(map.first().map_or(e.span, |(k, v)| join(k.span, v.span)));
    let (kind, url) = if let Some(u) = e.get("conda").and_then(Node::as_str) {
        ("conda", u)
    } else if let Some(u) = e.get("pypi").and_then(Node::as_str) {
        ("pypi", u)
    } else {
        match (
            e.get("kind").and_then(Node::as_str),
            e.get("url").and_then(Node::as_str),
        ) {
            (Some(k @ ("conda" | "pypi")), Some(u)) => (k, u),
            // A package built from source in the workspace (`conda_source: name[hash] @ .`):
            // the project itself.
            _ if e.get("conda_source").is_some() => return true,
            _ => {
                error(
                    m,
                    Some(line),
                    "`packages` entry is neither `conda:` nor `pypi:`",
                );
                return true;
            }
        }
    };
    // An editable PyPI entry is the project (or a workspace member) itself.
    if e.get("editable").is_some_and(Node::is_true) {
        return true;
    }
    let file = url.rsplit('/').next().unwrap_or(url);
    let key_name = e.get("name").and_then(Node::as_str);
    let key_version = e.get("version").and_then(Node::as_str);
    let (name, version) = match (key_name, key_version) {
        (Some(n), Some(v)) => (n.to_string(), Some(v.to_string())),
        _ => {
            let parsed = if kind == "conda" {
                conda_filename(file)
            } else {
                python_filename(file)
            };
            match parsed {
                Some((n, v)) => (key_name.map_or(n, str::to_string), Some(v)),
                None => match key_name {
                    Some(n) => (n.to_string(), None),
                    None => {
                        error(m, Some(line), format!("cannot tell the package of `{url}`"));
                        return true;
                    }
                },
            }
        }
    };
    let ecosystem = if kind == "conda" {
        Ecosystem::Conda
    } else {
        Ecosystem::PyPI
    };
    let mut dep = match locked(&name, version.as_deref(), ecosystem, kind, path, span) {
        Ok(d) => d,
        Err(e) => {
            error(m, Some(span.start_line), e);
            return true;
        }
    };
    dep.url = Some(url.to_string());
    for alg in ["sha256", "md5"] {
        if let Some(h) = e.get(alg).and_then(Node::as_str) {
            dep.hashes.push(format!("{alg}:{h}"));
        }
    }
    let hashes = dep.hashes.clone();
    if !push(m, dep) {
        return false;
    }
    if kind == "conda"
        && let Some(purls) = e.get("purls").and_then(Node::as_seq)
    {
        for p in purls {
            let Some(s) = p.as_str() else { continue };
            let Some((pname, pversion)) = pypi_purl(s) else {
                continue;
            };
            let v = pversion.or(version.clone());
            let span = rb.span(p.span);
            let mut dep = match locked(
                &pname,
                v.as_deref(),
                Ecosystem::PyPI,
                "conda (purl)",
                path,
                span,
            ) {
                Ok(d) => d,
                Err(e) => {
                    error(m, Some(span.start_line), e);
                    continue;
                }
            };
            dep.url = Some(url.to_string());
            dep.hashes.clone_from(&hashes);
            if !push(m, dep) {
                return false;
            }
        }
    }
    true
}

fn join(a: Span, b: Span) -> Span {
    Span {
        start_line: a.start_line,
        start_column: a.start_column,
        end_line: b.end_line,
        end_column: b.end_column,
        start_offset: a.start_offset,
        end_offset: b.end_offset,
    }
}

/// `name-version-build.conda` / `.tar.bz2` → (name, version).
pub(crate) fn conda_filename(file: &str) -> Option<(String, String)> {
    let stem = file
        .strip_suffix(".conda")
        .or_else(|| file.strip_suffix(".tar.bz2"))?;
    let mut it = stem.rsplitn(3, '-');
    let _build = it.next()?;
    let version = it.next()?;
    let name = it.next()?;
    (!name.is_empty() && !version.is_empty()).then(|| (name.to_string(), version.to_string()))
}

/// A wheel (`name-version-…whl`) or sdist (`name-version.tar.gz`) file name → (name, version).
pub(crate) fn python_filename(file: &str) -> Option<(String, String)> {
    if let Some(stem) = file.strip_suffix(".whl") {
        let mut it = stem.split('-');
        let name = it.next()?;
        let version = it.next()?;
        return (!name.is_empty() && !version.is_empty())
            .then(|| (name.to_string(), version.to_string()));
    }
    let stem = [".tar.gz", ".zip", ".tar.bz2", ".tgz"]
        .iter()
        .find_map(|ext| file.strip_suffix(ext))?;
    let (name, version) = stem.rsplit_once('-')?;
    (!name.is_empty() && !version.is_empty()).then(|| (name.to_string(), version.to_string()))
}

/// `pkg:pypi/<name>[@<version>][?qualifiers][#subpath]` → (name, version).
pub(crate) fn pypi_purl(s: &str) -> Option<(String, Option<String>)> {
    let rest = s.trim().strip_prefix("pkg:pypi/")?;
    let rest = rest.split(['?', '#']).next().unwrap_or(rest);
    let (name, version) = match rest.split_once('@') {
        Some((n, v)) => (n, Some(percent_decode(v))),
        None => (rest, None),
    };
    let name = percent_decode(name);
    (!name.is_empty()).then_some((name, version.filter(|v| !v.is_empty())))
}

/// Minimal `%XX` decoding (purl components); invalid escapes are kept as written.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(h) = s.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(h, 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names() {
        assert_eq!(
            conda_filename("ld_impl_linux-64-2.45.1-default_hbd61a6d_102.conda"),
            Some(("ld_impl_linux-64".into(), "2.45.1".into()))
        );
        assert_eq!(
            conda_filename("numpy-1.26.4-py312h.tar.bz2"),
            Some(("numpy".into(), "1.26.4".into()))
        );
        assert_eq!(conda_filename("x.conda"), None);
        assert_eq!(
            python_filename("scipy_openblas64-0.3.34.0.0-py3-none-win_amd64.whl"),
            Some(("scipy_openblas64".into(), "0.3.34.0.0".into()))
        );
        assert_eq!(
            python_filename("scikit-learn-1.0.tar.gz"),
            Some(("scikit-learn".into(), "1.0".into()))
        );
        assert_eq!(
            pypi_purl("pkg:pypi/argon2-cffi-bindings?source=hash-mapping"),
            Some(("argon2-cffi-bindings".into(), None))
        );
        assert_eq!(
            pypi_purl("pkg:pypi/numpy@1.26.4"),
            Some(("numpy".into(), Some("1.26.4".into())))
        );
        assert_eq!(pypi_purl("pkg:conda/numpy@1"), None);
    }
}
