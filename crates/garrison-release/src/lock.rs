//! Lock verification (`garrison verify --lock`): the distribution files in a directory against
//! a lock file (uv.lock, pylock.toml, requirements with `--hash`), and their PEP 740
//! attestations against a publisher policy or identities recorded on first use.
//!
//! Layers, each usable on its own:
//!
//! - [`Lock::from_manifests`]: the locked packages and, for uv.lock / pylock.toml, each locked
//!   file with its hashes (requirements only give a pool of hashes per pinned package).
//! - [`LockPolicy::parse`]: the policy file (`[publishers]`, `require-attestations`).
//! - [`Tofu`]: the trust-on-first-use record (JSON).
//! - [`scan_dir`]: every regular file of the directory, hashed by streaming reads under
//!   [`LockLimits`], with the attestations found next to it; symlinks that leave the directory,
//!   non-regular files and oversized files are skipped with a note.
//! - [`verify`]: matches the hashed files to the lock and classifies each one
//!   ([`Outcome`]); the attestation check takes the digest, so a caller can check the lock's
//!   own hash without the file ([`DistFile::from_digest`]).
//!
//! Matching: a file whose name is one the lock lists is checked against that file's hashes; a
//! file whose name parses (wheel or sdist, PEP 503 name, PEP 440 version) to a locked package
//! and version is checked against the package's hash pool when the lock has no per-file list
//! (requirements), and is `not-in-lock` when it has one. A locked package is present when at
//! least one of its locked files (or, for requirements, one file of its name and version) is in
//! the directory: locks list every platform's wheels, and a directory holds one platform's.

use std::collections::{BTreeMap, HashMap};
use std::io::Read as _;
use std::path::Path;

use garrison_python::{DepKind, Format, Manifest, PackageName, VersionRef};
use garrison_report::{Finding, Location, SourceFile, Span};
use garrison_sigstore::TrustedRoot;
use garrison_sigstore::pep740::{self, Publisher};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256, Sha384, Sha512};

use crate::rules::hash_mismatch::{HashProblem, check_hashes};
use crate::wheel::same_version;

/// An input problem that stops verification: the file and, where there is one, the line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}{}: {message}", line.map(|l| format!(":{l}")).unwrap_or_default())]
pub struct LockError {
    /// The file (lock, policy, TOFU record, or the directory).
    pub path: String,
    /// 1-based line, when known.
    pub line: Option<u32>,
    /// What is wrong.
    pub message: String,
}

fn lock_error(path: &str, line: Option<u32>, message: impl std::fmt::Display) -> LockError {
    LockError {
        path: path.to_string(),
        line,
        message: message.to_string(),
    }
}

/// Limits for reading the untrusted directory.
#[derive(Debug, Clone)]
pub struct LockLimits {
    /// Largest distribution file hashed (bigger ones are skipped with a note).
    pub max_dist_bytes: u64,
    /// Largest attestation or provenance file read.
    pub max_attestation_bytes: u64,
    /// Most directory entries looked at.
    pub max_entries: usize,
    /// Most attestation objects verified per distribution.
    pub max_attestations_per_dist: usize,
}

impl Default for LockLimits {
    fn default() -> Self {
        LockLimits {
            max_dist_bytes: 8 * 1024 * 1024 * 1024,
            max_attestation_bytes: 4 * 1024 * 1024,
            max_entries: 100_000,
            max_attestations_per_dist: 8,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The lock

/// One locked package.
#[derive(Debug, Clone)]
pub struct LockedPackage {
    /// Normalized name.
    pub name: PackageName,
    /// The version as written (PEP 440 normalized when it parses).
    pub version: Option<String>,
    /// The files the lock lists (uv.lock, pylock.toml); empty for requirements.
    pub files: Vec<garrison_python::LockedFile>,
    /// Every hash of the entry (the pool requirements files give).
    pub hashes: Vec<String>,
    /// The lock file.
    pub path: String,
    /// The entry's span in the lock.
    pub span: Span,
}

/// The packages of a lock, ready for [`verify`].
#[derive(Debug, Clone, Default)]
pub struct Lock {
    /// The lock file as given.
    pub path: String,
    /// Packages that name distribution files or hashes.
    pub packages: Vec<LockedPackage>,
    /// Entries that cannot be checked against files (git, path or URL sources without hashes,
    /// unpinned requirements), one sentence each.
    pub notes: Vec<String>,
}

impl Lock {
    /// The lock from its manifests (a requirements file with its `-r` includes gives several).
    /// Reader errors are input errors: a lock that does not read completely is not verified.
    pub fn from_manifests(manifests: &[Manifest]) -> Result<Lock, LockError> {
        let mut lock = Lock {
            path: manifests
                .first()
                .map(|m| m.path.clone())
                .unwrap_or_default(),
            ..Lock::default()
        };
        for m in manifests {
            if !matches!(
                m.format,
                Format::UvLock | Format::Pylock | Format::Requirements
            ) {
                return Err(lock_error(
                    &m.path,
                    None,
                    "lock mode reads uv.lock, pylock.toml (PEP 751) and requirements files with --hash",
                ));
            }
            if let Some(e) = m.errors.first() {
                return Err(lock_error(&e.path, e.line, e.message.clone()));
            }
            for d in &m.deps {
                let version = d.version.as_ref().map(|v| match v {
                    VersionRef::Pep440(v) => v.to_string(),
                    VersionRef::Raw(s) => s.clone(),
                });
                let where_ = format!("{}:{}", d.path, d.span.start_line);
                if d.files.is_empty() && d.hashes.is_empty() {
                    let why = match (&d.url, &d.kind, &version) {
                        (Some(u), ..) => format!("its source is `{u}`, with no hash"),
                        (None, DepKind::Declared, _) => "it is not pinned (`==`)".to_string(),
                        (None, _, None) => "it has no version".to_string(),
                        (None, _, Some(_)) => "the lock records no hash for it".to_string(),
                    };
                    lock.notes
                        .push(format!("{where_}: `{}` not checked: {why}", d.raw_name));
                    continue;
                }
                if version.is_none() || d.kind == DepKind::Declared {
                    lock.notes.push(format!(
                        "{where_}: `{}` not checked: it is not pinned to one version",
                        d.raw_name
                    ));
                    continue;
                }
                lock.packages.push(LockedPackage {
                    name: d.name.clone(),
                    version,
                    files: d.files.clone(),
                    hashes: d.hashes.clone(),
                    path: d.path.clone(),
                    span: d.span,
                });
            }
        }
        Ok(lock)
    }

    /// The hash algorithms the lock uses that [`scan_dir`] can compute besides sha256.
    pub fn extra_algorithms(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        for alg in ["sha384", "sha512"] {
            let used = self.packages.iter().any(|p| {
                p.hashes
                    .iter()
                    .chain(p.files.iter().flat_map(|f| f.hashes.iter()))
                    .any(|h| h.split_once(':').is_some_and(|(a, _)| a == alg))
            });
            if used {
                out.push(alg);
            }
        }
        out
    }
}

// ---------------------------------------------------------------------------------------------
// Policy

/// The policy file: who must have published each package.
#[derive(Debug, Clone, Default)]
pub struct LockPolicy {
    /// The policy file as given.
    pub path: String,
    /// Every distribution must carry an attestation that verifies.
    pub require_attestations: bool,
    /// Expected Trusted Publisher by normalized package name.
    pub publishers: BTreeMap<String, Publisher>,
}

/// Why a publisher in the policy syntax does not parse; the message quotes it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PublisherError {
    /// No `kind:` prefix.
    #[error(
        "`{0}`: expected `github:OWNER/NAME workflow=FILE`, `gitlab:GROUP/PROJECT workflow=PATH` or `google:EMAIL`"
    )]
    Syntax(String),
    /// A word that is not the one `workflow=FILE`.
    #[error("`{text}`: unexpected `{word}` (only one `workflow=FILE`)")]
    Unexpected {
        /// The publisher as written.
        text: String,
        /// The word.
        word: String,
    },
    /// The repository is not `OWNER/NAME` (`GROUP/…/PROJECT` on GitLab).
    #[error("`{text}`: `{subject}` is not an OWNER/NAME repository")]
    Repository {
        /// The publisher as written.
        text: String,
        /// The repository as written.
        subject: String,
    },
    /// A GitHub or GitLab publisher without `workflow=`.
    #[error("`{text}`: a {kind} publisher needs its workflow (`workflow=FILE`)")]
    NoWorkflow {
        /// The publisher as written.
        text: String,
        /// `github` or `gitlab`.
        kind: String,
    },
    /// A GitHub workflow given as a path.
    #[error("`{0}`: give the workflow's file name under .github/workflows/ (`release.yml`)")]
    WorkflowPath(String),
    /// A Google publisher that is not one service-account email.
    #[error("`{0}`: expected `google:SERVICE-ACCOUNT-EMAIL`")]
    Google(String),
    /// A kind other than github, gitlab and google.
    #[error("`{text}`: unknown publisher kind `{kind}` (github, gitlab, google)")]
    UnknownKind {
        /// The publisher as written.
        text: String,
        /// The kind.
        kind: String,
    },
}

