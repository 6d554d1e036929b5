//! The dependency audit of a scan: dependency files read (`garrison_python::discover`) into a
//! report, and `garrison_advisories::audit` run over them. `garrison sbom` and `garrison deps
//! impact` read dependency files the same way.

use std::path::Path;

use garrison_advisories::Database;
use garrison_advisories::audit::{self, Accepted, Options};
use garrison_python::discover::{self, Manifests};
use garrison_python::{Manifest, PackageName};
use garrison_report::Report;
use garrison_report::config::Config;

use crate::{DepsOptions, Progress, ScanError};

/// The manifests found in `files` (paths relative to `root`, as a workspace lists them),
/// displayed with `prefix` prepended; the files read, their texts and errors are added to
/// `report`. `progress` is told of each file.
pub fn manifests_in(
    root: &Path,
    files: &[String],
    prefix: &str,
    progress: &dyn Progress,
    report: &mut Report,
) -> Vec<Manifest> {
    let rels = discover::dependency_files(files);
    let stage = progress.start("reading dependency files", rels.len() as u64);
    let read = discover::read_manifests(root, &rels, prefix, &mut |rel| stage.step(rel));
    absorb(report, read)
}

/// The manifest of one file named by the caller, following `-r`/`-c` includes of
/// requirements files (wherever they are). A named file that cannot be read is an error.
pub fn manifests_of_file(path: &Path, report: &mut Report) -> Result<Vec<Manifest>, ScanError> {
    let max = garrison_python::MAX_BYTES as u64;
    if let Err(error) = garrison_source::read::read_text(path, max) {
        return Err(ScanError::DependencyFile {
            path: path.to_path_buf(),
            error,
        });
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

/// Runs the dependency audit over `manifests` against `db` and adds the findings and the
/// selected rules to `report`. `now` (Unix seconds) decides which accepted vulnerabilities of
/// the configuration have expired.
pub(crate) fn audit(
    report: &mut Report,
    db: &Database,
    manifests: &[Manifest],
    cfg: &Config,
    opts: &DepsOptions,
    now: i64,
    selected: &dyn Fn(&str) -> bool,
) -> Result<(), ScanError> {
    report
        .rules
        .extend(audit::rules().into_iter().filter(|r| selected(r.id)));
    let mut accepted = Vec::new();
    for i in &cfg.ignore_vulnerabilities {
        i.validate()?;
        let package = i.package.as_deref().map(PackageName::new).transpose();
        accepted.push(Accepted {
            id: i.id.clone(),
            package: package.map_err(|error| ScanError::AcceptedPackage {
                id: i.id.clone(),
                error,
            })?,
            reason: i.reason.clone(),
            expires: i.expires.clone(),
        });
    }
    let options = Options {
        python_version: opts.python_version.clone(),
        platform: opts.platform.clone(),
        declared: opts.declared,
        accepted,
        today: garrison_source::time::date(now),
    };
    report
        .findings
        .extend(audit::audit(db, manifests, &options, selected));
    Ok(())
}
