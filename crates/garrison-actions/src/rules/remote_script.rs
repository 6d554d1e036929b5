use garrison_report::{Confidence, Finding, Severity, declare_rule};
use garrison_workflows::StepIn;

use crate::facts::reach::secret_env_vars;
use crate::facts::shell::command_lines;
use crate::{Audit, Workspace, loc};

declare_rule! {
    /// ## What it checks
    /// `run:` commands that execute a script fetched at run time without checking it: a
    /// download piped into an interpreter (`curl … | bash`, `wget -qO- … | sh`, `curl … |
    /// python`), fed to one by process substitution or command substitution (`bash <(curl
    /// …)`, `sh -c "$(curl …)"`), or PowerShell's `iex (iwr …)` / `Invoke-Expression
    /// (Invoke-WebRequest …)`. Steps of composite actions are checked too.
    ///
    /// Severity follows what the script can reach: **high** when the step can read
    /// repository secrets (other than `GITHUB_TOKEN`) through `env:` at any level or directly
    /// in the command, **low** otherwise (it still runs whatever the server sends that day).
    ///
    /// ## Why it matters
    /// The script is code you did not review, fetched from a server you do not control, and
    /// it changes without a commit. In 2021 the Codecov bash uploader, fetched this way by
    /// thousands of CI jobs, was modified to send every environment variable (the jobs'
    /// secrets) to the attacker for two months.
    ///
    /// ## Example
    /// ```yaml
    /// - run: bash <(curl -s https://codecov.io/bash)
    ///   env:
    ///     CODECOV_TOKEN: ${{ secrets.CODECOV_TOKEN }}
    /// ```
    ///
    /// ## Remediation
    /// Use a pinned action or a pinned package instead (`codecov/codecov-action@<sha>`, `pipx
    /// run tool==1.2.3`); or download the script at a fixed version, check its SHA-256
    /// against a value committed in the workflow, then run it. Keep secrets out of the
    /// environment of steps that run downloaded code.
    pub RemoteScript {
        id: "workflow/remote-script",
        summary: "a script downloaded at run time is executed without verification",
        severity: Medium,
        help: "use a pinned action or package, or check the script's SHA-256 before running it; keep secrets away from it",
        references: [
            "Codecov bash uploader compromise (2021): https://about.codecov.io/apr-2021-post-mortem/",
            "https://docs.github.com/en/actions/security-for-github-actions/security-guides/security-hardening-for-github-actions#using-third-party-actions",
        ],
    }
}

/// Download commands.
const FETCH: &[&str] = &[
    "curl ",
    "curl\t",
    "wget ",
    "iwr ",
    "Invoke-WebRequest",
    "Invoke-RestMethod",
    "irm ",
];

/// Interpreters a download may be handed to.
const SHELLS: &[&str] = &[
    "bash", "sh", "zsh", "dash", "python", "python3", "perl", "ruby", "node", "pwsh", "sudo",
];

/// How `cmd` (one shell command line) runs downloaded code, if it does.
fn remote_exec(cmd: &str) -> Option<&'static str> {
    let fetches = FETCH.iter().any(|f| cmd.contains(f));
    if !fetches {
        return None;
    }
    // `… | bash`, `… | sudo -E bash -s --`, `… | python3 -`.
    for part in cmd.split('|').skip(1) {
        let first = part.split_whitespace().next().unwrap_or("");
        let first = first.rsplit('/').next().unwrap_or(first);
        if SHELLS.contains(&first) {
            // `sudo tee`, `sudo apt-key add`: not an interpreter.
            if first == "sudo" {
                let next = part
                    .split_whitespace()
                    .skip(1)
                    .find(|w| !w.starts_with('-'))
                    .unwrap_or("");
                let next = next.rsplit('/').next().unwrap_or(next);
                if !SHELLS.contains(&next) || next == "sudo" {
                    continue;
                }
            }
            return Some("pipes a downloaded script into an interpreter");
        }
    }
    let lc = cmd.to_ascii_lowercase();
    for sh in SHELLS {
        if lc.contains(&format!("{sh} <(curl")) || lc.contains(&format!("{sh} <(wget")) {
            return Some("runs a downloaded script through process substitution");
        }
        if lc.contains(&format!("{sh} -c \"$(curl"))
            || lc.contains(&format!("{sh} -c \"$(wget"))
            || lc.contains(&format!("{sh} -c '$(curl"))
        {
            return Some("runs a downloaded script through command substitution");
        }
    }
    if (lc.contains("iex") || lc.contains("invoke-expression"))
        && (lc.contains("iwr") || lc.contains("invoke-webrequest") || lc.contains("irm ")
            || lc.contains("invoke-restmethod") || lc.contains("downloadstring"))
    {
        return Some("passes a downloaded script to Invoke-Expression");
    }
    None
}

