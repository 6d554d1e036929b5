use std::fmt::Write as _;

use garrison_report::{Confidence, Finding, Location, RuleMeta, Severity, declare_rule};

use super::{ReleaseRule, SPEC8};
use crate::source::{CompareCx, SourceEvent, line_span, not_in_source_severity};

declare_rule! {
    /// ## What it checks
    /// A file in the distribution that is not in the source tree *and* that the repository's
    /// own `.gitignore` rules exclude. The finding quotes the rule (file, line, pattern) and
    /// points at it. Generated files that a backend writes with a recognisable shape (a
    /// `_version.py` with only version assignments, `*.egg-info/`, Cython output beside its
    /// `.pyx`) are allowed first; an ignored path never makes a file acceptable by itself.
    ///
    /// ## Why it matters
    /// This is the XZ Utils shape. The repository listed `m4/build-to-host.m4` as a generated,
    /// ignored file, so no diff ever showed it, and "generated files are allowed" lists would
    /// have passed it; the release tarball carried a doctored copy that injected the backdoor
    /// at build time. An ignored path is the one place in a release nobody reviews.
    ///
    /// ## Example
    /// `m4/build-to-host.m4` is in `xz-5.6.0.tar.gz`; `.gitignore` line 12 (`/m4/*.m4`) keeps it
    /// out of the repository.
    ///
    /// ## Remediation
    /// Treat the release as compromised until the file is explained. Regenerate it from the
    /// tagged source in a clean CI build and compare; ship only what the build produces from
    /// committed inputs.
    pub IgnoredFileInDist {
        id: "release/ignored-file-in-dist",
        summary: "distribution carries a file the repository's .gitignore hides",
        severity: Critical,
        help: "treat the release as compromised until the file is explained; rebuild from the tag in CI and compare",
        references: [SPEC8, "https://research.swtch.com/xz-script"],
    }
}

impl ReleaseRule for IgnoredFileInDist {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn source(&self, cx: &CompareCx<'_>, event: &SourceEvent<'_>, out: &mut Vec<Finding>) {
        let SourceEvent::NotInSource {
            member,
            source_path,
            why,
            hidden: Some(h),
        } = event
        else {
            return;
        };
        let (sev, byproduct) = not_in_source_severity(cx.wheel(), member);
        // Build byproducts are always ignored; that they are ignored adds nothing.
        let sev = if byproduct {
            sev
        } else if sev >= Severity::High {
            Severity::Critical
        } else {
            Severity::High
        };
        let mut note = why.clone().unwrap_or_default();
        if !note.is_empty() {
            note.push_str("; ");
        }
        let _ = write!(
            note,
            "hidden from the repository by `{}` ({}:{})",
            h.pattern, h.file, h.line
        );
        out.push(
            Finding::builder(&Self::META)
                .severity(sev)
                .message(format!(
                    "`{member}` is in the distribution but `{}` line {} (`{}`) keeps it out of {}",
                    h.file, h.line, h.pattern, cx.src.label
                ))
                .location(cx.loc(member).with_note(note.clone()))
                .location(
                    Location::span(
                        h.file.clone(),
                        line_span(cx.src.data(&h.file).unwrap_or_default(), h.line),
                    )
                    .with_note(format!("the ignore rule that hides `{}`", h.matched)),
                )
                .evidence("ignore_file", h.file.clone())
                .evidence("ignore_line", h.line)
                .evidence("ignore_pattern", h.pattern.clone())
                .confidence(Confidence::High)
                .evidence("member", *member)
                .evidence("source_path", *source_path)
                .evidence("detail", note)
                .key(*member)
                .build(),
        );
    }
}
