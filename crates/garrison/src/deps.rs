//! Wiring of the dependency audit: find dependency files, read them, load the advisory
//! database, run `garrison_advisories::audit`.

use std::path::{Path, PathBuf};

use anyhow::Result;
use garrison_advisories::Database;
use garrison_advisories::audit::{self, Accepted, Options};
use garrison_python::Manifest;
use garrison_report::config::Config;
use garrison_report::{FileError, Report, SourceFile};

use crate::cli::DepsOptions;

/// Largest dependency file read (large pixi.lock files are tens of MB).
const MAX_DEP_FILE: u64 = garrison_python::MAX_BYTES as u64;

/// Reads a text file with a size limit; the error is a sentence.
pub fn read_text(path: &Path, limit: u64) -> Result<String, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read: {e}"))?;
    if meta.len() > limit {
        return Err(format!(
            "file is {} bytes, over the {limit} byte limit; not analysed",
            meta.len()
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read: {e}"))?;
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "not valid UTF-8 (byte {}); not analysed",
            e.utf8_error().valid_up_to()
        )
    })
}

fn file_error(path: &str, message: String) -> FileError {
    FileError {
        path: path.to_string(),
        line: None,
        column: None,
        message,
    }
}

/// The manifests found in `files` (repository-relative paths under `root`), displayed with
/// `prefix` prepended.
pub fn manifests_in(
    root: &Path,
    files: &[String],
    prefix: &str,
    report: &mut Report,
) -> Vec<Manifest> {
    let mut out = Vec::new();
    for rel in files {
        if garrison_python::detect(rel).is_none() {
            continue;
        }
        let shown = format!("{prefix}{rel}");
        match read_text(&root.join(rel), MAX_DEP_FILE) {
            Ok(text) => {
                if let Some(m) = garrison_python::read(&shown, &text) {
                    report.sources.insert(shown.clone(), SourceFile::new(text));
                    report.files_scanned += 1;
                    report.errors.extend(m.errors.iter().cloned());
                    out.push(m);
                }
            }
            Err(e) => report.errors.push(file_error(&shown, e)),
        }
    }
    out
}

/// The manifest of one file named on the command line, following `-r`/`-c` includes of
/// requirements files.
pub fn manifests_of_file(path: &Path, report: &mut Report) -> Vec<Manifest> {
    let shown = path.display().to_string();
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_string();
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let format = garrison_python::detect(&shown).or_else(|| garrison_python::detect(&name));
    if format == Some(garrison_python::Format::Requirements) {
        let prefix = if dir.as_os_str().is_empty() {
            String::new()
        } else {
            format!("{}/", dir.display())
        };
        let manifests = garrison_python::read_tree(&dir, &name, |rel| {
            read_text(&dir.join(rel), MAX_DEP_FILE).ok()
        });
        let mut out = Vec::new();
        for mut m in manifests {
            let shown = format!("{prefix}{}", m.path);
            if let Ok(text) = read_text(&dir.join(&m.path), MAX_DEP_FILE) {
                report.sources.insert(shown.clone(), SourceFile::new(text));
            }
            for d in &mut m.deps {
                d.path = shown.clone();
            }
            for e in &mut m.errors {
                e.path = shown.clone();
            }
            m.path = shown;
            report.files_scanned += 1;
            report.errors.extend(m.errors.iter().cloned());
            out.push(m);
        }
        return out;
    }
    match read_text(path, MAX_DEP_FILE) {
        Ok(text) => {
            // Unknown names are read as requirements files (`deps reqs.in`).
            let m = garrison_python::read(&shown, &text)
                .unwrap_or_else(|| garrison_python::requirements::parse(&shown, &text));
            report.sources.insert(shown.clone(), SourceFile::new(text));
            report.files_scanned += 1;
            report.errors.extend(m.errors.iter().cloned());
            vec![m]
        }
        Err(e) => {
            report.errors.push(file_error(&shown, e));
            Vec::new()
        }
    }
}

/// The database path from the options or the default.
pub fn db_path(opt: Option<&PathBuf>) -> PathBuf {
    opt.cloned()
        .unwrap_or_else(garrison_advisories::default_path)
}

/// Today's date as `YYYY-MM-DD` (UTC).
pub fn today() -> String {
    garrison_source::time::today()
}

/// Loads the local database, or the embedded snapshot when there is none, and records in
/// the report which one is used and how old it is (every format states it and warns when it is
/// stale). A damaged database is an error.
pub fn load_db(opts: &DepsOptions, report: &mut Report) -> Result<Option<Database>> {
    let path = db_path(opts.db.as_ref());
    let (db, data) = crate::advisories::open(&path, garrison_source::time::now())?;
    report.advisories = Some(data);
    Ok(Some(db))
}

/// Runs the dependency audit over `manifests` and adds the findings and rules to `report`.
pub fn add(
    report: &mut Report,
    db: Option<&Database>,
    manifests: &[Manifest],
    cfg: &Config,
    opts: &DepsOptions,
    selected: &dyn Fn(&str) -> bool,
) -> Result<()> {
    report
        .rules
        .extend(audit::rules().into_iter().filter(|r| selected(r.id)));
    let Some(db) = db else {
        return Ok(());
    };
    let mut accepted = Vec::new();
    for i in &cfg.ignore_vulnerabilities {
        i.validate().map_err(anyhow::Error::msg)?;
        accepted.push(Accepted {
            id: i.id.clone(),
            package: i.package.clone(),
            reason: i.reason.clone(),
            expires: i.expires.clone(),
        });
    }
    let options = Options {
        python_version: opts.python_version.clone(),
        platform: opts.platform.clone(),
        declared: !opts.no_declared,
        accepted,
        today: today(),
    };
    report
        .findings
        .extend(audit::audit(db, manifests, &options, selected));
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn today_is_a_date() {
        let t = super::today();
        assert_eq!(t.len(), 10);
        assert!(t.as_str() >= "2024-01-01", "{t}");
    }
}
