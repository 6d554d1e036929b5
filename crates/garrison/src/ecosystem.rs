//! `garrison ecosystem import-specs|verdicts`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, Result};
use garrison_cli::EcosystemCommand;

use crate::output::{eprintln, write_output};

/// Runs an `ecosystem` subcommand.
pub fn run(cmd: &EcosystemCommand) -> Result<ExitCode> {
    match cmd {
        EcosystemCommand::ImportSpecs { path, output } => {
            let imported = garrison_fleet::import_specs(path)?;
            let header = format!(
                "# The core projects of the Scientific Python ecosystem, imported from {}\n# by `garrison ecosystem import-specs`.\n\n",
                path.display()
            );
            write_output(
                output.as_deref(),
                &format!("{header}{}", imported.manifest.to_toml()),
            )?;
            for (spec, who) in &imported.unknown_endorsers {
                eprintln(&format!(
                    "warning: SPEC {spec} is endorsed by `{who}`, which has no core-projects/{who}.md"
                ));
            }
            Ok(ExitCode::SUCCESS)
        }
        EcosystemCommand::Verdicts { path } => {
            let root = path.clone().unwrap_or_else(|| PathBuf::from("."));
            let e = garrison_fleet::evaluate_checkout(&root)
                .with_context(|| format!("cannot evaluate {}", root.display()))?;
            write_output(None, &e.text(&root.display().to_string()))?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
