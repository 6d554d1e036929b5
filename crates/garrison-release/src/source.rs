//! A distribution compared with the source tree it claims to be built from.
//!
//! Every regular file of the distribution is matched to a source file: sdist members by their
//! path under the `name-version/` directory, wheel members through the package directory
//! mapping inferred from the tree (flat, `src/` or any `package-dir`-style prefix, per top-level
//! package). Identical files pass; files that a build backend legitimately generates or rewrites
//! are allowed only when their content has the generator's shape ([`crate::generated`]); the
//! rest are findings:
//!
//! - `release/file-not-in-source`: the distribution carries a file the tree does not have;
//! - `release/ignored-file-in-dist`: ... and the repository's own `.gitignore` hides that path
//!   (the XZ Utils shape);
//! - `release/content-differs`: the file differs from the tree's, with a unified diff excerpt
//!   for text;
//! - `release/metadata-mismatch`: METADATA / PKG-INFO disagrees with `pyproject.toml`;
//! - `release/file-missing-from-dist`: source modules left out of a directory the
//!   distribution ships;
//! - `release/generated-file` (info): what was allowed, grouped by generator, with the reason.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::time::Duration;

use std::cell::Cell;

use garrison_report::{Finding, Location, Severity};

use crate::archive::{Dist, DistKind, MemberKind};
use crate::generated::{self, Allowance, Context, Verdict};
use crate::gitignore::{IgnoreHit, IgnoreRules};
use crate::rules::generated_file::GeneratedFile;

/// One file of the source tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// The content; `None` when it was too large to read.
    pub data: Option<Vec<u8>>,
    /// Whether it is a symbolic link (the content is the target).
    pub symlink: bool,
}

/// The source a distribution is compared with: a git tree at a tag or commit, or a directory.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceTree {
    /// How to name it in messages: `../numpy@v2.1.0 (2f7fe64)`.
    pub label: String,
    /// Files by `/`-separated path from the root.
    pub files: BTreeMap<String, SourceFile>,
    /// Paths of submodules (their files are not in the tree).
    pub submodules: Vec<String>,
    /// The version the tag names (`v2.1.0` → `2.1.0`), when the tree was read at a tag.
    pub tag_version: Option<String>,
}

impl SourceTree {
    /// Reads a directory (a checkout without git, or an unpacked tree): every regular file and
    /// symlink below it, except `.git/`, without following links. Files over 64 MiB are listed
    /// without content; more than 500,000 entries or 2 GiB of content is an error.
    pub fn from_dir(
        root: &std::path::Path,
        label: impl Into<String>,
    ) -> std::io::Result<SourceTree> {
        let mut tree = SourceTree {
            label: label.into(),
            ..SourceTree::default()
        };
        let mut total = 0u64;
        let mut stack = vec![(root.to_path_buf(), String::new())];
        while let Some((dir, rel)) = stack.pop() {
            let mut entries: Vec<_> = std::fs::read_dir(&dir)?.flatten().collect();
            entries.sort_by_key(|e| e.file_name());
            for e in entries {
                let Ok(name) = e.file_name().into_string() else {
                    continue;
                };
                if rel.is_empty() && name == ".git" {
                    continue;
                }
                let path = if rel.is_empty() {
                    name.clone()
                } else {
                    format!("{rel}/{name}")
                };
                let ft = e.file_type()?;
                if tree.files.len() >= 500_000 {
                    return Err(std::io::Error::other(format!(
                        "{}: more than 500000 files",
                        root.display()
                    )));
                }
                if ft.is_dir() {
                    if path.matches('/').count() < 64 {
                        stack.push((e.path(), path));
                    }
                } else if ft.is_symlink() {
                    let target = std::fs::read_link(e.path())?;
                    tree.files.insert(
                        path,
                        SourceFile {
                            data: Some(target.to_string_lossy().into_owned().into_bytes()),
                            symlink: true,
                        },
                    );
                } else if ft.is_file() {
                    let len = e.metadata()?.len();
                    let data = if len <= 64 << 20 && total + len <= 2 << 30 {
                        total += len;
                        Some(std::fs::read(e.path())?)
                    } else {
                        None
                    };
                    tree.files.insert(
                        path,
                        SourceFile {
                            data,
                            symlink: false,
                        },
                    );
                }
            }
        }
        Ok(tree)
    }

