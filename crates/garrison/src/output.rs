//! Output: the one module of the binary that writes to standard output and standard error, and
//! the one place a report becomes text and an exit code ([`finish`]). A leaf: it uses only the
//! argument types of garrison-cli, never another module of the binary.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context as _, Result};
use garrison_cli::{ColorChoice, OutputArgs, OutputFormat};
use garrison_report::config::{self, Baseline, Config};
use garrison_report::render::{self, Format};
use garrison_report::{Report, Severity};

/// Writes a line to standard error (the one place the binary does).
#[allow(clippy::print_stderr)]
pub fn eprintln(s: &str) {
    eprintln!("{s}");
}

/// Writes `text` to `path`, or to standard output.
pub fn write_output(path: Option<&Path>, text: &str) -> Result<()> {
    match path {
        Some(p) => std::fs::write(p, text).with_context(|| format!("cannot write {}", p.display())),
        None => {
            let mut out = std::io::stdout().lock();
            // A closed pipe (`garrison … | head`) is not an error.
            match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                r => r.context("cannot write to standard output"),
            }
        }
    }
}

/// The renderer for an output format.
pub fn format(f: OutputFormat) -> Format {
    match f {
        OutputFormat::Text => Format::Text,
        OutputFormat::Json => Format::Json,
        OutputFormat::Sarif => Format::Sarif,
        OutputFormat::Markdown => Format::Markdown,
    }
}

/// Whether text written to `path` (standard output when `None`) should be coloured.
pub fn use_color(choice: ColorChoice, path: Option<&Path>) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            path.is_none()
                && std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none()
        }
    }
}

/// How a command's report is written and judged.
pub struct Output<'a> {
    /// The format.
    pub format: OutputFormat,
    /// The file to write, or standard output.
    pub path: Option<&'a Path>,
    /// Colour for text output.
    pub color: ColorChoice,
    /// The exit threshold when neither the command line nor the configuration sets `fail-on`.
    pub default_fail_on: Severity,
    /// Whether files that could not be analysed make the run fail (exit 1).
    pub errors_fail: bool,
    /// Text printed before the text rendering (e.g. release verify's per-dist summary).
    pub header: String,
    /// A command's own text renderer (history's ranked commits), given the report after
    /// configuration and baseline were applied; the generic renderer otherwise.
    pub text: Option<&'a dyn Fn(&Report) -> String>,
    /// Sort findings by location first (history keeps its ranking instead).
    pub sort: bool,
    /// Record the reported findings in this baseline file instead of rendering, and exit 0.
    pub write_baseline: Option<&'a Path>,
}

impl<'a> Output<'a> {
    /// The usual output of a findings command: `args`, threshold low, unreadable files fail.
    pub fn of(args: &'a OutputArgs) -> Output<'a> {
        Output::new(args.format, args.output.as_deref(), args.color)
    }

    /// An output with the defaults of [`Output::of`].
    pub fn new(format: OutputFormat, path: Option<&'a Path>, color: ColorChoice) -> Output<'a> {
        Output {
            format,
            path,
            color,
            default_fail_on: Severity::Low,
            errors_fail: true,
            header: String::new(),
            text: None,
            sort: true,
            write_baseline: None,
        }
    }
}

/// The end of every findings command: sorts the report (unless the command ranks it), applies the configuration (selection,
/// ignores, inline suppressions, thresholds) and the baseline, renders it, writes it, and says
/// the exit code: 1 when a reported finding reaches the `fail-on` threshold (or, when
/// `errors_fail`, a file could not be analysed), else 0.
pub fn finish(
    mut report: Report,
    cfg: &Config,
    baseline: Option<&Baseline>,
    out: &Output<'_>,
) -> Result<ExitCode> {
    if out.sort {
        report.sort();
    }
    config::apply(&mut report, cfg, baseline);
    if let Some(path) = out.write_baseline {
        let b = Baseline::from_report(&report);
        std::fs::write(path, b.to_json())
            .with_context(|| format!("cannot write baseline {}", path.display()))?;
        let n = b.findings.len();
        eprintln(&format!(
            "garrison: recorded {n} finding{} in {}",
            if n == 1 { "" } else { "s" },
            path.display()
        ));
        return Ok(ExitCode::SUCCESS);
    }
    let rendered = match (out.format, out.text) {
        (OutputFormat::Text, Some(text)) => text(&report),
        (f, _) => render::render(&report, format(f), use_color(out.color, out.path)),
    };
    let rendered = if out.format == OutputFormat::Text && !out.header.is_empty() {
        format!("{}\n{rendered}", out.header)
    } else {
        rendered
    };
    write_output(out.path, &rendered)?;
    let threshold = cfg.fail_on.unwrap_or(out.default_fail_on);
    Ok(
        if report.fails(threshold) || (out.errors_fail && !report.errors.is_empty()) {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        },
    )
}
