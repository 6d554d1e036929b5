//! `garrison deps impact`: which projects of a set an advisory reaches
//! (`garrison_advisories::impact`, over the inputs `garrison_scan::impact` gathers).

use std::process::ExitCode;

use anyhow::{Result, bail};
use garrison_advisories::impact::{Scope, impact, table, to_json};
use garrison_cli::{ImpactArgs, OutputFormat};

use crate::output::{eprintln, write_output};
use crate::progress::Bars;

/// Runs `garrison deps impact`.
pub fn run(args: &ImpactArgs) -> Result<ExitCode> {
    if args.output.format == OutputFormat::Sarif {
        bail!("deps impact writes text, json or markdown; SARIF holds findings, not impact tables");
    }
    if !args.projects.is_dir() {
        bail!("{}: not a directory of projects", args.projects.display());
    }
    let db = crate::db::db_path(args.db.as_ref());
    let now = garrison_source::time::now();
    let (vuln, data) = garrison_scan::impact::advisory(&args.advisory, &db, now)?;
    let (projects, errors) = garrison_scan::impact::projects(&args.projects, &Bars);
    if projects.iter().all(|p| p.manifests.is_empty()) {
        bail!(
            "{}: no Python projects (no pyproject.toml, requirements or lock file in it or in its subdirectories); give a checkout or a directory of checkouts",
            args.projects.display()
        );
    }
    for e in &errors {
        eprintln(&format!("garrison: warning: {e}"));
    }
    if let Some(w) = data.as_ref().and_then(|d| d.warning()) {
        eprintln(&format!("garrison: warning: {w}"));
    }
    // Directories without dependency files are not projects: not counted, and said.
    let (projects, empty): (Vec<_>, Vec<_>) =
        projects.into_iter().partition(|p| !p.manifests.is_empty());
    let scope = Scope {
        scanned: projects.len(),
        without_dependency_files: empty.len(),
        file: data.is_none().then(|| args.advisory.clone()),
        data,
    };
    let hits = impact(&vuln, &projects);
    let text = match args.output.format {
        OutputFormat::Json | OutputFormat::Sarif => to_json(&vuln, &hits, &scope),
        f => table(&vuln, &hits, &scope, f == OutputFormat::Markdown),
    };
    write_output(args.output.output.as_deref(), &text)?;
    Ok(ExitCode::from(u8::from(!hits.is_empty())))
}
