//! Every contribution-risk signal and rule. The list itself is `signals!` in [`crate::rules`]
//! (adding a signal adds one line there, which also declares its file); a content rule's
//! detector comes with it (see [`detectors`]).

use garrison_report::RuleMeta;

use crate::content::Detector;
use crate::rules;

/// All signals, change signals first, then context signals: the `signals!` list of
/// [`crate::rules`], where each line declares a rule file and registers it.
pub use crate::rules::SIGNALS;

/// Metadata of every rule of the history analysis (signals, the anomaly model, campaigns).
pub fn rules() -> Vec<&'static RuleMeta> {
    let mut v: Vec<&'static RuleMeta> = SIGNALS.iter().map(|s| s.meta()).collect();
    v.push(&rules::anomalous_commit::AnomalousCommit::META);
    v.push(&rules::campaign::Campaign::META);
    v
}

/// The content detectors of the registered signals (rules with a detector of their own), in
/// registry order. The content scan runs them; see [`crate::content::Detector`].
pub fn detectors() -> impl Iterator<Item = &'static dyn Detector> {
    SIGNALS.iter().filter_map(|s| s.detector())
}
