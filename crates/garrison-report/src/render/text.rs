//! text renderer
use crate::report::Report;
/// Renders the report.
pub fn render(report: &Report, _color: bool) -> String { let _ = report; String::new() }
