//! One checkout's SPEC verdicts: the analyses `garrison scan` runs on a checkout (workflows and
//! posture, with Garrison's defaults, so every project is measured alike), the facts the items
//! depend on, and every item of the catalogue decided, with a text rendering.

use std::fmt::Write as _;
use std::path::Path;

use garrison_report::config::Config;
use garrison_scan::{Analyses, ScanOptions};
use garrison_workspace::{Options, Workspace};

use crate::FleetError;
use crate::items::{Facts, Item, Status, Verdict, adoption, catalogue};

/// A checkout's verdicts.
#[derive(Debug, Clone)]
pub struct Evaluation {
    /// The catalogue the verdicts follow.
    pub items: Vec<Item>,
    /// What is known about the tree.
    pub facts: Facts,
    /// One verdict per item, in catalogue order.
    pub verdicts: Vec<Verdict>,
    /// The findings of the analyses.
    pub findings: Vec<garrison_report::Finding>,
}

/// Scans `path` (workflows and posture, default configuration) and decides every item.
pub fn evaluate_checkout(path: &Path) -> Result<Evaluation, FleetError> {
    let opts = ScanOptions::new(Analyses {
        actions: true,
        posture: true,
        deps: false,
        history: false,
    });
    let scan = garrison_scan::scan_checkout(path, &Config::default(), &opts)?;
    let ws = Workspace::load(path, &Options::default());
    let facts = Facts::of(&ws);
    let items = catalogue()?;
    let verdicts = items
        .iter()
        .map(|i| i.verdict(&scan.report.findings, &facts))
        .collect();
    Ok(Evaluation {
        items,
        facts,
        verdicts,
        findings: scan.report.findings,
    })
}

impl Evaluation {
    /// Text: per SPEC, whether it is adopted, then each item with its verdict and the first
    /// piece of evidence (file:line and message, or what is missing).
    pub fn text(&self, root: &str) -> String {
        let mut s = format!("garrison ecosystem verdicts: {root}\n");
        let mut specs: Vec<u32> = self.items.iter().map(|i| i.spec).collect();
        specs.sort_unstable_by(|a, b| b.cmp(a));
        specs.dedup();
        for spec in specs {
            let (adopted, holds, evaluated) = adoption(spec, &self.verdicts);
            let count = |st: Status| {
                self.items
                    .iter()
                    .zip(&self.verdicts)
                    .filter(|(i, v)| i.spec == spec && v.status == st)
                    .count()
            };
            let _ = writeln!(
                s,
                "\nSPEC {spec}: {} ({holds} of {evaluated} evaluated items hold; {} not evaluated, {} not applicable)",
                if adopted {
                    "adopted as far as Garrison can check"
                } else {
                    "not adopted"
                },
                count(Status::NotEvaluated),
                count(Status::NotApplicable),
            );
            for (i, v) in self
                .items
                .iter()
                .zip(&self.verdicts)
                .filter(|(i, _)| i.spec == spec)
            {
                let mark = match v.status {
                    Status::Holds => "holds",
                    Status::Fails => "FAILS",
                    Status::NotEvaluated => "not evaluated",
                    Status::NotApplicable => "n/a",
                };
                let _ = writeln!(s, "  {mark:<14} {:<38} {}", i.id, i.title);
                if let Some(e) = v.evidence.first() {
                    let at = match (&e.path, e.line) {
                        (Some(p), Some(l)) => format!("{p}:{l}: "),
                        (Some(p), None) if p != "." => format!("{p}: "),
                        _ => String::new(),
                    };
                    let more = if v.evidence.len() > 1 {
                        format!(" (and {} more)", v.evidence.len() - 1)
                    } else {
                        String::new()
                    };
                    let _ = writeln!(s, "  {:<14} {at}{}{more}", "", e.message);
                }
            }
        }
        s
    }
}

/// The evaluator of local repositories and plain directories: a repository is used in place
/// (its HEAD is read, nothing is fetched); a plain directory has no commit.
#[derive(Debug, Clone, Copy, Default)]
pub struct Checkouts;

impl crate::run::Evaluator for Checkouts {
    fn fetch(
        &self,
        repository: &str,
        _interrupt: &std::sync::atomic::AtomicBool,
    ) -> Result<crate::run::Fetched, String> {
        if repository.contains("://") {
            return Err(format!(
                "{repository}: this build evaluates local repositories only"
            ));
        }
        let path = std::path::PathBuf::from(repository);
        if !path.is_dir() {
            return Err(format!("{repository}: no such directory"));
        }
        let commit = if garrison_git::is_repository(&path) {
            Some(garrison_git::tree::head_commit(&path).map_err(|e| format!("{repository}: {e}"))?)
        } else {
            None
        };
        Ok(crate::run::Fetched {
            repository: repository.to_string(),
            path,
            commit,
        })
    }

    fn evaluate(
        &self,
        fetched: &crate::run::Fetched,
        _interrupt: &std::sync::atomic::AtomicBool,
    ) -> Result<crate::run::Outcome, String> {
        let e = evaluate_checkout(&fetched.path).map_err(|e| e.to_string())?;
        Ok(crate::run::Outcome {
            verdicts: e.verdicts,
            findings: crate::run::finding_rows(&e.findings),
        })
    }
}
