//! `garrison release verify DIST... [--source PATH[@REF]]`: each sdist or wheel read in memory
//! under limits; wheels' RECORD hashes and sizes and dist-info checked; with `--source`, each
//! compared with the git tree at its release tag (or the given ref, or a plain directory).

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, Result, bail};
use garrison_history::tree::{TreeEntryKind, TreeLimits, is_repository, read_tree, tag_names};
use garrison_release::source::{find_tag, tag_candidates, tag_version};
use garrison_release::{
    DistKind, Limits, SourceFile, SourceTree, compare, read_dist, unsafe_archive_finding,
    verify_wheel,
};
use garrison_report::config::Config;
use garrison_report::{FileError, Report};

use crate::cli::{ColorChoice, ReleaseVerifyArgs};
use crate::output::{Output, finish};
use crate::progress::Progress;

/// Where the source comes from.
enum Source {
    Git { path: PathBuf, rev: Option<String> },
    Dir(PathBuf),
}

fn parse_source(arg: &str) -> Result<Source> {
    let (path, rev) = if Path::new(arg).exists() {
        (PathBuf::from(arg), None)
    } else if let Some((p, r)) = arg.rsplit_once('@')
        && !r.is_empty()
    {
        (PathBuf::from(p), Some(r.to_string()))
    } else {
        bail!("--source {arg}: no such directory");
    };
    if !path.is_dir() {
        bail!("--source {}: not a directory", path.display());
    }
    if is_repository(&path) {
        Ok(Source::Git { path, rev })
    } else if let Some(r) = rev {
        bail!(
            "--source {}@{r}: {} is not a git repository, so a ref cannot be read",
            path.display(),
            path.display()
        )
    } else {
        Ok(Source::Dir(path))
    }
}

fn short(id: &str) -> &str {
    id.get(..10).unwrap_or(id)
}

fn git_tree(path: &Path, rev: &str, label_rev: &str) -> Result<(SourceTree, Vec<String>)> {
    let t = read_tree(path, rev, &TreeLimits::default())?;
    let mut tree = SourceTree {
        label: format!("{}@{label_rev} ({})", path.display(), short(&t.commit)),
        tag_version: tag_version(rev),
        ..SourceTree::default()
    };
    let mut warnings = t.warnings;
    add_tree(&mut tree, path, "", t.files, 0, &mut warnings);
    Ok((tree, warnings))
}

