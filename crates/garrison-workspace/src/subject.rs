//! What a route is about, for fingerprints: `jobs.build.steps[2].with.token` names a position;
//! its subject, `jobs.*.steps[uses:actions/checkout@v4].with.token`, names the step by what it
//! is. A fingerprint over the subject survives reordering steps, inserting steps before it and
//! renaming the job, and changes when the step becomes something else (another action or
//! ref), so a baseline never hides a new, different step.

use garrison_workflows::Step;
use sha2::{Digest, Sha256};

use crate::Workspace;

impl Workspace {
    /// The subject of `text` (a route, or a rule's key that embeds routes) in the workflow or
    /// action file `path`: every `jobs.<id>` becomes `jobs.*`, and every step position
    /// (`jobs.<id>.steps[N]`, `runs.steps[N]`, also inside the callee after ` -> ./<path>: `)
    /// becomes the step's identity ([`step_subject`]). Text naming no step of a loaded file is
    /// returned with only the job ids replaced.
    pub fn subject(&self, path: &str, text: &str) -> String {
        let mut parts = text.split(" -> ./");
        let mut out = self.subject_in(path, parts.next().unwrap_or_default());
        for part in parts {
            out.push_str(" -> ./");
            match part.split_once(": ") {
                Some((callee, rest)) => {
                    out.push_str(callee);
                    out.push_str(": ");
                    let file = self
                        .local_action(callee)
                        .map(|a| a.path().to_string())
                        .or_else(|| self.local_workflow(callee).map(|w| w.path().to_string()))
                        .unwrap_or_default();
                    out.push_str(&self.subject_in(&file, rest));
                }
                None => out.push_str(part),
            }
        }
        out
    }

    /// [`Workspace::subject`] of a text without calls, in file `path`.
    fn subject_in(&self, path: &str, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while !rest.is_empty() {
            // Entries of the lists a finding can point into outside workflows: a pre-commit
            // hook repository, a dependabot update, a build requirement.
            if at_segment_start(text, rest)
                && let Some((done, tail)) = self.list_entry(path, rest)
            {
                out.push_str(&done);
                rest = tail;
                continue;
            }
            if let Some(after) = rest.strip_prefix("jobs.")
                && at_segment_start(text, rest)
            {
                let id_len = after
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
                    .unwrap_or(after.len());
                let (id, tail) = after.split_at(id_len);
                out.push_str("jobs.*");
                if let Some((n, tail)) = step_index(tail.strip_prefix(".steps[")) {
                    let step = self
                        .workflows
                        .iter()
                        .find(|w| w.path() == path)
                        .and_then(|w| w.jobs.iter().find(|j| j.id == id))
                        .and_then(|j| j.steps.get(n));
                    out.push_str(".steps[");
                    out.push_str(&step.map_or_else(|| n.to_string(), step_subject));
                    out.push(']');
                    rest = tail;
                } else {
                    rest = tail;
                }
                continue;
            }
            if let Some(after) = rest.strip_prefix("runs.steps[")
                && at_segment_start(text, rest)
                && let Some((n, tail)) = step_index(Some(after))
            {
                let step = self
                    .actions
                    .iter()
                    .find(|a| a.path() == path)
                    .and_then(|a| a.steps.get(n));
                out.push_str("runs.steps[");
                out.push_str(&step.map_or_else(|| n.to_string(), step_subject));
                out.push(']');
                rest = tail;
                continue;
            }
            let mut chars = rest.chars();
            if let Some(c) = chars.next() {
                out.push(c);
            }
            rest = chars.as_str();
        }
        out
    }
}

