use garrison_report::{Confidence, Finding, RuleMeta, declare_rule};

use super::{ReleaseRule, SPEC8};
use crate::source::{CompareCx, SourceEvent, not_in_source_severity};

declare_rule! {
    /// ## What it checks
    /// Every file of an sdist or wheel must come from the source tree it was built from (the
    /// git tree at the release tag, or the directory given with `--source`), be identical to
    /// it, or be something a build backend is known to generate *with the content that backend
    /// produces*: `PKG-INFO`, setuptools' `*.egg-info/`, a `_version.py` holding only version
    /// assignments (setuptools-scm, hatch-vcs, pdm-backend, versioneer), a file rendered from a
    /// `*.in` template, Cython's C output next to its `.pyx`, compiled extensions in wheels of
    /// projects with native code, libraries vendored by auditwheel/delocate/delvewheel. A file
    /// matching none of these is reported; when its name suggests a generator but its content
    /// does not fit, the finding says what did not fit.
    ///
    /// Severity follows what the file can do: code and build inputs (`.py`, `.c`, `.m4`,
    /// `meson.build`, compiled binaries) are high, `.pth` files (run at interpreter start)
    /// critical, documentation and data medium.
    ///
    /// ## Why it matters
    /// Reviewers read the repository; users install the distribution. A file that exists only
    /// in the release was never reviewed: the XZ Utils backdoor's trigger
    /// (`build-to-host.m4`) existed only in the release tarball, and the Ultralytics 8.3.41
    /// wheels carried code that was not in the repository at the tag.
    ///
    /// ## Example
    /// `sci_pkg/_loader.py` is in `sci_pkg-1.2.0-py3-none-any.whl`, but the tag `v1.2.0` has no
    /// `src/sci_pkg/_loader.py`.
    ///
    /// ## Remediation
    /// Do not publish (or install) the artifact. Find where the file came from: a dirty
    /// working tree at build time, a build step that writes into the package, or a compromised
    /// pipeline. Build releases in CI from a clean checkout of the tag, and if the file is
    /// meant to ship, commit it (or its generator and template).
    pub FileNotInSource {
        id: "release/file-not-in-source",
        summary: "distribution file not found in the source tree",
        severity: High,
        help: "do not publish or install this artifact until the file's origin is known; rebuild from a clean checkout of the tag",
        references: [SPEC8, "https://www.openwall.com/lists/oss-security/2024/03/29/4"],
    }
}

impl ReleaseRule for FileNotInSource {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn source(&self, cx: &CompareCx<'_>, event: &SourceEvent<'_>, out: &mut Vec<Finding>) {
        let SourceEvent::NotInSource {
            member,
            source_path,
            why,
            hidden: None,
        } = event
        else {
            return;
        };
        let (sev, _) = not_in_source_severity(cx.wheel(), member);
        let note = match why {
            Some(w) => w.clone(),
            None => format!("no file `{source_path}` in {}", cx.src.label),
        };
        out.push(
            Finding::builder(&Self::META)
                .severity(sev)
                .message(format!(
                    "`{member}` is in the distribution but not in {}",
                    cx.src.label
                ))
                .location(cx.loc(member).with_note(note.clone()))
                .confidence(if why.is_some() {
                    Confidence::High
                } else {
                    Confidence::Medium
                })
                .evidence("member", *member)
                .evidence("source_path", *source_path)
                .evidence("detail", note)
                .key(*member)
                .build(),
        );
    }
}
