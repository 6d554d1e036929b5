//! Every posture check, in one list. Adding a check adds one line here.

use crate::Check;
use crate::checks;

/// All checks, in documentation order.
pub static CHECKS: &[&dyn Check] = &[
    &checks::missing_security_policy::MissingSecurityPolicy,
    &checks::security_policy_no_private_channel::SecurityPolicyNoPrivateChannel,
    &checks::missing_codeowners::MissingCodeowners,
    &checks::codeowners_gaps::CodeownersGaps,
    &checks::no_dependency_updates::NoDependencyUpdates,
    &checks::no_release_process_docs::NoReleaseProcessDocs,
    &checks::no_trusted_publishing::NoTrustedPublishing,
    &checks::no_build_provenance::NoBuildProvenance,
    &checks::unsigned_release_tags::UnsignedReleaseTags,
    &checks::binary_artifact::BinaryArtifact,
    &checks::unpinned_build_requires::UnpinnedBuildRequires,
    &checks::pre_commit_mutable_rev::PreCommitMutableRev,
    &checks::not_evaluated::NotEvaluated,
];
