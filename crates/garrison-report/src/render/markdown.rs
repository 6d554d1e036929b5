//! Markdown for a pull-request comment: a heading, a summary line, a table of findings and a
//! collapsible `<details>` block per finding, most severe first.
//!
//! Text that comes from scanned files (messages, paths, evidence) is escaped so it cannot add
//! markup, links, images or `@mentions` to the comment. GitHub caps comments at 65,536
//! characters; the output is capped at [`MAX_FINDINGS`] findings and [`MAX_CHARS`] characters.

use std::fmt::Write as _;

use crate::finding::{Finding, Severity};
use crate::report::Report;

/// At most this many findings are listed; the rest are counted.
pub const MAX_FINDINGS: usize = 100;
/// The output never exceeds this many bytes (and so characters).
pub const MAX_CHARS: usize = 60_000;

/// Room kept for the closing notes when the budget is checked.
const RESERVE: usize = 1_000;
/// Longest message shown in a table cell, in characters.
const CELL_CHARS: usize = 300;
/// Longest message, help or evidence value shown in a details block, in characters.
const DETAIL_CHARS: usize = 2_000;

/// Renders `report` as Markdown.
pub fn render(report: &Report) -> String {
    let mut out = String::from("## Garrison\n\n");
    out.push_str(&summary_line(report));
    out.push_str("\n\n");
    if let Some(a) = &report.advisories {
        let _ = writeln!(out, "Advisories: {}.\n", inline(&a.statement()));
        if let Some(w) = a.warning() {
            let _ = writeln!(out, "> **Warning:** {}.\n", inline(&w));
        }
    }

    // Most severe first (stable, so path order holds within a severity): when the list is
    // capped, what is cut is the least severe.
    let mut findings: Vec<&Finding> = report.findings.iter().collect();
    findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
    let listed = findings.len().min(MAX_FINDINGS);
    let budget = MAX_CHARS - RESERVE;
    let mut truncated = false;

    if listed > 0 {
        out.push_str("| Severity | Rule | Location | Message |\n| --- | --- | --- | --- |\n");
        let mut rows = 0;
        for f in &findings[..listed] {
            let row = table_row(f);
            if out.len() + row.len() > budget {
                truncated = true;
                break;
            }
            out.push_str(&row);
            rows += 1;
        }
        if rows < report.findings.len() {
            let _ = writeln!(
                out,
                "\n{} more {} not shown.",
                report.findings.len() - rows,
                if report.findings.len() - rows == 1 {
                    "finding"
                } else {
                    "findings"
                }
            );
        }
        out.push('\n');

        if !truncated {
            for (i, f) in findings[..rows].iter().enumerate() {
                let block = details(report, f);
                if out.len() + block.len() > budget {
                    truncated = true;
                    let _ = writeln!(
                        out,
                        "Details of {} more {} not shown.\n",
                        rows - i,
                        if rows - i == 1 { "finding" } else { "findings" }
                    );
                    break;
                }
                out.push_str(&block);
            }
        }
    }

    if !report.errors.is_empty() {
        let mut section = String::from("### Could not analyse\n\n");
        for e in &report.errors {
            let mut loc = e.path.clone();
            if let Some(l) = e.line {
                let _ = write!(loc, ":{l}");
                if let Some(c) = e.column {
                    let _ = write!(loc, ":{c}");
                }
            }
            let _ = writeln!(
                section,
                "- {}: {}",
                code(&loc),
                inline(&shorten(&e.message, CELL_CHARS))
            );
        }
        section.push('\n');
        if out.len() + section.len() > budget {
            truncated = true;
            let _ = writeln!(
                out,
                "{} could not be analysed (list not shown).\n",
                plural(report.errors.len(), "file", "files")
            );
        } else {
            out.push_str(&section);
        }
    }

    if !report.notes.is_empty() {
        let mut section = String::from("### Notes\n\n");
        for n in &report.notes {
            let _ = writeln!(section, "- {}", inline(&shorten(n, CELL_CHARS)));
        }
        section.push('\n');
        if out.len() + section.len() > budget {
            truncated = true;
            let _ = writeln!(
                out,
                "{} (not shown).\n",
                plural(report.notes.len(), "note", "notes")
            );
        } else {
            out.push_str(&section);
        }
    }

    if truncated {
        out.push_str(
            "_Output truncated to fit a pull-request comment; run Garrison locally or use the SARIF \
             or JSON output for the full report._\n",
        );
    }
    // The budget checks above keep the output well under the cap; this is the backstop.
    if out.len() > MAX_CHARS {
        let mut cut = MAX_CHARS - 100;
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out.truncate(cut);
        out.push_str("\n\n_Output truncated._\n");
    }
    out
}

