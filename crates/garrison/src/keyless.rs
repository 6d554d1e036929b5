//! `garrison sign --keyless`: the network half of keyless Sigstore signing (identity token,
//! HTTP to Fulcio and Rekor with `ureq`). The protocol and the bundle are in
//! `garrison_sigstore::sign`; this is wiring, like `db sync`.

use std::ffi::OsString;
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context as _, Result, anyhow, bail};
use garrison_sigstore::print;
use garrison_sigstore::sign::{
    Endpoints, HttpResponse, IdentityToken, KeylessSigner, MAX_RESPONSE_BYTES, MAX_TOKEN_BYTES,
    Service, Transport, TransportError,
};
use sha2::Digest as _;

use crate::cli::SignArgs;
use crate::output::write_output;

/// GitHub Actions' OIDC token endpoint (set when the job has `permissions: id-token: write`).
const GITHUB_URL_VAR: &str = "ACTIONS_ID_TOKEN_REQUEST_URL";
/// The bearer token for that endpoint.
const GITHUB_TOKEN_VAR: &str = "ACTIONS_ID_TOKEN_REQUEST_TOKEN";

/// Requests to Fulcio, Rekor and the token endpoint: bounded in time and size, statuses
/// returned to the caller, no redirects (a POST must not silently become a GET elsewhere).
struct UreqTransport {
    agent: ureq::Agent,
}

impl UreqTransport {
    fn new() -> Self {
        let agent = ureq::Agent::config_builder()
            .timeout_connect(Some(Duration::from_secs(15)))
            .timeout_global(Some(Duration::from_secs(60)))
            .http_status_as_error(false)
            .max_redirects(0)
            .build()
            .new_agent();
        Self { agent }
    }

    fn read(
        mut response: ureq::http::Response<ureq::Body>,
    ) -> Result<HttpResponse, TransportError> {
        let status = response.status().as_u16();
        let body = response
            .body_mut()
            .with_config()
            .limit(MAX_RESPONSE_BYTES)
            .read_to_vec()
            .map_err(|e| {
                TransportError(match e {
                    ureq::Error::BodyExceedsLimit(_) => format!(
                        "the response is larger than {MAX_RESPONSE_BYTES} bytes; refusing it"
                    ),
                    e => format!("cannot read the response: {e}"),
                })
            })?;
        Ok(HttpResponse { status, body })
    }
}

