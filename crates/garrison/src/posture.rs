//! Wiring of the posture analysis (garrison-posture).

use garrison_posture::Checkout;
use garrison_report::{Report, RuleMeta};

/// Posture rules.
pub fn rules() -> Vec<&'static RuleMeta> {
    garrison_posture::rules()
}

/// Runs the posture checks on a walked checkout.
pub fn add(report: &mut Report, co: &Checkout, selected: &dyn Fn(&str) -> bool) {
    report.findings.extend(garrison_posture::run(co, selected));
    report.errors.extend(co.errors.iter().cloned());
    report.files_scanned = report.files_scanned.max(co.files.len());
    report
        .rules
        .extend(rules().into_iter().filter(|r| selected(r.id)));
}
