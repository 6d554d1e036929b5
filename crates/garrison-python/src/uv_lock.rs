//! `uv.lock`: every `[[package]]` entry, including every version of a name that forked
//! resolutions lock more than once.
//!
//! Workspace members (`source = { editable = … }` / `{ virtual = … }`) are the project itself
//! and are skipped. A package's `resolution-markers` become its marker (`(a) or (b)`). Hashes
//! come from `sdist` and `wheels`, and each of those is also kept as a [`crate::LockedFile`]
//! (file name from its `url` or `path`). Span: the entry's `name = …` / `version = …` lines.

use garrison_source::SourceFile;
use toml::de::DeTable;

use crate::deps::{Ecosystem, Format, Manifest};
use crate::util::{self, entry_span, error, get_array, get_str, get_table, locked, push};

/// Reads a `uv.lock`.
pub fn parse(path: &str, text: &str) -> Manifest {
    let mut m = util::manifest(path, Format::UvLock);
    if util::too_large(&mut m, text) {
        return m;
    }
    let src = SourceFile::new(text);
    let doc = util::parse_toml(&mut m, &src, text);
    let Some(packages) = get_array(doc.get_ref(), "package") else {
        return m;
    };
    for e in util::named_entries(&mut m, &src, packages, "package") {
        let (line, t, name) = (e.line, e.table, e.name);
        let source = get_table(t, "source");
        if source.is_some_and(|s| s.contains_key("editable") || s.contains_key("virtual")) {
            continue;
        }
        let span = entry_span(&src, t, e.range.clone());
        let mut dep = match locked(
            name,
            get_str(t, "version"),
            Ecosystem::PyPI,
            "package",
            path,
            span,
        ) {
            Ok(d) => d,
            Err(e) => {
                error(&mut m, Some(span.start_line), e);
                continue;
            }
        };
        dep.url = source.and_then(source_url);
        dep.marker = resolution_markers(t);
        if let Some(sdist) = get_table(t, "sdist") {
            util::toml_hashes(sdist, &mut dep.hashes);
            dep.files.extend(util::toml_locked_file(sdist));
        }
        for w in get_array(t, "wheels").unwrap_or(&[]) {
            if let Some(w) = w.get_ref().as_table() {
                util::toml_hashes(w, &mut dep.hashes);
                dep.files.extend(util::toml_locked_file(w));
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

/// The URL of a non-registry source (`git`, `url`, `path`, `directory`).
fn source_url(s: &DeTable<'_>) -> Option<String> {
    ["git", "url", "path", "directory"]
        .iter()
        .find_map(|k| get_str(s, k))
        .map(str::to_string)
}

fn resolution_markers(t: &DeTable<'_>) -> Option<String> {
    let markers: Vec<&str> = get_array(t, "resolution-markers")?
        .iter()
        .filter_map(|v| v.get_ref().as_str())
        .collect();
    match markers.as_slice() {
        [] => None,
        [one] => Some((*one).to_string()),
        many => Some(
            many.iter()
                .map(|m| format!("({m})"))
                .collect::<Vec<_>>()
                .join(" or "),
        ),
    }
}
