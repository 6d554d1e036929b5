//! The web app over HTTP, without a browser: every page's status and headers, 404s for what
//! does not exist, 4xx for malformed and oversized requests, ETag revalidation that follows
//! the store's writes, badges that parse as SVG.

#![allow(clippy::unwrap_used)]

mod support;

use std::io::{Read as _, Write as _};
use std::net::TcpStream;

use garrison_server::CSP;
use support::{ODD, Server};

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

struct Got {
    status: u16,
    headers: ureq::http::HeaderMap,
    body: String,
}

fn get(url: &str, headers: &[(&str, &str)]) -> Got {
    let mut req = agent().get(url);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let mut r = req.call().unwrap();
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let body = r.body_mut().read_to_string().unwrap_or_default();
    Got {
        status,
        headers,
        body,
    }
}

fn header<'a>(g: &'a Got, name: &str) -> &'a str {
    g.headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// Sends raw bytes and returns the response's status line.
fn raw(base: &str, request: &[u8]) -> String {
    let addr = base.trim_start_matches("http://");
    let mut s = TcpStream::connect(addr).unwrap();
    let _ = s.write_all(request);
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    String::from_utf8_lossy(&buf)
        .lines()
        .next()
        .unwrap_or("")
        .to_string()
}

fn assert_security_headers(g: &Got, what: &str) {
    assert_eq!(header(g, "content-security-policy"), CSP, "{what}");
    assert!(!CSP.contains("script-src") && CSP.contains("default-src 'none'"));
    assert_eq!(header(g, "x-content-type-options"), "nosniff", "{what}");
    assert_eq!(header(g, "referrer-policy"), "no-referrer", "{what}");
    assert_eq!(header(g, "x-frame-options"), "DENY", "{what}");
}

#[test]
fn pages_render_with_security_and_caching_headers() {
    let s = Server::start();
    for (path, needle) in [
        ("/", "Security SPEC adoption"),
        ("/projects/numpy", "<h1>numpy</h1>"),
        ("/projects/broken", "The last scan failed"),
        (
            "/items/spec8/actions-pinned-sha",
            "<a href=\"/projects/broken\">broken</a></th><td class=\"status-error\">scan failed</td>",
        ),
        ("/projects/never-scanned", "has not been scanned yet"),
        (
            "/items/spec8/actions-pinned-sha",
            "<h1>spec8/actions-pinned-sha</h1>",
        ),
        ("/static/style.css", "svg.chart"),
    ] {
        let g = get(&s.url_of(path), &[]);
        assert_eq!(g.status, 200, "{path}: {}", g.body);
        assert!(g.body.contains(needle), "{path} lacks {needle}");
        assert_security_headers(&g, path);
        assert!(
            header(&g, "cache-control").starts_with("public, max-age="),
            "{path}"
        );
        assert!(header(&g, "etag").starts_with('"'), "{path}");
        assert!(!g.body.contains("<script"), "{path} has a script");
        if path != "/static/style.css" {
            assert_eq!(header(&g, "content-type"), "text/html; charset=utf-8");
            assert!(
                !g.body.contains(" style="),
                "{path}: inline style breaks the CSP"
            );
        }
    }
    // Hostile text from the store is escaped, and its project page is reachable by its link.
    let home = get(&s.url_of("/"), &[]).body;
    assert!(
        !home.contains("odd <name>") && home.contains("odd &#60;name&#62;")
            || home.contains("odd &lt;name&gt;"),
        "{home}"
    );
    assert!(home.contains("/projects/odd%20%3Cname%3E%20%26%20%22co%22"));
    let odd = get(
        &s.url_of("/projects/odd%20%3Cname%3E%20%26%20%22co%22"),
        &[],
    );
    assert_eq!(odd.status, 200);
    assert!(!odd.body.contains("<name>"));
    // Evidence links to file:line at the scanned commit on GitHub, never for a local path.
    let numpy = get(&s.url_of("/projects/numpy"), &[]).body;
    let astropy = get(&s.url_of("/projects/astropy"), &[]).body;
    assert!(
        astropy.contains(&format!(
            "https://github.com/astropy/astropy/blob/{}/.github/workflows/release.yml#L34",
            support::COMMIT
        )),
        "{astropy}"
    );
    assert!(
        !numpy.contains("<td class=\"status-fails\">fails</td>"),
        "numpy fixed everything"
    );
    assert!(astropy.contains("<td class=\"status-fails\">fails</td>"));
    // The timeline shows numpy's past failures month by month.
    assert!(numpy.contains("<th scope=\"row\">2024-01</th>") && numpy.contains(">F</td>"));
    assert!(
        !odd.body.contains("/blob/"),
        "a local repository has no web links"
    );
}