impl Workspace {
    /// `repos[N]` of the pre-commit configuration, `updates[N]` of `dependabot.yml` and
    /// `build-system.requires[N]` of `pyproject.toml` at the start of `rest`, named by the
    /// entry's repository, ecosystem and directory, or requirement; with the rest of `rest`.
    fn list_entry<'t>(&self, path: &str, rest: &'t str) -> Option<(String, &'t str)> {
        let yaml_item = |root: &garrison_yaml::Node, list: &str, n: usize| {
            root.get(list)?.as_seq()?.get(n).cloned()
        };
        if let Some(pc) = self.pre_commit.as_ref().filter(|p| p.path == path)
            && let Some((n, tail)) = step_index(rest.strip_prefix("repos["))
        {
            let item = yaml_item(&pc.root, "repos", n)?;
            let repo = item
                .get("repo")
                .and_then(|r| r.as_str())
                .unwrap_or_default();
            return Some((format!("repos[{repo}]"), tail));
        }
        if let Some(d) = self.dependabot.as_ref().filter(|d| d.file.path == path)
            && let Some((n, tail)) = step_index(rest.strip_prefix("updates["))
        {
            let item = yaml_item(&d.file.root, "updates", n)?;
            let field = |k: &str| {
                item.get(k)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_string()
            };
            return Some((
                format!(
                    "updates[{}:{}]",
                    field("package-ecosystem"),
                    field("directory")
                ),
                tail,
            ));
        }
        if let Some(py) = self.pyproject.as_ref().filter(|p| p.path == path)
            && let Some((n, tail)) = step_index(rest.strip_prefix("build-system.requires["))
        {
            let req = py
                .value
                .as_ref()?
                .get("build-system")?
                .get("requires")?
                .get(n)?
                .as_str()?;
            return Some((format!("build-system.requires[{req}]"), tail));
        }
        None
    }
}

/// True when `rest` (a suffix of `whole`) starts a route segment: at the start, or after a
/// separator a key embedding a route uses (`.`, `:`, space, `(`).
fn at_segment_start(whole: &str, rest: &str) -> bool {
    let at = whole.len() - rest.len();
    at == 0
        || whole[..at]
            .chars()
            .next_back()
            .is_some_and(|c| matches!(c, ':' | ' ' | '(' | ','))
}

/// `N]rest` → `(N, rest)`.
fn step_index(s: Option<&str>) -> Option<(usize, &str)> {
    let (n, tail) = s?.split_once(']')?;
    Some((n.parse().ok()?, tail))
}

/// What a step is: `uses:<action>@<ref>` as written; else `id:<id>`, `name:<name>`, or
/// `run:<hash>` (16 hex digits of SHA-256 over the script with whitespace collapsed), in that
/// order; `step` for an empty step.
pub fn step_subject(step: &Step) -> String {
    if let Some(u) = step.uses_node.as_ref().and_then(|n| n.as_str()) {
        return format!("uses:{}", u.trim());
    }
    if let Some(id) = &step.id {
        return format!("id:{id}");
    }
    if let Some(name) = &step.name {
        return format!("name:{name}");
    }
    if let Some(run) = step.run.as_ref().and_then(|n| n.as_str()) {
        let script = run.split_whitespace().collect::<Vec<_>>().join(" ");
        let digest = Sha256::digest(script.as_bytes());
        return format!("run:{}", garrison_source::hex::encode(&digest[..8]));
    }
    "step".to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Inputs, Kind};

    const CI: &str = "on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - name: Test
        run: pytest
      - run: |
          make
          make install
      - uses: ./.github/actions/setup
";

    const SETUP: &str = "runs:
  using: composite
  steps:
    - run: echo hi
      shell: bash
    - uses: actions/setup-python@v5
