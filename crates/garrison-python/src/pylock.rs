//! `pylock.toml` / `pylock.*.toml` (PEP 751): every `[[packages]]` entry.
//!
//! A package's `marker` is kept; its URL is the `vcs`/`archive` URL or `directory` path;
//! hashes come from `sdist`, `wheels` and `archive`, each also kept as a [`crate::LockedFile`]
//! (its `name`, or the last segment of its `url`/`path`). Span: the `name =`/`version =` lines.

use garrison_source::SourceFile;

use crate::deps::{Ecosystem, Format, Manifest};
use crate::util::{self, entry_span, error, get_array, get_str, get_table, locked, push};

/// Reads a PEP 751 lock file.
pub fn parse(path: &str, text: &str) -> Manifest {
    let mut m = util::manifest(path, Format::Pylock);
    if util::too_large(&mut m, text) {
        return m;
    }
    let src = SourceFile::new(text);
    let doc = util::parse_toml(&mut m, &src, text);
    let Some(packages) = get_array(doc.get_ref(), "packages") else {
        return m;
    };
    for e in util::named_entries(&mut m, &src, packages, "packages") {
        let (t, name) = (e.table, e.name);
        let span = entry_span(&src, t, e.range.clone());
        let mut dep = match locked(
            name,
            get_str(t, "version"),
            Ecosystem::PyPI,
            "packages",
            path,
            span,
        ) {
            Ok(d) => d,
            Err(e) => {
                error(&mut m, Some(span.start_line), e);
                continue;
            }
        };
        dep.marker = get_str(t, "marker").map(str::to_string);
        dep.url = get_table(t, "vcs")
            .and_then(|v| get_str(v, "url").or_else(|| get_str(v, "path")))
            .or_else(|| {
                get_table(t, "archive")
                    .and_then(|a| get_str(a, "url").or_else(|| get_str(a, "path")))
            })
            .or_else(|| get_table(t, "directory").and_then(|d| get_str(d, "path")))
            .map(str::to_string);
        for key in ["sdist", "archive"] {
            if let Some(f) = get_table(t, key) {
                util::toml_hashes(f, &mut dep.hashes);
                dep.files.extend(util::toml_locked_file(f));
            }
        }
        for w in get_array(t, "wheels").unwrap_or(&[]) {
            if let Some(w) = w.get_ref().as_table() {
                util::toml_hashes(w, &mut dep.hashes);
                dep.files.extend(util::toml_locked_file(w));
            }
        }
        if !push(&mut m, dep) {
            break;
        }
    }
    m
}
