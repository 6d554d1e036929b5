//! The advisory database: import from OSV sources, a compact on-disk index, status.
//!
//! # Index format
//!
//! ```text
//! magic "GRSNADB\0" | format version u32 LE | header length u64 LE | header | payload
//! ```
//!
//! The header (postcard) holds the source description, counts, the newest `modified`, the
//! import time and a directory `package name → (offset, length)` into the payload; each
//! package's slice is the postcard encoding of the vulnerabilities that affect it. Loading
//! reads the file and decodes the header only; a package's vulnerabilities are decoded (and
//! their versions parsed) the first time that package is looked up. That is what makes loading
//! for a scan take a few milliseconds.
//!
//! The snapshot embedded in Garrison ([`crate::snapshot`]) is the same format with the magic
//! `GRSNAPZ\0` and each package's slice compressed with DEFLATE; [`Database::load`] reads both.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::{SystemTime, UNIX_EPOCH};

use garrison_python::PackageName;
use serde::{Deserialize, Serialize};

use crate::matching::PackageIndex;
use crate::merge::merge;
use crate::model::{Record, Vulnerability};
use crate::parse::{ParseError, record_from_json, record_from_yaml};

const MAGIC: &[u8; 8] = b"GRSNADB\0";
/// The magic of the same format with DEFLATE-compressed package slices (the embedded snapshot).
pub(crate) const DEFLATE_MAGIC: &[u8; 8] = b"GRSNAPZ\0";
/// Version of the on-disk index format; bumped on any incompatible change.
pub const FORMAT_VERSION: u32 = 1;

/// Most entries accepted in an OSV export zip.
pub const MAX_ZIP_ENTRIES: usize = 200_000;
/// Most bytes accepted for all records of one import, uncompressed.
pub const MAX_TOTAL_BYTES: u64 = 2 * 1024 * 1024 * 1024;
/// Most bytes accepted for one record.
pub const MAX_RECORD_BYTES: u64 = 16 * 1024 * 1024;
/// Largest database index or snapshot file [`Database::load`] reads (the index of the whole
/// OSV PyPI export is a few tens of MiB).
pub const MAX_INDEX_BYTES: u64 = 1024 * 1024 * 1024;
/// Deepest directory level walked when importing a directory.
const MAX_DIR_DEPTH: usize = 32;

/// An error that stops an import, a save or a load.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The error.
        #[source]
        source: std::io::Error,
    },
    /// The path is neither a directory, a zip, nor an OSV file.
    #[error(
        "{0}: not an advisory source (expected a PyPA advisory-database checkout, a directory of OSV JSON files, an OSV export zip, or one OSV .json/.yaml file)"
    )]
    UnknownSource(PathBuf),
    /// The zip could not be read.
    #[error("{path}: not a readable zip: {message}")]
    Zip {
        /// The path.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A size or count limit was exceeded.
    #[error("{path}: {message}")]
    Limit {
        /// The path.
        path: PathBuf,
        /// Which limit.
        message: String,
    },
    /// The index file is not a Garrison advisory index, or is damaged.
    #[error("{path}: {message}; re-import the advisories (`garrison db import`)")]
    BadIndex {
        /// The path.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The source holds no advisory for a PyPI package; nothing is written.
    #[error("{0}: no PyPI advisories in this source; refusing to write a snapshot without any")]
    Empty(PathBuf),
}

/// A package entry of a loaded index that cannot be decoded: the file is damaged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{package}: {problem}")]
pub struct IndexError {
    /// The normalized package name.
    pub package: String,
    /// What is wrong with its entry.
    pub problem: String,
}

/// A record that could not be imported; the other records still are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError {
    /// The file (or zip entry) the record is in.
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<u32>,
    /// 1-based column, when known.
    pub column: Option<u32>,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for ImportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "{}:{l}:{c}: {}", self.file, self.message),
            (Some(l), None) => write!(f, "{}:{l}: {}", self.file, self.message),
            _ => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