/// Parses a publisher in the policy syntax: `github:OWNER/NAME workflow=FILE`,
/// `gitlab:NAMESPACE/PROJECT workflow=PATH`, or `google:EMAIL`.
pub fn parse_publisher(s: &str) -> Result<Publisher, PublisherError> {
    let s = s.trim();
    let (kind, rest) = s
        .split_once(':')
        .ok_or_else(|| PublisherError::Syntax(s.to_string()))?;
    let mut words = rest.split_whitespace();
    let subject = words.next().unwrap_or("");
    let mut workflow = None;
    for w in words {
        match w.split_once('=') {
            Some(("workflow", v)) if !v.is_empty() && workflow.is_none() => {
                workflow = Some(v.to_string());
            }
            _ => {
                return Err(PublisherError::Unexpected {
                    text: s.to_string(),
                    word: w.to_string(),
                });
            }
        }
    }
    let repo_ok = |r: &str| {
        let mut parts = r.split('/');
        r.split('/').count() >= 2 && parts.all(|p| !p.is_empty())
    };
    match kind {
        "github" | "gitlab" => {
            if !repo_ok(subject) || (kind == "github" && subject.split('/').count() != 2) {
                return Err(PublisherError::Repository {
                    text: s.to_string(),
                    subject: subject.to_string(),
                });
            }
            let Some(workflow) = workflow else {
                return Err(PublisherError::NoWorkflow {
                    text: s.to_string(),
                    kind: kind.to_string(),
                });
            };
            if kind == "github" {
                if workflow.contains('/') {
                    return Err(PublisherError::WorkflowPath(s.to_string()));
                }
                Ok(Publisher::GitHub {
                    repository: subject.to_string(),
                    workflow,
                })
            } else {
                Ok(Publisher::GitLab {
                    repository: subject.to_string(),
                    workflow_filepath: workflow,
                })
            }
        }
        "google" => {
            if workflow.is_some() || !subject.contains('@') {
                return Err(PublisherError::Google(s.to_string()));
            }
            Ok(Publisher::Google {
                email: subject.to_string(),
            })
        }
        other => Err(PublisherError::UnknownKind {
            text: s.to_string(),
            kind: other.to_string(),
        }),
    }
}

/// Largest policy or TOFU file read.
pub const MAX_CONFIG_BYTES: usize = 4 * 1024 * 1024;

