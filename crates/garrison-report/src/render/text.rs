//! Human output, in the style of rustc, ruff and zizmor: findings grouped by file, each with a
//! heading, an annotated source snippet and `= key: value` footers; then the files that could
//! not be analysed and a summary.
//!
//! ```text
//! .github/workflows/ci.yml (1 finding)
//!
//! critical[workflow/template-injection]: `github.event.issue.title` expands into a run script
//!   --> .github/workflows/ci.yml:12:19
//!    |
//! 12 |         run: echo "${{ github.event.issue.title }}"
//!    |                    ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ attacker-controlled
//!    |
//!    = confidence: high
//!    = route: jobs.triage.steps[0].run
//!    = help: pass the value through an environment variable
//!    = see: https://github.com/garrison-security/garrison/blob/main/docs/rules/workflow/template-injection.md
//! ```
//!
//! The output is deterministic (no timestamps, no absolute paths) and every piece of text that
//! comes from a scanned file is normalized, so control characters in a hostile file cannot
//! drive the terminal.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use annotate_snippets::{
    AnnotationKind, Group, Level, Origin, Renderer, Snippet, normalize_untrusted_str,
};
use anstyle::{AnsiColor, Effects, Style};

use crate::finding::{Finding, Location, Severity, Span};
use crate::report::Report;
use garrison_source::SourceFile;

/// At most this many lines of a long span are shown; the rest is elided with a note.
pub const MAX_SPAN_LINES: usize = 10;

/// Findings of this rule are listed compactly after the others.
const NOT_EVALUATED: &str = "info/not-evaluated";

/// Renders `report` for a terminal; `color` adds ANSI styling.
pub fn render(report: &Report, color: bool) -> String {
    // Each severity takes one annotate-snippets level (see `severity_level`), restyled so the
    // five severities have five colours.
    let renderer = if color {
        Renderer::styled()
            .error(severity_style(Severity::Critical))
            .warning(severity_style(Severity::High))
            .info(severity_style(Severity::Medium))
            .note(severity_style(Severity::Low))
            .help(severity_style(Severity::Info))
    } else {
        Renderer::plain()
    };
    let paint = Paint(color);
    let mut out = String::new();

    // Group by primary path, keeping the report's order inside each file. Repository-wide
    // findings (path `.`) come after the files, and checks that could not be evaluated are
    // listed compactly at the end: they are context, not problems to read first.
    let mut by_file: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    let mut repo_wide: Vec<&Finding> = Vec::new();
    let mut not_evaluated: Vec<&Finding> = Vec::new();
    for f in &report.findings {
        let path = f.primary().map_or("", |l| l.path.as_str());
        if f.rule == NOT_EVALUATED {
            not_evaluated.push(f);
        } else if path.is_empty() || path == "." {
            repo_wide.push(f);
        } else {
            by_file.entry(path).or_default().push(f);
        }
    }
    let groups = by_file
        .iter()
        .map(|(p, v)| (one_line(p), v))
        .chain((!repo_wide.is_empty()).then(|| ("repository".to_string(), &repo_wide)));
    for (name, findings) in groups {
        let header = format!("{name} ({})", plural(findings.len(), "finding", "findings"));
        let _ = writeln!(out, "{}\n", paint.apply(HEADER, &header));
        for f in findings.iter() {
            out.push_str(render_finding(report, f, &renderer).trim_end());
            out.push_str("\n\n");
        }
    }
    if !not_evaluated.is_empty() {
        let header = format!(
            "not evaluated ({}):",
            plural(not_evaluated.len(), "check", "checks")
        );
        let _ = writeln!(out, "{}", paint.apply(HEADER, &header));
        // Grouped by reason, each item once: `what` then how to check it by hand.
        let mut by_reason: BTreeMap<String, Vec<&Finding>> = BTreeMap::new();
        for f in &not_evaluated {
            let reason = f
                .evidence
                .get("reason")
                .and_then(|v| v.as_str())
                .unwrap_or("")
                .to_string();
            by_reason.entry(reason).or_default().push(f);
        }
        for (reason, items) in &by_reason {
            if !reason.is_empty() {
                let _ = writeln!(out, "  {}:", one_line(reason));
            }
            for f in items {
                let what = f
                    .message
                    .strip_prefix("not evaluated: ")
                    .unwrap_or(&f.message);
                let suffix = format!(" ({reason})");
                let what = what.strip_suffix(suffix.as_str()).unwrap_or(what);
                let _ = writeln!(out, "    - {}", one_line(what));
                let _ = writeln!(out, "      {}", one_line(&f.help));
            }
        }
        out.push('\n');
    }

    if !report.errors.is_empty() {
        let heading = format!(
            "could not analyse {}:",
            plural(report.errors.len(), "file", "files")
        );
        let _ = writeln!(out, "{}", paint.apply(WARNING, &heading));
        for e in &report.errors {
            let _ = writeln!(out, "  {}", one_line(&e.to_string()));
        }
        out.push('\n');
    }

    if !report.notes.is_empty() {
        let _ = writeln!(out, "{}", paint.apply(BOLD, "notes:"));
        for n in &report.notes {
            let _ = writeln!(out, "  {}", one_line(n));
        }
        out.push('\n');
    }

    render_summary(report, paint, &mut out);
    out
}

