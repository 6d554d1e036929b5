use garrison_report::{RuleMeta, declare_rule};

use super::{
    CommitCx, Evidence, Signal, human_size, is_opaque_change, is_test_path,
    much_larger_than_siblings,
};
use crate::ChangeKind;

declare_rule! {
    /// ## What it checks
    /// Binary or opaque files (git's binary rule, or compressed, archive, native or pickle
    /// types) added or rewritten by a commit when, at that commit, no code, test, build file,
    /// CI file or manifest names them: Garrison searches the commit's tree for the file's name
    /// and for its stem (the name without extensions, when at least four characters long),
    /// nearest directories first. READMEs, documentation and other prose, and data files, do
    /// not count as references, and it
    /// does not matter whether the same commit also edits text: a README line describing a
    /// fixture does not make it used. Scientific data formats and documentation assets are not
    /// considered. It weighs more in test directories, for a rewrite, and for a file much
    /// larger than its siblings.
    ///
    /// ## Why it matters
    /// A fixture that nothing reads has no reason to exist except to be read by something
    /// that does not name it. The XZ Utils backdoor (2024) hid its payload in
    /// `tests/files/bad-3-corrupt_lzma2.xz` and `good-large_compressed.lzma`: added with a
    /// README line, later rewritten, never used by any test; the build script found them
    /// without naming them.
    ///
    /// ## Example
    /// A commit "Tests: Add a few test files" that adds two `.xz` files under `tests/files/`
    /// and a line to `tests/files/README`, while no test script mentions either file.
    ///
    /// ## Remediation
    /// Ask which test uses the file and how it was produced; require the test (or the
    /// generator) in the same change; inspect the blob (`file`, `xxd`, `xz -lvv`).
    pub UnreferencedOpaqueFile {
        id: "history/unreferenced-opaque-file",
        summary: "opaque file added or rewritten that no code, test, build file or manifest names",
        severity: Medium,
        help: "ask which test uses the file and for its generator; inspect the blob before merging",
        references: [
            "XZ Utils backdoor (CVE-2024-3094): https://research.swtch.com/xz-timeline",
            "https://www.openwall.com/lists/oss-security/2024/03/29/4",
        ],
    }
}

/// See [`UnreferencedOpaqueFile`].
pub struct Rule;

impl Signal for Rule {
    fn meta(&self) -> &'static RuleMeta {
        &UnreferencedOpaqueFile::META
    }

    fn check(&self, cx: &CommitCx<'_>, out: &mut Vec<Evidence>) {
        let c = cx.commit;
        if c.is_merge || c.parents.is_empty() {
            return;
        }
        let mut best: Option<(f64, &crate::FileChange, u32, &[String])> = None;
        let mut count = 0usize;
        for f in c.files.iter().filter(|f| is_opaque_change(f)) {
            let Some(r) = &f.references else { continue };
            if r.by.is_some() {
                continue;
            }
            count += 1;
            let mut w = 3.0;
            if is_test_path(&f.path) {
                w += 1.0;
            }
            if f.kind == ChangeKind::Modified {
                w += 1.0;
            }
            if much_larger_than_siblings(f) {
                w += 1.0;
            }
            if best.as_ref().is_none_or(|(bw, ..)| w > *bw) {
                best = Some((w, f, r.searched, &r.terms));
            }
        }
        let Some((w, f, searched, terms)) = best else {
            return;
        };
        let verb = if f.kind == ChangeKind::Modified {
            "rewrites"
        } else {
            "adds"
        };
        let terms: Vec<String> = terms.iter().map(|t| format!("`{t}`")).collect();
        let more = if count > 1 {
            format!(" (and {} more)", count - 1)
        } else {
            String::new()
        };
        out.push(
            Evidence::change(
                &UnreferencedOpaqueFile::META,
                w,
                format!(
                    "{verb} {} ({}), which no code, test, build file or manifest names at this commit (searched {searched} file{} for {}){more}",
                    f.path,
                    human_size(f.new_size.unwrap_or(0)),
                    if searched == 1 { "" } else { "s" },
                    terms.join(" and "),
                ),
            )
            .at(&f.path, None)
            .kind(if f.kind == ChangeKind::Modified {
                "rewritten"
            } else {
                "added"
            }),
        );
    }
}
