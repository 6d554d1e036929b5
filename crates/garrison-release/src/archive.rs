//! Sdists (`.tar.gz`, legacy `.zip`) and wheels (`.whl`) read in memory, under [`Limits`].
//!
//! Nothing is extracted to disk. Every member path is checked and normalized (no absolute
//! paths, no `..`, no backslashes or drive letters, no NUL), links must stay inside the
//! archive, device files and encrypted zip entries are refused, and decompression stops as
//! soon as a size, count or ratio limit is crossed. Any violation rejects the whole archive
//! with a [`ReleaseError`] naming the archive and the member.

use std::cell::Cell;
use std::collections::{HashMap, HashSet, VecDeque};
use std::fmt;
use std::io::{self, Read};
use std::path::Path;

/// Limits on what [`read_dist`] accepts. The defaults fit every real distribution on PyPI
/// (the largest wheels, CUDA builds, are a few GiB compressed and are rejected on purpose:
/// raise the limits to verify them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Largest archive file [`read_dist_path`] reads: 512 MiB.
    pub max_archive_bytes: u64,
    /// Total uncompressed bytes of all members: 1 GiB.
    pub max_total_bytes: u64,
    /// Uncompressed bytes of one member: 256 MiB.
    pub max_file_bytes: u64,
    /// Members (files, directories, links): 100,000.
    pub max_files: usize,
    /// Bytes of one member path (or link target): 1,024.
    pub max_path_len: usize,
    /// Components of one member path: 64.
    pub max_path_depth: usize,
    /// Largest uncompressed/compressed ratio, for a member (zip) or the whole stream (gzip):
    /// 200. Only checked once the uncompressed size passes [`Limits::ratio_min_bytes`].
    pub max_ratio: u64,
    /// Uncompressed size below which the ratio is not checked: 16 MiB.
    pub ratio_min_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_archive_bytes: 512 << 20,
            max_total_bytes: 1 << 30,
            max_file_bytes: 256 << 20,
            max_files: 100_000,
            max_path_len: 1024,
            max_path_depth: 64,
            max_ratio: 200,
            ratio_min_bytes: 16 << 20,
        }
    }
}

/// Name (valid, normalized) and version a distribution file name gives (wheel, or sdist as
/// `.tar.gz`, `.tar.bz2`, `.tgz`, `.zip`, `.tar`).
pub fn dist_name_version(filename: &str) -> Option<(garrison_python::name::PackageName, String)> {
    use garrison_python::name::PackageName;
    if let Some(w) = crate::wheel::WheelName::parse(filename) {
        return Some((PackageName::new(&w.name).ok()?, w.version));
    }
    let lower = filename.to_ascii_lowercase();
    let stem_len = [".tar.gz", ".tar.bz2", ".tgz", ".zip", ".tar"]
        .iter()
        .find(|s| lower.ends_with(*s))
        .map(|s| filename.len() - s.len())?;
    let stem = filename.get(..stem_len)?;
    let (n, v) = stem.rsplit_once('-')?;
    if v.is_empty() {
        return None;
    }
    Some((PackageName::new(n).ok()?, v.to_string()))
}

/// What kind of distribution an archive is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DistKind {
    /// A source distribution (`.tar.gz`, or a legacy `.zip`).
    Sdist,
    /// A built distribution (`.whl`).
    Wheel,
}

/// What a member is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MemberKind {
    /// A regular file; its bytes are in [`Member::data`].
    File,
    /// A directory.
    Dir,
    /// A symbolic link whose target (as stored) resolves inside the archive.
    Symlink {
        /// The link target as stored in the archive.
        target: String,
    },
    /// A tar hard link to another member (normalized archive path).
    Hardlink {
        /// The member linked to.
        target: String,
    },
    /// Anything else that is harmless to list (GNU sparse files); no data is kept.
    Other,
}

/// One member of a distribution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// Normalized `/`-separated path (no `.` or empty components, no trailing `/`). For
    /// sdists it keeps the top-level `name-version/` directory; see [`Member::rel`].
    pub path: String,
    /// Uncompressed size in bytes (0 for directories and links).
    pub size: u64,
    /// What the member is.
    pub kind: MemberKind,
    /// The content of a regular file; empty for everything else.
    pub data: Vec<u8>,
    rel_start: usize,
}