/// Renders one finding (heading, snippet or origin, footers) with annotate-snippets.
fn render_finding(report: &Report, f: &Finding, renderer: &Renderer) -> String {
    let level = severity_level(f.severity).with_name(f.severity.as_str());
    let rule = report.rule(&f.rule);
    let mut title = level
        .primary_title(one_line(&f.message))
        .id(one_line(&f.rule));
    if let Some(rule) = rule {
        title = title.id_url(rule.help_uri());
    }
    let mut group = Group::with_title(title);

    // Related locations that the snippet does not show become `= related:` footers.
    let mut unshown: Vec<(usize, &Location)> = f.locations.iter().enumerate().skip(1).collect();
    let mut primary_note_shown = false;
    let mut truncated = None;
    if let Some(primary) = f.primary() {
        match snippet(report, f) {
            Some(s) => {
                unshown.retain(|(i, _)| !s.related_shown.contains(i));
                primary_note_shown = true;
                truncated = s.truncated;
                group = group.element(s.snippet);
            }
            None if !primary.path.is_empty() => {
                group = group.element(origin(primary));
            }
            None => {}
        }
    }

    let mut footers = Vec::new();
    if let Some((shown, total, last)) = truncated {
        footers.push(Level::NOTE.message(format!(
            "showing the first {shown} of {total} lines of the span (it ends on line {last})"
        )));
    }
    if let Some(note) = f.primary().and_then(|l| l.note.as_deref())
        && !primary_note_shown
    {
        // A note ending with a newline (a diff) would end with an indented empty line.
        footers.push(Level::NOTE.message(clean(note.trim_end_matches('\n'))));
    }
    footers.push(
        Level::NOTE
            .with_name("confidence")
            .message(f.confidence.as_str()),
    );
    if let Some(route) = f.primary().and_then(|l| l.route.as_deref()) {
        footers.push(Level::NOTE.with_name("route").message(one_line(route)));
    }
    for (_, l) in unshown {
        let mut text = match (l.path.is_empty(), l.span) {
            (true, _) => "(repository)".to_string(),
            (false, Some(s)) => format!("{}:{}", l.path, s.start_line),
            (false, None) => l.path.clone(),
        };
        if let Some(note) = &l.note {
            text.push_str(": ");
            text.push_str(note);
        }
        footers.push(Level::NOTE.with_name("related").message(one_line(&text)));
    }
    if !f.help.trim().is_empty() {
        footers.push(Level::HELP.message(clean(f.help.trim())));
    }
    match rule {
        Some(rule) => footers.push(Level::NOTE.with_name("see").message(rule.help_uri())),
        None => {
            for r in &f.references {
                footers.push(Level::NOTE.with_name("see").message(one_line(r)));
            }
        }
    }
    group = group.elements(footers);
    renderer.render(&[group])
}

/// A snippet of the primary location's file, and what it shows.
struct Shown<'a> {
    snippet: Snippet<'a, annotate_snippets::Annotation<'a>>,
    /// Indices (into the finding's locations) of related locations annotated in the snippet.
    related_shown: Vec<usize>,
    /// `(lines shown, lines in span, last line)` when the primary span was cut.
    truncated: Option<(usize, usize, usize)>,
}

