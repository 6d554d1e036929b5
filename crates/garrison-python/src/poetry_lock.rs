//! `poetry.lock`: every `[[package]]` entry.
//!
//! The group is the entry's `groups` (Poetry ≥ 1.2, joined with `,`) or `category` (older
//! locks), else `main`. `[package.source]` of type `git`/`url`/`file`/`directory` gives the
//! URL. Hashes come from the entry's `files` or, in old locks, from `[metadata.files]`.
//! Span: the `name =`/`version =` lines.

use garrison_source::SourceFile;
use toml::de::DeValue;

use crate::deps::{Ecosystem, Format, Manifest};
use crate::util::{self, entry_span, error, get_array, get_str, get_table, locked, push};

/// Reads a `poetry.lock`.
pub fn parse(path: &str, text: &str) -> Manifest {
    let mut m = util::manifest(path, Format::PoetryLock);
    if util::too_large(&mut m, text) {
        return m;
    }
    let src = SourceFile::new(text);
    let doc = util::parse_toml(&mut m, &src, text);
    let root = doc.get_ref();
    let old_files = get_table(root, "metadata").and_then(|md| get_table(md, "files"));
    let Some(packages) = get_array(root, "package") else {
        return m;
    };
    for e in util::named_entries(&mut m, &src, packages, "package") {
        let (line, t, name) = (e.line, e.table, e.name);
        let group = match get_array(t, "groups") {
            Some(gs) => gs
                .iter()
                .filter_map(|g| g.get_ref().as_str())
                .collect::<Vec<_>>()
                .join(","),
            None => get_str(t, "category").unwrap_or("main").to_string(),
        };
        let span = entry_span(&src, t, e.range.clone());
        let mut dep = match locked(
            name,
            get_str(t, "version"),
            Ecosystem::PyPI,
            group,
            path,
            span,
        ) {
            Ok(d) => d,
            Err(e) => {
                error(&mut m, Some(span.start_line), e);
                continue;
            }
        };
        // `markers` is a string, or (Poetry 2) a table of group → marker.
        dep.marker = match t.get("markers").map(|v| v.get_ref()) {
            Some(DeValue::String(s)) => Some(s.to_string()),
            Some(DeValue::Table(mt)) => {
                let ms: Vec<String> = mt
                    .iter()
                    .filter_map(|(g, v)| {
                        Some(format!("{}: {}", g.get_ref(), v.get_ref().as_str()?))
                    })
                    .collect();
                (!ms.is_empty()).then(|| ms.join("; "))
            }
            _ => None,
        };
        if let Some(source) = get_table(t, "source")
            && get_str(source, "type").is_some_and(|ty| ty != "legacy")
        {
            dep.url = get_str(source, "url").map(str::to_string);
        }
        let files = get_array(t, "files").or_else(|| old_files.and_then(|f| get_array(f, name)));
        for f in files.unwrap_or(&[]) {
            if let Some(f) = f.get_ref().as_table() {
                util::toml_hashes(f, &mut dep.hashes);
            }
        }
        if dep.version.is_none() {
            error(
                &mut m,
                Some(line),
                format!("`{name}` has no `version`; recorded without one"),
            );
        }
        if !push(&mut m, dep) {
            break;
        }
    }
    m
}
