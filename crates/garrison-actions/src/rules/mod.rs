//! Every workflow rule: one file each, registered by one line of the list below, which
//! declares the rule's module and adds its audit to [`AUDITS`] (in documentation order).

/// Declares each rule module and lists its audit in [`AUDITS`].
macro_rules! audits {
    ($($module:ident::$audit:ident),* $(,)?) => {
        $(pub mod $module;)*

        /// All audits, in documentation order.
        pub static AUDITS: &[&dyn crate::Audit] = &[$(&$module::$audit),*];
    };
}

audits! {
    insecure_commands::InsecureCommands,
    unpinned_uses::UnpinnedUses,
    unpinned_image::UnpinnedImage,
    missing_permissions::MissingPermissions,
    excessive_permissions::ExcessivePermissions,
    pypi_token::PypiToken,
    publish_without_environment::PublishWithoutEnvironment,
    publish_trigger::PublishTrigger,
    template_injection::TemplateInjection,
    cache_poisoning::CachePoisoning,
    credential_persistence::CredentialPersistence,
    secrets_inherit::SecretsInherit,
    secrets_exfiltration::SecretsExfiltration,
    remote_script::RemoteScript,
    hardcoded_credential::HardcodedCredential,
    dependabot_missing_github_actions::DependabotMissingGithubActions,
    dependabot_insecure_external_code_execution::DependabotInsecureExternalCodeExecution,
    github_env_injection::GithubEnvInjection,
    dangerous_trigger::DangerousTrigger,
    privileged_chain::PrivilegedChain,
    self_hosted_runner::SelfHostedRunner,
    bot_condition::BotCondition,
    unredacted_secrets::UnredactedSecrets,
}