impl LockPolicy {
    /// Parses a policy file. Errors name the file and line.
    pub fn parse(path: &str, text: &str) -> Result<LockPolicy, LockError> {
        if text.len() > MAX_CONFIG_BYTES {
            return Err(lock_error(
                path,
                None,
                format!("larger than {MAX_CONFIG_BYTES} bytes"),
            ));
        }
        let src = SourceFile::new(text);
        let line = |offset: usize| u32::try_from(src.line_of(offset)).ok();
        let doc = toml::de::DeTable::parse(text).map_err(|e| {
            lock_error(
                path,
                e.span().and_then(|r| line(r.start)),
                format!("TOML syntax error: {}", e.message().trim()),
            )
        })?;
        let mut policy = LockPolicy {
            path: path.to_string(),
            ..LockPolicy::default()
        };
        let mut lines: BTreeMap<String, (u32, String)> = BTreeMap::new();
        for (key, value) in doc.get_ref().iter() {
            let at = line(key.span().start);
            match key.get_ref().as_ref() {
                "require-attestations" => {
                    policy.require_attestations = value.get_ref().as_bool().ok_or_else(|| {
                        lock_error(path, at, "`require-attestations` must be true or false")
                    })?;
                }
                "publishers" => {
                    let table = value.get_ref().as_table().ok_or_else(|| {
                        lock_error(
                            path,
                            at,
                            "`publishers` must be a table of `package = \"publisher\"`",
                        )
                    })?;
                    for (name, v) in table.iter() {
                        let at = line(name.span().start);
                        let raw = name.get_ref().as_ref();
                        let s = v.get_ref().as_str().ok_or_else(|| {
                            lock_error(
                                path,
                                at,
                                format!("`{raw}`: the publisher must be a string like \"github:OWNER/NAME workflow=FILE\""),
                            )
                        })?;
                        let publisher = parse_publisher(s).map_err(|m| lock_error(path, at, m))?;
                        let norm = PackageName::new(raw)
                            .map_err(|e| lock_error(path, at, e))?
                            .as_str()
                            .to_string();
                        if let Some((first, first_raw)) = lines.get(&norm) {
                            return Err(lock_error(
                                path,
                                at,
                                format!(
                                    "`{raw}` is the same package as `{first_raw}` on line {first}"
                                ),
                            ));
                        }
                        lines.insert(norm.clone(), (at.unwrap_or(0), raw.to_string()));
                        policy.publishers.insert(norm, publisher);
                    }
                }
                other => {
                    return Err(lock_error(
                        path,
                        at,
                        format!(
                            "unknown key `{other}` (expected `require-attestations` or `[publishers]`)"
                        ),
                    ));
                }
            }
        }
        Ok(policy)
    }
}

// ---------------------------------------------------------------------------------------------
// Trust on first use

/// The trust-on-first-use record: the publisher first seen for each package.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tofu {
    /// Format version (1).
    pub version: u32,
    /// Record per normalized package name.
    pub packages: BTreeMap<String, TofuRecord>,
}

/// One package's recorded publisher.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TofuRecord {
    /// The publisher in policy syntax (`github:OWNER/NAME workflow=FILE`).
    pub publisher: String,
    /// The version whose attestation first showed this publisher.
    pub since: String,
    /// The latest version verified with this publisher.
    pub last: String,
}

impl Tofu {
    /// An empty record (a first run).
    pub fn new() -> Tofu {
        Tofu {
            version: 1,
            packages: BTreeMap::new(),
        }
    }

    /// Reads a record; every publisher in it must parse.
    pub fn parse(path: &str, text: &str) -> Result<Tofu, LockError> {
        if text.len() > MAX_CONFIG_BYTES {
            return Err(lock_error(
                path,
                None,
                format!("larger than {MAX_CONFIG_BYTES} bytes"),
            ));
        }
        let tofu: Tofu = serde_json::from_str(text).map_err(|e| {
            lock_error(
                path,
                u32::try_from(e.line()).ok().filter(|l| *l > 0),
                format!("not a Garrison TOFU record: {e}"),
            )
        })?;
        if tofu.version != 1 {
            return Err(lock_error(
                path,
                None,
                format!("unsupported TOFU record version {}", tofu.version),
            ));
        }
        for (name, r) in &tofu.packages {
            parse_publisher(&r.publisher)
                .map_err(|m| lock_error(path, None, format!("package `{name}`: {m}")))?;
        }
        Ok(tofu)
    }

    /// The record as pretty JSON with a final newline.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default() + "\n"
    }

    fn publisher(&self, name: &str) -> Option<(Publisher, &TofuRecord)> {
        let r = self.packages.get(name)?;
        parse_publisher(&r.publisher).ok().map(|p| (p, r))
    }
}

/// Writes `bytes` to `path` atomically: a temporary file in the same directory, synced, then
/// renamed over `path`.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "tofu".into());
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

// ---------------------------------------------------------------------------------------------
// The directory

/// What an attestation file next to a distribution is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AttestationKind {
    /// A PEP 740 attestation object (`DIST.publish.attestation`, `DIST.attestation`).
    Object,
    /// A PyPI provenance object (`DIST.provenance`).
    Provenance,
}

/// Suffixes of attestation files, in the order they are looked for.
pub const ATTESTATION_SUFFIXES: &[(&str, AttestationKind)] = &[
    (".publish.attestation", AttestationKind::Object),
    (".slsa.attestation", AttestationKind::Object),
    (".attestation", AttestationKind::Object),
    (".provenance", AttestationKind::Provenance),
];

/// An attestation file read for a distribution.
#[derive(Debug, Clone)]
pub struct AttestationFile {
    /// Where it was read.
    pub path: String,
    /// Attestation object or provenance object.
    pub kind: AttestationKind,
    /// Its content.
    pub bytes: Vec<u8>,
    /// Why it could not be read (oversized, a link out of the directory, ...): such an
    /// attestation counts as one that does not verify.
    pub error: Option<String>,
}

/// A distribution file, hashed.
#[derive(Debug, Clone)]
pub struct DistFile {
    /// The file name.
    pub filename: String,
    /// Where it was read (for messages).
    pub path: String,
    /// Its sha256.
    pub sha256: [u8; 32],
    /// Other digests the lock needs (`sha384`, `sha512`), lowercase hex.
    pub other: Vec<(String, String)>,
    /// Attestations found for it.
    pub attestations: Vec<AttestationFile>,
}

impl DistFile {
    /// A distribution known only by name and sha256 (no file), e.g. to check attestations
    /// against the digest a lock records.
    pub fn from_digest(filename: &str, sha256: [u8; 32]) -> DistFile {
        DistFile {
            filename: filename.to_string(),
            path: filename.to_string(),
            sha256,
            other: Vec::new(),
            attestations: Vec::new(),
        }
    }

    /// The digest of algorithm `alg` (`sha256`, `sha384`, `sha512`) in lowercase hex, when computed.
    pub fn digest_hex(&self, alg: &str) -> Option<String> {
        if alg == "sha256" {
            return Some(hex(&self.sha256));
        }
        self.other
            .iter()
            .find(|(a, _)| a == alg)
            .map(|(_, h)| h.clone())
    }
}

