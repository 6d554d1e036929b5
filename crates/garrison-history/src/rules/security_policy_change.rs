use garrison_report::{RuleMeta, Severity, declare_rule};

use super::{CommitCx, Evidence, Signal, best_hit, is_security_policy};
use crate::ChangeKind;
use crate::content::HitKind;

declare_rule! {
    /// ## What it checks
    /// Commits that delete a security policy (`SECURITY.md`, `.github/SECURITY.md`,
    /// `SECURITY.rst`, `security.txt`) or remove more of it than they add (at least three
    /// lines removed), and — from the diff — removed or replaced contact addresses and
    /// reporting instructions. A change that removes the reporting channel, a contact or the
    /// disclosure instructions (or replaces them by a pointer elsewhere), or deletes the policy,
    /// is reported at medium at least, whatever the rest of the commit, and at high when its
    /// author first showed push, merge or release rights within the 180 days before.
    ///
    /// ## Why it matters
    /// A security policy tells reporters where to send a vulnerability privately. Trimming it,
    /// or pointing it at a different contact, days before a disclosure (as happened in XZ
    /// Utils) diverts reports away from the people who would act on them.
    ///
    /// ## Example
    /// A commit that replaces the private security contact email with a personal address, or
    /// deletes the "Reporting a vulnerability" section.
    ///
    /// ## Remediation
    /// Check the new policy still names a private channel the whole security team receives;
    /// require review by the security team for `SECURITY.md` (CODEOWNERS).
    pub SecurityPolicyChange {
        id: "history/security-policy-weakened",
        summary: "security policy removed, trimmed or its contact changed",
        severity: Medium,
        help: "confirm the policy still names a private channel the security team receives",
        references: [
            "SPEC 6, \"Keys to the Castle\": https://scientific-python.org/specs/spec-0006/",
            "https://docs.github.com/en/code-security/getting-started/adding-a-security-policy-to-your-repository",
        ],
    }
}

/// See [`SecurityPolicyChange`].
pub struct Rule;

impl Signal for Rule {
    fn meta(&self) -> &'static RuleMeta {
        &SecurityPolicyChange::META
    }

    fn check(&self, cx: &CommitCx<'_>, out: &mut Vec<Evidence>) {
        let c = cx.commit;
        if c.is_merge {
            return;
        }
        let content = best_hit(cx, &SecurityPolicyChange::META, |_, h| match h.kind {
            HitKind::SECURITY_CONTACT_CHANGED => Some((4.0, "contact-changed")),
            HitKind::SECURITY_POLICY_WEAKENED => Some((3.0, "content-removed")),
            _ => None,
        });
        let have_content = content.is_some();
        if let Some(e) = content {
            out.push(e.at_least(Severity::Medium));
        }
        for f in c.files.iter().filter(|f| is_security_policy(&f.path)) {
            let (w, msg) = match f.kind {
                ChangeKind::Deleted => (5.0, format!("deletes the security policy {}", f.path)),
                ChangeKind::Modified if !have_content && f.removed >= 3 && f.removed > f.added => (
                    3.0,
                    format!(
                        "trims the security policy {}: {} lines removed, {} added",
                        f.path, f.removed, f.added
                    ),
                ),
                _ => continue,
            };
            let e = Evidence::change(&SecurityPolicyChange::META, w, msg).at(&f.path, None);
            // Deleting the policy removes its channel; a bare line-count trim may be prose.
            out.push(if f.kind == ChangeKind::Deleted {
                e.at_least(Severity::Medium)
            } else {
                e
            });
        }
    }
}