impl ImportError {
    fn new(file: &str, message: impl Into<String>) -> ImportError {
        ImportError {
            file: file.to_string(),
            line: None,
            column: None,
            message: message.into(),
        }
    }

    fn parse(file: &str, e: ParseError) -> ImportError {
        ImportError {
            file: file.to_string(),
            line: e.line,
            column: e.column,
            message: e.message,
        }
    }
}

/// What a database holds and where it comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    /// Where the records were imported from (kind and path; the git revision for a PyPA
    /// checkout that has a `SOURCE` file).
    pub source: String,
    /// Records read (withdrawn ones included).
    pub records: u64,
    /// Withdrawn records (counted, not indexed).
    pub withdrawn: u64,
    /// Records that could not be read.
    pub errors: u64,
    /// Vulnerabilities after merging aliases.
    pub vulnerabilities: u64,
    /// Distinct PyPI packages with at least one vulnerability.
    pub packages: u64,
    /// The newest `modified` timestamp among the records (RFC 3339, as written).
    pub newest_modified: String,
    /// When the import ran (seconds since the Unix epoch).
    pub imported_at: u64,
}

impl Status {
    /// Whole days between the newest `modified` and `now` (Unix seconds); `None` when the
    /// timestamp cannot be read. Reports and `garrison db status` warn when this exceeds
    /// [`crate::snapshot::STALE_AFTER_DAYS`].
    pub fn age_days(&self, now: u64) -> Option<u64> {
        let newest = rfc3339_to_unix(&self.newest_modified)?;
        let now = i64::try_from(now).ok()?;
        u64::try_from((now - newest).max(0) / 86_400).ok()
    }
}

/// Seconds since the Unix epoch of an RFC 3339 timestamp (`2023-08-17T13:32:44.929651Z`,
/// offsets accepted, fractions ignored).
pub fn rfc3339_to_unix(s: &str) -> Option<i64> {
    garrison_source::time::parse_timestamp(s)
}

/// The default database path: `$GARRISON_DB` when set; else `advisories.db` under the user's
/// data directory: `$XDG_DATA_HOME/garrison/` or `~/.local/share/garrison/` (Linux and other
/// Unix), `~/Library/Application Support/garrison/` (macOS), `%LOCALAPPDATA%\garrison\`
/// (Windows).
pub fn default_path() -> PathBuf {
    if let Some(p) = std::env::var_os("GARRISON_DB").filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    data_dir().join("garrison").join("advisories.db")
}

fn data_dir() -> PathBuf {
    let env = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if cfg!(windows) {
        return env("LOCALAPPDATA")
            .or_else(|| env("USERPROFILE").map(|h| h.join("AppData").join("Local")))
            .unwrap_or_default();
    }
    if cfg!(target_os = "macos") {
        return env("HOME")
            .map(|h| h.join("Library").join("Application Support"))
            .unwrap_or_default();
    }
    if let Some(x) = env("XDG_DATA_HOME").filter(|p| p.is_absolute()) {
        return x;
    }
    env("HOME")
        .map(|h| h.join(".local").join("share"))
        .unwrap_or_default()
}

#[derive(Debug, Serialize, Deserialize)]
struct Header {
    status: Status,
    /// (normalized package name, offset in the payload, length)
    packages: Vec<(String, u64, u64)>,
}

/// One package's slot: its encoded slice (loaded databases) and, once needed, its decoded index.
#[derive(Debug)]
struct Slot {
    blob: Option<(usize, usize)>,
    index: OnceLock<Result<Arc<PackageIndex>, IndexError>>,
}

/// How each package's slice of the payload is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Codec {
    /// postcard (a local database).
    Plain,
    /// postcard compressed with raw DEFLATE (the embedded snapshot).
    Deflate,
}

/// The advisory database: merged vulnerabilities indexed by normalized PyPI package name.
#[derive(Debug)]
pub struct Database {
    pub(crate) status: Status,
    codec: Codec,
    payload: Cow<'static, [u8]>,
    packages: BTreeMap<String, Slot>,
}

