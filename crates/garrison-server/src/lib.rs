//! The ecosystem platform's web app (`garrison serve`): the public SPEC adoption dashboard
//! (overview per SPEC, project pages, item pages), verified SVG badges, and the JSON / CSV
//! report under `/api/v1`, all read from the store. Server-rendered HTML (askama), no
//! JavaScript; strict security headers; responses cached per store generation (the store's
//! write counter) and revalidated with ETags.
//!
//! Layering: handlers read the store ([`data`]), arrange the rows into views ([`pages`]) and
//! render them; verdicts and adoption were computed by the fleet when the snapshot was stored.

mod api;
pub mod badge;
pub mod chart;
pub mod data;
mod handlers;
pub mod model;
pub mod pages;
mod svg;

use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use askama::Template;
use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::extract::rejection::PathRejection;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use garrison_fleet::{Item, SpecMeta};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;

use crate::data::Data;
use crate::model::Scan;

/// The Content-Security-Policy of every response: nothing but the site's own style sheet
/// and images (badges, `data:` images); no script at all, no framing.
pub const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
/// Longest request target accepted (longer gets 414).
pub const MAX_URI: usize = 2048;
/// Largest request body accepted (the app only serves GET; larger gets 413).
pub const MAX_BODY: usize = 16 * 1024;
/// A request that takes longer is answered 503.
pub const TIMEOUT: Duration = Duration::from_secs(15);
/// A client must send its request head within this time (slow or idle connections are closed).
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// Read buffer of a connection: the most a request head may take (larger gets 431).
pub const MAX_HEADER_BUFFER: usize = 64 * 1024;
/// On shutdown, requests in flight get this long to finish.
pub const DRAIN: Duration = Duration::from_secs(10);
/// Larger responses (the whole ecosystem's history) are rebuilt rather than kept in memory.
const MAX_CACHED_BODY: usize = 16 << 20;
/// At most this many rendered responses are kept per store generation.
const CACHE_ENTRIES: usize = 8192;