fn summary_line(report: &Report) -> String {
    let files = plural(report.files_scanned, "file", "files");
    let s = &report.suppressed;
    let suppressed = s.config + s.inline + s.baseline + s.threshold;
    let suppressed = if suppressed > 0 {
        format!("; {suppressed} suppressed")
    } else {
        String::new()
    };
    if report.findings.is_empty() {
        return format!("No findings in {files}{suppressed}.");
    }
    let counts: Vec<String> = report
        .by_severity()
        .iter()
        .rev()
        .map(|(sev, n)| format!("{n} {sev}"))
        .collect();
    format!(
        "**{}** ({}) in {files}{suppressed}.",
        plural(report.findings.len(), "finding", "findings"),
        counts.join(", ")
    )
}

fn table_row(f: &Finding) -> String {
    format!(
        "| {} | {} | {} | {} |\n",
        severity_cell(f.severity),
        code(&f.rule),
        code(&location(f)),
        inline(&shorten(&f.message, CELL_CHARS))
    )
}

fn severity_cell(s: Severity) -> String {
    match s {
        Severity::Critical | Severity::High => format!("**{s}**"),
        _ => s.to_string(),
    }
}

/// `path:line`, `path`, or `(repository)`.
fn location(f: &Finding) -> String {
    match f.primary() {
        Some(l) if !l.path.is_empty() => match l.span {
            Some(s) => format!("{}:{}", l.path, s.start_line),
            None => l.path.clone(),
        },
        _ => "(repository)".to_string(),
    }
}