    /// The content of `path`, when it was read.
    pub fn data(&self, path: &str) -> Option<&[u8]> {
        self.files.get(path).and_then(|f| f.data.as_deref())
    }
}

/// Counts of what the comparison saw.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// Regular files in the distribution.
    pub files: usize,
    /// Identical to their source file.
    pub identical: usize,
    /// Allowed as generated or rewritten by the build.
    pub allowed: usize,
    /// From a submodule (not compared).
    pub submodule: usize,
    /// Reported as not in the source, ignored, or different.
    pub reported: usize,
}

/// The result of [`compare`].
#[derive(Debug, Clone, Default)]
pub struct Comparison {
    /// Findings, including the info-level `release/generated-file` summaries.
    pub findings: Vec<Finding>,
    /// Every allowed file with its reason.
    pub allowed: Vec<(String, Allowance)>,
    /// Counts.
    pub stats: Stats,
}

const NATIVE_EXT: &[&str] = &[
    ".c", ".cc", ".cpp", ".cxx", ".h", ".hh", ".hpp", ".pyx", ".pxd", ".f", ".f90", ".f77", ".rs",
    ".cu", ".m", ".mm",
];

pub(crate) fn ext_of(path: &str) -> &str {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.rfind('.').map_or("", |i| &name[i..])
}

/// How much a file can do: code and build inputs run; docs and data do not.
pub(crate) fn weight(path: &str) -> Severity {
    let name = path.rsplit('/').next().unwrap_or(path);
    let ext = ext_of(path).to_ascii_lowercase();
    if ext == ".pth" {
        return Severity::Critical;
    }
    let code_ext = [
        ".py", ".pyi", ".pyx", ".pxd", ".pxi", ".c", ".cc", ".cpp", ".cxx", ".h", ".hpp", ".f",
        ".f90", ".rs", ".js", ".sh", ".bash", ".bat", ".cmd", ".ps1", ".m4", ".ac", ".am", ".in",
        ".cmake", ".pyc", ".so", ".pyd", ".dll", ".dylib", ".exe", ".jar", ".wasm", ".pl", ".rb",
        ".lua", ".toml", ".cfg", ".mk",
    ];
    let build_names = [
        "setup.py",
        "meson.build",
        "meson.options",
        "meson_options.txt",
        "CMakeLists.txt",
        "Makefile",
        "configure",
        "build.rs",
        "noxfile.py",
        "conftest.py",
    ];
    if code_ext.contains(&ext.as_str()) || build_names.contains(&name) {
        Severity::High
    } else {
        Severity::Medium
    }
}

/// The severity of a distribution file that is not in the source: [`weight`], except that C
/// headers and sources and Cython declarations in a wheel are not run on import (they are
/// compiled into dependents, and native builds generate them: numpy's C API headers). Also
/// whether the file is a build byproduct (`.pyc`, object files).
pub(crate) fn not_in_source_severity(wheel: bool, member: &str) -> (Severity, bool) {
    let ext = ext_of(member).to_ascii_lowercase();
    let sev = if wheel
        && matches!(
            ext.as_str(),
            ".h" | ".hpp" | ".c" | ".cpp" | ".pxd" | ".pxi"
        ) {
        Severity::Medium
    } else {
        weight(member)
    };
    let byproduct = matches!(
        ext.as_str(),
        ".pyc" | ".pyo" | ".o" | ".obj" | ".a" | ".lib"
    );
    (sev, byproduct)
}

pub(crate) fn is_text(d: &[u8]) -> bool {
    !d.iter().take(8000).any(|&b| b == 0) && std::str::from_utf8(d).is_ok()
}

/// A unified diff excerpt (at most 40 lines), or `None` for binary content.
pub fn diff_excerpt(path: &str, source: &[u8], dist: &[u8]) -> Option<(String, usize, usize)> {
    if !is_text(source) || !is_text(dist) || source.len() > 1 << 20 || dist.len() > 1 << 20 {
        return None;
    }
    let a = std::str::from_utf8(source).ok()?;
    let b = std::str::from_utf8(dist).ok()?;
    let diff = similar::TextDiff::configure()
        .algorithm(similar::Algorithm::Myers)
        .timeout(Duration::from_millis(250))
        .diff_lines(a, b);
    let (mut added, mut removed) = (0, 0);
    for c in diff.iter_all_changes() {
        match c.tag() {
            similar::ChangeTag::Insert => added += 1,
            similar::ChangeTag::Delete => removed += 1,
            similar::ChangeTag::Equal => {}
        }
    }
    let text = diff
        .unified_diff()
        .context_radius(2)
        .header(&format!("source/{path}"), &format!("dist/{path}"))
        .to_string();
    let mut out = String::new();
    let lines: Vec<&str> = text.lines().collect();
    for l in lines.iter().take(40) {
        let shown: String = l.chars().take(160).collect();
        let _ = writeln!(out, "{shown}");
    }
    if lines.len() > 40 {
        let _ = writeln!(out, "… {} more diff lines", lines.len() - 40);
    }
    Some((out, added, removed))
}