pub use garrison_source::hex::encode as hex;

/// Parses a `sha256:HEX` / bare hex digest.
pub fn parse_sha256(s: &str) -> Option<[u8; 32]> {
    let h = s.strip_prefix("sha256:").unwrap_or(s);
    if h.len() != 64 || !h.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, slot) in out.iter_mut().enumerate() {
        *slot = u8::from_str_radix(h.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

fn is_dist_name(name: &str) -> bool {
    [".whl", ".tar.gz", ".zip", ".tar.bz2", ".tgz", ".tar"]
        .iter()
        .any(|s| name.to_ascii_lowercase().ends_with(s))
}

fn is_attestation_name(name: &str) -> bool {
    ATTESTATION_SUFFIXES.iter().any(|(s, _)| name.ends_with(s))
}

/// Why a file of the directory was not read (a note in the report).
#[derive(Debug, thiserror::Error)]
enum FileProblem {
    #[error("cannot read: {0}")]
    Read(std::io::Error),
    #[error("symlink does not resolve: {0}")]
    Unresolved(std::io::Error),
    #[error("symlink leaves the directory (to {}); not read", .0.display())]
    LinkEscapes(std::path::PathBuf),
    #[error("not a regular file; not read")]
    NotAFile,
    #[error("cannot open: {0}")]
    Open(std::io::Error),
    #[error("cannot stat: {0}")]
    Stat(std::io::Error),
    #[error("{len} bytes, over the {max}-byte limit; not read")]
    TooLarge { len: u64, max: u64 },
    #[error("over the {0}-byte limit; not read")]
    Over(u64),
    #[error("{0}")]
    Bounded(garrison_source::read::ReadError),
    #[error("grew over the {0}-byte limit while read; not hashed")]
    Grew(u64),
}

/// A regular file inside `dir` (itself, or a symlink whose target stays inside `dir`), opened
/// without following it anywhere else; `Err(problem)` otherwise.
fn open_inside(
    dir_canon: &Path,
    path: &Path,
    max: u64,
) -> Result<Option<(std::fs::File, u64)>, FileProblem> {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(FileProblem::Read(e)),
    };
    // A link is opened at its resolved target (checked to be inside the directory), so the
    // open does not follow a link swapped in after the check.
    let mut open_path = path.to_path_buf();
    if meta.file_type().is_symlink() {
        let target = std::fs::canonicalize(path).map_err(FileProblem::Unresolved)?;
        if !target.starts_with(dir_canon) {
            return Err(FileProblem::LinkEscapes(target));
        }
        open_path = target;
    } else if !meta.is_file() {
        return Err(FileProblem::NotAFile);
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.read(true);
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        // O_NONBLOCK: a file swapped for a FIFO after the check above cannot block the open.
        const O_NONBLOCK: i32 = 0o4000;
        opts.custom_flags(O_NONBLOCK);
    }
    let file = opts.open(&open_path).map_err(FileProblem::Open)?;
    let meta = file.metadata().map_err(FileProblem::Stat)?;
    if !meta.is_file() {
        return Err(FileProblem::NotAFile);
    }
    if meta.len() > max {
        return Err(FileProblem::TooLarge {
            len: meta.len(),
            max,
        });
    }
    Ok(Some((file, meta.len())))
}

fn read_bounded(file: std::fs::File, max: u64) -> Result<Vec<u8>, FileProblem> {
    use garrison_source::read::{ReadError, read_to_limit};
    read_to_limit(file, max).map_err(|e| match e {
        ReadError::TooLarge { .. } => FileProblem::Over(max),
        e => FileProblem::Bounded(e),
    })
}

/// sha256 and the other digests asked for (algorithm, hex).
type Digests = ([u8; 32], Vec<(String, String)>);

fn hash_file(file: std::fs::File, max: u64, extra: &[&str]) -> Result<Digests, FileProblem> {
    let mut s256 = Sha256::new();
    let mut s384 = extra.contains(&"sha384").then(Sha384::new);
    let mut s512 = extra.contains(&"sha512").then(Sha512::new);
    let mut reader = file.take(max + 1);
    let mut buf = vec![0u8; 256 * 1024];
    let mut total = 0u64;
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(FileProblem::Read(e)),
        };
        total += n as u64;
        if total > max {
            return Err(FileProblem::Grew(max));
        }
        let chunk = buf.get(..n).unwrap_or_default();
        s256.update(chunk);
        if let Some(h) = s384.as_mut() {
            h.update(chunk);
        }
        if let Some(h) = s512.as_mut() {
            h.update(chunk);
        }
    }
    let mut other = Vec::new();
    if let Some(h) = s384 {
        other.push(("sha384".to_string(), hex(&h.finalize())));
    }
    if let Some(h) = s512 {
        other.push(("sha512".to_string(), hex(&h.finalize())));
    }
    Ok((s256.finalize().into(), other))
}

/// Most "not a distribution" notes listed one by one.
const MAX_IGNORED_NOTES: usize = 20;

