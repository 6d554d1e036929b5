//! Garrison's foundation: every analysis answers with [`Finding`]s and every output renders them.
//!
//! - [`finding`]: [`Finding`], [`Severity`], [`Confidence`], [`Location`], fingerprints.
//! - [`rule`]: [`RuleMeta`], the one place a rule's documentation lives.
//! - [`config`]: `[tool.garrison]` / `garrison.toml`, inline suppressions, baselines.
//! - [`advisory_data`]: which advisory data a report used, stated by every renderer.
//! - [`render`]: text, JSON, SARIF and Markdown renderers.

pub mod advisory_data;
pub mod config;
pub mod finding;
pub mod not_evaluated;
pub mod registry;
pub mod render;
pub mod report;
pub mod rule;

pub use advisory_data::{AdvisoryData, AdvisorySource};
pub use finding::{Confidence, Evidence, Finding, FindingBuilder, Location, Severity};
pub use registry::Registry;
pub use report::Report;
pub use rule::RuleMeta;

// The ground types, re-exported so analyses that build findings need one import.
pub use garrison_source::file as source;
pub use garrison_source::{FileError, SourceFile, SourceMap, Span, wildcard};
