//! PEP 508 requirement strings (`name[extras] >=1.2 ; marker`, `name @ url ; marker`).
//!
//! Parsing goes through `uv-pep508`, except that a direct URL is split off and kept exactly as
//! written: uv would expand `${VAR}` from the process environment and resolve relative paths
//! against the file system, and a scanner must do neither.

use std::str::FromStr;

use garrison_source::Span;

use crate::deps::{DepKind, Dependency, Ecosystem, VersionRef};
use crate::error::PythonError;
use crate::name::PackageName;
use crate::pep440::{Operator, VersionSpecifiers};

/// A parsed PEP 508 requirement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    /// The name as written.
    pub raw_name: String,
    /// Normalized name.
    pub name: PackageName,
    /// Extras (`[security, tests]`), normalized.
    pub extras: Vec<String>,
    /// The specifier set, if any.
    pub specifiers: Option<VersionSpecifiers>,
    /// The specifier set as text (`>=1.7.2, <2`), if any.
    pub specifier_text: Option<String>,
    /// The marker as written, if any.
    pub marker: Option<String>,
    /// The direct URL as written (`name @ url`), if any.
    pub url: Option<String>,
    /// A `==`/`===` pin whose version is not PEP 440 (`name===foobar`, `name==${VERSION}`).
    pub raw_pin: Option<String>,
}

impl Requirement {
    /// The exact pinned version: one `==` (not `==1.2.*`) or `===` specifier, or a raw pin.
    pub fn pinned(&self) -> Option<VersionRef> {
        if let Some(raw) = &self.raw_pin {
            return Some(VersionRef::Raw(raw.clone()));
        }
        let specs = self.specifiers.as_ref()?;
        let [spec] = &specs[..] else {
            return None;
        };
        match spec.operator() {
            Operator::Equal | Operator::ExactEqual => {
                Some(VersionRef::Pep440(spec.version().clone()))
            }
            _ => None,
        }
    }

    /// The dependency this requirement declares: [`DepKind::Pinned`] when
    /// [`pinned`](Self::pinned), [`DepKind::Declared`] otherwise.
    pub fn into_dependency(self, group: impl Into<String>, path: &str, span: Span) -> Dependency {
        let version = self.pinned();
        Dependency {
            name: self.name,
            raw_name: self.raw_name,
            ecosystem: Ecosystem::PyPI,
            kind: if version.is_some() {
                DepKind::Pinned
            } else {
                DepKind::Declared
            },
            version,
            specifiers: self.specifiers,
            specifier_text: self.specifier_text,
            marker: self.marker,
            group: group.into(),
            url: self.url,
            hashes: Vec::new(),
            files: Vec::new(),
            path: path.to_string(),
            span,
        }
    }
}

/// Longest requirement string accepted.
const MAX_LEN: usize = 64 * 1024;

/// Parses one PEP 508 requirement. The error is one line, for a person.
pub fn parse_requirement(input: &str) -> Result<Requirement, PythonError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(PythonError::Requirement("empty requirement".to_string()));
    }
    if s.len() > MAX_LEN {
        return Err(PythonError::Requirement(format!(
            "requirement is over {MAX_LEN} bytes"
        )));
    }
    // Direct reference: `name [extras] @ url [; marker]`. The name part has no `@`, and a
    // marker (after `;`) cannot come before the `@`.
    let at = s.find('@');
    let semi = s.find(';');
    if let Some(at) = at
        && semi.is_none_or(|semi| at < semi)
        && !s[..at].contains(['<', '>', '=', '!', '~'])
    {
        let head = s[..at].trim();
        let rest = s[at + 1..].trim_start();
        let url_end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let url = &rest[..url_end];
        if url.is_empty() {
            return Err(PythonError::Requirement(format!(
                "`{s}`: `@` is not followed by a URL"
            )));
        }
        let after = rest[url_end..].trim();
        let marker = if after.is_empty() {
            None
        } else if let Some(m) = after.strip_prefix(';') {
            Some(m.trim())
        } else {
            return Err(PythonError::Requirement(format!(
                "`{s}`: unexpected text `{after}` after the URL"
            )));
        };
        let mut req = parse_uv(head, marker)?;
        req.url = Some(url.to_string());
        return Ok(req);
    }
    let (head, marker) = match semi {
        Some(i) => (s[..i].trim(), Some(s[i + 1..].trim())),
        None => (s, None),
    };
    match parse_uv(head, marker) {
        Ok(req) => Ok(req),
        Err(e) => raw_pin(head, marker).ok_or(e),
    }
}

