//! `garrison verify --lock FILE --dists DIR [--policy FILE] [--tofu FILE]`: every distribution
//! in DIR against the lock and the publisher policy (`garrison_release::lock`); a per-file
//! outcome table, JSON, or `release/*` findings as SARIF / Markdown.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context as _, Result, bail};
use garrison_python::Manifest;
use garrison_release::lock::{
    Lock, LockLimits, LockPolicy, LockReport, Outcome, Tofu, VerifyContext, scan_dir, verify,
    write_atomic,
};
use garrison_report::render::{self, Format};
use garrison_report::{Report, SourceFile};
use garrison_sigstore::TrustedRoot;

use crate::cli::{OutputFormat, VerifyArgs};
use crate::output::write_output;

/// Reads a UTF-8 text file of at most `max` bytes.
fn read_text(path: &Path, max: usize) -> Result<String> {
    let len = std::fs::metadata(path)
        .with_context(|| format!("{}: cannot read", path.display()))?
        .len();
    if len > max as u64 {
        bail!("{}: larger than {max} bytes", path.display());
    }
    let bytes = std::fs::read(path).with_context(|| format!("{}: cannot read", path.display()))?;
    String::from_utf8(bytes).with_context(|| format!("{}: not UTF-8 text", path.display()))
}

/// The lock's manifests: uv.lock / pylock.toml by name; anything else ending in `.txt` (or
/// named like a requirements file) as requirements, with its `-r`/`-c` includes.
fn read_lock(path: &Path) -> Result<Vec<Manifest>> {
    let shown = path.display().to_string();
    let format = garrison_python::detect(&shown).or_else(|| {
        shown
            .ends_with(".txt")
            .then_some(garrison_python::Format::Requirements)
    });
    match format {
        Some(garrison_python::Format::Requirements) => {
            let root = path.parent().unwrap_or(Path::new(""));
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let manifests = garrison_python::read_tree(root, &name, |rel| {
                read_text(&root.join(rel), garrison_python::MAX_BYTES).ok()
            });
            // Report paths as given on the command line.
            Ok(manifests
                .into_iter()
                .map(|mut m| {
                    let full = root.join(&m.path).display().to_string();
                    for d in &mut m.deps {
                        d.path = full.clone();
                    }
                    for e in &mut m.errors {
                        e.path = full.clone();
                    }
                    m.path = full;
                    m
                })
                .collect())
        }
        Some(_) => {
            let text = read_text(path, garrison_python::MAX_BYTES)?;
            let m = garrison_python::read(&shown, &text)
                .with_context(|| format!("{shown}: not a lock file"))?;
            Ok(vec![m])
        }
        None => bail!(
            "{shown}: not a lock file Garrison knows (uv.lock, pylock.toml, pylock.*.toml, requirements*.txt)"
        ),
    }
}