/// The kind of source being imported.
enum SourceKind {
    Yaml,
    Json,
}

impl Database {
    /// Imports advisories from `path`: a PyPA advisory-database checkout (its
    /// `vulns/<name>/<id>.yaml`), a directory of OSV JSON (and YAML) files walked recursively,
    /// an OSV export zip (`PyPI/all.zip`: flat `<id>.json` entries, read in memory within
    /// [`MAX_ZIP_ENTRIES`], [`MAX_TOTAL_BYTES`] and [`MAX_RECORD_BYTES`]; nothing is extracted
    /// to disk), or a single OSV `.json`/`.yaml` file.
    ///
    /// Records that cannot be read are returned as [`ImportError`]s (file and line) and the
    /// rest are imported. Only PyPI affected entries are indexed; withdrawn records are counted
    /// in [`Status::withdrawn`] and ignored.
    pub fn import(path: &Path) -> Result<(Database, Vec<ImportError>), DbError> {
        let io = |source| DbError::Io {
            path: path.to_path_buf(),
            source,
        };
        let meta = std::fs::metadata(path).map_err(io)?;
        let mut texts: Vec<(String, SourceKind, String)> = Vec::new();
        let mut errors = Vec::new();
        let source;
        if meta.is_dir() {
            let vulns = path.join("vulns");
            let root = if vulns.is_dir() {
                let rev = std::fs::read_to_string(path.join("SOURCE"))
                    .ok()
                    .map(|s| format!(" ({})", s.trim()))
                    .unwrap_or_default();
                source = format!("PyPA advisory-database checkout {}{rev}", path.display());
                vulns
            } else {
                source = format!("OSV directory {}", path.display());
                path.to_path_buf()
            };
            let mut files = Vec::new();
            walk(&root, 0, &mut files, &mut errors);
            files.sort();
            let mut total = 0u64;
            for f in files {
                let name = f.display().to_string();
                let kind = match f.extension().and_then(|e| e.to_str()) {
                    Some("json") => SourceKind::Json,
                    _ => SourceKind::Yaml,
                };
                match read_limited_file(&f) {
                    Ok(text) => {
                        total += text.len() as u64;
                        if total > MAX_TOTAL_BYTES {
                            return Err(DbError::Limit {
                                path: path.to_path_buf(),
                                message: format!("records exceed {MAX_TOTAL_BYTES} bytes in total"),
                            });
                        }
                        texts.push((name, kind, text));
                    }
                    Err(e) => errors.push(ImportError::new(&name, read_problem(e))),
                }
            }
        } else {
            let mut head = [0u8; 4];
            let n = std::fs::File::open(path)
                .and_then(|mut f| f.read(&mut head))
                .map_err(io)?;
            let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
            if n == 4 && &head == b"PK\x03\x04" || ext == "zip" {
                source = format!("OSV export zip {}", path.display());
                read_zip(path, &mut texts, &mut errors)?;
            } else if matches!(ext, "json" | "yaml" | "yml") {
                source = format!("OSV file {}", path.display());
                let kind = if ext == "json" {
                    SourceKind::Json
                } else {
                    SourceKind::Yaml
                };
                let text = read_limited_file(path).map_err(|e| DbError::Limit {
                    path: path.to_path_buf(),
                    message: read_problem(e),
                })?;
                texts.push((path.display().to_string(), kind, text));
            } else {
                return Err(DbError::UnknownSource(path.to_path_buf()));
            }
        }

        let mut records = Vec::with_capacity(texts.len());
        for (name, kind, text) in &texts {
            let parsed = match kind {
                SourceKind::Yaml => record_from_yaml(text),
                SourceKind::Json => record_from_json(text),
            };
            match parsed {
                Ok(r) => records.push(r),
                Err(e) => errors.push(ImportError::parse(name, e)),
            }
        }
        let imported_at = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let db = Database::from_records(records, source, errors.len() as u64, imported_at);
        Ok((db, errors))
    }