/// Maps wheel paths to source paths: per top-level name, the prefix under which the tree holds
/// it (`""`, `src/`, `python/`, `lib/`…), inferred from where the wheel's files are found.
struct WheelMap {
    prefix: HashMap<String, String>,
}

impl WheelMap {
    fn infer(wheel_paths: &[&str], src: &SourceTree) -> WheelMap {
        let mut by_name: HashMap<&str, Vec<&str>> = HashMap::new();
        for p in src.files.keys() {
            let name = p.rsplit('/').next().unwrap_or(p);
            by_name.entry(name).or_default().push(p);
        }
        let mut votes: HashMap<String, HashMap<String, usize>> = HashMap::new();
        for w in wheel_paths {
            let top = w.split('/').next().unwrap_or(w).to_string();
            let name = w.rsplit('/').next().unwrap_or(w);
            let Some(cands) = by_name.get(name) else {
                continue;
            };
            for c in cands.iter().take(64) {
                if let Some(prefix) = c.strip_suffix(w)
                    && (prefix.is_empty() || prefix.ends_with('/'))
                {
                    *votes
                        .entry(top.clone())
                        .or_default()
                        .entry(prefix.to_string())
                        .or_default() += 1;
                }
            }
        }
        let prefix = votes
            .into_iter()
            .filter_map(|(top, v)| {
                v.into_iter()
                    .max_by(|a, b| a.1.cmp(&b.1).then(b.0.len().cmp(&a.0.len())))
                    .map(|(p, _)| (top, p))
            })
            .collect();
        WheelMap { prefix }
    }

    fn source_path(&self, wheel_path: &str) -> Option<String> {
        let top = wheel_path.split('/').next().unwrap_or(wheel_path);
        self.prefix.get(top).map(|p| format!("{p}{wheel_path}"))
    }
}

/// Strips a wheel's `name-ver.data/purelib/` or `platlib/` prefix (installed like package
/// files); other `.data` members keep their path.
fn wheel_install_path(path: &str) -> &str {
    if let Some((head, rest)) = path.split_once('/')
        && head.ends_with(".data")
        && let Some(r) = rest
            .strip_prefix("purelib/")
            .or_else(|| rest.strip_prefix("platlib/"))
    {
        return r;
    }
    path
}

/// Diff excerpts computed per distribution; past this, differing files are reported with
/// their sizes only (a hostile dist with thousands of changed files cannot make the run slow).
pub const MAX_DIFFS: usize = 200;

/// What [`compare`] works on, for the rules.
pub struct CompareCx<'a> {
    /// The distribution.
    pub dist: &'a Dist,
    /// The source tree.
    pub src: &'a SourceTree,
    /// Diff excerpts computed so far (at most [`MAX_DIFFS`] per distribution).
    pub diffs: Cell<usize>,
}

impl CompareCx<'_> {
    /// Whether the distribution is a wheel.
    pub fn wheel(&self) -> bool {
        self.dist.kind == DistKind::Wheel
    }

    /// A location at the distribution, with the member as route.
    pub fn loc(&self, member: &str) -> Location {
        Location::file(self.dist.filename.clone()).with_route(member.to_string())
    }

    /// A location at a source file, noted as `{note} in {label}`.
    pub fn source_loc(&self, path: &str, note: &str) -> Location {
        Location::file(path.to_string()).with_note(format!("{note} in {}", self.src.label))
    }
}

