use std::collections::BTreeMap;

use garrison_report::{Confidence, Finding, Location, RuleMeta, Severity, declare_rule};

use super::ROOT;
use crate::{Check, SPEC8, Workspace};

declare_rule! {
    /// ## What it checks
    /// Binary files committed to the repository, found by extension and by their first
    /// bytes (at most 8 KiB read per file): executables and libraries (`.exe`, `.dll`, `.so`,
    /// `.dylib`, `.a`, `.lib`, `.o`, `.pyd`, `.jar`, `.class`, `.whl`, `.egg`, or ELF, PE
    /// and Mach-O content whatever the name) are medium; pickles (`.pkl`, `.pickle`,
    /// `.joblib`), which run code when loaded, are medium; archives (`.zip`, `.tar`, `.gz`,
    /// `.xz`, `.7z`, …) and scientific data (`.npy`, `.npz`, `.h5`, `.fits`, `.nc`, `.mat`,
    /// `.parquet`, `.feather`, `.sav`) are low; other files with NUL bytes in their first
    /// 8 KiB are low. Images, fonts and PDFs are not reported. Each finding gives the path
    /// and size so test fixtures are easy to tell apart. A directory holding 5 or more small
    /// (at most 64 KiB each) non-executable binaries — a test-fixture corpus — is one grouped
    /// finding located at the directory (then its first file), with the count, the total
    /// size and the first 10 names and sizes; its severity is the worst of its files.
    /// Executables and larger files are always reported one by one. After 200 findings the
    /// rest are summarised in one.
    ///
    /// ## Why it matters
    /// Nobody reviews a binary in a pull request. The xz-utils backdoor (CVE-2024-3094) hid
    /// its payload in "test" archives; a committed `.so`, `.whl` or pickle can end up in a
    /// release or run in CI, and a changed fixture cannot be diffed.
    ///
    /// ## Example
    /// `tests/data/model.pkl`, `tools/bin/helper.exe`, `tests/fixtures/corrupt.xz`.
    ///
    /// ## Remediation
    /// Remove binaries that can be generated (build them in CI from source), document the
    /// origin and checksum of data fixtures, prefer non-executable formats (`.npy` with
    /// `allow_pickle=False`, HDF5, Parquet) over pickles, and keep binaries out of
    /// distributions (check the sdist contents).
    pub BinaryArtifact {
        id: "posture/binary-artifact",
        summary: "binary file committed to the repository",
        severity: Low,
        help: "remove the binary or document its origin and checksum; build executables from source in CI",
        references: [
            SPEC8,
            "https://www.openwall.com/lists/oss-security/2024/03/29/4",
        ],
    }
}

/// Bytes read per file for content sniffing.
pub const SNIFF_BYTES: usize = 8192;
/// Individual findings before the rest are summarised.
pub const MAX_FINDINGS: usize = 200;
/// A directory with at least this many small non-executable binaries is one finding.
pub const GROUP_MIN_FILES: usize = 5;
/// Larger files are reported one by one even in a fixture directory.
pub const GROUP_MAX_FILE_SIZE: u64 = 64 * 1024;
/// Files named in a grouped finding's evidence.
const GROUP_LISTED: usize = 10;

const EXECUTABLE_EXTS: &[&str] = &[
    "exe", "dll", "so", "dylib", "a", "lib", "o", "obj", "pyd", "jar", "class", "whl", "egg",
];
const PICKLE_EXTS: &[&str] = &["pkl", "pickle", "joblib"];
const ARCHIVE_EXTS: &[&str] = &["zip", "tar", "tgz", "gz", "bz2", "xz", "lzma", "zst", "7z"];
const DATA_EXTS: &[&str] = &[
    "npy", "npz", "h5", "hdf5", "fits", "fit", "fz", "nc", "mat", "parquet", "feather", "sav",
];
/// Never reported: images, fonts, documents, and compiled translations.
const IGNORED_EXTS: &[&str] = &[
    "png", "jpg", "jpeg", "gif", "ico", "svg", "bmp", "webp", "tif", "tiff", "icns", "woff",
    "woff2", "ttf", "otf", "eot", "pdf", "mo",
];

/// What kind of binary a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// ELF/PE/Mach-O content or an executable/library extension.
    Executable,
    /// A pickle.
    Pickle,
    /// An archive.
    Archive,
    /// A scientific data file.
    Data,
    /// Other binary content.
    Other,
}

impl Kind {
    fn label(self) -> &'static str {
        match self {
            Kind::Executable => "executable or library",
            Kind::Pickle => "pickle (runs code when loaded)",
            Kind::Archive => "archive",
            Kind::Data => "binary data file",
            Kind::Other => "binary file",
        }
    }

    fn severity(self) -> Severity {
        match self {
            Kind::Executable | Kind::Pickle => Severity::Medium,
            _ => Severity::Low,
        }
    }
}

