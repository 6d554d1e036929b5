//! `garrison sign` (SSH signatures with an OpenSSH key; `--keyless` is in `keyless.rs`) and the
//! SSH half of `garrison verify`: arguments to `garrison-sign`.

use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context as _, Result, anyhow, bail};
use garrison_cli::{OutputFormat, SignArgs, VerifyArgs};
use garrison_sign::{
    AllowedSigners, KeyError, MAX_ALLOWED_SIGNERS_BYTES, MAX_KEY_BYTES, PublicKey, Signature,
    Signer, SigningKey, print, verify,
};

use crate::files::{create_output, open_file, read_text, sign_targets};
use crate::output::write_output;

/// The environment variable holding an encrypted key's passphrase.
const PASSPHRASE_VAR: &str = "GARRISON_SSH_PASSPHRASE";

fn load_key(path: &Path) -> Result<SigningKey> {
    let bytes =
        garrison_source::read::read_file(path, MAX_KEY_BYTES as u64).map_err(|e| match e {
            e if e.is_too_large() => {
                anyhow!("{}: larger than {MAX_KEY_BYTES} bytes", path.display())
            }
            e => anyhow::Error::new(e).context(format!("{}: cannot read", path.display())),
        })?;
    let passphrase = match std::env::var(PASSPHRASE_VAR) {
        Ok(p) => Some(p),
        Err(std::env::VarError::NotPresent) => None,
        Err(std::env::VarError::NotUnicode(_)) => bail!("{PASSPHRASE_VAR} is not valid UTF-8"),
    };
    let key = SigningKey::from_openssh(&bytes, passphrase.as_deref().map(str::as_bytes));
    key.map_err(|e| match e {
        KeyError::Encrypted => anyhow!(
            "{}: the private key is encrypted: put its passphrase in the {PASSPHRASE_VAR} \
             environment variable (Garrison does not prompt and does not use ssh-agent)",
            path.display()
        ),
        KeyError::WrongPassphrase => {
            anyhow!(
                "{}: {PASSPHRASE_VAR} does not decrypt this private key",
                path.display()
            )
        }
        e => anyhow!("{}: {e}", path.display()),
    })
}

/// Runs `garrison sign` with an SSH key.
pub fn run(args: &SignArgs) -> Result<ExitCode> {
    let Some(key_path) = &args.key else {
        bail!("give the signing key: --key PATH (or sign with Sigstore: --keyless)");
    };
    let key = load_key(key_path)?;
    let public = key.public_key();
    let targets = sign_targets(&args.files, ".sig", args.force)?;
    let mut report = String::new();
    for (file, sig_file) in targets {
        let sig = key.sign(&args.namespace, &mut open_file(file)?);
        let sig = sig.map_err(|e| anyhow!("{}: {e}", file.display()))?;
        create_output(&sig_file, args.force)?
            .write_all(sig.to_armored().as_bytes())
            .with_context(|| format!("{}: cannot write", sig_file.display()))?;
        let (shown, sig_shown) = (file.display().to_string(), sig_file.display().to_string());
        report.push_str(&print::signed(&shown, &sig_shown, &public, &args.namespace));
    }
    write_output(None, &report)?;
    Ok(ExitCode::SUCCESS)
}

/// `garrison verify` of an SSH signature (the input starts with `-----BEGIN SSH SIGNATURE-----`).
pub fn verify_ssh(args: &VerifyArgs, armored: &[u8]) -> Result<ExitCode> {
    let sig = args
        .bundle
        .as_deref()
        .unwrap_or(Path::new("-"))
        .display()
        .to_string();
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
            "{sig}: is an SSH signature; {flag} applies to Sigstore bundles. Give --artifact FILE \
             and --allowed-signers FILE --identity PRINCIPAL (or --public-key KEY.pub)"
        );
    }
    let Some(artifact) = &args.artifact else {
        bail!("give the signed file: --artifact FILE");
    };
    let signers;
    let key;
    let signer = match (&args.allowed_signers, &args.identity, &args.public_key) {
        (Some(path), Some(principal), None) => {
            let text = read_text(path, MAX_ALLOWED_SIGNERS_BYTES as u64)?;
            signers = AllowedSigners::parse(&text)
                .map_err(|e| anyhow!("{}:{}: {}", path.display(), e.line, e.message))?;
            let now = garrison_source::time::now();
            Signer::AllowedSigners {
                signers: &signers,
                principal,
                now,
            }
        }
        (None, None, Some(path)) => {
            let text = read_text(path, MAX_KEY_BYTES as u64)?;
            key = PublicKey::parse(&text).map_err(|e| anyhow!("{}: {e}", path.display()))?;
            Signer::PublicKey(&key)
        }
        _ => bail!(
            "say who must have signed: --allowed-signers FILE --identity PRINCIPAL, or \
             --public-key KEY.pub"
        ),
    };
    // A missing artifact is an input error (exit 2) even when the signature is malformed too.
    let mut file = open_file(artifact)?;
    // The default namespace is `file`, as `ssh-keygen -Y sign -n file`.
    let namespace = args.namespace.as_deref().unwrap_or("file");
    let outcome = Signature::parse(armored).and_then(|s| verify(&s, &mut file, namespace, &signer));
    let json = args.format == OutputFormat::Json;
    let text = print::verification(&sig, &artifact.display().to_string(), &outcome, json);
    write_output(None, &text)?;
    Ok(ExitCode::from(u8::from(outcome.is_err())))
}
