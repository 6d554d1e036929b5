//! The web app in a real browser: Debian's chromium, headless, driven through chromedriver
//! (WebDriver) against the server on 127.0.0.1 over a fixture store. Pages render with the
//! style sheet under the CSP and without console errors, every chart shows the stored numbers
//! (and draws them in order against its targets), links work when followed, the badge is an
//! SVG document. Screenshots go to `target/screenshots/` for review.
//!
//! Needs `/usr/bin/chromedriver` and `/usr/bin/chromium` (Debian's chromium-driver and
//! chromium; `GARRISON_CHROMEDRIVER` / `GARRISON_CHROMIUM` name others): skipped with a
//! message when missing, a failure under `CI`.

#![allow(clippy::unwrap_used)]

mod support;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use garrison_fleet::report::Report;
use serde_json::{Value, json};
use support::Server;

fn program(var: &str, default: &str) -> PathBuf {
    std::env::var_os(var)
        .filter(|v| !v.is_empty())
        .map_or_else(|| PathBuf::from(default), PathBuf::from)
}

/// A chromedriver process on a free port of 127.0.0.1; killed on drop.
struct Driver {
    child: Child,
    url: String,
}

impl Driver {
    fn start(exe: &Path) -> Driver {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(exe)
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let url = format!("http://127.0.0.1:{port}");
        let status = format!("{url}/status");
        // Wait until it answers (a readiness wait, not a timing assertion).
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let ready = ureq::get(&status)
                .call()
                .ok()
                .and_then(|mut r| r.body_mut().read_to_string().ok())
                .and_then(|b| serde_json::from_str::<Value>(&b).ok())
                .is_some_and(|v| v["value"]["ready"] == true);
            if ready {
                break;
            }
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        Driver { child, url }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// ChromeDriver's "get log" command: the browser console's entries since the last call.
#[derive(Debug)]
struct BrowserLog;

impl WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/se/log",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (axum::http::Method, Option<String>) {
        (
            axum::http::Method::POST,
            Some(json!({"type": "browser"}).to_string()),
        )
    }
}