/// Adds a tree's files under `prefix`; submodules are read from their checkout (`PATH/SUB`,
/// or `.git/modules/SUB`) at the commit the tree records, when it is there, so their files
/// are compared too; otherwise they stay listed as not compared.
fn add_tree(
    tree: &mut SourceTree,
    repo: &Path,
    prefix: &str,
    files: Vec<garrison_history::tree::TreeFile>,
    depth: usize,
    warnings: &mut Vec<String>,
) {
    for f in files {
        let full = format!("{prefix}{}", f.path);
        match f.kind {
            TreeEntryKind::Submodule => {
                let candidates = [
                    repo.join(&f.path),
                    repo.join(".git").join("modules").join(&f.path),
                ];
                let sub = (depth < 4)
                    .then(|| {
                        candidates.iter().find_map(|c| {
                            (c.is_dir() && is_repository(c))
                                .then(|| read_tree(c, &f.oid, &TreeLimits::default()).ok())
                                .flatten()
                                .map(|t| (c.clone(), t))
                        })
                    })
                    .flatten();
                match sub {
                    Some((sub_repo, t)) => {
                        warnings.extend(t.warnings.into_iter().map(|w| format!("{full}: {w}")));
                        add_tree(
                            tree,
                            &sub_repo,
                            &format!("{full}/"),
                            t.files,
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
                        symlink: kind == TreeEntryKind::Symlink,
                    },
                );
            }
        }
    }
}

/// Runs `garrison release verify`.
pub fn verify(args: &ReleaseVerifyArgs) -> Result<ExitCode> {
    let limits = Limits::default();
    let source = args.source.as_deref().map(parse_source).transpose()?;
    let tags = match &source {
        Some(Source::Git { path, rev: None }) => tag_names(path)?,
        _ => Vec::new(),
    };
    let mut cfg = match (&args.config, &source) {
        (Some(p), _) => crate::registry::load_config(Path::new("."), Some(p), false)?,
        // The project's own configuration: its `ignore` entries (with reasons) apply; its
        // `select`, written for `garrison scan`, must not silently drop release findings.
        (None, Some(Source::Git { path, .. } | Source::Dir(path))) => Config {
            select: Vec::new(),
            ..crate::registry::load_config(path, None, false)?
        },
        (None, None) => Config::default(),
    };
    if let Some(s) = args.min_severity {
        cfg.min_severity = Some(s);
    }
    let mut trees: HashMap<String, SourceTree> = HashMap::new();
    let mut report = Report {
        root: ".".into(),
        ..Report::default()
    };
    report.rules.extend(garrison_release::registry::rules());
    let mut header = String::new();
    let progress = Progress::new("verifying", args.dists.len() as u64);
    for dist in &args.dists {
        progress.inc(1);
        if !dist.exists() {
            bail!("{}: no such file", dist.display());
        }
        let name = dist
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        progress.message(name.clone());
        let bytes = match read_capped(dist, limits.max_archive_bytes) {
            Ok(b) => b,
            Err(message) => {
                report.errors.push(FileError {
                    path: dist.display().to_string(),
                    line: None,
                    column: None,
                    message,
                });
                continue;
            }
        };
        report.files_scanned += 1;
        let parsed = match read_dist(&name, &bytes, &limits) {
            Ok(d) => d,
            Err(e) => {
                report.findings.push(unsafe_archive_finding(&e));
                continue;
            }
        };
        if parsed.kind == DistKind::Wheel {
            report.findings.extend(verify_wheel(&parsed).1);
        }
        let Some(src) = &source else { continue };
        // The tree this distribution is compared with.
        let key = match src {
            Source::Dir(p) => p.display().to_string(),
            Source::Git { rev: Some(r), .. } => r.clone(),
            Source::Git { path, rev: None } => {
                let Some((n, v)) = garrison_release::dist_name_version(&name) else {
                    bail!(
                        "{name}: cannot tell the version from the file name; give --source PATH@REF"
                    );
                };
                match find_tag(&tags, n.as_str(), &v) {
                    Some(t) => t,
                    None => bail!(
                        "{}: no tag names version {v} of {n} (tried {}, and any tag equal to {v} under PEP 440); give the ref with --source {}@REF",
                        path.display(),
                        tag_candidates(n.as_str(), &v).join(", "),
                        path.display()
                    ),
                }
            }
        };
        if !trees.contains_key(&key) {
            let tree = match src {
                Source::Dir(p) => SourceTree::from_dir(p, p.display().to_string())
                    .with_context(|| format!("cannot read {}", p.display()))?,
                Source::Git { path, .. } => {
                    let (tree, warnings) = git_tree(path, &key, &key)?;
                    // Blobs over the read limit could not be compared: the run is incomplete.
                    for w in warnings {
                        report.errors.push(FileError {
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
            header,
            "{name} vs {}: {} files: {} identical, {} expected from the build, {} with findings",
            tree.label, s.files, s.identical, s.allowed, s.reported
        );
        report.findings.extend(c.findings);
    }
    cfg.fail_on = args.fail_on.or(cfg.fail_on);
    let out = Output {
        header,
        ..Output::new(args.format, args.output.as_deref(), ColorChoice::Never)
    };
    finish(report, &cfg, None, &out)
}

fn read_capped(path: &Path, max: u64) -> Result<Vec<u8>, String> {
    use garrison_source::read::{ReadError, read_file};
    read_file(path, max).map_err(|e| match e {
        ReadError::TooLarge { .. } => format!("larger than the {max}-byte archive limit"),
        ReadError::Io(e) => e.to_string(),
        e => e.to_string(),
    })
}
