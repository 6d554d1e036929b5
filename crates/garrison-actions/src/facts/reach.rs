//! What a job can do with its token and secrets.

use garrison_workflows::{Job, Workflow};
use garrison_yaml::Node;

/// The `secrets.*` contexts referenced anywhere in `node` (normalized, deduplicated).
pub fn secrets_in(file: &garrison_workflows::WorkflowFile, node: &Node) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for e in file.expressions(node) {
        if let Ok(p) = &e.parsed {
            for c in garrison_expr::all_contexts(p) {
                if garrison_workflows::contexts::is_secret(c) {
                    let n = c.normalized();
                    if !out.contains(&n) {
                        out.push(n);
                    }
                }
            }
        }
    }
    out
}

/// What a job can do with its token and secrets: write scopes (or `default` when no
/// `permissions:` applies and the default token may be read-write), secrets referenced.
#[derive(Debug, Clone, Default)]
pub struct Reach {
    /// Scopes granted write, `write-all`, or `default token (no permissions block)`.
    pub writes: Vec<String>,
    /// True when no `permissions:` block applies (the repository default may be write-all).
    pub default_permissions: bool,
    /// `secrets.*` referenced by the job (including `secrets: inherit`).
    pub secrets: Vec<String>,
}

impl Reach {
    /// Computes the reach of `job` in `wf`.
    pub fn of(wf: &Workflow, job: &Job) -> Reach {
        let perms = job.effective_permissions(wf);
        let writes = perms
            .map(|p| p.writes().into_iter().map(|(s, _)| s).collect())
            .unwrap_or_default();
        let mut secrets = secrets_in(&wf.file, &job.node);
        if job
            .secrets
            .as_ref()
            .and_then(Node::as_str)
            .is_some_and(|s| s == "inherit")
        {
            secrets.push("secrets: inherit".to_string());
        }
        Reach {
            writes,
            default_permissions: perms.is_none(),
            secrets,
        }
    }

    /// True if the job holds a write token (explicitly or by default) or secrets.
    pub fn privileged(&self) -> bool {
        !self.writes.is_empty() || self.default_permissions || !self.non_token_secrets().is_empty()
    }

    /// Secrets other than the automatic `GITHUB_TOKEN`.
    pub fn non_token_secrets(&self) -> Vec<&str> {
        self.secrets
            .iter()
            .map(String::as_str)
            .filter(|s| *s != "secrets.github_token")
            .collect()
    }

    /// A short description for messages and evidence.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if !self.writes.is_empty() {
            parts.push(format!("write permissions ({})", self.writes.join(", ")));
        } else if self.default_permissions {
            parts.push("the default token (no permissions block)".to_string());
        }
        let s = self.non_token_secrets();
        if !s.is_empty() {
            parts.push(format!("secrets ({})", s.join(", ")));
        }
        if parts.is_empty() {
            "a read-only token".to_string()
        } else {
            parts.join(" and ")
        }
    }
}

/// Environment variables visible to the step whose value reads a secret.
pub fn secret_env_vars(s: garrison_workflows::StepIn<'_>) -> Vec<&str> {
    let mut v = Vec::new();
    for env in s.env_scopes().into_iter().flatten() {
        for (k, val) in env.entries() {
            if garrison_workflows::contexts::reads_secret(val) {
                v.push(k);
            }
        }
    }
    v
}
