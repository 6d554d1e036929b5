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
