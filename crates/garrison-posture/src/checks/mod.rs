//! One file per posture check, plus the facts several checks share.

pub mod binary_artifact;
pub mod codeowners_gaps;
pub mod missing_codeowners;
pub mod missing_security_policy;
pub mod no_build_provenance;
pub mod no_dependency_updates;
pub mod no_release_process_docs;
pub mod no_trusted_publishing;
pub mod not_evaluated;
pub mod pre_commit_mutable_rev;
pub mod security_policy_no_private_channel;
pub mod unpinned_build_requires;
pub mod unsigned_release_tags;

use garrison_workspace::FileEntry;
use garrison_workspace::documents::SECURITY_POLICY;

use crate::Workspace;

/// The path findings use for the repository as a whole.
pub const ROOT: &str = ".";

/// Security policy files GitHub shows: `SECURITY.md` (any case; `.md`, `.rst`, `.txt` or no
/// extension) at the root, in `.github/` or in `docs/`.
pub fn security_policies(ws: &Workspace) -> Vec<&FileEntry> {
    ws.find_named(&SECURITY_POLICY)
}
