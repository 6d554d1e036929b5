//! `pdm.lock`: every `[[package]]` entry.
//!
//! The group is the entry's `groups` joined with `,` (older locks: `default`); its `marker` is
//! kept; hashes come from `files`. Span: the `name =`/`version =` lines.

use garrison_source::SourceFile;

use crate::deps::{Ecosystem, Format, Manifest};
use crate::util::{self, entry_span, error, get_array, get_str, locked, push};

/// Reads a `pdm.lock`.
pub fn parse(path: &str, text: &str) -> Manifest {
    let mut m = util::manifest(path, Format::PdmLock);
    if util::too_large(&mut m, text) {
        return m;
    }
    let src = SourceFile::new(text);
    let doc = util::parse_toml(&mut m, &src, text);
    let Some(packages) = get_array(doc.get_ref(), "package") else {
        return m;
    };
    for e in util::named_entries(&mut m, &src, packages, "package") {
        let (t, name) = (e.table, e.name);
        let group = match get_array(t, "groups") {
            Some(gs) => gs
                .iter()
                .filter_map(|g| g.get_ref().as_str())
                .collect::<Vec<_>>()
                .join(","),
            None => "default".to_string(),
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
        dep.marker = get_str(t, "marker").map(str::to_string);
        dep.url = ["git", "url", "path"]
            .iter()
            .find_map(|k| get_str(t, k))
            .map(str::to_string);
        for f in get_array(t, "files").unwrap_or(&[]) {
            if let Some(f) = f.get_ref().as_table() {
                util::toml_hashes(f, &mut dep.hashes);
            }
        }
        if !push(&mut m, dep) {
            break;
        }
    }
    m
}
