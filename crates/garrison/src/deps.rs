//! Wiring of the dependency audit: dependency files read (`garrison_python::discover`), the
//! advisory database loaded, `garrison_advisories::audit` run into the report.

use std::path::{Path, PathBuf};

use anyhow::{Result, anyhow, bail};
use garrison_advisories::Database;
use garrison_advisories::audit::{self, Accepted, Options};
use garrison_python::discover::{self, Manifests};
use garrison_python::{Manifest, PackageName};
use garrison_report::Report;
use garrison_report::config::Config;

use crate::cli::DepsOptions;
use crate::progress::Progress;

/// The manifests found in `files` (repository-relative paths under `root`), displayed with
/// `prefix` prepended; a progress bar while they are read.
pub fn manifests_in(
    root: &Path,
    files: &[String],
    prefix: &str,
    report: &mut Report,
) -> Vec<Manifest> {
    let rels = discover::dependency_files(files);
    let bar = Progress::new("reading dependency files", rels.len() as u64);
    let read = discover::read_manifests(root, &rels, prefix, &mut |rel| {
        bar.inc(1);
        bar.message(rel.to_string());
    });
    absorb(report, read)
}

/// The manifest of one file named on the command line, following `-r`/`-c` includes of
/// requirements files. A named file that cannot be read is an input error.
pub fn manifests_of_file(path: &Path, report: &mut Report) -> Result<Vec<Manifest>> {
    let max = garrison_python::MAX_BYTES as u64;
    if let Err(e) = garrison_source::read::read_text(path, max) {
        bail!("{}: {e}", path.display());
    }
    Ok(absorb(report, discover::read_path(path)))
}

fn absorb(report: &mut Report, read: Manifests) -> Vec<Manifest> {
    report.files_scanned += read.manifests.len();
    for (path, text) in read.sources {
        report.sources.insert(path, text);
    }
    report.errors.extend(read.errors);
    read.manifests
}

/// The database path from the options or the default.
pub fn db_path(opt: Option<&PathBuf>) -> PathBuf {
    opt.cloned()
        .unwrap_or_else(garrison_advisories::default_path)
}

/// Loads the local database, or the embedded snapshot when there is none, and records in
/// the report which one is used and how old it is (every format states it and warns when it is
/// stale). A damaged database is an error.
pub fn load_db(opts: &DepsOptions, report: &mut Report) -> Result<Option<Database>> {
    let path = db_path(opts.db.as_ref());
    let (db, data) = crate::advisories::open(&path, garrison_source::time::now())?;
    report.advisories = Some(data);
    Ok(Some(db))
}

/// Runs the dependency audit over `manifests` and adds the findings and rules to `report`.
pub fn add(
    report: &mut Report,
    db: Option<&Database>,
    manifests: &[Manifest],
    cfg: &Config,
    opts: &DepsOptions,
    selected: &dyn Fn(&str) -> bool,
) -> Result<()> {
    report
        .rules
        .extend(audit::rules().into_iter().filter(|r| selected(r.id)));
    let Some(db) = db else {
        return Ok(());
    };
    let mut accepted = Vec::new();
    for i in &cfg.ignore_vulnerabilities {
        i.validate().map_err(anyhow::Error::msg)?;
        let package = i.package.as_deref().map(PackageName::new).transpose();
        accepted.push(Accepted {
            id: i.id.clone(),
            package: package.map_err(|e| anyhow!("ignore-vulnerabilities `{}`: {e}", i.id))?,
            reason: i.reason.clone(),
            expires: i.expires.clone(),
        });
    }
    let options = Options {
        python_version: opts.python_version.clone(),
        platform: opts.platform.clone(),
        declared: !opts.no_declared,
        accepted,
        today: garrison_source::time::today(),
    };
    report
        .findings
        .extend(audit::audit(db, manifests, &options, selected));
    Ok(())
}
