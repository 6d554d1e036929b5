//! Configuration (`[tool.garrison]` in `pyproject.toml`, or `garrison.toml`), inline
//! suppression comments, and baselines.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobMatcher};
use serde::{Deserialize, Serialize};

use crate::finding::{Confidence, Finding, Severity};
use crate::report::Report;
use crate::rule::rule_matches;

/// A configuration or baseline problem, naming the file and line.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The file is not valid TOML or has unknown or mistyped keys.
    #[error("{path}:{line}:{column}: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// A rule selector in `select` or `ignore` names no known rule.
    #[error("{origin}: {unknown}")]
    UnknownRule {
        /// Where the selector was written: `path:line:column` of a configuration file, or the
        /// command-line option.
        origin: String,
        /// The selector and the suggestions.
        unknown: crate::registry::UnknownRule,
    },
    /// An `ignore-vulnerabilities` entry's `expires` is not a `YYYY-MM-DD` date.
    #[error("ignore-vulnerabilities: `expires = \"{expires}\"` for {id} is not a YYYY-MM-DD date")]
    Expires {
        /// The entry's advisory id.
        id: String,
        /// The `expires` value as written.
        expires: String,
    },
    /// The baseline file is not a Garrison baseline.
    #[error("{path}: not a Garrison baseline: {message}")]
    Baseline {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

/// One `ignore` entry: a rule selector, optionally limited to paths, with a reason.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(untagged)]
pub enum IgnoreEntry {
    /// `"workflow/unpinned-uses"` — the rule everywhere.
    Rule(String),
    /// `{ rule = "...", path = ".github/workflows/docs.yml", reason = "..." }`.
    Scoped {
        /// Rule selector (id, family or bare name).
        rule: String,
        /// Glob on the finding's path (relative to the scanned root); every path when absent.
        #[serde(default)]
        path: Option<String>,
        /// Why (shown in JSON output; required by convention, not enforced).
        #[serde(default)]
        reason: Option<String>,
    },
}

/// Garrison's settings. Every field is optional; see `docs/configuration.md`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// Only these rules (ids, families or bare names) run; all when empty.
    #[serde(default)]
    pub select: Vec<String>,
    /// Rules (optionally per path) that are not reported.
    #[serde(default)]
    pub ignore: Vec<IgnoreEntry>,
    /// Findings below this severity are not reported.
    #[serde(default)]
    pub min_severity: Option<Severity>,
    /// Findings below this confidence are not reported.
    #[serde(default)]
    pub min_confidence: Option<Confidence>,
    /// Exit with 1 when a finding at or above this severity is reported (default `low`).
    #[serde(default)]
    pub fail_on: Option<Severity>,
    /// Paths (globs, relative to the root) that are not scanned at all.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Accepted vulnerabilities (`deps/known-vulnerability`), each with a reason and an
    /// optional expiry after which it is reported again.
    #[serde(default)]
    pub ignore_vulnerabilities: Vec<VulnerabilityIgnore>,
    /// How much recent history `garrison scan` reviews for risky commits: a duration such as
    /// `"90d"`, `"26w"`, `"6m"`, `"1y"`, `"all"`, or `"off"` (default `"90d"`).
    #[serde(default)]
    pub history_window: Option<String>,
}

/// One accepted vulnerability: `{ id = "PYSEC-2023-102", package = "scipy", reason = "…",
/// expires = "2027-01-31" }`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct VulnerabilityIgnore {
    /// Advisory id or any alias (PYSEC, GHSA, CVE).
    pub id: String,
    /// Only for this package (any spelling; normalized when compared).
    #[serde(default)]
    pub package: Option<String>,
    /// Why the vulnerability does not apply (required).
    pub reason: String,
    /// Last day (`YYYY-MM-DD`) the acceptance holds.
    #[serde(default)]
    pub expires: Option<String>,
}

