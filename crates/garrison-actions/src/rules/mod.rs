//! One module per rule.

pub mod insecure_commands;
