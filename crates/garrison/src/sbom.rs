//! `garrison sbom`: a CycloneDX 1.5 JSON SBOM of the resolved dependencies.

use std::process::ExitCode;

use anyhow::{Result, bail};
use garrison_report::Report;
use garrison_workspace::{Inputs, Options, Workspace};

use crate::cli::SbomArgs;
use crate::output::{eprintln, write_output};

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
            manifests.extend(crate::deps::manifests_in(p, &files, &prefix, &mut report));
        } else {
            manifests.extend(crate::deps::manifests_of_file(p, &mut report));
        }
    }
    for e in &report.errors {
        eprintln(&format!("garrison: warning: {e}"));
    }
    let bom = garrison_python::sbom::cyclonedx(&manifests, env!("CARGO_PKG_VERSION"));
    let text = serde_json::to_string_pretty(&bom)? + "\n";
    write_output(args.output.as_deref(), &text)?;
    Ok(ExitCode::SUCCESS)
}
