//! Printers of results that are not only findings: the lock verification's per-file outcome
//! table and its JSON; its findings as a report for `garrison_report`'s renderers.

use garrison_report::{Report, SourceFile};

use crate::lock::{LockReport, Outcome};

/// The findings of a lock verification as a report for the SARIF and Markdown renderers:
/// rooted at `.`, with every `release/*` rule, `files_scanned` dists, and `sources` (the lock's
/// text, for snippets); sorted.
pub fn lock_report(
    r: &LockReport,
    files_scanned: usize,
    sources: Vec<(String, SourceFile)>,
) -> Report {
    let mut report = Report {
        root: ".".into(),
        findings: r.findings(),
        files_scanned,
        notes: r.notes.clone(),
        ..Report::default()
    };
    report.rules.extend(crate::registry::rules());
    for (path, text) in sources {
        report.sources.insert(path, text);
    }
    report.sort();
    report
}

/// The per-file outcome table, summary counts, notes and verdict of a lock verification.
pub fn lock_table(r: &LockReport, require_all: bool) -> String {
    let header = ["FILE", "PACKAGE", "VERSION", "OUTCOME"];
    let cells: Vec<[&str; 4]> = r
        .rows
        .iter()
        .map(|x| {
            [
                x.file.as_str(),
                x.package.as_str(),
                x.version.as_str(),
                x.outcome.as_str(),
            ]
        })
        .collect();
    let mut width = header.map(str::len);
    for c in &cells {
        for (w, s) in width.iter_mut().zip(c) {
            *w = (*w).max(s.chars().count());
        }
    }
    let line = |c: [&str; 4], detail: &str| {
        let mut s = String::new();
        for (w, cell) in width.iter().zip(c) {
            s.push_str(&format!("{cell:<w$}  "));
        }
        s.push_str(detail);
        s.trim_end().to_string() + "\n"
    };
    let mut out = format!("lock {} against {}\n\n", r.lock, r.dir);
    out.push_str(&line(header, "DETAIL"));
    for (c, x) in cells.into_iter().zip(&r.rows) {
        out.push_str(&line(c, &x.detail));
    }
    let counts: Vec<String> = Outcome::ALL
        .iter()
        .map(|o| format!("{} {}", r.summary.get(o.as_str()).unwrap_or(&0), o.as_str()))
        .collect();
    out.push_str(&format!(
        "\n{} files, {} locked packages: {}\n",
        r.rows
            .iter()
            .filter(|x| x.outcome != Outcome::Missing)
            .count(),
        r.packages,
        counts.join(", ")
    ));
    if !r.notes.is_empty() {
        out.push_str("\nnotes:\n");
        for n in &r.notes {
            out.push_str(&format!("  {n}\n"));
        }
    }
    let verdict = if r.fails(require_all) {
        "FAILED: a file does not match the lock or the policy (see the outcomes above)"
    } else {
        "OK: every file matches the lock and the policy"
    };
    out.push_str(&format!("\n{verdict}\n"));
    out
}

/// The lock verification as pretty JSON (`version: 1`, `ok`, then the report's fields).
pub fn lock_json(r: &LockReport, require_all: bool) -> String {
    let mut v = serde_json::to_value(r).unwrap_or_default();
    if let Some(o) = v.as_object_mut() {
        o.insert("version".into(), 1.into());
        o.insert("ok".into(), (!r.fails(require_all)).into());
    }
    serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"
}
