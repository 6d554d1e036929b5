//! `garrison db import|sync|snapshot|status`.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, Result, bail};
use garrison_advisories::{Database, ImportError, print, snapshot};
use garrison_cli::DbCommand;

use crate::output::{eprintln, write_output};

/// Largest OSV export accepted by `sync` (the PyPI export is tens of MB).
const MAX_DOWNLOAD: u64 = 1024 * 1024 * 1024;

/// The database path from the options or the default.
pub fn db_path(opt: Option<&PathBuf>) -> PathBuf {
    opt.cloned()
        .unwrap_or_else(garrison_advisories::default_path)
}

/// Runs a `db` subcommand.
pub fn run(cmd: &DbCommand) -> Result<ExitCode> {
    match cmd {
        DbCommand::Import { path, db } => {
            let target = db_path(db.as_ref());
            import(path, &target)
        }
        DbCommand::Sync { db, url } => {
            let target = db_path(db.as_ref());
            sync(url, &target)
        }
        DbCommand::Snapshot { from, output } => write_snapshot(from, output),
        DbCommand::Status { db } => {
            let target = db_path(db.as_ref());
            let shown = target.display().to_string();
            let text = if target.exists() {
                let db = Database::load(&target)
                    .with_context(|| format!("cannot load {}", target.display()))?;
                print::status(&shown, db.status(), now())
            } else {
                let db = snapshot::embedded()?;
                print::embedded_status(&shown, db.status(), now())
            };
            write_output(None, &text)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn now() -> u64 {
    u64::try_from(garrison_source::time::now()).unwrap_or(0)
}

/// The first unreadable records an import skipped, on standard error.
fn skipped(errors: &[ImportError]) {
    for e in errors.iter().take(20) {
        eprintln(&format!("garrison: skipped {e}"));
    }
    if errors.len() > 20 {
        eprintln(&format!(
            "garrison: … and {} more unreadable records",
            errors.len() - 20
        ));
    }
}

fn save(db: &Database, target: &Path) -> Result<()> {
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    db.save(target)
        .with_context(|| format!("cannot write {}", target.display()))
}

fn import(source: &Path, target: &Path) -> Result<ExitCode> {
    let start = std::time::Instant::now();
    let (db, errors) = Database::import(source)
        .with_context(|| format!("cannot import advisories from {}", source.display()))?;
    skipped(&errors);
    if db.status().vulnerabilities == 0 {
        bail!(
            "{}: no PyPI advisories found ({} records read, {} unreadable); {} was not replaced (import a pypa/advisory-database checkout, a directory of OSV files, or an OSV export zip)",
            source.display(),
            db.status().records,
            errors.len(),
            target.display()
        );
    }
    save(&db, target)?;
    let mut text = print::status(&target.display().to_string(), db.status(), now());
    text.push_str(&format!(
        "imported in {:.2} s\n",
        start.elapsed().as_secs_f64()
    ));
    write_output(None, &text)?;
    Ok(ExitCode::SUCCESS)
}

fn sync(url: &str, target: &Path) -> Result<ExitCode> {
    let tmp = target.with_extension("download.zip");
    if let Some(dir) = tmp.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let agent = ureq::Agent::config_builder()
        .timeout_global(Some(std::time::Duration::from_secs(600)))
        .build()
        .new_agent();
    let response = agent.get(url).call().map_err(|e| {
        anyhow::anyhow!(
            "cannot download {url}: {e}\nGarrison works offline: import a local copy instead with `garrison db import PATH` (a pypa/advisory-database checkout, a directory of OSV JSON files, or an OSV export zip)"
        )
    })?;
    let mut bytes = Vec::new();
    response
        .into_body()
        .into_reader()
        .take(MAX_DOWNLOAD + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("download of {url} was interrupted"))?;
    if bytes.len() as u64 > MAX_DOWNLOAD {
        bail!("{url}: the download is larger than {MAX_DOWNLOAD} bytes; refusing it");
    }
    std::fs::write(&tmp, &bytes).with_context(|| format!("cannot write {}", tmp.display()))?;
    let result = import(&tmp, target);
    let _ = std::fs::remove_file(&tmp);
    result
}

/// `garrison db snapshot --from SOURCE --output FILE`.
fn write_snapshot(from: &Path, output: &Path) -> Result<ExitCode> {
    let (bytes, status, errors) = snapshot::generate(from)
        .with_context(|| format!("cannot make a snapshot of {}", from.display()))?;
    skipped(&errors);
    if let Some(dir) = output.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    std::fs::write(output, &bytes).with_context(|| format!("cannot write {}", output.display()))?;
    let text = print::snapshot_written(&output.display().to_string(), bytes.len(), &status);
    write_output(None, &text)?;
    Ok(ExitCode::SUCCESS)
}
