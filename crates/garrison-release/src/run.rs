//! `garrison release verify`: distributions read, verified and (with a source) compared with
//! the tree at their release tag, into one report.
//!
//! Git is the caller's: this crate reads no repository itself. The caller implements [`Git`]
//! (the CLI does with gix) and the pipeline asks it for tags and trees; submodules checked out
//! next to the repository are read at the commit the tree records.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use garrison_report::{FileError, Report};

use crate::archive::{DistKind, Limits, Problem, dist_kind, dist_name_version, read_dist};
use crate::source::{SourceFile, SourceTree, compare, find_tag, tag_candidates, tag_version};
use crate::wheel::verify_wheel;

/// What a git adapter failed with.
pub type GitError = Box<dyn std::error::Error + Send + Sync>;

/// What a tree entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GitEntryKind {
    /// A file (executable or not).
    File,
    /// A symbolic link; the data is its target.
    Symlink,
    /// A submodule: the oid is the commit it records.
    Submodule,
}

/// One entry of a commit's tree.
#[derive(Debug, Clone)]
pub struct GitEntry {
    /// `/`-separated path from the repository root.
    pub path: String,
    /// What it is.
    pub kind: GitEntryKind,
    /// The content (`None` when it was over a read limit, and for submodules).
    pub data: Option<Vec<u8>>,
    /// The object id (for submodules, the commit).
    pub oid: String,
}

/// A commit's tree as the adapter read it.
#[derive(Debug, Clone, Default)]
pub struct GitTree {
    /// The commit id (hex).
    pub commit: String,
    /// Files, links and submodules.
    pub entries: Vec<GitEntry>,
    /// What could not be read (blobs over the limits), one sentence each.
    pub warnings: Vec<String>,
}

/// The git operations the pipeline needs, implemented by the caller.
pub trait Git {
    /// Whether `path` is a git repository (a work tree or a git directory).
    fn is_repository(&self, path: &Path) -> bool;
    /// The repository's tag names.
    fn tags(&self, repo: &Path) -> Result<Vec<String>, GitError>;
    /// The tree of `rev` (a tag, branch or commit id).
    fn tree(&self, repo: &Path, rev: &str) -> Result<GitTree, GitError>;
}

/// Where the source to compare with comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A git repository, at the given ref or at each distribution's release tag.
    Git {
        /// The repository.
        path: PathBuf,
        /// The ref, when given (`PATH@REF`).
        rev: Option<String>,
    },
    /// A plain directory.
    Dir(PathBuf),
}

impl Source {
    /// Reads `--source PATH[@REF]`: an existing path is taken whole (a git repository or a
    /// directory); otherwise the part after the last `@` is a ref of the repository before it.
    pub fn parse(arg: &str, git: &dyn Git) -> Result<Source, RunError> {
        let (path, rev) = if Path::new(arg).exists() {
            (PathBuf::from(arg), None)
        } else if let Some((p, r)) = arg.rsplit_once('@')
            && !r.is_empty()
        {
            (PathBuf::from(p), Some(r.to_string()))
        } else {
            return Err(RunError::NoSuchSource(arg.to_string()));
        };
        if !path.is_dir() {
            return Err(RunError::SourceNotADirectory(path));
        }
        if git.is_repository(&path) {
            Ok(Source::Git { path, rev })
        } else if let Some(rev) = rev {
            Err(RunError::NotARepository { path, rev })
        } else {
            Ok(Source::Dir(path))
        }
    }

    /// The directory the source is in (where its configuration is).
    pub fn root(&self) -> &Path {
        match self {
            Source::Git { path, .. } | Source::Dir(path) => path,
        }
    }
}