fn details(report: &Report, f: &Finding) -> String {
    let mut d = String::from("<details>\n<summary>");
    let _ = write!(
        d,
        "<b>{}</b> <code>{}</code> at <code>{}</code>",
        f.severity,
        html(&f.rule),
        html(&location(f))
    );
    d.push_str("</summary>\n\n");
    let _ = writeln!(d, "{}\n", inline(&shorten(&f.message, DETAIL_CHARS)));
    let _ = writeln!(d, "- Confidence: {}", f.confidence);
    if let Some(route) = f.primary().and_then(|l| l.route.as_deref()) {
        let _ = writeln!(d, "- Route: {}", code(route));
    }
    if let Some(note) = f.primary().and_then(|l| l.note.as_deref()) {
        let _ = writeln!(d, "- Note: {}", inline(&shorten(note, CELL_CHARS)));
    }
    for l in f.locations.iter().skip(1) {
        let mut loc = l.path.clone();
        if let Some(s) = l.span {
            let _ = write!(loc, ":{}", s.start_line);
        }
        let _ = write!(d, "- Related: {}", code(&loc));
        if let Some(note) = &l.note {
            let _ = write!(d, " ({})", inline(&shorten(note, CELL_CHARS)));
        }
        d.push('\n');
    }
    let _ = writeln!(d, "- Fingerprint: `{}`", html(&f.fingerprint));
    d.push('\n');
    if !f.help.trim().is_empty() {
        let _ = writeln!(
            d,
            "**Help:** {}\n",
            inline(&shorten(f.help.trim(), DETAIL_CHARS))
        );
    }
    if !f.evidence.is_empty() {
        d.push_str("**Evidence:**\n\n");
        for (k, v) in &f.evidence {
            // A list of explained items (`{"rule", "message", ...}`) reads best as a nested list.
            if let serde_json::Value::Array(items) = v
                && !items.is_empty()
                && items
                    .iter()
                    .all(|i| i.get("message").is_some_and(|m| m.is_string()))
            {
                let _ = writeln!(d, "- {}:", code(k));
                for i in items {
                    let msg = i
                        .get("message")
                        .and_then(|m| m.as_str())
                        .unwrap_or_default();
                    let rule = i.get("rule").and_then(|r| r.as_str());
                    let applied = i.get("applied").and_then(serde_json::Value::as_f64);
                    let role = i.get("role").and_then(|r| r.as_str());
                    let weight = match (role, applied) {
                        (Some("context"), Some(a)) => format!("×{a:.2} "),
                        (_, Some(a)) => format!("+{a:.1} "),
                        _ => String::new(),
                    };
                    let rule = rule.map(|r| format!("{} ", code(r))).unwrap_or_default();
                    let _ = writeln!(
                        d,
                        "  - {weight}{rule}{}",
                        escape(&shorten(msg, DETAIL_CHARS))
                    );
                }
                continue;
            }
            let value = match v {
                serde_json::Value::String(s) => s.clone(),
                v => serde_json::to_string(v).unwrap_or_default(),
            };
            let _ = writeln!(d, "- {}: {}", code(k), code(&shorten(&value, DETAIL_CHARS)));
        }
        d.push('\n');
    }
    if let Some(rule) = report.rule(&f.rule) {
        let _ = writeln!(d, "[Rule documentation]({})\n", rule.help_uri());
    }
    d.push_str("</details>\n\n");
    d
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// At most `max` characters, with an ellipsis when cut.
fn shorten(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// Untrusted text with its `` `code` `` spans kept: each backtick pair becomes a code span (via
/// [`code`]), everything else is [`escape`]d, and an unpaired backtick is shown as is.
fn inline(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('`') {
        let after = &rest[i + 1..];
        match after.find('`') {
            Some(j) if j > 0 => {
                out.push_str(&escape(&rest[..i]));
                out.push_str(&code(&after[..j]));
                rest = &after[j + 1..];
            }
            _ => {
                out.push_str(&escape(&rest[..=i]));
                rest = after;
            }
        }
    }
    out.push_str(&escape(rest));
    out
}

/// Escapes untrusted text for a Markdown table cell or paragraph: markup characters are
/// backslash-escaped, HTML is neutralised, newlines become `<br>`, and an `@` that could start
/// a mention gets a zero-width space after it.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut prev: Option<char> = None;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => out.push_str("<br>"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' | '#' | '!' | '$' => {
                out.push('\\');
                out.push(c);
            }
            '@' => {
                out.push('@');
                if prev.is_none_or(|p| !p.is_alphanumeric()) {
                    out.push('\u{200B}');
                }
            }
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
        prev = Some(c);
    }
    out
}

/// A code span holding `s` verbatim (on one line), safe inside a table cell.
fn code(s: &str) -> String {
    let s: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    // GitHub splits table cells on `|` even inside code spans unless it is escaped.
    let s = s.replace('|', "\\|");
    let longest = s.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    if s.starts_with('`') || s.ends_with('`') || longest > 0 {
        format!("{fence} {s} {fence}")
    } else {
        format!("{fence}{s}{fence}")
    }
}

/// Escapes text for HTML (inside `<summary>`).
fn html(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '&' => "&amp;".to_string(),
            '<' => "&lt;".to_string(),
            '>' => "&gt;".to_string(),
            '"' => "&quot;".to_string(),
            c if c.is_control() => " ".to_string(),
            c => c.to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(escape("a|b\nc"), "a\\|b<br>c");
        assert_eq!(escape("<img src=x>"), "&lt;img src=x&gt;");
        assert_eq!(escape("[x](y)"), "\\[x\\](y)");
        assert_eq!(escape("hi @octocat"), "hi @\u{200B}octocat");
        assert_eq!(escape("a/b@v1"), "a/b@v1");
        assert_eq!(code("a|b"), "`a\\|b`");
        assert_eq!(code("a`b"), "`` a`b ``");
        assert_eq!(shorten("héllo", 2), "hé…");
        assert_eq!(inline("`a|b` and *x*"), "`a\\|b` and \\*x\\*");
        assert_eq!(inline("odd ` tick"), "odd \\` tick");
        assert_eq!(inline("`<b>` @x"), "`<b>` @\u{200B}x");
    }
}