#[test]
fn etag_revalidates_until_the_store_changes() {
    let s = Server::start();
    let first = get(&s.url_of("/projects/networkx"), &[]);
    let tag = header(&first, "etag").to_string();
    assert!(!tag.is_empty());
    let again = get(&s.url_of("/projects/networkx"), &[("If-None-Match", &tag)]);
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
    let weak = format!("W/{tag}");
    assert_eq!(get(&s.url_of("/"), &[("If-None-Match", &weak)]).status, 304);
    // A write (a new scan of networkx with an error) changes the generation, the tag and the page.
    s.with_store(async |store| {
        store
            .record_snapshot(&support::scan(
                "networkx",
                Vec::new(),
                Vec::new(),
                Vec::new(),
                Some("fixture: fetch failed".into()),
            ))
            .await
            .unwrap();
    });
    let after = get(&s.url_of("/projects/networkx"), &[("If-None-Match", &tag)]);
    assert_eq!(after.status, 200);
    assert_ne!(header(&after, "etag"), tag);
    assert!(after.body.contains("fixture: fetch failed"));
}

#[test]
fn what_does_not_exist_is_a_404_page_and_bad_paths_are_4xx() {
    let s = Server::start();
    for path in [
        "/nope",
        "/projects/nope",
        "/projects/",
        "/projects/numpy/extra",
        "/items/spec8/nope",
        "/items/spec8",
        "/items/spec9/actions-pinned-sha",
        "/badge/numpy/spec7.svg",
        "/badge/numpy/spec8.png",
        "/badge/numpy/spec99999999999999999999.svg",
        "/badge/nope/spec8.svg",
        "/static/nope.css",
        "/static/..%2FCargo.toml",
        "/projects/%00",
        "/projects/numpy%2F..",
    ] {
        let g = get(&s.url_of(path), &[]);
        assert_eq!(g.status, 404, "{path}");
        assert!(g.body.contains("404"), "{path}: {}", g.body);
        assert_eq!(header(&g, "cache-control"), "no-store", "{path}");
        assert_security_headers(&g, path);
    }
    // A path that is not UTF-8 once decoded.
    assert_eq!(get(&s.url_of("/projects/%FF%FE"), &[]).status, 400);
    // Only GET/HEAD.
    let post = raw(
        &s.base,
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi",
    );
    assert!(post.contains(" 405 "), "{post}");
    let head = raw(
        &s.base,
        b"HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert!(head.contains(" 200 "), "{head}");
}

#[test]
fn oversized_and_malformed_requests_get_4xx_and_the_server_keeps_serving() {
    let s = Server::start();
    let long = format!("/projects/{}", "a".repeat(garrison_server::MAX_URI + 10));
    assert_eq!(get(&s.url_of(&long), &[]).status, 414);
    let big = raw(
        &s.base,
        format!(
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            garrison_server::MAX_BODY * 64
        )
        .as_bytes(),
    );
    assert!(big.contains(" 413 "), "{big}");
    let garbage = raw(&s.base, b"\x00\x01GARBAGE \xff\r\n\r\n");
    assert!(garbage.contains(" 400 "), "{garbage}");
    let huge_header = raw(
        &s.base,
        format!(
            "GET / HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\nConnection: close\r\n\r\n",
            "b".repeat(1 << 20)
        )
        .as_bytes(),
    );
    assert!(huge_header.contains(" 431 "), "{huge_header}");
    let bad_version = raw(&s.base, b"GET / HTTP/9.9\r\nHost: x\r\n\r\n");
    assert!(bad_version.contains(" 400 "), "{bad_version}");
    // A client that never finishes its request head is cut off (the fixture server's
    // header-read timeout is 1 s; the socket's own 60 s read timeout only keeps a broken
    // server from hanging the test).
    let addr = s.base.trim_start_matches("http://");
    let mut slow = TcpStream::connect(addr).unwrap();
    slow.set_read_timeout(Some(std::time::Duration::from_secs(60)))
        .unwrap();
    slow.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .unwrap();
    let mut buf = Vec::new();
    let closed = slow.read_to_end(&mut buf);
    assert!(
        closed.is_ok(),
        "the server kept a stalled connection open: {closed:?}"
    );
    // Still serving.
    assert_eq!(get(&s.url_of("/"), &[]).status, 200);
}

fn badge_texts(svg: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(svg).unwrap();
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://www.w3.org/2000/svg")
    );
    assert!(
        root.attribute("width")
            .is_some_and(|w| w.parse::<u32>().is_ok())
    );
    root.descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text().map(str::to_string))
        .collect()
}

