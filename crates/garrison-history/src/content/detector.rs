//! Content detectors declared by rule files. A rule that needs a signal of its own in the
//! changed lines (see "Adding a history content rule" in `crates/README.md`) implements
//! [`Detector`] next to its weighing and returns it from
//! [`Signal::detector`](crate::rules::Signal::detector); its registry line is all the scan needs:
//! the keywords join the one keyword pass, [`Detector::applies`] joins the file's plan, and the
//! hits carry the rule's own [`HitKind`] (declared with [`KindMeta`]). Changing a rule file with a
//! detector changes the scanner's version, so cached hits are recomputed.

use crate::classify::{Lang, PathClass};

use super::HitKind;

/// The file a detector is asked about.
#[derive(Debug, Clone, Copy)]
pub struct FileInfo<'a> {
    /// `/`-separated path.
    pub path: &'a str,
    /// Its last component.
    pub name: &'a str,
    /// Its roles ([`crate::classify()`]).
    pub class: PathClass,
    /// Its content language (from the name, or a shebang).
    pub lang: Lang,
}

/// One added line (lines that only moved are not shown to detectors).
#[derive(Debug, Clone, Copy)]
pub struct AddedLine<'a> {
    /// 1-based line in the new file.
    pub no: u32,
    /// The line, without its line ending, cut to [`super::MAX_LINE_BYTES`].
    pub text: &'a [u8],
    /// Prose rather than code: a comment line (`#`, `//`, `;`), or in Python a comment, a
    /// doctest or a line inside a triple-quoted string.
    pub prose: bool,
}

/// A content detector of a rule file.
pub trait Detector: Sync {
    /// The kind of the hits it reports (its rule's own, [`HitKind::new`]).
    fn kind(&self) -> HitKind;

    /// Whether it reads this file at all.
    fn applies(&self, file: &FileInfo<'_>) -> bool;

    /// Keywords (ASCII, matched case-insensitively): only added lines holding one of them are
    /// shown to [`Detector::added_line`].
    fn keywords(&self) -> &'static [&'static str];

    /// What it finds in one added line, at most one hit: the byte offset the excerpt centres on
    /// and the detail naming the construct (what the rule weighs).
    fn added_line(&self, file: &FileInfo<'_>, line: &AddedLine<'_>) -> Option<(usize, String)>;
}
