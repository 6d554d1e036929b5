//! Which expression contexts an outside attacker controls.
//!
//! Sources: GitHub's "Security hardening for GitHub Actions" list of untrusted inputs, the
//! GitHub Security Lab "pwn request" and "untrusted input" articles, and zizmor's context
//! capability table. Patterns use the normalized form of [`garrison_expr::Context`]
//! (`[*]` for any index, `*` for one segment).

use garrison_expr::Context;

/// How far an attacker controls a context's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Control {
    /// Free text: any characters, including quotes, `$( )` and newlines.
    Arbitrary,
    /// Constrained text an attacker still chooses (a branch name: no spaces, but `$(...)`,
    /// `;`, backticks and `{}` are allowed).
    Structured,
}

/// Contexts attacker-controlled in events anyone can cause (a fork pull request, an issue,
/// a comment), with how much control they give.
pub const ATTACKER_CONTROLLED: &[(&str, Control)] = &[
    ("github.head_ref", Control::Structured),
    ("github.event.pull_request.title", Control::Arbitrary),
    ("github.event.pull_request.body", Control::Arbitrary),
    ("github.event.pull_request.head.ref", Control::Structured),
    ("github.event.pull_request.head.label", Control::Structured),
    (
        "github.event.pull_request.head.repo.default_branch",
        Control::Structured,
    ),
    (
        "github.event.pull_request.head.repo.description",
        Control::Arbitrary,
    ),
    (
        "github.event.pull_request.head.repo.homepage",
        Control::Arbitrary,
    ),
    (
        "github.event.pull_request.head.repo.name",
        Control::Structured,
    ),
    (
        "github.event.pull_request.head.repo.full_name",
        Control::Structured,
    ),
    ("github.event.pull_request.user.login", Control::Structured),
    (
        "github.event.pull_request.labels[*].name",
        Control::Arbitrary,
    ),
    ("github.event.pull_request.*", Control::Arbitrary),
    ("github.event.issue.title", Control::Arbitrary),
    ("github.event.issue.body", Control::Arbitrary),
    ("github.event.issue.labels[*].name", Control::Arbitrary),
    ("github.event.issue.user.login", Control::Structured),
    ("github.event.comment.body", Control::Arbitrary),
    ("github.event.review.body", Control::Arbitrary),
    ("github.event.review_comment.body", Control::Arbitrary),
    ("github.event.discussion.title", Control::Arbitrary),
    ("github.event.discussion.body", Control::Arbitrary),
    ("github.event.pages[*].page_name", Control::Arbitrary),
    ("github.event.commits[*].message", Control::Arbitrary),
    ("github.event.commits[*].author.email", Control::Arbitrary),
    ("github.event.commits[*].author.name", Control::Arbitrary),
    ("github.event.head_commit.message", Control::Arbitrary),
    ("github.event.head_commit.author.email", Control::Arbitrary),
    ("github.event.head_commit.author.name", Control::Arbitrary),
    (
        "github.event.head_commit.committer.email",
        Control::Arbitrary,
    ),
    (
        "github.event.head_commit.committer.name",
        Control::Arbitrary,
    ),
    ("github.event.workflow_run.head_branch", Control::Structured),
    (
        "github.event.workflow_run.head_commit.message",
        Control::Arbitrary,
    ),
    (
        "github.event.workflow_run.head_commit.author.email",
        Control::Arbitrary,
    ),
    (
        "github.event.workflow_run.head_commit.author.name",
        Control::Arbitrary,
    ),
    (
        "github.event.workflow_run.display_title",
        Control::Arbitrary,
    ),
    (
        "github.event.workflow_run.pull_requests[*].head.ref",
        Control::Structured,
    ),
    ("github.event.check_suite.head_branch", Control::Structured),
    (
        "github.event.check_run.check_suite.head_branch",
        Control::Structured,
    ),
    ("github.event.release.name", Control::Arbitrary),
    ("github.event.release.body", Control::Arbitrary),
    ("github.event.release.tag_name", Control::Structured),
    ("github.event.ref", Control::Structured),
    ("github.ref_name", Control::Structured),
    ("github.event.inputs.*", Control::Arbitrary),
    ("github.event.client_payload.*", Control::Arbitrary),
    ("github.event.head.ref", Control::Structured),
];

