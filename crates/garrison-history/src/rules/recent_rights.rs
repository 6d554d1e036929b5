use garrison_report::{RuleMeta, declare_rule};

use super::{CommitCx, Evidence, Signal, date, days};

/// Rights gained within this many days count as recent.
pub const RECENT_DAYS: i64 = 180;

declare_rule! {
    /// ## What it checks
    /// Whether the author gained push, merge or release rights recently (within 180 days
    /// before the commit). Git does not record permissions, so the proxies are the first time
    /// the person committed someone else's work, merged a branch, or tagged a release. A context
    /// signal: it raises the score of a commit that already carries change evidence.
    ///
    /// ## Why it matters
    /// Patient insiders earn trust first and act once they hold the keys. The XZ Utils backdoor
    /// was committed within months of its author starting to merge others' patches and to tag
    /// releases.
    ///
    /// ## Example
    /// A contributor who first tagged a release in January pushes a build-system change in
    /// February.
    ///
    /// ## Remediation
    /// Grant rights gradually and review new maintainers' sensitive changes with extra care;
    /// keep release rights with a small, long-standing group (SPEC 6).
    pub RecentRights {
        id: "history/recent-rights",
        summary: "author gained push/merge/release rights recently",
        severity: Info,
        help: "give sensitive changes by new maintainers a second review",
        references: [
            "SPEC 6, \"Keys to the Castle\": https://scientific-python.org/specs/spec-0006/",
        ],
    }
}

/// See [`RecentRights`].
pub struct Rule;

impl Signal for Rule {
    fn meta(&self) -> &'static RuleMeta {
        &RecentRights::META
    }

    fn check(&self, cx: &CommitCx<'_>, out: &mut Vec<Evidence>) {
        let Some(since) = cx.author.rights_since else {
            return;
        };
        let t = cx.commit.commit_time;
        let d = days(since, t);
        if since > t || d > RECENT_DAYS {
            return;
        }
        // Long-standing contributors who only now show rights are less of a signal.
        let tenure = cx.author.first_seen.map_or(0, |f| days(f, since));
        let factor = if tenure > 3 * 365 { 1.1 } else { 1.3 };
        out.push(Evidence::context(
            &RecentRights::META,
            factor,
            format!(
                "{} first showed push/release rights {d} days earlier ({}: {})",
                cx.author_label,
                date(since),
                cx.author.rights_evidence.as_deref().unwrap_or("?"),
            ),
        ));
    }
}