impl Member {
    /// The path without the sdist's top-level `name-version/` directory (the path itself for
    /// wheels, and for sdists whose members do not share one top-level directory).
    pub fn rel(&self) -> &str {
        self.path.get(self.rel_start..).unwrap_or(&self.path)
    }

    /// Whether this is a regular file.
    pub fn is_file(&self) -> bool {
        self.kind == MemberKind::File
    }
}

/// A distribution read in memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dist {
    /// Sdist or wheel.
    pub kind: DistKind,
    /// The archive's file name as given to [`read_dist`] (`numpy-2.1.0-cp312-….whl`).
    pub filename: String,
    /// Members in archive order.
    pub files: Vec<Member>,
}

impl Dist {
    /// The member at normalized `path`, if any.
    pub fn get(&self, path: &str) -> Option<&Member> {
        self.files.iter().find(|m| m.path == path)
    }
}

/// Why an archive was rejected.
#[derive(Debug, thiserror::Error)]
pub enum Problem {
    /// The file name is not `.whl`, `.tar.gz`, `.tgz` or `.zip`.
    #[error("not a distribution (expected .whl, .tar.gz, .tgz or .zip)")]
    UnknownFormat,
    /// The archive could not be parsed.
    #[error("corrupt archive: {0}")]
    Corrupt(String),
    /// Reading the archive file failed.
    #[error("{0}")]
    Io(#[source] io::Error),
    /// The archive file is larger than [`Limits::max_archive_bytes`].
    #[error("archive is {size} bytes, more than the {max}-byte limit")]
    ArchiveTooLarge {
        /// Archive size.
        size: u64,
        /// The limit.
        max: u64,
    },
    /// An absolute member path (`/etc/passwd`).
    #[error("absolute path")]
    AbsolutePath,
    /// A `..` component.
    #[error("path escapes the archive with `..`")]
    ParentComponent,
    /// A backslash or a Windows drive letter.
    #[error("Windows path (backslash or drive letter)")]
    WindowsPath,
    /// A NUL byte.
    #[error("NUL byte in path")]
    NulInPath,
    /// Not valid UTF-8.
    #[error("path is not UTF-8")]
    NotUtf8,
    /// A path with no components left after normalization.
    #[error("empty path")]
    EmptyPath,
    /// Longer than [`Limits::max_path_len`].
    #[error("path is {len} bytes, more than the {max}-byte limit")]
    PathTooLong {
        /// Its length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// Deeper than [`Limits::max_path_depth`].
    #[error("path has {depth} components, more than the limit of {max}")]
    PathTooDeep {
        /// Its depth.
        depth: usize,
        /// The limit.
        max: usize,
    },
    /// Two members with the same path.
    #[error("duplicate member path")]
    Duplicate,
    /// A symbolic link resolving outside the archive (or into a link loop).
    #[error("symlink to `{target}` escapes the archive")]
    SymlinkEscape {
        /// The stored target.
        target: String,
    },
    /// A hard link to a path outside the archive.
    #[error("hard link to `{target}` escapes the archive")]
    HardlinkEscape {
        /// The stored target.
        target: String,
    },
    /// A member stored below a symbolic link (written through the link when unpacked).
    #[error("member is stored under the symlink `{link}`")]
    UnderSymlink {
        /// The link member.
        link: String,
    },
    /// A character or block device or a FIFO.
    #[error("device file or FIFO")]
    DeviceFile,
    /// An encrypted zip entry.
    #[error("encrypted zip entry")]
    Encrypted,
    /// The decompressed data disagrees with the size in the headers.
    #[error("declared size {declared} but the data is {actual}")]
    SizeMismatch {
        /// The size in the headers.
        declared: u64,
        /// What decompression produced (stopping one byte past the declaration).
        actual: u64,
    },
    /// A member larger than [`Limits::max_file_bytes`].
    #[error("member is {size} bytes, more than the {max}-byte limit")]
    FileTooLarge {
        /// Its size (declared, or read so far).
        size: u64,
        /// The limit.
        max: u64,
    },
    /// More than [`Limits::max_total_bytes`] uncompressed.
    #[error("more than {max} uncompressed bytes")]
    TotalTooLarge {
        /// The limit.
        max: u64,
    },
    /// More than [`Limits::max_files`] members.
    #[error("more than {max} members")]
    TooManyFiles {
        /// The limit.
        max: usize,
    },
    /// A decompression bomb: the ratio passed [`Limits::max_ratio`].
    #[error("decompression bomb: {uncompressed} bytes from {compressed} compressed (over {max}:1)")]
    Bomb {
        /// Uncompressed bytes when decompression was stopped.
        uncompressed: u64,
        /// Compressed bytes.
        compressed: u64,
        /// The ratio limit.
        max: u64,
    },
}

impl Problem {
    /// A stable kebab-case code for evidence (`parent-component`, `bomb`, …).
    pub fn code(&self) -> &'static str {
        match self {
            Problem::UnknownFormat => "unknown-format",
            Problem::Corrupt(_) => "corrupt",
            Problem::Io(_) => "io",
            Problem::ArchiveTooLarge { .. } => "archive-too-large",
            Problem::AbsolutePath => "absolute-path",
            Problem::ParentComponent => "parent-component",
            Problem::WindowsPath => "windows-path",
            Problem::NulInPath => "nul-in-path",
            Problem::NotUtf8 => "not-utf8",
            Problem::EmptyPath => "empty-path",
            Problem::PathTooLong { .. } => "path-too-long",
            Problem::PathTooDeep { .. } => "path-too-deep",
            Problem::Duplicate => "duplicate",
            Problem::SymlinkEscape { .. } => "symlink-escape",
            Problem::HardlinkEscape { .. } => "hardlink-escape",
            Problem::UnderSymlink { .. } => "under-symlink",
            Problem::DeviceFile => "device-file",
            Problem::Encrypted => "encrypted",
            Problem::SizeMismatch { .. } => "size-mismatch",
            Problem::FileTooLarge { .. } => "file-too-large",
            Problem::TotalTooLarge { .. } => "total-too-large",
            Problem::TooManyFiles { .. } => "too-many-files",
            Problem::Bomb { .. } => "bomb",
        }
    }
}

/// An archive Garrison refused to read, with the archive name and the member concerned.
#[derive(Debug)]
pub struct ReleaseError {
    /// The archive's file name (or path, for [`read_dist_path`]).
    pub archive: String,
    /// The member path as stored (lossily decoded), when one member is at fault.
    pub member: Option<String>,
    /// What is wrong.
    pub problem: Problem,
}

impl fmt::Display for ReleaseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.member {
            Some(m) => write!(f, "{}: member `{}`: {}", self.archive, m, self.problem),
            None => write!(f, "{}: {}", self.archive, self.problem),
        }
    }
}

