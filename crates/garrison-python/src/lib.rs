//! Python packaging knowledge for Garrison.
//!
//! - [`pep440`]: versions and specifiers (uv's implementation behind one adapter; OSV ranges
//!   are evaluated by version *ordering*, never by turning them into specifiers).
//! - [`name`]: normalized package names (PEP 503).
//! - [`deps`]: the common model every reader produces: [`Dependency`] with its exact origin.
//! - readers, one module per format, each `pub fn parse(path: &str, text: &str) -> Manifest`.

pub mod deps;
pub mod name;
pub mod pep440;

pub use deps::{DepKind, Dependency, Ecosystem, Format, Manifest, VersionRef};
pub use name::PackageName;
