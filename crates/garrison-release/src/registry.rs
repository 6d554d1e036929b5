//! Every release rule, in one list. Adding a rule adds one line here.

use garrison_report::RuleMeta;

use crate::rules::{self, ReleaseRule};

/// All release rules, in documentation order.
pub static RULES: &[&dyn ReleaseRule] = &[
    &rules::unsafe_archive::UnsafeArchive,
    &rules::record_mismatch::RecordMismatch,
    &rules::record_missing_entry::RecordMissingEntry,
    &rules::record_stale_entry::RecordStaleEntry,
    &rules::dist_info_mismatch::DistInfoMismatch,
    &rules::file_not_in_source::FileNotInSource,
    &rules::ignored_file_in_dist::IgnoredFileInDist,
    &rules::content_differs::ContentDiffers,
    &rules::metadata_mismatch::MetadataMismatch,
    &rules::file_missing_from_dist::FileMissingFromDist,
    &rules::generated_file::GeneratedFile,
    &rules::hash_mismatch::HashMismatch,
    &rules::identity_mismatch::IdentityMismatch,
    &rules::unattested::Unattested,
    &rules::publisher_changed::PublisherChanged,
    &rules::dist_not_in_lock::DistNotInLock,
    &rules::dist_missing::DistMissing,
];

/// Metadata of every release rule.
pub fn rules() -> Vec<&'static RuleMeta> {
    RULES.iter().map(|r| r.meta()).collect()
}
