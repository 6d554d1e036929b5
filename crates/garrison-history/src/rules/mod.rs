//! Contribution-risk signals: one file per rule, listed in [`crate::registry`].
//!
//! A signal looks at one commit in its context (how it landed, what was known about its author
//! at the time) and adds [`Evidence`]. Evidence is either a *change* signal (what the commit
//! does: rewrites a binary fixture, hides a build input, weakens a security policy) with an
//! additive weight, or a *context* signal (who did it and how: self-committed, recent rights)
//! with a multiplier that applies only when the commit also carries change evidence. See
//! [`crate::risk`] for how weights are calibrated on the repository's own history and combined.

use garrison_report::RuleMeta;

use crate::classify::{PathClass, classify};
use crate::content::ContentHit;
use crate::landing::{Landing, LandingKind};
use crate::people::AuthorState;
use crate::{ChangeKind, Commit, FileChange};

pub mod anomalous_commit;
pub mod campaign;

/// Declares the signals: each line names a rule file of this directory (its module) and
/// registers its `Rule` in [`SIGNALS`], so adding a signal is one rule file and one line.
macro_rules! signals {
    ($($module:ident),* $(,)?) => {
        $(pub mod $module;)*

        /// Every signal, change signals first, then context signals (re-exported as
        /// [`crate::registry::SIGNALS`]).
        pub static SIGNALS: &[&dyn Signal] = &[$(&$module::Rule),*];
    };
}

signals! {
    binary_fixture_rewrite,
    opaque_blob_added,
    unreferenced_opaque_file,
    ignore_rules_change,
    build_system_change,
    ci_workflow_change,
    security_policy_change,
    obfuscated_code,
    trojan_source,
    c_hooking,
    exfiltration,
    dependency_source,
    new_runtime_dependency,
    self_committed,
    recent_rights,
    new_contributor,
    unusual_time,
}

/// Is the evidence about what changed, or about who changed it and how?
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Additive weight.
    Change,
    /// Multiplier applied when the commit has change evidence.
    Context,
}

/// One fact that contributes to a commit's risk score.
#[derive(Debug, Clone)]
pub struct Evidence {
    /// The rule that produced it.
    pub rule: &'static RuleMeta,
    /// Change or context.
    pub role: Role,
    /// Additive weight (change) or multiplier (context), before calibration.
    pub weight: f64,
    /// One line, specific to this commit.
    pub message: String,
    /// The file it concerns, if any.
    pub path: Option<String>,
    /// 1-based line in that file (at this commit), if known.
    pub line: Option<u32>,
    /// The file no longer exists at the tip of the mined history (its newest change there
    /// deletes it): findings point at the commit, not at the path. Set by the analysis.
    pub deleted_since: bool,
    /// A sub-kind (`feature-probe`, `added`), so calibration tells routine variants of a rule
    /// from rare ones.
    pub kind: &'static str,
    /// The commit is reported at this severity at least, whatever its score (a change that is
    /// serious on its own, such as a security policy losing its reporting channel).
    pub floor: Option<garrison_report::Severity>,
}

impl Evidence {
    /// Change evidence.
    pub fn change(rule: &'static RuleMeta, weight: f64, message: impl Into<String>) -> Evidence {
        Evidence {
            rule,
            role: Role::Change,
            weight,
            message: message.into(),
            path: None,
            line: None,
            deleted_since: false,
            kind: "",
            floor: None,
        }
    }

    /// Context evidence (a multiplier).
    pub fn context(rule: &'static RuleMeta, factor: f64, message: impl Into<String>) -> Evidence {
        Evidence {
            rule,
            role: Role::Context,
            weight: factor,
            message: message.into(),
            path: None,
            line: None,
            deleted_since: false,
            kind: "",
            floor: None,
        }
    }

    /// Set the sub-kind.
    pub fn kind(mut self, kind: &'static str) -> Evidence {
        self.kind = kind;
        self
    }

    /// Report the commit at `severity` at least (see [`Evidence::floor`]).
    pub fn at_least(mut self, severity: garrison_report::Severity) -> Evidence {
        self.floor = Some(severity);
        self
    }

    /// Point at a file.
    pub fn at(mut self, path: &str, line: Option<u32>) -> Evidence {
        self.path = Some(path.to_string());
        self.line = line;
        self
    }
}