#[test]
fn badges_are_valid_svg_with_the_stored_verdict() {
    let s = Server::start();
    let expected = s.with_store(async |store| {
        let mut out = Vec::new();
        for p in ["numpy", "astropy", "broken", "never-scanned", ODD] {
            let snap = store.latest_for(p).await.unwrap();
            out.push((p, snap));
        }
        out
    });
    for (project, snap) in expected {
        for spec in [6u32, 8] {
            let path = format!(
                "/badge/{}/spec{spec}.svg",
                garrison_server::pages::segment(project)
            );
            let g = get(&s.url_of(&path), &[]);
            assert_eq!(g.status, 200, "{path}");
            assert_eq!(header(&g, "content-type"), "image/svg+xml");
            assert_security_headers(&g, &path);
            let texts = badge_texts(&g.body);
            assert!(texts.contains(&format!("SPEC {spec}")), "{path}: {texts:?}");
            let value = match &snap {
                Some(s) if s.error.is_none() => {
                    let of: Vec<_> = s.verdicts.iter().filter(|v| v.spec == spec).collect();
                    let holds = of.iter().filter(|v| v.status == "holds").count();
                    let evaluated = of
                        .iter()
                        .filter(|v| v.status == "holds" || v.status == "fails")
                        .count();
                    if s.adopted.contains(&spec) {
                        "adopted".to_string()
                    } else if evaluated == 0 {
                        "not evaluated".to_string()
                    } else {
                        format!("{holds}/{evaluated} items")
                    }
                }
                _ => "not evaluated".to_string(),
            };
            assert!(texts.contains(&value), "{path}: {texts:?} lacks {value}");
        }
    }
    // The fixtures cover every kind of badge.
    let all: String = ["numpy", "astropy", "broken"]
        .iter()
        .map(|p| get(&s.url_of(&format!("/badge/{p}/spec8.svg")), &[]).body)
        .collect();
    assert!(
        all.contains(">adopted<") && all.contains(" items<") && all.contains(">not evaluated<")
    );
}