impl Transport for UreqTransport {
    fn post_json(
        &self,
        _: Service,
        url: &str,
        body: &[u8],
    ) -> Result<HttpResponse, TransportError> {
        let response = self
            .agent
            .post(url)
            .header("Content-Type", "application/json")
            .header("Accept", "application/json")
            .send(body)
            .map_err(|e| TransportError(format!("cannot send the request: {e}")))?;
        Self::read(response)
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or_default()
}

/// The identity token: `--identity-token`, else GitHub Actions' ambient token, else an error
/// (Garrison never prompts or opens a browser).
fn identity_token(args: &SignArgs, transport: &UreqTransport) -> Result<String> {
    if let Some(token) = &args.identity_token {
        return Ok(token.clone());
    }
    let url = std::env::var(GITHUB_URL_VAR).ok().filter(|v| !v.is_empty());
    let bearer = std::env::var(GITHUB_TOKEN_VAR)
        .ok()
        .filter(|v| !v.is_empty());
    let (url, bearer) = match (url, bearer) {
        (Some(url), Some(bearer)) => (url, bearer),
        (Some(_), None) => bail!(
            "keyless signing: {GITHUB_URL_VAR} is set but {GITHUB_TOKEN_VAR} is not, so the GitHub \
             Actions OIDC token cannot be requested"
        ),
        _ => bail!(
            "keyless signing needs an OIDC identity token: pass --identity-token TOKEN, or run in \
             GitHub Actions with `permissions: id-token: write` (Garrison does not prompt or \
             open a browser)"
        ),
    };
    let sep = if url.contains('?') { '&' } else { '?' };
    let request_url = format!("{url}{sep}audience=sigstore");
    let what = "the GitHub Actions OIDC token service";
    let response = transport
        .agent
        .get(&request_url)
        .header("Authorization", &format!("bearer {bearer}"))
        .header("Accept", "application/json")
        .call()
        .map_err(|e| anyhow!("{what}: cannot send the request: {e}"))
        .and_then(|r| UreqTransport::read(r).map_err(|e| anyhow!("{what}: {e}")))?;
    if !(200..300).contains(&response.status) {
        bail!(
            "{what} answered HTTP {}; does the job have `permissions: id-token: write`?",
            response.status
        );
    }
    let value: serde_json::Value = serde_json::from_slice(&response.body)
        .map_err(|_| anyhow!("{what}: the response is not JSON"))?;
    value
        .get("value")
        .and_then(serde_json::Value::as_str)
        .filter(|t| !t.is_empty() && t.len() <= MAX_TOKEN_BYTES)
        .map(str::to_string)
        .ok_or_else(|| anyhow!("{what}: the response has no token in `value`"))
}

/// `FILE` → `FILE.sigstore.json`.
fn bundle_path(file: &Path) -> PathBuf {
    let mut s: OsString = file.as_os_str().to_owned();
    s.push(".sigstore.json");
    PathBuf::from(s)
}

fn sha256_file(path: &Path) -> Result<[u8; 32]> {
    let mut file =
        std::fs::File::open(path).with_context(|| format!("{}: cannot read", path.display()))?;
    let mut hasher = sha2::Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = file
            .read(&mut buf)
            .with_context(|| format!("{}: cannot read", path.display()))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher.finalize().into())
}

/// Runs `garrison sign --keyless`.
pub fn run(args: &SignArgs) -> Result<ExitCode> {
    // Check every target before any network request, so a refusal costs nothing.
    let mut targets = Vec::with_capacity(args.files.len());
    for file in &args.files {
        let meta =
            std::fs::metadata(file).with_context(|| format!("{}: cannot read", file.display()))?;
        if !meta.is_file() {
            bail!("{}: not a regular file", file.display());
        }
        let bundle = bundle_path(file);
        if !args.force && bundle.exists() {
            bail!(
                "{}: already exists; pass --force to overwrite it",
                bundle.display()
            );
        }
        targets.push((file, bundle));
    }
    let mut endpoints = if args.staging {
        Endpoints::staging()
    } else {
        Endpoints::production()
    };
    if let Some(url) = &args.fulcio_url {
        endpoints.fulcio = url.clone();
    }
    if let Some(url) = &args.rekor_url {
        endpoints.rekor = url.clone();
    }
    let transport = UreqTransport::new();
    let raw = identity_token(args, &transport)?;
    let token = IdentityToken::parse(&raw, now())?;
    let signer = KeylessSigner::new(&transport, endpoints, &token)?;
    let certified = signer.certified().clone();
    let identity = certified.identity.as_deref().unwrap_or("(none)");
    let issuer = certified.issuer.as_deref().unwrap_or("(none)");
    let mut report = String::new();
    for (file, bundle_file) in targets {
        let digest = sha256_file(file)?;
        let signed = signer
            .sign(digest)
            .map_err(|e| anyhow!("{}: {e}", file.display()))?;
        let mut out = crate::sign::create_output(&bundle_file, args.force)?;
        out.write_all(&signed.json)
            .and_then(|()| out.write_all(b"\n"))
            .with_context(|| format!("{}: cannot write", bundle_file.display()))?;
        report.push_str(&print::signed(
            &file.display().to_string(),
            &bundle_file.display().to_string(),
            &signed,
        ));
    }
    report.push_str(&print::signer(identity, issuer, args.staging));
    write_output(None, &report)?;
    Ok(ExitCode::SUCCESS)
}
