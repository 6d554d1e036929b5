//! Files named on the command line: bounded reads and the signature files `sign` writes, with
//! errors that name the file.

use std::ffi::OsString;
use std::fs::File;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, anyhow, bail};
use garrison_source::read::ReadError;

fn named(path: &Path, max: u64, e: ReadError) -> anyhow::Error {
    match e {
        ReadError::TooLarge { .. } => anyhow!("{}: larger than {max} bytes", path.display()),
        ReadError::NotUtf8 { .. } => anyhow!("{}: not UTF-8 text", path.display()),
        ReadError::Io(e) => {
            anyhow::Error::new(e).context(format!("{}: cannot read", path.display()))
        }
        e => anyhow::Error::new(e).context(format!("{}: cannot read", path.display())),
    }
}

/// A regular file of at most `max` bytes.
pub fn read_file(path: &Path, max: u64) -> Result<Vec<u8>> {
    garrison_source::read::read_file(path, max).map_err(|e| named(path, max, e))
}

/// A UTF-8 text file of at most `max` bytes.
pub fn read_text(path: &Path, max: u64) -> Result<String> {
    garrison_source::read::read_text(path, max).map_err(|e| named(path, max, e))
}

/// A regular file opened for reading.
pub fn open_file(path: &Path) -> Result<File> {
    let meta =
        std::fs::metadata(path).with_context(|| format!("{}: cannot read", path.display()))?;
    if !meta.is_file() {
        bail!("{}: not a regular file", path.display());
    }
    File::open(path).with_context(|| format!("{}: cannot read", path.display()))
}

/// `FILE` → `FILE{suffix}` (`.sig`, `.sigstore.json`).
fn with_suffix(file: &Path, suffix: &str) -> PathBuf {
    let mut s: OsString = file.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// Each of `files` with the signature file to write next to it (`FILE{suffix}`), checked before
/// anything is signed, so a refusal leaves no partial set and costs no request: every file is
/// a readable regular file and, unless `force`, no signature file exists yet.
pub fn sign_targets<'a>(
    files: &'a [PathBuf],
    suffix: &str,
    force: bool,
) -> Result<Vec<(&'a Path, PathBuf)>> {
    let mut targets = Vec::with_capacity(files.len());
    for file in files {
        open_file(file)?;
        let sig = with_suffix(file, suffix);
        if !force && sig.exists() {
            bail!(
                "{}: already exists; pass --force to overwrite it",
                sig.display()
            );
        }
        targets.push((file.as_path(), sig));
    }
    Ok(targets)
}

/// Opens a signature file for writing: a new file, or (with `force`) one that replaces an
/// existing file.
pub fn create_output(path: &Path, force: bool) -> Result<File> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true);
    if force {
        opts.create(true).truncate(true);
    } else {
        opts.create_new(true);
    }
    opts.open(path)
        .with_context(|| format!("{}: cannot write", path.display()))
}
