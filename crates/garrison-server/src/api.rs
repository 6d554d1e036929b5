//! `/api/v1`: the report documents of garrison-fleet (`garrison ecosystem report`'s), as
//! JSON and CSV downloads.

use std::sync::Arc;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;

use crate::{App, PAGE_CACHE, ServerError, cached, error_page};

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
pub(crate) struct HistoryQuery {
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

pub(crate) async fn api_report(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    report(app, headers, false).await
}

pub(crate) async fn api_report_csv(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    report(app, headers, true).await
}

pub(crate) async fn api_history(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    q: Result<Query<HistoryQuery>, QueryRejection>,
) -> Response {
    match q {
        Ok(Query(q)) => history(app, headers, false, q).await,
        Err(_) => bad_query(),
    }
}

pub(crate) async fn api_history_csv(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    q: Result<Query<HistoryQuery>, QueryRejection>,
) -> Response {
    match q {
        Ok(Query(q)) => history(app, headers, true, q).await,
        Err(_) => bad_query(),
    }
}
