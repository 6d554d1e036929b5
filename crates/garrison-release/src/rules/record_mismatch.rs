use garrison_report::{Finding, RuleMeta, declare_rule};

use super::{BDIST_SPEC, RECORD_SPEC, ReleaseRule, member_finding};
use crate::archive::Member;
use crate::wheel::{RecordEntry, WheelCx, WheelFact, record_digest, record_hash};

declare_rule! {
    /// ## What it checks
    /// Every row of a wheel's `*.dist-info/RECORD` against the file it names: the file's
    /// sha256 (or sha384/sha512 when RECORD uses those) must equal the recorded urlsafe-base64
    /// digest, and its size the recorded size. Rows with no hash or size (allowed only for
    /// `RECORD`, `RECORD.jws` and `RECORD.p7s`), weak algorithms (`md5`, `sha1`), malformed
    /// rows and paths listed twice are reported too. The finding names the member in its
    /// route and gives the expected and actual hash or size as evidence.
    ///
    /// ## Why it matters
    /// RECORD is the wheel's manifest: installers check it, and a file whose content no longer
    /// matches it was changed after the wheel was built — by a compromised build step, a
    /// tampered mirror or cache, or a hand edit that slipped a payload into a release.
    ///
    /// ## Example
    /// `pkg/__init__.py` is 120 bytes with `sha256=Qx…` in RECORD, but the wheel holds 164
    /// bytes whose digest is `sha256=7f…`.
    ///
    /// ## Remediation
    /// Do not publish or install the wheel. Rebuild it from the tagged source in CI, compare
    /// with the published file, and find out where the content changed.
    pub RecordMismatch {
        id: "release/record-mismatch",
        summary: "wheel file does not match its RECORD hash or size",
        severity: High,
        help: "do not install or publish this wheel; rebuild it from the tagged source and compare",
        references: [BDIST_SPEC, RECORD_SPEC],
    }
}

impl ReleaseRule for RecordMismatch {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn wheel(&self, cx: &WheelCx<'_>, fact: &WheelFact<'_>, out: &mut Vec<Finding>) {
        let finding =
            |route: &str, message: String| member_finding(&Self::META, cx.dist, route, message);
        match fact {
            WheelFact::MalformedRow { route, error } => out.push(
                finding(
                    route,
                    format!("RECORD line {} is malformed: {}", error.line, error.message),
                )
                .evidence("line", error.line)
                .build(),
            ),
            WheelFact::ListedTwice(e) => out.push(
                finding(
                    &e.path,
                    format!("`{}` is listed twice in RECORD (line {})", e.path, e.line),
                )
                .evidence("line", e.line)
                .build(),
            ),
            WheelFact::Listed {
                entry,
                member,
                unhashed,
            } => verify_entry(cx, entry, member, *unhashed, out),
            _ => {}
        }
    }
}

/// A RECORD row against the member it names: the hash (sha256 or stronger) and the size.
fn verify_entry(
    cx: &WheelCx<'_>,
    e: &RecordEntry,
    m: &Member,
    unhashed: bool,
    out: &mut Vec<Finding>,
) {
    let finding =
        |message: String| member_finding(&RecordMismatch::META, cx.dist, &e.path, message);
    let actual = record_hash(&m.data);
    match &e.hash {
        None if unhashed => {}
        None => out.push(
            finding(format!("RECORD has no hash for `{}`", e.path))
                .evidence("actual_hash", actual.clone())
                .evidence("line", e.line)
                .build(),
        ),
        Some((alg, expected)) => match record_digest(alg, &m.data) {
            None => out.push(
                finding(format!(
                    "RECORD hashes `{}` with `{alg}`, which cannot verify it (sha256 or stronger required)",
                    e.path
                ))
                .evidence("algorithm", alg.clone())
                .evidence("line", e.line)
                .build(),
            ),
            Some(got) if got != expected.trim_end_matches('=') => out.push(
                finding(format!("`{}` does not match its RECORD {alg} hash", e.path))
                    .evidence("expected_hash", format!("{alg}={expected}"))
                    .evidence("actual_hash", format!("{alg}={got}"))
                    .evidence("line", e.line)
                    .build(),
            ),
            Some(_) => {}
        },
    }
    match e.size {
        Some(s) if s != m.size => out.push(
            finding(format!(
                "`{}` is {} bytes but RECORD says {s}",
                e.path, m.size
            ))
            .evidence("expected_size", s)
            .evidence("actual_size", m.size)
            .evidence("line", e.line)
            .build(),
        ),
        None if !unhashed => out.push(
            finding(format!("RECORD has no size for `{}`", e.path))
                .evidence("actual_size", m.size)
                .evidence("line", e.line)
                .build(),
        ),
        _ => {}
    }
}