/// The console's errors since the last call.
async fn console_errors(c: &Client) -> Vec<String> {
    let v = c.issue_cmd(BrowserLog).await.unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .filter(|e| e["level"] == "SEVERE" || e["level"] == "WARNING")
        .map(|e| e["message"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn screenshots() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"),
        PathBuf::from,
    );
    let dir = target.join("screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn shot(c: &Client, name: &str) {
    let png = c.screenshot().await.unwrap();
    assert!(png.starts_with(b"\x89PNG"), "{name} is not a PNG");
    std::fs::write(screenshots().join(format!("{name}.png")), png).unwrap();
}

async fn js(c: &Client, script: &str) -> Value {
    c.execute(script, Vec::new()).await.unwrap()
}

async fn text(c: &Client, css: &str) -> String {
    c.find(Locator::Css(css))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// Navigates and checks the page rendered cleanly: a title, one `main`, the style sheet
/// applied (so the CSP lets it in), no console error.
async fn visit(c: &Client, url: &str, name: &str) {
    c.goto(url).await.unwrap();
    assert_clean(c, name).await;
}

async fn assert_clean(c: &Client, name: &str) {
    let title = c.title().await.unwrap();
    assert!(title.ends_with("· Garrison"), "{name}: title {title}");
    assert_eq!(
        js(c, "return document.querySelectorAll('main').length").await,
        1
    );
    // The skip link is positioned off-screen by the style sheet only.
    assert_eq!(
        js(
            c,
            "return getComputedStyle(document.querySelector('a.skip')).position"
        )
        .await,
        "absolute",
        "{name}: style sheet not applied"
    );
    let errors = console_errors(c).await;
    assert!(errors.is_empty(), "{name}: console: {errors:?}");
    // Accessibility basics: language, one h1 and no skipped heading level, landmarks, every
    // image with alt text, every chart an image with a name, every table with a caption and
    // scoped header cells, every link with text.
    let problems = js(
        c,
        r#"const p = [];
        if (document.documentElement.lang !== 'en') p.push('lang');
        if (document.querySelectorAll('h1').length !== 1) p.push('h1 count');
        let last = 0;
        for (const h of document.querySelectorAll('h1, h2, h3, h4, h5, h6')) {
            const n = Number(h.tagName[1]);
            if (n > last + 1) p.push('heading jumps to ' + h.tagName + ': ' + h.textContent);
            last = n;
        }
        for (const l of ['header', 'nav', 'main', 'footer'])
            if (!document.querySelector(l)) p.push('no ' + l);
        for (const i of document.querySelectorAll('img'))
            if (!i.getAttribute('alt')) p.push('img without alt: ' + i.src);
        for (const s of document.querySelectorAll('svg.chart')) {
            if (s.getAttribute('role') !== 'img') p.push('chart role: ' + s.id);
            const ids = (s.getAttribute('aria-labelledby') || '').split(' ').filter(x => x);
            if (!ids.length || !ids.every(id => (document.getElementById(id) || {}).textContent))
                p.push('chart name: ' + s.id);
        }
        for (const t of document.querySelectorAll('table')) {
            if (!t.querySelector('caption')) p.push('table without caption');
            for (const th of t.querySelectorAll('th'))
                if (!['col', 'row'].includes(th.getAttribute('scope'))) p.push('th without scope: ' + th.textContent);
        }
        for (const a of document.querySelectorAll('a'))
            if (!a.textContent.trim() && !a.querySelector('img[alt]')) p.push('empty link: ' + a.href);
        return p;"#,
    )
    .await;
    assert_eq!(problems, json!([]), "{name}: accessibility");
    shot(c, name).await;
}

/// What the store says, read before the browser runs.
struct Expected {
    report: Report,
    /// Stored adoption per month of SPEC 8 and SPEC 6.
    adoption: Vec<(u32, Vec<(String, u64)>)>,
}

fn expected(s: &Server) -> Expected {
    s.with_store(async |store| {
        let report = garrison_fleet::report::latest(store, &garrison_fleet::catalogue().unwrap())
            .await
            .unwrap();
        let mut adoption = Vec::new();
        for spec in [8u32, 6] {
            let points = store
                .adoption_by_month(spec)
                .await
                .unwrap()
                .into_iter()
                .map(|(m, c)| (m, u64::try_from(c).unwrap()))
                .collect();
            adoption.push((spec, points));
        }
        Expected { report, adoption }
    })
}

/// The overview's charts show the stored monthly adoption: every point's month and count, in
/// the same order as the data table, drawn higher for larger counts and on the right side of
/// each target line.
async fn check_overview(c: &Client, e: &Expected) {
    let report = &e.report;
    for (spec, stored) in &e.adoption {
        let (spec, stored) = (*spec, stored.clone());
        assert!(stored.len() >= 24, "fixture months");
        assert!(stored.iter().any(|p| p.1 > 0), "fixtures adopt SPEC {spec}");
        let points = js(
            c,
            &format!(
                "return Array.from(document.querySelectorAll('#adoption-spec{spec} circle.point')).map(p => {{
                    const r = p.getBoundingClientRect();
                    return [p.dataset.month, Number(p.dataset.count), r.top + r.height / 2, p.querySelector('title').textContent];
                }})"
            ),
        )
        .await;
        let points = points.as_array().unwrap();
        let shown: Vec<(String, u64)> = points
            .iter()
            .map(|p| (p[0].as_str().unwrap().to_string(), p[1].as_u64().unwrap()))
            .collect();
        assert_eq!(shown, stored, "SPEC {spec} chart");
        for p in points {
            assert_eq!(
                p[3].as_str().unwrap(),
                format!("{}: {}", p[0].as_str().unwrap(), p[1])
            );
        }
        // Larger counts are drawn higher (smaller y).
        for a in points {
            for b in points {
                if a[1].as_u64() > b[1].as_u64() {
                    assert!(a[2].as_f64() < b[2].as_f64(), "SPEC {spec}: {a} vs {b}");
                }
            }
        }
        // Points above a target's count lie above its line.
        let targets = js(
            c,
            &format!(
                "return Array.from(document.querySelectorAll('#adoption-spec{spec} .target')).map(t => {{
                    const r = t.querySelector('line').getBoundingClientRect();
                    return [Number(t.dataset.target), r.top + r.height / 2];
                }})"
            ),
        )
        .await;
        let targets = targets.as_array().unwrap();
        assert_eq!(
            targets
                .iter()
                .map(|t| t[0].as_u64().unwrap())
                .collect::<Vec<_>>(),
            vec![3, 7]
        );
        for t in targets {
            for p in points {
                let (count, y, ty) = (p[1].as_u64(), p[2].as_f64(), t[1].as_f64());
                if count > t[0].as_u64() {
                    assert!(y < ty, "SPEC {spec}: {p} not above target {t}");
                } else if count < t[0].as_u64() {
                    assert!(y > ty, "SPEC {spec}: {p} not below target {t}");
                }
            }
        }
        // The table alternative has the same numbers.
        let rows = js(
            c,
            &format!(
                "return Array.from(document.querySelectorAll('#adoption-spec{spec}-table tbody tr')).map(r => [r.children[0].textContent, Number(r.children[1].textContent)])"
            ),
        )
        .await;
        let rows: Vec<(String, u64)> = rows
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r[0].as_str().unwrap().to_string(), r[1].as_u64().unwrap()))
            .collect();
        assert_eq!(rows, stored, "SPEC {spec} table");
        // Endorsements and current adoption, as stored.
        let endorsers = support::projects()
            .iter()
            .filter(|p| p.core && p.endorses.contains(&spec))
            .count();
        assert_eq!(
            js(
                c,
                &format!("return Number(document.querySelector('#endorsements-spec{spec} rect.bar').dataset.count)")
            )
            .await,
            endorsers
        );
        let adopted = report
            .projects
            .iter()
            .filter(|p| p.error.is_none() && p.adopted.contains(&spec))
            .count();
        let now = text(c, &format!("#spec{spec} ~ p strong.adopted-now")).await;
        assert_eq!(now, adopted.to_string(), "SPEC {spec} adopted now");
    }
    // The project table has every project with its stored state per SPEC.
    let rows = js(
        c,
        "return Array.from(document.querySelectorAll('table.projects tbody tr')).map(r => Array.from(r.children).map(c => c.textContent.trim()))",
    )
    .await;
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), report.projects.len());
    let heads = js(
        c,
        "return Array.from(document.querySelectorAll('table.projects thead th')).map(h => h.textContent)",
    )
    .await;
    for spec in [8u32, 6] {
        let col = heads
            .as_array()
            .unwrap()
            .iter()
            .position(|h| h == &json!(format!("SPEC {spec}")))
            .unwrap();
        for (row, p) in rows.iter().zip(&report.projects) {
            assert_eq!(row[0], p.name.as_str());
            let shown = row[col].as_str().unwrap();
            if p.adopted.contains(&spec) {
                assert_eq!(shown, "adopted", "{} SPEC {spec}", p.name);
            } else if p.scanned_at.is_none() {
                assert_eq!(shown, "not scanned", "{} SPEC {spec}", p.name);
            } else if p.error.is_some() {
                assert_eq!(shown, "not evaluated", "{} SPEC {spec}", p.name);
            } else {
                let of = p.items.iter().filter(|i| i.spec == spec);
                let holds = of.clone().filter(|i| i.status == "holds").count();
                let evaluated = of
                    .filter(|i| i.status == "holds" || i.status == "fails")
                    .count();
                assert_eq!(
                    shown,
                    format!("{holds}/{evaluated} items"),
                    "{} SPEC {spec}",
                    p.name
                );
            }
        }
    }
}

