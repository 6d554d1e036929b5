use garrison_report::{Finding, RuleMeta, declare_rule};

use super::{BDIST_SPEC, RECORD_SPEC, ReleaseRule, member_finding};
use crate::wheel::{WheelCx, WheelFact};

declare_rule! {
    /// ## What it checks
    /// Rows of a wheel's `*.dist-info/RECORD` naming a file that is not in the wheel (or is a
    /// directory or a link rather than a file).
    ///
    /// ## Why it matters
    /// The wheel was changed after RECORD was written: a file was removed or renamed. That is
    /// less dangerous than an added file, but it means the artifact is not what the build
    /// produced, and a removed file can be a disabled check (a deleted `_validate.py`).
    ///
    /// ## Example
    /// RECORD lists `pkg/_checks.py,sha256=…,512` but the wheel has no `pkg/_checks.py`.
    ///
    /// ## Remediation
    /// Rebuild the wheel from source with the build backend; do not edit wheels by hand.
    pub RecordStaleEntry {
        id: "release/record-stale-entry",
        summary: "RECORD lists a file the wheel does not contain",
        severity: Medium,
        help: "rebuild the wheel from source with the build backend; do not edit wheels after building",
        references: [BDIST_SPEC, RECORD_SPEC],
    }
}

impl ReleaseRule for RecordStaleEntry {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn wheel(&self, cx: &WheelCx<'_>, fact: &WheelFact<'_>, out: &mut Vec<Finding>) {
        if let WheelFact::Stale(e) = fact {
            out.push(
                member_finding(
                    &Self::META,
                    cx.dist,
                    &e.path,
                    format!("RECORD lists `{}` but the wheel has no such file", e.path),
                )
                .evidence("line", e.line)
                .build(),
            );
        }
    }
}