";

    fn ws() -> Workspace {
        Workspace::from_files(
            std::path::Path::new("."),
            vec![
                (".github/workflows/ci.yml".into(), CI.as_bytes().to_vec()),
                (
                    ".github/actions/setup/action.yml".into(),
                    SETUP.as_bytes().to_vec(),
                ),
            ],
            Inputs::GitHub,
        )
    }

    #[test]
    fn steps_are_named_by_what_they_are() {
        let ws = ws();
        assert_eq!(Kind::of(".github/workflows/ci.yml"), Some(Kind::Workflow));
        let ci = ".github/workflows/ci.yml";
        assert_eq!(
            ws.subject(ci, "jobs.build.steps[0].with.token"),
            "jobs.*.steps[uses:actions/checkout@v4].with.token"
        );
        assert_eq!(
            ws.subject(ci, "jobs.build.steps[1].run"),
            "jobs.*.steps[name:Test].run"
        );
        let run = ws.subject(ci, "jobs.build.steps[2].run");
        assert!(
            run.starts_with("jobs.*.steps[run:")
                && run.len() == "jobs.*.steps[run:].run".len() + 16,
            "{run}"
        );
        // A job-level route and a key embedding a route.
        assert_eq!(
            ws.subject(ci, "jobs.build.permissions"),
            "jobs.*.permissions"
        );
        assert_eq!(
            ws.subject(ci, "jobs.build.steps[0]:checkout"),
            "jobs.*.steps[uses:actions/checkout@v4]:checkout"
        );
        // Into a local composite action.
        assert_eq!(
            ws.subject(
                ci,
                "jobs.build.steps[3] -> ./.github/actions/setup: runs.steps[1].with.python-version"
            ),
            "jobs.*.steps[uses:./.github/actions/setup] -> ./.github/actions/setup: runs.steps[uses:actions/setup-python@v5].with.python-version"
        );
        // In the action file itself; text that is no route stays as it is.
        assert_eq!(
            ws.subject(".github/actions/setup/action.yml", "runs.steps[0].run"),
            ws.subject(".github/actions/setup/action.yml", "runs.steps[0].run")
        );
        assert!(
            ws.subject(".github/actions/setup/action.yml", "runs.steps[0].run")
                .starts_with("runs.steps[run:")
        );
        assert_eq!(
            ws.subject(ci, "on.pull_request_target"),
            "on.pull_request_target"
        );
        assert_eq!(
            ws.subject(ci, "GITHUB_ENV:github.head_ref"),
            "GITHUB_ENV:github.head_ref"
        );
        // A position no step holds keeps its number.
        assert_eq!(ws.subject(ci, "jobs.build.steps[9]"), "jobs.*.steps[9]");
        assert_eq!(ws.subject(ci, "jobs.other.steps[0]"), "jobs.*.steps[0]");
    }

    #[test]
    fn list_entries_are_named_by_what_they_are() {
        let files = vec![
            (
                ".pre-commit-config.yaml".to_string(),
                b"repos:\n  - repo: https://github.com/a/b\n    rev: v1\n  - repo: local\n"
                    .to_vec(),
            ),
            (
                ".github/dependabot.yml".to_string(),
                b"version: 2\nupdates:\n  - package-ecosystem: pip\n    directory: /\n".to_vec(),
            ),
            (
                "pyproject.toml".to_string(),
                b"[build-system]\nrequires = [\"setuptools\", \"wheel\"]\n".to_vec(),
            ),
        ];
        let ws = Workspace::from_files(std::path::Path::new("."), files, Inputs::All);
        assert_eq!(
            ws.subject(".pre-commit-config.yaml", "repos[0].rev"),
            "repos[https://github.com/a/b].rev"
        );
        assert_eq!(
            ws.subject(".github/dependabot.yml", "updates[0]"),
            "updates[pip:/]"
        );
        assert_eq!(
            ws.subject("pyproject.toml", "build-system.requires[1]"),
            "build-system.requires[wheel]"
        );
        // Out of range, or another file: unchanged.
        assert_eq!(
            ws.subject("pyproject.toml", "build-system.requires[7]"),
            "build-system.requires[7]"
        );
        assert_eq!(ws.subject("other.toml", "repos[0].rev"), "repos[0].rev");
    }

    #[test]
    fn moving_steps_keeps_subjects_and_replacing_changes_them() {
        let moved = CI.replace(
            "      - uses: actions/checkout@v4\n",
            "      - uses: actions/cache@v4\n      - uses: actions/checkout@v4\n",
        );
        let ws2 = Workspace::from_files(
            std::path::Path::new("."),
            vec![(".github/workflows/ci.yml".into(), moved.into_bytes())],
            Inputs::GitHub,
        );
        let ci = ".github/workflows/ci.yml";
        assert_eq!(
            ws().subject(ci, "jobs.build.steps[0]"),
            ws2.subject(ci, "jobs.build.steps[1]")
        );
        assert_ne!(
            ws().subject(ci, "jobs.build.steps[0]"),
            ws2.subject(ci, "jobs.build.steps[0]")
        );
    }
}
