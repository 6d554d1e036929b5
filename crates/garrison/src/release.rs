//! `garrison release verify DIST...`: each sdist or wheel read in memory under limits; wheels'
//! RECORD hashes and sizes and dist-info checked.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Result, bail};
use garrison_release::{Limits, check_dist};
use garrison_report::render::{self, Format};
use garrison_report::{FileError, Report, Severity};

use crate::cli::{OutputFormat, ReleaseVerifyArgs};
use crate::commands::write_output;

/// Runs `garrison release verify`.
pub fn verify(args: &ReleaseVerifyArgs) -> Result<ExitCode> {
    let limits = Limits::default();
    let mut report = Report {
        root: ".".into(),
        ..Report::default()
    };
    report.rules.extend(garrison_release::registry::rules());
    for dist in &args.dists {
        if !dist.exists() {
            bail!("{}: no such file", dist.display());
        }
        let name = dist
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        match read_capped(dist, limits.max_archive_bytes) {
            Ok(bytes) => {
                report.findings.extend(check_dist(&name, &bytes, &limits));
                report.files_scanned += 1;
            }
            Err(message) => report.errors.push(FileError {
                path: dist.display().to_string(),
                line: None,
                column: None,
                message,
            }),
        }
    }
    report.sort();
    let format = match args.format {
        OutputFormat::Text => Format::Text,
        OutputFormat::Json => Format::Json,
        OutputFormat::Sarif => Format::Sarif,
        OutputFormat::Markdown => Format::Markdown,
    };
    write_output(None, &render::render(&report, format, false))?;
    let fail = args.fail_on.unwrap_or(Severity::Low);
    Ok(if report.fails(fail) || !report.errors.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn read_capped(path: &Path, max: u64) -> Result<Vec<u8>, String> {
    let len = std::fs::metadata(path).map_err(|e| e.to_string())?.len();
    if len > max {
        return Err(format!("larger than the {max}-byte archive limit"));
    }
    std::fs::read(path).map_err(|e| e.to_string())
}
