//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use garrison_report::{Confidence, Severity};

/// Garrison: security for the Scientific Python ecosystem.
///
/// Audits GitHub Actions workflows and SPEC 6/8 repository posture, offline, in milliseconds.
/// Exit codes: 0 no findings at or above the threshold, 1 findings, 2 usage or input error.
#[derive(Debug, Parser)]
#[command(name = "garrison", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Everything that applies to a checkout: workflow audits and SPEC 6/8 posture.
    Scan(ScanArgs),
    /// GitHub Actions workflow audits only (fast; for pre-commit and CI).
    Actions(ScanArgs),
    /// SPEC 6 / SPEC 8 repository posture checks only.
    Posture(ScanArgs),
    /// List rules, or print one rule's documentation.
    Rules(RulesArgs),
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Human-readable, grouped by file, with source snippets.
    Text,
    /// Versioned JSON (docs/json-format.md).
    Json,
    /// SARIF 2.1.0 for GitHub code scanning.
    Sarif,
    /// Markdown, for pull-request comments.
    Markdown,
}

/// When to colour text output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// When writing to a terminal and NO_COLOR is unset.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// Arguments shared by the scanning commands.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// The repository checkout to scan (or a single workflow file for `actions`).
    #[arg(default_value = ".")]
    pub path: PathBuf,

    #[command(flatten)]
    pub output: OutputArgs,

    /// Only run these rules (ids, families like `workflow`, or bare names); repeatable.
    #[arg(long, value_delimiter = ',')]
    pub select: Vec<String>,

    /// Do not report these rules (ids, families or bare names); repeatable.
    #[arg(long, value_delimiter = ',')]
    pub ignore: Vec<String>,

    /// Report only findings at or above this severity.
    #[arg(long, value_name = "SEVERITY")]
    pub min_severity: Option<Severity>,

    /// Report only findings at or above this confidence.
    #[arg(long, value_name = "CONFIDENCE")]
    pub min_confidence: Option<Confidence>,

    /// Exit with 1 when a reported finding is at or above this severity [default: low].
    #[arg(long, value_name = "SEVERITY")]
    pub fail_on: Option<Severity>,

    /// Hide findings recorded in this baseline file (matched by fingerprint).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Record every current finding in this baseline file and exit 0.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,

    /// Configuration file (default: garrison.toml, or [tool.garrison] in pyproject.toml, in PATH).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Ignore configuration files.
    #[arg(long)]
    pub isolated: bool,
}

/// Output options.
#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,

    /// Write the report to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Colour in text output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

/// `garrison rules`.
#[derive(Debug, Args)]
pub struct RulesArgs {
    /// A rule id (or bare name) to document; all rules are listed when absent.
    pub rule: Option<String>,

    /// Output format for the list: text, json or markdown (the full documentation of every rule).
    #[arg(long, short = 'f', value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
}