impl std::error::Error for ReleaseError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.problem {
            Problem::Io(e) => Some(e),
            _ => None,
        }
    }
}

/// The distribution kind a file name says (`None` for anything else).
pub fn dist_kind(filename: &str) -> Option<DistKind> {
    let lower = filename.to_ascii_lowercase();
    if lower.ends_with(".whl") {
        Some(DistKind::Wheel)
    } else if lower.ends_with(".tar.gz") || lower.ends_with(".tgz") || lower.ends_with(".zip") {
        Some(DistKind::Sdist)
    } else {
        None
    }
}

/// Reads a distribution from memory. `filename` (a base name such as
/// `pkg-1.0-py3-none-any.whl`) selects the format and names the archive in errors.
pub fn read_dist(filename: &str, bytes: &[u8], limits: &Limits) -> Result<Dist, ReleaseError> {
    let mut r = Reader {
        archive: filename,
        limits,
        files: Vec::new(),
        seen: HashMap::new(),
        total: 0,
    };
    let kind = dist_kind(filename).ok_or_else(|| r.err(None, Problem::UnknownFormat))?;
    if filename.to_ascii_lowercase().ends_with(".zip") || kind == DistKind::Wheel {
        r.read_zip(bytes)?;
    } else {
        r.read_tar_gz(bytes)?;
    }
    r.check_links()?;
    let mut files = r.files;
    if kind == DistKind::Sdist {
        set_sdist_prefix(&mut files);
    }
    Ok(Dist {
        kind,
        filename: filename.to_string(),
        files,
    })
}

