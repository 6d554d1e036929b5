//! The registry of every rule a program knows: what `garrison rules` lists, what SARIF and the
//! docs are generated from, and what rule selectors (`--select`, `--ignore`, `select`/`ignore` in
//! the configuration) are checked against, so a misspelt name is an error with a suggestion
//! instead of a filter that silently matches nothing.
//!
//! Each analysis crate keeps its own list (`rules()`, one line per rule); the program that
//! composes the analyses (the CLI, the fleet) builds one `Registry` from those lists.

use crate::rule::{RuleMeta, rule_matches};

/// Every known rule, sorted by id, each id once.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    rules: Vec<&'static RuleMeta>,
}

/// What a selector looks up ([`Registry::lookup`]).
#[derive(Debug, Clone)]
pub enum Lookup {
    /// The one rule it names.
    Rule(&'static RuleMeta),
    /// The rules it selects.
    Rules(Vec<&'static RuleMeta>),
}

/// A rule selector that names no known rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown rule `{selector}`{}", hint(.suggestions))]
pub struct UnknownRule {
    /// The selector as written.
    pub selector: String,
    /// Known ids, families or names close to it, best first.
    pub suggestions: Vec<String>,
}

fn hint(suggestions: &[String]) -> String {
    match suggestions {
        [] => " (`garrison rules` lists them)".to_string(),
        [one] => format!("; did you mean `{one}`?"),
        many => format!(
            "; did you mean {}?",
            many.iter()
                .map(|s| format!("`{s}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

impl Registry {
    /// A registry of the given rules (the lists of each analysis crate).
    pub fn new(groups: impl IntoIterator<Item = Vec<&'static RuleMeta>>) -> Registry {
        let mut rules: Vec<&'static RuleMeta> = groups.into_iter().flatten().collect();
        rules.sort_by_key(|r| r.id);
        rules.dedup_by_key(|r| r.id);
        Registry { rules }
    }

    /// Every rule, in id order.
    pub fn rules(&self) -> &[&'static RuleMeta] {
        &self.rules
    }

    /// The rule with this id or bare name.
    pub fn get(&self, id_or_name: &str) -> Option<&'static RuleMeta> {
        let s = id_or_name.trim();
        self.rules
            .iter()
            .find(|r| r.id == s)
            .or_else(|| self.rules.iter().find(|r| r.name() == s))
            .copied()
    }

    /// What `garrison rules [SELECTOR]` shows: the rule `selector` names (an id or bare name),
    /// else the rules it selects (a family, `all`), every rule without one; in id order. A
    /// selector that names no rule is an error with suggestions.
    pub fn lookup(&self, selector: Option<&str>) -> Result<Lookup, UnknownRule> {
        let Some(sel) = selector else {
            return Ok(Lookup::Rules(self.rules.clone()));
        };
        if let Some(rule) = self.get(sel) {
            return Ok(Lookup::Rule(rule));
        }
        self.check(sel)?;
        let rules = self.rules.iter().copied().filter(|r| r.matches(sel));
        Ok(Lookup::Rules(rules.collect()))
    }

    /// Checks a rule selector (an id, a family, `family/`, a bare name, `all` or `*`): it must
    /// name at least one known rule.
    pub fn check(&self, selector: &str) -> Result<(), UnknownRule> {
        if self.rules.iter().any(|r| rule_matches(r.id, selector)) {
            return Ok(());
        }
        Err(UnknownRule {
            selector: selector.trim().to_string(),
            suggestions: self.suggest(selector),
        })
    }

    /// Up to three known ids, families or names that look like `word` (Jaro–Winkler ≥ 0.8, or
    /// ids that contain it), best first, and only those nearly as close as the best.
    pub fn suggest(&self, word: &str) -> Vec<String> {
        let word = word.trim().trim_end_matches('/');
        if word.is_empty() {
            return Vec::new();
        }
        let mut candidates: Vec<&str> = Vec::new();
        for r in &self.rules {
            candidates.extend([r.id, r.family(), r.name()]);
        }
        candidates.sort_unstable();
        candidates.dedup();
        let mut scored: Vec<(f64, &str)> = candidates
            .into_iter()
            .filter_map(|c| {
                let score = strsim::jaro_winkler(word, c);
                let contains = word.len() >= 4 && c.contains(word);
                (score >= 0.8 || contains).then_some((if contains { 1.0 } else { score }, c))
            })
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
        // Only the close contenders of the best one.
        let best = scored.first().map_or(0.0, |s| s.0);
        scored
            .into_iter()
            .take_while(|(score, _)| *score >= best - 0.05)
            .take(3)
            .map(|(_, c)| c.to_string())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Severity;

    static A: RuleMeta = RuleMeta {
        id: "workflow/template-injection",
        summary: "",
        default_severity: Severity::High,
        help: "",
        references: &[],
        docs: "",
    };
    static B: RuleMeta = RuleMeta {
        id: "posture/missing-codeowners",
        summary: "",
        default_severity: Severity::Low,
        help: "",
        references: &[],
        docs: "",
    };

    #[test]
    fn selectors_are_checked_with_suggestions() {
        let r = Registry::new([vec![&A], vec![&B, &A]]);
        assert_eq!(r.rules().len(), 2);
        for ok in [
            "workflow",
            "workflow/",
            "template-injection",
            "all",
            "*",
            B.id,
        ] {
            assert!(r.check(ok).is_ok(), "{ok}");
        }
        let e = r.check("workflw").err();
        assert_eq!(
            e.as_ref().map(ToString::to_string).as_deref(),
            Some("unknown rule `workflw`; did you mean `workflow`?")
        );
        let e = r.check("zzz").err();
        assert_eq!(
            e.map(|e| e.to_string()).as_deref(),
            Some("unknown rule `zzz` (`garrison rules` lists them)")
        );
        assert_eq!(r.get("missing-codeowners").map(|m| m.id), Some(B.id));
    }

    #[test]
    fn lookup_names_one_rule_or_selects_several() {
        let r = Registry::new([vec![&A, &B]]);
        let ids = |l: Result<Lookup, UnknownRule>| match l {
            Ok(Lookup::Rules(rules)) => Ok(rules.iter().map(|r| r.id).collect::<Vec<_>>()),
            Ok(Lookup::Rule(rule)) => Err(rule.id.to_string()),
            Err(e) => Err(e.to_string()),
        };
        assert_eq!(ids(r.lookup(None)), Ok(vec![B.id, A.id]));
        assert_eq!(ids(r.lookup(Some("workflow"))), Ok(vec![A.id]));
        assert_eq!(ids(r.lookup(Some("template-injection"))), Err(A.id.into()));
        assert_eq!(ids(r.lookup(Some(B.id))), Err(B.id.into()));
        let e = ids(r.lookup(Some("workflw")));
        assert_eq!(
            e,
            Err("unknown rule `workflw`; did you mean `workflow`?".into())
        );
    }
}
