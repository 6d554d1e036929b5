use garrison_report::{RuleMeta, declare_rule};

use super::{CommitCx, Evidence, Signal};
use crate::landing::LandingKind;

declare_rule! {
    /// ## What it checks
    /// How a commit reached the main line (the first-parent chain of the branch mined): pushed
    /// directly by its own author (×1.5), or brought in by a merge that its own author made
    /// (×1.2: the pull request may still have been approved by someone else, which git does
    /// not record). Commits merged through GitHub's web UI or by someone else count as
    /// reviewed. This is a context
    /// signal: it raises the score of a commit that already carries change evidence (a binary
    /// rewrite, a build-system change) and never fires alone.
    ///
    /// ## Why it matters
    /// Review is the control that catches an insider. The XZ Utils backdoor commits were
    /// written, committed and pushed by the same person, with no second pair of eyes.
    ///
    /// ## Example
    /// A maintainer commits `CMakeLists.txt` changes on their machine and pushes to `master`.
    ///
    /// ## Remediation
    /// Protect the default branch: require pull requests with at least one approving review
    /// from someone other than the author, including for administrators.
    pub SelfCommitted {
        id: "history/self-committed",
        summary: "sensitive change landed by its own author without review",
        severity: Info,
        help: "require pull-request review by someone other than the author on the default branch",
        references: [
            "SPEC 6, \"Keys to the Castle\": https://scientific-python.org/specs/spec-0006/",
        ],
    }
}

/// See [`SelfCommitted`].
pub struct Rule;

impl Signal for Rule {
    fn meta(&self) -> &'static RuleMeta {
        &SelfCommitted::META
    }

    fn check(&self, cx: &CommitCx<'_>, out: &mut Vec<Evidence>) {
        if cx.commit.is_merge || !cx.unreviewed() {
            return;
        }
        let (factor, how) = match cx.landing.kind {
            LandingKind::Direct => (
                1.5,
                "pushed to the main line by its author, no pull request or review".to_string(),
            ),
            // A pull request merged by its author may still have been approved by someone
            // else; approvals are not in git, so this weighs less than a direct push.
            LandingKind::Merge => (
                1.2,
                format!(
                    "merged by its own author in {} (approvals, if any, are not recorded in git)",
                    cx.landing
                        .merge
                        .as_deref()
                        .map(|m| m.get(..10).unwrap_or(m))
                        .unwrap_or("a merge")
                ),
            ),
            _ => return,
        };
        out.push(Evidence::context(&SelfCommitted::META, factor, how));
    }
}
