use garrison_report::{Confidence, Finding, Severity, declare_rule};
use garrison_workflows::{Action, Job, Route, Step, StepIn, Workflow, WorkflowFile};
use garrison_yaml::Node;

use crate::{Audit, Workspace, loc};

declare_rule! {
    /// ## What it checks
    /// Credentials written literally in a workflow or action file:
    /// - any value containing a known token format: GitHub tokens (`ghp_`, `gho_`, `ghu_`,
    ///   `ghs_`, `ghr_`, `github_pat_`), PyPI tokens (`pypi-AgEIcHlwaS5vcmc…`), AWS access key
    ///   ids (`AKIA…`), Slack tokens (`xoxb-`, `xoxp-`, …), PEM private keys
    ///   (`-----BEGIN … PRIVATE KEY-----`) (**high**, confidence high);
    /// - a literal (not `${{ … }}`) value for a `password`/`token`-like input of a step or
    ///   for `container`/`services` `credentials.password` (**high**, confidence medium).
    ///
    /// ## Why it matters
    /// Workflow files are readable by everyone who can read the repository, and stay in its
    /// history forever. A credential committed there must be considered leaked.
    ///
    /// ## Example
    /// ```yaml
    /// container:
    ///   image: ghcr.io/org/build:1
    ///   credentials:
    ///     username: bot
    ///     password: hunter2
    /// ```
    ///
    /// ## Remediation
    /// Revoke the credential now, store its replacement as an encrypted secret and reference
    /// it as `${{ secrets.NAME }}` (or use OIDC and drop the credential altogether).
    pub HardcodedCredential {
        id: "workflow/hardcoded-credential",
        summary: "credential written literally in a workflow",
        severity: High,
        help: "revoke the credential, store a new one as a repository secret and use `${{ secrets.NAME }}`",
        references: [
            "https://docs.github.com/en/actions/security-for-github-actions/security-guides/using-secrets-in-github-actions",
        ],
    }
}

