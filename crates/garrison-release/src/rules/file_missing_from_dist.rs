use std::collections::{BTreeMap, HashMap, HashSet};

use garrison_report::{Confidence, Finding, Location, RuleMeta, declare_rule};

use super::ReleaseRule;
use crate::source::{CompareCx, SourceEvent, ext_of, plural};

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

impl ReleaseRule for FileMissingFromDist {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn source(&self, cx: &CompareCx<'_>, event: &SourceEvent<'_>, out: &mut Vec<Finding>) {
        if let SourceEvent::Shipped {
            dirs,
            matched,
            prefixes,
        } = event
        {
            missing_from_dist(cx, dirs, matched, prefixes, out);
        }
    }
}

/// Source modules left out of package directories the distribution ships: one finding per
/// directory.
fn missing_from_dist(
    cx: &CompareCx<'_>,
    shipped_dirs: &HashMap<String, usize>,
    matched: &HashSet<String>,
    prefixes: &[&str],
    out: &mut Vec<Finding>,
) {
    let wheel = cx.wheel();
    let code = [".py", ".pyx", ".pxd", ".c", ".h", ".cpp"];
    let mut by_dir: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for p in cx.src.files.keys() {
        if matched.contains(p) || !code.contains(&ext_of(p)) {
            continue;
        }
        let (dir, _) = p.rsplit_once('/').unwrap_or(("", p));
        // Only directories the distribution ships files from, and for wheels only inside
        // mapped packages (C sources are not installed).
        if !shipped_dirs.contains_key(dir) {
            continue;
        }
        // Only importable code: a package directory (with `__init__.py`) outside test trees.
        // sdists routinely leave out the repository root's tooling (noxfile.py) and test
        // helpers.
        let in_tests = dir.split('/').any(|c| {
            matches!(
                c,
                "tests" | "test" | "testing" | "benchmarks" | "docs" | "doc"
            )
        });
        if in_tests || !cx.src.files.contains_key(&format!("{dir}/__init__.py")) {
            continue;
        }
        if wheel && (ext_of(p) != ".py" || !prefixes.iter().any(|pre| p.starts_with(pre))) {
            continue;
        }
        by_dir.entry(dir).or_default().push(p);
    }
    for (dir, files) in by_dir {
        let shown: Vec<&str> = files.iter().take(5).copied().collect();
        let more = if files.len() > 5 {
            format!(" and {} more", files.len() - 5)
        } else {
            String::new()
        };
        let dir_shown = if dir.is_empty() { "." } else { dir };
        let f = Finding::builder(&FileMissingFromDist::META)
            .confidence(Confidence::Medium)
            .message(format!(
                "{} of `{dir_shown}` in {} {} not in the distribution, which ships that directory: {}{more}",
                plural(files.len()),
                cx.src.label,
                if files.len() == 1 { "is" } else { "are" },
                shown.join(", ")
            ))
            .location(Location::file(cx.dist.filename.clone()).with_route(dir_shown.to_string()))
            .evidence("directory", dir_shown)
            .evidence("missing", files.iter().map(|s| s.to_string()).collect::<Vec<_>>())
            .key(dir_shown)
            .build();
        out.push(f);
    }
}
