use garrison_report::SourceFile;
use garrison_report::{Confidence, Finding, Location, RuleMeta, declare_rule};
use garrison_workspace::Named;
use garrison_workspace::documents::{DOC_EXTS, GUIDES};

use super::ROOT;
use crate::{Check, Workspace};

declare_rule! {
    /// ## What it checks
    /// That the release process is written down in the repository: a `RELEASING`, `RELEASE`,
    /// `HOWTO_RELEASE` or `RELEASE_WALKTHROUGH` file (`.md`, `.rst`, `.txt`) at the root or in
    /// `.github/`, a page under `doc/` or `docs/` whose name says it describes releasing
    /// (`releasing.rst`, `release-process.md`, `how_to_release.md`, …; release *notes* do not
    /// count), or a "Releasing"/"Making a release" heading in `CONTRIBUTING` or
    /// `MAINTAINERS`.
    ///
    /// ## Why it matters
    /// SPEC 8 asks that each step of a release, and the permissions it needs, be documented.
    /// An undocumented process lives in one maintainer's head: others cannot review it, spot
    /// a step that bypasses the protected workflow, or take over safely.
    ///
    /// ## Example
    /// A repository whose only release information is `CHANGELOG.md`.
    ///
    /// ## Remediation
    /// Add `RELEASING.md` (or a developer-guide page) that lists each step, who may run it,
    /// which workflow publishes, and which approvals the `pypi` environment requires. If the
    /// process is documented elsewhere (a website), link it from the repository.
    pub NoReleaseProcessDocs {
        id: "posture/no-release-process-docs",
        summary: "the release process is not documented in the repository",
        severity: Low,
        help: "add RELEASING.md (or a developer-guide page) describing each release step and the permissions it needs",
        references: [
            "SPEC 8, \"Document the release process\": https://scientific-python.org/specs/spec-0008/",
        ],
    }
}

const STEMS: &[&str] = &[
    "releasing",
    "release",
    "how_to_release",
    "howto_release",
    "howto-release",
    "how-to-release",
    "release_walkthrough",
    "release-process",
    "release_process",
    "release-guide",
    "release_guide",
    "making_a_release",
    "making-a-release",
    "make_release",
];

/// Release-process documents at the root or in `.github/`.
const RELEASE_DOCS: Named = Named {
    dirs: &["", ".github"],
    stems: STEMS,
    exts: DOC_EXTS,
};

fn doc_name_describes_releasing(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let stem = lower.split('.').next().unwrap_or("");
    if stem.contains("note") || stem.contains("changelog") || stem.contains("history") {
        return false;
    }
    stem.contains("releasing")
        || stem.contains("release_process")
        || stem.contains("release-process")
        || stem.contains("how_to_release")
        || stem.contains("howto_release")
        || stem.contains("how-to-release")
        || stem.contains("release_walkthrough")
        || stem.contains("release-guide")
        || stem.contains("release_guide")
        || stem.contains("making_a_release")
        || stem.contains("making-a-release")
}

/// Where the release process is documented, if anywhere.
pub fn release_docs(ws: &Workspace) -> Option<String> {
    if let Some(f) = ws.find_named(&RELEASE_DOCS).first() {
        return Some(f.rel.clone());
    }
    for f in &ws.files {
        let in_docs = f.rel.starts_with("doc/") || f.rel.starts_with("docs/");
        let name = f.rel.rsplit('/').next().unwrap_or(&f.rel);
        if in_docs && doc_name_describes_releasing(name) {
            return Some(f.rel.clone());
        }
    }
    // A release section in contributor/maintainer guides.
    for f in ws.find_named(&GUIDES) {
        let Some(text) = ws.text(&f.rel).map(SourceFile::text) else {
            continue;
        };
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let l = line.trim().to_ascii_lowercase();
            let md_heading = l.starts_with('#');
            let rst_heading = lines.get(i + 1).is_some_and(|n| {
                let n = n.trim();
                n.len() >= 3 && n.chars().all(|c| "=-~^*+#".contains(c))
            });
            if (md_heading || rst_heading)
                && (l.contains("releasing")
                    || l.contains("making a release")
                    || l.contains("release process")
                    || l.contains("how to release"))
            {
                return Some(format!("{}:{}", f.rel, i + 1));
            }
        }
    }
    None
}

impl Check for NoReleaseProcessDocs {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ws: &Workspace, out: &mut Vec<Finding>) {
        if release_docs(ws).is_some() {
            return;
        }
        out.push(
            Finding::builder(&Self::META)
                .message("no release-process documentation found (RELEASING.md, docs/releasing.*, or a release section in CONTRIBUTING)")
                .confidence(Confidence::Medium)
                .location(Location::file(ROOT).with_note("documentation on an external website is not visible here"))
                .build(),
        );
    }
}
