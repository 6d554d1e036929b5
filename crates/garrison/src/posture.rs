//! Wiring of the posture analysis (garrison-posture).

use std::path::Path;

use garrison_report::{Report, RuleMeta};

/// Posture rules.
pub fn rules() -> Vec<&'static RuleMeta> {
    Vec::new()
}

/// Runs the posture checks on the checkout at `root` with its file list.
pub fn add(
    _report: &mut Report,
    _root: &Path,
    _files: &[String],
    _selected: &dyn Fn(&str) -> bool,
) {
}
