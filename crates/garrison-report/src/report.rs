//! A scan's result: findings, files that could not be read, and the texts needed to render.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::advisory_data::AdvisoryData;
use crate::finding::{Finding, Severity};
use crate::rule::RuleMeta;
pub use garrison_source::FileError;
use garrison_source::SourceMap;

/// Why findings were left out of the report, counted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Suppressed {
    /// By `ignore`/`select` in configuration.
    pub config: usize,
    /// By `# garrison: ignore[...]` comments.
    pub inline: usize,
    /// By the baseline file.
    pub baseline: usize,
    /// Below `--min-severity` / `--min-confidence`.
    pub threshold: usize,
}

/// The result of a run.
#[derive(Debug, Default)]
pub struct Report {
    /// The scanned root as the user named it.
    pub root: String,
    /// Findings, sorted by path, line, rule.
    pub findings: Vec<Finding>,
    /// Files that could not be analysed.
    pub errors: Vec<FileError>,
    /// Every rule that ran (for SARIF `rules` and summaries).
    pub rules: Vec<&'static RuleMeta>,
    /// Texts of scanned files.
    pub sources: SourceMap,
    /// How many files were analysed.
    pub files_scanned: usize,
    /// What was left out, and why.
    pub suppressed: Suppressed,
    /// The advisory data the dependency analysis used (`None` when it did not run).
    pub advisories: Option<AdvisoryData>,
    /// What the run could not check and why, when that is neither a finding nor a file that
    /// could not be read (e.g. a locked package from a git source, which has no hash).
    pub notes: Vec<String>,
}

impl Report {
    /// Makes fingerprints unique: findings about the same subject in different places (the same
    /// unpinned action in two jobs) are numbered in report order, the second and later ones
    /// getting `fingerprint(first, "#k")`. Idempotent; [`Report::sort`] calls it.
    pub fn distinct_fingerprints(&mut self) {
        let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
        for f in &mut self.findings {
            let n = seen.entry(f.fingerprint.clone()).or_insert(0);
            *n += 1;
            if *n > 1 {
                f.fingerprint =
                    crate::finding::fingerprint(&f.fingerprint, "", "", &format!("#{n}"));
            }
        }
    }

    /// Sorts findings deterministically: path, line, column, rule, fingerprint.
    pub fn sort(&mut self) {
        self.findings.sort_by(|a, b| {
            let key = |f: &Finding| {
                let p = f.primary();
                (
                    p.map(|l| l.path.clone()).unwrap_or_default(),
                    p.and_then(|l| l.span).map_or(0, |s| s.start_line),
                    p.and_then(|l| l.span).map_or(0, |s| s.start_column),
                )
            };
            key(a)
                .cmp(&key(b))
                .then_with(|| a.rule.cmp(&b.rule))
                .then_with(|| a.fingerprint.cmp(&b.fingerprint))
        });
        self.findings
            .dedup_by(|a, b| a.fingerprint == b.fingerprint && a.locations == b.locations);
        self.distinct_fingerprints();
        self.errors
            .sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
        self.rules.sort_by_key(|r| r.id);
        self.rules.dedup_by_key(|r| r.id);
    }

    /// Counts of findings per severity.
    pub fn by_severity(&self) -> BTreeMap<Severity, usize> {
        let mut m = BTreeMap::new();
        for f in &self.findings {
            *m.entry(f.severity).or_insert(0) += 1;
        }
        m
    }

    /// Counts of findings per rule family, and within it per severity.
    pub fn by_family(&self) -> BTreeMap<String, BTreeMap<Severity, usize>> {
        let mut m: BTreeMap<String, BTreeMap<Severity, usize>> = BTreeMap::new();
        for f in &self.findings {
            *m.entry(f.family().to_string())
                .or_default()
                .entry(f.severity)
                .or_insert(0) += 1;
        }
        m
    }

    /// The rule metadata for `id`, if that rule ran.
    pub fn rule(&self, id: &str) -> Option<&'static RuleMeta> {
        self.rules.iter().copied().find(|r| r.id == id)
    }

    /// True if a finding at or above `threshold` remains (info findings never count).
    pub fn fails(&self, threshold: Severity) -> bool {
        self.findings
            .iter()
            .any(|f| f.severity >= threshold && f.severity > Severity::Info)
    }
}
