//! conda `environment.yml`: the `dependencies:` list.
//!
//! Conda match specs become [`Ecosystem::Conda`] entries, group `dependencies`:
//! - `numpy==1.26.4` and `numpy=1.26.4=py312h…` (version and build) → [`DepKind::Pinned`];
//! - `numpy=1.26` (conda's fuzzy `=`, meaning `1.26.*`) → Declared `==1.26.*`;
//! - `numpy>=1.22`, `numpy >=1.22,<2` → Declared with the specifier set when it is PEP 440
//!   (otherwise the text is kept and `specifiers` is `None`);
//! - `compilers`, `python` → Declared, no specifier.
//!
//! A channel prefix (`conda-forge::numpy`) is dropped. The nested `- pip:` list holds pip
//! requirement lines → [`Ecosystem::PyPI`] entries, group `dependencies.pip` (`-r file`
//! includes are listed in `includes`; `-e`/paths are recorded with their URL).
//! Span: the list item's scalar.

use garrison_yaml::Node;

use crate::deps::{DepKind, Dependency, Ecosystem, Format, Manifest};
use crate::name::PackageName;
use crate::pep440::parse_specifiers;
use crate::requirement::parse_requirement;
use crate::util::{self, error, push, version_ref};

/// Reads a conda environment file.
pub fn parse(path: &str, text: &str) -> Manifest {
    let mut m = util::manifest(path, Format::CondaEnvironment);
    if util::too_large(&mut m, text) {
        return m;
    }
    let Some(root) = crate::pixi_lock::parse_yaml(&mut m, text) else {
        return m;
    };
    let Some(deps) = root.get("dependencies") else {
        return m;
    };
    let Some(items) = deps.as_seq() else {
        if !deps.is_null() {
            error(
                &mut m,
                Some(deps.span.start_line),
                "`dependencies` is not a list",
            );
        }
        return m;
    };
    for item in items {
        if let Some(s) = item.as_str() {
            match conda_spec(s) {
                Some(dep) => {
                    let dep = Dependency {
                        path: path.to_string(),
                        span: item.span,
                        ..dep
                    };
                    push(&mut m, dep);
                }
                None => error(
                    &mut m,
                    Some(item.span.start_line),
                    format!("`{s}` is not a conda package spec"),
                ),
            }
        } else if let Some(pip) = item.get("pip") {
            pip_list(&mut m, path, pip);
        } else {
            error(
                &mut m,
                Some(item.span.start_line),
                "dependency entry is neither a spec nor `pip:`",
            );
        }
    }
    m
}

fn pip_list(m: &mut Manifest, path: &str, pip: &Node) {
    let Some(items) = pip.as_seq() else {
        if !pip.is_null() {
            error(m, Some(pip.span.start_line), "`pip` is not a list");
        }
        return;
    };
    for item in items {
        let line = item.span.start_line;
        let Some(s) = item.as_str() else {
            error(m, Some(line), "`pip` entry is not a string");
            continue;
        };
        let s = s.trim();
        // A pip line may be an option; read it as a one-line requirements file.
        if s.starts_with('-') || s.starts_with('.') || s.contains("://") && !s.contains(" @ ") {
            let sub = crate::requirements::parse(path, s);
            for inc in sub.includes {
                // Relative to this file's directory, like in a requirements file.
                m.includes.push(inc);
            }
            for e in sub.errors {
                error(m, Some(line), e.message);
            }
            for mut d in sub.deps {
                d.group = "dependencies.pip".to_string();
                d.span = item.span;
                push(m, d);
            }
            continue;
        }
        match parse_requirement(s) {
            Ok(r) => {
                push(m, r.into_dependency("dependencies.pip", path, item.span));
            }
            Err(e) => error(m, Some(line), e),
        }
    }
}