impl VulnerabilityIgnore {
    /// Checks the expiry's format.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if let Some(e) = &self.expires {
            let ok = e.len() == 10
                && e.bytes().enumerate().all(|(i, b)| {
                    if i == 4 || i == 7 {
                        b == b'-'
                    } else {
                        b.is_ascii_digit()
                    }
                });
            if !ok {
                return Err(ConfigError::Expires {
                    id: self.id.clone(),
                    expires: e.clone(),
                });
            }
        }
        Ok(())
    }
}

#[derive(Deserialize)]
struct Pyproject {
    tool: Option<PyprojectTool>,
}

#[derive(Deserialize)]
struct PyprojectTool {
    garrison: Option<toml::Value>,
}

impl Config {
    /// Finds and loads configuration for `root`: `garrison.toml`, then `.garrison.toml`, then
    /// `[tool.garrison]` in `pyproject.toml`. Returns the default when none exists.
    pub fn discover(root: &Path) -> Result<(Config, Option<PathBuf>), ConfigError> {
        for name in ["garrison.toml", ".garrison.toml"] {
            let p = root.join(name);
            if p.is_file() {
                return Ok((Config::load(&p)?, Some(p)));
            }
        }
        let p = root.join("pyproject.toml");
        if p.is_file() {
            let text = read(&p)?;
            let pp = match toml::from_str::<Pyproject>(&text) {
                Ok(pp) => Some(pp),
                // Invalid TOML that holds a Garrison configuration: it cannot be read, and
                // scanning without it would silently change what is reported.
                Err(e) if text.contains("tool.garrison") => {
                    let mut err = invalid(&p, &text, &e);
                    if let ConfigError::Invalid { message, .. } = &mut err {
                        *message = format!(
                            "not valid TOML, so its [tool.garrison] configuration cannot be read: {message} (fix the file, or run with --isolated to ignore configuration files)"
                        );
                    }
                    return Err(err);
                }
                // Otherwise the posture checks report the file; there is no configuration.
                Err(_) => None,
            };
            if let Some(pp) = pp
                && let Some(v) = pp.tool.and_then(|t| t.garrison)
            {
                let section = toml::to_string(&v).unwrap_or_default();
                let cfg = toml::from_str::<Config>(&section).map_err(|e| {
                    let (line, column) = locate_key(&text, e.message());
                    ConfigError::Invalid {
                        path: p.clone(),
                        line,
                        column,
                        message: format!("[tool.garrison]: {}", e.message()),
                    }
                })?;
                return Ok((cfg, Some(p)));
            }
        }
        Ok((Config::default(), None))
    }