/// Builds the snippet for a finding whose primary location has a valid span into a known
/// file; `None` (no snippet, origin line only) for anything else.
fn snippet<'a>(report: &'a Report, f: &'a Finding) -> Option<Shown<'a>> {
    let primary = f.primary()?;
    let src = report.sources.get(&primary.path)?;
    let text = src.text();
    let (p_start, p_end, truncated) = clamp(src, primary.span.as_ref()?)?;

    // Related locations with a valid span in the same file are annotated too.
    let mut related = Vec::new();
    for (i, l) in f.locations.iter().enumerate().skip(1) {
        if l.path != primary.path {
            continue;
        }
        if let Some((s, e, _)) = l.span.as_ref().and_then(|sp| clamp(src, sp)) {
            related.push((i, l, s, e));
        }
    }

    // The window: whole lines from the first annotated line to the last.
    let last_line_of = |s: usize, e: usize| src.line_of(if e > s { e - 1 } else { s });
    let first = related
        .iter()
        .map(|(_, _, s, _)| src.line_of(*s))
        .fold(src.line_of(p_start), usize::min);
    let last = related
        .iter()
        .map(|(_, _, s, e)| last_line_of(*s, *e))
        .fold(last_line_of(p_start, p_end), usize::max);
    let w_start = src.line_start(first)?;
    let w_end = line_end(src, last);
    let window = text.get(w_start..w_end)?;

    // Offsets relative to the window, clamped into it (a span may end on a newline).
    let rel = |s: usize, e: usize| {
        let s = s.clamp(w_start, w_end) - w_start;
        let e = e.clamp(w_start, w_end) - w_start;
        s..e.max(s)
    };
    let mut primary_ann = AnnotationKind::Primary.span(rel(p_start, p_end));
    if let Some(note) = &primary.note {
        primary_ann = primary_ann.label(one_line(note));
    }
    let mut snippet = Snippet::source(window)
        .line_start(first)
        .path(one_line(&primary.path))
        .fold(true)
        .annotation(primary_ann);
    let mut related_shown = Vec::new();
    for (i, l, s, e) in related {
        let mut ann = AnnotationKind::Context.span(rel(s, e));
        if let Some(note) = &l.note {
            ann = ann.label(one_line(note));
        }
        snippet = snippet.annotation(ann);
        related_shown.push(i);
    }
    Some(Shown {
        snippet,
        related_shown,
        truncated,
    })
}

/// Checks a span against the file and cuts it to [`MAX_SPAN_LINES`] lines: `(start, end,
/// truncation)` as byte offsets, or `None` when the span does not fit the text (past the end,
/// reversed, or not on character boundaries).
#[allow(clippy::type_complexity)]
fn clamp(src: &SourceFile, span: &Span) -> Option<(usize, usize, Option<(usize, usize, usize)>)> {
    let text = src.text();
    let (s, e) = (span.start_offset, span.end_offset);
    if s > e || e > text.len() || !text.is_char_boundary(s) || !text.is_char_boundary(e) {
        return None;
    }
    let first = src.line_of(s);
    let last = src.line_of(if e > s { e - 1 } else { s });
    let lines = last - first + 1;
    if lines <= MAX_SPAN_LINES {
        return Some((s, e, None));
    }
    let cut = line_end(src, first + MAX_SPAN_LINES - 1).max(s);
    Some((s, cut, Some((MAX_SPAN_LINES, lines, last))))
}

/// Byte offset of the end of 1-based `line`, before its terminator.
fn line_end(src: &SourceFile, line: usize) -> usize {
    let text = src.text();
    let mut end = src
        .line_start(line + 1)
        .map_or(text.len(), |next| next.saturating_sub(1));
    if end > 0 && text.as_bytes().get(end - 1) == Some(&b'\r') {
        end -= 1;
    }
    end
}

