use garrison_report::{RuleMeta, declare_rule};

use super::{CommitCx, Evidence, Signal, best_hit, is_docs_path};
use crate::content::HitKind;

declare_rule! {
    /// ## What it checks
    /// Added lines containing Unicode bidirectional control characters (U+202A–U+202E,
    /// U+2066–U+2069) or zero-width characters (U+200B–U+200D, U+2060, a U+FEFF that is not a
    /// byte-order mark) in code and configuration. Documentation weighs less.
    ///
    /// ## Why it matters
    /// "Trojan Source" (CVE-2021-42574): bidi controls make the code a reviewer sees differ
    /// from the code the compiler or interpreter runs — a comment that visually ends early, a
    /// string that hides a condition. Zero-width characters make two identifiers that look
    /// identical differ.
    ///
    /// ## Example
    /// `access_level = "user<U+202E> <U+2066># Check if admin<U+2069> <U+2066>"` (the `<U+…>` are the
    /// invisible controls) — displayed as a harmless comment, compared as a different string.
    ///
    /// ## Remediation
    /// Reject the change or remove the characters (`grep -nP '[\x{202A}-\x{202E}\x{2066}-\x{2069}]'`);
    /// enable an editor or CI check that flags them.
    pub TrojanSource {
        id: "history/trojan-source",
        summary: "bidi or zero-width Unicode characters added to code",
        severity: High,
        help: "remove the invisible characters; reject changes that need them in code",
        references: [
            "CVE-2021-42574: https://trojansource.codes/",
        ],
    }
}

/// See [`TrojanSource`].
pub struct Rule;

impl Signal for Rule {
    fn meta(&self) -> &'static RuleMeta {
        &TrojanSource::META
    }

    fn check(&self, cx: &CommitCx<'_>, out: &mut Vec<Evidence>) {
        let weigh = |f: &crate::FileChange, h: &crate::content::ContentHit| {
            let docs = is_docs_path(&f.path);
            match h.kind {
                HitKind::BIDI => Some((if docs { 1.5 } else { 7.0 }, "bidi")),
                HitKind::ZERO_WIDTH => Some((if docs { 0.5 } else { 3.0 }, "zero-width")),
                _ => None,
            }
        };
        if let Some(e) = best_hit(cx, &TrojanSource::META, weigh) {
            out.push(e);
        }
    }
}