/// One observation of [`compare`], handed in order to every rule ([`crate::rules`]).
#[derive(Debug)]
pub enum SourceEvent<'a> {
    /// A distribution file whose content differs from its source file's.
    Differs {
        /// The path inside the distribution.
        member: &'a str,
        /// The source file it was compared with.
        source_path: &'a str,
        /// The source content.
        source: &'a [u8],
        /// The distribution content.
        dist: &'a [u8],
    },
    /// A distribution file the tree does not have (no generator explains it).
    NotInSource {
        /// The path inside the distribution.
        member: &'a str,
        /// The source path it maps to.
        source_path: &'a str,
        /// What a generator check found suspicious about it, if anything.
        why: Option<String>,
        /// The repository's `.gitignore` rule that hides that path, if one does.
        hidden: Option<IgnoreHit>,
    },
    /// After every file: the source directories the distribution ships files from (with a
    /// count), the source files it matched, and the wheel's package prefixes in the tree.
    Shipped {
        /// Source directories with at least one shipped file.
        dirs: &'a HashMap<String, usize>,
        /// Source paths matched by a distribution file.
        matched: &'a HashSet<String>,
        /// Where the wheel's top-level packages are in the tree (`""`, `src/`, …).
        prefixes: &'a [&'a str],
    },
    /// The distribution's metadata (`PKG-INFO`, or `{dist-info}/METADATA` of a wheel) to
    /// compare with `pyproject.toml`.
    Metadata {
        /// The wheel's dist-info directory.
        dist_info: Option<&'a str>,
    },
    /// Everything allowed as generated or rewritten by the build, by kind.
    Allowed(&'a BTreeMap<&'static str, (Allowance, Vec<String>)>),
}

/// The comparison in progress: counts, allowances and findings.
struct Builder<'a> {
    cx: CompareCx<'a>,
    out: Comparison,
    allowed_by_kind: BTreeMap<&'static str, (Allowance, Vec<String>)>,
}

impl Builder<'_> {
    fn allow(&mut self, path: &str, a: Allowance) {
        self.out.stats.allowed += 1;
        let e = self
            .allowed_by_kind
            .entry(a.kind)
            .or_insert_with(|| (a.clone(), Vec::new()));
        e.1.push(path.to_string());
        self.out.allowed.push((path.to_string(), a));
    }

    fn report(&mut self, event: SourceEvent<'_>) {
        for rule in crate::registry::RULES {
            rule.source(&self.cx, &event, &mut self.out.findings);
        }
    }
}