    /// Builds a database from records already read (withdrawn ones are counted and dropped).
    pub fn from_records(
        records: Vec<Record>,
        source: String,
        errors: u64,
        imported_at: u64,
    ) -> Database {
        let total = records.len() as u64;
        let newest_modified = records
            .iter()
            .map(|r| r.modified.as_str())
            .max()
            .unwrap_or("")
            .to_string();
        let (withdrawn, live): (Vec<Record>, Vec<Record>) =
            records.into_iter().partition(|r| r.withdrawn.is_some());
        let vulns = merge(live);
        let mut by_package: BTreeMap<String, Vec<Arc<Vulnerability>>> = BTreeMap::new();
        let count = vulns.len() as u64;
        for v in vulns {
            let v = Arc::new(v);
            let mut names: Vec<String> = v
                .affected
                .iter()
                .filter_map(|a| PackageName::new(&a.package.name).ok())
                .map(String::from)
                .collect();
            names.sort();
            names.dedup();
            for n in names {
                by_package.entry(n).or_default().push(Arc::clone(&v));
            }
        }
        let packages = by_package
            .into_iter()
            .map(|(name, vulns)| {
                let index = PackageIndex::new(&name, vulns);
                let cell = OnceLock::new();
                let _ = cell.set(Ok(Arc::new(index)));
                (
                    name,
                    Slot {
                        blob: None,
                        index: cell,
                    },
                )
            })
            .collect::<BTreeMap<_, _>>();
        Database {
            status: Status {
                source,
                records: total,
                withdrawn: withdrawn.len() as u64,
                errors,
                vulnerabilities: count,
                packages: packages.len() as u64,
                newest_modified,
                imported_at,
            },
            codec: Codec::Plain,
            payload: Cow::Borrowed(&[]),
            packages,
        }
    }

    /// Source, counts and freshness.
    pub fn status(&self) -> &Status {
        &self.status
    }

    /// Normalized names of the packages that have vulnerabilities, sorted.
    pub fn package_names(&self) -> impl Iterator<Item = &str> {
        self.packages.keys().map(String::as_str)
    }

    /// The decoded index of one package (decoded on first use).
    pub(crate) fn package(
        &self,
        name: &PackageName,
    ) -> Result<Option<Arc<PackageIndex>>, IndexError> {
        self.package_by_key(name.as_str())
    }

    /// [`Database::package`] by the index's own key (a normalized name).
    fn package_by_key(&self, key: &str) -> Result<Option<Arc<PackageIndex>>, IndexError> {
        let Some(slot) = self.packages.get(key) else {
            return Ok(None);
        };
        let bad = |problem: String| IndexError {
            package: key.to_string(),
            problem,
        };
        slot.index
            .get_or_init(|| {
                let (off, len) = slot.blob.ok_or_else(|| bad("package has no data".into()))?;
                let bytes = self
                    .payload
                    .get(off..off.saturating_add(len))
                    .ok_or_else(|| bad("index entry out of bounds".into()))?;
                let inflated;
                let bytes = match self.codec {
                    Codec::Plain => bytes,
                    Codec::Deflate => {
                        inflated =
                            crate::snapshot::inflate(bytes).map_err(|e| bad(e.to_string()))?;
                        inflated.as_slice()
                    }
                };
                let vulns: Vec<Vulnerability> = postcard::from_bytes(bytes)
                    .map_err(|e| bad(format!("index entry cannot be decoded ({e}); re-import")))?;
                Ok(Arc::new(PackageIndex::new(
                    key,
                    vulns.into_iter().map(Arc::new).collect(),
                )))
            })
            .clone()
            .map(Some)
    }

    /// The vulnerabilities of the package under index key `key`.
    fn vulnerabilities_by_key(&self, key: &str) -> Vec<Arc<Vulnerability>> {
        match self.package_by_key(key) {
            Ok(Some(p)) => p.vulns.iter().map(|v| Arc::clone(&v.vuln)).collect(),
            _ => Vec::new(),
        }
    }

