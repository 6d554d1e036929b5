use garrison_report::{Confidence, Finding, RuleMeta, declare_rule};
use garrison_yaml::Node;

use crate::{Check, SPEC8, Workspace, loc};

declare_rule! {
    /// ## What it checks
    /// Entries of `.pre-commit-config.yaml` whose `rev:` is not a full 40-hex commit SHA
    /// (`repo: local` and `repo: meta` have no `rev` and are skipped).
    ///
    /// ## Why it matters
    /// pre-commit clones the hook repository at `rev` and runs its code on every maintainer's
    /// machine and in CI, with their credentials in reach. Tags are mutable: whoever controls
    /// the hook repository (or steals its maintainer's token) can move `v1.2.3` to new code,
    /// and everyone who installs the hooks afterwards runs it. A commit SHA cannot be moved.
    ///
    /// ## Example
    /// ```yaml
    /// repos:
    ///   - repo: https://github.com/astral-sh/ruff-pre-commit
    ///     rev: v0.6.9
    /// ```
    ///
    /// ## Remediation
    /// Run `pre-commit autoupdate --freeze`, which writes SHAs with a `# frozen: v0.6.9`
    /// comment; pre-commit.ci and Renovate keep frozen revisions up to date.
    pub PreCommitMutableRev {
        id: "posture/pre-commit-mutable-rev",
        summary: "pre-commit hook repository pinned to a mutable tag or branch",
        severity: Low,
        help: "run `pre-commit autoupdate --freeze` to pin hook repositories to commit SHAs",
        references: [
            "SPEC 8, \"Pin GitHub Actions release workflows to their full release commit SHAs\" (the same reasoning applies to hooks): https://scientific-python.org/specs/spec-0008/",
            SPEC8,
            "https://pre-commit.com/#pre-commit-autoupdate",
        ],
    }
}

fn is_sha(s: &str) -> bool {
    s.len() == 40 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

impl Check for PreCommitMutableRev {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ws: &Workspace, out: &mut Vec<Finding>) {
        let Some(pc) = &ws.pre_commit else {
            return;
        };
        let repos = pc.root.get("repos").and_then(Node::as_seq).unwrap_or(&[]);
        for (i, entry) in repos.iter().enumerate() {
            let repo = entry.get("repo").and_then(Node::as_str).unwrap_or("");
            if matches!(repo, "local" | "meta") || repo.is_empty() {
                continue;
            }
            let Some(rev) = entry.get("rev") else {
                continue;
            };
            let value = rev.as_str().unwrap_or("");
            if is_sha(value) {
                continue;
            }
            out.push(
                Finding::builder(&Self::META)
                    .message(format!(
                        "pre-commit hook repository {repo} is pinned to mutable `{value}`"
                    ))
                    .confidence(Confidence::High)
                    .location(
                        loc(&pc.path, rev.span, format!("repos[{i}].rev"))
                            .with_note("a tag can be moved to different code"),
                    )
                    .evidence("repo", repo)
                    .evidence("rev", value)
                    .key(repo)
                    .build(),
            );
        }
    }
}