    /// Loads a `garrison.toml` (keys at top level) or a `pyproject.toml` (`[tool.garrison]`).
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = read(path)?;
        if path.file_name().is_some_and(|n| n == "pyproject.toml") {
            let pp: Pyproject = toml::from_str(&text).map_err(|e| invalid(path, &text, &e))?;
            let Some(v) = pp.tool.and_then(|t| t.garrison) else {
                return Ok(Config::default());
            };
            let section = toml::to_string(&v).unwrap_or_default();
            return toml::from_str(&section).map_err(|e| {
                let (line, column) = locate_key(&text, e.message());
                ConfigError::Invalid {
                    path: path.to_path_buf(),
                    line,
                    column,
                    message: format!("[tool.garrison]: {}", e.message()),
                }
            });
        }
        toml::from_str(&text).map_err(|e| invalid(path, &text, &e))
    }

    /// Checks every rule selector of `select` and `ignore` against `registry`. `source` is the
    /// configuration file they were read from (its line is named in the error); selectors from
    /// the command line are checked by [`check_selectors`] instead.
    pub fn check_rules(
        &self,
        registry: &crate::Registry,
        source: Option<&Path>,
    ) -> Result<(), ConfigError> {
        let text = source.and_then(|p| std::fs::read_to_string(p).ok());
        let selectors =
            self.select
                .iter()
                .map(|s| ("select", s.as_str()))
                .chain(self.ignore.iter().map(|e| match e {
                    IgnoreEntry::Rule(r) | IgnoreEntry::Scoped { rule: r, .. } => {
                        ("ignore", r.as_str())
                    }
                }));
        for (key, sel) in selectors {
            if let Err(e) = registry.check(sel) {
                let origin = match (source, &text) {
                    (Some(p), Some(t)) => match find_quoted(t, sel) {
                        Some((line, column)) => format!("{}:{line}:{column}", p.display()),
                        None => p.display().to_string(),
                    },
                    (Some(p), None) => p.display().to_string(),
                    (None, _) => format!("configuration `{key}`"),
                };
                return Err(ConfigError::UnknownRule { origin, unknown: e });
            }
        }
        Ok(())
    }

    /// True if the rule runs under `select`.
    pub fn selects(&self, rule: &str) -> bool {
        self.select.is_empty() || self.select.iter().any(|s| rule_matches(rule, s))
    }

    /// True if `f` is kept under `select`: its rule is selected, or it is an
    /// `info/not-evaluated` finding about a check the selection names (`--select history` on
    /// a directory without git still says the history was not reviewed, and why).
    pub fn selects_finding(&self, f: &Finding) -> bool {
        self.selects(&f.rule)
            || not_evaluated_check(f)
                .is_some_and(|check| self.select.iter().any(|s| rule_matches(check, s)))
    }

    /// Compiled path globs of `exclude`.
    pub fn exclude_matchers(&self) -> Vec<GlobMatcher> {
        self.exclude
            .iter()
            .filter_map(|g| Glob::new(g).ok().map(|g| g.compile_matcher()))
            .collect()
    }

    /// Overlays settings given on the command line.
    pub fn merge_cli(&mut self, other: Config) {
        self.select.extend(other.select);
        self.ignore.extend(other.ignore);
        self.exclude.extend(other.exclude);
        self.ignore_vulnerabilities
            .extend(other.ignore_vulnerabilities);
        if other.min_severity.is_some() {
            self.min_severity = other.min_severity;
        }
        if other.min_confidence.is_some() {
            self.min_confidence = other.min_confidence;
        }
        if other.fail_on.is_some() {
            self.fail_on = other.fail_on;
        }
        if other.history_window.is_some() {
            self.history_window = other.history_window;
        }
    }

    fn ignored(&self, f: &Finding) -> bool {
        let path = f.primary().map_or("", |l| l.path.as_str());
        // Findings inside an archive (`release/*`) also match by the member's path, and a
        // finding about a file deleted since (located at the commit) by that file's path.
        let member = ["member", "deleted_path"]
            .iter()
            .find_map(|k| f.evidence.get(*k).and_then(|m| m.as_str()));
        let matches = |g: &str, p: &str| {
            Glob::new(g)
                .map(|g| g.compile_matcher().is_match(p))
                .unwrap_or(false)
                || p.starts_with(g.trim_end_matches('/'))
        };
        // Ignoring a check also drops the note that it was not evaluated.
        let check = not_evaluated_check(f);
        let about = |r: &str| rule_matches(&f.rule, r) || check.is_some_and(|c| rule_matches(c, r));
        self.ignore.iter().any(|e| match e {
            IgnoreEntry::Rule(r) => about(r),
            IgnoreEntry::Scoped {
                rule, path: glob, ..
            } => {
                rule_matches(&f.rule, rule)
                    && glob
                        .as_deref()
                        .is_none_or(|g| matches(g, path) || member.is_some_and(|m| matches(g, m)))
            }
        })
    }
}

/// The check an `info/not-evaluated` finding is about (its evidence `check`: a rule id, a
/// family such as `history`, or an item such as `branch-protection`).
fn not_evaluated_check(f: &Finding) -> Option<&str> {
    (f.rule == crate::not_evaluated::NotEvaluated::META.id)
        .then(|| f.evidence.get("check").and_then(|c| c.as_str()))
        .flatten()
}

