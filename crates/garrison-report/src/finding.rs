//! The finding model: what fired, where, why it matters and how to fix it.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::rule::RuleMeta;
pub use garrison_source::Span;

/// How bad a finding is if it is real.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Context for the reader; never fails a run.
    #[default]
    Info,
    /// Hardening advice.
    Low,
    /// A weakness an attacker needs more to exploit.
    Medium,
    /// Exploitable under common conditions.
    High,
    /// Exploitable by anyone who can open a pull request or an issue.
    Critical,
}

impl Severity {
    /// All severities, lowest first.
    pub const ALL: [Severity; 5] = [
        Severity::Info,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    /// The lowercase name used in configuration and output.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Severity::ALL
            .into_iter()
            .find(|v| v.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                format!("unknown severity `{s}` (expected info, low, medium, high or critical)")
            })
    }
}

/// How sure the rule is that the finding is real.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    /// A pattern that is often benign.
    Low,
    /// Likely real; depends on facts the rule cannot see.
    #[default]
    Medium,
    /// Certain from the file alone.
    High,
}

impl Confidence {
    /// All confidences, lowest first.
    pub const ALL: [Confidence; 3] = [Confidence::Low, Confidence::Medium, Confidence::High];

    /// The lowercase name used in configuration and output.
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }
}

impl fmt::Display for Confidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Confidence {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Confidence::ALL
            .into_iter()
            .find(|v| v.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| format!("unknown confidence `{s}` (expected low, medium or high)"))
    }
}

/// Where a finding points: a file, an optional span, an optional symbolic route
/// (`jobs.publish.steps[2].run`) and an optional note shown under the span.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    /// Path relative to the scanned root, with `/` separators.
    pub path: String,
    /// The exact region, when the finding is about a part of the file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
    /// A symbolic route into the document, stable across unrelated edits.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub route: Option<String>,
    /// A short annotation for this location ("attacker-controlled", "publishes here").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Location {
    /// A location naming a whole file.
    pub fn file(path: impl Into<String>) -> Location {
        Location {
            path: path.into(),
            span: None,
            route: None,
            note: None,
        }
    }

    /// A location with a span.
    pub fn span(path: impl Into<String>, span: Span) -> Location {
        Location {
            path: path.into(),
            span: Some(span),
            route: None,
            note: None,
        }
    }

    /// Sets the symbolic route.
    #[must_use]
    pub fn with_route(mut self, route: impl Into<String>) -> Location {
        self.route = Some(route.into());
        self
    }

    /// Sets the annotation.
    #[must_use]
    pub fn with_note(mut self, note: impl Into<String>) -> Location {
        self.note = Some(note.into());
        self
    }

    /// `path:line:column`, or `path` when there is no span.
    pub fn display(&self) -> String {
        match &self.span {
            Some(s) => format!("{}:{}:{}", self.path, s.start_line, s.start_column),
            None => self.path.clone(),
        }
    }
}

/// The structured facts that fired a rule (`{"context": "github.head_ref", "trigger": "pull_request_target"}`).
pub type Evidence = BTreeMap<String, serde_json::Value>;

/// One result of one rule on one place.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable rule id, `family/kebab-name`.
    pub rule: String,
    /// How bad it is.
    pub severity: Severity,
    /// How sure the rule is.
    pub confidence: Confidence,
    /// One line, specific to this instance.
    pub message: String,
    /// Primary location first, then related ones.
    pub locations: Vec<Location>,
    /// Facts that fired the rule.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub evidence: Evidence,
    /// What to do about it.
    pub help: String,
    /// SPEC sections, advisory ids, URLs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<String>,
    /// Stable identity across unrelated edits: rule + file + the subject's route (+ key), never
    /// a line or a position in a list (see [`Finding::rekey`]).
    pub fingerprint: String,
    /// The rule's discriminator that went into the fingerprint (not rendered).
    #[serde(skip)]
    pub key: String,
}

impl Finding {
    /// Starts a finding for `rule` with the rule's default severity and help.
    pub fn builder(rule: &'static RuleMeta) -> FindingBuilder {
        FindingBuilder {
            finding: Finding {
                rule: rule.id.to_string(),
                severity: rule.default_severity,
                confidence: Confidence::High,
                message: String::new(),
                locations: Vec::new(),
                evidence: Evidence::new(),
                help: rule.help.to_string(),
                references: rule.references.iter().map(|s| s.to_string()).collect(),
                fingerprint: String::new(),
                key: String::new(),
            },
            key: None,
        }
    }

    /// The primary location, if any.
    pub fn primary(&self) -> Option<&Location> {
        self.locations.first()
    }