    /// The vulnerabilities recorded for a package (whatever the version).
    pub fn vulnerabilities(&self, name: &PackageName) -> Vec<Arc<Vulnerability>> {
        self.vulnerabilities_by_key(name.as_str())
    }

    /// Finds a vulnerability by its canonical id or any alias (decodes every package; meant for
    /// one-off lookups such as `garrison deps impact PYSEC-…`).
    pub fn find(&self, id: &str) -> Option<Arc<Vulnerability>> {
        self.packages.keys().find_map(|name| {
            self.vulnerabilities_by_key(name)
                .into_iter()
                .find(|v| v.has_id(id))
        })
    }

    /// Decodes every package; returns the first decoding problem, if any.
    pub fn verify(&self) -> Result<(), IndexError> {
        for name in self.packages.keys() {
            self.package_by_key(name)?;
        }
        Ok(())
    }

    /// Writes the index to `path` (through a temporary file renamed into place; parent
    /// directories are created).
    pub fn save(&self, path: &Path) -> Result<(), DbError> {
        let io = |source| DbError::Io {
            path: path.to_path_buf(),
            source,
        };
        let out = self.encode(Codec::Plain, path)?;
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(io)?;
        }
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(".tmp");
        let tmp = PathBuf::from(tmp);
        std::fs::write(&tmp, &out).map_err(io)?;
        std::fs::rename(&tmp, path).map_err(io)
    }

    /// The index file's bytes, each package's slice stored with `codec`; `path` names the
    /// file in errors. The same database always gives the same bytes.
    pub(crate) fn encode(&self, codec: Codec, path: &Path) -> Result<Vec<u8>, DbError> {
        let mut payload = Vec::new();
        let mut dir = Vec::with_capacity(self.packages.len());
        for name in self.packages.keys() {
            let pkg = self.package_by_key(name).map_err(|e| DbError::BadIndex {
                path: path.to_path_buf(),
                message: e.problem,
            })?;
            let vulns: Vec<&Vulnerability> = pkg
                .as_ref()
                .map(|p| p.vulns.iter().map(|v| v.vuln.as_ref()).collect())
                .unwrap_or_default();
            let bytes = postcard::to_allocvec(&vulns).map_err(|e| DbError::BadIndex {
                path: path.to_path_buf(),
                message: format!("cannot encode {name}: {e}"),
            })?;
            let bytes = match codec {
                Codec::Plain => bytes,
                Codec::Deflate => crate::snapshot::deflate(&bytes).map_err(|e| DbError::Io {
                    path: path.to_path_buf(),
                    source: e,
                })?,
            };
            dir.push((name.clone(), payload.len() as u64, bytes.len() as u64));
            payload.extend_from_slice(&bytes);
        }
        let header = Header {
            status: self.status.clone(),
            packages: dir,
        };
        let header = postcard::to_allocvec(&header).map_err(|e| DbError::BadIndex {
            path: path.to_path_buf(),
            message: format!("cannot encode the header: {e}"),
        })?;
        let mut out = Vec::with_capacity(20 + header.len() + payload.len());
        out.extend_from_slice(match codec {
            Codec::Plain => MAGIC,
            Codec::Deflate => DEFLATE_MAGIC,
        });
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&(header.len() as u64).to_le_bytes());
        out.extend_from_slice(&header);
        out.extend_from_slice(&payload);
        Ok(out)
    }

    /// Loads an index written by [`Database::save`] (or a snapshot file). Only the header is
    /// decoded here; packages are decoded on first lookup.
    pub fn load(path: &Path) -> Result<Database, DbError> {
        use garrison_source::read::{ReadError, read_file};
        let bytes = read_file(path, MAX_INDEX_BYTES).map_err(|e| match e {
            ReadError::Io(source) => DbError::Io {
                path: path.to_path_buf(),
                source,
            },
            e => DbError::BadIndex {
                path: path.to_path_buf(),
                message: e.to_string(),
            },
        })?;
        Database::from_bytes(Cow::Owned(bytes), path)
    }

    /// Reads an index (plain or snapshot) from memory; `path` names it in errors. Untrusted
    /// input is refused with [`DbError::BadIndex`], never a panic (fuzzed by `db_load`).
    pub fn from_bytes(bytes: Cow<'static, [u8]>, path: &Path) -> Result<Database, DbError> {
        let bad = |message: &str| DbError::BadIndex {
            path: path.to_path_buf(),
            message: message.to_string(),
        };
        let codec = match bytes.get(..8) {
            Some(m) if m == MAGIC.as_slice() => Codec::Plain,
            Some(m) if m == DEFLATE_MAGIC.as_slice() => Codec::Deflate,
            _ => return Err(bad("not a Garrison advisory index (bad magic)")),
        };
        let version = bytes
            .get(8..12)
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
            .map(u32::from_le_bytes)
            .ok_or_else(|| bad("truncated header"))?;
        if version != FORMAT_VERSION {
            return Err(bad(&format!(
                "index format {version}, this Garrison reads format {FORMAT_VERSION}"
            )));
        }
        let hlen = bytes
            .get(12..20)
            .and_then(|b| <[u8; 8]>::try_from(b).ok())
            .map(u64::from_le_bytes)
            .and_then(|l| usize::try_from(l).ok())
            .ok_or_else(|| bad("truncated header"))?;
        let hend = 20usize
            .checked_add(hlen)
            .ok_or_else(|| bad("bad header length"))?;
        let hbytes = bytes.get(20..hend).ok_or_else(|| bad("truncated header"))?;
        let header: Header =
            postcard::from_bytes(hbytes).map_err(|e| bad(&format!("bad header: {e}")))?;
        let payload = match bytes {
            Cow::Borrowed(b) => Cow::Borrowed(b.get(hend..).unwrap_or_default()),
            Cow::Owned(mut b) => Cow::Owned(b.split_off(hend.min(b.len()))),
        };
        let mut packages = BTreeMap::new();
        for (name, off, len) in header.packages {
            let (off, len) = (
                usize::try_from(off).map_err(|_| bad("bad offset"))?,
                usize::try_from(len).map_err(|_| bad("bad length"))?,
            );
            if off.checked_add(len).is_none_or(|end| end > payload.len()) {
                return Err(bad(&format!("entry for {name} is out of bounds")));
            }
            packages.insert(
                name,
                Slot {
                    blob: Some((off, len)),
                    index: OnceLock::new(),
                },
            );
        }
        Ok(Database {
            status: header.status,
            codec,
            payload,
            packages,
        })
    }

    /// Every vulnerability of the database, each once, sorted by id (decodes every package).
    pub fn all_vulnerabilities(&self) -> Vec<Arc<Vulnerability>> {
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::new();
        for name in self.packages.keys() {
            for v in self.vulnerabilities_by_key(name) {
                if seen.insert(v.id.clone()) {
                    out.push(v);
                }
            }
        }
        out.sort_by(|a, b| crate::merge::natural_cmp(&a.id, &b.id));
        out
    }
}

