use garrison_report::{Confidence, Finding, RuleMeta, declare_rule};
use toml::de::{DeTable, DeValue};

use crate::{Check, Workspace, loc};

declare_rule! {
    /// ## What it checks
    /// Entries of `[build-system] requires` in `pyproject.toml` with no version constraint at
    /// all (`"setuptools"`, `"wheel"`), pointing at the entry's line. Entries with any
    /// specifier (`>=`, `<`, `==`, `~=`, `!=`) or a direct URL (`@`) pass.
    ///
    /// ## Why it matters
    /// Release artifacts are built with whatever version of the build backend the index
    /// serves on release day, including one released an hour ago by a compromised account.
    /// A lower bound at least documents the tested range and a broken or malicious new major
    /// version is caught by an upper bound.
    ///
    /// This is a trade-off: libraries usually want lower bounds only, so downstream builds
    /// keep working. What makes a release build reproducible is a lock or `==` pins in the
    /// release workflow (`pip install --require-hashes`, `uv build --build-constraint`), not
    /// exact pins here; this check only flags entries with no constraint at all.
    ///
    /// ## Example
    /// ```toml
    /// [build-system]
    /// requires = ["setuptools", "wheel"]
    /// ```
    ///
    /// ## Remediation
    /// Give each entry at least a lower bound (`"setuptools>=77"`), and pin the build
    /// environment of the release workflow with a constraints file with hashes
    /// (`PIP_CONSTRAINT`, `uv build --build-constraint`).
    pub UnpinnedBuildRequires {
        id: "posture/unpinned-build-requires",
        summary: "build-system requirement without any version constraint",
        severity: Low,
        help: "add a version constraint to each [build-system] requires entry, and pin release builds with a constraints file",
        references: [
            "SPEC 8 (securing the release process; building artifacts securely is deferred to a later SPEC): https://scientific-python.org/specs/spec-0008/",
            "https://packaging.python.org/en/latest/specifications/pyproject-toml/#build-system-table",
        ],
    }
}

/// The distribution name of a PEP 508 requirement, if it has no version constraint and no
/// URL (`None` when it is constrained).
pub fn unconstrained(req: &str) -> Option<&str> {
    let req = req.trim();
    let before_marker = req.split(';').next().unwrap_or("").trim();
    if before_marker.contains('@') {
        return None;
    }
    if before_marker.contains(['<', '>', '=', '!', '~']) {
        return None;
    }
    let name_end = before_marker
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.'))
        .unwrap_or(before_marker.len());
    let name = before_marker.get(..name_end).unwrap_or("");
    // `pkg[extra]` is still unconstrained; a version in parentheses (`pkg (>=1)`) has `>`.
    if name.is_empty() { None } else { Some(name) }
}

impl Check for UnpinnedBuildRequires {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ws: &Workspace, out: &mut Vec<Finding>) {
        let Some(py) = &ws.pyproject else {
            return;
        };
        let text = py.source.text();
        let Ok(doc) = DeTable::parse(text) else {
            return;
        };
        let requires = doc
            .get_ref()
            .get("build-system")
            .and_then(|b| b.get_ref().as_table())
            .and_then(|b| b.get("requires"))
            .and_then(|r| r.get_ref().as_array());
        let Some(requires) = requires else {
            return;
        };
        for (i, item) in requires.iter().enumerate() {
            let DeValue::String(s) = item.get_ref() else {
                continue;
            };
            let Some(name) = unconstrained(s) else {
                continue;
            };
            let range = item.span();
            let span = py.source.span(range.start, range.end);
            out.push(
                Finding::builder(&Self::META)
                    .message(format!("build requirement `{s}` has no version constraint"))
                    .confidence(Confidence::Medium)
                    .location(
                        loc(&py.path, span, format!("build-system.requires[{i}]"))
                            .with_note("any version, including one released on release day"),
                    )
                    .evidence("requirement", s.as_ref())
                    .evidence("name", name)
                    .key(name.to_ascii_lowercase())
                    .build(),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::unconstrained;

    #[test]
    fn requirements() {
        assert_eq!(unconstrained("setuptools"), Some("setuptools"));
        assert_eq!(
            unconstrained("wheel ; python_version<'3.12'"),
            Some("wheel")
        );
        assert_eq!(unconstrained("Cython[extra]"), Some("Cython"));
        assert_eq!(unconstrained("setuptools>=61"), None);
        assert_eq!(unconstrained("numpy>=2.0.0rc1"), None);
        assert_eq!(unconstrained("pkg @ https://x/y.whl"), None);
        assert_eq!(unconstrained("meson-python==0.18.0"), None);
    }
}
