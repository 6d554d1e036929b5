//! `garrison sign` (SSH signatures with an OpenSSH key; `--keyless` is in `keyless.rs`) and the
//! SSH half of `garrison verify`.
//! The format, keys and allowed_signers logic are in `garrison-sign`; this is wiring.

use std::ffi::OsString;
use std::fs::File;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, Result, anyhow, bail};
use garrison_sign::{
    AllowedSigners, KeyError, MAX_ALLOWED_SIGNERS_BYTES, MAX_KEY_BYTES, PublicKey, Signature,
    Signer, SigningKey, print, verify,
};

use crate::cli::{OutputFormat, SignArgs, VerifyArgs};
use crate::output::write_output;

/// The environment variable holding an encrypted key's passphrase.
const PASSPHRASE_VAR: &str = "GARRISON_SSH_PASSPHRASE";
/// The default namespace, as `ssh-keygen -Y sign -n file`.
const DEFAULT_NAMESPACE: &str = "file";

fn read_limited(path: &Path, max: usize) -> Result<Vec<u8>> {
    use garrison_source::read::{ReadError, read_file};
    read_file(path, max as u64).map_err(|e| match e {
        ReadError::TooLarge { .. } => {
            anyhow::anyhow!("{}: larger than {max} bytes", path.display())
        }
        e => anyhow::Error::new(e).context(format!("{}: cannot read", path.display())),
    })
}

fn open_file(path: &Path) -> Result<File> {
    let meta =
        std::fs::metadata(path).with_context(|| format!("{}: cannot read", path.display()))?;
    if !meta.is_file() {
        bail!("{}: not a regular file", path.display());
    }
    File::open(path).with_context(|| format!("{}: cannot read", path.display()))
}

/// `FILE` → `FILE.sig`.
fn sig_path(file: &Path) -> PathBuf {
    let mut s: OsString = file.as_os_str().to_owned();
    s.push(".sig");
    PathBuf::from(s)
}

fn load_key(path: &Path) -> Result<SigningKey> {
    let bytes = read_limited(path, MAX_KEY_BYTES)?;
    let passphrase = match std::env::var(PASSPHRASE_VAR) {
        Ok(p) => Some(p),
        Err(std::env::VarError::NotPresent) => None,
        Err(std::env::VarError::NotUnicode(_)) => bail!("{PASSPHRASE_VAR} is not valid UTF-8"),
    };
    SigningKey::from_openssh(&bytes, passphrase.as_deref().map(str::as_bytes)).map_err(
        |e| match e {
            KeyError::Encrypted => anyhow!(
                "{}: the private key is encrypted: put its passphrase in the {PASSPHRASE_VAR} \
                 environment variable (Garrison does not prompt and does not use ssh-agent)",
                path.display()
            ),
            KeyError::WrongPassphrase => anyhow!(
                "{}: {PASSPHRASE_VAR} does not decrypt this private key",
                path.display()
            ),
            e => anyhow!("{}: {e}", path.display()),
        },
    )
}

/// Runs `garrison sign`.
pub fn run(args: &SignArgs) -> Result<ExitCode> {
    if args.keyless {
        return crate::keyless::run(args);
    }
    let Some(key_path) = &args.key else {
        bail!("give the signing key: --key PATH (or sign with Sigstore: --keyless)");
    };
    let key = load_key(key_path)?;
    let public = key.public_key();
    // Check every target before writing anything, so a refusal leaves no partial set.
    let mut targets = Vec::with_capacity(args.files.len());
    for file in &args.files {
        let sig = sig_path(file);
        open_file(file)?;
        if !args.force && sig.exists() {
            bail!(
                "{}: already exists; pass --force to overwrite it",
                sig.display()
            );
        }
        targets.push((file, sig));
    }
    let mut report = String::new();
    for (file, sig_file) in targets {
        let mut reader = open_file(file)?;
        let sig = key
            .sign(&args.namespace, &mut reader)
            .map_err(|e| anyhow!("{}: {e}", file.display()))?;
        let mut out = create_output(&sig_file, args.force)?;
        out.write_all(sig.to_armored().as_bytes())
            .with_context(|| format!("{}: cannot write", sig_file.display()))?;
        report.push_str(&format!(
            "signed: {} -> {} ({} {}, namespace {})\n",
            file.display(),
            sig_file.display(),
            public.algorithm(),
            public.fingerprint(),
            args.namespace
        ));
    }
    write_output(None, &report)?;
    Ok(ExitCode::SUCCESS)
}

