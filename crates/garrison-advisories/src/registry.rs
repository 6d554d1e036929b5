//! Every dependency rule, in one list. Adding a rule adds one line here.

use garrison_report::RuleMeta;

use crate::rules::{self, DepsRule};

/// All dependency rules, in documentation order.
pub static RULES: &[&dyn DepsRule] = &[
    &rules::known_vulnerability::KnownVulnerability,
    &rules::vulnerable_range::VulnerableRange,
    &rules::not_evaluated::DepsNotEvaluated,
];

/// The `deps/*` rules (and the shared `info/not-evaluated`).
pub fn rules() -> Vec<&'static RuleMeta> {
    RULES.iter().map(|r| r.meta()).collect()
}
