//! The dependency audit of a scan: dependency files read (`garrison_python::discover`) into a
//! report, and `garrison_advisories::audit` run over them. `garrison sbom` ([`sbom_inputs`])
//! and `garrison deps impact` read dependency files the same way.

use std::path::Path;

use garrison_advisories::Database;
use garrison_advisories::audit::{self, Accepted};
use garrison_python::discover::{self, Manifests};
use garrison_python::{Manifest, PackageName};
use garrison_report::config::Config;
use garrison_report::{FileError, Report};
use garrison_workspace::{Inputs, Options, Workspace};

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

/// The dependency files of `paths` for an SBOM (`garrison sbom`): every dependency file of
/// each checkout, shown under its path, and each named file, which must be a dependency file:
/// one that cannot be read, or a file of an unknown name that does not read as requirements,
/// is an error. Entries that could not be read are returned beside the manifests.
pub fn sbom_inputs<P: AsRef<Path>>(
    paths: &[P],
    progress: &dyn Progress,
) -> Result<(Vec<Manifest>, Vec<FileError>), ScanError> {
    let mut report = Report::default();
    let mut manifests = Vec::new();
    for p in paths.iter().map(AsRef::as_ref) {
        if !p.exists() {
            return Err(ScanError::NotFound(p.to_path_buf()));
        }
        if p.is_dir() {
            let ws = Workspace::load(p, &Options::new(Inputs::FilesOnly, Vec::new()));
            let files: Vec<String> = ws.paths().map(str::to_string).collect();
            let prefix = format!("{}/", p.display().to_string().trim_end_matches('/'));
            manifests.extend(manifests_in(p, &files, &prefix, progress, &mut report));
            continue;
        }
        let read = discover::read_path(p);
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        let known = garrison_python::detect(&p.display().to_string())
            .or(garrison_python::detect(name))
            .is_some();
        if let Some(e) = read.errors.iter().find(|e| e.line.is_none() || !known) {
            return Err(ScanError::NotADependencyFile {
                path: p.to_path_buf(),
                message: e.message.clone(),
            });
        }
        report.errors.extend(read.errors);
        manifests.extend(read.manifests);
    }
    Ok((manifests, report.errors))
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
    let options = audit::Options {
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

/// The manifests found in `files` of a workspace held in memory (a tree read from git
/// objects), read through the workspace; otherwise like [`manifests_in`] with no prefix.
pub fn manifests_in_workspace(
    ws: &Workspace,
    files: &[String],
    progress: &dyn Progress,
    report: &mut Report,
) -> Vec<Manifest> {
    let rels = discover::dependency_files(files);
    let stage = progress.start("reading dependency files", rels.len() as u64);
    let read =
        discover::read_manifests_with(&rels, "", &mut |rel| stage.step(rel), &mut |rel, limit| {
            ws.read_text_limited(rel, limit)
        });
    absorb(report, read)
}
