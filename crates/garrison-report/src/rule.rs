//! Rule metadata. A rule's documentation is written once, as the doc comment of its
//! declaration, and `garrison rules`, the docs site and SARIF help are generated from it.

use crate::finding::Severity;

/// Base URL of the rule documentation; a rule's page is `{DOCS_BASE}{id}.md`.
pub const DOCS_BASE: &str = "https://github.com/garrison-security/garrison/blob/main/docs/rules/";

/// Everything Garrison knows about a rule, independent of any finding.
#[derive(Debug)]
pub struct RuleMeta {
    /// Stable id, `family/kebab-name`. Never changes once released.
    pub id: &'static str,
    /// One line: what the rule detects.
    pub summary: &'static str,
    /// Severity of a typical finding (individual findings may raise or lower it).
    pub default_severity: Severity,
    /// Generic remediation, used when a finding gives no specific help.
    pub help: &'static str,
    /// SPEC sections and URLs.
    pub references: &'static [&'static str],
    /// Markdown documentation with the headings `## What it checks`, `## Why it matters`,
    /// `## Example`, `## Remediation` (from the declaration's doc comment).
    pub docs: &'static str,
}

impl RuleMeta {
    /// The family (`workflow` for `workflow/template-injection`).
    pub fn family(&self) -> &'static str {
        self.id.split_once('/').map_or(self.id, |(f, _)| f)
    }

    /// The name within the family (`template-injection`).
    pub fn name(&self) -> &'static str {
        self.id.split_once('/').map_or(self.id, |(_, n)| n)
    }

    /// The documentation URL.
    pub fn help_uri(&self) -> String {
        format!("{DOCS_BASE}{}.md", self.id)
    }

    /// The documentation as Markdown, with the one-space indentation of doc comments removed.
    pub fn markdown(&self) -> String {
        let mut out = format!("# {}\n\n{}\n\n", self.id, self.summary);
        out.push_str(&format!(
            "Default severity: **{}**\n\n",
            self.default_severity
        ));
        for line in self.docs.lines() {
            out.push_str(line.strip_prefix(' ').unwrap_or(line));
            out.push('\n');
        }
        if !self.references.is_empty() {
            out.push_str("\n## References\n\n");
            for r in self.references {
                out.push_str(&format!("- {r}\n"));
            }
        }
        out
    }

    /// True if `selector` names this rule: its full id, its family (`workflow`), its family
    /// prefix (`workflow/`), or its bare name (`template-injection`).
    pub fn matches(&self, selector: &str) -> bool {
        rule_matches(self.id, selector)
    }
}

/// True if `selector` names rule `id` (full id, family, `family/` or bare name; `all` matches
/// every rule).
pub fn rule_matches(id: &str, selector: &str) -> bool {
    let selector = selector.trim();
    if selector == id || selector == "all" || selector == "*" {
        return true;
    }
    let (family, name) = id.split_once('/').unwrap_or((id, id));
    selector == family || selector.strip_suffix('/') == Some(family) || selector == name
}

/// Declares a rule: a unit struct whose doc comment is the rule's documentation and an
/// associated `META: RuleMeta`.
///
/// ```
/// use garrison_report::declare_rule;
/// declare_rule! {
///     /// ## What it checks
///     /// Something.
///     pub ExampleRule {
///         id: "example/rule",
///         summary: "an example",
///         severity: Low,
///         help: "do something else",
///         references: ["SPEC 8"],
///     }
/// }
/// assert_eq!(ExampleRule::META.id, "example/rule");
/// assert!(ExampleRule::META.docs.contains("What it checks"));
/// ```
#[macro_export]
macro_rules! declare_rule {
    (
        $(#[doc = $doc:expr])*
        $vis:vis $name:ident {
            id: $id:expr,
            summary: $summary:expr,
            severity: $sev:ident,
            help: $help:expr,
            references: [$($reference:expr),* $(,)?] $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone, Copy, Default)]
        $vis struct $name;

        impl $name {
            /// This rule's metadata and documentation.
            pub const META: $crate::RuleMeta = $crate::RuleMeta {
                id: $id,
                summary: $summary,
                default_severity: $crate::Severity::$sev,
                help: $help,
                references: &[$($reference),*],
                docs: concat!($($doc, "\n"),*),
            };
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors() {
        let id = "workflow/template-injection";
        for s in ["workflow", "workflow/", id, "template-injection", "all"] {
            assert!(rule_matches(id, s), "{s}");
        }
        for s in ["posture", "template", "workflow/template"] {
            assert!(!rule_matches(id, s), "{s}");
        }
    }
}
