use garrison_report::declare_rule;

use super::SPEC8;

declare_rule! {
    /// ## What it checks
    /// Nothing is wrong: this lists, per kind, the distribution files that are not identical
    /// to the source but are expected from the build, each with the generator and the reason
    /// it was allowed (`PKG-INFO`, `*.egg-info/`, version files with only version assignments,
    /// template output, compiled extensions, vendored libraries, wheel metadata, files from
    /// git submodules, line-ending-only changes). Every allowance is decided by content, never
    /// by name alone.
    ///
    /// ## Why it matters
    /// An allowance is a judgement: showing them lets a release manager see exactly what was
    /// not compared byte for byte (compiled extensions cannot be; submodule files live in
    /// other repositories).
    ///
    /// ## Example
    /// `1 file expected from setuptools-scm / hatch-vcs / pdm-backend / build script:
    /// src/sci_pkg/_version.py`.
    ///
    /// ## Remediation
    /// None needed. To verify compiled extensions, rebuild reproducibly and compare hashes.
    pub GeneratedFile {
        id: "release/generated-file",
        summary: "files expected from the build (allowed, with the reason)",
        severity: Info,
        help: "nothing to fix; these files are produced by the build and were checked by shape, not byte for byte",
        references: [SPEC8],
    }
}
