use garrison_report::{RuleMeta, declare_rule};

use super::{CommitCx, Evidence, Signal};
use crate::people::local_hour;

declare_rule! {
    /// ## What it checks
    /// Whether a commit's author time is unusual for its author: a UTC offset they have never
    /// used, or a local hour of day at which less than 1% of their commits were made. Only
    /// authors with at least 20 earlier commits are judged. A weak context signal (travel and
    /// daylight-saving changes are normal); it slightly raises the score of a commit that
    /// already carries change evidence.
    ///
    /// ## Why it matters
    /// A stolen account or a shared persona often shows in the clock: commits from a time zone
    /// the person never used, at hours they never work.
    ///
    /// ## Example
    /// A maintainer who always commits at UTC+01:00 between 09:00 and 19:00 pushes a build
    /// change at 03:00 with offset -08:00.
    ///
    /// ## Remediation
    /// If the change is otherwise sensitive, confirm with the author through another channel.
    pub UnusualTime {
        id: "history/unusual-time",
        summary: "commit at an unusual UTC offset or hour for its author",
        severity: Info,
        help: "confirm sensitive changes made at unusual times with the author through another channel",
        references: [],
    }
}

/// See [`UnusualTime`].
pub struct Rule;

impl Signal for Rule {
    fn meta(&self) -> &'static RuleMeta {
        &UnusualTime::META
    }

    fn check(&self, cx: &CommitCx<'_>, out: &mut Vec<Evidence>) {
        let c = cx.commit;
        let offset = c.author_offset_minutes;
        let hour = local_hour(c.author_time, offset);
        let new_offset = cx.author.offset_share(offset).is_some_and(|s| s == 0.0);
        let odd_hour = cx.author.hour_share(hour).is_some_and(|s| s < 0.01);
        let sign = if offset < 0 { '-' } else { '+' };
        let off = format!("{sign}{:02}:{:02}", offset.abs() / 60, offset.abs() % 60);
        let (factor, msg) = match (new_offset, odd_hour) {
            (true, true) => (
                1.15,
                format!(
                    "UTC{off} never used before by this author, and {hour:02}:00 local is an hour they rarely commit at"
                ),
            ),
            (true, false) => (1.1, format!("UTC{off} never used before by this author")),
            (false, true) => (
                1.05,
                format!("{hour:02}:00 local (UTC{off}) is an hour this author rarely commits at"),
            ),
            (false, false) => return,
        };
        out.push(Evidence::context(&UnusualTime::META, factor, msg));
    }
}
