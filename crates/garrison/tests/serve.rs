//! `garrison serve`: a missing database is a clear error (never created), and the server
//! answers on the address it prints and stops cleanly on SIGTERM.
#![allow(clippy::unwrap_used)]

use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};

fn garrison() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_garrison"));
    c.env("NO_COLOR", "1").env_remove("GARRISON_DATABASE");
    c
}

#[test]
fn a_missing_database_is_an_error_and_is_not_created() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("none.db");
    let out = garrison()
        .args(["serve", "--bind", "127.0.0.1:0", "--database"])
        .arg(format!("sqlite:{}", db.display()))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no Garrison database at"), "{stderr}");
    assert!(!db.exists());
}

#[test]
fn serves_on_the_printed_address_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("g.db").display());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let store = garrison_store::Store::open(Some(&url), garrison_store::Mode::Create)
            .await
            .unwrap();
        store.close().await;
    });
    let mut child = garrison()
        .args(["serve", "--bind", "127.0.0.1:0", "--database", &url])
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stderr.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line
        .split("listening on ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_string();
    let mut r = ureq::get(&base).call().unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert!(r.body_mut().read_to_string().unwrap().contains("SPEC 8"));
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert!(status.success(), "{status}");
}