/// The executable format named by the first bytes, if any.
pub fn executable_magic(head: &[u8]) -> Option<&'static str> {
    match head {
        [0x7f, b'E', b'L', b'F', ..] => Some("ELF"),
        [b'M', b'Z', ..] if pe_signature(head) => Some("PE"),
        [0xfe, 0xed, 0xfa, 0xce | 0xcf, ..] | [0xce | 0xcf, 0xfa, 0xed, 0xfe, ..] => Some("Mach-O"),
        [0xca, 0xfe, 0xba, 0xbe, _, _, _, n, ..] if *n < 0x20 => Some("Mach-O universal"),
        _ => None,
    }
}

/// `MZ` alone is common in text-like data; require the `PE\0\0` header it points at when it
/// is within the sniffed bytes, or a DOS stub message.
fn pe_signature(head: &[u8]) -> bool {
    let offset = head
        .get(0x3c..0x40)
        .and_then(|b| <[u8; 4]>::try_from(b).ok())
        .map(u32::from_le_bytes)
        .and_then(|o| usize::try_from(o).ok());
    if let Some(o) = offset
        && head.get(o..o + 4) == Some(b"PE\0\0")
    {
        return true;
    }
    head.windows(17).any(|w| w == b"This program cann")
}

/// Classifies a file by extension and first bytes; `None` for text and ignored formats.
pub fn classify(rel: &str, head: &[u8]) -> Option<(Kind, String)> {
    let name = rel.rsplit('/').next().unwrap_or(rel).to_ascii_lowercase();
    let ext = name.rsplit_once('.').map_or("", |(_, e)| e);
    if IGNORED_EXTS.contains(&ext) {
        return None;
    }
    if let Some(m) = executable_magic(head) {
        return Some((Kind::Executable, format!("{m} binary")));
    }
    if EXECUTABLE_EXTS.contains(&ext) {
        return Some((Kind::Executable, format!(".{ext}")));
    }
    if PICKLE_EXTS.contains(&ext) {
        return Some((Kind::Pickle, format!(".{ext}")));
    }
    if ARCHIVE_EXTS.contains(&ext) {
        return Some((Kind::Archive, format!(".{ext}")));
    }
    if DATA_EXTS.contains(&ext) {
        return Some((Kind::Data, format!(".{ext}")));
    }
    if head.contains(&0) {
        return Some((Kind::Other, "NUL bytes in the first 8 KiB".to_string()));
    }
    None
}

fn human(size: u64) -> String {
    if size >= 1024 * 1024 {
        format!("{:.1} MiB", size as f64 / (1024.0 * 1024.0))
    } else if size >= 1024 {
        format!("{:.1} KiB", size as f64 / 1024.0)
    } else {
        format!("{size} B")
    }
}

