use garrison_report::{RuleMeta, declare_rule};

use super::{CommitCx, Evidence, Signal, best_hit, is_build_file};
use crate::ChangeKind;
use crate::content::{ContentHit, HitKind};

/// Weight and sub-kind of a build-system content hit (None: routine, not evidence).
fn weigh(h: &ContentHit) -> Option<(f64, &'static str)> {
    let d = h.detail.as_str();
    let weak = d.contains("(weak)") || (d.starts_with("weak") && !d.starts_with("weakened"));
    match h.kind {
        HitKind::FEATURE_PROBE_CHANGED if d.contains("stray") => Some((7.0, "probe-stray-dot")),
        HitKind::FEATURE_PROBE_CHANGED if d.contains("source changed") => {
            Some((4.0, "probe-source"))
        }
        HitKind::FEATURE_PROBE_CHANGED if d.contains("call line changed") => {
            Some((2.0, "probe-call"))
        }
        HitKind::FEATURE_PROBE_CHANGED => Some((0.5, "probe-added-removed")),
        HitKind::HARDENING_FLAG_CHANGED if d.starts_with("weakened") => {
            Some((if weak { 1.0 } else { 4.0 }, "hardening-weakened"))
        }
        HitKind::SANDBOX_CHANGED if h.removed => Some((5.0, "sandbox-removed")),
        HitKind::SANDBOX_CHANGED => Some((1.5, "sandbox-changed")),
        HitKind::BUILD_HOOK_ADDED if weak => Some((0.3, "hook-weak")),
        HitKind::BUILD_HOOK_ADDED if d.contains("[install time]") => Some((3.0, "hook-install")),
        HitKind::BUILD_HOOK_ADDED if d.contains("[build step]") => Some((1.0, "hook-build-step")),
        HitKind::BUILD_HOOK_ADDED => Some((2.0, "hook")),
        HitKind::BUILD_TIME_PROCESS if d.ends_with(": git") => Some((0.3, "process-git")),
        HitKind::BUILD_TIME_PROCESS if d.ends_with(": python") => Some((0.5, "process-python")),
        HitKind::BUILD_TIME_PROCESS => Some((1.5, "process")),
        HitKind::TEST_DISABLED => Some((0.75, "test-disabled")),
        _ => None,
    }
}

declare_rule! {
    /// ## What it checks
    /// Changes to the build system — CMake, autotools (`configure.ac`, `*.m4`, `Makefile.am`),
    /// meson, setuptools (`setup.py`, `setup.cfg`), `pyproject.toml` build backends and hooks,
    /// scikit-build, Cython build config — and, from the diff, what they touch: feature probes
    /// (`check_c_source_compiles`, `AC_COMPILE_IFELSE`, `cc.compiles`), compiler and linker
    /// hardening flags (`-fstack-protector`, `_FORTIFY_SOURCE`, `-z relro`), sandboxing
    /// (Landlock, seccomp, pledge), and code that runs at build time (custom build hooks,
    /// `subprocess` or network calls in `setup.py`). A new `.m4` macro or build script weighs
    /// more than an edit of an existing one.
    ///
    /// ## Why it matters
    /// The build system runs with the builder's privileges and decides what ends up in the
    /// artifact. In XZ Utils a single `.` inside a CMake feature probe made the Landlock check
    /// always fail, silently disabling the sandbox, and a modified `.m4` macro injected the
    /// backdoor at build time.
    ///
    /// ## Example
    /// A commit editing the C snippet inside `check_c_source_compiles(...)` in
    /// `CMakeLists.txt`, or adding `cmdclass={"build_py": ...}` that downloads a file.
    ///
    /// ## Remediation
    /// Review build-system diffs line by line; run the feature probe by hand and check it still
    /// succeeds; keep hardening flags and sandboxing on; require CODEOWNERS review for build
    /// files.
    pub BuildSystemChange {
        id: "history/build-system-change",
        summary: "build system changed (feature probes, hardening, sandboxing, build-time code)",
        severity: Low,
        help: "review the build-system diff line by line; re-run changed feature probes by hand",
        references: [
            "XZ Utils backdoor (CVE-2024-3094): https://research.swtch.com/xz-timeline",
            "SPEC 8, \"Securing the Release Process\": https://scientific-python.org/specs/spec-0008/",
        ],
    }
}

/// See [`BuildSystemChange`].
pub struct Rule;

impl Signal for Rule {
    fn meta(&self) -> &'static RuleMeta {
        &BuildSystemChange::META
    }

    fn check(&self, cx: &CommitCx<'_>, out: &mut Vec<Evidence>) {
        let c = cx.commit;
        if c.is_merge || c.parents.is_empty() {
            return;
        }
        // Flags and probes in CI jobs configure test builds, not the shipped artifact: half.
        let scored = |f: &crate::FileChange, h: &ContentHit| {
            let ci = super::is_ci_file(&f.path) && !is_build_file(&f.path);
            weigh(h).map(|(w, k)| (if ci { w / 2.0 } else { w }, k))
        };
        if let Some(e) = best_hit(cx, &BuildSystemChange::META, scored) {
            out.push(e);
        }
        let build: Vec<_> = c.files.iter().filter(|f| is_build_file(&f.path)).collect();
        let Some(first) = build.first() else { return };
        let added = build.iter().find(|f| f.kind == ChangeKind::Added);
        let (w, f, verb) = match added {
            Some(a) => (0.75, a, "adds build file"),
            None => (0.25, first, "changes build file"),
        };
        out.push(
            Evidence::change(
                &BuildSystemChange::META,
                w,
                format!("{verb} {} (+{} -{})", f.path, f.added, f.removed),
            )
            .at(&f.path, None),
        );
    }
}