/// Compares a distribution with its source tree. `member_path` of each finding is the path
/// inside the distribution (the route); source locations are repository paths.
pub fn compare(dist: &Dist, src: &SourceTree) -> Comparison {
    let wheel = dist.kind == DistKind::Wheel;
    let (name, version) = crate::archive::dist_name_version(&dist.filename)
        .map(|(n, v)| (n.as_str().to_string(), v))
        .unwrap_or_default();
    let ignore = IgnoreRules::new(
        src.files
            .iter()
            .filter_map(|(p, f)| f.data.as_deref().map(|d| (p.as_str(), d))),
    );
    let source_paths: HashSet<&str> = src.files.keys().map(String::as_str).collect();
    let members: HashSet<&str> = dist
        .files
        .iter()
        .filter(|m| m.is_file())
        .map(|m| m.rel())
        .collect();
    let native_build = src.files.keys().any(|p| {
        NATIVE_EXT.contains(&ext_of(p)) && !p.starts_with("tests/") && !p.contains("/tests/")
    }) || ["meson.build", "CMakeLists.txt"]
        .iter()
        .any(|f| source_paths.contains(f));

    let dist_info = wheel.then(|| {
        dist.files
            .iter()
            .filter_map(|m| m.rel().split_once('/').map(|(d, _)| d))
            .find(|d| d.ends_with(".dist-info"))
            .unwrap_or("")
            .to_string()
    });
    let wheel_paths: Vec<&str> = dist
        .files
        .iter()
        .filter(|m| m.is_file())
        .map(|m| wheel_install_path(m.rel()))
        .filter(|p| !p.split('/').next().unwrap_or("").ends_with(".dist-info"))
        .collect();
    let map = WheelMap::infer(if wheel { &wheel_paths } else { &[] }, src);
    let source_path_of = |p: &str| map.source_path(wheel_install_path(p));
    let source_data = |p: &str| src.data(p);
    let mut source_by_name: HashMap<&str, Vec<&str>> = HashMap::new();
    for p in src.files.keys() {
        source_by_name
            .entry(p.rsplit('/').next().unwrap_or(p))
            .or_default()
            .push(p);
    }
    // Source files by content, to recognise a file installed at another path.
    let mut by_content: HashMap<&[u8], &str> = HashMap::new();
    for (p, f) in &src.files {
        if let Some(d) = f.data.as_deref()
            && !f.symlink
            && !d.is_empty()
        {
            by_content.entry(d).or_insert(p);
        }
    }
    let ctx = Context {
        wheel,
        name: &name,
        version: &version,
        source: &source_paths,
        members: &members,
        source_path_of: &source_path_of,
        source_data: &source_data,
        source_by_name: &source_by_name,
        native_build,
    };

    let mut b = Builder {
        cx: CompareCx {
            dist,
            src,
            diffs: Cell::new(0),
        },
        out: Comparison::default(),
        allowed_by_kind: BTreeMap::new(),
    };
    let mut shipped_dirs: HashMap<String, usize> = HashMap::new();
    let mut matched_sources: HashSet<String> = HashSet::new();

    for m in &dist.files {
        let rel = m.rel();
        let is_link = matches!(m.kind, MemberKind::Symlink { .. });
        if !m.is_file() && !is_link {
            continue;
        }
        b.out.stats.files += 1;
        // Wheel metadata is checked by RECORD verification and the metadata comparison.
        if let Some(di) = &dist_info
            && let Some(inner) = rel
                .strip_prefix(di.as_str())
                .and_then(|r| r.strip_prefix('/'))
        {
            dist_info_member(&mut b, rel, inner, &m.data);
            continue;
        }
        let spath = if wheel {
            match map.source_path(wheel_install_path(rel)) {
                Some(p) => p,
                None => wheel_install_path(rel).to_string(),
            }
        } else {
            rel.to_string()
        };
        if let Some((dir, _)) = spath.rsplit_once('/') {
            *shipped_dirs.entry(dir.to_string()).or_default() += 1;
        } else {
            *shipped_dirs.entry(String::new()).or_default() += 1;
        }
        let data: &[u8] = match &m.kind {
            MemberKind::Symlink { target } => target.as_bytes(),
            _ => &m.data,
        };
        match src.files.get(&spath) {
            Some(sf) => {
                matched_sources.insert(spath.clone());
                let Some(sdata) = sf.data.as_deref() else {
                    continue;
                };
                if sdata == data {
                    b.out.stats.identical += 1;
                    continue;
                }
                if sdata.len() != data.len()
                    && sdata
                        .iter()
                        .filter(|&&c| c != b'\r')
                        .eq(data.iter().filter(|&&c| c != b'\r'))
                {
                    b.allow(
                        rel,
                        Allowance {
                            kind: "line-endings",
                            generator: "git / the build backend",
                            reason: "only line endings differ (CRLF vs LF)".into(),
                        },
                    );
                    continue;
                }
                if let Some(a) = generated::check_rewritten(rel, sdata, data, &ctx) {
                    b.allow(rel, a);
                    continue;
                }
                b.report(SourceEvent::Differs {
                    member: rel,
                    source_path: &spath,
                    source: sdata,
                    dist: data,
                });
            }
            None => {
                if let Some(sm) = src
                    .submodules
                    .iter()
                    .find(|s| spath.starts_with(s.as_str()) && spath[s.len()..].starts_with('/'))
                {
                    b.out.stats.submodule += 1;
                    b.allow(
                        rel,
                        Allowance {
                            kind: "submodule",
                            generator: "git submodule",
                            reason: format!(
                                "from the submodule `{sm}`, whose files are in another repository (not compared)"
                            ),
                        },
                    );
                    continue;
                }
                match generated::check_added(rel, data, &ctx) {
                    Verdict::Allowed(a) => b.allow(rel, a),
                    Verdict::Unknown
                        if let Some(orig) = by_content.get(data).filter(|_| may_be_a_copy(rel)) =>
                    {
                        b.allow(
                            rel,
                            Allowance {
                                kind: "copy-of-source",
                                generator: "the build (a source file installed at another path)",
                                reason: format!("byte for byte the source file `{orig}`"),
                            },
                        );
                    }
                    Verdict::Suspicious(why) => b.report(SourceEvent::NotInSource {
                        member: rel,
                        source_path: &spath,
                        why: Some(why),
                        hidden: ignore.matched(&spath),
                    }),
                    Verdict::Unknown => b.report(SourceEvent::NotInSource {
                        member: rel,
                        source_path: &spath,
                        why: None,
                        hidden: ignore.matched(&spath),
                    }),
                }
            }
        }
    }

    let prefixes: Vec<&str> = if wheel {
        map.prefix.values().map(String::as_str).collect()
    } else {
        Vec::new()
    };
    b.report(SourceEvent::Shipped {
        dirs: &shipped_dirs,
        matched: &matched_sources,
        prefixes: &prefixes,
    });
    b.report(SourceEvent::Metadata {
        dist_info: dist_info.as_deref(),
    });
    let allowed_by_kind = std::mem::take(&mut b.allowed_by_kind);
    b.report(SourceEvent::Allowed(&allowed_by_kind));
    b.out.stats.reported = b
        .out
        .findings
        .iter()
        .filter(|f| f.rule != GeneratedFile::META.id)
        .count();
    b.out
}

