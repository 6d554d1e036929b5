//! `pyproject.toml` dependency declarations (library mode: ranges, not locks).
//!
//! Read, each with its group label:
//! - `[project] dependencies` → `project.dependencies`
//! - `[project.optional-dependencies] <extra>` → `project.optional-dependencies.<extra>`
//! - `[dependency-groups] <g>` (PEP 735; `{include-group = "…"}` entries are resolved, the
//!   included entries keep their own spans) → `dependency-groups.<g>`
//! - `[build-system] requires` → `build-system.requires`
//! - Poetry: `[tool.poetry.dependencies]`, `[tool.poetry.dev-dependencies]` and
//!   `[tool.poetry.group.<g>.dependencies]` (caret and tilde constraints converted:
//!   `^1.2` → `>=1.2,<2.0`, `~1.2` → `>=1.2,<1.3`; `a || b` gives one entry per alternative;
//!   the `python` key is skipped)
//! - pixi: `[tool.pixi.pypi-dependencies]` and `[tool.pixi.feature.<f>.pypi-dependencies]`.
//!
//! The span of a PEP 508 entry is its string literal; of a table entry (Poetry, pixi), from
//! its key to the end of its value.

use std::collections::HashSet;

use garrison_source::{SourceFile, Span};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::deps::{Format, Manifest};
use crate::error::PythonError;
use crate::name::PackageName;
use crate::pep440::parse_specifiers;
use crate::requirement::{Requirement, parse_requirement};
use crate::util::{self, error, get_str, get_table, line_of, push};

/// Deepest `include-group` chain followed.
const MAX_INCLUDE_DEPTH: usize = 16;

/// `[project].name` of a `pyproject.toml`, when it is there and a valid package name.
pub fn project_name(text: &str) -> Option<PackageName> {
    let v: toml::Value = toml::from_str(text).ok()?;
    PackageName::new(v.get("project")?.get("name")?.as_str()?).ok()
}

/// Reads the dependency declarations of a `pyproject.toml`.
pub fn parse(path: &str, text: &str) -> Manifest {
    let mut m = util::manifest(path, Format::Pyproject);
    if util::too_large(&mut m, text) {
        return m;
    }
    let src = SourceFile::new(text);
    let doc = util::parse_toml(&mut m, &src, text);
    let root = doc.get_ref();
    let mut r = Reader {
        m: &mut m,
        src: &src,
        path,
    };

    if let Some(project) = get_table(root, "project") {
        if let Some(deps) = project.get("dependencies") {
            r.pep508_array(deps, "project.dependencies");
        }
        if let Some(extras) = get_table(project, "optional-dependencies") {
            for (extra, deps) in extras.iter() {
                let group = format!("project.optional-dependencies.{}", extra.get_ref());
                r.pep508_array(deps, &group);
            }
        }
    }
    if let Some(groups) = get_table(root, "dependency-groups") {
        for (g, _) in groups.iter() {
            let group = format!("dependency-groups.{}", g.get_ref());
            let mut seen = HashSet::new();
            r.dependency_group(groups, g.get_ref(), &group, &mut seen, 0);
        }
    }
    if let Some(build) = get_table(root, "build-system")
        && let Some(req) = build.get("requires")
    {
        r.pep508_array(req, "build-system.requires");
    }
    if let Some(tool) = get_table(root, "tool") {
        if let Some(poetry) = get_table(tool, "poetry") {
            if let Some(deps) = get_table(poetry, "dependencies") {
                r.poetry_table(deps, "tool.poetry.dependencies");
            }
            if let Some(deps) = get_table(poetry, "dev-dependencies") {
                r.poetry_table(deps, "tool.poetry.dev-dependencies");
            }
            if let Some(groups) = get_table(poetry, "group") {
                for (g, t) in groups.iter() {
                    if let Some(deps) = t
                        .get_ref()
                        .as_table()
                        .and_then(|t| get_table(t, "dependencies"))
                    {
                        let group = format!("tool.poetry.group.{}.dependencies", g.get_ref());
                        r.poetry_table(deps, &group);
                    }
                }
            }
        }
        if let Some(pixi) = get_table(tool, "pixi") {
            if let Some(deps) = get_table(pixi, "pypi-dependencies") {
                r.pixi_table(deps, "tool.pixi.pypi-dependencies");
            }
            if let Some(features) = get_table(pixi, "feature") {
                for (f, t) in features.iter() {
                    if let Some(deps) = t
                        .get_ref()
                        .as_table()
                        .and_then(|t| get_table(t, "pypi-dependencies"))
                    {
                        let group = format!("tool.pixi.feature.{}.pypi-dependencies", f.get_ref());
                        r.pixi_table(deps, &group);
                    }
                }
            }
        }
    }
    // Tables are keyed alphabetically by the TOML reader; report in file order.
    m.deps
        .sort_by_key(|d| (d.span.start_offset, d.group.clone()));
    m
}

