use garrison_report::declare_rule;

use super::PEP621;

declare_rule! {
    /// ## What it checks
    /// The distribution's core metadata (`METADATA` in a wheel, `PKG-INFO` in an sdist)
    /// against `pyproject.toml`'s `[project]` table at the release tag: the name, the version
    /// (the declared one, or the tag's when the version is `dynamic`), `Requires-Python`, and
    /// every `Requires-Dist` (name, extra and specifiers; markers other than `extra` are not
    /// compared). A dependency the distribution requires but the project does not declare, or
    /// declares with other specifiers, is high; a declared dependency the metadata lacks, a
    /// version or `Requires-Python` difference is medium. Fields listed in `dynamic` are not
    /// compared.
    ///
    /// ## Why it matters
    /// Installers act on the metadata, not on `pyproject.toml`: a build that adds a
    /// dependency (a typo-squat, an attacker's package) or loosens a pin changes what every
    /// user installs, without a change anyone reviewed.
    ///
    /// ## Example
    /// `sci_pkg-1.2.0.dist-info/METADATA` has `Requires-Dist: evil-helper>=0.1`, which
    /// `pyproject.toml` does not declare.
    ///
    /// ## Remediation
    /// Rebuild from the tag and compare the metadata; find the build step that changed it.
    pub MetadataMismatch {
        id: "release/metadata-mismatch",
        summary: "distribution metadata disagrees with pyproject.toml",
        severity: High,
        help: "rebuild from the tag and compare the metadata; a build must not add or loosen dependencies",
        references: [PEP621, "https://packaging.python.org/en/latest/specifications/core-metadata/"],
    }
}