/// `--> path[:line[:column]]` for a location shown without a snippet.
fn origin(l: &Location) -> Origin<'static> {
    let mut o = Origin::path(one_line(&l.path));
    if let Some(s) = l.span
        && s.start_line >= 1
    {
        o = o.line(s.start_line as usize);
        if s.start_column >= 1 {
            o = o.char_column(s.start_column as usize);
        }
    }
    o
}

/// The annotate-snippets level whose style (see `render`) a severity's heading and primary
/// underline take.
fn severity_level(s: Severity) -> Level<'static> {
    match s {
        Severity::Critical => Level::ERROR,
        Severity::High => Level::WARNING,
        Severity::Medium => Level::INFO,
        Severity::Low => Level::NOTE,
        Severity::Info => Level::HELP,
    }
}

fn render_summary(report: &Report, paint: Paint, out: &mut String) {
    if let Some(a) = &report.advisories {
        let _ = writeln!(
            out,
            "{} {}",
            paint.apply(BOLD, "advisories:"),
            one_line(&a.statement())
        );
        if let Some(w) = a.warning() {
            let _ = writeln!(out, "{} {}", paint.apply(WARNING, "warning:"), one_line(&w));
        }
    }
    for (family, counts) in report.by_family() {
        let _ = writeln!(
            out,
            "{}: {}",
            paint.apply(BOLD, &one_line(&family)),
            severity_counts(&counts, paint)
        );
    }
    let s = &report.suppressed;
    let suppressed_total = s.config + s.inline + s.baseline + s.threshold;
    let suppressed = if suppressed_total == 0 {
        String::new()
    } else {
        let parts: Vec<String> = [
            ("config", s.config),
            ("inline", s.inline),
            ("baseline", s.baseline),
            ("below threshold", s.threshold),
        ]
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(what, n)| format!("{what} {n}"))
        .collect();
        format!("; {suppressed_total} suppressed ({})", parts.join(", "))
    };
    let files = plural(report.files_scanned, "file", "files");
    if report.findings.is_empty() {
        let line = format!("No findings in {files}{suppressed}.");
        let _ = writeln!(out, "{}", paint.apply(BOLD, &line));
    } else {
        let total = plural(report.findings.len(), "finding", "findings");
        let _ = writeln!(
            out,
            "{} ({}) in {files}{suppressed}",
            paint.apply(BOLD, &total),
            severity_counts(&report.by_severity(), paint)
        );
    }
}

/// `1 critical, 2 high` — non-zero counts, most severe first.
fn severity_counts(counts: &BTreeMap<Severity, usize>, paint: Paint) -> String {
    counts
        .iter()
        .rev()
        .filter(|(_, n)| **n > 0)
        .map(|(s, n)| paint.apply(severity_style(*s), &format!("{n} {s}")))
        .collect::<Vec<_>>()
        .join(", ")
}

const fn severity_style(s: Severity) -> Style {
    let colour = match s {
        Severity::Critical => AnsiColor::BrightMagenta,
        Severity::High => AnsiColor::BrightRed,
        Severity::Medium => AnsiColor::Yellow,
        Severity::Low => AnsiColor::BrightCyan,
        Severity::Info => AnsiColor::BrightGreen,
    };
    colour.on_default().effects(Effects::BOLD)
}

const HEADER: Style = Style::new().effects(Effects::BOLD.insert(Effects::UNDERLINE));
const BOLD: Style = Style::new().effects(Effects::BOLD);
const WARNING: Style = AnsiColor::Yellow.on_default().effects(Effects::BOLD);

/// Applies ANSI styles only when colour is on.
#[derive(Clone, Copy)]
struct Paint(bool);

impl Paint {
    fn apply(self, style: Style, text: &str) -> String {
        if self.0 {
            format!("{style}{text}{style:#}")
        } else {
            text.to_string()
        }
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Replaces control and bidi characters (which a hostile file could use to drive the terminal
/// or hide text) with visible stand-ins; keeps newlines.
fn clean(s: &str) -> String {
    s.split('\n')
        .map(normalize_untrusted_str)
        .collect::<Vec<_>>()
        .join("\n")
}

/// [`clean`], on one line.
fn one_line(s: &str) -> String {
    normalize_untrusted_str(&s.replace("\r\n", " ").replace('\n', " "))
}