/// Everything a signal may look at for one commit.
pub struct CommitCx<'a> {
    /// The commit.
    pub commit: &'a Commit,
    /// How it landed.
    pub landing: &'a Landing,
    /// The author's state just before this commit.
    pub author: &'a AuthorState,
    /// The author's display label.
    pub author_label: &'a str,
    /// The commit is part of a range under review (not landed yet).
    pub pending: bool,
    /// Whoever landed it is the author (pushed their own work, or merged their own branch).
    pub self_landed: bool,
}

impl CommitCx<'_> {
    /// Short id (10 hex digits).
    pub fn short(&self) -> &str {
        self.commit.id.get(..10).unwrap_or(&self.commit.id)
    }

    /// Does the commit touch any sensitive path (see [`is_sensitive`])?
    pub fn touches_sensitive(&self) -> bool {
        self.commit.files.iter().any(|f| is_sensitive(&f.path))
    }

    /// Was it landed without a second person (pushed directly or self-merged)?
    pub fn unreviewed(&self) -> bool {
        self.self_landed && matches!(self.landing.kind, LandingKind::Direct | LandingKind::Merge)
    }
}

/// A contribution-risk signal.
pub trait Signal: Sync {
    /// The rule's metadata.
    fn meta(&self) -> &'static RuleMeta;
    /// Add evidence for one commit.
    fn check(&self, cx: &CommitCx<'_>, out: &mut Vec<Evidence>);
    /// The rule's own content detector, when the signals of [`crate::content`] do not cover what
    /// it looks for: run on every changed text file while mining, its hits reach
    /// [`Signal::check`] in [`FileChange::hits`](garrison_git::FileChange::hits).
    fn detector(&self) -> Option<&dyn crate::content::Detector> {
        None
    }
}

// ---- path helpers shared by the rules (thin names over `crate::classify`) ----

/// Entries kept by the per-thread classification memo before it is cleared.
const MEMO_LIMIT: usize = 200_000;

thread_local! {
    static CLASS_MEMO: std::cell::RefCell<std::collections::HashMap<String, PathClass>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

/// [`classify`] with a per-thread memo: the same paths change again and again over a history,
/// and every rule asks about them.
pub fn class_of(path: &str) -> PathClass {
    CLASS_MEMO.with(|m| {
        if let Some(c) = m.borrow().get(path) {
            return *c;
        }
        let c = classify(path);
        let mut m = m.borrow_mut();
        if m.len() >= MEMO_LIMIT {
            m.clear();
        }
        m.insert(path.to_string(), c);
        c
    })
}

/// Build-system inputs: CMake, autotools, meson, setuptools/pyproject, scikit-build, Cython
/// build config, make ([`PathClass::BUILD_SYSTEM`]).
pub fn is_build_file(path: &str) -> bool {
    class_of(path).contains(PathClass::BUILD_SYSTEM)
}

/// CI and release automation ([`PathClass::CI`]).
pub fn is_ci_file(path: &str) -> bool {
    class_of(path).contains(PathClass::CI)
}

/// A workflow whose name says it builds or publishes releases ([`PathClass::RELEASE`]).
pub fn is_release_workflow(path: &str) -> bool {
    class_of(path).contains(PathClass::RELEASE)
}

/// Security policy files ([`PathClass::SECURITY_POLICY`]).
pub fn is_security_policy(path: &str) -> bool {
    class_of(path).contains(PathClass::SECURITY_POLICY)
}

/// `.gitignore` / `.gitattributes` at any depth ([`PathClass::IGNORE_RULES`]).
pub fn is_ignore_rules(path: &str) -> bool {
    class_of(path).contains(PathClass::IGNORE_RULES)
}

/// Paths whose change deserves a second look on its own: build system, CI, security policy,
/// ignore rules, ownership.
pub fn is_sensitive(path: &str) -> bool {
    class_of(path).intersects(
        PathClass::BUILD_SYSTEM
            | PathClass::CI
            | PathClass::SECURITY_POLICY
            | PathClass::IGNORE_RULES
            | PathClass::OWNERSHIP,
    )
}

/// Test paths ([`PathClass::TEST_PATH`]).
pub fn is_test_path(path: &str) -> bool {
    class_of(path).contains(PathClass::TEST_PATH)
}

/// Documentation paths ([`PathClass::DOCS`]).
pub fn is_docs_path(path: &str) -> bool {
    class_of(path).contains(PathClass::DOCS)
}

/// Data formats scientific projects commit routinely for tests and examples.
pub fn is_scientific_data(path: &str) -> bool {
    crate::classify::is_scientific_data(path)
}

/// Opaque containers and executables: compressed streams, archives, native code, pickles.
pub fn is_opaque_type(path: &str) -> bool {
    crate::classify::is_opaque_extension(path)
}

/// A binary or opaque file change (git's NUL rule, or an opaque container type).
pub fn is_opaque_change(f: &FileChange) -> bool {
    f.kind != ChangeKind::Deleted && (f.binary || is_opaque_type(&f.path))
}

/// The strongest content hit of a commit under `weigh` (weight and sub-kind, or None to skip
/// the hit), as change evidence pointing at its file and line; the message quotes the line and
/// counts the other hits.
pub fn best_hit(
    cx: &CommitCx<'_>,
    rule: &'static RuleMeta,
    weigh: impl Fn(&FileChange, &ContentHit) -> Option<(f64, &'static str)>,
) -> Option<Evidence> {
    let mut best: Option<(f64, &'static str, &FileChange, &ContentHit)> = None;
    let mut n = 0usize;
    for f in &cx.commit.files {
        for h in &f.hits {
            if let Some((w, kind)) = weigh(f, h) {
                n += 1;
                if best.is_none_or(|(bw, ..)| w > bw) {
                    best = Some((w, kind, f, h));
                }
            }
        }
    }
    let (w, kind, f, h) = best?;
    let side = if h.removed { "removed" } else { "added" };
    let mut msg = format!(
        "{} ({side} line {} of {}): `{}`",
        h.kind.description(),
        h.line,
        f.path,
        h.excerpt
    );
    if !h.detail.is_empty() {
        msg.push_str(&format!(" — {}", h.detail));
    }
    if n > 1 {
        msg.push_str(&format!(" (and {} more)", n - 1));
    }
    Some(
        Evidence::change(rule, w, msg)
            .at(&f.path, (!h.removed).then_some(h.line))
            .kind(kind),
    )
}

/// At least 4× the median size of the other files in its directory, and 8 KiB more.
pub fn much_larger_than_siblings(f: &FileChange) -> bool {
    match (f.new_size, f.sibling_median_size) {
        (Some(n), Some(m)) if f.siblings >= 2 => n >= m.saturating_mul(4) && n >= m + 8192,
        _ => false,
    }
}

/// Human-readable byte size.
pub fn human_size(n: u64) -> String {
    if n >= 1 << 20 {
        format!("{:.1} MiB", n as f64 / f64::from(1u32 << 20))
    } else if n >= 1 << 10 {
        format!("{:.1} KiB", n as f64 / 1024.0)
    } else {
        format!("{n} B")
    }
}

pub use garrison_source::time::date;

/// Days between two unix times (rounded down, never negative).
pub fn days(from: i64, to: i64) -> i64 {
    garrison_source::time::days_between(from, to)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(date(0), "1970-01-01");
        assert_eq!(date(1_711_929_600), "2024-04-01");
        assert_eq!(date(951_782_400), "2000-02-29");
    }

    #[test]
    fn path_kinds() {
        assert!(is_build_file("m4/build-to-host.m4"));
        assert!(is_build_file("CMakeLists.txt"));
        assert!(is_build_file("numpy/meson.build"));
        assert!(!is_build_file("numpy/core/src/multiarray.c"));
        assert!(is_ci_file(".github/workflows/wheels.yml"));
        assert!(is_release_workflow(".github/workflows/wheels.yml"));
        assert!(!is_release_workflow(".github/workflows/linux.yml"));
        assert!(is_security_policy(".github/SECURITY.md"));
        assert!(is_test_path("tests/files/good-1.xz"));
        assert!(is_test_path("numpy/lib/tests/data/x.npy"));
        assert!(!is_test_path("numpy/lib/latest.py"));
        assert!(is_opaque_type("tests/files/bad-3-corrupt_lzma2.xz"));
        assert!(is_scientific_data("astropy/io/fits/tests/data/test0.fits"));
    }
}
