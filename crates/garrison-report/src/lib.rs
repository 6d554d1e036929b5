//! Garrison's foundation: every analysis answers with [`Finding`]s and every output renders them.
//!
//! - [`finding`]: [`Finding`], [`Severity`], [`Confidence`], [`Location`], fingerprints.
//! - [`rule`]: [`RuleMeta`], the one place a rule's documentation lives.
//! - [`config`]: `[tool.garrison]` / `garrison.toml`, inline suppressions, baselines.
//! - [`render`]: text, JSON, SARIF and Markdown renderers.

pub mod config;
pub mod finding;
pub mod not_evaluated;
pub mod render;
pub mod report;
pub mod rule;
pub mod source;
pub mod wildcard;

pub use finding::{Confidence, Evidence, Finding, FindingBuilder, Location, Severity, Span};
pub use report::{FileError, Report};
pub use rule::RuleMeta;
pub use source::{SourceFile, SourceMap};