/// Errors of the server.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The store could not be opened or read.
    #[error(transparent)]
    Store(garrison_store::StoreError),
    /// A template failed to render.
    #[error("rendering a page: {0}")]
    Render(#[from] askama::Error),
    /// The SPEC item catalogue could not be read.
    #[error(transparent)]
    Fleet(#[from] garrison_fleet::FleetError),
    /// Listening or serving failed.
    #[error("serving: {0}")]
    Io(#[from] std::io::Error),
}

/// A rendered response body.
#[derive(Debug)]
struct Rendered {
    content_type: &'static str,
    cache_control: &'static str,
    body: axum::body::Bytes,
}

#[derive(Default)]
struct Cache {
    generation: Option<i64>,
    responses: HashMap<String, Arc<Rendered>>,
    latest: Option<Arc<Vec<Scan>>>,
}

/// The application: the store, the item catalogue and the response cache.
pub struct App {
    data: Data,
    specs: Vec<SpecMeta>,
    items: Vec<Item>,
    base: String,
    header_timeout: Duration,
    cache: Mutex<Cache>,
    /// One whole-ecosystem document (report, history) is built at a time.
    bulk: tokio::sync::Semaphore,
}

impl App {
    /// An app over `data`; `base` is the public URL (`http://127.0.0.1:8000`) used in the badge
    /// Markdown shown on project pages.
    pub fn new(data: Data, base: &str) -> Result<App, ServerError> {
        Ok(App {
            data,
            specs: garrison_fleet::spec_metas()?,
            items: garrison_fleet::catalogue()?,
            base: base.trim_end_matches('/').to_string(),
            header_timeout: HEADER_TIMEOUT,
            cache: Mutex::new(Cache::default()),
            bulk: tokio::sync::Semaphore::new(1),
        })
    }

    /// Another header-read timeout than [`HEADER_TIMEOUT`] (tests).
    pub fn with_header_timeout(mut self, timeout: Duration) -> App {
        self.header_timeout = timeout;
        self
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, Cache> {
        // A poisoned lock only means a panic elsewhere mid-insert; the map is still usable.
        self.cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Drops everything cached for an older generation.
    fn at_generation(&self, generation: i64) {
        let mut c = self.cache();
        if c.generation != Some(generation) {
            *c = Cache {
                generation: Some(generation),
                ..Cache::default()
            };
        }
    }

    /// The latest snapshot of every project, read once per generation.
    async fn latest(&self) -> Result<Arc<Vec<Scan>>, ServerError> {
        if let Some(l) = self.cache().latest.clone() {
            return Ok(l);
        }
        let l = Arc::new(self.data.latest().await?);
        self.cache().latest = Some(l.clone());
        Ok(l)
    }
}

/// The router with every route and layer.
pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/", get(handlers::overview))
        .route("/projects/{name}", get(handlers::project))
        .route("/items/{spec}/{name}", get(handlers::item))
        .route("/badge/{project}/{file}", get(handlers::badge_svg))
        .route("/static/{file}", get(handlers::asset))
        .route("/favicon.ico", get(handlers::favicon))
        .route("/api/v1/report", get(api::api_report))
        .route("/api/v1/report.csv", get(api::api_report_csv))
        .route("/api/v1/report/history", get(api::api_history))
        .route("/api/v1/report/history.csv", get(api::api_history_csv))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(app)
        .layer(RequestBodyLimitLayer::new(MAX_BODY))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            TIMEOUT,
        ))
        .layer(middleware::from_fn(limit_uri))
        .layer(header_layer(header::CONTENT_SECURITY_POLICY, CSP))
        .layer(header_layer(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(header_layer(header::REFERRER_POLICY, "no-referrer"))
        .layer(header_layer(header::X_FRAME_OPTIONS, "DENY"))
        .layer(header_layer(
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ))
}

fn header_layer(name: HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::overriding(name, HeaderValue::from_static(value))
}

/// Serves the app on `listener` until `shutdown` resolves, then stops accepting and lets the
/// requests in flight finish (at most [`DRAIN`]). Each connection is HTTP/1 with a
/// header-read timeout ([`HEADER_TIMEOUT`] unless the app says otherwise; it also closes idle keep-alive connections) and a
/// bounded read buffer ([`MAX_HEADER_BUFFER`]: larger request heads get 431).
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Arc<App>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServerError> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use hyper_util::service::TowerToHyperService;

    let header_timeout = app.header_timeout;
    let router = router(app);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                // Out of file descriptors and the like: back off, keep serving.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(header_timeout)
            .max_buf_size(MAX_HEADER_BUFFER);
        let conn = builder.serve_connection(
            TokioIo::new(stream),
            TowerToHyperService::new(router.clone()),
        );
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            // A connection's errors (a reset, a malformed request hyper answered) are its own.
            let _ = conn.await;
        });
    }
    drop(listener);
    let _ = tokio::time::timeout(DRAIN, graceful.shutdown()).await;
    Ok(())
}

/// Resolves on SIGINT (Ctrl-C) or, on Unix, SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

/// What `garrison serve` is given.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The store's URL (`None`: the default SQLite file); it must exist.
    pub database: Option<String>,
    /// Where to listen.
    pub bind: SocketAddr,
    /// The public URL of the site (default `http://BIND`).
    pub public_url: Option<String>,
}

/// Opens the store, binds, calls `on_listening` with the bound address, and serves until
/// SIGINT/SIGTERM on a runtime of its own (the CLI stays synchronous).
pub fn serve_blocking(
    opts: &ServeOptions,
    on_listening: impl FnOnce(SocketAddr),
) -> Result<(), ServerError> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        let data = Data::open(opts.database.as_deref()).await?;
        let listener = tokio::net::TcpListener::bind(opts.bind).await?;
        let addr = listener.local_addr()?;
        let base = opts
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{addr}"));
        let app = Arc::new(App::new(data, &base)?);
        on_listening(addr);
        serve(listener, app, shutdown_signal()).await
    })
}

