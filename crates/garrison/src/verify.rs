//! `garrison verify`: a Sigstore bundle (or a PEP 740 attestation) against an artifact and an
//! identity policy, offline, with the embedded Sigstore trust roots. SSH signatures are told
//! apart by content and handed to `sign::verify_ssh`.

use std::process::ExitCode;

use anyhow::{Context as _, Result, bail};
use garrison_cli::{OutputFormat, VerifyArgs};
use garrison_sigstore::pep740::{Publisher, verify_attestation};
use garrison_sigstore::{
    Artifact, GithubClaims, Identity, IdentityRegex, Policy, TrustedRoot, Verified, verify_bundle,
};
use sha2::{Digest as _, Sha256};

use crate::files::read_file;
use crate::output::write_output;

/// Largest bundle, attestation or artifact read.
const MAX_INPUT: u64 = 2 * 1024 * 1024 * 1024;
/// Largest bundle or attestation read.
const MAX_BUNDLE: u64 = 16 * 1024 * 1024;

fn parse_digest(s: &str) -> Result<[u8; 32]> {
    garrison_release::lock::parse_sha256(s)
        .with_context(|| format!("`{s}`: expected sha256:<64 hex digits>"))
}

/// Runs `garrison verify` of a signature or attestation.
pub fn run(args: &VerifyArgs) -> Result<ExitCode> {
    let Some(bundle_path) = &args.bundle else {
        bail!("give the bundle to verify, or --lock FILE --dists DIR");
    };
    let bundle = read_file(bundle_path, MAX_BUNDLE)?;
    // One command for both kinds of signature, told apart by content.
    if garrison_sign::is_ssh_signature(&bundle) {
        return crate::sign::verify_ssh(args, &bundle);
    }
    if args.allowed_signers.is_some() || args.public_key.is_some() || args.namespace.is_some() {
        bail!(
            "{}: not an SSH signature (no `-----BEGIN SSH SIGNATURE-----` line); \
             --allowed-signers, --identity, --public-key and --namespace apply to SSH signatures",
            bundle_path.display()
        );
    }
    let root = trusted_root(args)?;
    let (artifact_bytes, digest) = match (&args.artifact, &args.digest) {
        (Some(a), None) => {
            let bytes = read_file(a, MAX_INPUT)?;
            let d: [u8; 32] = Sha256::digest(&bytes).into();
            (Some(bytes), d)
        }
        (None, Some(d)) => (None, parse_digest(d)?),
        _ => bail!("give the signed file (--artifact FILE) or its digest (--digest sha256:HEX)"),
    };

    let outcome: Result<(Verified, Option<String>), garrison_sigstore::VerifyError> = if args.pep740
    {
        let Some(repository) = &args.repository else {
            bail!(
                "--pep740 needs the Trusted Publisher: --repository OWNER/NAME and --workflow FILE"
            );
        };
        let Some(workflow) = &args.workflow else {
            bail!("--pep740 needs the publisher's workflow: --workflow FILE");
        };
        let filename = match (&args.filename, &args.artifact) {
            (Some(f), _) => f.clone(),
            (None, Some(a)) => a
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            (None, None) => bail!("--pep740 with --digest needs the distribution's --filename"),
        };
        let publisher = if args.gitlab {
            Publisher::GitLab {
                repository: repository.clone(),
                workflow_filepath: workflow.clone(),
            }
        } else {
            Publisher::GitHub {
                repository: repository.clone(),
                workflow: workflow.clone(),
            }
        };
        verify_attestation(&bundle, &filename, digest, &publisher, &root)
            .map(|v| (v.verified, Some(v.predicate_type)))
    } else {
        let identity = match (
            &args.certificate_identity,
            &args.certificate_identity_pattern,
            &args.certificate_identity_regexp,
        ) {
            (Some(i), _, _) => Identity::Exact(i.clone()),
            (None, Some(p), _) => Identity::Pattern(p.clone()),
            (None, None, Some(r)) => {
                Identity::Regex(IdentityRegex::new(r).context("--certificate-identity-regexp")?)
            }
            (None, None, None) => Identity::Any,
        };
        let mut policy = Policy::new(identity);
        if let Some(i) = &args.certificate_oidc_issuer {
            policy = policy.issuer(i.clone());
        }
        if args.repository.is_some()
            || args.workflow.is_some()
            || args.git_ref.is_some()
            || args.trigger.is_some()
        {
            policy = policy.github(GithubClaims {
                repository: args.repository.clone(),
                workflow_path: args.workflow.clone(),
                ref_: args.git_ref.clone(),
                trigger: args.trigger.clone(),
            });
        }
        let artifact = match &artifact_bytes {
            Some(b) => Artifact::Bytes(b),
            None => Artifact::Digest(digest),
        };
        verify_bundle(&bundle, artifact, &policy, &root).map(|v| (v, None))
    };

    let json = args.format == OutputFormat::Json;
    let shown = bundle_path.display().to_string();
    let text = garrison_sigstore::print::verification(&shown, &digest, &outcome, json);
    write_output(None, &text)?;
    Ok(ExitCode::from(u8::from(outcome.is_err())))
}

/// `--trusted-root FILE`, else the embedded staging or production root.
pub fn trusted_root(args: &VerifyArgs) -> Result<TrustedRoot> {
    Ok(match (&args.trusted_root, args.staging) {
        (Some(f), _) => TrustedRoot::from_file(f)?,
        (None, true) => TrustedRoot::staging()?,
        (None, false) => TrustedRoot::production()?,
    })
}
