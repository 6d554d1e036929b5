use garrison_report::SourceFile;
use garrison_report::{Confidence, Finding, Location, RuleMeta, declare_rule};

use super::security_policies;
use crate::{Check, SPEC6, Workspace};

declare_rule! {
    /// ## What it checks
    /// Security policies (`SECURITY.md`) that name no private way to report a vulnerability:
    /// no e-mail address, no link to GitHub private vulnerability reporting
    /// (`/security/advisories/new`, "report a vulnerability", "security advisories"), and no
    /// coordinating service such as Tidelift or huntr.
    ///
    /// ## Why it matters
    /// A policy that says "open an issue" or only lists supported versions sends reporters to
    /// a public tracker, so the vulnerability is public before there is a fix.
    ///
    /// ## Example
    /// ```markdown
    /// # Security
    /// We support the latest release. Please open an issue if you find a problem.
    /// ```
    ///
    /// ## Remediation
    /// Enable GitHub private vulnerability reporting and link
    /// `https://github.com/OWNER/REPO/security/advisories/new`, or give a monitored e-mail
    /// address, and ask reporters not to open public issues.
    pub SecurityPolicyNoPrivateChannel {
        id: "posture/security-policy-no-private-channel",
        summary: "SECURITY.md names no private reporting channel",
        severity: Low,
        help: "link GitHub private vulnerability reporting (/security/advisories/new) or give a monitored e-mail address in SECURITY.md",
        references: [
            SPEC6,
            "https://docs.github.com/en/code-security/security-advisories/working-with-repository-security-advisories/configuring-private-vulnerability-reporting-for-a-repository",
        ],
    }
}

/// Phrases that name a private channel (lowercase).
const CHANNEL_PHRASES: &[&str] = &[
    "/security/advisories",
    "security advisor",
    "report a vulnerability",
    "private vulnerability report",
    "privately-reporting",
    "private security vulnerability reporting",
    "privately reporting a security",
    "tidelift",
    "huntr",
    "mailto:",
];

/// True if `text` contains something that looks like an e-mail address (`local@domain.tld`).
pub fn has_email(text: &str) -> bool {
    let b = text.as_bytes();
    let local = |c: u8| c.is_ascii_alphanumeric() || b"._%+-".contains(&c);
    let domain = |c: u8| c.is_ascii_alphanumeric() || c == b'.' || c == b'-';
    for (i, &c) in b.iter().enumerate() {
        if c != b'@' || i == 0 {
            continue;
        }
        if !b.get(i - 1).copied().is_some_and(local) {
            continue;
        }
        let rest: Vec<u8> = b
            .iter()
            .skip(i + 1)
            .copied()
            .take_while(|&c| domain(c))
            .collect();
        let rest = String::from_utf8_lossy(&rest);
        let rest = rest.trim_end_matches('.');
        if let Some((name, tld)) = rest.rsplit_once('.')
            && !name.is_empty()
            && tld.len() >= 2
            && tld.bytes().all(|c| c.is_ascii_alphabetic())
        {
            return true;
        }
    }
    false
}

/// True if the policy text names a private reporting channel.
pub fn names_private_channel(text: &str) -> bool {
    let lower = text.to_lowercase();
    has_email(text) || CHANNEL_PHRASES.iter().any(|p| lower.contains(p))
}

impl Check for SecurityPolicyNoPrivateChannel {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ws: &Workspace, out: &mut Vec<Finding>) {
        for f in security_policies(ws) {
            let Some(text) = ws.text(&f.rel).map(SourceFile::text) else {
                continue;
            };
            if names_private_channel(text) {
                continue;
            }
            out.push(
                Finding::builder(&Self::META)
                    .message(format!(
                        "{} names no private reporting channel (no e-mail address, no private vulnerability reporting link)",
                        f.rel
                    ))
                    .confidence(Confidence::Medium)
                    .location(Location::file(&f.rel))
                    .evidence("bytes", f.size)
                    .build(),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert!(has_email("write to security@numpy.org."));
        assert!(has_email("[a](mailto:x.y@groups.io)"));
        assert!(!has_email("ping @astropy/security-team"));
        assert!(!has_email("see foo@bar"));
        assert!(!has_email("pkg@1.2.3"));
    }
}
