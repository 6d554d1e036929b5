use garrison_report::{Confidence, Finding, Severity, declare_rule};
use garrison_workflows::{Parent, Step};

use crate::{Audit, Workspace, loc};

declare_rule! {
    /// ## What it checks
    /// `actions/checkout` without `persist-credentials: false` in a job (or a composite
    /// action) that later uploads an artifact whose path includes the checkout (`path: .`,
    /// `${{ github.workspace }}`, `*`, or the checkout's own `path:`) with
    /// `actions/upload-artifact` that includes hidden files: `include-hidden-files: true`, or
    /// a version older than v4.4 (which uploaded hidden files by default). With a SHA-pinned
    /// upload action and no `include-hidden-files`, the finding is **medium** with low
    /// confidence (the version is unknown). Jobs that never upload the checkout are not
    /// reported: the persisted token only leaks to code that runs in the job, which could
    /// read it anyway.
    /// `actions/upload-pages-artifact` excludes `.git` and is not reported.
    ///
    /// ## Why it matters
    /// `actions/checkout` writes the job's `GITHUB_TOKEN` into `.git/config` unless told
    /// otherwise. Uploading the workspace publishes that file in an artifact that anyone with
    /// read access to the repository (everyone, for a public one) can download while the
    /// token is still valid ("ArtiPACKED", Unit 42, 2024).
    ///
    /// ## Example
    /// ```yaml
    /// - uses: actions/checkout@v3
    /// - uses: actions/upload-artifact@v3
    ///   with:
    ///     path: .
    /// ```
    ///
    /// ## Remediation
    /// Add `with: persist-credentials: false` to the checkout, and upload only the build
    /// output directory (`dist/`), never the whole workspace.
    pub CredentialPersistence {
        id: "workflow/credential-persistence",
        summary: "checkout token persisted in .git/config and uploaded in an artifact",
        severity: High,
        help: "set `persist-credentials: false` on actions/checkout and upload only the build output directory",
        references: [
            "https://unit42.paloaltonetworks.com/github-repo-artifacts-leak-tokens/",
            "https://github.com/actions/checkout#usage",
        ],
    }
}

fn persists(step: &Step) -> bool {
    step.uses_action("actions/checkout")
        && !step
            .input("persist-credentials")
            .is_some_and(garrison_yaml::Node::is_false)
}

fn covers(path_line: &str, checkout_dir: Option<&str>) -> bool {
    let p = path_line.trim().trim_matches(['"', '\'']);
    let norm = p.trim_end_matches('/');
    let workspace = matches!(
        norm,
        "." | "./"
            | "*"
            | "./*"
            | "**"
            | "./**"
            | "${{ github.workspace }}"
            | "${{github.workspace}}"
    ) || norm == "${{ github.workspace }}/*"
        || norm.is_empty() && p == "/";
    let checkout = checkout_dir.is_some_and(|d| {
        let d = d.trim().trim_start_matches("./").trim_end_matches('/');
        !d.is_empty() && norm.trim_start_matches("./") == d
    });
    workspace || checkout
}

/// `Some(Some(major, minor))` for a version tag, `Some(None)` for an unknown (SHA) ref.
fn version(step: &Step) -> Option<(u32, u32)> {
    let r = step.uses.as_ref()?.0.git_ref()?;
    let r = r.strip_prefix('v')?;
    let mut it = r.split('.');
    let major = it.next()?.parse().ok()?;
    let minor = it.next().and_then(|m| m.parse().ok()).unwrap_or(u32::MAX);
    Some((major, minor))
}

fn check_steps(file: &str, steps: &[Step], out: &mut Vec<Finding>) {
    for (i, co) in steps.iter().enumerate() {
        if !persists(co) {
            continue;
        }
        let dir = co.input_str("path");
        for up in steps.iter().skip(i + 1) {
            if !up.uses_action("actions/upload-artifact") {
                continue;
            }
            let Some(path) = up.input("path") else {
                continue;
            };
            let text = path.as_str().unwrap_or_default();
            let Some(line) = text.lines().find(|l| covers(l, dir)) else {
                continue;
            };
            let hidden = up.input("include-hidden-files");
            let (severity, confidence, why) = match (hidden, version(up)) {
                (Some(h), _) if h.is_true() => (
                    Severity::High,
                    Confidence::High,
                    "include-hidden-files: true",
                ),
                (Some(_), _) => continue,
                (None, Some((m, n))) if m < 4 || (m == 4 && n < 4) => (
                    Severity::High,
                    Confidence::High,
                    "upload-artifact before v4.4 includes hidden files",
                ),
                (None, Some(_)) => continue,
                (None, None) => (
                    Severity::Medium,
                    Confidence::Low,
                    "upload-artifact version unknown (before v4.4 it included hidden files)",
                ),
            };
            let Some(up_node) = up.uses_node.as_ref() else {
                continue;
            };
            let co_span = co.uses_node.as_ref().map_or(co.node.span, |n| n.span);
            out.push(
                Finding::builder(&CredentialPersistence::META)
                    .message(format!(
                        "{} uploads `{}` including .git/config, where {} persisted the job token",
                        up.label(),
                        line.trim(),
                        co.label()
                    ))
                    .severity(severity)
                    .confidence(confidence)
                    .location(
                        loc(file, path.span, up.route.then("with.path"))
                            .with_note("uploads the checkout"),
                    )
                    .location(
                        loc(file, co_span, co.route.then("uses")).with_note("persists credentials"),
                    )
                    .location(loc(file, up_node.span, up.route.then("uses")))
                    .evidence("upload_path", line.trim())
                    .evidence("hidden_files", why)
                    .evidence("checkout_step", co.label())
                    .build(),
            );
        }
    }
}

impl Audit for CredentialPersistence {
    fn meta(&self) -> &'static garrison_report::RuleMeta {
        &Self::META
    }

    fn steps(&self, _ws: &Workspace, parent: Parent<'_>, out: &mut Vec<Finding>) {
        check_steps(parent.path(), parent.steps(), out);
    }
}