fn read_limited_file(path: &Path) -> Result<String, garrison_source::read::ReadError> {
    garrison_source::read::read_text(path, MAX_RECORD_BYTES)
}

/// Why a record file was not read, as a sentence.
fn read_problem(e: garrison_source::read::ReadError) -> String {
    use garrison_source::read::ReadError;
    match e {
        ReadError::TooLarge { .. } => format!("larger than {MAX_RECORD_BYTES} bytes; skipped"),
        ReadError::NotUtf8 { .. } => "not UTF-8 text".to_string(),
        ReadError::Io(e) => e.to_string(),
        ReadError::NotAFile => "not a regular file".to_string(),
    }
}

fn walk(dir: &Path, depth: usize, out: &mut Vec<PathBuf>, errors: &mut Vec<ImportError>) {
    if depth > MAX_DIR_DEPTH {
        errors.push(ImportError::new(
            &dir.display().to_string(),
            "directory nesting too deep; skipped",
        ));
        return;
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            errors.push(ImportError::new(&dir.display().to_string(), e.to_string()));
            return;
        }
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        let path = entry.path();
        // Symlinks are not followed (no cycles, nothing outside the tree).
        let Ok(ft) = entry.file_type() else { continue };
        if ft.is_dir() {
            walk(&path, depth + 1, out, errors);
        } else if ft.is_file()
            && matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("json" | "yaml" | "yml")
            )
        {
            out.push(path);
        }
    }
}