pub(crate) fn plural(n: usize) -> String {
    if n == 1 {
        "1 file".into()
    } else {
        format!("{n} files")
    }
}

fn dist_info_member(b: &mut Builder<'_>, rel: &str, inner: &str, data: &[u8]) {
    // License files are copies of the source's.
    let lic = inner.strip_prefix("licenses/").or_else(|| {
        (!matches!(
            inner,
            "METADATA"
                | "WHEEL"
                | "RECORD"
                | "entry_points.txt"
                | "top_level.txt"
                | "INSTALLER"
                | "REQUESTED"
                | "direct_url.json"
                | "zip-safe"
                | "RECORD.jws"
                | "RECORD.p7s"
                | "namespace_packages.txt"
                | "dependency_links.txt"
                | "not-zip-safe"
        ) && !inner.starts_with("sboms/")
            && !inner.contains('/'))
        .then_some(inner)
    });
    if let Some(lic) = lic {
        let name = lic.rsplit('/').next().unwrap_or(lic);
        let candidate = if b.cx.src.files.contains_key(lic) {
            Some(lic.to_string())
        } else {
            b.cx.src
                .files
                .keys()
                .filter(|p| p.rsplit('/').next() == Some(name))
                .min_by_key(|p| p.len())
                .cloned()
        };
        match candidate.and_then(|c| b.cx.src.data(&c).map(|d| (c, d))) {
            Some((_, d)) if d == data => b.out.stats.identical += 1,
            Some(_) if let Some(parts) = license_concatenation(b.cx.src, data) => {
                b.allow(
                    rel,
                    Allowance {
                        kind: "license-bundle",
                        generator: "the wheel build (bundled-library licenses appended)",
                        reason: format!(
                            "the concatenation of the source files {}",
                            parts.join(" + ")
                        ),
                    },
                );
            }
            Some((c, d)) => b.report(SourceEvent::Differs {
                member: rel,
                source_path: &c,
                source: d,
                dist: data,
            }),
            None => {
                b.allow(
                    rel,
                    Allowance {
                        kind: "wheel-metadata",
                        generator: "the build backend",
                        reason: "a license or metadata file in the wheel's .dist-info".into(),
                    },
                );
            }
        }
        return;
    }
    b.allow(
        rel,
        Allowance {
            kind: "wheel-metadata",
            generator: "the build backend",
            reason: "wheel metadata (.dist-info): checked against RECORD and pyproject.toml".into(),
        },
    );
}

/// Names that Python executes just by being installed: never accepted as a mere copy.
fn may_be_a_copy(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    !name.ends_with(".pth")
        && !matches!(
            name,
            "sitecustomize.py" | "usercustomize.py" | "__init__.py"
        )
}

/// A license file made by concatenating source files (numpy's wheels append the licenses of
/// the libraries they bundle), separated only by blank lines and `----` rules: the source
/// paths in order, or `None`.
fn license_concatenation(src: &SourceTree, data: &[u8]) -> Option<Vec<String>> {
    let text = std::str::from_utf8(data).ok()?;
    let candidates: Vec<(&String, &str)> = src
        .files
        .iter()
        .filter(|(p, _)| {
            let n = p.rsplit('/').next().unwrap_or(p).to_ascii_uppercase();
            n.contains("LICENSE")
                || n.contains("LICENCE")
                || n.contains("COPYING")
                || n.contains("NOTICE")
        })
        .filter_map(|(p, f)| {
            let d = std::str::from_utf8(f.data.as_deref()?).ok()?;
            (!d.trim().is_empty()).then_some((p, d))
        })
        .take(200)
        .collect();
    let mut rest = text;
    let mut parts = Vec::new();
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == '-' || c == '=');
        if rest.is_empty() {
            break;
        }
        let body = |d: &str| -> usize {
            let t = d
                .trim_start_matches(|c: char| c.is_whitespace() || c == '-' || c == '=')
                .trim_end();
            if rest.starts_with(t) { t.len() } else { 0 }
        };
        let (p, len) = candidates
            .iter()
            .map(|(p, d)| (p, body(d)))
            .filter(|(_, n)| *n > 0)
            .max_by_key(|(_, n)| *n)?;
        parts.push(format!("`{p}`"));
        rest = &rest[len..];
        if parts.len() > 50 {
            return None;
        }
    }
    (parts.len() >= 2).then_some(parts)
}