/// Reads a distribution file (at most [`Limits::max_archive_bytes`]) and calls
/// [`read_dist`] with its base name. Errors name the path.
pub fn read_dist_path(path: &Path, limits: &Limits) -> Result<Dist, ReleaseError> {
    let shown = path.display().to_string();
    let err = |problem| ReleaseError {
        archive: shown.clone(),
        member: None,
        problem,
    };
    let file = std::fs::File::open(path).map_err(|e| err(Problem::Io(e)))?;
    let mut bytes = Vec::new();
    file.take(limits.max_archive_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| err(Problem::Io(e)))?;
    let size = bytes.len() as u64;
    if size > limits.max_archive_bytes {
        return Err(err(Problem::ArchiveTooLarge {
            size,
            max: limits.max_archive_bytes,
        }));
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| shown.clone());
    read_dist(&name, &bytes, limits).map_err(|mut e| {
        e.archive = shown.clone();
        e
    })
}

/// Normalizes a member path: `/`-separated, `.` and empty components dropped, trailing `/`
/// removed. Refuses absolute paths, `..`, backslashes, drive letters, NUL, non-UTF-8, and
/// paths over the length or depth limits.
pub fn normalize_path(raw: &[u8], limits: &Limits) -> Result<String, Problem> {
    if raw.len() > limits.max_path_len {
        return Err(Problem::PathTooLong {
            len: raw.len(),
            max: limits.max_path_len,
        });
    }
    if raw.contains(&0) {
        return Err(Problem::NulInPath);
    }
    let s = std::str::from_utf8(raw).map_err(|_| Problem::NotUtf8)?;
    if s.contains('\\') {
        return Err(Problem::WindowsPath);
    }
    let b = s.as_bytes();
    if b.len() >= 2 && b.first().is_some_and(u8::is_ascii_alphabetic) && b.get(1) == Some(&b':') {
        return Err(Problem::WindowsPath);
    }
    if s.starts_with('/') {
        return Err(Problem::AbsolutePath);
    }
    let mut parts = Vec::new();
    for c in s.split('/') {
        match c {
            "" | "." => {}
            ".." => return Err(Problem::ParentComponent),
            c => parts.push(c),
        }
    }
    if parts.is_empty() {
        return Err(Problem::EmptyPath);
    }
    if parts.len() > limits.max_path_depth {
        return Err(Problem::PathTooDeep {
            depth: parts.len(),
            max: limits.max_path_depth,
        });
    }
    Ok(parts.join("/"))
}

/// Shared budget of the decompressed tar stream; the reader trips it and the caller reports.
struct Budget {
    read: Cell<u64>,
    tripped: Cell<Option<Trip>>,
}

#[derive(Clone, Copy)]
enum Trip {
    Total,
    Bomb(u64),
}

/// Counts decompressed bytes and fails the read once the stream passes its cap or ratio.
struct Counted<'a, R> {
    inner: R,
    budget: &'a Budget,
    cap: u64,
    compressed: u64,
    max_ratio: u64,
    ratio_min: u64,
}

impl<R: Read> Read for Counted<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let total = self.budget.read.get().saturating_add(n as u64);
        self.budget.read.set(total);
        if total > self.cap {
            self.budget.tripped.set(Some(Trip::Total));
            return Err(io::Error::other("decompressed size limit"));
        }
        if total > self.ratio_min && total > self.compressed.saturating_mul(self.max_ratio) {
            self.budget.tripped.set(Some(Trip::Bomb(total)));
            return Err(io::Error::other("decompression ratio limit"));
        }
        Ok(n)
    }
}

struct Reader<'a> {
    archive: &'a str,
    limits: &'a Limits,
    files: Vec<Member>,
    /// Normalized path → index in `files`.
    seen: HashMap<String, usize>,
    total: u64,
}