/// Secrets the step can read: `env:` values at any level that read a secret, and `secrets.X`
/// in the command itself (`GITHUB_TOKEN` aside).
fn reachable_secrets(s: StepIn<'_>, cmd: &str) -> Vec<String> {
    let mut v: Vec<String> = Vec::new();
    for k in secret_env_vars(s) {
        if !v.iter().any(|x| x == k) {
            v.push(k.to_string());
        }
    }
    for (i, _) in cmd.match_indices("secrets.") {
        let name: String = cmd
            .get(i + 8..)
            .unwrap_or("")
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
            .collect();
        if !name.is_empty() && !name.eq_ignore_ascii_case("GITHUB_TOKEN") && !v.contains(&name)
        {
            v.push(name);
        }
    }
    v
}

impl Audit for RemoteScript {
    fn meta(&self) -> &'static garrison_report::RuleMeta {
        &Self::META
    }

    fn step(&self, _ws: &Workspace, s: StepIn<'_>, out: &mut Vec<Finding>) {
        let Some(run) = s.step.run.as_ref() else {
            return;
        };
        let file = s.file();
        let raw = run.source(file.source.text());
        let base = run.span.start_offset;
        for (st, e) in command_lines(raw) {
            let Some(text) = raw.get(st..e) else { continue };
            let cmd = text.trim();
            if cmd.starts_with('#') {
                continue;
            }
            let Some(how) = remote_exec(cmd) else {
                continue;
            };
            let indent = text.len() - text.trim_start().len();
            let span = file.source.span(base + st + indent, base + e);
            let secrets = reachable_secrets(s, cmd);
            let (severity, why) = if secrets.is_empty() {
                (Severity::Low, "no repository secret reaches this step".to_string())
            } else {
                (
                    Severity::High,
                    format!(
                        "the step can read {}: whoever changes the script reads them",
                        secrets.join(", ")
                    ),
                )
            };
            // One line, whitespace collapsed (continuations joined).
            let flat: String = cmd
                .split_whitespace()
                .filter(|w| *w != "\\" && *w != "`")
                .collect::<Vec<_>>()
                .join(" ");
            let excerpt: String = flat.chars().take(120).collect();
            out.push(
                Finding::builder(&RemoteScript::META)
                    .severity(severity)
                    .confidence(Confidence::High)
                    .message(format!("{how} without checking it: `{excerpt}`; {why}"))
                    .location(
                        loc(s.path(), span, s.step.route.then("run"))
                            .with_note("downloaded code executed"),
                    )
                    .evidence("command", excerpt)
                    .evidence("secrets", secrets)
                    .key(flat)
                    .build(),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::remote_exec;

    #[test]
    fn shapes() {
        for yes in [
            "curl -s https://codecov.io/bash | bash",
            "bash <(curl -s https://codecov.io/bash)",
            "curl -LsSf https://astral.sh/uv/install.sh | sh",
            "wget -qO- https://example.org/i.sh | sudo -E bash -s --",
            "sh -c \"$(curl -fsSL https://example.org/install.sh)\"",
            "curl https://bootstrap.pypa.io/get-pip.py | python3 -",
            "iex (iwr https://example.org/install.ps1 -UseBasicParsing)",
            "curl -s https://x/y.sh | /bin/bash",
        ] {
            assert!(remote_exec(yes).is_some(), "{yes}");
        }
        for no in [
            "curl -o get-pip.py https://bootstrap.pypa.io/get-pip.py",
            "curl -s https://api.github.com/repos/x/y | jq .tag_name",
            "wget -qO- https://example.org/key.gpg | sudo apt-key add -",
            "curl -fsSL https://example.org/key | sudo tee /etc/apt/keyrings/x.asc",
            "echo hello | bash",
            "bash ./scripts/install.sh",
        ] {
            assert!(remote_exec(no).is_none(), "{no}");
        }
    }
}