/// Reads one conda match spec into a dependency (path and span left for the caller).
pub(crate) fn conda_spec(spec: &str) -> Option<Dependency> {
    let s = spec.trim();
    // Channel (`conda-forge::numpy`, `conda-forge/label/x::numpy`).
    let s = s.rsplit_once("::").map_or(s, |(_, r)| r).trim();
    // Bracket form: `numpy[version='>=1.2', build=…]`.
    let (s, bracket_version) = match s.split_once('[') {
        Some((head, rest)) => {
            let inner = rest.trim_end().strip_suffix(']').unwrap_or(rest);
            let v = inner.split(',').find_map(|kv| {
                let (k, v) = kv.split_once('=')?;
                (k.trim() == "version").then(|| v.trim().trim_matches(['\'', '"']).to_string())
            });
            (head.trim(), v)
        }
        None => (s, None),
    };
    let name_end = s
        .find(|c: char| c.is_whitespace() || matches!(c, '=' | '<' | '>' | '!' | '~'))
        .unwrap_or(s.len());
    let name = &s[..name_end];
    if name.is_empty() || name.contains(['/', '\\', ':', ';']) {
        return None;
    }
    let rest = s[name_end..].trim();
    let constraint = bracket_version.unwrap_or_else(|| rest.to_string());
    let constraint = constraint.trim();
    let mut dep = Dependency {
        name: PackageName::conda(name).ok()?,
        raw_name: name.to_string(),
        ecosystem: Ecosystem::Conda,
        kind: DepKind::Declared,
        version: None,
        specifiers: None,
        specifier_text: None,
        marker: None,
        group: "dependencies".to_string(),
        url: None,
        hashes: Vec::new(),
        files: Vec::new(),
        path: String::new(),
        span: garrison_source::Span::line(1, 0, 0),
    };
    if constraint.is_empty() || constraint == "*" {
        return Some(dep);
    }
    dep.specifier_text = Some(constraint.to_string());
    // Exact: `==1.2.3`, `==1.2.3=build`, `=1.2.3=build`; a version then a build, space separated.
    let (version_part, build) = split_build(constraint);
    if let Some(v) = version_part.strip_prefix("==") {
        dep.kind = DepKind::Pinned;
        dep.version = Some(version_ref(v));
        dep.specifiers = parse_specifiers(&format!("=={v}")).ok();
        return Some(dep);
    }
    if let Some(v) = version_part.strip_prefix('=') {
        if build.is_some() && !v.contains('*') {
            dep.kind = DepKind::Pinned;
            dep.version = Some(version_ref(v));
            dep.specifiers = parse_specifiers(&format!("=={v}")).ok();
        } else {
            let v = v.trim_end_matches(".*").trim_end_matches('*');
            dep.specifiers = parse_specifiers(&format!("=={v}.*")).ok();
        }
        return Some(dep);
    }
    // A bare version (`numpy 1.26.4`, conda's space form) is also fuzzy unless a build follows.
    if version_part.starts_with(|c: char| c.is_ascii_digit()) {
        if build.is_some() && !version_part.contains('*') {
            dep.kind = DepKind::Pinned;
            dep.version = Some(version_ref(version_part));
            dep.specifiers = parse_specifiers(&format!("=={version_part}")).ok();
        } else {
            let v = version_part.trim_end_matches(".*").trim_end_matches('*');
            dep.specifiers = parse_specifiers(&format!("=={v}.*")).ok();
        }
        return Some(dep);
    }
    // Conda's `|` (or) is not expressible as one specifier set: keep the text only.
    if !version_part.contains('|') {
        dep.specifiers = parse_specifiers(version_part).ok();
    }
    Some(dep)
}

/// `==1.2=build` / `=1.2=build` / `1.2 build` → (version part, build).
fn split_build(c: &str) -> (&str, Option<&str>) {
    if let Some((v, b)) = c.split_once(char::is_whitespace) {
        return (v.trim(), Some(b.trim()).filter(|b| !b.is_empty()));
    }
    let lead = c.len() - c.trim_start_matches('=').len();
    match c[lead..].find('=') {
        Some(i) if !c[lead..].starts_with(['<', '>', '!', '~']) => {
            (&c[..lead + i], Some(&c[lead + i + 1..]))
        }
        _ => (c, None),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::VersionRef;

    fn show(s: &str) -> String {
        let d = conda_spec(s).unwrap();
        format!(
            "{} {:?} {:?} {:?}",
            d.name,
            d.kind,
            d.version.map(|v| match v {
                VersionRef::Pep440(v) => v.to_string(),
                VersionRef::Raw(r) => format!("raw:{r}"),
            }),
            d.specifiers.map(|s| s.to_string())
        )
    }

    #[test]
    fn specs() {
        assert_eq!(show("numpy"), "numpy Declared None None");
        assert_eq!(show("numpy=1.26"), "numpy Declared None Some(\"==1.26.*\")");
        assert_eq!(
            show("numpy==1.26.4"),
            "numpy Pinned Some(\"1.26.4\") Some(\"==1.26.4\")"
        );
        assert_eq!(
            show("numpy==1.26.4=py312h1234"),
            "numpy Pinned Some(\"1.26.4\") Some(\"==1.26.4\")"
        );
        assert_eq!(
            show("numpy=1.26.4=py312h1234"),
            "numpy Pinned Some(\"1.26.4\") Some(\"==1.26.4\")"
        );
        assert_eq!(show("numpy>=1.22"), "numpy Declared None Some(\">=1.22\")");
        assert_eq!(
            show("conda-forge::numpy >=1.22,<2"),
            "numpy Declared None Some(\">=1.22, <2\")"
        );
        assert_eq!(
            show("numpy 1.26.*"),
            "numpy Declared None Some(\"==1.26.*\")"
        );
        assert_eq!(
            show("numpy[version='>=1.2']"),
            "numpy Declared None Some(\">=1.2\")"
        );
        assert_eq!(
            show("python=3.12"),
            "python Declared None Some(\"==3.12.*\")"
        );
        assert_eq!(show("openssl >=1.1|>=3"), "openssl Declared None None");
        assert!(conda_spec("").is_none());
    }
}
