//! Listings of rules, as `garrison rules` prints them: a table (id, default severity, summary),
//! JSON with each rule's documentation, or every rule's documentation as Markdown. The docs
//! site (`docs/rules/`) is generated from the JSON listing.

use crate::rule::RuleMeta;

/// One line per rule, aligned, then the count.
pub fn text(rules: &[&RuleMeta]) -> String {
    let width = rules.iter().map(|r| r.id.len()).max().unwrap_or(0);
    let mut s = String::new();
    for r in rules {
        s.push_str(&format!(
            "{:<width$}  {:<8}  {}\n",
            r.id,
            r.default_severity.as_str(),
            r.summary
        ));
    }
    s.push_str(&format!(
        "\n{} rules. `garrison rules RULE` prints a rule's documentation.\n",
        rules.len()
    ));
    s
}

/// A pretty-printed JSON array of the rules (id, summary, default severity, help, references,
/// help URI and the Markdown documentation), with a trailing newline.
pub fn json(rules: &[&RuleMeta]) -> String {
    let v: Vec<_> = rules
        .iter()
        .map(|r| {
            serde_json::json!({
                "id": r.id,
                "summary": r.summary,
                "default_severity": r.default_severity,
                "help": r.help,
                "references": r.references,
                "help_uri": r.help_uri(),
                "docs": r.markdown(),
            })
        })
        .collect();
    serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"
}

/// Every rule's documentation, separated by rules (`---`).
pub fn markdown(rules: &[&RuleMeta]) -> String {
    rules
        .iter()
        .map(|r| r.markdown())
        .collect::<Vec<_>>()
        .join("\n---\n\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Severity;

    static A: RuleMeta = RuleMeta {
        id: "workflow/template-injection",
        summary: "attacker-controlled expression in a run script",
        default_severity: Severity::High,
        help: "pass it through env",
        references: &["https://example.org/a"],
        docs: "## What it checks\n\nA.\n",
    };
    static B: RuleMeta = RuleMeta {
        id: "posture/missing-security-policy",
        summary: "no security policy",
        default_severity: Severity::Low,
        help: "add SECURITY.md",
        references: &[],
        docs: "## What it checks\n\nB.\n",
    };

    #[test]
    fn listings() {
        let rules = [&A, &B];
        assert_eq!(
            text(&rules),
            "workflow/template-injection      high      attacker-controlled expression in a run script\n\
             posture/missing-security-policy  low       no security policy\n\
             \n2 rules. `garrison rules RULE` prints a rule's documentation.\n"
        );
        let v: serde_json::Value = serde_json::from_str(&json(&rules)).unwrap_or_default();
        assert_eq!(v[0]["id"], "workflow/template-injection");
        assert_eq!(v[1]["default_severity"], "low");
        assert_eq!(v[0]["docs"], A.markdown());
        assert_eq!(
            markdown(&rules),
            format!("{}\n---\n\n{}", A.markdown(), B.markdown())
        );
    }
}
