//! `Pipfile.lock` (JSON): the `default` and `develop` sections.
//!
//! Each entry `"name": {"version": "==1.2.3", "markers": "…", "hashes": […]}` → Locked,
//! group `default`/`develop`; VCS/path entries (`git`, `path`, `file`) are recorded with their
//! URL and no version.
//!
//! serde_json has no spans, so a small scanner over the JSON text finds the byte range of
//! each key at depth 2 under `default`/`develop` (strings and escapes are honoured; keys are
//! matched after JSON unescaping). The span is that key (`"requests"`), the line where the
//! entry starts. When the scanner cannot place a key (it always can for valid JSON), the
//! span falls back to the section's key.

use std::collections::HashMap;

use garrison_source::SourceFile;
use serde_json::Value;

use crate::deps::{Ecosystem, Format, Manifest};
use crate::util::{self, error, locked, push};

/// Reads a `Pipfile.lock`.
pub fn parse(path: &str, text: &str) -> Manifest {
    let mut m = util::manifest(path, Format::PipfileLock);
    if util::too_large(&mut m, text) {
        return m;
    }
    let src = SourceFile::new(text);
    let doc: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            let line = u32::try_from(e.line()).unwrap_or(u32::MAX);
            error(&mut m, Some(line), format!("JSON syntax error: {e}"));
            return m;
        }
    };
    let keys = key_offsets(text);
    for section in ["default", "develop"] {
        let Some(entries) = doc.get(section).and_then(Value::as_object) else {
            continue;
        };
        for (name, entry) in entries {
            let span = match keys.get(&(section.to_string(), name.clone())) {
                Some(&(s, e)) => src.span(s, e),
                None => src.span(0, 0),
            };
            let line = span.start_line;
            let Some(entry) = entry.as_object() else {
                error(&mut m, Some(line), format!("`{name}` is not an object"));
                continue;
            };
            let version = entry.get("version").and_then(Value::as_str).map(|v| {
                v.trim()
                    .trim_start_matches("===")
                    .trim_start_matches("==")
                    .trim()
            });
            let mut dep = match locked(name, version, Ecosystem::PyPI, section, path, span) {
                Ok(d) => d,
                Err(e) => {
                    error(&mut m, Some(span.start_line), e);
                    continue;
                }
            };
            dep.marker = entry
                .get("markers")
                .and_then(Value::as_str)
                .map(str::to_string);
            dep.url = ["git", "hg", "svn", "bzr", "path", "file"]
                .iter()
                .find_map(|k| entry.get(*k).and_then(Value::as_str))
                .map(str::to_string);
            for h in entry
                .get("hashes")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(h) = h.as_str() {
                    dep.hashes.push(h.to_string());
                }
            }
            if dep.version.is_none() && dep.url.is_none() {
                error(
                    &mut m,
                    Some(line),
                    format!("`{name}` has neither a `version` nor a source"),
                );
            }
            if !push(&mut m, dep) {
                break;
            }
        }
    }
    m.deps.sort_by_key(|d| d.span.start_offset);
    m
}

/// Byte ranges of the keys of the objects under each top-level key:
/// (top-level key, key) → (start, end) of the key's string token, quotes included.
fn key_offsets(text: &str) -> HashMap<(String, String), (usize, usize)> {
    let mut out = HashMap::new();
    let bytes = text.as_bytes();
    let mut depth: usize = 0;
    let mut i = 0;
    let mut top_key = String::new();
    // The last string token and where it was, to tell a key (followed by `:`) from a value.
    let mut last: Option<(usize, usize)> = None;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                let start = i;
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    if bytes[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                i += 1;
                last = Some((start, i.min(bytes.len())));
                continue;
            }
            b':' => {
                if let Some((s, e)) = last.take() {
                    let key: String = text
                        .get(s..e)
                        .and_then(|tok| serde_json::from_str(tok).ok())
                        .unwrap_or_default();
                    if depth == 1 {
                        top_key = key;
                    } else if depth == 2 {
                        out.insert((top_key.clone(), key), (s, e));
                    }
                }
            }
            b'{' | b'[' => {
                depth += 1;
                last = None;
            }
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                last = None;
            }
            b',' => last = None,
            _ => {}
        }
        i += 1;
    }
    out
}