#[test]
fn the_api_serves_the_cli_report_documents() {
    let s = Server::start();
    let (report, history) = s.with_store(async |store| {
        let items = garrison_fleet::catalogue().unwrap();
        (
            garrison_fleet::report::latest(store, &items).await.unwrap(),
            garrison_fleet::report::history(store, None).await.unwrap(),
        )
    });
    let g = get(&s.url_of("/api/v1/report"), &[]);
    assert_eq!(g.status, 200);
    assert_eq!(header(&g, "content-type"), "application/json");
    assert_security_headers(&g, "report");
    assert_eq!(g.body, report.json());
    let v: serde_json::Value = serde_json::from_str(&g.body).unwrap();
    assert_eq!(v["version"], 1);
    let projects = v["projects"].as_array().unwrap();
    assert_eq!(projects.len(), support::projects().len());
    let numpy = projects.iter().find(|p| p["name"] == "numpy").unwrap();
    assert_eq!(numpy["core"], true);
    assert_eq!(numpy["endorses"], serde_json::json!([6, 8]));
    assert!(
        numpy["adopted"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!(8))
    );
    let item = &numpy["items"][0];
    for key in ["id", "spec", "status", "evidence"] {
        assert!(item.get(key).is_some(), "{key} in {item}");
    }

    let g = get(&s.url_of("/api/v1/report/history"), &[]);
    assert_eq!(g.status, 200);
    assert_eq!(g.body, history.json());
    let v: serde_json::Value = serde_json::from_str(&g.body).unwrap();
    assert_eq!(v["version"], 1);
    let numpy = v["projects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "numpy")
        .unwrap();
    let months = numpy["timeline"].as_array().unwrap();
    assert_eq!(
        months.len(),
        support::months().len() + 1,
        "24 replayed months and the scan's"
    );
    assert_eq!(months[0]["month"], "2024-01");
    assert!(months[0]["items"]["spec8/actions-pinned-sha"].is_string());

    // One project's timeline.
    let one = s.with_store(async |store| {
        garrison_fleet::report::history(store, Some("astropy"))
            .await
            .unwrap()
    });
    let g = get(&s.url_of("/api/v1/report/history?project=astropy"), &[]);
    assert_eq!(g.status, 200);
    assert_eq!(g.body, one.json());
    assert_eq!(one.projects.len(), 1);
    let g = get(&s.url_of("/api/v1/report/history.csv?project=astropy"), &[]);
    assert_eq!(g.body, one.csv());
    assert_eq!(
        get(&s.url_of("/api/v1/report/history?project=nope"), &[]).status,
        404
    );
    assert_eq!(
        get(&s.url_of("/api/v1/report/history?project=a&project=b"), &[]).status,
        400
    );

    for (path, doc, name) in [
        ("/api/v1/report.csv", report.csv(), "garrison-report.csv"),
        (
            "/api/v1/report/history.csv",
            history.csv(),
            "garrison-history.csv",
        ),
    ] {
        let g = get(&s.url_of(path), &[]);
        assert_eq!(g.status, 200, "{path}");
        assert_eq!(header(&g, "content-type"), "text/csv; charset=utf-8");
        assert!(header(&g, "content-disposition").contains(name));
        assert_eq!(g.body, doc, "{path}");
        assert!(g.body.lines().count() > support::projects().len());
    }
}

/// The same pages and documents from a PostgreSQL store.
#[test]
fn pages_and_api_on_postgresql() {
    let Some(s) = Server::start_postgres() else {
        return;
    };
    let report = s.with_store(async |store| {
        assert_eq!(store.backend(), garrison_store::Backend::Postgres);
        garrison_fleet::report::latest(store, &garrison_fleet::catalogue().unwrap())
            .await
            .unwrap()
    });
    for path in [
        "/",
        "/projects/numpy",
        "/projects/astropy",
        "/items/spec8/actions-pinned-sha",
        "/badge/numpy/spec8.svg",
        "/api/v1/report/history",
    ] {
        let g = get(&s.url_of(path), &[]);
        assert_eq!(g.status, 200, "{path}: {}", g.body);
        assert_security_headers(&g, path);
    }
    assert_eq!(get(&s.url_of("/api/v1/report"), &[]).body, report.json());
    assert!(
        get(&s.url_of("/badge/numpy/spec8.svg"), &[])
            .body
            .contains(">adopted<")
    );
    let home = get(&s.url_of("/"), &[]);
    let tag = header(&home, "etag").to_string();
    assert_eq!(get(&s.url_of("/"), &[("If-None-Match", &tag)]).status, 304);
    assert_eq!(get(&s.url_of("/projects/nope"), &[]).status, 404);
}