struct Reader<'a> {
    m: &'a mut Manifest,
    src: &'a SourceFile,
    path: &'a str,
}

impl Reader<'_> {
    fn span(&self, v: &Spanned<DeValue<'_>>) -> Span {
        let r = v.span();
        self.src.span(r.start, r.end)
    }

    fn line(&self, offset: usize) -> u32 {
        line_of(self.src, offset)
    }

    fn pep508_array(&mut self, v: &Spanned<DeValue<'_>>, group: &str) {
        let Some(items) = v.get_ref().as_array() else {
            let line = self.line(v.span().start);
            error(self.m, Some(line), format!("`{group}` is not an array"));
            return;
        };
        for item in items.iter() {
            self.pep508(item, group);
        }
    }

    fn pep508(&mut self, item: &Spanned<DeValue<'_>>, group: &str) {
        let line = self.line(item.span().start);
        let Some(s) = item.get_ref().as_str() else {
            error(
                self.m,
                Some(line),
                format!("`{group}` entry is not a string"),
            );
            return;
        };
        match parse_requirement(s) {
            Ok(req) => {
                let span = self.span(item);
                push(self.m, req.into_dependency(group, self.path, span));
            }
            Err(e) => error(self.m, Some(line), e),
        }
    }

    /// Entries of dependency group `name`, resolving `include-group`, labelled `group`.
    fn dependency_group(
        &mut self,
        groups: &DeTable<'_>,
        name: &str,
        group: &str,
        seen: &mut HashSet<String>,
        depth: usize,
    ) {
        let key = crate::name::name_key(name);
        if !seen.insert(key.clone()) || depth > MAX_INCLUDE_DEPTH {
            return;
        }
        // Group names compare normalized (PEP 735).
        let Some((_, v)) = groups
            .iter()
            .find(|(k, _)| crate::name::name_key(k.get_ref()) == key)
        else {
            return;
        };
        let Some(items) = v.get_ref().as_array() else {
            let line = self.line(v.span().start);
            error(
                self.m,
                Some(line),
                format!("dependency group `{name}` is not an array"),
            );
            return;
        };
        for item in items.iter() {
            if let Some(t) = item.get_ref().as_table() {
                let line = self.line(item.span().start);
                match get_str(t, "include-group") {
                    Some(inc) => {
                        let inc_key = crate::name::name_key(inc);
                        let exists = groups
                            .iter()
                            .any(|(k, _)| crate::name::name_key(k.get_ref()) == inc_key);
                        if !exists {
                            error(
                                self.m,
                                Some(line),
                                format!("`include-group = \"{inc}\"` names no dependency group"),
                            );
                        } else {
                            // Already-included groups (diamonds, cycles) are skipped.
                            self.dependency_group(groups, inc, group, seen, depth + 1);
                        }
                    }
                    None => error(
                        self.m,
                        Some(line),
                        format!(
                            "dependency group `{name}` has a table entry without `include-group`"
                        ),
                    ),
                }
            } else {
                self.pep508(item, group);
            }
        }
    }

    fn entry_span(&self, k: &Spanned<std::borrow::Cow<'_, str>>, v: &Spanned<DeValue<'_>>) -> Span {
        self.src.span(k.span().start, v.span().end)
    }

    fn poetry_table(&mut self, deps: &DeTable<'_>, group: &str) {
        for (k, v) in deps.iter() {
            let name = k.get_ref().as_ref();
            if name.eq_ignore_ascii_case("python") {
                continue;
            }
            let span = self.entry_span(k, v);
            let line = self.line(k.span().start);
            let normalized = match PackageName::new(name) {
                Ok(n) => n,
                Err(e) => {
                    error(self.m, Some(line), e);
                    continue;
                }
            };
            // A value, a table, or an array of tables (multiple constraints by marker).
            let items: Vec<&DeValue<'_>> = match v.get_ref() {
                DeValue::Array(a) => a.iter().map(|x| x.get_ref()).collect(),
                other => vec![other],
            };
            for item in items {
                let (constraint, marker, url) = match item {
                    DeValue::String(s) => (Some(s.as_ref()), None, None),
                    DeValue::Table(t) => (
                        get_str(t, "version"),
                        get_str(t, "markers").map(str::to_string),
                        ["git", "url", "path"]
                            .iter()
                            .find_map(|k| get_str(t, k))
                            .map(str::to_string),
                    ),
                    _ => {
                        error(
                            self.m,
                            Some(line),
                            format!("poetry dependency `{name}` is neither a string nor a table"),
                        );
                        continue;
                    }
                };
                let alternatives: Vec<String> = match constraint {
                    Some(c) => c.split("||").map(|a| a.trim().to_string()).collect(),
                    None => vec![String::new()],
                };
                for alt in alternatives {
                    let spec = match poetry_to_pep440(&alt) {
                        Ok(s) => s,
                        Err(e) => {
                            error(
                                self.m,
                                Some(line),
                                format!("poetry constraint for `{name}`: {e}"),
                            );
                            continue;
                        }
                    };
                    let specifiers = if spec.is_empty() {
                        None
                    } else {
                        match parse_specifiers(&spec) {
                            Ok(s) => Some(s),
                            Err(e) => {
                                error(self.m, Some(line), e);
                                continue;
                            }
                        }
                    };
                    let req = Requirement {
                        raw_name: name.to_string(),
                        name: normalized.clone(),
                        extras: Vec::new(),
                        specifier_text: specifiers.as_ref().map(|_| alt.clone()),
                        specifiers,
                        marker: marker.clone(),
                        url: url.clone(),
                        raw_pin: None,
                    };
                    push(self.m, req.into_dependency(group, self.path, span));
                }
            }
        }
    }

    fn pixi_table(&mut self, deps: &DeTable<'_>, group: &str) {
        for (k, v) in deps.iter() {
            let name = k.get_ref().as_ref();
            let span = self.entry_span(k, v);
            let line = self.line(k.span().start);
            let normalized = match PackageName::new(name) {
                Ok(n) => n,
                Err(e) => {
                    error(self.m, Some(line), e);
                    continue;
                }
            };
            let (spec, url) = match v.get_ref() {
                DeValue::String(s) => (s.as_ref(), None),
                DeValue::Table(t) => (
                    get_str(t, "version").unwrap_or("*"),
                    ["git", "url", "path"]
                        .iter()
                        .find_map(|k| get_str(t, k))
                        .map(str::to_string),
                ),
                _ => {
                    error(
                        self.m,
                        Some(line),
                        format!("pixi dependency `{name}` is neither a string nor a table"),
                    );
                    continue;
                }
            };
            let spec = spec.trim();
            let specifiers = if spec.is_empty() || spec == "*" {
                None
            } else {
                match parse_specifiers(spec) {
                    Ok(s) => Some(s),
                    Err(e) => {
                        error(self.m, Some(line), e);
                        continue;
                    }
                }
            };
            let req = Requirement {
                raw_name: name.to_string(),
                name: normalized,
                extras: Vec::new(),
                specifier_text: specifiers.as_ref().map(|_| spec.to_string()),
                specifiers,
                marker: None,
                url,
                raw_pin: None,
            };
            push(self.m, req.into_dependency(group, self.path, span));
        }
    }
}

