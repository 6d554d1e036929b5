//! `garrison db import|sync|status`.

use std::io::Read as _;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context as _, Result, bail};
use garrison_advisories::{Database, Status};

use crate::cli::DbCommand;
use crate::deps::db_path;
use crate::output::{eprintln, write_output};

/// Largest OSV export accepted by `sync` (the PyPI export is tens of MB).
const MAX_DOWNLOAD: u64 = 1024 * 1024 * 1024;

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
        DbCommand::Snapshot { from, output } => crate::advisories::write_snapshot(from, output),
        DbCommand::Status { db } => {
            let target = db_path(db.as_ref());
            if !target.exists() {
                return embedded_status(&target);
            }
            let db = Database::load(&target)
                .with_context(|| format!("cannot load {}", target.display()))?;
            write_output(None, &status_text(&target, db.status()))?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn status_text(path: &Path, s: &Status) -> String {
    let age = s.age_days(now());
    let mut out = format!(
        "database:        {}\nsource:          {}\nrecords:         {} ({} withdrawn, {} unreadable)\nvulnerabilities: {} (aliases merged) in {} package{}\nnewest record:   {}{}\n",
        path.display(),
        s.source,
        s.records,
        s.withdrawn,
        s.errors,
        s.vulnerabilities,
        s.packages,
        if s.packages == 1 { "" } else { "s" },
        s.newest_modified,
        age.map(|a| format!(" ({a} days old)")).unwrap_or_default(),
    );
    let stale = garrison_advisories::snapshot::STALE_AFTER_DAYS;
    if age.is_some_and(|a| a > stale) {
        out.push_str(&format!(
            "warning: older than {stale} days; run `garrison db sync` (or re-import) for current advisories\n",
        ));
    }
    out
}

/// `db status` without a database: what scans use instead.
fn embedded_status(target: &Path) -> Result<ExitCode> {
    let db = garrison_advisories::snapshot::embedded()?;
    let mut text = format!(
        "no advisory database at {} (run `garrison db sync` or `garrison db import PATH`);\nscans use the snapshot built into Garrison:\n\n",
        target.display()
    );
    text.push_str(&status_text(Path::new("(embedded)"), db.status()).replacen(
        "database:       ",
        "snapshot:       ",
        1,
    ));
    text.push_str(&format!("{}\n", garrison_advisories::snapshot::ATTRIBUTION));
    write_output(None, &text)?;
    Ok(ExitCode::SUCCESS)
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
    for e in errors.iter().take(20) {
        eprintln(&format!("garrison: skipped {e}"));
    }
    if errors.len() > 20 {
        eprintln(&format!(
            "garrison: … and {} more unreadable records",
            errors.len() - 20
        ));
    }
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
    let mut text = status_text(target, db.status());
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
