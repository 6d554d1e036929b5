//! `garrison sign --keyless`: arguments to `garrison_sigstore::sign`, over HTTP with `ureq`
//! (the network half, like `db sync`).

use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context as _, Result, anyhow};
use garrison_cli::SignArgs;
use garrison_sigstore::print;
use garrison_sigstore::sign::{
    Endpoints, HttpResponse, IdentityToken, KeylessSigner, MAX_RESPONSE_BYTES, Service, Transport,
    TransportError, identity_token, sha256_of,
};

use crate::files::{create_output, open_file, sign_targets};
use crate::output::write_output;

/// Requests bounded in time and size, statuses returned to the caller, no redirects (a POST
/// must not silently become a GET elsewhere).
struct Ureq(ureq::Agent);

fn read(mut response: ureq::http::Response<ureq::Body>) -> Result<HttpResponse, TransportError> {
    let status = response.status().as_u16();
    let body = response
        .body_mut()
        .with_config()
        .limit(MAX_RESPONSE_BYTES)
        .read_to_vec();
    let body = body.map_err(|e| {
        TransportError(match e {
            ureq::Error::BodyExceedsLimit(_) => {
                format!("the response is larger than {MAX_RESPONSE_BYTES} bytes; refusing it")
            }
            e => format!("cannot read the response: {e}"),
        })
    })?;
    Ok(HttpResponse { status, body })
}

fn sent<T>(r: Result<T, ureq::Error>) -> Result<T, TransportError> {
    r.map_err(|e| TransportError(format!("cannot send the request: {e}")))
}

impl Transport for Ureq {
    fn post_json(
        &self,
        _: Service,
        url: &str,
        body: &[u8],
    ) -> Result<HttpResponse, TransportError> {
        let request = self.0.post(url).header("Content-Type", "application/json");
        read(sent(
            request.header("Accept", "application/json").send(body),
        )?)
    }

    fn get_json(&self, url: &str, bearer: &str) -> Result<HttpResponse, TransportError> {
        let request = self
            .0
            .get(url)
            .header("Authorization", &format!("bearer {bearer}"));
        read(sent(request.header("Accept", "application/json").call())?)
    }
}

/// Runs `garrison sign --keyless`.
pub fn run(args: &SignArgs) -> Result<ExitCode> {
    let targets = sign_targets(&args.files, ".sigstore.json", args.force)?;
    let mut endpoints = if args.staging {
        Endpoints::staging()
    } else {
        Endpoints::production()
    };
    endpoints.fulcio = args.fulcio_url.clone().unwrap_or(endpoints.fulcio);
    endpoints.rekor = args.rekor_url.clone().unwrap_or(endpoints.rekor);
    let agent = ureq::Agent::config_builder()
        .timeout_connect(Some(Duration::from_secs(15)))
        .timeout_global(Some(Duration::from_secs(60)))
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .new_agent();
    let transport = Ureq(agent);
    let env = |name: &str| std::env::var(name).ok();
    let raw = identity_token(args.identity_token.as_deref(), &env, &transport)?;
    let token = IdentityToken::parse(&raw, garrison_source::time::now())?;
    let signer = KeylessSigner::new(&transport, endpoints, &token)?;
    let mut report = String::new();
    for (file, bundle_file) in targets {
        let shown = |p: &Path| p.display().to_string();
        let digest = sha256_of(open_file(file)?)
            .with_context(|| format!("{}: cannot read", file.display()))?;
        let signed = signer
            .sign(digest)
            .map_err(|e| anyhow!("{}: {e}", file.display()))?;
        let mut out = create_output(&bundle_file, args.force)?;
        out.write_all(&signed.json)
            .and_then(|()| out.write_all(b"\n"))
            .with_context(|| format!("{}: cannot write", bundle_file.display()))?;
        report.push_str(&print::signed(&shown(file), &shown(&bundle_file), &signed));
    }
    let c = signer.certified();
    let (identity, issuer) = (c.identity.as_deref(), c.issuer.as_deref());
    report.push_str(&print::signer(
        identity.unwrap_or("(none)"),
        issuer.unwrap_or("(none)"),
        args.staging,
    ));
    write_output(None, &report)?;
    Ok(ExitCode::SUCCESS)
}
