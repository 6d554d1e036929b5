use garrison_report::declare_rule;

use super::{BDIST_SPEC, PEP427};

declare_rule! {
    /// ## What it checks
    /// That a wheel's file name parses (`name-version[-build]-python-abi-platform.whl`),
    /// that it has exactly one `*.dist-info` directory whose name and version equal the file
    /// name's (names compared after PEP 503 normalization, versions after PEP 440
    /// normalization, as PEP 427 and PEP 491 escape them), that `METADATA` and `WHEEL` exist,
    /// and that METADATA's `Name` and `Version` agree with the file name.
    ///
    /// ## Why it matters
    /// pip refuses wheels whose dist-info does not match their name. A mismatch means the
    /// file was renamed or assembled by hand, and a wheel that claims one project while its
    /// metadata says another is a classic way to slip a look-alike package into a lock file.
    ///
    /// ## Example
    /// `requests-2.32.0-py3-none-any.whl` contains `reqeusts-2.32.0.dist-info/`.
    ///
    /// ## Remediation
    /// Rebuild the wheel with the project's build backend and publish it under the name and
    /// version its metadata declares.
    pub DistInfoMismatch {
        id: "release/dist-info-mismatch",
        summary: "wheel name, dist-info directory and METADATA disagree",
        severity: Medium,
        help: "rebuild the wheel with the build backend; its file name, dist-info directory and METADATA must agree",
        references: [PEP427, BDIST_SPEC],
    }
}
