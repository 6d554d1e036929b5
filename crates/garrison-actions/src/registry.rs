//! Every workflow audit, in one list. Adding an audit adds one line here.

use crate::Audit;
use crate::rules;

/// All audits, in documentation order.
pub static AUDITS: &[&dyn Audit] = &[
    &rules::insecure_commands::InsecureCommands,
    &rules::template_injection::TemplateInjection,
    &rules::github_env_injection::GithubEnvInjection,
    &rules::dangerous_trigger::DangerousTrigger,
    &rules::privileged_chain::PrivilegedChain,
    &rules::self_hosted_runner::SelfHostedRunner,
    &rules::bot_condition::BotCondition,
];
