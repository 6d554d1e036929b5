//! `garrison release verify DIST... [--source PATH[@REF]]`: arguments to
//! `garrison_release::run::verify_dists`, whose git access is [`GitTrees`].

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;
use garrison_cli::{ColorChoice, ReleaseVerifyArgs};
use garrison_git::tree::{TreeEntryKind, TreeLimits, is_repository, read_tree, tag_names};
use garrison_release::Limits;
use garrison_release::run::{Git, GitEntry, GitEntryKind, GitError, GitTree, Source, verify_dists};
use garrison_report::config::Config;

use crate::output::{Output, finish};
use crate::progress::Progress;

/// Git trees and tags for the release pipeline (garrison-git): the one place it touches git.
struct GitTrees;

impl Git for GitTrees {
    fn is_repository(&self, path: &Path) -> bool {
        is_repository(path)
    }

    fn tags(&self, repo: &Path) -> Result<Vec<String>, GitError> {
        Ok(tag_names(repo)?)
    }

    fn tree(&self, repo: &Path, rev: &str) -> Result<GitTree, GitError> {
        let t = read_tree(repo, rev, &TreeLimits::default())?;
        let entries = t.files.into_iter().map(|f| GitEntry {
            kind: match f.kind {
                TreeEntryKind::Submodule => GitEntryKind::Submodule,
                TreeEntryKind::Symlink => GitEntryKind::Symlink,
                TreeEntryKind::File | TreeEntryKind::Executable => GitEntryKind::File,
            },
            path: f.path,
            data: f.data,
            oid: f.oid,
        });
        Ok(GitTree {
            commit: t.commit,
            entries: entries.collect(),
            warnings: t.warnings,
        })
    }
}

/// Runs `garrison release verify`.
pub fn verify(args: &ReleaseVerifyArgs) -> Result<ExitCode> {
    let source = args
        .source
        .as_deref()
        .map(|s| Source::parse(s, &GitTrees))
        .transpose()?;
    let mut cfg = match (&args.config, &source) {
        (Some(p), _) => garrison_scan::load_config(Path::new("."), Some(p), false)?,
        // The project's own configuration: its `ignore` entries (with reasons) apply; its
        // `select`, written for `garrison scan`, must not silently drop release findings.
        (None, Some(s)) => Config {
            select: Vec::new(),
            ..garrison_scan::load_config(s.root(), None, false)?
        },
        (None, None) => Config::default(),
    };
    cfg.min_severity = args.min_severity.or(cfg.min_severity);
    cfg.fail_on = args.fail_on.or(cfg.fail_on);
    let progress = Progress::new("verifying", args.dists.len() as u64);
    let v = verify_dists(
        &args.dists,
        source.as_ref(),
        &GitTrees,
        &Limits::default(),
        &mut |name| {
            progress.inc(1);
            progress.message(name.to_string());
        },
    )?;
    drop(progress);
    let out = Output {
        header: v.header,
        ..Output::new(args.format, args.output.as_deref(), ColorChoice::Never)
    };
    finish(v.report, &cfg, None, &out)
}
