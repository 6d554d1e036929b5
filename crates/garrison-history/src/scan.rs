//! The content scan as the miner's [`ChangeScanner`]: every text change of a mined commit goes
//! through [`crate::content::scan_change`] inside garrison-git's parallel diff loop, so the cache
//! stores hits rather than file contents.

use garrison_git::{ChangeScanner, TextChange};

use crate::classify::{
    Lang, PathClass, classify, is_opaque_extension, is_scientific_data, language,
};
use crate::content::{self, ContentHit};

// `SCANNER_VERSION` and `SCANNER_SOURCES`, made by `build.rs`: the version of the content scan
// (part of the history cache key) is a hash of the sources that decide what it reports.
include!(concat!(env!("OUT_DIR"), "/scanner_version.rs"));

/// The content scan of [`crate::content`], with binary-looking text skipped.
#[derive(Debug, Clone, Copy, Default)]
pub struct ContentScanner;

impl ChangeScanner for ContentScanner {
    type Hits = Vec<ContentHit>;

    fn version(&self) -> u64 {
        SCANNER_VERSION
    }

    fn scan(&self, change: &TextChange<'_>) -> Vec<ContentHit> {
        if !looks_textual(change.new) {
            return Vec::new();
        }
        content::scan_change(
            change.path,
            classify(change.path),
            change.old,
            change.new,
            change.hunks,
        )
    }

    /// Binary files and opaque containers (archives, compressed streams, native code, pickles)
    /// get sibling sizes, for the binary and opaque-blob rules.
    fn wants_siblings(&self, path: &str, binary: bool) -> bool {
        binary || is_opaque_extension(path)
    }

    /// Binary and opaque files other than scientific data and documentation assets: the
    /// `history/unreferenced-opaque-file` rule asks whether anything names them.
    fn wants_references(&self, path: &str, binary: bool) -> bool {
        (binary || is_opaque_extension(path))
            && !is_scientific_data(path)
            && !classify(path).contains(PathClass::DOCS)
    }

    /// Code, tests, build files, CI and manifests, anywhere; never prose (READMEs, changelogs,
    /// documentation) or data.
    fn is_referrer(&self, path: &str) -> bool {
        is_referrer(path)
    }
}

/// See [`ContentScanner::is_referrer`].
pub fn is_referrer(path: &str) -> bool {
    let class = classify(path);
    if class.intersects(PathClass::DOCS | PathClass::GENERATED_OR_LOCK) {
        return false;
    }
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    // Prose next to fixtures does not make them used.
    if name.starts_with("readme")
        || name.starts_with("changelog")
        || name.starts_with("license")
        || name.starts_with("copying")
        || name.starts_with("authors")
        || name.ends_with(".md")
        || name.ends_with(".rst")
    {
        return false;
    }
    // Code, build files, CI, manifests and test configuration anywhere (a source file that
    // embeds a blob names it as surely as a test does); not data files that tests read.
    if matches!(
        name.as_str(),
        "package.json" | "manifest.in" | "tsconfig.json"
    ) {
        return true;
    }
    let lang = language(path);
    !is_opaque_extension(path)
        && !is_scientific_data(path)
        && !matches!(lang, Lang::Docs | Lang::Data)
}

/// Text worth a content scan: at most 1% (and fewer than 8) control characters other than tab,
/// newline, carriage return and form feed, or invalid UTF-8 sequences, in the first 64 KiB.
/// Binary blobs without a NUL byte (keys, signatures, compressed data) fail this, so random
/// bytes are never read as code.
fn looks_textual(data: &[u8]) -> bool {
    let head = data.get(..65_536).unwrap_or(data);
    let mut bad = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c) || b == 0x7f)
        .count();
    let mut rest = head;
    while !rest.is_empty() {
        match std::str::from_utf8(rest) {
            Ok(_) => break,
            Err(e) => {
                // An incomplete sequence cut by the 64 KiB window is not an error.
                let Some(len) = e.error_len() else { break };
                bad += 1;
                rest = rest.get(e.valid_up_to() + len..).unwrap_or_default();
            }
        }
    }
    bad < 8 && bad * 100 <= head.len()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::{SCANNER_SOURCES, SCANNER_VERSION, looks_textual};

    /// The version is the hash of the detector sources as they are now, and those sources are
    /// every file of the content scanner: a new detector file cannot be left out of the key.
    #[test]
    fn scanner_version_hashes_every_detector_source() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for path in SCANNER_SOURCES {
            let text = std::fs::read(root.join(path)).unwrap();
            for b in path
                .bytes()
                .chain([0])
                .chain(text.into_iter().filter(|b| *b != b'\r'))
            {
                h ^= u64::from(b);
                h = h.wrapping_mul(0x0000_0100_0000_01b3);
            }
        }
        assert_eq!(h, SCANNER_VERSION, "{SCANNER_SOURCES:?}");
        for entry in std::fs::read_dir(root.join("src/rules")).unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            let path = format!("src/rules/{name}");
            let text = std::fs::read_to_string(root.join(&path)).unwrap();
            if text.contains("impl Detector for") {
                assert!(
                    SCANNER_SOURCES.contains(&path.as_str()),
                    "{path} not hashed"
                );
            }
        }
        for entry in std::fs::read_dir(root.join("src/content")).unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            if name.ends_with(".rs") && name != "tests.rs" {
                let path = format!("src/content/{name}");
                assert!(
                    SCANNER_SOURCES.contains(&path.as_str()),
                    "{path} not hashed"
                );
            }
        }
        for f in [
            "src/classify.rs",
            "src/scan.rs",
            "src/registry.rs",
            "src/rules/mod.rs",
        ] {
            assert!(SCANNER_SOURCES.contains(&f), "{f} not hashed");
        }
    }

    #[test]
    fn textual_means_code_not_key_material() {
        assert!(looks_textual(b"def f():\n\treturn 1\r\n"));
        assert!(looks_textual(
            "é ü 日本 \u{202E} bidi stays text\n".as_bytes()
        ));
        // A 32-byte Ed25519 public key without a NUL byte (git calls it text).
        let key: [u8; 32] = [
            0xd7, 0x5a, 0x98, 0x01, 0x82, 0xb1, 0x0a, 0xb7, 0xd5, 0x4b, 0xfe, 0xd3, 0xc9, 0x64,
            0x07, 0x3a, 0x0e, 0xe1, 0x72, 0xf3, 0xda, 0xa6, 0x23, 0x25, 0xaf, 0x02, 0x1a, 0x68,
            0xf7, 0x07, 0x51, 0x1a,
        ];
        assert!(!key.contains(&0));
        assert!(!looks_textual(&key));
        assert!(!looks_textual(&[0x1f_u8; 100]));
    }
}