/// Contexts that are safe by construction (GitHub-generated ids, numbers, SHAs, booleans),
/// checked before the broad `github.event.pull_request.*` pattern.
const SAFE: &[&str] = &[
    "github.event.pull_request.number",
    "github.event.pull_request.id",
    "github.event.pull_request.head.sha",
    "github.event.pull_request.base.sha",
    "github.event.pull_request.base.ref",
    "github.event.pull_request.merged",
    "github.event.pull_request.draft",
    "github.event.pull_request.state",
    "github.event.pull_request.html_url",
    "github.event.pull_request.url",
    "github.event.pull_request.merge_commit_sha",
    "github.event.pull_request.head.repo.id",
    "github.event.pull_request.head.repo.fork",
    "github.event.pull_request.user.id",
    "github.event.pull_request.user.type",
    "github.event.pull_request.author_association",
    "github.event.pull_request.commits",
    "github.event.pull_request.additions",
    "github.event.pull_request.deletions",
    "github.event.pull_request.changed_files",
    "github.event.pull_request.base.repo.*",
];

/// How far an attacker controls `ctx`, or `None` when the value is not attacker-controlled.
pub fn attacker_control(ctx: &Context) -> Option<Control> {
    if SAFE.iter().any(|p| ctx.matches(p)) {
        return None;
    }
    let norm = ctx.normalized();
    ATTACKER_CONTROLLED
        .iter()
        .find(|(p, _)| ctx.matches(p) || prefix_of(p, &norm))
        .map(|(_, c)| *c)
}

/// True if `norm` is a parent of an attacker-controlled field (e.g. `toJSON(github.event.issue)`
/// carries the title and body).
fn prefix_of(pattern: &str, norm: &str) -> bool {
    pattern.len() > norm.len()
        && pattern.starts_with(norm)
        && pattern.as_bytes().get(norm.len()) == Some(&b'.')
        && norm.starts_with("github.event")
        && norm != "github.event.inputs"
}

/// True if a scalar value reads a secret (`${{ secrets.X }}`) other than `GITHUB_TOKEN`.
pub fn reads_secret(node: &garrison_yaml::Node) -> bool {
    node.as_str().is_some_and(|s| {
        s.contains("secrets.")
            && !s.contains("secrets.GITHUB_TOKEN")
            && !s.contains("secrets.github_token")
    })
}

/// True for `secrets.*` (including `secrets` as a whole).
pub fn is_secret(ctx: &Context) -> bool {
    ctx.root() == "secrets"
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn ctl(s: &str) -> Option<Control> {
        let e = garrison_expr::parse(s).unwrap();
        let c = garrison_expr::all_contexts(&e);
        attacker_control(c[0])
    }

    #[test]
    fn classification() {
        assert_eq!(ctl("github.head_ref"), Some(Control::Structured));
        assert_eq!(ctl("github.event.issue.title"), Some(Control::Arbitrary));
        assert_eq!(ctl("GitHub.Event.Issue.Body"), Some(Control::Arbitrary));
        assert_eq!(
            ctl("github.event.commits[0].message"),
            Some(Control::Arbitrary)
        );
        assert_eq!(ctl("github.event.pull_request.number"), None);
        assert_eq!(ctl("github.event.pull_request.head.sha"), None);
        assert_eq!(ctl("github.sha"), None);
        assert_eq!(ctl("github.event.issue"), Some(Control::Arbitrary));
        assert_eq!(ctl("github.event"), Some(Control::Arbitrary));
        assert_eq!(ctl("matrix.python"), None);
    }
}