/// Checks rule selectors given on the command line (`option` is `--select` or `--ignore`).
pub fn check_selectors<'a>(
    registry: &crate::Registry,
    option: &str,
    selectors: impl IntoIterator<Item = &'a String>,
) -> Result<(), ConfigError> {
    for sel in selectors {
        registry
            .check(sel)
            .map_err(|unknown| ConfigError::UnknownRule {
                origin: option.to_string(),
                unknown,
            })?;
    }
    Ok(())
}

/// 1-based line and column of the first `"needle"` or `'needle'` in `text`.
fn find_quoted(text: &str, needle: &str) -> Option<(usize, usize)> {
    ['"', '\'']
        .iter()
        .filter_map(|q| text.find(&format!("{q}{needle}{q}")))
        .min()
        .map(|offset| line_col(text, offset))
}

fn read(path: &Path) -> Result<String, ConfigError> {
    std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
        path: path.to_path_buf(),
        source,
    })
}

fn invalid(path: &Path, text: &str, e: &toml::de::Error) -> ConfigError {
    let (line, column) = e.span().map(|s| line_col(text, s.start)).unwrap_or((1, 1));
    ConfigError::Invalid {
        path: path.to_path_buf(),
        line,
        column,
        message: e.message().to_string(),
    }
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Best-effort position of a `[tool.garrison]` error: the line of the key the message names,
/// else the section header.
fn locate_key(text: &str, message: &str) -> (usize, usize) {
    let key = message.split('`').nth(1).unwrap_or("");
    let mut in_section = false;
    let mut header = None;
    for (i, line) in text.lines().enumerate() {
        let t = line.trim_start();
        if t.starts_with('[') {
            in_section = t.starts_with("[tool.garrison");
            if in_section && header.is_none() {
                header = Some(i + 1);
            }
            continue;
        }
        if in_section && !key.is_empty() && t.starts_with(key) {
            return (i + 1, line.len() - t.len() + 1);
        }
    }
    (header.unwrap_or(1), 1)
}

/// A parsed `# garrison: ignore[rule, ...]` comment.
fn inline_ignores(line: &str) -> Option<Vec<&str>> {
    let idx = line.find("garrison: ignore[")?;
    // Must be inside a comment.
    if !line[..idx].contains('#') {
        return None;
    }
    let rest = &line[idx + "garrison: ignore[".len()..];
    let end = rest.find(']')?;
    Some(rest[..end].split(',').map(str::trim).collect())
}

fn inline_suppressed(report: &Report, f: &Finding) -> bool {
    let Some(loc) = f.primary() else {
        return false;
    };
    let (Some(span), Some(src)) = (loc.span, report.sources.get(&loc.path)) else {
        return false;
    };
    let first = (span.start_line as usize).saturating_sub(1).max(1);
    let last = (span.end_line as usize).min(first + 200);
    (first..=last).any(|n| {
        src.line(n)
            .and_then(inline_ignores)
            .is_some_and(|rules| rules.iter().any(|r| rule_matches(&f.rule, r)))
    })
}

/// Applies configuration, inline comments and an optional baseline to a report, counting what
/// each removed.
pub fn apply(report: &mut Report, config: &Config, baseline: Option<&Baseline>) {
    let findings = std::mem::take(&mut report.findings);
    let min_sev = config.min_severity.unwrap_or(Severity::Info);
    let min_conf = config.min_confidence.unwrap_or(Confidence::Low);
    let mut kept = Vec::with_capacity(findings.len());
    for f in findings {
        if !config.selects_finding(&f) || config.ignored(&f) {
            report.suppressed.config += 1;
        } else if inline_suppressed(report, &f) {
            report.suppressed.inline += 1;
        } else if baseline.is_some_and(|b| b.contains(&f.fingerprint)) {
            report.suppressed.baseline += 1;
        } else if f.severity < min_sev || f.confidence < min_conf {
            report.suppressed.threshold += 1;
        } else {
            kept.push(f);
        }
    }
    report.findings = kept;
}

/// One finding recorded in a baseline.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct BaselineEntry {
    /// The finding's fingerprint (what matching uses).
    pub fingerprint: String,
    /// Rule id, for people reading the file.
    pub rule: String,
    /// Path, for people reading the file.
    pub path: String,
    /// Message at the time of recording.
    pub message: String,
}

