//! Helpers shared by the readers: limits, manifest construction, TOML spans.

use garrison_source::{FileError, SourceFile, Span};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::deps::{DepKind, Dependency, Ecosystem, Format, LockedFile, Manifest, VersionRef};
use crate::error::PythonError;
use crate::name::PackageName;
use crate::pep440::parse_version;

/// Largest file any reader accepts.
pub const MAX_BYTES: usize = 64 * 1024 * 1024;
/// Most dependencies one manifest records.
pub const MAX_DEPS: usize = 500_000;
/// Most errors one manifest records (the rest are counted in a final error).
pub const MAX_ERRORS: usize = 1_000;

/// An empty manifest for `path`.
pub fn manifest(path: &str, format: Format) -> Manifest {
    Manifest {
        path: path.to_string(),
        format,
        deps: Vec::new(),
        errors: Vec::new(),
        includes: Vec::new(),
    }
}

/// Records an error (bounded).
pub fn error(m: &mut Manifest, line: Option<u32>, message: impl std::fmt::Display) {
    if m.errors.len() < MAX_ERRORS {
        m.errors.push(FileError {
            path: m.path.clone(),
            line,
            column: None,
            message: message.to_string(),
        });
    }
}

/// Records `dep` unless the manifest is full. Returns false when full.
pub fn push(m: &mut Manifest, dep: Dependency) -> bool {
    if m.deps.len() >= MAX_DEPS {
        let msg = format!("more than {MAX_DEPS} entries; the rest are not read");
        if !m.errors.iter().any(|e| e.message == msg) {
            error(m, None, msg);
        }
        return false;
    }
    m.deps.push(dep);
    true
}

/// Rejects inputs over [`MAX_BYTES`], recording an error. Returns true when too large.
pub fn too_large(m: &mut Manifest, text: &str) -> bool {
    if text.len() > MAX_BYTES {
        let msg = format!(
            "file is {} bytes, over the {MAX_BYTES} byte limit; not read",
            text.len()
        );
        error(m, None, msg);
        true
    } else {
        false
    }
}

/// A version as written: PEP 440 when it parses, raw otherwise.
pub fn version_ref(s: &str) -> VersionRef {
    match parse_version(s) {
        Ok(v) => VersionRef::Pep440(v),
        Err(_) => VersionRef::Raw(s.trim().to_string()),
    }
}

/// A locked entry with no specifier; an error when the name is not valid in its ecosystem.
pub fn locked(
    raw_name: &str,
    version: Option<&str>,
    ecosystem: Ecosystem,
    group: impl Into<String>,
    path: &str,
    span: Span,
) -> Result<Dependency, PythonError> {
    let name = match ecosystem {
        Ecosystem::PyPI => PackageName::new(raw_name)?,
        Ecosystem::Conda => PackageName::conda(raw_name)?,
    };
    Ok(Dependency {
        name,
        raw_name: raw_name.trim().to_string(),
        ecosystem,
        kind: DepKind::Locked,
        version: version.map(version_ref),
        specifiers: None,
        specifier_text: None,
        marker: None,
        group: group.into(),
        url: None,
        hashes: Vec::new(),
        files: Vec::new(),
        path: path.to_string(),
        span,
    })
}

/// 1-based line of a byte offset, as `u32`.
pub fn line_of(src: &SourceFile, offset: usize) -> u32 {
    u32::try_from(src.line_of(offset)).unwrap_or(u32::MAX)
}

/// Parses a TOML document, recording syntax errors; what could be read is returned.
pub fn parse_toml<'i>(m: &mut Manifest, src: &SourceFile, text: &'i str) -> Spanned<DeTable<'i>> {
    let (doc, errors) = DeTable::parse_recoverable(text);
    for e in errors {
        let line = e.span().map(|r| line_of(src, r.start));
        let msg = format!("TOML syntax error: {}", e.message());
        error(m, line, msg);
    }
    doc
}

/// The string value of `key` in `t`.
pub fn get_str<'a>(t: &'a DeTable<'_>, key: &str) -> Option<&'a str> {
    t.get(key).and_then(|v| v.get_ref().as_str())
}

/// The table value of `key` in `t`.
pub fn get_table<'a, 'i>(t: &'a DeTable<'i>, key: &str) -> Option<&'a DeTable<'i>> {
    t.get(key).and_then(|v| v.get_ref().as_table())
}

/// The array value of `key` in `t`.
pub fn get_array<'a, 'i>(t: &'a DeTable<'i>, key: &str) -> Option<&'a [Spanned<DeValue<'i>>]> {
    t.get(key)
        .and_then(|v| v.get_ref().as_array())
        .map(|a| &a[..])
}

/// One `[[<key>]]` entry of a lock file that has a `name`.
pub struct NamedEntry<'a, 'i> {
    /// 1-based line of the entry.
    pub line: u32,
    /// The entry's table.
    pub table: &'a DeTable<'i>,
    /// Its `name`.
    pub name: &'a str,
    /// Byte range of the whole entry.
    pub range: std::ops::Range<usize>,
}

