//! Every release rule, in one list. Adding a rule adds one line here.

use garrison_report::RuleMeta;

use crate::rules;

/// All release rules, in documentation order.
pub static RULES: &[&RuleMeta] = &[
    &rules::unsafe_archive::UnsafeArchive::META,
    &rules::record_mismatch::RecordMismatch::META,
    &rules::record_missing_entry::RecordMissingEntry::META,
    &rules::record_stale_entry::RecordStaleEntry::META,
    &rules::dist_info_mismatch::DistInfoMismatch::META,
    &rules::file_not_in_source::FileNotInSource::META,
    &rules::ignored_file_in_dist::IgnoredFileInDist::META,
    &rules::content_differs::ContentDiffers::META,
    &rules::metadata_mismatch::MetadataMismatch::META,
    &rules::file_missing_from_dist::FileMissingFromDist::META,
    &rules::generated_file::GeneratedFile::META,
    &rules::hash_mismatch::HashMismatch::META,
    &rules::identity_mismatch::IdentityMismatch::META,
    &rules::unattested::Unattested::META,
    &rules::publisher_changed::PublisherChanged::META,
    &rules::dist_not_in_lock::DistNotInLock::META,
    &rules::dist_missing::DistMissing::META,
];

/// Metadata of every release rule.
pub fn rules() -> Vec<&'static RuleMeta> {
    RULES.to_vec()
}
