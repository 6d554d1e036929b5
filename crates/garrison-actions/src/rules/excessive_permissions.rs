use garrison_report::{Confidence, Finding, Severity, declare_rule};
use garrison_workflows::oidc::job_uses_oidc;
use garrison_workflows::{Job, Permissions, Route, Workflow};

use crate::{Audit, Workspace, loc};

declare_rule! {
    /// ## What it checks
    /// `GITHUB_TOKEN` permissions broader than the jobs need:
    /// - `permissions: write-all` at the workflow or a job (**high**);
    /// - write scopes granted at the workflow level, which every job without its own
    ///   `permissions:` inherits (**medium**; **low** when the workflow has a single job,
    ///   where the two are equivalent today but any job added later inherits the scope);
    /// - `id-token: write` on a job that uses no OIDC consumer (PyPI Trusted Publishing,
    ///   Sigstore, attestations, cloud logins, Codecov, `actions/deploy-pages`, …), or
    ///   granted at the workflow level to such jobs (**medium**, confidence medium since a
    ///   script may request a token in ways we do not recognise).
    ///
    /// ## Why it matters
    /// Every step of a job — including third-party actions and build scripts of
    /// dependencies — can use the job's token. A write token can push commits, move release
    /// tags or publish releases; an OIDC token can be exchanged for PyPI upload rights or
    /// cloud credentials. Keep them on the one job that needs them.
    ///
    /// ## Example
    /// ```yaml
    /// permissions:
    ///   contents: write
    ///   id-token: write
    /// jobs:
    ///   test: …
    ///   publish: …
    /// ```
    ///
    /// ## Remediation
    /// Set `permissions: contents: read` at the top and move write scopes and `id-token: write`
    /// to the job that publishes.
    pub ExcessivePermissions {
        id: "workflow/excessive-permissions",
        summary: "GITHUB_TOKEN permissions broader than needed",
        severity: Medium,
        help: "set `permissions: contents: read` at the workflow level and grant write scopes only on the job that needs them",
        references: [
            "https://docs.github.com/en/actions/security-for-github-actions/security-guides/automatic-token-authentication#modifying-the-permissions-for-the-github_token",
            "https://docs.pypi.org/trusted-publishers/using-a-publisher/",
        ],
    }
}

fn write_all(wf: &Workflow, p: &Permissions, route: &Route, who: &str, out: &mut Vec<Finding>) {
    if let Permissions::WriteAll(span) = p {
        out.push(
            Finding::builder(&ExcessivePermissions::META)
                .message(format!("{who} grants `write-all`: every scope of the token is writable"))
                .severity(Severity::High)
                .confidence(Confidence::High)
                .location(loc(wf.path(), *span, route.then("permissions")).with_note("write-all"))
                .evidence("permissions", "write-all")
                .help("replace `write-all` with the specific scopes the job needs (e.g. `contents: write`)")
                .build(),
        );
    }
}

fn id_token_on_job(ws: &Workspace, wf: &Workflow, job: &Job, out: &mut Vec<Finding>) {
    let Some(Permissions::Scoped(scopes, _)) = &job.permissions else {
        return;
    };
    let Some((_, _, span)) = scopes
        .iter()
        .find(|(k, p, _)| k == "id-token" && *p == garrison_workflows::Permission::Write)
    else {
        return;
    };
    if job_uses_oidc(&ws.actions, job) {
        return;
    }
    out.push(
        Finding::builder(&ExcessivePermissions::META)
            .message(format!(
                "job {} has `id-token: write` but no step uses an OIDC token (trusted publishing, attestation, cloud login)",
                job.id
            ))
            .severity(Severity::Medium)
            .confidence(Confidence::Medium)
            .location(
                loc(wf.path(), *span, job.route.then("permissions.id-token"))
                    .with_note("OIDC token not used"),
            )
            .evidence("scope", "id-token")
            .evidence("job", job.id.as_str())
            .help("remove `id-token: write` from this job, or keep it only on the job that publishes or signs")
            .build(),
    );
}

impl Audit for ExcessivePermissions {
    fn meta(&self) -> &'static garrison_report::RuleMeta {
        &Self::META
    }

    fn workflow(&self, ws: &Workspace, wf: &Workflow, out: &mut Vec<Finding>) {
        if let Some(p) = &wf.permissions {
            write_all(wf, p, &Route::default(), "the workflow", out);
        }
        for job in &wf.jobs {
            if let Some(p) = &job.permissions {
                write_all(wf, p, &job.route, &format!("job {}", job.id), out);
            }
            id_token_on_job(ws, wf, job, out);
        }
        let Some(Permissions::Scoped(scopes, _)) = &wf.permissions else {
            return;
        };
        let inheriting: Vec<&Job> = wf.jobs.iter().filter(|j| j.permissions.is_none()).collect();
        if inheriting.is_empty() {
            return;
        }
        let single = wf.jobs.len() == 1;
        for (scope, level, span) in scopes {
            if *level != garrison_workflows::Permission::Write {
                continue;
            }
            let names: Vec<&str> = if scope == "id-token" {
                inheriting
                    .iter()
                    .filter(|j| !job_uses_oidc(&ws.actions, j))
                    .map(|j| j.id.as_str())
                    .collect()
            } else {
                inheriting.iter().map(|j| j.id.as_str()).collect()
            };
            if names.is_empty() {
                continue;
            }
            let (message, help) = if scope == "id-token" {
                (
                    format!(
                        "`id-token: write` at the workflow level is inherited by job{} {}, which use{} no OIDC token",
                        if names.len() == 1 { "" } else { "s" },
                        names.join(", "),
                        if names.len() == 1 { "s" } else { "" }
                    ),
                    "move `id-token: write` to the job that publishes or signs".to_string(),
                )
            } else if single {
                (
                    format!(
                        "`{scope}: write` is granted at the workflow level: any job added later inherits it"
                    ),
                    format!(
                        "move `{scope}: write` to job {} and set `permissions: {{}}` at the top",
                        names.join(", ")
                    ),
                )
            } else {
                (
                    format!(
                        "`{scope}: write` at the workflow level is inherited by job{} {}",
                        if names.len() == 1 { "" } else { "s" },
                        names.join(", ")
                    ),
                    format!(
                        "set `permissions: contents: read` at the top and grant `{scope}: write` on the job that needs it"
                    ),
                )
            };
            out.push(
                Finding::builder(&ExcessivePermissions::META)
                    .message(message)
                    .severity(if single && scope != "id-token" {
                        Severity::Low
                    } else {
                        Severity::Medium
                    })
                    .confidence(if scope == "id-token" {
                        Confidence::Medium
                    } else {
                        Confidence::High
                    })
                    .location(
                        loc(wf.path(), *span, Route::path("permissions").key(scope))
                            .with_note("inherited by every job"),
                    )
                    .evidence("scope", scope.as_str())
                    .evidence("inheriting_jobs", names)
                    .help(help)
                    .key(scope.as_str())
                    .build(),
            );
        }
    }
}
