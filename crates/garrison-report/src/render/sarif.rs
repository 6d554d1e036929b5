//! SARIF 2.1.0 for GitHub code scanning and other SARIF viewers, written by hand as a
//! `serde_json::Value`.
//!
//! GitHub-specific choices:
//! - every rule carries `properties.security-severity` (so alerts get critical/high/medium/low)
//!   and `properties.tags` containing `security`;
//! - every result has `partialFingerprints` (`garrisonFingerprint/v1`), so alerts survive line
//!   shifts, and a `ruleId` present in `tool.driver.rules`;
//! - every result location has a `region` with `startLine >= 1` (a whole-file finding points at
//!   line 1);
//! - paths are relative to `%SRCROOT%`, the checkout root.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::finding::{Confidence, Finding, Location, Severity, Span};
use crate::report::{FileError, Report};
use crate::rule::RuleMeta;

/// `$schema` of the log.
pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// The base id every artifact URI is relative to.
pub const SRCROOT: &str = "%SRCROOT%";
/// `tool.driver.informationUri`.
pub const INFORMATION_URI: &str = "https://github.com/garrison-security/garrison";
/// The descriptor id of the notification that warns about stale advisory data.
pub const STALE_ADVISORIES: &str = "garrison/stale-advisories";
/// The key of Garrison's fingerprint in `partialFingerprints`.
pub const FINGERPRINT_KEY: &str = "garrisonFingerprint/v1";

/// Renders `report` as a pretty-printed SARIF 2.1.0 log with a trailing newline.
pub fn render(report: &Report) -> String {
    let mut out = serde_json::to_string_pretty(&to_value(report)).unwrap_or_default();
    out.push('\n');
    out
}

/// The SARIF log as a JSON value.
pub fn to_value(report: &Report) -> Value {
    // Rules: every rule that ran, then any rule a finding names that is not among them.
    let mut rules = Vec::new();
    let mut index: BTreeMap<&str, usize> = BTreeMap::new();
    for r in &report.rules {
        if !index.contains_key(r.id) {
            index.insert(r.id, rules.len());
            rules.push(rule_descriptor(r, report));
        }
    }
    for f in &report.findings {
        if !index.contains_key(f.rule.as_str()) {
            index.insert(&f.rule, rules.len());
            rules.push(adhoc_descriptor(f));
        }
    }

    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| result(f, index.get(f.rule.as_str()).copied().unwrap_or(0)))
        .collect();

    let mut invocation = Map::new();
    invocation.insert("executionSuccessful".into(), json!(true));
    let mut notes: Vec<Value> = report.errors.iter().map(notification).collect();
    notes.extend(
        report
            .notes
            .iter()
            .map(|n| json!({ "level": "note", "message": { "text": n } })),
    );
    if let Some(w) = report.advisories.as_ref().and_then(|a| a.warning()) {
        notes.push(json!({
            "level": "warning",
            "message": { "text": w },
            "descriptor": { "id": STALE_ADVISORIES },
        }));
    }
    if !notes.is_empty() {
        invocation.insert("toolExecutionNotifications".into(), Value::Array(notes));
    }

    let mut run_properties = Map::new();
    if let Some(a) = &report.advisories {
        run_properties.insert("advisories".into(), json!(a));
    }

    let mut log = json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "garrison",
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "informationUri": INFORMATION_URI,
                    "rules": rules,
                }
            },
            "invocations": [Value::Object(invocation)],
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    });
    if !run_properties.is_empty() {
        log["runs"][0]["properties"] = Value::Object(run_properties);
    }
    log
}

/// `reportingDescriptor` for a rule that ran.
fn rule_descriptor(r: &RuleMeta, report: &Report) -> Value {
    // A rule has no confidence of its own; its precision is the lowest confidence among its
    // findings in this report, and `high` (the builder's default) when it found nothing.
    let precision = report
        .findings
        .iter()
        .filter(|f| f.rule == r.id)
        .map(|f| f.confidence)
        .min()
        .unwrap_or(Confidence::High);
    json!({
        "id": r.id,
        "name": camel_case(r.name()),
        "shortDescription": { "text": r.summary },
        "fullDescription": { "text": full_description(r) },
        "help": { "text": r.help, "markdown": r.markdown() },
        "helpUri": r.help_uri(),
        "defaultConfiguration": { "level": level(r.default_severity) },
        "properties": {
            "tags": [r.family(), "security"],
            "security-severity": security_severity(r.default_severity),
            "precision": precision.as_str(),
        }
    })
}