/// Every link of the page that stays on the site answers 200 (the API included).
async fn check_links(c: &Client, s: &Server) -> usize {
    let hrefs = js(
        c,
        "return Array.from(document.querySelectorAll('a[href], link[href], img[src]')).map(a => a.href || a.src)",
    )
    .await;
    let mut n = 0;
    for h in hrefs.as_array().unwrap() {
        let h = h.as_str().unwrap();
        if let Some(rest) = h.strip_prefix(&s.base) {
            let url = format!("{}{}", s.base, rest.split('#').next().unwrap());
            let status = ureq::get(&url).call().map(|r| r.status().as_u16());
            assert_eq!(status.ok(), Some(200), "{h}");
            n += 1;
        }
    }
    n
}

async fn browse(c: &Client, s: &Server, e: &Expected) {
    let report = &e.report;
    let items = garrison_fleet::catalogue().unwrap();

    // The overview.
    visit(c, &s.url_of("/"), "overview").await;
    assert_eq!(
        text(c, "h1").await,
        "Security SPEC adoption across the ecosystem"
    );
    check_overview(c, e).await;
    assert!(check_links(c, s).await > 20);

    // Follow the link to numpy's page.
    c.find(Locator::Css("table.projects a[href='/projects/numpy']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert_eq!(c.current_url().await.unwrap().path(), "/projects/numpy");
    assert_clean(c, "project-numpy").await;
    assert_eq!(text(c, "h1").await, "numpy");
    let numpy = report.projects.iter().find(|p| p.name == "numpy").unwrap();
    for item in &numpy.items {
        let anchor = item.id.replace('/', "-");
        let shown = text(c, &format!("tr[id='{anchor}'] td")).await;
        assert_eq!(shown, item.status, "{}", item.id);
    }
    // The verified badge is loaded as an image (img-src 'self').
    assert_eq!(
        js(c, "return Array.from(document.querySelectorAll('img.badge')).every(i => i.complete && i.naturalWidth > 0)").await,
        true
    );
    check_links(c, s).await;

    // astropy fails pinning: its evidence links to file:line at the scanned commit, with the fix.
    visit(c, &s.url_of("/projects/astropy"), "project-astropy").await;
    let row = "tr[id='spec8-actions-pinned-sha']";
    assert_eq!(text(c, &format!("{row} td")).await, "fails");
    let href = c
        .find(Locator::Css(&format!("{row} a.evidence")))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    assert!(
        href.starts_with(&format!(
            "https://github.com/astropy/astropy/blob/{}/.github/workflows/release.yml#L",
            support::COMMIT
        )),
        "{href}"
    );
    let pinned = items
        .iter()
        .find(|i| i.id == "spec8/actions-pinned-sha")
        .unwrap();
    let fix = pinned.fix.replace('`', "");
    assert_eq!(text(c, &format!("{row} td:last-child")).await, fix);
    // Follow the item link: the item page names astropy among the failing and gives the fix.
    c.find(Locator::Css(&format!("{row} th a")))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert_eq!(
        c.current_url().await.unwrap().path(),
        "/items/spec8/actions-pinned-sha"
    );
    assert_clean(c, "item-actions-pinned-sha").await;
    assert_eq!(text(c, "h1").await, "spec8/actions-pinned-sha");
    assert_eq!(text(c, "p.fix").await, fix);
    assert!(
        c.find_all(Locator::Css("p.fix code")).await.unwrap().len() >= 2,
        "code spans of the fix"
    );
    let failing: Vec<String> = report
        .projects
        .iter()
        .filter(|p| {
            p.items
                .iter()
                .any(|i| i.id == pinned.id && i.status == "fails")
        })
        .map(|p| p.name.clone())
        .collect();
    assert!(failing.contains(&"astropy".to_string()));
    let shown = js(
        c,
        "return Array.from(document.querySelectorAll('table.failing tbody th a')).map(a => a.textContent)",
    )
    .await;
    assert_eq!(shown, json!(failing));
    c.find(Locator::Css("table.failing a[href='/projects/astropy']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert_eq!(c.current_url().await.unwrap().path(), "/projects/astropy");
    check_links(c, s).await;

    // A project name that needs escaping round-trips through its link.
    visit(
        c,
        &s.url_of(&garrison_server::pages::project_href(support::ODD)),
        "project-odd",
    )
    .await;
    assert_eq!(text(c, "h1").await, support::ODD);

    // The badge opened on its own is an SVG document.
    c.goto(&s.url_of("/badge/numpy/spec8.svg")).await.unwrap();
    assert_eq!(
        js(c, "return document.documentElement.namespaceURI + ' ' + document.documentElement.localName").await,
        "http://www.w3.org/2000/svg svg"
    );
    assert_eq!(
        js(c, "return Array.from(document.querySelectorAll('text')).map(t => t.textContent).includes('adopted')").await,
        true
    );
    let errors = console_errors(c).await;
    assert!(errors.is_empty(), "badge: console: {errors:?}");
    shot(c, "badge-numpy-spec8").await;

    // An unknown project is the 404 page (its console error is the 404 itself).
    c.goto(&s.url_of("/projects/no-such-project"))
        .await
        .unwrap();
    assert!(text(c, "h1").await.starts_with("404"));
    shot(c, "not-found").await;
}

#[test]
fn the_dashboard_in_chromium() {
    let driver = program("GARRISON_CHROMEDRIVER", "/usr/bin/chromedriver");
    let chromium = program("GARRISON_CHROMIUM", "/usr/bin/chromium");
    if !garrison_test::require::precondition(
        driver.is_file() && chromium.is_file(),
        "chromium and chromedriver (Debian: apt-get install chromium chromium-driver)",
    ) {
        return;
    }
    let server = Server::start();
    let expected = expected(&server);
    let driver = Driver::start(&driver);
    let profile = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), json!("chrome"));
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": chromium,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--window-size=1280,1600",
                    format!("--user-data-dir={}", profile.path().display()),
                ],
            }),
        );
        caps.insert("goog:loggingPrefs".into(), json!({"browser": "ALL"}));
        let c = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&driver.url)
            .await
            .unwrap();
        // Close the session even when an assertion fails.
        let outcome = futures_catch(browse(&c, &server, &expected)).await;
        let _ = c.close().await;
        if let Err(panic) = outcome {
            std::panic::resume_unwind(panic);
        }
    });
}

/// Runs `f`, catching a panic so the browser session can be closed first.
async fn futures_catch<F: std::future::Future<Output = ()>>(
    f: F,
) -> Result<(), Box<dyn std::any::Any + Send>> {
    use std::panic::AssertUnwindSafe;
    let mut f = std::pin::pin!(f);
    std::future::poll_fn(move |cx| {
        match std::panic::catch_unwind(AssertUnwindSafe(|| f.as_mut().poll(cx))) {
            Ok(std::task::Poll::Ready(())) => std::task::Poll::Ready(Ok(())),
            Ok(std::task::Poll::Pending) => std::task::Poll::Pending,
            Err(p) => std::task::Poll::Ready(Err(p)),
        }
    })
    .await
}