/// Converts a Poetry constraint (one alternative, no `||`) to a PEP 440 specifier set;
/// empty for "any version".
pub fn poetry_to_pep440(constraint: &str) -> Result<String, PythonError> {
    // Join operators separated from their version by spaces (`>= 1.2`), then split the
    // constraints on commas and spaces.
    let mut tokens: Vec<String> = Vec::new();
    let mut pending_op = String::new();
    for tok in constraint.split([',', ' ', '\t']).filter(|t| !t.is_empty()) {
        if tok
            .chars()
            .all(|c| matches!(c, '<' | '>' | '=' | '!' | '~' | '^'))
        {
            pending_op.push_str(tok);
            continue;
        }
        tokens.push(format!("{pending_op}{tok}"));
        pending_op.clear();
    }
    if !pending_op.is_empty() {
        return Err(PythonError::PoetryConstraint(format!(
            "`{constraint}`: operator `{pending_op}` has no version"
        )));
    }
    let mut out = Vec::new();
    for t in tokens {
        if t == "*" {
            continue;
        }
        if let Some(v) = t.strip_prefix('^') {
            let parts = numeric_parts(v, &t)?;
            let idx = parts
                .iter()
                .position(|&p| p != 0)
                .unwrap_or(parts.len() - 1);
            out.push(format!(">={v}"));
            out.push(format!("<{}", bump(&parts, idx)));
        } else if let Some(v) = t.strip_prefix('~').filter(|v| !v.starts_with('=')) {
            let parts = numeric_parts(v, &t)?;
            let idx = if parts.len() == 1 { 0 } else { 1 };
            out.push(format!(">={v}"));
            out.push(format!("<{}", bump(&parts, idx)));
        } else if t.starts_with(['<', '>', '!', '~']) || t.starts_with("==") {
            out.push(t);
        } else if let Some(v) = t.strip_prefix('=') {
            out.push(format!("=={v}"));
        } else {
            out.push(format!("=={t}"));
        }
    }
    Ok(out.join(","))
}