/// Reads every distribution file of `dir` (not recursively), hashing in parallel, and the
/// attestations next to each (in `dir`, then in each of `attestation_dirs`). Returns the files
/// sorted by name and notes about what was skipped.
pub fn scan_dir(
    dir: &Path,
    attestation_dirs: &[&Path],
    extra_algorithms: &[&str],
    limits: &LockLimits,
) -> Result<(Vec<DistFile>, Vec<String>), LockError> {
    let shown = dir.display().to_string();
    let canon = |d: &Path| {
        std::fs::canonicalize(d).map_err(|e| {
            lock_error(
                &d.display().to_string(),
                None,
                format!("cannot open directory: {e}"),
            )
        })
    };
    let dir_canon = canon(dir)?;
    let att_canon = attestation_dirs
        .iter()
        .map(|d| canon(d).map(|c| (d.to_path_buf(), c)))
        .collect::<Result<Vec<_>, _>>()?;
    let entries = std::fs::read_dir(dir)
        .map_err(|e| lock_error(&shown, None, format!("cannot list: {e}")))?;
    let mut names = Vec::new();
    let mut notes = Vec::new();
    let mut ignored = 0usize;
    for (seen, entry) in entries.enumerate() {
        if seen >= limits.max_entries {
            notes.push(format!(
                "{shown}: more than {} entries; the rest are not read",
                limits.max_entries
            ));
            break;
        }
        let entry = entry.map_err(|e| lock_error(&shown, None, format!("cannot list: {e}")))?;
        let Some(name) = entry.file_name().to_str().map(str::to_string) else {
            notes.push(format!(
                "{shown}: {:?}: file name is not UTF-8; not read",
                entry.file_name()
            ));
            continue;
        };
        if is_attestation_name(&name) {
            continue;
        }
        if !is_dist_name(&name) {
            ignored += 1;
            if ignored <= MAX_IGNORED_NOTES {
                notes.push(format!(
                    "{shown}/{name}: not a wheel or sdist file name; ignored"
                ));
            }
            continue;
        }
        names.push(name);
    }
    if ignored > MAX_IGNORED_NOTES {
        notes.push(format!(
            "{shown}: {} more files that are not wheels or sdists ignored",
            ignored - MAX_IGNORED_NOTES
        ));
    }
    names.sort();
    let results: Vec<Result<Option<DistFile>, (String, FileProblem)>> = names
        .par_iter()
        .map(|name| {
            let path = dir.join(name);
            let shown_path = path.display().to_string();
            let Some((file, _len)) = open_inside(&dir_canon, &path, limits.max_dist_bytes)
                .map_err(|e| (shown_path.clone(), e))?
            else {
                return Ok(None);
            };
            let (sha256, other) = hash_file(file, limits.max_dist_bytes, extra_algorithms)
                .map_err(|e| (shown_path.clone(), e))?;
            let mut attestations = Vec::new();
            let dirs = std::iter::once((dir.to_path_buf(), dir_canon.clone()))
                .chain(att_canon.iter().cloned());
            for (d, d_canon) in dirs {
                for (suffix, kind) in ATTESTATION_SUFFIXES {
                    let p = d.join(format!("{name}{suffix}"));
                    let read =
                        open_inside(&d_canon, &p, limits.max_attestation_bytes).and_then(|f| {
                            f.map(|(f, _)| read_bounded(f, limits.max_attestation_bytes))
                                .transpose()
                        });
                    let (bytes, error) = match read {
                        Ok(None) => continue,
                        Ok(Some(bytes)) => (bytes, None),
                        Err(e) => (Vec::new(), Some(e.to_string())),
                    };
                    attestations.push(AttestationFile {
                        path: p.display().to_string(),
                        kind: *kind,
                        bytes,
                        error,
                    });
                }
            }
            Ok(Some(DistFile {
                filename: name.clone(),
                path: shown_path,
                sha256,
                other,
                attestations,
            }))
        })
        .collect();
    let mut files = Vec::new();
    for r in results {
        match r {
            Ok(Some(f)) => {
                for a in &f.attestations {
                    if let Some(e) = &a.error {
                        notes.push(format!("{}: {e}", a.path));
                    }
                }
                files.push(f);
            }
            Ok(None) => {}
            Err((path, e)) => notes.push(format!("{path}: {e}")),
        }
    }
    Ok((files, notes))
}

// ---------------------------------------------------------------------------------------------
// Verification

/// What happened to one file (or one missing package).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// Hash as locked, and an attestation verified against the expected publisher (policy or
    /// TOFU record), or against its own signer when nothing names a publisher (said in the
    /// detail).
    Verified,
    /// Hash as locked; no publisher is expected for the package and no attestation is present.
    HashOk,
    /// A publisher is expected (policy, TOFU record, `require-attestations`) but no
    /// attestation was found.
    Unattested,
    /// An attestation is present but is invalid, or was signed by another publisher.
    IdentityMismatch,
    /// The file's digest is not one the lock records for it (or the lock records none usable).
    HashMismatch,
    /// A locked package with none of its files in the directory.
    Missing,
    /// A file in the directory the lock does not name.
    NotInLock,
}

impl Outcome {
    /// The kebab-case name used in tables and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Verified => "verified",
            Outcome::HashOk => "hash-ok",
            Outcome::Unattested => "unattested",
            Outcome::IdentityMismatch => "identity-mismatch",
            Outcome::HashMismatch => "hash-mismatch",
            Outcome::Missing => "missing",
            Outcome::NotInLock => "not-in-lock",
        }
    }

    /// Whether this outcome fails the run: any mismatch, a required attestation absent, a file
    /// the lock does not name; `missing` only when `require_all`.
    pub fn fails(self, require_all: bool) -> bool {
        match self {
            Outcome::Verified | Outcome::HashOk => false,
            Outcome::Missing => require_all,
            _ => true,
        }
    }

    /// Every outcome, in table order.
    pub const ALL: [Outcome; 7] = [
        Outcome::Verified,
        Outcome::HashOk,
        Outcome::Unattested,
        Outcome::IdentityMismatch,
        Outcome::HashMismatch,
        Outcome::Missing,
        Outcome::NotInLock,
    ];
}

/// One line of the outcome table.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// The distribution file name (for `missing`, the package's first locked file or
    /// `name==version`).
    pub file: String,
    /// Normalized package name (from the lock, or from the file name).
    pub package: String,
    /// Version (from the lock, or from the file name).
    pub version: String,
    /// The outcome.
    pub outcome: Outcome,
    /// Why, in one sentence.
    pub detail: String,
    /// The publisher whose attestation verified, in policy syntax.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub publisher: Option<String>,
    /// The file's sha256 (hex), when it was read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// Where the file was read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The lock entry's first line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lock_line: Option<u32>,
    /// The publisher differs from (or vanished since) the TOFU record.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub publisher_changed: bool,
    /// The lock entry's span (for findings).
    #[serde(skip)]
    pub span: Option<Span>,
}

/// The result of [`verify`].
#[derive(Debug, Clone, Serialize)]
pub struct LockReport {
    /// The lock file.
    pub lock: String,
    /// The directory.
    pub dir: String,
    /// One row per distribution file, then one per missing package.
    pub rows: Vec<Row>,
    /// Count per outcome.
    pub summary: BTreeMap<&'static str, usize>,
    /// Locked packages checked.
    pub packages: usize,
    /// What was skipped or not checked, and why.
    pub notes: Vec<String>,
    /// The TOFU record changed (new identities, or accepted changes).
    pub tofu_changed: bool,
}

