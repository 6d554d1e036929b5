//! The ecosystem platform's web app (`garrison serve`): the public SPEC adoption dashboard
//! (overview per SPEC, project pages, item pages), verified SVG badges, and the JSON / CSV
//! report under `/api/v1`, all read from the store. Server-rendered HTML (askama), no
//! JavaScript; strict security headers; responses cached per store generation (the store's
//! write counter) and revalidated with ETags.
//!
//! Layering: handlers read the store ([`data`]), arrange the rows into views ([`pages`]) and
//! render them; verdicts and adoption were computed by the fleet when the snapshot was stored.

pub mod badge;
pub mod chart;
pub mod data;
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
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use garrison_fleet::{Item, SpecMeta};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;

use crate::badge::badge;
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
        .route("/", get(overview))
        .route("/projects/{name}", get(project))
        .route("/items/{spec}/{name}", get(item))
        .route("/badge/{project}/{file}", get(badge_svg))
        .route("/static/{file}", get(asset))
        .route("/favicon.ico", get(favicon))
        .route("/api/v1/report", get(api_report))
        .route("/api/v1/report.csv", get(api_report_csv))
        .route("/api/v1/report/history", get(api_history))
        .route("/api/v1/report/history.csv", get(api_history_csv))
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

async fn overview(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    let a = app.clone();
    cached(&app, &headers, "/".into(), PAGE_CACHE, "", || async move {
        let projects = a.data.projects().await?;
        let latest = a.latest().await?;
        let mut adoption = Vec::new();
        for s in &a.specs {
            adoption.push((s.number, a.data.adoption_by_month(s.number).await?));
        }
        html(&pages::overview(
            &a.specs, &a.items, &projects, &latest, &adoption,
        ))
    })
    .await
}

async fn project(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    name: Result<Path<String>, PathRejection>,
) -> Response {
    let Path(name) = match name {
        Ok(n) => n,
        Err(e) => return bad_path(e),
    };
    let a = app.clone();
    let key = format!("project\0{name}");
    cached(
        &app,
        &headers,
        key,
        PAGE_CACHE,
        "There is no project of that name.",
        || async move {
            let projects = a.data.projects().await?;
            let Some(p) = projects.iter().find(|p| p.name == name) else {
                return Ok(None);
            };
            let scan = a.data.latest_for(&name).await?;
            let timeline = a.data.timeline(&name).await?;
            html(&pages::project(
                &a.specs,
                &a.items,
                p,
                scan.as_ref(),
                &timeline,
                &a.base,
            ))
        },
    )
    .await
}