async fn limit_uri(req: Request, next: Next) -> Response {
    if req.uri().to_string().len() > MAX_URI {
        return error_page(
            StatusCode::URI_TOO_LONG,
            "The requested address is too long.",
        );
    }
    next.run(req).await
}

fn error_page(status: StatusCode, message: &str) -> Response {
    let page = pages::ErrorPage {
        status: status.as_u16(),
        title: status.canonical_reason().unwrap_or("Error").to_string(),
        message: message.to_string(),
    };
    let body = page.render().unwrap_or_else(|_| message.to_string());
    (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}

async fn not_found() -> Response {
    error_page(StatusCode::NOT_FOUND, "There is no page at this address.")
}

async fn method_not_allowed() -> Response {
    let mut r = error_page(
        StatusCode::METHOD_NOT_ALLOWED,
        "This site is read-only: only GET and HEAD requests are served.",
    );
    r.headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
    r
}

fn bad_path(_: PathRejection) -> Response {
    error_page(StatusCode::BAD_REQUEST, "The address could not be read.")
}

#[allow(clippy::print_stderr)] // the server's one log line: a failure the client cannot see
fn server_error(e: &ServerError) -> Response {
    eprintln!("garrison serve: {e}");
    error_page(
        StatusCode::SERVICE_UNAVAILABLE,
        "The data could not be read; try again shortly.",
    )
}

fn etag(generation: i64) -> String {
    format!("\"g{generation}-{}\"", env!("CARGO_PKG_VERSION"))
}

fn matches_etag(headers: &HeaderMap, tag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim())
        .any(|t| t == "*" || t.strip_prefix("W/").unwrap_or(t) == tag)
}

fn respond(r: &Rendered, tag: &str) -> Response {
    let mut res = Response::new(Body::from(r.body.clone()));
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(r.content_type),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(r.cache_control),
    );
    if let Ok(v) = HeaderValue::from_str(tag) {
        h.insert(header::ETAG, v);
    }
    res
}

fn not_modified(tag: &str, cache_control: &'static str) -> Response {
    let mut res = StatusCode::NOT_MODIFIED.into_response();
    if let Ok(v) = HeaderValue::from_str(tag) {
        res.headers_mut().insert(header::ETAG, v);
    }
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(cache_control),
    );
    res
}

const HTML: &str = "text/html; charset=utf-8";
const PAGE_CACHE: &str = "public, max-age=60";
const BADGE_CACHE: &str = "public, max-age=300";

/// Answers from the cache of the current generation, or renders (`Ok(None)`: 404 with
/// `missing`) and caches.
async fn cached<F, Fut>(
    app: &App,
    headers: &HeaderMap,
    key: String,
    cache_control: &'static str,
    missing: &str,
    render: F,
) -> Response
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<Option<(&'static str, Vec<u8>)>, ServerError>>,
{
    let generation = match app.data.generation().await {
        Ok(g) => g,
        Err(e) => return server_error(&e),
    };
    app.at_generation(generation);
    let tag = etag(generation);
    let hit = app.cache().responses.get(&key).cloned();
    if let Some(r) = hit {
        if matches_etag(headers, &tag) {
            return not_modified(&tag, r.cache_control);
        }
        return respond(&r, &tag);
    }
    match render().await {
        Ok(Some((content_type, body))) => {
            let r = Arc::new(Rendered {
                content_type,
                cache_control,
                body: body.into(),
            });
            {
                let mut c = app.cache();
                if c.generation == Some(generation) && r.body.len() <= MAX_CACHED_BODY {
                    if c.responses.len() >= CACHE_ENTRIES {
                        c.responses.clear();
                    }
                    c.responses.insert(key, r.clone());
                }
            }
            if matches_etag(headers, &tag) {
                return not_modified(&tag, cache_control);
            }
            respond(&r, &tag)
        }
        Ok(None) => error_page(StatusCode::NOT_FOUND, missing),
        Err(e) => server_error(&e),
    }
}

fn html(t: &impl Template) -> Result<Option<(&'static str, Vec<u8>)>, ServerError> {
    Ok(Some((HTML, t.render()?.into_bytes())))
}
