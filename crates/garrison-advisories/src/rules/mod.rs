//! The `deps/*` rules, one file each: the declaration (id, severity, documentation) and the
//! logic that turns an entry and the advisory database into that rule's findings, through
//! [`DepsRule`]. [`crate::audit::audit`] walks the manifests and hands each entry, in order,
//! to every selected rule of [`crate::registry::RULES`].

use garrison_python::deps::{Dependency, Manifest, VersionRef};
use garrison_report::{Finding, Location, RuleMeta};

use crate::audit::Options;
use crate::db::Database;
use crate::matching::Evaluation;

pub mod known_vulnerability;
pub mod not_evaluated;
pub mod vulnerable_range;

/// A dependency rule; the defaults do nothing.
pub trait DepsRule: Sync {
    /// The rule's metadata.
    fn meta(&self) -> &'static RuleMeta;

    /// One PyPI entry whose marker may apply.
    fn dependency(&self, _cx: &DepCx<'_>, _out: &mut Vec<Finding>) {}

    /// A manifest, after its entries.
    fn manifest(&self, _m: &Manifest, _out: &mut Vec<Finding>) {}
}

/// One entry, with what the audit knows about it.
pub struct DepCx<'a> {
    /// The advisory database.
    pub db: &'a Database,
    /// The audit's options.
    pub opts: &'a Options,
    /// The entry.
    pub dep: &'a Dependency,
    /// For a locked or pinned entry: its version and the database's evaluation of it.
    pub locked: Option<(&'a VersionRef, Evaluation)>,
}

impl DepCx<'_> {
    /// Whether the entry is locked or pinned to a version.
    pub fn is_locked(&self) -> bool {
        self.locked.is_some()
    }
}

/// A version as written in messages.
pub(crate) fn shown(version: &VersionRef) -> String {
    match version {
        VersionRef::Pep440(v) => v.to_string(),
        VersionRef::Raw(r) => r.clone(),
    }
}

pub(crate) fn location(dep: &Dependency, note: String) -> Location {
    Location::span(dep.path.clone(), dep.span)
        .with_route(format!("{} > {}", dep.group, dep.name))
        .with_note(note)
}

pub(crate) fn truncate(s: &str, max: usize) -> String {
    let s = s.trim();
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut t: String = s.chars().take(max).collect();
    t.push('…');
    t
}