impl Reader<'_> {
    fn err(&self, member: Option<&[u8]>, problem: Problem) -> ReleaseError {
        ReleaseError {
            archive: self.archive.to_string(),
            member: member.map(|m| String::from_utf8_lossy(m).into_owned()),
            problem,
        }
    }

    fn count(&self, raw: &[u8]) -> Result<(), ReleaseError> {
        if self.files.len() >= self.limits.max_files {
            return Err(self.err(
                Some(raw),
                Problem::TooManyFiles {
                    max: self.limits.max_files,
                },
            ));
        }
        Ok(())
    }

    fn check_size(&self, raw: &[u8], size: u64) -> Result<(), ReleaseError> {
        if size > self.limits.max_file_bytes {
            return Err(self.err(
                Some(raw),
                Problem::FileTooLarge {
                    size,
                    max: self.limits.max_file_bytes,
                },
            ));
        }
        if self.total.saturating_add(size) > self.limits.max_total_bytes {
            return Err(self.err(
                Some(raw),
                Problem::TotalTooLarge {
                    max: self.limits.max_total_bytes,
                },
            ));
        }
        Ok(())
    }

    /// Records a member; duplicates are refused unless both are directories.
    fn push(&mut self, raw: &[u8], member: Member) -> Result<(), ReleaseError> {
        if let Some(&i) = self.seen.get(&member.path) {
            let both_dirs = member.kind == MemberKind::Dir
                && self.files.get(i).is_some_and(|m| m.kind == MemberKind::Dir);
            if both_dirs {
                return Ok(());
            }
            return Err(self.err(Some(raw), Problem::Duplicate));
        }
        self.total = self.total.saturating_add(member.size);
        self.seen.insert(member.path.clone(), self.files.len());
        self.files.push(member);
        Ok(())
    }

    fn read_tar_gz(&mut self, bytes: &[u8]) -> Result<(), ReleaseError> {
        let budget = Budget {
            read: Cell::new(0),
            tripped: Cell::new(None),
        };
        // Headers and padding: up to 2 KiB per member (PAX and GNU long names included).
        let overhead = (self.limits.max_files as u64)
            .saturating_add(16)
            .saturating_mul(2048);
        let stream = Counted {
            inner: flate2::read::MultiGzDecoder::new(bytes),
            budget: &budget,
            cap: self.limits.max_total_bytes.saturating_add(overhead),
            compressed: bytes.len() as u64,
            max_ratio: self.limits.max_ratio,
            ratio_min: self.limits.ratio_min_bytes,
        };
        let mut tar = tar::Archive::new(stream);
        let result = self.walk_tar(&mut tar);
        match (result, budget.tripped.get()) {
            (Ok(()), _) => Ok(()),
            (Err(e), None) => Err(e),
            (Err(e), Some(Trip::Total)) => Err(ReleaseError {
                problem: Problem::TotalTooLarge {
                    max: self.limits.max_total_bytes,
                },
                ..e
            }),
            (Err(e), Some(Trip::Bomb(uncompressed))) => Err(ReleaseError {
                problem: Problem::Bomb {
                    uncompressed,
                    compressed: bytes.len() as u64,
                    max: self.limits.max_ratio,
                },
                ..e
            }),
        }
    }

    fn walk_tar<R: Read>(&mut self, tar: &mut tar::Archive<R>) -> Result<(), ReleaseError> {
        let entries = tar
            .entries()
            .map_err(|e| self.err(None, Problem::Corrupt(e.to_string())))?;
        for entry in entries {
            let mut entry = entry.map_err(|e| self.err(None, Problem::Corrupt(e.to_string())))?;
            let raw = entry.path_bytes().into_owned();
            self.count(&raw)?;
            let path = normalize_path(&raw, self.limits);
            let et = entry.header().entry_type();
            if et.is_character_special() || et.is_block_special() || et.is_fifo() {
                return Err(self.err(Some(&raw), Problem::DeviceFile));
            }
            let path = match path {
                Ok(p) => p,
                // `./` and `/`-only names are the root directory some tar tools write.
                Err(Problem::EmptyPath) if et.is_dir() => continue,
                Err(p) => return Err(self.err(Some(&raw), p)),
            };
            let (kind, data, size) = if et.is_file() || et.is_contiguous() {
                let declared = entry.size();
                self.check_size(&raw, declared)?;
                let data =
                    read_exact_size(&mut entry, declared).map_err(|p| self.err(Some(&raw), p))?;
                (MemberKind::File, data, declared)
            } else if et.is_dir() {
                (MemberKind::Dir, Vec::new(), 0)
            } else if et.is_symlink() || et.is_hard_link() {
                let target = entry
                    .link_name_bytes()
                    .map(|t| t.into_owned())
                    .unwrap_or_default();
                if target.len() > self.limits.max_path_len || target.is_empty() {
                    return Err(self.err(
                        Some(&raw),
                        Problem::SymlinkEscape {
                            target: String::from_utf8_lossy(&target).into_owned(),
                        },
                    ));
                }
                let shown = String::from_utf8_lossy(&target).into_owned();
                if et.is_symlink() {
                    if target.contains(&0) || std::str::from_utf8(&target).is_err() {
                        return Err(self.err(Some(&raw), Problem::SymlinkEscape { target: shown }));
                    }
                    (MemberKind::Symlink { target: shown }, Vec::new(), 0)
                } else {
                    let t = normalize_path(&target, self.limits).map_err(|_| {
                        self.err(
                            Some(&raw),
                            Problem::HardlinkEscape {
                                target: shown.clone(),
                            },
                        )
                    })?;
                    (MemberKind::Hardlink { target: t }, Vec::new(), 0)
                }
            } else {
                (MemberKind::Other, Vec::new(), 0)
            };
            self.push(
                &raw,
                Member {
                    path,
                    size,
                    kind,
                    data,
                    rel_start: 0,
                },
            )?;
        }
        Ok(())
    }

    fn read_zip(&mut self, bytes: &[u8]) -> Result<(), ReleaseError> {
        let mut zip = zip::ZipArchive::new(io::Cursor::new(bytes))
            .map_err(|e| self.err(None, Problem::Corrupt(e.to_string())))?;
        if zip.has_duplicate_names() {
            return Err(self.err(None, Problem::Duplicate));
        }
        if zip.len() > self.limits.max_files {
            return Err(self.err(
                None,
                Problem::TooManyFiles {
                    max: self.limits.max_files,
                },
            ));
        }
        for i in 0..zip.len() {
            let (raw, encrypted, is_dir, is_symlink, mode, declared, compressed) = {
                let f = zip
                    .by_index_raw(i)
                    .map_err(|e| self.err(None, Problem::Corrupt(e.to_string())))?;
                (
                    f.name_raw().to_vec(),
                    f.encrypted(),
                    f.is_dir(),
                    f.is_symlink(),
                    f.unix_mode(),
                    f.size(),
                    f.compressed_size(),
                )
            };
            self.count(&raw)?;
            if encrypted {
                return Err(self.err(Some(&raw), Problem::Encrypted));
            }
            // S_IFCHR, S_IFBLK, S_IFIFO, S_IFSOCK in the external attributes.
            let fmt = mode.map(|m| m & 0o170000);
            if matches!(fmt, Some(0o020000 | 0o060000 | 0o010000 | 0o140000)) {
                return Err(self.err(Some(&raw), Problem::DeviceFile));
            }
            let path = normalize_path(&raw, self.limits).map_err(|p| self.err(Some(&raw), p))?;
            if is_dir {
                self.push(
                    &raw,
                    Member {
                        path,
                        size: 0,
                        kind: MemberKind::Dir,
                        data: Vec::new(),
                        rel_start: 0,
                    },
                )?;
                continue;
            }
            let limit = if is_symlink {
                declared.min(self.limits.max_path_len as u64)
            } else {
                self.check_size(&raw, declared)?;
                declared
            };
            let data = {
                let mut f = zip.by_index(i).map_err(|e| {
                    let p = match e {
                        zip::result::ZipError::UnsupportedArchive(m) if m.contains("ncrypt") => {
                            Problem::Encrypted
                        }
                        e => Problem::Corrupt(e.to_string()),
                    };
                    self.err(Some(&raw), p)
                })?;
                self.read_zip_member(&mut f, &raw, limit, declared, compressed)?
            };
            let kind = if is_symlink {
                let target = String::from_utf8(data)
                    .ok()
                    .filter(|t| !t.is_empty() && !t.contains('\0'));
                let Some(target) = target else {
                    return Err(self.err(
                        Some(&raw),
                        Problem::SymlinkEscape {
                            target: String::new(),
                        },
                    ));
                };
                (MemberKind::Symlink { target }, Vec::new(), 0)
            } else {
                (MemberKind::File, data, declared)
            };
            self.push(
                &raw,
                Member {
                    path,
                    size: kind.2,
                    kind: kind.0,
                    data: kind.1,
                    rel_start: 0,
                },
            )?;
        }
        Ok(())
    }

    /// Decompresses one zip member, stopping at one byte past `limit` or at the ratio cap.
    fn read_zip_member(
        &self,
        f: &mut impl Read,
        raw: &[u8],
        limit: u64,
        declared: u64,
        compressed: u64,
    ) -> Result<Vec<u8>, ReleaseError> {
        let mut data = Vec::new();
        let mut buf = [0u8; 64 * 1024];
        let mut n_total: u64 = 0;
        loop {
            let n = f.read(&mut buf).map_err(|e| {
                let msg = e.to_string();
                // zip itself stops a member that inflates past its declared size.
                let p = if msg.contains("declared uncompressed size") {
                    Problem::SizeMismatch {
                        declared,
                        actual: n_total.max(declared).saturating_add(1),
                    }
                } else {
                    Problem::Corrupt(msg)
                };
                self.err(Some(raw), p)
            })?;
            if n == 0 {
                break;
            }
            n_total = n_total.saturating_add(n as u64);
            if n_total > limit {
                return Err(self.err(
                    Some(raw),
                    Problem::SizeMismatch {
                        declared,
                        actual: n_total,
                    },
                ));
            }
            let ratio_cap = compressed.max(1).saturating_mul(self.limits.max_ratio);
            if n_total > self.limits.ratio_min_bytes && n_total > ratio_cap {
                return Err(self.err(
                    Some(raw),
                    Problem::Bomb {
                        uncompressed: n_total,
                        compressed,
                        max: self.limits.max_ratio,
                    },
                ));
            }
            data.extend_from_slice(buf.get(..n).unwrap_or_default());
        }
        if n_total != declared && n_total <= limit {
            return Err(self.err(
                Some(raw),
                Problem::SizeMismatch {
                    declared,
                    actual: n_total,
                },
            ));
        }
        Ok(data)
    }

    /// Every symlink resolves inside the archive (following other links in the archive, with
    /// a hop limit), and no member is stored below a symlink.
    fn check_links(&self) -> Result<(), ReleaseError> {
        let links: HashMap<&str, &str> = self
            .files
            .iter()
            .filter_map(|m| match &m.kind {
                MemberKind::Symlink { target } => Some((m.path.as_str(), target.as_str())),
                _ => None,
            })
            .collect();
        if links.is_empty() {
            return Ok(());
        }
        for m in &self.files {
            let mut prefix = m.path.as_str();
            while let Some((parent, _)) = prefix.rsplit_once('/') {
                if links.contains_key(parent) {
                    return Err(self.err(
                        Some(m.path.as_bytes()),
                        Problem::UnderSymlink {
                            link: parent.to_string(),
                        },
                    ));
                }
                prefix = parent;
            }
        }
        let mut ok: HashSet<&str> = HashSet::new();
        for (&path, &target) in &links {
            if ok.contains(path) {
                continue;
            }
            if symlink_escapes(path, target, &links, self.limits) {
                return Err(self.err(
                    Some(path.as_bytes()),
                    Problem::SymlinkEscape {
                        target: target.to_string(),
                    },
                ));
            }
            ok.insert(path);
        }
        Ok(())
    }
}

