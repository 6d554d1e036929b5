//! `garrison sbom`: a CycloneDX 1.5 JSON SBOM of the resolved dependencies
//! (`garrison_python::sbom`).

use std::process::ExitCode;

use anyhow::{Result, bail};
use garrison_cli::SbomArgs;
use garrison_python::discover;
use garrison_report::Report;
use garrison_workspace::{Inputs, Options, Workspace};

use crate::output::{eprintln, write_output};
use crate::progress::Bars;

/// Runs `garrison sbom`.
pub fn run(args: &SbomArgs) -> Result<ExitCode> {
    let mut report = Report::default();
    let mut manifests = Vec::new();
    for p in &args.paths {
        if !p.exists() {
            bail!("{}: no such file or directory", p.display());
        }
        if p.is_dir() {
            let ws = Workspace::load(p, &Options::new(Inputs::FilesOnly, Vec::new()));
            let files: Vec<String> = ws.paths().map(str::to_string).collect();
            let prefix = format!("{}/", p.display().to_string().trim_end_matches('/'));
            manifests.extend(garrison_scan::deps::manifests_in(
                p,
                &files,
                &prefix,
                &Bars,
                &mut report,
            ));
            continue;
        }
        // A file named on the command line must be a dependency file: one that cannot be
        // read, or an unknown file that does not read as requirements, is an input error.
        let read = discover::read_path(p);
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        let known = garrison_python::detect(&p.display().to_string())
            .or(garrison_python::detect(name))
            .is_some();
        if let Some(e) = read.errors.iter().find(|e| e.line.is_none() || !known) {
            bail!(
                "{}: not a dependency file Garrison can read ({}); give a requirements file, pyproject.toml, a lock file or a checkout",
                p.display(),
                e.message
            );
        }
        report.errors.extend(read.errors);
        manifests.extend(read.manifests);
    }
    for e in &report.errors {
        eprintln(&format!("garrison: warning: {e}"));
    }
    let bom = garrison_python::sbom::cyclonedx(&manifests, env!("CARGO_PKG_VERSION"));
    write_output(
        args.output.as_deref(),
        &(serde_json::to_string_pretty(&bom)? + "\n"),
    )?;
    Ok(ExitCode::SUCCESS)
}
