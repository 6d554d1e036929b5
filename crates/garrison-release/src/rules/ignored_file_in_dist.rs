use garrison_report::declare_rule;

use super::SPEC8;

declare_rule! {
    /// ## What it checks
    /// A file in the distribution that is not in the source tree *and* that the repository's
    /// own `.gitignore` rules exclude. The finding quotes the rule (file, line, pattern) and
    /// points at it. Generated files that a backend writes with a recognisable shape (a
    /// `_version.py` with only version assignments, `*.egg-info/`, Cython output beside its
    /// `.pyx`) are allowed first; an ignored path never makes a file acceptable by itself.
    ///
    /// ## Why it matters
    /// This is the XZ Utils shape. The repository listed `m4/build-to-host.m4` as a generated,
    /// ignored file, so no diff ever showed it, and "generated files are allowed" lists would
    /// have passed it; the release tarball carried a doctored copy that injected the backdoor
    /// at build time. An ignored path is the one place in a release nobody reviews.
    ///
    /// ## Example
    /// `m4/build-to-host.m4` is in `xz-5.6.0.tar.gz`; `.gitignore` line 12 (`/m4/*.m4`) keeps it
    /// out of the repository.
    ///
    /// ## Remediation
    /// Treat the release as compromised until the file is explained. Regenerate it from the
    /// tagged source in a clean CI build and compare; ship only what the build produces from
    /// committed inputs.
    pub IgnoredFileInDist {
        id: "release/ignored-file-in-dist",
        summary: "distribution carries a file the repository's .gitignore hides",
        severity: Critical,
        help: "treat the release as compromised until the file is explained; rebuild from the tag in CI and compare",
        references: [SPEC8, "https://research.swtch.com/xz-script"],
    }
}
