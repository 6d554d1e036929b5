//! The HTML pages' handlers (overview, project, item), the badge and the static files: each
//! reads the store through the app's cache and renders.

use std::sync::Arc;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use crate::badge::badge;
use crate::{
    App, BADGE_CACHE, PAGE_CACHE, Rendered, bad_path, cached, error_page, html, matches_etag,
    not_found, not_modified, pages, respond,
};

pub(crate) async fn overview(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
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

pub(crate) async fn project(
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

pub(crate) async fn item(
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

pub(crate) async fn badge_svg(
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
pub(crate) async fn favicon(headers: HeaderMap) -> Response {
    asset(headers, Ok(Path("favicon.svg".to_string()))).await
}

#[derive(rust_embed::Embed)]
#[folder = "assets/"]
struct Assets;

pub(crate) async fn asset(
    headers: HeaderMap,
    file: Result<Path<String>, PathRejection>,
) -> Response {
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
