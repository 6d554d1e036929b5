//! Every contribution-risk signal, in one list. Adding a signal adds one line here.

use garrison_report::RuleMeta;

use crate::rules::{self, Signal};

/// All signals, change signals first, then context signals.
pub static SIGNALS: &[&dyn Signal] = &[
    &rules::binary_fixture_rewrite::Rule,
    &rules::opaque_blob_added::Rule,
    &rules::ignore_rules_change::Rule,
    &rules::build_system_change::Rule,
    &rules::ci_workflow_change::Rule,
    &rules::security_policy_change::Rule,
    &rules::obfuscated_code::Rule,
    &rules::trojan_source::Rule,
    &rules::c_hooking::Rule,
    &rules::exfiltration::Rule,
    &rules::self_committed::Rule,
    &rules::recent_rights::Rule,
    &rules::new_contributor::Rule,
    &rules::unusual_time::Rule,
];

/// Metadata of every rule of the history analysis (signals plus the anomaly model).
pub fn rules() -> Vec<&'static RuleMeta> {
    let mut v: Vec<&'static RuleMeta> = SIGNALS.iter().map(|s| s.meta()).collect();
    v.push(&rules::anomalous_commit::AnomalousCommit::META);
    v
}