/// Why `release verify` cannot run: input errors, each naming the input and what to do.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// `--source` names nothing.
    #[error("--source {0}: no such directory")]
    NoSuchSource(String),
    /// `--source` names a file.
    #[error("--source {}: not a directory", .0.display())]
    SourceNotADirectory(PathBuf),
    /// `--source PATH@REF` where PATH is not a repository.
    #[error(
        "--source {}@{rev}: {} is not a git repository, so a ref cannot be read",
        path.display(),
        path.display()
    )]
    NotARepository {
        /// The directory.
        path: PathBuf,
        /// The ref.
        rev: String,
    },
    /// A distribution that does not exist.
    #[error("{}: no such file", .0.display())]
    NoSuchFile(PathBuf),
    /// A file whose name is not a distribution's.
    #[error("{}: not a distribution: expected .whl, .tar.gz or .zip", .0.display())]
    NotADistribution(PathBuf),
    /// A distribution that cannot be read.
    #[error("{}: {source}", path.display())]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// Why.
        source: garrison_source::read::ReadError,
    },
    /// A distribution that is not a readable archive (a truncated download, another format).
    #[error("{}: truncated or not an archive ({detail}); download it again", path.display())]
    Truncated {
        /// The file.
        path: PathBuf,
        /// The archive reader's message.
        detail: String,
    },
    /// No version in the file name to find the tag with.
    #[error("{0}: cannot tell the version from the file name; give --source PATH@REF")]
    NoVersion(String),
    /// No tag names the distribution's version.
    #[error(
        "{}: no tag names version {version} of {name} (tried {tried}, and any tag equal to {version} under PEP 440); give the ref with --source {}@REF",
        repo.display(),
        repo.display()
    )]
    NoTag {
        /// The repository.
        repo: PathBuf,
        /// The normalized project name.
        name: String,
        /// The version.
        version: String,
        /// The tag names tried, comma-separated.
        tried: String,
    },
    /// A source directory that cannot be read.
    #[error("cannot read {}", path.display())]
    Directory {
        /// The directory.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The git adapter failed.
    #[error(transparent)]
    Git(#[from] GitError),
}

/// The result of [`verify_dists`].
#[derive(Debug, Default)]
pub struct Verification {
    /// Findings of the `release/*` rules, files read, files that could not be analysed.
    pub report: Report,
    /// One line per compared distribution: `NAME vs SOURCE: N files: …`.
    pub header: String,
}

/// Verifies each distribution of `dists` in order: read in memory under `limits`, a wheel's
/// RECORD and dist-info checked, and with `source` compared with its tree. `on_dist` is called
/// with each file name before it is read (progress).
pub fn verify_dists(
    dists: &[PathBuf],
    source: Option<&Source>,
    git: &dyn Git,
    limits: &Limits,
    on_dist: &mut dyn FnMut(&str),
) -> Result<Verification, RunError> {
    let tags = match source {
        Some(Source::Git { path, rev: None }) => git.tags(path)?,
        _ => Vec::new(),
    };
    let mut out = Verification {
        report: Report {
            root: ".".into(),
            ..Report::default()
        },
        header: String::new(),
    };
    out.report.rules.extend(crate::registry::rules());
    let mut trees: HashMap<String, SourceTree> = HashMap::new();
    for dist in dists {
        let name = dist
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        on_dist(&name);
        if !dist.exists() {
            return Err(RunError::NoSuchFile(dist.clone()));
        }
        if dist_kind(&name).is_none() {
            return Err(RunError::NotADistribution(dist.clone()));
        }
        let bytes = match garrison_source::read::read_file(dist, limits.max_archive_bytes) {
            Ok(b) => b,
            Err(e) if e.is_too_large() => {
                out.report.errors.push(FileError {
                    path: dist.display().to_string(),
                    line: None,
                    column: None,
                    message: format!(
                        "larger than the {}-byte archive limit",
                        limits.max_archive_bytes
                    ),
                });
                continue;
            }
            Err(source) => {
                return Err(RunError::Unreadable {
                    path: dist.clone(),
                    source,
                });
            }
        };
        out.report.files_scanned += 1;
        let parsed = match read_dist(&name, &bytes, limits) {
            Ok(d) => d,
            Err(e) => match e.problem {
                Problem::Corrupt(detail) => {
                    return Err(RunError::Truncated {
                        path: dist.clone(),
                        detail,
                    });
                }
                _ => {
                    out.report.findings.extend(crate::rejected_findings(&e));
                    continue;
                }
            },
        };
        if parsed.kind == DistKind::Wheel {
            out.report.findings.extend(verify_wheel(&parsed).1);
        }
        let Some(src) = source else { continue };
        let key = tree_key(src, &name, &tags)?;
        if !trees.contains_key(&key) {
            let tree = match src {
                Source::Dir(p) => {
                    SourceTree::from_dir(p, p.display().to_string()).map_err(|source| {
                        RunError::Directory {
                            path: p.clone(),
                            source,
                        }
                    })?
                }
                Source::Git { path, .. } => {
                    let (tree, warnings) = git_tree(git, path, &key)?;
                    // Blobs over the read limit could not be compared: the run is incomplete.
                    for w in warnings {
                        out.report.errors.push(FileError {
                            path: format!("{}@{key}", path.display()),
                            line: None,
                            column: None,
                            message: w,
                        });
                    }
                    tree
                }
            };
            trees.insert(key.clone(), tree);
        }
        let Some(tree) = trees.get(&key) else {
            continue;
        };
        let c = compare(&parsed, tree);
        let s = &c.stats;
        let _ = writeln!(
            out.header,
            "{name} vs {}: {} files: {} identical, {} expected from the build, {} with findings",
            tree.label, s.files, s.identical, s.allowed, s.reported
        );
        out.report.findings.extend(c.findings);
    }
    Ok(out)
}

/// The tree a distribution is compared with: the directory, the given ref, or the tag that
/// names the distribution's version.
fn tree_key(src: &Source, name: &str, tags: &[String]) -> Result<String, RunError> {
    match src {
        Source::Dir(p) => Ok(p.display().to_string()),
        Source::Git { rev: Some(r), .. } => Ok(r.clone()),
        Source::Git { path, rev: None } => {
            let Some((n, v)) = dist_name_version(name) else {
                return Err(RunError::NoVersion(name.to_string()));
            };
            find_tag(tags, n.as_str(), &v).ok_or_else(|| RunError::NoTag {
                repo: path.clone(),
                name: n.as_str().to_string(),
                tried: tag_candidates(n.as_str(), &v).join(", "),
                version: v,
            })
        }
    }
}

fn short(id: &str) -> &str {
    id.get(..10).unwrap_or(id)
}

/// The tree at `rev`, labelled `PATH@REV (commit)`, with its checked-out submodules.
fn git_tree(git: &dyn Git, path: &Path, rev: &str) -> Result<(SourceTree, Vec<String>), RunError> {
    let t = git.tree(path, rev)?;
    let mut tree = SourceTree {
        label: format!("{}@{rev} ({})", path.display(), short(&t.commit)),
        tag_version: tag_version(rev),
        ..SourceTree::default()
    };
    let mut warnings = t.warnings;
    add_tree(git, &mut tree, path, "", t.entries, 0, &mut warnings);
    Ok((tree, warnings))
}

/// Adds a tree's files under `prefix`; submodules are read from their checkout (`PATH/SUB`,
/// or `.git/modules/SUB`) at the commit the tree records, when it is there, so their files
/// are compared too; otherwise they stay listed as not compared.
fn add_tree(
    git: &dyn Git,
    tree: &mut SourceTree,
    repo: &Path,
    prefix: &str,
    entries: Vec<GitEntry>,
    depth: usize,
    warnings: &mut Vec<String>,
) {
    for f in entries {
        let full = format!("{prefix}{}", f.path);
        match f.kind {
            GitEntryKind::Submodule => {
                let candidates = [
                    repo.join(&f.path),
                    repo.join(".git").join("modules").join(&f.path),
                ];
                let sub = (depth < 4)
                    .then(|| {
                        candidates.iter().find_map(|c| {
                            (c.is_dir() && git.is_repository(c))
                                .then(|| git.tree(c, &f.oid).ok())
                                .flatten()
                                .map(|t| (c.clone(), t))
                        })
                    })
                    .flatten();
                match sub {
                    Some((sub_repo, t)) => {
                        warnings.extend(t.warnings.into_iter().map(|w| format!("{full}: {w}")));
                        add_tree(
                            git,
                            tree,
                            &sub_repo,
                            &format!("{full}/"),
                            t.entries,
                            depth + 1,
                            warnings,
                        );
                    }
                    None => tree.submodules.push(full),
                }
            }
            kind => {
                tree.files.insert(
                    full,
                    SourceFile {
                        data: f.data,
                        symlink: kind == GitEntryKind::Symlink,
                    },
                );
            }
        }
    }
}
