use garrison_report::declare_rule;

use super::{BDIST_SPEC, RECORD_SPEC};

declare_rule! {
    /// ## What it checks
    /// Every row of a wheel's `*.dist-info/RECORD` against the file it names: the file's
    /// sha256 (or sha384/sha512 when RECORD uses those) must equal the recorded urlsafe-base64
    /// digest, and its size the recorded size. Rows with no hash or size (allowed only for
    /// `RECORD`, `RECORD.jws` and `RECORD.p7s`), weak algorithms (`md5`, `sha1`), malformed
    /// rows and paths listed twice are reported too. The finding names the member in its
    /// route and gives the expected and actual hash or size as evidence.
    ///
    /// ## Why it matters
    /// RECORD is the wheel's manifest: installers check it, and a file whose content no longer
    /// matches it was changed after the wheel was built — by a compromised build step, a
    /// tampered mirror or cache, or a hand edit that slipped a payload into a release.
    ///
    /// ## Example
    /// `pkg/__init__.py` is 120 bytes with `sha256=Qx…` in RECORD, but the wheel holds 164
    /// bytes whose digest is `sha256=7f…`.
    ///
    /// ## Remediation
    /// Do not publish or install the wheel. Rebuild it from the tagged source in CI, compare
    /// with the published file, and find out where the content changed.
    pub RecordMismatch {
        id: "release/record-mismatch",
        summary: "wheel file does not match its RECORD hash or size",
        severity: High,
        help: "do not install or publish this wheel; rebuild it from the tagged source and compare",
        references: [BDIST_SPEC, RECORD_SPEC],
    }
}