/// Whether the link at `path` with `target` resolves outside the archive root, following the
/// archive's other links (at most 40 hops; more counts as escaping).
fn symlink_escapes(path: &str, target: &str, links: &HashMap<&str, &str>, limits: &Limits) -> bool {
    if target.starts_with('/') || target.contains('\\') || target.as_bytes().get(1) == Some(&b':') {
        return true;
    }
    let mut stack: Vec<String> = path.split('/').map(str::to_string).collect();
    stack.pop();
    let mut queue: VecDeque<String> = target.split('/').map(str::to_string).collect();
    let mut hops = 0usize;
    while let Some(c) = queue.pop_front() {
        match c.as_str() {
            "" | "." => {}
            ".." => {
                if stack.pop().is_none() {
                    return true;
                }
            }
            _ => {
                stack.push(c);
                if stack.len() > limits.max_path_depth.saturating_mul(2) {
                    return true;
                }
                let cur = stack.join("/");
                if let Some(next) = links.get(cur.as_str()) {
                    hops += 1;
                    if hops > 40 || next.starts_with('/') {
                        return true;
                    }
                    stack.pop();
                    for part in next.split('/').rev() {
                        queue.push_front(part.to_string());
                    }
                    if queue.len() > limits.max_path_len {
                        return true;
                    }
                }
            }
        }
    }
    false
}

