//! Test support shared by Garrison's crates; a dev-dependency only, never part of the binary.
//!
//! Modules are added as the crates' test harnesses move here: the fixture runner that checks
//! each rule's fixtures and snapshots its text and JSON output together, and builders of small
//! git repositories from commit scripts for the history rules.
pub mod cli;
pub mod fixtures;
pub mod require;