fn parse_uv(head: &str, marker: Option<&str>) -> Result<Requirement, PythonError> {
    let text = match marker {
        Some(m) if !m.is_empty() => format!("{head} ; {m}"),
        Some(_) => {
            return Err(PythonError::Requirement(format!("`{head};`: empty marker")));
        }
        None => head.to_string(),
    };
    let req = uv_pep508::Requirement::<uv_pep508::VerbatimUrl>::from_str(&text)
        .map_err(|e| PythonError::Requirement(first_line(&e.to_string())))?;
    let specifiers = match req.version_or_url {
        Some(uv_pep508::VersionOrUrl::VersionSpecifier(v)) if !v.is_empty() => Some(v),
        Some(uv_pep508::VersionOrUrl::Url(_)) => {
            return Err(PythonError::Requirement(format!(
                "`{head}`: unexpected URL"
            )));
        }
        _ => None,
    };
    Ok(Requirement {
        raw_name: raw_name(head).to_string(),
        name: PackageName::from(&req.name),
        extras: req.extras.iter().map(ToString::to_string).collect(),
        specifier_text: specifiers.as_ref().map(|_| specifier_as_written(head)),
        specifiers,
        marker: marker.map(str::to_string),
        url: None,
        raw_pin: None,
    })
}

/// `name==<not PEP 440>` / `name===<anything>`: a pin kept raw.
fn raw_pin(head: &str, marker: Option<&str>) -> Option<Requirement> {
    let name = raw_name(head);
    if name.is_empty() {
        return None;
    }
    let rest = head[name.len()..].trim_start();
    let version = rest
        .strip_prefix("===")
        .or_else(|| rest.strip_prefix("=="))?
        .trim();
    if version.is_empty() || version.contains([',', ' ', '\t', '<', '>', '!', '~', '=']) {
        return None;
    }
    // The marker must still be valid.
    if let Some(m) = marker {
        parse_uv(name, Some(m)).ok()?;
    }
    Some(Requirement {
        raw_name: name.to_string(),
        name: PackageName::new(name).ok()?,
        extras: Vec::new(),
        specifiers: None,
        specifier_text: Some(format!("=={version}")),
        marker: marker.map(str::to_string),
        url: None,
        raw_pin: Some(version.to_string()),
    })
}

/// The specifier part of `name [extras] specs`, as written (parentheses removed).
fn specifier_as_written(head: &str) -> String {
    let rest = head[raw_name(head).len()..].trim_start();
    let rest = match rest.strip_prefix('[') {
        Some(r) => r.split_once(']').map_or("", |(_, after)| after),
        None => rest,
    };
    let rest = rest.trim();
    let rest = rest
        .strip_prefix('(')
        .and_then(|r| r.strip_suffix(')'))
        .unwrap_or(rest);
    rest.trim().to_string()
}

/// The leading name characters of a requirement.
fn raw_name(head: &str) -> &str {
    let end = head
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(head.len());
    &head[..end]
}

fn first_line(s: &str) -> String {
    s.lines()
        .next()
        .unwrap_or("invalid requirement")
        .trim()
        .to_string()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn forms() {
        let r = parse_requirement(
            "Requests[Security,tests] >= 2.8.1, == 2.8.* ; python_version < '3.10'",
        )
        .unwrap();
        assert_eq!(r.name.as_str(), "requests");
        assert_eq!(r.raw_name, "Requests");
        assert_eq!(r.extras, ["security", "tests"]);
        assert_eq!(r.specifier_text.as_deref(), Some(">= 2.8.1, == 2.8.*"));
        assert_eq!(r.marker.as_deref(), Some("python_version < '3.10'"));
        assert!(r.pinned().is_none());

        let r = parse_requirement("numpy==1.26.4").unwrap();
        assert_eq!(
            r.pinned(),
            Some(VersionRef::Pep440("1.26.4".parse().unwrap()))
        );
        let r = parse_requirement("numpy==1.26.*").unwrap();
        assert!(r.pinned().is_none());

        let r =
            parse_requirement("pip @ https://x.org/pip-1.0.whl#sha256=ab;c ; python_version>'3'")
                .unwrap();
        assert_eq!(
            r.url.as_deref(),
            Some("https://x.org/pip-1.0.whl#sha256=ab;c")
        );
        assert_eq!(r.marker.as_deref(), Some("python_version>'3'"));
        let r = parse_requirement("foo @ file:///${HOME}/foo").unwrap();
        assert_eq!(r.url.as_deref(), Some("file:///${HOME}/foo"));

        let r = parse_requirement("foo===weird-build").unwrap();
        assert_eq!(r.pinned(), Some(VersionRef::Raw("weird-build".into())));
        let r = parse_requirement("foo==${VERSION}").unwrap();
        assert_eq!(r.pinned(), Some(VersionRef::Raw("${VERSION}".into())));

        assert!(parse_requirement("foo >= ").is_err());
        assert!(parse_requirement("foo ; bogus marker").is_err());
        assert!(parse_requirement("foo @").is_err());
    }
}
