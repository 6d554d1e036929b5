//! One file per posture check, registered by one line of the list below (which declares the
//! check's module and adds it to [`CHECKS`], in documentation order), plus the facts several
//! checks share.

use garrison_workspace::FileEntry;
use garrison_workspace::documents::SECURITY_POLICY;

use crate::Workspace;

/// Declares each check module and lists its check in [`CHECKS`].
macro_rules! checks {
    ($($module:ident::$check:ident),* $(,)?) => {
        $(pub mod $module;)*

        /// All checks, in documentation order.
        pub static CHECKS: &[&dyn crate::Check] = &[$(&$module::$check),*];
    };
}

checks! {
    missing_security_policy::MissingSecurityPolicy,
    security_policy_no_private_channel::SecurityPolicyNoPrivateChannel,
    missing_codeowners::MissingCodeowners,
    codeowners_gaps::CodeownersGaps,
    no_dependency_updates::NoDependencyUpdates,
    no_release_process_docs::NoReleaseProcessDocs,
    no_trusted_publishing::NoTrustedPublishing,
    no_build_provenance::NoBuildProvenance,
    unsigned_release_tags::UnsignedReleaseTags,
    binary_artifact::BinaryArtifact,
    unpinned_build_requires::UnpinnedBuildRequires,
    pre_commit_mutable_rev::PreCommitMutableRev,
    not_evaluated::NotEvaluated,
}

/// The path findings use for the repository as a whole.
pub const ROOT: &str = ".";

/// Security policy files GitHub shows: `SECURITY.md` (any case; `.md`, `.rst`, `.txt` or no
/// extension) at the root, in `.github/` or in `docs/`.
pub fn security_policies(ws: &Workspace) -> Vec<&FileEntry> {
    ws.find_named(&SECURITY_POLICY)
}
