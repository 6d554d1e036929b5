use garrison_report::{Confidence, Finding, Location, RuleMeta, declare_rule};

use super::{ROOT, not_evaluated};
use crate::{Check, PostureError, SPEC8, Workspace};

declare_rule! {
    /// ## What it checks
    /// The 50 most recent tags of the git checkout (by creation date): lightweight tags, and
    /// annotated tags without a PGP or SSH signature (`-----BEGIN PGP SIGNATURE-----`,
    /// `-----BEGIN SSH SIGNATURE-----` in the tag object), read from the repository itself (no
    /// `git` command is run). When the path is not a git checkout, the repository cannot be
    /// read, or there are no tags, it reports `info/not-evaluated`.
    ///
    /// ## Why it matters
    /// A release tag names the source a release was built from. An unsigned tag can be
    /// created or moved by anyone who can push to the repository (or who steals a token that
    /// can), and nobody can later tell whether a maintainer made it. A signed tag ties the
    /// release to a maintainer's key.
    ///
    /// ## Example
    /// `git tag v1.2.0` (lightweight) or `git tag -a v1.2.0 -m "v1.2.0"` (annotated, unsigned).
    ///
    /// ## Remediation
    /// Sign release tags (`git tag -s v1.2.0`, with a GPG key or `gpg.format=ssh`), publish
    /// the keys, and protect tags with a ruleset so only the release team can create them.
    pub UnsignedReleaseTags {
        id: "posture/unsigned-release-tags",
        summary: "recent release tags are not signed",
        severity: Low,
        help: "sign release tags (`git tag -s`), and protect `v*` tags with a ruleset",
        references: [
            "SPEC 8, \"Hardening workflow environment permissions\" (signed commits, protected release branch): https://scientific-python.org/specs/spec-0008/",
            SPEC8,
            "https://git-scm.com/book/en/v2/Git-Tools-Signing-Your-Work",
        ],
    }
}

/// Most recent tags inspected.
pub const MAX_TAGS: usize = 50;

/// One inspected tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagInfo {
    /// Tag name.
    pub name: String,
    /// True for a tag object (annotated), false for a lightweight tag.
    pub annotated: bool,
    /// True if the tag object carries a PGP or SSH signature.
    pub signed: bool,
}

/// Reads the [`MAX_TAGS`] most recent tags (newest first, like `git for-each-ref
/// --sort=-creatordate`: tagger time of an annotated tag, commit time of a lightweight one;
/// ties by name), or says why it cannot.
pub fn recent_tags(co: &Workspace) -> Result<Vec<TagInfo>, PostureError> {
    let Some(git) = &co.git else {
        return Err(PostureError::NotGit);
    };
    let (mut tags, _) = garrison_git::tags(git)?;
    tags.sort_by(|a, b| b.created.cmp(&a.created).then_with(|| a.name.cmp(&b.name)));
    Ok(tags
        .into_iter()
        .take(MAX_TAGS)
        .map(|t| TagInfo {
            name: t.name,
            annotated: t.annotated,
            signed: t.signed,
        })
        .collect())
}

impl Check for UnsignedReleaseTags {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, co: &Workspace, out: &mut Vec<Finding>) {
        let tags = match recent_tags(co) {
            Ok(t) if t.is_empty() => {
                let mut f = not_evaluated::finding(
                    Self::META.id,
                    "release tag signatures",
                    "the repository has no tags",
                    Location::file(ROOT),
                );
                f.help = "run Garrison in a clone that has the release tags (`git fetch --tags`); SPEC 8 asks for signed tags (`git tag -s`)".to_string();
                out.push(f);
                return;
            }
            Ok(t) => t,
            Err(reason) => {
                let mut f = not_evaluated::finding(
                    Self::META.id,
                    "release tag signatures",
                    &reason.to_string(),
                    Location::file(ROOT),
                );
                f.help = "run Garrison in a clone that has the release tags (`git fetch --tags`); SPEC 8 asks for signed tags (`git tag -s`)".to_string();
                out.push(f);
                return;
            }
        };
        let lightweight: Vec<&str> = tags
            .iter()
            .filter(|t| !t.annotated)
            .map(|t| t.name.as_str())
            .collect();
        let unsigned: Vec<&str> = tags
            .iter()
            .filter(|t| t.annotated && !t.signed)
            .map(|t| t.name.as_str())
            .collect();
        let bad = lightweight.len() + unsigned.len();
        if bad == 0 {
            return;
        }
        let examples: Vec<&str> = tags
            .iter()
            .filter(|t| !t.signed)
            .take(5)
            .map(|t| t.name.as_str())
            .collect();
        out.push(
            Finding::builder(&Self::META)
                .message(format!(
                    "{bad} of the {} most recent tags are not signed ({} lightweight, {} annotated without signature), e.g. {}",
                    tags.len(),
                    lightweight.len(),
                    unsigned.len(),
                    examples.join(", ")
                ))
                .confidence(Confidence::High)
                .location(Location::file(ROOT).with_note("git tags"))
                .evidence("inspected", tags.len())
                .evidence("lightweight", lightweight.len())
                .evidence("annotated_unsigned", unsigned.len())
                .evidence("signed", tags.len() - bad)
                .evidence("examples", examples)
                .build(),
        );
    }
}
