use garrison_report::{RuleMeta, declare_rule};

use super::{CommitCx, Evidence, Signal, date, days};

declare_rule! {
    /// ## What it checks
    /// Whether the author is new to the repository: their first commit was less than 90 days
    /// earlier (and they have fewer than 50 earlier commits), or they have fewer than five
    /// earlier commits. A context signal: it raises the
    /// score of a commit that already carries change evidence.
    ///
    /// ## Why it matters
    /// Newcomers are welcome, and most first contributions are good. But a first contribution
    /// that touches the build system, CI or binary fixtures deserves the careful review a
    /// long-standing maintainer's change might not get — that is how typosquatted build hooks
    /// and "helpful" CI changes get in.
    ///
    /// ## Example
    /// An account whose first commit to the project edits `setup.py` to download a file.
    ///
    /// ## Remediation
    /// Review such changes line by line and run them in an isolated environment first.
    pub NewContributor {
        id: "history/new-contributor",
        summary: "sensitive change by a new contributor",
        severity: Info,
        help: "review sensitive changes by new contributors line by line",
        references: [
            "SPEC 6, \"Keys to the Castle\": https://scientific-python.org/specs/spec-0006/",
        ],
    }
}

/// See [`NewContributor`].
pub struct Rule;

impl Signal for Rule {
    fn meta(&self) -> &'static RuleMeta {
        &NewContributor::META
    }

    fn check(&self, cx: &CommitCx<'_>, out: &mut Vec<Evidence>) {
        let t = cx.commit.author_time;
        let msg = match cx.author.first_seen {
            None => format!("first commit by {} in this history", cx.author_label),
            Some(f) if (days(f, t) < 90 && cx.author.commits < 50) || cx.author.commits < 5 => {
                format!(
                    "{} first contributed {} days earlier ({}), {} earlier commit(s)",
                    cx.author_label,
                    days(f, t),
                    date(f),
                    cx.author.commits
                )
            }
            Some(_) => return,
        };
        out.push(Evidence::context(&NewContributor::META, 1.3, msg));
    }
}
