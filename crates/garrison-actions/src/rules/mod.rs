//! One module per rule.

pub mod bot_condition;
pub mod cache_poisoning;
pub mod credential_persistence;
pub mod dangerous_trigger;
pub mod dependabot_insecure_external_code_execution;
pub mod dependabot_missing_github_actions;
pub mod excessive_permissions;
pub mod github_env_injection;
pub mod hardcoded_credential;
pub mod insecure_commands;
pub mod missing_permissions;
pub mod privileged_chain;
pub mod publish_trigger;
pub mod publish_without_environment;
pub mod pypi_token;
pub mod secrets_exfiltration;
pub mod secrets_inherit;
pub mod self_hosted_runner;
pub mod template_injection;
pub mod unpinned_image;
pub mod unpinned_uses;
