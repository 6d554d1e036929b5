//! `garrison deps impact`: which projects of a set an advisory reaches
//! (`garrison_advisories::impact`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, Result, anyhow, bail};
use garrison_advisories::impact::{Project, impact, table, to_json};
use garrison_advisories::{Vulnerability, merge::merge, parse};
use garrison_cli::{ImpactArgs, OutputFormat};
use garrison_report::Report;
use garrison_source::read::read_text;
use garrison_workspace::{Inputs, Options, Workspace};

use crate::output::{eprintln, write_output};
use crate::progress::Bars;

const MAX_FILE: u64 = 16 * 1024 * 1024;

fn load_advisory(args: &ImpactArgs) -> Result<Vulnerability> {
    let path = Path::new(&args.advisory);
    if path.is_file() {
        let text = read_text(path, MAX_FILE).map_err(|e| anyhow!("{}: {e}", path.display()))?;
        let record = if args.advisory.ends_with(".json") {
            parse::record_from_json(&text)
        } else {
            parse::record_from_yaml(&text)
        }
        .map_err(|e| match e.line {
            Some(l) => anyhow!("{}:{l}: {}", path.display(), e.message),
            None => anyhow!("{}: {}", path.display(), e.message),
        })?;
        return merge(vec![record])
            .pop()
            .with_context(|| format!("{}: no PyPI advisory in the file", path.display()));
    }
    let db_path = crate::db::db_path(args.db.as_ref());
    let (db, data) = garrison_scan::open_advisories(&db_path, garrison_source::time::now())?;
    let v = db.find(&args.advisory).with_context(|| {
        format!(
            "advisory `{}` is not in the {} of {} (an OSV file can be passed instead)",
            args.advisory,
            data.source.describe(),
            data.date,
        )
    })?;
    Ok((*v).clone())
}

/// The checkout itself when it has a `pyproject.toml`, else each subdirectory.
fn project_dirs(root: &Path) -> Vec<PathBuf> {
    if root.join("pyproject.toml").is_file() {
        return vec![root.to_path_buf()];
    }
    let mut dirs: Vec<_> = std::fs::read_dir(root)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    dirs.sort();
    dirs
}

/// `[project].name` of a checkout's `pyproject.toml`, when it is a valid name.
fn project_name(dir: &Path) -> Option<garrison_python::PackageName> {
    let text = read_text(&dir.join("pyproject.toml"), MAX_FILE).ok()?;
    let v: toml::Value = toml::from_str(&text).ok()?;
    garrison_python::PackageName::new(v.get("project")?.get("name")?.as_str()?).ok()
}

/// Runs `garrison deps impact`.
pub fn run(args: &ImpactArgs) -> Result<ExitCode> {
    if args.output.format == OutputFormat::Sarif {
        bail!("deps impact writes text, json or markdown; SARIF holds findings, not impact tables");
    }
    if !args.projects.is_dir() {
        bail!("{}: not a directory of projects", args.projects.display());
    }
    let vuln = load_advisory(args)?;
    let mut projects = Vec::new();
    let mut report = Report::default();
    for dir in project_dirs(&args.projects) {
        let ws = Workspace::load(&dir, &Options::new(Inputs::FilesOnly, Vec::new()));
        let files: Vec<String> = ws.paths().map(str::to_string).collect();
        let manifests = garrison_scan::deps::manifests_in(&dir, &files, "", &Bars, &mut report);
        let name = manifests
            .iter()
            .any(|m| m.path == "pyproject.toml")
            .then(|| project_name(&dir))
            .flatten();
        projects.push(Project {
            name,
            root: dir.display().to_string(),
            manifests,
        });
    }
    if projects.iter().all(|p| p.manifests.is_empty()) {
        bail!(
            "{}: no Python projects (no pyproject.toml, requirements or lock file in it or in its subdirectories); give a checkout or a directory of checkouts",
            args.projects.display()
        );
    }
    for e in &report.errors {
        eprintln(&format!("garrison: warning: {e}"));
    }
    let hits = impact(&vuln, &projects);
    let text = match args.output.format {
        OutputFormat::Json | OutputFormat::Sarif => to_json(&vuln, &hits, projects.len()),
        f => table(&vuln, &hits, projects.len(), f == OutputFormat::Markdown),
    };
    write_output(args.output.output.as_deref(), &text)?;
    Ok(ExitCode::from(u8::from(!hits.is_empty())))
}
