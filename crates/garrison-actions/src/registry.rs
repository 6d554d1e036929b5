//! Every workflow audit, in one list. Adding an audit adds one line here.

use crate::Audit;
use crate::rules;

/// All audits, in documentation order.
pub static AUDITS: &[&dyn Audit] = &[
    &rules::insecure_commands::InsecureCommands,
    &rules::unpinned_uses::UnpinnedUses,
    &rules::unpinned_image::UnpinnedImage,
    &rules::missing_permissions::MissingPermissions,
    &rules::excessive_permissions::ExcessivePermissions,
    &rules::pypi_token::PypiToken,
    &rules::publish_without_environment::PublishWithoutEnvironment,
    &rules::publish_trigger::PublishTrigger,
    &rules::template_injection::TemplateInjection,
    &rules::cache_poisoning::CachePoisoning,
    &rules::credential_persistence::CredentialPersistence,
    &rules::secrets_inherit::SecretsInherit,
    &rules::secrets_exfiltration::SecretsExfiltration,
    &rules::hardcoded_credential::HardcodedCredential,
    &rules::dependabot_missing_github_actions::DependabotMissingGithubActions,
    &rules::dependabot_insecure_external_code_execution::DependabotInsecureExternalCodeExecution,
    &rules::github_env_injection::GithubEnvInjection,
    &rules::dangerous_trigger::DangerousTrigger,
    &rules::privileged_chain::PrivilegedChain,
    &rules::self_hosted_runner::SelfHostedRunner,
    &rules::bot_condition::BotCondition,
];
