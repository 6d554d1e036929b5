//! Facts about workflows that several audits share, one module per concern. Facts that other
//! analyses need too (triggers, publishing, OIDC, attacker-controlled contexts) live in
//! garrison-workflows.
//!
//! - [`taint`]: who chooses an interpolated value (sources, tainted `env:` and step outputs).
//! - [`checkout`]: steps that check out or run pull-request code, and values earlier steps
//!   derived from the pull request.
//! - [`shell`]: what `run:` scripts write to the runner's environment files and which shell
//!   variables they read.
//! - [`reach`]: what a job can do with its token and secrets.

pub mod checkout;
pub mod reach;
pub mod shell;
pub mod taint;
