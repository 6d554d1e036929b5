//! One module per rule.

pub mod insecure_commands;
pub mod unpinned_image;
pub mod unpinned_uses;