/// `garrison verify` of an SSH signature (the input starts with `-----BEGIN SSH SIGNATURE-----`).
pub fn verify_ssh(args: &VerifyArgs, armored: &[u8]) -> Result<ExitCode> {
    let sigstore_only = [
        ("--digest", args.digest.is_some()),
        (
            "--certificate-identity",
            args.certificate_identity.is_some(),
        ),
        (
            "--certificate-identity-pattern",
            args.certificate_identity_pattern.is_some(),
        ),
        (
            "--certificate-identity-regexp",
            args.certificate_identity_regexp.is_some(),
        ),
        (
            "--certificate-oidc-issuer",
            args.certificate_oidc_issuer.is_some(),
        ),
        ("--repository", args.repository.is_some()),
        ("--workflow", args.workflow.is_some()),
        ("--ref", args.git_ref.is_some()),
        ("--trigger", args.trigger.is_some()),
        ("--pep740", args.pep740),
        ("--staging", args.staging),
        ("--trusted-root", args.trusted_root.is_some()),
    ];
    if let Some((flag, _)) = sigstore_only.iter().find(|(_, set)| *set) {
        bail!(
            "{}: is an SSH signature; {flag} applies to Sigstore bundles. Give --artifact FILE \
             and --allowed-signers FILE --identity PRINCIPAL (or --public-key KEY.pub)",
            args.bundle
                .as_deref()
                .unwrap_or(std::path::Path::new("-"))
                .display()
        );
    }
    let Some(artifact) = &args.artifact else {
        bail!("give the signed file: --artifact FILE");
    };
    let namespace = args.namespace.as_deref().unwrap_or(DEFAULT_NAMESPACE);
    let (signers, public) = match (&args.allowed_signers, &args.identity, &args.public_key) {
        (Some(path), Some(_), None) => {
            let bytes = read_limited(path, MAX_ALLOWED_SIGNERS_BYTES)?;
            let text = String::from_utf8(bytes)
                .map_err(|_| anyhow!("{}: not UTF-8 text", path.display()))?;
            let signers = AllowedSigners::parse(&text)
                .map_err(|e| anyhow!("{}:{}: {}", path.display(), e.line, e.message))?;
            (Some(signers), None)
        }
        (None, None, Some(path)) => {
            let text = String::from_utf8(read_limited(path, MAX_KEY_BYTES)?)
                .map_err(|_| anyhow!("{}: not UTF-8 text", path.display()))?;
            let key = PublicKey::parse(&text).map_err(|e| anyhow!("{}: {e}", path.display()))?;
            (None, Some(key))
        }
        _ => bail!(
            "say who must have signed: --allowed-signers FILE --identity PRINCIPAL, or \
             --public-key KEY.pub"
        ),
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or_default();
    let signer = match (&signers, &public, &args.identity) {
        (Some(signers), _, Some(principal)) => Signer::AllowedSigners {
            signers,
            principal,
            now,
        },
        (_, Some(key), _) => Signer::PublicKey(key),
        _ => bail!("internal: no signer"),
    };
    // A missing artifact is an input error (exit 2) even when the signature is malformed too.
    let mut file = open_file(artifact)?;
    let outcome =
        Signature::parse(armored).and_then(|sig| verify(&sig, &mut file, namespace, &signer));
    let sig = args.bundle.as_deref().unwrap_or(Path::new("-")).display();
    let json = args.format == OutputFormat::Json;
    let text = print::verification(
        &sig.to_string(),
        &artifact.display().to_string(),
        &outcome,
        json,
    );
    write_output(None, &text)?;
    Ok(if outcome.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Opens a signature file for writing: a new file, or (with `force`) one that replaces an
/// existing file. The error names the file.
pub(crate) fn create_output(path: &Path, force: bool) -> Result<std::fs::File> {
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