fn is_tok(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// Finds a known token format in `s`; returns (kind, start, end).
fn find_token(s: &str) -> Option<(&'static str, usize, usize)> {
    let b = s.as_bytes();
    let run = |from: usize, ok: &dyn Fn(u8) -> bool| {
        b.get(from..)
            .map_or(0, |r| r.iter().take_while(|c| ok(**c)).count())
    };
    for (prefix, kind, min) in [
        ("ghp_", "GitHub personal access token", 36),
        ("gho_", "GitHub OAuth token", 36),
        ("ghu_", "GitHub user token", 36),
        ("ghs_", "GitHub app token", 36),
        ("ghr_", "GitHub refresh token", 36),
        ("github_pat_", "GitHub fine-grained token", 60),
        ("pypi-AgEIcHlwaS5vcmc", "PyPI API token", 40),
        ("pypi-AgENdGVzdC5weXBpLm9yZw", "TestPyPI API token", 40),
    ] {
        for (i, _) in s.match_indices(prefix) {
            if i > 0 && b.get(i - 1).is_some_and(|c| is_tok(*c)) {
                continue;
            }
            let n = run(i + prefix.len(), &|c| is_tok(c) || c == b'-');
            if n >= min {
                return Some((kind, i, i + prefix.len() + n));
            }
        }
    }
    for (i, _) in s.match_indices("AKIA") {
        let n = run(i + 4, &|c| c.is_ascii_uppercase() || c.is_ascii_digit());
        let before_ok = i == 0 || !b.get(i - 1).is_some_and(|c| c.is_ascii_alphanumeric());
        if n == 16 && before_ok {
            return Some(("AWS access key id", i, i + 20));
        }
    }
    for p in ["xoxb-", "xoxp-", "xoxa-", "xoxr-", "xoxs-"] {
        for (i, _) in s.match_indices(p) {
            let n = run(i + 5, &|c| c.is_ascii_alphanumeric() || c == b'-');
            if n >= 20 {
                return Some(("Slack token", i, i + 5 + n));
            }
        }
    }
    if let Some(i) = s.find("-----BEGIN ") {
        let rest = &s[i..];
        if let Some(j) = rest.find("-----\n").or_else(|| rest.find("-----\r\n"))
            && rest[..j].ends_with("PRIVATE KEY")
        {
            return Some(("private key", i, i + j + 5));
        }
    }
    None
}

/// Known token formats in every scalar of the file.
fn scan(file: &WorkflowFile, out: &mut Vec<Finding>) {
    for (route, node) in file.scalars() {
        let raw = node.source(file.source.text());
        let Some((kind, s, e)) = find_token(raw) else {
            continue;
        };
        let base = node.span.start_offset;
        let span = file.source.span(base + s, base + e);
        let shown: String = raw.get(s..e).unwrap_or_default().chars().take(8).collect();
        out.push(
            Finding::builder(&HardcodedCredential::META)
                .message(format!("{kind} written literally in the file ({shown}…)"))
                .severity(Severity::High)
                .confidence(Confidence::High)
                .location(loc(&file.path, span, route).with_note(kind))
                .evidence("kind", kind)
                .evidence("prefix", shown)
                // The credential itself (hashed), not its offset: edits elsewhere in the file
                // keep the fingerprint, another credential gets a new one.
                .key(credential_key(raw.get(s..e).unwrap_or_default()))
                .build(),
        );
    }
}

/// 16 hex digits of SHA-256 of a credential: its identity in a fingerprint.
fn credential_key(token: &str) -> String {
    use sha2::Digest as _;
    let d = sha2::Sha256::digest(token.as_bytes());
    garrison_source::hex::encode(&d[..8])
}

fn literal(v: &Node) -> Option<&str> {
    let s = v.as_str()?.trim();
    if s.is_empty()
        || s.contains("${{")
        || s.starts_with('$')
        || matches!(
            s.to_ascii_lowercase().as_str(),
            "true" | "false" | "null" | "none" | "~"
        )
        || s.len() < 4
    {
        return None;
    }
    Some(s)
}

fn secret_key(k: &str) -> bool {
    let k = k.to_ascii_lowercase();
    k == "password"
        || k == "token"
        || k.ends_with("-token")
        || k.ends_with("_token")
        || k.ends_with("-password")
        || k.ends_with("_password")
        || k == "api-key"
        || k == "api_key"
}

fn literal_input(file: &WorkflowFile, step: &Step, out: &mut Vec<Finding>) {
    let Some(with) = &step.with else { return };
    for (k, v) in with.as_map().unwrap_or(&[]) {
        let Some(key) = k.as_str() else { continue };
        if !secret_key(key) || key.eq_ignore_ascii_case("github-token") && v.as_str() == Some("") {
            continue;
        }
        let Some(value) = literal(v) else { continue };
        if find_token(value).is_some() {
            continue; // reported by the format check
        }
        out.push(
            Finding::builder(&HardcodedCredential::META)
                .message(format!(
                    "input `{key}` of {} is a literal value, not a secret",
                    step.label()
                ))
                .severity(Severity::High)
                .confidence(Confidence::Medium)
                .location(
                    loc(&file.path, v.span, step.route.then("with").key(key))
                        .with_note("literal credential"),
                )
                .evidence("input", key)
                .build(),
        );
    }
}

fn literal_credentials(
    file: &WorkflowFile,
    node: Option<&Node>,
    route: &Route,
    out: &mut Vec<Finding>,
) {
    let Some(pw) = node
        .and_then(|n| n.get("credentials"))
        .and_then(|c| c.get("password"))
    else {
        return;
    };
    if let Some(_value) = literal(pw) {
        out.push(
            Finding::builder(&HardcodedCredential::META)
                .message(format!(
                    "registry password of {route} is a literal value, not a secret"
                ))
                .severity(Severity::High)
                .confidence(Confidence::High)
                .location(
                    loc(&file.path, pw.span, route.then("credentials.password"))
                        .with_note("literal password"),
                )
                .evidence("input", "credentials.password")
                .build(),
        );
    }
}

impl Audit for HardcodedCredential {
    fn meta(&self) -> &'static garrison_report::RuleMeta {
        &Self::META
    }

    fn workflow(&self, _ws: &Workspace, wf: &Workflow, out: &mut Vec<Finding>) {
        scan(&wf.file, out);
    }

    fn job(&self, _ws: &Workspace, wf: &Workflow, job: &Job, out: &mut Vec<Finding>) {
        literal_credentials(
            &wf.file,
            job.container.as_ref(),
            &job.route.then("container"),
            out,
        );
        if let Some(services) = &job.services {
            for (name, svc) in services.entries() {
                literal_credentials(
                    &wf.file,
                    Some(svc),
                    &job.route.then("services").key(name),
                    out,
                );
            }
        }
    }

    fn action(&self, _ws: &Workspace, action: &Action, out: &mut Vec<Finding>) {
        scan(&action.file, out);
    }

    fn step(&self, _ws: &Workspace, s: StepIn<'_>, out: &mut Vec<Finding>) {
        literal_input(s.file(), s.step, out);
    }
}