/// `reportingDescriptor` made up from a finding whose rule is not in the report's rule list,
/// so that every `ruleId` still resolves.
fn adhoc_descriptor(f: &Finding) -> Value {
    let name = f.rule.split_once('/').map_or(f.rule.as_str(), |(_, n)| n);
    let mut d = json!({
        "id": f.rule,
        "name": camel_case(name),
        "shortDescription": { "text": f.rule },
        "defaultConfiguration": { "level": level(f.severity) },
        "properties": {
            "tags": [f.family(), "security"],
            "security-severity": security_severity(f.severity),
            "precision": f.confidence.as_str(),
        }
    });
    if !f.help.is_empty() {
        d["help"] = json!({ "text": f.help });
    }
    if let Some(uri) = f.references.iter().find(|r| r.starts_with("https://")) {
        d["helpUri"] = json!(uri);
    }
    d
}

fn result(f: &Finding, rule_index: usize) -> Value {
    let mut text = f.message.clone();
    if !f.help.is_empty() {
        text.push_str("\nhelp: ");
        text.push_str(&f.help);
    }
    let mut r = json!({
        "ruleId": f.rule,
        "ruleIndex": rule_index,
        "level": level(f.severity),
        "message": { "text": text },
        "partialFingerprints": { FINGERPRINT_KEY: f.fingerprint },
    });

    // GitHub rejects a result without a location; a repository-level finding (no path) points
    // at the root of the checkout.
    let mut loc = match f.primary() {
        Some(primary) if !primary.path.is_empty() => location(primary, true),
        _ => location(&Location::file("."), true),
    };
    if let Some(route) = f.primary().and_then(|l| l.route.as_ref()) {
        loc["logicalLocations"] = json!([{ "fullyQualifiedName": route }]);
    }
    r["locations"] = json!([loc]);
    let related: Vec<Value> = f
        .locations
        .iter()
        .skip(1)
        .filter(|l| !l.path.is_empty())
        .enumerate()
        .map(|(i, l)| {
            let mut loc = location(l, false);
            loc["id"] = json!(i + 1);
            if let Some(route) = &l.route {
                loc["logicalLocations"] = json!([{ "fullyQualifiedName": route }]);
            }
            if let Some(note) = &l.note {
                loc["message"] = json!({ "text": note });
            }
            loc
        })
        .collect();
    if !related.is_empty() {
        r["relatedLocations"] = Value::Array(related);
    }

    let mut props = json!({
        "severity": f.severity.as_str(),
        "confidence": f.confidence.as_str(),
    });
    if !f.evidence.is_empty() {
        props["evidence"] = json!(f.evidence);
    }
    r["properties"] = props;
    r
}

/// A `location` with a `physicalLocation`. The primary location of a result always has a
/// region (line 1 for a whole-file finding), because GitHub requires one.
fn location(l: &Location, always_region: bool) -> Value {
    let mut phys = json!({
        "artifactLocation": artifact_location(&l.path),
    });
    match l.span {
        Some(s) => phys["region"] = region(&s),
        None if always_region => phys["region"] = json!({ "startLine": 1 }),
        None => {}
    }
    json!({ "physicalLocation": phys })
}

/// A `region` from a span, with its numbers forced into what the schema and GitHub accept
/// (lines and columns at least 1, the end not before the start).
fn region(s: &Span) -> Value {
    let start_line = s.start_line.max(1);
    let start_column = s.start_column.max(1);
    let end_line = s.end_line.max(start_line);
    let end_column = if end_line == start_line {
        s.end_column.max(start_column)
    } else {
        s.end_column.max(1)
    };
    json!({
        "startLine": start_line,
        "startColumn": start_column,
        "endLine": end_line,
        "endColumn": end_column,
    })
}