/// The leading numeric release parts of `v` (`1.2.3b1` → [1, 2, 3]).
fn numeric_parts(v: &str, whole: &str) -> Result<Vec<u64>, PythonError> {
    let mut parts = Vec::new();
    for p in v.split('.') {
        let digits: String = p.chars().take_while(char::is_ascii_digit).collect();
        match digits.parse::<u64>() {
            Ok(n) if parts.len() < 16 => parts.push(n),
            _ => break,
        }
        if digits.len() != p.len() {
            break;
        }
    }
    if parts.is_empty() {
        return Err(PythonError::PoetryConstraint(format!(
            "`{whole}` has no numeric version"
        )));
    }
    Ok(parts)
}

/// `parts` with component `idx` incremented and the following ones zeroed, same length.
fn bump(parts: &[u64], idx: usize) -> String {
    parts
        .iter()
        .enumerate()
        .map(|(i, &p)| match i.cmp(&idx) {
            std::cmp::Ordering::Less => p.to_string(),
            std::cmp::Ordering::Equal => p.saturating_add(1).to_string(),
            std::cmp::Ordering::Greater => "0".to_string(),
        })
        .collect::<Vec<_>>()
        .join(".")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::poetry_to_pep440 as p;
    use super::project_name;

    #[test]
    fn project_names() {
        let name = |t: &str| project_name(t).map(|n| n.to_string());
        assert_eq!(
            name("[project]\nname = \"SciPy\"\n").as_deref(),
            Some("scipy")
        );
        assert_eq!(name("[project]\nname = \"not a name!\"\n"), None);
        assert_eq!(name("[tool.poetry]\nname = \"x\"\n"), None);
        assert_eq!(name("[project\n"), None);
    }

    #[test]
    fn poetry_constraints() {
        assert_eq!(p("^1.2").unwrap(), ">=1.2,<2.0");
        assert_eq!(p("^1.2.3").unwrap(), ">=1.2.3,<2.0.0");
        assert_eq!(p("^0.2.3").unwrap(), ">=0.2.3,<0.3.0");
        assert_eq!(p("^0.0.3").unwrap(), ">=0.0.3,<0.0.4");
        assert_eq!(p("^0").unwrap(), ">=0,<1");
        assert_eq!(p("~1.2").unwrap(), ">=1.2,<1.3");
        assert_eq!(p("~1.2.3").unwrap(), ">=1.2.3,<1.3.0");
        assert_eq!(p("~1").unwrap(), ">=1,<2");
        assert_eq!(p("~=1.2").unwrap(), "~=1.2");
        assert_eq!(p("1.2.3").unwrap(), "==1.2.3");
        assert_eq!(p("=1.2.3").unwrap(), "==1.2.3");
        assert_eq!(p("1.2.*").unwrap(), "==1.2.*");
        assert_eq!(p(">= 1.2, < 1.5").unwrap(), ">=1.2,<1.5");
        assert_eq!(p(">=1.2 <1.5").unwrap(), ">=1.2,<1.5");
        assert_eq!(p("*").unwrap(), "");
        assert_eq!(p("").unwrap(), "");
        assert!(p("^x").is_err());
        assert!(p(">=").is_err());
    }
}
