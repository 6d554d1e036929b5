//! json renderer
use crate::report::Report;
/// Renders the report.
pub fn render(report: &Report) -> String { let _ = report; String::new() }
