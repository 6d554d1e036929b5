//! Documents the workspace reads besides the parsed configuration: `CODEOWNERS`, security
//! policies, Renovate configuration and contributor guides. Their texts are in the
//! workspace's [`SourceMap`](garrison_source::SourceMap); one that cannot be read is simply
//! absent (analyses treat it as empty), never a load error.

pub use crate::codeowners::LOCATIONS as CODEOWNERS;

/// Extensions of prose documents (`""`: no extension).
pub const DOC_EXTS: &[&str] = &["md", "rst", "txt", "markdown", ""];

/// Files named by directory, stem and extension, case-insensitively.
#[derive(Debug, Clone, Copy)]
pub struct Named {
    /// Directories (`""` for the root, else without a trailing `/`).
    pub dirs: &'static [&'static str],
    /// Lowercase stems.
    pub stems: &'static [&'static str],
    /// Lowercase extensions (`""` for none).
    pub exts: &'static [&'static str],
}

impl Named {
    /// True if the file at `rel` is one of these.
    pub fn matches(&self, rel: &str) -> bool {
        let (dir, name) = rel.rsplit_once('/').unwrap_or(("", rel));
        self.dirs.contains(&dir) && self.matches_name(name)
    }

    /// True if a file name (without directory) has one of the stems and extensions.
    pub fn matches_name(&self, name: &str) -> bool {
        let name = name.to_ascii_lowercase();
        let (stem, ext) = name.rsplit_once('.').unwrap_or((name.as_str(), ""));
        self.stems.contains(&stem) && self.exts.contains(&ext)
    }
}

/// Security policy files GitHub shows: `SECURITY.md` (any case; `.md`, `.rst`, `.txt` or no
/// extension) at the root, in `.github/` or in `docs/`.
pub const SECURITY_POLICY: Named = Named {
    dirs: &["", ".github", "docs"],
    stems: &["security"],
    exts: DOC_EXTS,
};

/// Contributor and maintainer guides, which may hold a release section.
pub const GUIDES: Named = Named {
    dirs: &["", ".github", "doc", "docs"],
    stems: &["contributing", "maintainers", "maintaining", "development"],
    exts: DOC_EXTS,
};

/// Renovate configuration files.
pub const RENOVATE_FILES: &[&str] = &[
    "renovate.json",
    "renovate.json5",
    ".renovaterc",
    ".renovaterc.json",
    ".renovaterc.json5",
    ".github/renovate.json",
    ".github/renovate.json5",
    ".gitlab/renovate.json",
    ".gitlab/renovate.json5",
];

/// True if the workspace reads the text of the file at `rel` as a document.
pub fn is_document(rel: &str) -> bool {
    CODEOWNERS.contains(&rel)
        || RENOVATE_FILES.contains(&rel)
        || SECURITY_POLICY.matches(rel)
        || GUIDES.matches(rel)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        for rel in [
            "SECURITY.md",
            ".github/security.rst",
            "docs/Security",
            "CODEOWNERS",
            "doc/CONTRIBUTING.rst",
            ".github/renovate.json5",
        ] {
            assert!(is_document(rel), "{rel}");
        }
        for rel in [
            "src/SECURITY.md",
            "SECURITY.html",
            "doc/SECURITY.md",
            "renovate.yml",
        ] {
            assert!(!is_document(rel), "{rel}");
        }
    }
}