/// How [`verify`] judges attestations.
pub struct VerifyContext<'a> {
    /// The policy.
    pub policy: &'a LockPolicy,
    /// The TOFU record, when trust on first use is on.
    pub tofu: Option<&'a mut Tofu>,
    /// Accept publisher changes and vanished publishers into the TOFU record.
    pub tofu_update: bool,
    /// The Sigstore trust root.
    pub root: &'a TrustedRoot,
    /// The directory as given (for the report).
    pub dir: String,
    /// Limits.
    pub limits: LockLimits,
}

enum Match {
    /// A locked file: package index, file index.
    File(usize, usize),
    /// A locked package without per-file list (requirements).
    Pool(usize),
    /// Not in the lock: why, and the name/version the file name gives.
    None(String, String, String),
}

pub use crate::archive::dist_name_version;

/// Why an attestation candidate does not count.
#[derive(Debug, thiserror::Error)]
enum AttestationProblem {
    /// The file could not be read or parsed (the message names it).
    #[error("{0}")]
    Unreadable(String),
    /// It does not verify.
    #[error(transparent)]
    Invalid(garrison_sigstore::VerifyError),
}

/// One attestation candidate's result.
struct Checked {
    source: String,
    result: Result<Option<Publisher>, AttestationProblem>,
    signer: Option<String>,
}

fn candidates(dist: &DistFile, max: usize) -> (Vec<(String, Vec<u8>)>, Vec<String>) {
    let mut out = Vec::new();
    let mut errs = Vec::new();
    for a in &dist.attestations {
        if let Some(e) = &a.error {
            errs.push(format!("{}: {e}", a.path));
            continue;
        }
        match a.kind {
            AttestationKind::Object => out.push((a.path.clone(), a.bytes.clone())),
            AttestationKind::Provenance => match pep740::parse_provenance(&a.bytes) {
                Ok(entries) => {
                    for e in entries {
                        for (i, att) in e.attestations.into_iter().enumerate() {
                            out.push((format!("{} (#{})", a.path, i + 1), att));
                        }
                    }
                }
                Err(e) => errs.push(format!("{}: {e}", a.path)),
            },
        }
    }
    out.truncate(max);
    (out, errs)
}

fn check_attestations(dist: &DistFile, root: &TrustedRoot, max: usize) -> Vec<Checked> {
    let (cands, errs) = candidates(dist, max);
    let mut out: Vec<Checked> = errs
        .into_iter()
        .map(|e| Checked {
            source: String::new(),
            result: Err(AttestationProblem::Unreadable(e)),
            signer: None,
        })
        .collect();
    out.extend(cands.into_iter().map(|(source, bytes)| {
        match pep740::verify_attestation_signer(&bytes, &dist.filename, dist.sha256, root) {
            Ok((v, p)) => Checked {
                source,
                result: Ok(p),
                signer: Some(format!(
                    "{} (issuer {})",
                    v.verified.identity.as_deref().unwrap_or("?"),
                    v.verified.issuer.as_deref().unwrap_or("?")
                )),
            },
            Err(e) => Checked {
                source,
                result: Err(AttestationProblem::Invalid(e)),
                signer: None,
            },
        }
    }));
    out
}