/// The entries of the `[[<key>]]` array of a lock file that are tables with a `name`;
/// the others are recorded as errors with their line.
pub fn named_entries<'a, 'i>(
    m: &mut Manifest,
    src: &SourceFile,
    entries: &'a [Spanned<DeValue<'i>>],
    key: &str,
) -> Vec<NamedEntry<'a, 'i>> {
    let mut out = Vec::with_capacity(entries.len());
    for p in entries {
        let line = line_of(src, p.span().start);
        let Some(table) = p.get_ref().as_table() else {
            error(m, Some(line), format!("`{key}` entry is not a table"));
            continue;
        };
        let Some(name) = get_str(table, "name") else {
            error(m, Some(line), format!("`[[{key}]]` without a `name`"));
            continue;
        };
        out.push(NamedEntry {
            line,
            table,
            name,
            range: p.span(),
        });
    }
    out
}

/// The span of a lock entry table: from its `name` key to the end of its `version` value (the
/// two lines that identify the entry), or the `name` entry alone, or `fallback`.
pub fn entry_span(src: &SourceFile, t: &DeTable<'_>, fallback: std::ops::Range<usize>) -> Span {
    let name = t.get_key_value("name");
    let version = t.get_key_value("version");
    let mut range: Option<(usize, usize)> = None;
    for (k, v) in [name, version].into_iter().flatten() {
        let (s, e) = (k.span().start, v.span().end);
        range = Some(match range {
            None => (s, e),
            Some((a, b)) => (a.min(s), b.max(e)),
        });
    }
    // Only trust a contiguous pair: if the two keys are far apart, point at `name`.
    if let (Some((k, v)), Some((a, b))) = (name, range) {
        let between = src.text().get(a..b).map_or(0, |s| s.matches('\n').count());
        if between > 3 {
            return src.span(k.span().start, v.span().end);
        }
    }
    match range {
        Some((a, b)) => src.span(a, b),
        None => src.span(fallback.start, fallback.end),
    }
}

/// Hashes of a TOML file entry: `hash = "sha256:…"` or `hashes = { sha256 = "…" }`.
pub fn toml_hashes(t: &DeTable<'_>, out: &mut Vec<String>) {
    if let Some(h) = get_str(t, "hash") {
        out.push(h.to_string());
    }
    if let Some(hs) = get_table(t, "hashes") {
        for (alg, v) in hs.iter() {
            if let Some(v) = v.get_ref().as_str() {
                out.push(format!("{}:{v}", alg.get_ref()));
            }
        }
    }
}

/// The locked file a TOML file entry describes (`{ name?, url? | path?, hash? | hashes?, size? }`),
/// when a file name can be told: the `name` key, else the last segment of `url`/`path`
/// (query and fragment dropped, percent-decoded).
pub fn toml_locked_file(t: &DeTable<'_>) -> Option<LockedFile> {
    let filename = match get_str(t, "name") {
        Some(n) => n.to_string(),
        None => {
            let loc = get_str(t, "url").or_else(|| get_str(t, "path"))?;
            filename_of(loc)?
        }
    };
    let mut hashes = Vec::new();
    toml_hashes(t, &mut hashes);
    let size = t
        .get("size")
        .and_then(|v| v.get_ref().as_integer())
        .and_then(|i| i.as_str().parse::<u64>().ok());
    Some(LockedFile {
        filename,
        hashes,
        size,
    })
}

/// The file name at the end of a URL or path: query and fragment dropped, percent-decoded;
/// `None` when empty or when it would contain a path separator or NUL after decoding.
pub fn filename_of(loc: &str) -> Option<String> {
    let loc = loc.split(['?', '#']).next().unwrap_or(loc);
    let last = loc.rsplit(['/', '\\']).next().unwrap_or(loc);
    let bytes = last.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hexval = |b: u8| (b as char).to_digit(16);
        match (
            bytes.get(i),
            bytes.get(i + 1).copied().and_then(hexval),
            bytes.get(i + 2).copied().and_then(hexval),
        ) {
            (Some(b'%'), Some(h), Some(l)) => {
                out.push(u8::try_from(h * 16 + l).unwrap_or(b'?'));
                i += 3;
            }
            (Some(&b), _, _) => {
                out.push(b);
                i += 1;
            }
            (None, _, _) => break,
        }
    }
    let name = String::from_utf8(out).ok()?;
    if name.is_empty() || name.contains(['/', '\\', '\0']) || name == "." || name == ".." {
        return None;
    }
    Some(name)
}

#[cfg(test)]
mod tests {
    use super::filename_of;

    #[test]
    fn file_names_from_urls() {
        assert_eq!(
            filename_of("https://h/p/numpy-2.0-cp312-none-any.whl#sha256=aa").as_deref(),
            Some("numpy-2.0-cp312-none-any.whl")
        );
        assert_eq!(
            filename_of("https://h/p/a%2Bb-1.0.tar.gz?x=1").as_deref(),
            Some("a+b-1.0.tar.gz")
        );
        assert_eq!(
            filename_of("dist/x-1.0.tar.gz").as_deref(),
            Some("x-1.0.tar.gz")
        );
        // An encoded separator or NUL never becomes part of a file name.
        assert_eq!(filename_of("https://h/..%2Fevil.whl"), None);
        assert_eq!(filename_of("https://h/a%00.whl"), None);
        assert_eq!(filename_of("https://h/"), None);
        assert_eq!(filename_of("https://h/%zz.whl").as_deref(), Some("%zz.whl"));
    }
}
