//! `garrison deps impact`: which projects of a set an advisory reaches.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context as _, Result, bail};
use garrison_advisories::Vulnerability;
use garrison_advisories::impact::{ImpactHit, Project};
use garrison_report::Report;
use garrison_workspace::{Inputs, Options, Workspace};

use crate::cli::{ImpactArgs, OutputFormat};
use crate::output::{eprintln, write_output};

fn load_advisory(args: &ImpactArgs) -> Result<Vulnerability> {
    let as_path = Path::new(&args.advisory);
    if as_path.is_file() {
        let text = crate::deps::read_text(as_path, 16 * 1024 * 1024)
            .map_err(|e| anyhow::anyhow!("{}: {e}", as_path.display()))?;
        let record = if args.advisory.ends_with(".json") {
            garrison_advisories::parse::record_from_json(&text)
        } else {
            garrison_advisories::parse::record_from_yaml(&text)
        }
        .map_err(|e| match e.line {
            Some(l) => anyhow::anyhow!("{}:{l}: {}", as_path.display(), e.message),
            None => anyhow::anyhow!("{}: {}", as_path.display(), e.message),
        })?;
        let mut merged = garrison_advisories::merge::merge(vec![record]);
        return merged
            .pop()
            .with_context(|| format!("{}: no PyPI advisory in the file", as_path.display()));
    }
    let db_path = crate::deps::db_path(args.db.as_ref());
    let (db, data) = crate::advisories::open(&db_path, garrison_source::time::now())?;
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

fn project_dirs(root: &Path) -> Vec<std::path::PathBuf> {
    if root.join("pyproject.toml").is_file() {
        return vec![root.to_path_buf()];
    }
    let mut dirs: Vec<_> = std::fs::read_dir(root)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    dirs.sort();
    dirs
}

/// Runs `garrison deps impact`.
pub fn run(args: &ImpactArgs) -> Result<ExitCode> {
    if !args.projects.is_dir() {
        bail!("{}: not a directory of projects", args.projects.display());
    }
    let vuln = load_advisory(args)?;
    let mut projects = Vec::new();
    let mut report = Report::default();
    for dir in project_dirs(&args.projects) {
        let ws = Workspace::load(&dir, &Options::new(Inputs::FilesOnly, Vec::new()));
        let files: Vec<String> = ws.paths().map(str::to_string).collect();
        let manifests = crate::deps::manifests_in(&dir, &files, "", &mut report);
        let name = manifests
            .iter()
            .find(|m| m.path == "pyproject.toml")
            .and_then(|_| project_name(&dir.join("pyproject.toml")));
        projects.push(Project {
            name,
            root: dir.display().to_string(),
            manifests,
        });
    }
    for e in &report.errors {
        eprintln(&format!("garrison: warning: {e}"));
    }
    let hits = garrison_advisories::impact::impact(&vuln, &projects);
    let text = match args.output.format {
        OutputFormat::Json | OutputFormat::Sarif => {
            serde_json::to_string_pretty(&serde_json::json!({
                "version": 1,
                "advisory": { "id": vuln.id, "aliases": vuln.aliases, "summary": vuln.summary },
                "projects_scanned": projects.len(),
                "hits": hits.iter().map(hit_json).collect::<Vec<_>>(),
            }))? + "\n"
        }
        OutputFormat::Markdown => table(&vuln, &hits, projects.len(), true),
        OutputFormat::Text => table(&vuln, &hits, projects.len(), false),
    };
    write_output(args.output.output.as_deref(), &text)?;
    Ok(if hits.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn project_name(pyproject: &Path) -> Option<garrison_python::PackageName> {
    let text = crate::deps::read_text(pyproject, 16 * 1024 * 1024).ok()?;
    let v: toml::Value = toml::from_str(&text).ok()?;
    let name = v.get("project")?.get("name")?.as_str()?;
    Some(garrison_python::PackageName::new(name))
}

fn hit_json(h: &ImpactHit) -> serde_json::Value {
    serde_json::json!({
        "project": h.project,
        "path": h.path,
        "line": h.line,
        "group": h.group,
        "dependency": h.dependency,
        "specifier": h.specifier,
        "kind": h.kind,
        "affected_versions_admitted": h.affected_versions_admitted,
        "affected_versions": h.affected_versions,
        "recommended_floor": h.recommended_floor,
        "via": h.via,
    })
}

fn table(vuln: &Vulnerability, hits: &[ImpactHit], scanned: usize, markdown: bool) -> String {
    let mut out = String::new();
    let aliases = if vuln.aliases.is_empty() {
        String::new()
    } else {
        format!(" ({})", vuln.aliases.join(", "))
    };
    if markdown {
        out.push_str(&format!("## Downstream impact of {}{aliases}\n\n", vuln.id));
    } else {
        out.push_str(&format!("Downstream impact of {}{aliases}\n", vuln.id));
    }
    if let Some(s) = &vuln.summary {
        out.push_str(&format!("{s}\n"));
    }
    out.push_str(&format!(
        "\n{} of {scanned} projects affected ({} entries)\n\n",
        {
            let mut p: Vec<&str> = hits.iter().map(|h| h.project.as_str()).collect();
            p.dedup();
            p.len()
        },
        hits.len()
    ));
    if hits.is_empty() {
        return out;
    }
    let rows: Vec<[String; 6]> = hits
        .iter()
        .map(|h| {
            [
                h.project.clone(),
                format!("{}:{}", h.path, h.line),
                h.group.clone(),
                format!("{}{}", h.dependency, h.specifier),
                if h.kind == "declared" {
                    format!(
                        "{} affected versions admitted",
                        h.affected_versions_admitted
                    )
                } else {
                    format!("{} (affected)", h.kind)
                },
                match (&h.recommended_floor, h.via.is_empty()) {
                    (Some(f), true) => format!(">={f}"),
                    (Some(f), false) => format!(">={f} (via {})", h.via.join(" -> ")),
                    (None, true) => "no fixed release".to_string(),
                    (None, false) => format!("via {}", h.via.join(" -> ")),
                },
            ]
        })
        .collect();
    let head = [
        "project",
        "where",
        "group",
        "requirement",
        "admits",
        "raise floor to",
    ];
    if markdown {
        out.push_str(&format!(
            "| {} |\n|{}\n",
            head.join(" | "),
            "---|".repeat(6)
        ));
        for r in &rows {
            out.push_str(&format!(
                "| {} |\n",
                r.iter()
                    .map(|c| c.replace('|', "\\|"))
                    .collect::<Vec<_>>()
                    .join(" | ")
            ));
        }
    } else {
        let mut w = head.map(str::len);
        for r in &rows {
            for (i, c) in r.iter().enumerate() {
                w[i] = w[i].max(c.chars().count());
            }
        }
        let line = |cells: &[String]| {
            cells
                .iter()
                .enumerate()
                .map(|(i, c)| format!("{c:<width$}", width = w[i]))
                .collect::<Vec<_>>()
                .join("  ")
                .trim_end()
                .to_string()
                + "\n"
        };
        out.push_str(&line(&head.map(String::from)));
        for r in &rows {
            out.push_str(&line(r));
        }
    }
    out
}