/// Classifies every file of `dists` against `lock` (see the module documentation), checking
/// attestations in parallel and updating the TOFU record in `ctx` in file-name order.
pub fn verify(lock: &Lock, dists: &[DistFile], ctx: &mut VerifyContext<'_>) -> LockReport {
    let mut by_file: HashMap<&str, (usize, usize)> = HashMap::new();
    let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
    for (pi, p) in lock.packages.iter().enumerate() {
        for (fi, f) in p.files.iter().enumerate() {
            by_file.entry(f.filename.as_str()).or_insert((pi, fi));
        }
        by_name.entry(p.name.as_str()).or_default().push(pi);
    }
    let mut present = vec![false; lock.packages.len()];
    // Stage 1: match and hash check.
    // The hash check of each matched file (`None` for files the lock does not name).
    type HashCheck = Option<Result<(), HashProblem>>;
    let mut staged: Vec<(usize, Match, HashCheck)> = Vec::new();
    for (di, d) in dists.iter().enumerate() {
        let m = if let Some(&(pi, fi)) = by_file.get(d.filename.as_str()) {
            Match::File(pi, fi)
        } else {
            match dist_name_version(&d.filename) {
                None => Match::None(
                    "not a valid wheel or sdist file name".into(),
                    String::new(),
                    String::new(),
                ),
                Some((name, version)) => {
                    let same: Vec<usize> = by_name
                        .get(name.as_str())
                        .map(|v| {
                            v.iter()
                                .copied()
                                .filter(|&pi| {
                                    lock.packages
                                        .get(pi)
                                        .and_then(|p| p.version.as_deref())
                                        .is_some_and(|lv| same_version(lv, &version))
                                })
                                .collect()
                        })
                        .unwrap_or_default();
                    let pool = same
                        .iter()
                        .copied()
                        .find(|&pi| lock.packages.get(pi).is_some_and(|p| p.files.is_empty()));
                    match (pool, same.first()) {
                        (Some(pi), _) => Match::Pool(pi),
                        (None, Some(&pi)) => {
                            let p = lock.packages.get(pi);
                            let which = match p.map_or(0, |p| p.files.len()) {
                                1 => "its locked file".to_string(),
                                n => format!("one of its {n} locked files"),
                            };
                            Match::None(
                                format!(
                                    "{} {version} is locked (line {}), but this file is not {which}",
                                    name.as_str(),
                                    p.map_or(0, |p| p.span.start_line),
                                ),
                                name.as_str().to_string(),
                                version,
                            )
                        }
                        (None, None) => {
                            let others: Vec<String> = by_name
                                .get(name.as_str())
                                .map(|v| {
                                    v.iter()
                                        .filter_map(|&pi| lock.packages.get(pi)?.version.clone())
                                        .collect()
                                })
                                .unwrap_or_default();
                            let why = if others.is_empty() {
                                format!("the lock has no package `{}`", name.as_str())
                            } else {
                                format!(
                                    "the lock pins {} {}, not {version}",
                                    name.as_str(),
                                    others.join(", ")
                                )
                            };
                            Match::None(why, name.as_str().to_string(), version)
                        }
                    }
                }
            }
        };
        let hash = match &m {
            Match::File(pi, fi) => {
                let p = &lock.packages[*pi];
                present[*pi] = true;
                Some(check_hashes(d, &p.files[*fi].hashes, p.span.start_line))
            }
            Match::Pool(pi) => {
                let p = &lock.packages[*pi];
                present[*pi] = true;
                Some(check_hashes(d, &p.hashes, p.span.start_line))
            }
            Match::None(..) => None,
        };
        staged.push((di, m, hash));
    }
    // Stage 2: attestations of the files whose hash is as locked, in parallel.
    let root = ctx.root;
    let max = ctx.limits.max_attestations_per_dist;
    let checked: Vec<Vec<Checked>> = staged
        .par_iter()
        .map(|(di, _, hash)| match (hash, dists.get(*di)) {
            (Some(Ok(())), Some(d)) if !d.attestations.is_empty() => {
                check_attestations(d, root, max)
            }
            _ => Vec::new(),
        })
        .collect();
    // Stage 3: classification, in file order (TOFU updates are sequential).
    let mut rows = Vec::new();
    let mut tofu_changed = false;
    for ((di, m, hash), checked) in staged.into_iter().zip(checked) {
        let Some(d) = dists.get(di) else { continue };
        let mut row = Row {
            file: d.filename.clone(),
            package: String::new(),
            version: String::new(),
            outcome: Outcome::HashOk,
            detail: String::new(),
            publisher: None,
            sha256: Some(hex(&d.sha256)),
            path: Some(d.path.clone()),
            lock_line: None,
            publisher_changed: false,
            span: None,
        };
        let pi = match m {
            Match::None(why, name, version) => {
                row.package = name;
                row.version = version;
                row.outcome = Outcome::NotInLock;
                row.detail = why;
                rows.push(row);
                continue;
            }
            Match::File(pi, _) | Match::Pool(pi) => pi,
        };
        let Some(p) = lock.packages.get(pi) else {
            continue;
        };
        row.package = p.name.as_str().to_string();
        row.version = p.version.clone().unwrap_or_default();
        row.lock_line = Some(p.span.start_line);
        row.span = Some(p.span);
        if let Some(Err(why)) = hash {
            row.outcome = Outcome::HashMismatch;
            row.detail = why.to_string();
            rows.push(row);
            continue;
        }
        tofu_changed |= judge(&mut row, &checked, ctx);
        rows.push(row);
    }
    // Missing packages.
    for (pi, p) in lock.packages.iter().enumerate() {
        if present[pi] {
            continue;
        }
        let version = p.version.clone().unwrap_or_default();
        let (file, detail) = match p.files.first() {
            Some(f) => (
                f.filename.clone(),
                match p.files.len() {
                    1 => format!("its locked file is not in {}", ctx.dir),
                    n => format!("none of its {n} locked files is in {}", ctx.dir),
                },
            ),
            None => (
                format!("{}=={version}", p.name.as_str()),
                format!(
                    "no wheel or sdist of {} {version} in {}",
                    p.name.as_str(),
                    ctx.dir
                ),
            ),
        };
        rows.push(Row {
            file,
            package: p.name.as_str().to_string(),
            version,
            outcome: Outcome::Missing,
            detail,
            publisher: None,
            sha256: None,
            path: None,
            lock_line: Some(p.span.start_line),
            publisher_changed: false,
            span: Some(p.span),
        });
    }
    let mut summary: BTreeMap<&'static str, usize> =
        Outcome::ALL.iter().map(|o| (o.as_str(), 0)).collect();
    for r in &rows {
        *summary.entry(r.outcome.as_str()).or_default() += 1;
    }
    LockReport {
        lock: lock.path.clone(),
        dir: ctx.dir.clone(),
        rows,
        summary,
        packages: lock.packages.len(),
        notes: lock.notes.clone(),
        tofu_changed,
    }
}