fn read_zip(
    path: &Path,
    texts: &mut Vec<(String, SourceKind, String)>,
    errors: &mut Vec<ImportError>,
) -> Result<(), DbError> {
    let meta = std::fs::metadata(path).map_err(|source| DbError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    if meta.len() > MAX_TOTAL_BYTES {
        return Err(DbError::Limit {
            path: path.to_path_buf(),
            message: format!("zip larger than {MAX_TOTAL_BYTES} bytes"),
        });
    }
    let bytes = std::fs::read(path).map_err(|source| DbError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    read_zip_bytes(path, bytes, texts, errors)
}

fn read_zip_bytes(
    path: &Path,
    bytes: Vec<u8>,
    texts: &mut Vec<(String, SourceKind, String)>,
    errors: &mut Vec<ImportError>,
) -> Result<(), DbError> {
    let zerr = |e: zip::result::ZipError| DbError::Zip {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(zerr)?;
    if archive.len() > MAX_ZIP_ENTRIES {
        return Err(DbError::Limit {
            path: path.to_path_buf(),
            message: format!(
                "{} entries in the zip (at most {MAX_ZIP_ENTRIES} accepted)",
                archive.len()
            ),
        });
    }
    let mut total = 0u64;
    for i in 0..archive.len() {
        let mut file = match archive.by_index(i) {
            Ok(f) => f,
            Err(e) => {
                errors.push(ImportError::new(
                    &format!("{}[entry {i}]", path.display()),
                    e.to_string(),
                ));
                continue;
            }
        };
        if file.is_dir() {
            continue;
        }
        let name = file
            .name()
            .map(|n| n.to_string())
            .unwrap_or_else(|_| format!("entry {i}"));
        let label = format!("{}!{name}", path.display());
        let kind = if name.ends_with(".json") {
            SourceKind::Json
        } else if name.ends_with(".yaml") || name.ends_with(".yml") {
            SourceKind::Yaml
        } else {
            continue;
        };
        if file.size() > MAX_RECORD_BYTES {
            errors.push(ImportError::new(
                &label,
                format!("larger than {MAX_RECORD_BYTES} bytes; skipped"),
            ));
            continue;
        }
        // Declared sizes can lie: read at most the limit plus one byte and check.
        let mut buf = Vec::new();
        if let Err(e) = (&mut file).take(MAX_RECORD_BYTES + 1).read_to_end(&mut buf) {
            errors.push(ImportError::new(&label, e.to_string()));
            continue;
        }
        if buf.len() as u64 > MAX_RECORD_BYTES {
            errors.push(ImportError::new(
                &label,
                format!("larger than {MAX_RECORD_BYTES} bytes; skipped"),
            ));
            continue;
        }
        total += buf.len() as u64;
        if total > MAX_TOTAL_BYTES {
            return Err(DbError::Limit {
                path: path.to_path_buf(),
                message: format!("entries exceed {MAX_TOTAL_BYTES} bytes uncompressed"),
            });
        }
        match String::from_utf8(buf) {
            Ok(text) => texts.push((label, kind, text)),
            Err(_) => errors.push(ImportError::new(&label, "not UTF-8 text")),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn timestamps() {
        assert_eq!(rfc3339_to_unix("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            rfc3339_to_unix("2023-08-17T13:32:44.929651Z"),
            Some(1_692_279_164)
        );
        assert_eq!(
            rfc3339_to_unix("2000-03-01T01:00:00+01:00"),
            Some(951_868_800)
        );
        assert_eq!(rfc3339_to_unix("nope"), None);
    }
}
