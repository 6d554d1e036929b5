use garrison_report::{RuleMeta, declare_rule};

use super::{CommitCx, Evidence, Signal, best_hit};
use crate::content::HitKind;

declare_rule! {
    /// ## What it checks
    /// Added code that hides what it does: decoding followed by execution (`exec(base64
    /// .b64decode(...))`, `zlib.decompress` into `eval`, `marshal.loads`, `curl … | sh`, an m4
    /// `eval` over a decoded pipeline), `exec`/`eval`/`compile`/`__import__` of computed strings,
    /// builtins looked up by name, long high-entropy base64 or hex literals in code, identifiers
    /// mixing Latin and Cyrillic letters, and `import` lines in `.pth` files (which run at every
    /// interpreter start). Test files weigh less for dynamic execution and literals.
    ///
    /// ## Why it matters
    /// Legitimate scientific code has little reason to execute decoded blobs. Malicious PyPI
    /// packages and backdoored builds use exactly these constructs to keep the payload out of
    /// sight of reviewers and scanners; the XZ Utils build macro decoded and ran a script hidden
    /// in a test file.
    ///
    /// ## Example
    /// `exec(zlib.decompress(base64.b64decode("eJzLSM3JyVcozy/KSQEAGgQEXQ==")))` added to
    /// `setup.py` or a package `__init__.py`.
    ///
    /// ## Remediation
    /// Decode the data yourself and read what would run; ask for the plain source instead of
    /// an encoded one; reject changes that cannot be explained.
    pub ObfuscatedCode {
        id: "history/obfuscated-code",
        summary: "added code decodes and executes data, or executes computed strings",
        severity: High,
        help: "decode the data and read what would run; ask for the plain source",
        references: [
            "XZ Utils backdoor (CVE-2024-3094): https://research.swtch.com/xz-timeline",
            "https://blog.phylum.io/tag/pypi/",
        ],
    }
}

/// See [`ObfuscatedCode`].
pub struct Rule;

impl Signal for Rule {
    fn meta(&self) -> &'static RuleMeta {
        &ObfuscatedCode::META
    }

    fn check(&self, cx: &CommitCx<'_>, out: &mut Vec<Evidence>) {
        let weigh = |f: &crate::FileChange, h: &crate::content::ContentHit| {
            let test = super::is_test_path(&f.path);
            match h.kind {
                HitKind::DECODE_EXEC => Some((8.0, "decode-exec")),
                HitKind::STARTUP_HOOK => Some((5.0, "startup-hook")),
                HitKind::MIXED_SCRIPT_IDENTIFIER => Some((4.0, "homoglyph")),
                HitKind::DYNAMIC_EXEC => Some((if test { 1.0 } else { 3.0 }, "dynamic-exec")),
                HitKind::HIGH_ENTROPY_LITERAL => Some((if test { 1.0 } else { 2.5 }, "literal")),
                _ => None,
            }
        };
        if let Some(e) = best_hit(cx, &ObfuscatedCode::META, weigh) {
            out.push(e);
        }
    }
}