/// The span of 1-based line `line` in `text`.
pub(crate) fn line_span(text: &[u8], line: u32) -> garrison_report::Span {
    let mut offset = 0usize;
    for (i, l) in text.split(|&c| c == b'\n').enumerate() {
        if i + 1 == line as usize {
            let len = l.len() - usize::from(l.ends_with(b"\r"));
            return garrison_report::Span::line(line, offset, len);
        }
        offset += l.len() + 1;
    }
    garrison_report::Span::line(line, 0, 0)
}

/// Candidate tag names for a version, in the order projects use them.
pub fn tag_candidates(name: &str, version: &str) -> Vec<String> {
    let mut v = vec![
        format!("v{version}"),
        version.to_string(),
        format!("{name}-{version}"),
        format!("{name}-v{version}"),
        format!("release-{version}"),
        format!("release/{version}"),
        format!("{name}/v{version}"),
    ];
    v.dedup();
    v
}

/// The tag among `tags` that names `version` of project `name` (PEP 440 equal: `v1.2` names
/// `1.2.0`), preferring the exact spellings of [`tag_candidates`].
pub fn find_tag(tags: &[String], name: &str, version: &str) -> Option<String> {
    for c in tag_candidates(name, version) {
        if tags.contains(&c) {
            return Some(c);
        }
    }
    let want = garrison_python::pep440::parse_version(version).ok()?;
    tags.iter()
        .find(|t| {
            let t = t.as_str();
            let rest = t
                .rsplit_once('-')
                .filter(|(n, _)| garrison_python::name::same_name(n, name))
                .map_or(t, |(_, r)| r);
            let rest = rest.strip_prefix('v').unwrap_or(rest);
            garrison_python::pep440::parse_version(rest).is_ok_and(|v| v == want)
        })
        .cloned()
}

/// The version a tag names (`v1.2.0` → `1.2.0`, `pkg-1.2` → `1.2`), if it names one.
pub fn tag_version(tag: &str) -> Option<String> {
    let t = tag.rsplit('/').next().unwrap_or(tag);
    let t = t.rsplit_once('-').map_or(t, |(_, r)| r);
    let t = t.strip_prefix('v').unwrap_or(t);
    garrison_python::pep440::parse_version(t)
        .ok()
        .map(|_| t.to_string())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn tags() {
        let tags: Vec<String> = ["v1.0.0", "1.1", "pkg-1.2.0", "v2.0.0rc1"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(find_tag(&tags, "pkg", "1.0.0").as_deref(), Some("v1.0.0"));
        assert_eq!(find_tag(&tags, "pkg", "1.1.0").as_deref(), Some("1.1"));
        assert_eq!(
            find_tag(&tags, "pkg", "1.2.0").as_deref(),
            Some("pkg-1.2.0")
        );
        assert_eq!(
            find_tag(&tags, "pkg", "2.0.0rc1").as_deref(),
            Some("v2.0.0rc1")
        );
        assert_eq!(find_tag(&tags, "pkg", "3.0"), None);
        assert_eq!(tag_version("v1.2.0").as_deref(), Some("1.2.0"));
        assert_eq!(tag_version("main"), None);
    }

    #[test]
    fn diff_excerpts_are_bounded() {
        let a: String = (0..1000).map(|i| format!("line {i}\n")).collect();
        let b = a.replace("line 500\n", "line 500\nimport os; os.system('x')\n");
        let (d, added, removed) = diff_excerpt("pkg/x.py", a.as_bytes(), b.as_bytes()).unwrap();
        assert_eq!((added, removed), (1, 0));
        assert!(d.contains("+import os"), "{d}");
        assert!(d.lines().count() <= 41);
        assert!(diff_excerpt("x", b"\0bin", b"\0bon").is_none());
    }
}