/// Sets the outcome of a file whose hash is as locked from its attestation results, the
/// policy and the TOFU record. Returns whether the TOFU record changed.
fn judge(row: &mut Row, checked: &[Checked], ctx: &mut VerifyContext<'_>) -> bool {
    let name = row.package.clone();
    let version = row.version.clone();
    let policy_pub = ctx.policy.publishers.get(&name).cloned();
    let tofu_pub = if policy_pub.is_none() {
        ctx.tofu
            .as_deref()
            .and_then(|t| t.publisher(&name).map(|(p, r)| (p, r.since.clone())))
    } else {
        None
    };
    let verified: Vec<(&Checked, &Publisher)> = checked
        .iter()
        .filter_map(|c| match &c.result {
            Ok(Some(p)) => Some((c, p)),
            _ => None,
        })
        .collect();
    let first_error = checked.iter().find_map(|c| match &c.result {
        Err(e) if c.source.is_empty() => Some(e.to_string()),
        Err(e) => Some(format!("{}: {e}", c.source)),
        Ok(_) => None,
    });
    let untrusted_signer = checked
        .iter()
        .find(|c| matches!(c.result, Ok(None)))
        .and_then(|c| c.signer.clone());

    if let Some(expected) = &policy_pub {
        if let Some((_, p)) = verified.iter().find(|(_, p)| p.same_as(expected)) {
            row.outcome = Outcome::Verified;
            row.publisher = Some(p.to_string());
            row.detail = format!("attested by {p}, as the policy requires");
        } else if let Some((_, p)) = verified.first() {
            row.outcome = Outcome::IdentityMismatch;
            row.publisher = Some(p.to_string());
            row.detail = format!("attested by {p}, but the policy requires {expected}");
        } else if let Some(s) = untrusted_signer {
            row.outcome = Outcome::IdentityMismatch;
            row.detail =
                format!("signed by {s}, not a Trusted Publisher; the policy requires {expected}");
        } else if let Some(e) = first_error {
            row.outcome = Outcome::IdentityMismatch;
            row.detail = format!("attestation does not verify: {e}");
        } else {
            row.outcome = Outcome::Unattested;
            row.detail = format!("no attestation found; the policy requires one from {expected}");
        }
        return false;
    }

    if let Some((recorded, since)) = tofu_pub {
        if let Some((_, p)) = verified.iter().find(|(_, p)| p.same_as(&recorded)) {
            row.outcome = Outcome::Verified;
            row.publisher = Some(p.to_string());
            row.detail = format!("attested by {p}, as recorded since version {since}");
            if let Some(r) = ctx
                .tofu
                .as_deref_mut()
                .and_then(|t| t.packages.get_mut(&name))
                && r.last != version
            {
                r.last = version;
                return true;
            }
            return false;
        }
        if let Some((_, p)) = verified.first() {
            row.publisher = Some(p.to_string());
            row.publisher_changed = true;
            if ctx.tofu_update {
                row.outcome = Outcome::Verified;
                row.detail = format!(
                    "publisher changed from {recorded} (since version {since}) to {p}; accepted by --tofu-update"
                );
                if let Some(t) = ctx.tofu.as_deref_mut() {
                    t.packages.insert(
                        name,
                        TofuRecord {
                            publisher: p.to_string(),
                            since: version.clone(),
                            last: version,
                        },
                    );
                }
                return true;
            }
            row.outcome = Outcome::IdentityMismatch;
            row.detail = format!(
                "publisher changed from {recorded} (recorded since version {since}) to {p}"
            );
            return false;
        }
        if let Some(e) = first_error
            .or_else(|| untrusted_signer.map(|s| format!("signed by {s}, not a Trusted Publisher")))
        {
            row.outcome = Outcome::IdentityMismatch;
            row.detail = format!("attestation does not verify against {recorded}: {e}");
            return false;
        }
        row.publisher_changed = true;
        if ctx.tofu_update {
            row.outcome = Outcome::HashOk;
            row.detail = format!(
                "publisher vanished: {recorded} attested since version {since}, this file has no attestation; record removed by --tofu-update"
            );
            if let Some(t) = ctx.tofu.as_deref_mut() {
                t.packages.remove(&name);
            }
            return true;
        }
        row.outcome = Outcome::Unattested;
        row.detail = format!(
            "publisher vanished: {recorded} attested since version {since}, this file has no attestation"
        );
        return false;
    }

    // Nothing names a publisher for this package.
    if let Some((_, p)) = verified.first() {
        row.outcome = Outcome::Verified;
        row.publisher = Some(p.to_string());
        if let Some(t) = ctx.tofu.as_deref_mut() {
            t.packages.insert(
                name,
                TofuRecord {
                    publisher: p.to_string(),
                    since: version.clone(),
                    last: version,
                },
            );
            row.detail = format!("attested by {p}; recorded on first use");
            return true;
        }
        row.detail = format!(
            "attested by {p}; no policy names a publisher for this package, so any Trusted Publisher is accepted"
        );
        return false;
    }
    if let Some(e) = first_error {
        row.outcome = Outcome::IdentityMismatch;
        row.detail = format!("attestation does not verify: {e}");
        return false;
    }
    if let Some(s) = untrusted_signer {
        if ctx.policy.require_attestations {
            row.outcome = Outcome::IdentityMismatch;
            row.detail =
                format!("signed by {s}, not a Trusted Publisher; the policy requires attestations");
        } else {
            row.outcome = Outcome::HashOk;
            row.detail = format!(
                "hash as locked; the attestation verifies but its signer {s} is not a Trusted Publisher"
            );
        }
        return false;
    }
    if ctx.policy.require_attestations {
        row.outcome = Outcome::Unattested;
        row.detail = "no attestation found; the policy requires attestations".into();
    } else {
        row.outcome = Outcome::HashOk;
        row.detail = "hash as locked; not attested, and no policy or TOFU record expects it".into();
    }
    false
}

impl LockReport {
    /// Whether the run fails (see [`Outcome::fails`]).
    pub fn fails(&self, require_all: bool) -> bool {
        self.rows.iter().any(|r| r.outcome.fails(require_all))
    }

    /// The `release/*` findings of the rows that are not `verified` or `hash-ok`, one per
    /// row, in row order (each rule of [`crate::registry::RULES`] judges each row).
    pub fn findings(&self) -> Vec<Finding> {
        let mut out = Vec::new();
        for r in &self.rows {
            for rule in crate::registry::RULES {
                rule.lock(self, r, &mut out);
            }
        }
        out
    }

    /// The finding of rule `meta` about row `r`. Findings about a locked package point at its
    /// lock entry; `not-in-lock` points at the file.
    pub(crate) fn row_finding(&self, meta: &'static garrison_report::RuleMeta, r: &Row) -> Finding {
        let location = match (r.outcome, r.span, &r.path) {
            (Outcome::NotInLock, _, Some(p)) => Location::file(p.clone()),
            (_, Some(span), _) => Location::span(self.lock.clone(), span),
            _ => Location::file(self.lock.clone()),
        }
        .with_route(r.file.clone());
        let mut b = Finding::builder(meta)
            .message(format!(
                "{} ({} {}): {}",
                r.file, r.package, r.version, r.detail
            ))
            .location(location)
            .evidence("file", r.file.clone())
            .evidence("outcome", r.outcome.as_str())
            .evidence("detail", r.detail.clone())
            .key(format!("{}:{}", r.outcome.as_str(), r.file));
        if let Some(p) = &r.publisher {
            b = b.evidence("publisher", p.clone());
        }
        if let Some(s) = &r.sha256 {
            b = b.evidence("sha256", s.clone());
        }
        let mut f = b.build();
        // The lock and the dists are named as given on the command line; the fingerprint
        // names them by file name only, so it is the same from any working directory.
        let name = |p: &str| {
            std::path::Path::new(p)
                .file_name()
                .map_or_else(|| p.to_string(), |n| n.to_string_lossy().into_owned())
        };
        match (r.outcome, &r.path) {
            (Outcome::NotInLock, Some(_)) => f.rekey_path(&format!("dists/{}", r.file)),
            _ => f.rekey_path(&format!("lock/{}", name(&self.lock))),
        }
        f
    }
}