    /// Recomputes the fingerprint with the primary route and the key rewritten by `subject`,
    /// which names what a position names (`jobs.build.steps[2]` → the step's action and
    /// ref): moving things around then keeps a finding's fingerprint, and a changed subject
    /// gets a new one. The displayed route is unchanged.
    pub fn rekey(&mut self, subject: &dyn Fn(&str) -> String) {
        let primary = self.locations.first();
        let path = primary.map_or("", |l| l.path.as_str());
        let route = subject(primary.and_then(|l| l.route.as_deref()).unwrap_or(""));
        let key = subject(&self.key);
        self.fingerprint = fingerprint(&self.rule, path, &route, &key);
    }

    /// Recomputes the fingerprint as if the primary location were at `path`: for findings
    /// about files named on the command line (`verify --lock /tmp/x/uv.lock`), whose
    /// fingerprint must not depend on the working directory or a temporary path.
    pub fn rekey_path(&mut self, path: &str) {
        let route = self
            .locations
            .first()
            .and_then(|l| l.route.as_deref())
            .unwrap_or("");
        self.fingerprint = fingerprint(&self.rule, path, route, &self.key);
    }

    /// The rule's family (`workflow` for `workflow/template-injection`).
    pub fn family(&self) -> &str {
        self.rule.split_once('/').map_or(&self.rule, |(f, _)| f)
    }
}

/// Builds a [`Finding`]; see [`Finding::builder`].
#[derive(Debug, Clone)]
pub struct FindingBuilder {
    finding: Finding,
    key: Option<String>,
}

impl FindingBuilder {
    /// Overrides the severity.
    #[must_use]
    pub fn severity(mut self, s: Severity) -> Self {
        self.finding.severity = s;
        self
    }

    /// Sets the confidence (default high).
    #[must_use]
    pub fn confidence(mut self, c: Confidence) -> Self {
        self.finding.confidence = c;
        self
    }

    /// Sets the one-line message.
    #[must_use]
    pub fn message(mut self, m: impl Into<String>) -> Self {
        self.finding.message = m.into();
        self
    }

    /// Replaces the rule's generic help with instance-specific help.
    #[must_use]
    pub fn help(mut self, h: impl Into<String>) -> Self {
        self.finding.help = h.into();
        self
    }

    /// Adds a location; the first one added is primary.
    #[must_use]
    pub fn location(mut self, l: Location) -> Self {
        self.finding.locations.push(l);
        self
    }

    /// Adds a piece of evidence.
    #[must_use]
    pub fn evidence(mut self, k: &str, v: impl Into<serde_json::Value>) -> Self {
        self.finding.evidence.insert(k.to_string(), v.into());
        self
    }

    /// Adds a reference.
    #[must_use]
    pub fn reference(mut self, r: impl Into<String>) -> Self {
        let r = r.into();
        if !self.finding.references.contains(&r) {
            self.finding.references.push(r);
        }
        self
    }

    /// Adds a discriminator to the fingerprint when one route can carry several findings of
    /// the same rule (for example, the context name of an injection).
    #[must_use]
    pub fn key(mut self, k: impl Into<String>) -> Self {
        self.key = Some(k.into());
        self
    }

    /// Finishes the finding and computes its fingerprint.
    pub fn build(mut self) -> Finding {
        let primary = self.finding.locations.first();
        let path = primary.map_or("", |l| l.path.as_str());
        let route = primary.and_then(|l| l.route.as_deref()).unwrap_or("");
        let key = self.key.unwrap_or_default();
        self.finding.fingerprint = fingerprint(&self.finding.rule, path, route, &key);
        self.finding.key = key;
        self.finding
    }
}

/// The fingerprint of a finding: 16 hex digits of SHA-256 over rule, path, route and key.
pub fn fingerprint(rule: &str, path: &str, route: &str, key: &str) -> String {
    let mut h = Sha256::new();
    for part in [rule, path, route, key] {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    let digest = h.finalize();
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_ignores_lines_but_not_routes() {
        let a = fingerprint("workflow/x", "a.yml", "jobs.a.steps[0]", "");
        let b = fingerprint("workflow/x", "a.yml", "jobs.a.steps[1]", "");
        assert_ne!(a, b);
        assert_eq!(a, fingerprint("workflow/x", "a.yml", "jobs.a.steps[0]", ""));
        assert_eq!(a.len(), 16);
        // Field boundaries are separated: ("ab","c") differs from ("a","bc").
        assert_ne!(
            fingerprint("r", "ab", "c", ""),
            fingerprint("r", "a", "bc", "")
        );
    }

    #[test]
    fn severity_orders_and_parses() {
        assert!(Severity::Critical > Severity::High);
        assert!(Severity::Info < Severity::Low);
        assert_eq!("HIGH".parse::<Severity>(), Ok(Severity::High));
        assert!("severe".parse::<Severity>().is_err());
        assert_eq!("medium".parse::<Confidence>(), Ok(Confidence::Medium));
    }
}
