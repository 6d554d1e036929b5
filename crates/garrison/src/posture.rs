//! Wiring of the posture analysis (garrison-posture).

use garrison_report::{Report, RuleMeta};
use garrison_workspace::Workspace;

/// Posture rules.
pub fn rules() -> Vec<&'static RuleMeta> {
    garrison_posture::rules()
}

/// Runs the posture checks on a loaded workspace.
pub fn add(report: &mut Report, ws: &Workspace, selected: &dyn Fn(&str) -> bool) {
    report.findings.extend(garrison_posture::run(ws, selected));
    report.files_scanned = report.files_scanned.max(ws.files.len());
    report
        .rules
        .extend(rules().into_iter().filter(|r| selected(r.id)));
}
