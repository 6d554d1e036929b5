//! One module per rule.

pub mod bot_condition;
pub mod dangerous_trigger;
pub mod github_env_injection;
pub mod insecure_commands;
pub mod privileged_chain;
pub mod self_hosted_runner;
pub mod template_injection;
