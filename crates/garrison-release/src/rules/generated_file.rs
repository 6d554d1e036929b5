use garrison_report::{Confidence, Finding, RuleMeta, declare_rule};

use super::{ReleaseRule, SPEC8};
use crate::generated::Allowance;
use crate::source::{CompareCx, SourceEvent, plural};

declare_rule! {
    /// ## What it checks
    /// Nothing is wrong: this lists, per kind, the distribution files that are not identical
    /// to the source but are expected from the build, each with the generator and the reason
    /// it was allowed (`PKG-INFO`, `*.egg-info/`, version files with only version assignments,
    /// template output, compiled extensions, vendored libraries, wheel metadata, files from
    /// git submodules, line-ending-only changes). Every allowance is decided by content, never
    /// by name alone.
    ///
    /// ## Why it matters
    /// An allowance is a judgement: showing them lets a release manager see exactly what was
    /// not compared byte for byte (compiled extensions cannot be; submodule files live in
    /// other repositories).
    ///
    /// ## Example
    /// `1 file expected from setuptools-scm / hatch-vcs / pdm-backend / build script:
    /// src/sci_pkg/_version.py`.
    ///
    /// ## Remediation
    /// None needed. To verify compiled extensions, rebuild reproducibly and compare hashes.
    pub GeneratedFile {
        id: "release/generated-file",
        summary: "files expected from the build (allowed, with the reason)",
        severity: Info,
        help: "nothing to fix; these files are produced by the build and were checked by shape, not byte for byte",
        references: [SPEC8],
    }
}

impl ReleaseRule for GeneratedFile {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    /// One info finding per kind of allowance, naming the generator and the first paths.
    fn source(&self, cx: &CompareCx<'_>, event: &SourceEvent<'_>, out: &mut Vec<Finding>) {
        let SourceEvent::Allowed(by_kind) = event else {
            return;
        };
        for (kind, (a, paths)) in by_kind.iter() {
            let shown: Vec<&str> = paths.iter().take(5).map(String::as_str).collect();
            let more = if paths.len() > 5 {
                format!(" and {} more", paths.len() - 5)
            } else {
                String::new()
            };
            let f = Finding::builder(&Self::META)
                .confidence(Confidence::High)
                .message(format!(
                    "{} expected from {}: {}{more}",
                    plural(paths.len()),
                    a.generator,
                    shown.join(", ")
                ))
                .location(cx.loc(paths.first().map_or(".", String::as_str)).with_note(
                    if paths.len() == 1 {
                        a.reason.clone()
                    } else {
                        format!("{} (kind `{kind}`)", generic_reason(a))
                    },
                ))
                .evidence("kind", *kind)
                .evidence("generator", a.generator)
                .evidence("paths", paths.clone())
                .key(*kind)
                .build();
            out.push(f);
        }
    }
}

fn generic_reason(a: &Allowance) -> String {
    match a.kind {
        "submodule" => {
            "from git submodules, whose files live in other repositories (not compared)".into()
        }
        _ => a.reason.clone(),
    }
}
