use garrison_report::{Finding, RuleMeta, declare_rule};

use super::{BDIST_SPEC, RECORD_SPEC, ReleaseRule, member_finding};
use crate::wheel::{WheelCx, WheelFact, record_hash};

declare_rule! {
    /// ## What it checks
    /// Files present in a wheel that its `*.dist-info/RECORD` does not list (`RECORD` itself
    /// and its signatures `RECORD.jws`, `RECORD.p7s` excepted), and wheels with no RECORD at
    /// all. The finding names the file and gives its size and sha256.
    ///
    /// ## Why it matters
    /// Installers unpack every file in the wheel, listed or not. A file outside RECORD was
    /// added after the wheel was built (or by a build step that bypassed the build backend),
    /// which is how a `.pth` start-up hook or an extra module can ride along in a release.
    ///
    /// ## Example
    /// `evil.pth` or `pkg/_hook.py` is in the wheel, but no RECORD row names it.
    ///
    /// ## Remediation
    /// Do not publish or install the wheel. Rebuild it from source with the project's build
    /// backend and find out which step added the file.
    pub RecordMissingEntry {
        id: "release/record-missing-entry",
        summary: "file in the wheel is not listed in RECORD",
        severity: High,
        help: "do not install or publish this wheel; rebuild it with the build backend and find out what added the file",
        references: [BDIST_SPEC, RECORD_SPEC],
    }
}

impl ReleaseRule for RecordMissingEntry {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn wheel(&self, cx: &WheelCx<'_>, fact: &WheelFact<'_>, out: &mut Vec<Finding>) {
        match fact {
            WheelFact::NoRecord(path) => out.push(
                member_finding(
                    &Self::META,
                    cx.dist,
                    path,
                    format!("wheel has no `{path}`: no file can be verified"),
                )
                .build(),
            ),
            WheelFact::Unlisted(m) => out.push(
                member_finding(
                    &Self::META,
                    cx.dist,
                    &m.path,
                    format!("`{}` is in the wheel but not in RECORD", m.path),
                )
                .evidence("size", m.size)
                .evidence("sha256", record_hash(&m.data))
                .build(),
            ),
            _ => {}
        }
    }
}