/// Reads exactly `declared` bytes of a tar entry; fewer (a truncated archive) is an error.
fn read_exact_size(r: &mut impl Read, declared: u64) -> Result<Vec<u8>, Problem> {
    let mut data = Vec::with_capacity(usize::try_from(declared.min(1 << 20)).unwrap_or(0));
    r.take(declared)
        .read_to_end(&mut data)
        .map_err(|e| Problem::Corrupt(e.to_string()))?;
    if data.len() as u64 != declared {
        return Err(Problem::SizeMismatch {
            declared,
            actual: data.len() as u64,
        });
    }
    Ok(data)
}

/// Marks the common top-level directory of an sdist (`name-version/`) so [`Member::rel`]
/// strips it; nothing is marked when members do not share one.
fn set_sdist_prefix(files: &mut [Member]) {
    let Some(first) = files.first() else {
        return;
    };
    let top = first
        .path
        .split_once('/')
        .map_or(first.path.as_str(), |(t, _)| t)
        .to_string();
    let mut has_child = false;
    for m in files.iter() {
        match m.path.strip_prefix(top.as_str()) {
            Some("") if m.kind == MemberKind::Dir => {}
            Some(rest) if rest.starts_with('/') => has_child = true,
            _ => return,
        }
    }
    if !has_child {
        return;
    }
    for m in files.iter_mut() {
        m.rel_start = (top.len() + 1).min(m.path.len());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_and_refuses() {
        let l = Limits::default();
        let ok = |s: &str| normalize_path(s.as_bytes(), &l).map_err(|p| p.code());
        assert_eq!(ok("./a//b/./c/"), Ok("a/b/c".to_string()));
        assert_eq!(ok("/etc/passwd"), Err("absolute-path"));
        assert_eq!(ok("a/../../x"), Err("parent-component"));
        assert_eq!(ok("a\\b"), Err("windows-path"));
        assert_eq!(ok("C:x"), Err("windows-path"));
        assert_eq!(ok("a\0b"), Err("nul-in-path"));
        assert_eq!(ok("./"), Err("empty-path"));
        assert_eq!(
            normalize_path(&[0xff, b'a'], &l).map_err(|p| p.code()),
            Err("not-utf8")
        );
        assert_eq!(ok(&"a/".repeat(65)), Err("path-too-deep"));
        assert_eq!(ok(&"a".repeat(1025)), Err("path-too-long"));
    }

    #[test]
    fn symlink_resolution_follows_links() {
        let l = Limits::default();
        let mut links = HashMap::new();
        assert!(!symlink_escapes("p/a", "b", &links, &l));
        assert!(!symlink_escapes("p/q/a", "../b", &links, &l));
        assert!(symlink_escapes("p/a", "../../b", &links, &l));
        assert!(symlink_escapes("a", "/etc", &links, &l));
        // `a -> .` at the root makes `a/..` the parent of the root.
        links.insert("a", ".");
        assert!(symlink_escapes("b", "a/..", &links, &l));
        // A loop counts as escaping.
        links.insert("x", "y");
        links.insert("y", "x");
        assert!(symlink_escapes("z", "x", &links, &l));
    }
}
