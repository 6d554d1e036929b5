//! The repository-calibrated anomaly model's rule (evidence comes from [`crate::risk`]).

use garrison_report::declare_rule;

declare_rule! {
    /// ## What it checks
    /// How unusual a commit's shape is *for this repository*. An isolation forest is fitted on
    /// the repository's own non-merge commits over features such as files and lines changed,
    /// binary files and bytes, sensitive areas touched, the author's tenure and commit count,
    /// and whether the hour and UTC offset are usual for the author. Commits the forest
    /// isolates quickly score high; the evidence names the features that are furthest from the
    /// repository's median (in robust z-scores, median and MAD). The score scales the commit's
    /// other evidence between ×0.8 and ×1.3 and never fires alone above `low`.
    ///
    /// ## Why it matters
    /// What is routine differs between projects: numpy changes meson files every week, a small
    /// library almost never. A model fitted on the repository's own history keeps routine
    /// changes quiet where they are routine and lets rare ones stand out.
    ///
    /// ## Example
    /// A commit by a two-month-old contributor that adds three binary files and edits a build
    /// script, in a repository where commits are usually small text changes by long-time
    /// maintainers.
    ///
    /// ## Remediation
    /// Read the other evidence of the commit; the anomaly score says where to look first, not
    /// what is wrong.
    pub AnomalousCommit {
        id: "history/anomalous-commit",
        summary: "commit unusual for this repository (isolation forest on its own history)",
        severity: Low,
        help: "read the commit's other evidence; the anomaly score only ranks where to look first",
        references: [
            "Liu, Ting, Zhou: Isolation Forest (ICDM 2008): https://doi.org/10.1109/ICDM.2008.17",
        ],
    }
}
