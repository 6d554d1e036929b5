//! `conda-lock.yml` (conda-lock's unified format, version 1): the `package:` list.
//!
//! Each entry has `name`, `version`, `manager` (`conda` → [`Ecosystem::Conda`], `pip` →
//! [`Ecosystem::PyPI`]), `platform`, `category`, `url` and `hash` (`md5`, `sha256`). Kind
//! Locked; group `<category> (<platform>)`. Span: the entry's `name:` line.

use garrison_yaml::Node;

use crate::deps::{Ecosystem, Format, Manifest};
use crate::util::{self, error, locked, push};

/// Reads a `conda-lock.yml`.
pub fn parse(path: &str, text: &str) -> Manifest {
    let mut m = util::manifest(path, Format::CondaLock);
    if util::too_large(&mut m, text) {
        return m;
    }
    let Some(root) = crate::pixi_lock::parse_yaml(&mut m, text) else {
        return m;
    };
    let Some(packages) = root.get("package") else {
        return m;
    };
    let Some(entries) = packages.as_seq() else {
        error(
            &mut m,
            Some(packages.span.start_line),
            "`package` is not a list",
        );
        return m;
    };
    for e in entries {
        let line = e.span.start_line;
        let Some((name_key, name_node)) = e.entry("name") else {
            error(&mut m, Some(line), "`package` entry without a `name`");
            continue;
        };
        let Some(name) = name_node.as_str() else {
            error(&mut m, Some(line), "`name` is not a string");
            continue;
        };
        let ecosystem = match e.get("manager").and_then(Node::as_str) {
            Some("pip") => Ecosystem::PyPI,
            Some("conda") | None => Ecosystem::Conda,
            Some(other) => {
                error(
                    &mut m,
                    Some(line),
                    format!("`{name}`: unknown manager `{other}`"),
                );
                continue;
            }
        };
        let category = e.get("category").and_then(Node::as_str).unwrap_or("main");
        let group = match e.get("platform").and_then(Node::as_str) {
            Some(p) => format!("{category} ({p})"),
            None => category.to_string(),
        };
        let span = garrison_source::Span {
            end_line: name_node.span.end_line,
            end_column: name_node.span.end_column,
            end_offset: name_node.span.end_offset,
            ..name_key.span
        };
        let version = e.get("version").and_then(Node::as_str);
        let mut dep = match locked(name, version, ecosystem, group, path, span) {
            Ok(d) => d,
            Err(e) => {
                error(&mut m, Some(span.start_line), e);
                continue;
            }
        };
        dep.url = e.get("url").and_then(Node::as_str).map(str::to_string);
        if let Some(h) = e.get("hash") {
            for (alg, v) in h.entries() {
                if let Some(v) = v.as_str() {
                    dep.hashes.push(format!("{alg}:{v}"));
                }
            }
        }
        if version.is_none() {
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
