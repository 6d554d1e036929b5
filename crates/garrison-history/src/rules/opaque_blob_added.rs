use garrison_report::{RuleMeta, declare_rule};

use super::{
    CommitCx, Evidence, Signal, human_size, is_opaque_change, is_opaque_type, is_scientific_data,
    is_test_path, much_larger_than_siblings,
};
use crate::ChangeKind;

declare_rule! {
    /// ## What it checks
    /// Binary or opaque files added outside the scientific data formats a project commits
    /// routinely: compressed streams, archives, native libraries and executables, pickles,
    /// unknown binary blobs. It weighs more when the file is in a test directory, has the
    /// executable bit, or is much larger (at least 4× and 8 KiB more) than the median of the
    /// other files in its directory. Root commits (an initial import) are not considered.
    ///
    /// ## Why it matters
    /// Opaque files are unreviewable: a reviewer sees "Binary files differ". Attackers hide
    /// payloads in test fixtures (XZ Utils), in "example data", or in prebuilt binaries that a
    /// build script later unpacks.
    ///
    /// ## Example
    /// `tests/files/good-large_compressed.lzma`, 35 KiB, in a directory of 200-byte fixtures.
    ///
    /// ## Remediation
    /// Ask how the file was produced and commit the generator; check the file type and content
    /// (`file`, `xxd`, `unzip -l`); prefer text fixtures or fixtures generated during the tests.
    pub OpaqueBlobAdded {
        id: "history/opaque-blob-added",
        summary: "an opaque binary file was added",
        severity: Low,
        help: "ask for the generator of the file; inspect its type and content before merging",
        references: [
            "XZ Utils backdoor (CVE-2024-3094): https://research.swtch.com/xz-timeline",
        ],
    }
}

/// See [`OpaqueBlobAdded`].
pub struct Rule;

impl Signal for Rule {
    fn meta(&self) -> &'static RuleMeta {
        &OpaqueBlobAdded::META
    }

    fn check(&self, cx: &CommitCx<'_>, out: &mut Vec<Evidence>) {
        let c = cx.commit;
        if c.is_merge || c.parents.is_empty() {
            return;
        }
        let mut best: Option<(f64, &crate::FileChange, String)> = None;
        let mut count = 0usize;
        for f in c
            .files
            .iter()
            .filter(|f| f.kind == ChangeKind::Added && is_opaque_change(f))
        {
            if is_scientific_data(&f.path) {
                continue;
            }
            count += 1;
            let mut w = 0.5;
            let mut why = Vec::new();
            if is_opaque_type(&f.path) {
                w += 0.5;
                why.push("opaque type".to_string());
            }
            if is_test_path(&f.path) {
                w += 0.5;
                why.push("test fixture".to_string());
            }
            if f.mode_exec {
                w += 1.0;
                why.push("executable".to_string());
            }
            if much_larger_than_siblings(f) {
                w += 2.0;
                why.push(format!(
                    "{} vs median {} of {} siblings",
                    human_size(f.new_size.unwrap_or(0)),
                    human_size(f.sibling_median_size.unwrap_or(0)),
                    f.siblings
                ));
            }
            if best.as_ref().is_none_or(|(bw, _, _)| w > *bw) {
                best = Some((w, f, why.join(", ")));
            }
        }
        let Some((w, f, why)) = best else { return };
        let size = f.new_size.map(human_size).unwrap_or_default();
        let more = if count > 1 {
            format!(" (and {} more)", count - 1)
        } else {
            String::new()
        };
        out.push(
            Evidence::change(
                &OpaqueBlobAdded::META,
                w,
                format!("adds opaque file {} ({size}; {why}){more}", f.path),
            )
            .at(&f.path, None),
        );
    }
}
