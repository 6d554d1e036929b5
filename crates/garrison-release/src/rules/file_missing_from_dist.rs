use garrison_report::declare_rule;

declare_rule! {
    /// ## What it checks
    /// Source modules (`.py`, and for sdists also `.pyx`, `.pxd`, `.c`, `.h`, `.cpp`) in a
    /// package directory (one with `__init__.py`, outside `tests/`, `docs/`, `benchmarks/`)
    /// that the distribution ships, but not in the distribution. One finding per directory.
    /// For wheels only Python modules inside the installed packages count. Repository tooling
    /// (`noxfile.py`) and test helpers that sdists routinely leave out are not reported.
    ///
    /// ## Why it matters
    /// Usually a packaging slip (a `MANIFEST.in` or `exclude` pattern too broad), which breaks
    /// imports for users. It can also hide a change: dropping a module that performs a check
    /// (XZ Utils' sabotaged Landlock test silently disabled a sandbox) is invisible in the
    /// artifact.
    ///
    /// ## Example
    /// `src/sci_pkg/validate.py` is in the tag but not in the wheel, which ships
    /// `src/sci_pkg/`.
    ///
    /// ## Remediation
    /// Check the build's include/exclude configuration; if the omission is deliberate, ignore
    /// the finding for that path with a reason.
    pub FileMissingFromDist {
        id: "release/file-missing-from-dist",
        summary: "source module missing from the distribution",
        severity: Low,
        help: "check the build's include/exclude configuration; ignore the path with a reason if the omission is deliberate",
        references: ["https://packaging.python.org/en/latest/guides/using-manifest-in/"],
    }
}