fn notification(e: &FileError) -> Value {
    let mut phys = json!({
        "artifactLocation": artifact_location(&e.path),
    });
    if let Some(line) = e.line {
        let mut region = json!({ "startLine": line.max(1) });
        if let Some(col) = e.column {
            region["startColumn"] = json!(col.max(1));
        }
        phys["region"] = region;
    }
    json!({
        "level": "warning",
        "message": { "text": format!("could not analyse {}: {}", e.path, e.message) },
        "locations": [{ "physicalLocation": phys }],
    })
}

/// SARIF `level` of a severity.
pub fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// GitHub's `security-severity` score of a severity. GitHub reads scores over 9.0 as critical,
/// 7.0 to 8.9 as high, 4.0 to 6.9 as medium and 3.9 or less as low; critical uses 9.5 so it is
/// unambiguously over 9.0.
pub fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "7.0",
        Severity::Medium => "5.0",
        Severity::Low => "3.0",
        Severity::Info => "0.0",
    }
}

/// `template-injection` -> `TemplateInjection`.
fn camel_case(name: &str) -> String {
    name.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut cs = w.chars();
            cs.next()
                .map(|c| c.to_uppercase().chain(cs).collect::<String>())
                .unwrap_or_default()
        })
        .collect()
}

/// The first paragraph of the rule's documentation (under its first heading), else its
/// summary.
fn full_description(r: &RuleMeta) -> String {
    let mut para: Vec<&str> = Vec::new();
    for line in r.docs.lines() {
        let line = line.strip_prefix(' ').unwrap_or(line).trim_end();
        if line.starts_with('#') || line.trim().is_empty() {
            if para.is_empty() {
                continue;
            }
            break;
        }
        para.push(line.trim());
    }
    if para.is_empty() {
        r.summary.to_string()
    } else {
        para.join(" ")
    }
}

/// A relative path as a URI reference: `/`-separated segments with everything outside the
/// unreserved and sub-delimiter characters percent-encoded (spaces, `%`, `#`, `?`, non-ASCII).
/// A path relative to the scanned root is a URI relative to `%SRCROOT%`; an absolute path (a
/// file named on the command line outside any checkout, e.g. `verify --lock /tmp/uv.lock`) is
/// a `file://` URI of its own, which a viewer must not resolve against the root.
fn artifact_location(path: &str) -> Value {
    let b = path.as_bytes();
    let drive = b.len() > 2
        && b[0].is_ascii_alphabetic()
        && b[1] == b':'
        && (b[2] == b'/' || b[2] == b'\\');
    if path.starts_with('/') {
        json!({ "uri": format!("file://{}", uri(path)) })
    } else if drive {
        // `C:\x` → `file:///C:/x`: the drive's colon stays as written.
        let rest = path[2..].replace('\\', "/");
        json!({ "uri": format!("file:///{}:{}", &path[..1], uri(&rest)) })
    } else {
        json!({ "uri": uri(path), "uriBaseId": SRCROOT })
    }
}

fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        let keep = b.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=@".contains(&b);
        // A `:` in the first segment would read as a scheme; encode it everywhere.
        if keep {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolute_paths_are_file_uris_without_a_base() {
        assert_eq!(
            artifact_location(".github/workflows/ci.yml"),
            json!({ "uri": ".github/workflows/ci.yml", "uriBaseId": SRCROOT })
        );
        assert_eq!(
            artifact_location("/tmp/dists/a b.whl"),
            json!({ "uri": "file:///tmp/dists/a%20b.whl" })
        );
        assert_eq!(
            artifact_location("C:\\work\\uv.lock"),
            json!({ "uri": "file:///C:/work/uv.lock" })
        );
    }

    #[test]
    fn names_and_uris() {
        assert_eq!(camel_case("template-injection"), "TemplateInjection");
        assert_eq!(camel_case("a_b-c"), "ABC");
        assert_eq!(
            uri(".github/workflows/my ci#1.yml"),
            ".github/workflows/my%20ci%231.yml"
        );
        assert_eq!(uri("dir/é:x"), "dir/%C3%A9%3Ax");
    }

    #[test]
    fn regions_are_always_valid() {
        let s = Span {
            start_line: 0,
            start_column: 0,
            end_line: 0,
            end_column: 0,
            start_offset: 9,
            end_offset: 3,
        };
        assert_eq!(
            region(&s),
            json!({"startLine": 1, "startColumn": 1, "endLine": 1, "endColumn": 1})
        );
    }
}
