//! Prints `bench/posture-corpus.md`: SPEC 8 posture items per repository of the shared
//! corpus, as a Markdown table.
//!
//! ```text
//! cargo run -p garrison-posture --example corpus_table > bench/posture-corpus.md
//! cargo run -p garrison-posture --example corpus_table -- /path/to/repos
//! ```

use std::io::Write;
use std::path::{Path, PathBuf};

use garrison_posture::checks::no_dependency_updates::coverage;
use garrison_posture::checks::security_policies;
use garrison_posture::run;
use garrison_report::{Confidence, Finding};
use garrison_workflows::publishing;
use garrison_workspace::{Options, Workspace};

const YES: &str = "yes";
const NO: &str = "no";
const NA: &str = "n/a";

fn has(findings: &[Finding], rule: &str) -> bool {
    findings.iter().any(|f| f.rule == rule)
}

fn row(co: &Workspace) -> Vec<String> {
    let findings = run(co, &|_| true);
    let policy = !security_policies(co).is_empty();
    let channel = if !policy {
        NA
    } else if has(&findings, "posture/security-policy-no-private-channel") {
        NO
    } else {
        YES
    };
    let workflows: Vec<&str> = co.workflows.iter().map(|w| w.path()).collect();
    let owners = match &co.codeowners {
        None => "no (no CODEOWNERS)".to_string(),
        Some(_) if workflows.is_empty() => NA.to_string(),
        Some(c) => {
            let unowned = workflows.iter().filter(|w| !c.owned(w)).count();
            if unowned == 0 {
                YES.to_string()
            } else {
                format!("no ({unowned}/{} unowned)", workflows.len())
            }
        }
    };
    let cov = coverage(co);
    let deps = match (
        !cov.needs_python || cov.python.is_some(),
        !cov.needs_actions || cov.actions.is_some(),
    ) {
        (true, true) => YES.to_string(),
        (false, true) => "no (Python)".to_string(),
        (true, false) => "no (Actions)".to_string(),
        (false, false) => NO.to_string(),
    };
    let publishing = !publishing::publish_jobs(&co.workflows).is_empty();
    let trusted = if !publishing {
        NA
    } else if has(&findings, "posture/no-trusted-publishing") {
        NO
    } else {
        YES
    };
    let provenance = if !publishing {
        NA
    } else {
        let p: Vec<&Finding> = findings
            .iter()
            .filter(|f| f.rule == "posture/no-build-provenance")
            .collect();
        if p.is_empty() {
            YES
        } else if p.iter().all(|f| f.confidence == Confidence::Low) {
            "unknown"
        } else {
            NO
        }
    };
    let pre_commit = if co.pre_commit.is_none() {
        NA.to_string()
    } else {
        let n = findings
            .iter()
            .filter(|f| f.rule == "posture/pre-commit-mutable-rev")
            .count();
        if n == 0 {
            YES.to_string()
        } else {
            format!("no ({n} tags)")
        }
    };
    vec![
        (if policy { YES } else { NO }).to_string(),
        channel.to_string(),
        owners,
        deps,
        trusted.to_string(),
        provenance.to_string(),
        pre_commit,
    ]
}

fn main() -> std::io::Result<()> {
    let default = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/repos");
    let dir = std::env::args_os().nth(1).map_or(default, PathBuf::from);
    let mut repos: Vec<PathBuf> = std::fs::read_dir(&dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    repos.sort_by_key(|p| p.file_name().map(|n| n.to_ascii_lowercase()));

    let headers = [
        "repository",
        "security policy",
        "private channel",
        "CODEOWNERS covers workflows",
        "dependency updates (Python + Actions)",
        "trusted publishing",
        "provenance",
        "pre-commit pinned",
    ];
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "# Posture of the corpus repositories (SPEC 6 / SPEC 8)"
    )?;
    writeln!(out)?;
    writeln!(
        out,
        "Generated on 2026-11-25 by `cargo run -p garrison-posture --example corpus_table`"
    )?;
    writeln!(
        out,
        "over the {} repositories in `shared/data/repos` (snapshots listed in its `SOURCES`).",
        repos.len()
    )?;
    writeln!(
        out,
        "The corpus holds only configuration files (workflows, dependabot, pyproject, pre-commit,"
    )?;
    writeln!(
        out,
        "SECURITY.md, CODEOWNERS), so release-process documentation, binary artifacts and tag"
    )?;
    writeln!(
        out,
        "signatures are left out. \"n/a\": the item does not apply (no policy, no workflows, no"
    )?;
    writeln!(
        out,
        "publishing workflow found — manual or external uploads cannot be checked, no pre-commit)."
    )?;
    writeln!(
        out,
        "\"unknown\": the PyPA action is pinned to a SHA without a version comment. An"
    )?;
    writeln!(
        out,
        "organisation-wide SECURITY.md in `OWNER/.github` is not visible here."
    )?;
    writeln!(out)?;
    writeln!(out, "| {} |", headers.join(" | "))?;
    writeln!(
        out,
        "|{}|",
        headers.iter().map(|_| "---").collect::<Vec<_>>().join("|")
    )?;
    let mut yes = vec![0usize; headers.len() - 1];
    for repo in &repos {
        let name = repo
            .file_name()
            .map(|n| n.to_string_lossy().replacen("__", "/", 1))
            .unwrap_or_default();
        let co = Workspace::load(repo, &Options::default());
        let cells = row(&co);
        for (i, c) in cells.iter().enumerate() {
            if c == YES
                && let Some(y) = yes.get_mut(i)
            {
                *y += 1;
            }
        }
        writeln!(out, "| {name} | {} |", cells.join(" | "))?;
    }
    writeln!(
        out,
        "| **yes (of {})** | {} |",
        repos.len(),
        yes.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(" | ")
    )?;
    Ok(())
}
