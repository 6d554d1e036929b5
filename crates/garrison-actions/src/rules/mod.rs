//! One module per rule.

pub mod insecure_commands;
pub mod template_injection;
