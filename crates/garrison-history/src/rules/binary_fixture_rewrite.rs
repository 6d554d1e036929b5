use garrison_report::{RuleMeta, declare_rule};

use super::{
    CommitCx, Evidence, Signal, human_size, is_docs_path, is_opaque_change, is_scientific_data,
    is_test_path,
};
use crate::ChangeKind;

declare_rule! {
    /// ## What it checks
    /// Commits that rewrite existing binary or opaque files (git's binary rule — a NUL byte in
    /// the first 8,000 bytes — or compressed/archive/native types such as `.xz`, `.gz`, `.so`,
    /// `.pkl`) while changing no text file at all: no generator script, no test, no README
    /// describing the fixture. Weight grows when the rewritten file sits in a test directory and
    /// when it is much larger than the other files in its directory. Scientific data formats
    /// (`.npy`, `.fits`, `.h5`, images) and files under documentation directories weigh
    /// little.
    ///
    /// ## Why it matters
    /// The XZ Utils backdoor shipped inside "test files": binary fixtures were added, then
    /// rewritten in a later commit with no generator and no test using the new content. Opaque
    /// blobs are where reviewers cannot look, and a rewrite that changes nothing else has no
    /// visible reason to exist.
    ///
    /// ## Example
    /// A commit "Tests: Update two test files" replacing `tests/files/bad-3-corrupt_lzma2.xz`
    /// and `tests/files/good-large_compressed.lzma` and nothing else.
    ///
    /// ## Remediation
    /// Ask for the generator (a script that reproduces the fixture) and a test that uses the
    /// new content; regenerate the fixture yourself and compare; inspect the blob (`xxd`,
    /// `xz -lvv`, `file`). Prefer fixtures generated at test time over committed blobs.
    pub BinaryFixtureRewrite {
        id: "history/binary-fixture-rewrite",
        summary: "binary files rewritten with no change to any text file",
        severity: Medium,
        help: "ask for the generator and a test using the new content; regenerate and compare",
        references: [
            "XZ Utils backdoor (CVE-2024-3094): https://research.swtch.com/xz-timeline",
        ],
    }
}

/// See [`BinaryFixtureRewrite`].
pub struct Rule;

impl Signal for Rule {
    fn meta(&self) -> &'static RuleMeta {
        &BinaryFixtureRewrite::META
    }

    fn check(&self, cx: &CommitCx<'_>, out: &mut Vec<Evidence>) {
        let c = cx.commit;
        if c.is_merge || c.parents.is_empty() || c.files.is_empty() {
            return;
        }
        let opaque: Vec<_> = c.files.iter().filter(|f| is_opaque_change(f)).collect();
        if opaque.len() != c.files.len() {
            return; // some text file changed alongside
        }
        let rewritten: Vec<_> = opaque
            .iter()
            .filter(|f| f.kind == ChangeKind::Modified)
            .collect();
        let Some(first) = rewritten.first() else {
            return;
        };
        let all_data = rewritten
            .iter()
            .all(|f| is_scientific_data(&f.path) || is_docs_path(&f.path));
        let mut weight = if all_data { 0.5 } else { 4.0 };
        if rewritten.iter().any(|f| is_test_path(&f.path)) && !all_data {
            weight += 1.0;
        }
        let mut msg = format!(
            "rewrites {} binary file{} ({}{}) and changes no text file: no generator, test or note explains the new content",
            rewritten.len(),
            if rewritten.len() == 1 { "" } else { "s" },
            first.path,
            if rewritten.len() > 1 { ", …" } else { "" },
        );
        if let Some(big) = rewritten
            .iter()
            .find(|f| super::much_larger_than_siblings(f))
        {
            weight += 2.0;
            msg.push_str(&format!(
                "; {} is {} where its {} siblings' median is {}",
                big.path,
                human_size(big.new_size.unwrap_or(0)),
                big.siblings,
                human_size(big.sibling_median_size.unwrap_or(0)),
            ));
        }
        out.push(Evidence::change(&BinaryFixtureRewrite::META, weight, msg).at(&first.path, None));
    }
}
