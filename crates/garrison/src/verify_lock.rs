//! `garrison verify --lock FILE --dists DIR [--policy FILE] [--tofu FILE]`: arguments to
//! `garrison_release::lock`; the outcome table or JSON (`garrison_release::print`), or the
//! `release/*` findings as SARIF / Markdown.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context as _, Result, bail};
use garrison_cli::{OutputFormat, VerifyArgs};
use garrison_python::{Format, detect, discover};
use garrison_release::lock::{
    Lock, LockLimits, LockPolicy, MAX_CONFIG_BYTES, Tofu, VerifyContext, scan_dir, verify,
    write_atomic,
};
use garrison_release::print::{lock_json, lock_report, lock_table};
use garrison_report::render::{self, Format as Rendered};

use crate::files::read_text;
use crate::output::write_output;

/// Runs lock mode.
pub fn run(args: &VerifyArgs) -> Result<ExitCode> {
    let (Some(lock_path), Some(dists)) = (&args.lock, &args.dists) else {
        bail!("--lock needs --dists DIR");
    };
    let root = crate::verify::trusted_root(args)?;
    // uv.lock / pylock.toml by name; anything else ending in `.txt` as requirements.
    let shown = lock_path.display().to_string();
    let read = match detect(&shown).or(shown.ends_with(".txt").then_some(Format::Requirements)) {
        Some(Format::Requirements) => discover::read_requirements(lock_path),
        Some(_) => {
            let t = read_text(lock_path, garrison_python::MAX_BYTES as u64)?;
            let m = garrison_python::read(&shown, &t)
                .with_context(|| format!("{shown}: not a lock file"))?;
            discover::Manifests {
                manifests: vec![m],
                sources: vec![(shown.clone(), garrison_report::SourceFile::new(t))],
                errors: Vec::new(),
            }
        }
        None => bail!(
            "{shown}: not a lock file Garrison knows (uv.lock, pylock.toml, pylock.*.toml, requirements*.txt)"
        ),
    };
    let lock = Lock::from_manifests(&read.manifests)?;
    let policy = match &args.policy {
        Some(p) => LockPolicy::parse(
            &p.display().to_string(),
            &read_text(p, MAX_CONFIG_BYTES as u64)?,
        )?,
        None => LockPolicy::default(),
    };
    let mut tofu = match &args.tofu {
        Some(p) if p.exists() => Some((
            Tofu::parse(
                &p.display().to_string(),
                &read_text(p, MAX_CONFIG_BYTES as u64)?,
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
    let text = match args.format {
        OutputFormat::Text => lock_table(&report, args.require_all),
        OutputFormat::Json => lock_json(&report, args.require_all),
        f => {
            let r = lock_report(&report, files.len(), read.sources);
            let f = if f == OutputFormat::Sarif {
                Rendered::Sarif
            } else {
                Rendered::Markdown
            };
            render::render(&r, f, false)
        }
    };
    write_output(None, &text)?;
    Ok(ExitCode::from(u8::from(report.fails(args.require_all))))
}