async fn item(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Response {
    let Path((spec, name)) = match path {
        Ok(n) => n,
        Err(e) => return bad_path(e),
    };
    let id = format!("{spec}/{name}");
    let Some(i) = app.items.iter().find(|i| i.id == id).cloned() else {
        return error_page(StatusCode::NOT_FOUND, "There is no SPEC item with that id.");
    };
    let a = app.clone();
    cached(
        &app,
        &headers,
        format!("item\0{id}"),
        PAGE_CACHE,
        "",
        || async move {
            let projects = a.data.projects().await?;
            let latest = a.latest().await?;
            html(&pages::item(&i, &projects, &latest))
        },
    )
    .await
}

async fn badge_svg(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Response {
    let Path((name, file)) = match path {
        Ok(n) => n,
        Err(e) => return bad_path(e),
    };
    let spec = file
        .strip_prefix("spec")
        .and_then(|f| f.strip_suffix(".svg"))
        .filter(|n| !n.is_empty() && n.len() <= 4 && n.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|n| n.parse::<u32>().ok())
        .filter(|n| app.specs.iter().any(|s| s.number == *n));
    let Some(spec) = spec else {
        return error_page(
            StatusCode::NOT_FOUND,
            "Badges exist for the SPECs Garrison evaluates: spec6.svg and spec8.svg.",
        );
    };
    let a = app.clone();
    cached(
        &app,
        &headers,
        format!("badge\0{name}\0{spec}"),
        BADGE_CACHE,
        "There is no project of that name.",
        || async move {
            if !a.data.projects().await?.iter().any(|p| p.name == name) {
                return Ok(None);
            }
            let scan = a.data.latest_for(&name).await?;
            let svg = badge(spec, pages::badge_state(scan.as_ref(), spec));
            Ok(Some(("image/svg+xml", svg.into_bytes())))
        },
    )
    .await
}

/// Browsers ask for `/favicon.ico` where no icon is linked (an SVG badge opened on its own):
/// the site's SVG icon, so no request ends in a 404.
async fn favicon(headers: HeaderMap) -> Response {
    asset(headers, Ok(Path("favicon.svg".to_string()))).await
}

#[derive(rust_embed::Embed)]
#[folder = "assets/"]
struct Assets;

async fn asset(headers: HeaderMap, file: Result<Path<String>, PathRejection>) -> Response {
    let Ok(Path(file)) = file else {
        return not_found().await;
    };
    let Some(f) = Assets::get(&file) else {
        return not_found().await;
    };
    let content_type = if file.ends_with(".css") {
        "text/css; charset=utf-8"
    } else if file.ends_with(".svg") {
        "image/svg+xml"
    } else {
        "application/octet-stream"
    };
    let hash = f.metadata.sha256_hash();
    let tag = format!(
        "\"{}\"",
        hash.iter()
            .take(12)
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    );
    let cache_control = "public, max-age=86400";
    if matches_etag(&headers, &tag) {
        return not_modified(&tag, cache_control);
    }
    respond(
        &Rendered {
            content_type,
            cache_control,
            body: axum::body::Bytes::from(f.data.into_owned()),
        },
        &tag,
    )
}

const JSON_TYPE: &str = "application/json";
const CSV_TYPE: &str = "text/csv; charset=utf-8";

/// `/api/v1/report` (`.csv`): the document `garrison ecosystem report` prints.
async fn report(app: Arc<App>, headers: HeaderMap, csv: bool) -> Response {
    let _bulk = app.bulk.acquire().await;
    let a = app.clone();
    let key = format!("report\0{csv}");
    let mut res = cached(&app, &headers, key, PAGE_CACHE, "", || async move {
        let r = garrison_fleet::report::latest(a.data.store(), &a.items).await?;
        Ok(Some(if csv {
            (CSV_TYPE, r.csv().into_bytes())
        } else {
            (JSON_TYPE, r.json().into_bytes())
        }))
    })
    .await;
    if csv {
        attachment(&mut res, "garrison-report.csv");
    }
    res
}

/// `/api/v1/report/history` (`.csv`): the monthly timeline document, of every project or, with
/// `?project=NAME`, of one.
async fn history(app: Arc<App>, headers: HeaderMap, csv: bool, query: HistoryQuery) -> Response {
    let a = app.clone();
    let project = query.project;
    // The whole ecosystem's timeline is large (1,000 projects × 60 months is ~1M rows): one
    // is built at a time, and the requests that waited get the cached one.
    let _bulk = match &project {
        None => Some(app.bulk.acquire().await),
        Some(_) => None,
    };
    let key = format!("history\0{csv}\0{}", project.as_deref().unwrap_or("\0"));
    let mut res = cached(
        &app,
        &headers,
        key,
        PAGE_CACHE,
        "There is no project of that name.",
        || async move {
            if let Some(p) = &project
                && !a.data.projects().await?.iter().any(|x| &x.name == p)
            {
                return Ok(None);
            }
            let body = match &project {
                Some(p) => {
                    let h = garrison_fleet::report::history(a.data.store(), Some(p)).await?;
                    if csv { h.csv() } else { h.json() }.into_bytes()
                }
                None => whole_history(a.data.store(), csv).await?,
            };
            Ok(Some((if csv { CSV_TYPE } else { JSON_TYPE }, body)))
        },
    )
    .await;
    if csv {
        attachment(&mut res, "garrison-history.csv");
    }
    res
}

/// The whole ecosystem's history document, byte for byte what
/// `garrison_fleet::report::history(store, None)` renders, built one project at a time: the
/// all-projects document materialises every timeline row at once (about 1 GB of memory for
/// 1,000 projects × 60 months), this keeps one project's rows and the output.
async fn whole_history(store: &garrison_store::Store, csv: bool) -> Result<Vec<u8>, ServerError> {
    use garrison_fleet::report::{History, VERSION, history};
    let mut out = Vec::new();
    let mut first = true;
    for p in store.projects().await? {
        let h = history(store, Some(&p.name)).await?;
        if csv {
            let text = h.csv();
            let rows = if first {
                text.as_str()
            } else {
                text.split_once('\n').map_or("", |(_, rows)| rows)
            };
            if !h.projects.is_empty() {
                out.extend_from_slice(rows.as_bytes());
                first = false;
            }
            continue;
        }
        for one in &h.projects {
            if first {
                out.extend_from_slice(
                    format!("{{\n  \"version\": {VERSION},\n  \"projects\": [\n").as_bytes(),
                );
            } else {
                out.extend_from_slice(b",\n");
            }
            first = false;
            let text = serde_json::to_string_pretty(one).unwrap_or_default();
            for (i, line) in text.lines().enumerate() {
                if i > 0 {
                    out.push(b'\n');
                }
                out.extend_from_slice(b"    ");
                out.extend_from_slice(line.as_bytes());
            }
        }
    }
    if first {
        let empty = History {
            version: VERSION,
            projects: Vec::new(),
        };
        return Ok(if csv { empty.csv() } else { empty.json() }.into_bytes());
    }
    if !csv {
        out.extend_from_slice(b"\n  ]\n}\n");
    }
    Ok(out)
}

/// The query of the history documents.
#[derive(Debug, Default, serde::Deserialize)]
struct HistoryQuery {
    /// One project's timeline only.
    project: Option<String>,
}

fn bad_query() -> Response {
    error_page(
        StatusCode::BAD_REQUEST,
        "The query could not be read: the only parameter is project=NAME.",
    )
}

fn attachment(res: &mut Response, name: &'static str) {
    if res.status() == StatusCode::OK {
        let v = format!("attachment; filename=\"{name}\"");
        if let Ok(v) = HeaderValue::from_str(&v) {
            res.headers_mut().insert(header::CONTENT_DISPOSITION, v);
        }
    }
}

async fn api_report(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    report(app, headers, false).await
}

async fn api_report_csv(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    report(app, headers, true).await
}

async fn api_history(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    q: Result<Query<HistoryQuery>, QueryRejection>,
) -> Response {
    match q {
        Ok(Query(q)) => history(app, headers, false, q).await,
        Err(_) => bad_query(),
    }
}

async fn api_history_csv(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    q: Result<Query<HistoryQuery>, QueryRejection>,
) -> Response {
    match q {
        Ok(Query(q)) => history(app, headers, true, q).await,
        Err(_) => bad_query(),
    }
}