/// A set of accepted findings, keyed by fingerprint so line shifts do not resurface them.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Baseline {
    /// Format version; currently 1.
    #[serde(rename = "garrison-baseline")]
    pub version: u32,
    /// The accepted findings.
    pub findings: Vec<BaselineEntry>,
    #[serde(skip)]
    index: BTreeSet<String>,
}

impl Baseline {
    /// A baseline accepting every finding of `report`.
    pub fn from_report(report: &Report) -> Baseline {
        let findings: Vec<BaselineEntry> = report
            .findings
            .iter()
            .map(|f| BaselineEntry {
                fingerprint: f.fingerprint.clone(),
                rule: f.rule.clone(),
                path: f.primary().map(|l| l.path.clone()).unwrap_or_default(),
                message: f.message.clone(),
            })
            .collect();
        let index = findings.iter().map(|e| e.fingerprint.clone()).collect();
        Baseline {
            version: 1,
            findings,
            index,
        }
    }

    /// Reads a baseline file.
    pub fn load(path: &Path) -> Result<Baseline, ConfigError> {
        let text = read(path)?;
        let mut b: Baseline = serde_json::from_str(&text).map_err(|e| ConfigError::Baseline {
            path: path.to_path_buf(),
            message: format!("line {} column {}: {e}", e.line(), e.column()),
        })?;
        if b.version != 1 {
            return Err(ConfigError::Baseline {
                path: path.to_path_buf(),
                message: format!("unsupported version {}", b.version),
            });
        }
        b.index = b.findings.iter().map(|e| e.fingerprint.clone()).collect();
        Ok(b)
    }

    /// Pretty JSON for writing.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default() + "\n"
    }

    /// True if the fingerprint is accepted.
    pub fn contains(&self, fingerprint: &str) -> bool {
        self.index.contains(fingerprint)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_comment_parsing() {
        assert_eq!(
            inline_ignores("  uses: a/b@v1 # garrison: ignore[unpinned-uses, x] ok"),
            Some(vec!["unpinned-uses", "x"])
        );
        assert_eq!(inline_ignores("garrison: ignore[x]"), None);
        assert_eq!(inline_ignores("# garrison: ignore[x"), None);
    }

    #[test]
    fn vulnerability_expiry_must_be_a_date() {
        let mut accepted = VulnerabilityIgnore {
            id: "PYSEC-2023-102".into(),
            package: None,
            reason: "not reachable".into(),
            expires: Some("2027-01-31".into()),
        };
        assert!(accepted.validate().is_ok());
        accepted.expires = Some("2027-1-31".into());
        let err = accepted.validate().err().map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some(
                "ignore-vulnerabilities: `expires = \"2027-1-31\"` for PYSEC-2023-102 is not a YYYY-MM-DD date"
            )
        );
    }

    #[test]
    fn config_rejects_unknown_keys_with_line() {
        let dir = std::env::temp_dir().join(format!("garrison-cfg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).ok();
        let p = dir.join("garrison.toml");
        std::fs::write(&p, "select = [\"workflow\"]\nmin-severty = \"low\"\n").ok();
        let err = Config::load(&p)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("garrison.toml:2:"), "{err}");
        std::fs::write(
            &p,
            "ignore = [\"posture\", { rule = \"workflow/unpinned-uses\", path = \".github/workflows/docs.yml\", reason = \"docs only\" }]\nmin-severity = \"medium\"\n",
        )
        .ok();
        let cfg = Config::load(&p).ok().unwrap_or_default();
        assert_eq!(cfg.ignore.len(), 2);
        assert_eq!(cfg.min_severity, Some(Severity::Medium));
        std::fs::remove_dir_all(&dir).ok();
    }
}