/// Runs lock mode.
pub fn run(args: &VerifyArgs) -> Result<ExitCode> {
    let (Some(lock_path), Some(dists)) = (&args.lock, &args.dists) else {
        bail!("--lock needs --dists DIR");
    };
    let root = match (&args.trusted_root, args.staging) {
        (Some(f), _) => TrustedRoot::from_file(f)?,
        (None, true) => TrustedRoot::staging()?,
        (None, false) => TrustedRoot::production()?,
    };
    let manifests = read_lock(lock_path)?;
    let lock = Lock::from_manifests(&manifests)?;
    let policy = match &args.policy {
        Some(p) => LockPolicy::parse(
            &p.display().to_string(),
            &read_text(p, garrison_release::lock::MAX_CONFIG_BYTES)?,
        )?,
        None => LockPolicy::default(),
    };
    let mut tofu = match &args.tofu {
        Some(p) if p.exists() => Some((
            Tofu::parse(
                &p.display().to_string(),
                &read_text(p, garrison_release::lock::MAX_CONFIG_BYTES)?,
            )?,
            false,
        )),
        Some(_) => Some((Tofu::new(), true)),
        None => None,
    };
    let limits = LockLimits::default();
    let att_dirs: Vec<&Path> = args.attestations.iter().map(|p| p.as_path()).collect();
    let (files, scan_notes) = scan_dir(dists, &att_dirs, &lock.extra_algorithms(), &limits)?;
    let mut ctx = VerifyContext {
        policy: &policy,
        tofu: tofu.as_mut().map(|(t, _)| t),
        tofu_update: args.tofu_update,
        root: &root,
        dir: dists.display().to_string(),
        limits,
    };
    let mut report = verify(&lock, &files, &mut ctx);
    report.notes.extend(scan_notes);
    if let (Some(path), Some((t, created))) = (&args.tofu, &tofu)
        && (report.tofu_changed || *created)
    {
        write_atomic(path, t.to_json().as_bytes())
            .with_context(|| format!("{}: cannot write the TOFU record", path.display()))?;
    }
    let fails = report.fails(args.require_all);
    let text = match args.format {
        OutputFormat::Text => text_table(&report, args.require_all),
        OutputFormat::Json => {
            let mut v = serde_json::to_value(&report)?;
            if let Some(o) = v.as_object_mut() {
                o.insert("version".into(), 1.into());
                o.insert("ok".into(), (!fails).into());
            }
            serde_json::to_string_pretty(&v)? + "\n"
        }
        OutputFormat::Sarif | OutputFormat::Markdown => {
            let mut r = Report {
                root: ".".into(),
                ..Report::default()
            };
            r.rules.extend(garrison_release::registry::rules());
            r.findings = report.findings();
            r.files_scanned = files.len();
            for m in &manifests {
                if let Ok(t) = read_text(Path::new(&m.path), garrison_python::MAX_BYTES) {
                    r.sources.insert(m.path.clone(), SourceFile::new(t));
                }
            }
            r.sort();
            let format = if args.format == OutputFormat::Sarif {
                Format::Sarif
            } else {
                Format::Markdown
            };
            render::render(&r, format, false)
        }
    };
    write_output(None, &text)?;
    Ok(if fails {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// The per-file outcome table, summary counts and notes.
fn text_table(r: &LockReport, require_all: bool) -> String {
    let header = ["FILE", "PACKAGE", "VERSION", "OUTCOME"];
    let cells: Vec<[&str; 4]> = r
        .rows
        .iter()
        .map(|x| {
            [
                x.file.as_str(),
                x.package.as_str(),
                x.version.as_str(),
                x.outcome.as_str(),
            ]
        })
        .collect();
    let mut width = header.map(str::len);
    for c in &cells {
        for (w, s) in width.iter_mut().zip(c) {
            *w = (*w).max(s.chars().count());
        }
    }
    let line = |c: [&str; 4], detail: &str| {
        let mut s = String::new();
        for (w, cell) in width.iter().zip(c) {
            s.push_str(&format!("{cell:<w$}  "));
        }
        s.push_str(detail);
        s.trim_end().to_string() + "\n"
    };
    let mut out = format!("lock {} against {}\n\n", r.lock, r.dir);
    out.push_str(&line(header, "DETAIL"));
    for (c, x) in cells.into_iter().zip(&r.rows) {
        out.push_str(&line(c, &x.detail));
    }
    let counts: Vec<String> = Outcome::ALL
        .iter()
        .map(|o| format!("{} {}", r.summary.get(o.as_str()).unwrap_or(&0), o.as_str()))
        .collect();
    out.push_str(&format!(
        "\n{} files, {} locked packages: {}\n",
        r.rows
            .iter()
            .filter(|x| x.outcome != Outcome::Missing)
            .count(),
        r.packages,
        counts.join(", ")
    ));
    if !r.notes.is_empty() {
        out.push_str("\nnotes:\n");
        for n in &r.notes {
            out.push_str(&format!("  {n}\n"));
        }
    }
    let verdict = if r.fails(require_all) {
        "FAILED: a file does not match the lock or the policy (see the outcomes above)"
    } else {
        "OK: every file matches the lock and the policy"
    };
    out.push_str(&format!("\n{verdict}\n"));
    out
}