impl Check for BinaryArtifact {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ws: &Workspace, out: &mut Vec<Finding>) {
        let mut found = Vec::new();
        for f in &ws.files {
            let name = f
                .rel
                .rsplit('/')
                .next()
                .unwrap_or(&f.rel)
                .to_ascii_lowercase();
            let ext = name.rsplit_once('.').map_or("", |(_, e)| e);
            if IGNORED_EXTS.contains(&ext) || f.size == 0 {
                continue;
            }
            let head = ws.head(&f.rel, SNIFF_BYTES);
            if let Some((kind, why)) = classify(&f.rel, &head) {
                found.push((f, kind, why));
            }
        }
        // Small non-executable binaries grouped by directory: fixture corpora.
        let groupable = |f: &garrison_workspace::FileEntry, k: Kind| k != Kind::Executable && f.size <= GROUP_MAX_FILE_SIZE;
        let dir_of = |rel: &str| rel.rsplit_once('/').map_or(ROOT.to_string(), |(d, _)| d.to_string());
        let mut per_dir: BTreeMap<String, usize> = BTreeMap::new();
        for (f, k, _) in &found {
            if groupable(f, *k) {
                *per_dir.entry(dir_of(&f.rel)).or_default() += 1;
            }
        }
        let grouped_dirs: Vec<&String> = per_dir
            .iter()
            .filter(|(_, n)| **n >= GROUP_MIN_FILES)
            .map(|(d, _)| d)
            .collect();
        let in_group = |f: &garrison_workspace::FileEntry, k: Kind| {
            groupable(f, k) && grouped_dirs.iter().any(|d| **d == dir_of(&f.rel))
        };
        for dir in &grouped_dirs {
            let mut members: Vec<_> = found
                .iter()
                .filter(|(f, k, _)| in_group(f, *k) && dir_of(&f.rel) == **dir)
                .collect();
            members.sort_by(|a, b| a.0.rel.cmp(&b.0.rel));
            let Some(first) = members.first() else { continue };
            let total: u64 = members.iter().map(|m| m.0.size).sum();
            let worst = members.iter().map(|m| m.1).min().unwrap_or(Kind::Other);
            let mut by_kind: BTreeMap<&str, usize> = BTreeMap::new();
            for m in &members {
                *by_kind.entry(m.1.label()).or_default() += 1;
            }
            let names: Vec<String> = members
                .iter()
                .take(3)
                .map(|m| m.0.rel.rsplit('/').next().unwrap_or(&m.0.rel).to_string())
                .collect();
            let more = if members.len() > names.len() { ", …" } else { "" };
            out.push(
                Finding::builder(&Self::META)
                    .message(format!(
                        "{} committed binary files in {dir}/ ({}{more}; {} in total, each at most {})",
                        members.len(),
                        names.join(", "),
                        human(total),
                        human(members.iter().map(|m| m.0.size).max().unwrap_or(0)),
                    ))
                    .severity(worst.severity())
                    .confidence(Confidence::High)
                    // The directory is the subject (its fingerprint survives files added
                    // to or removed from the corpus); the first file is there to open.
                    .location(Location::file(dir.as_str()).with_note(format!(
                        "{} binary files",
                        members.len()
                    )))
                    .location(Location::file(&first.0.rel).with_note("first of them"))
                    .evidence("directory", dir.as_str())
                    .evidence("count", members.len())
                    .evidence("total_size", total)
                    .evidence(
                        "by_kind",
                        serde_json::to_value(&by_kind).unwrap_or_default(),
                    )
                    .evidence(
                        "files",
                        members
                            .iter()
                            .take(GROUP_LISTED)
                            .map(|m| serde_json::json!({"path": m.0.rel, "size": m.0.size, "detected_by": m.2}))
                            .collect::<Vec<_>>(),
                    )
                    .key(format!("dir:{dir}"))
                    .build(),
            );
        }
        found.retain(|(f, k, _)| !in_group(f, *k));
        // Most severe first, then by path, so the cap keeps what matters.
        found.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.rel.cmp(&b.0.rel)));
        for (f, kind, why) in found.iter().take(MAX_FINDINGS) {
            out.push(
                Finding::builder(&Self::META)
                    .message(format!(
                        "committed {} {} ({}, {})",
                        kind.label(),
                        f.rel,
                        why,
                        human(f.size)
                    ))
                    .severity(kind.severity())
                    .confidence(Confidence::High)
                    .location(Location::file(&f.rel))
                    .evidence("size", f.size)
                    .evidence("detected_by", why.as_str())
                    .evidence("executable_bit", f.executable)
                    .key(f.rel.as_str())
                    .build(),
            );
        }
        let rest = found.get(MAX_FINDINGS..).unwrap_or(&[]);
        if !rest.is_empty() {
            let mut by_kind: BTreeMap<&str, usize> = BTreeMap::new();
            for (_, k, _) in rest {
                *by_kind.entry(k.label()).or_default() += 1;
            }
            let worst = rest
                .iter()
                .map(|r| r.1.severity())
                .max()
                .unwrap_or(Severity::Low);
            out.push(
                Finding::builder(&Self::META)
                    .message(format!(
                        "{} more committed binary files not listed individually",
                        rest.len()
                    ))
                    .severity(worst)
                    .confidence(Confidence::High)
                    .location(Location::file(ROOT))
                    .evidence("count", rest.len())
                    .evidence(
                        "by_kind",
                        serde_json::to_value(&by_kind).unwrap_or_default(),
                    )
                    .evidence(
                        "paths",
                        rest.iter()
                            .take(100)
                            .map(|r| r.0.rel.clone())
                            .collect::<Vec<_>>(),
                    )
                    .key("summary")
                    .build(),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffing() {
        assert_eq!(executable_magic(b"\x7fELF\x02\x01"), Some("ELF"));
        assert_eq!(executable_magic(b"\xcf\xfa\xed\xfe\x07"), Some("Mach-O"));
        assert_eq!(executable_magic(b"MZ is a text"), None);
        assert_eq!(classify("a.py", b"#!/usr/bin/env python\n"), None);
        assert_eq!(classify("logo.png", b"\x89PNG\0\0"), None);
        assert!(matches!(
            classify("x.bin", b"ab\0cd"),
            Some((Kind::Other, _))
        ));
        assert!(matches!(
            classify("m.pkl", b"\x80\x04"),
            Some((Kind::Pickle, _))
        ));
        // Java class files share Mach-O universal's magic; a large second word means class.
        assert_eq!(executable_magic(b"\xca\xfe\xba\xbe\x00\x00\x00\x34"), None);
    }
}
