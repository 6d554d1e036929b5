//! Renderers: every output format renders the same [`crate::Report`]; [`rules`] lists rules.

pub mod json;
pub mod markdown;
pub mod rules;
pub mod sarif;
pub mod text;

use crate::report::Report;

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Human text, grouped by file, with source snippets.
    Text,
    /// Versioned JSON (see `docs/json-format.md`).
    Json,
    /// SARIF 2.1.0 for GitHub code scanning.
    Sarif,
    /// Markdown for pull-request comments.
    Markdown,
}

/// Renders `report` in `format`. `color` applies to text only.
pub fn render(report: &Report, format: Format, color: bool) -> String {
    match format {
        Format::Text => text::render(report, color),
        Format::Json => json::render(report),
        Format::Sarif => sarif::render(report),
        Format::Markdown => markdown::render(report),
    }
}
