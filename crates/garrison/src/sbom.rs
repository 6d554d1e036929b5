//! `garrison sbom`: a CycloneDX 1.5 JSON SBOM of the resolved dependencies
//! (`garrison_python::sbom`) of the dependency files `garrison_scan::deps::sbom_inputs` reads.

use std::process::ExitCode;

use anyhow::Result;
use garrison_cli::SbomArgs;

use crate::output::{eprintln, write_output};
use crate::progress::Bars;

/// Runs `garrison sbom`.
pub fn run(args: &SbomArgs) -> Result<ExitCode> {
    let (manifests, errors) = garrison_scan::deps::sbom_inputs(&args.paths, &Bars)?;
    for e in &errors {
        eprintln(&format!("garrison: warning: {e}"));
    }
    let bom = garrison_python::sbom::cyclonedx(&manifests, env!("CARGO_PKG_VERSION"));
    write_output(
        args.output.as_deref(),
        &(serde_json::to_string_pretty(&bom)? + "\n"),
    )?;
    Ok(ExitCode::SUCCESS)
}
