//! Test support: fresh PostgreSQL databases on the server the tests are given.

use sqlx::Executor as _;
use sqlx::any::AnyPoolOptions;
use std::sync::atomic::{AtomicU32, Ordering};

use crate::StoreError;

/// The variable naming the PostgreSQL server tests use (`.ci/run` starts one and sets it).
pub const POSTGRES_ENV: &str = "GARRISON_TEST_POSTGRES";

/// The test server's URL, if the environment names one.
pub fn postgres_url() -> Option<String> {
    std::env::var(POSTGRES_ENV).ok().filter(|v| !v.is_empty())
}

/// Creates a fresh, empty database on the server at `base` (a `postgres://` URL whose user may
/// create databases) and returns its URL.
pub async fn fresh_postgres(base: &str) -> Result<String, StoreError> {
    static N: AtomicU32 = AtomicU32::new(0);
    sqlx::any::install_default_drivers();
    let name = format!(
        "garrison_t_{}_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed),
        crate::now()
    );
    let pool = AnyPoolOptions::new()
        .max_connections(1)
        .connect(base)
        .await
        .map_err(|e| StoreError::Connect {
            url: crate::redact(base),
            message: e.to_string(),
        })?;
    pool.execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .await?;
    pool.close().await;
    let (head, query) = match base.split_once('?') {
        Some((h, q)) => (h, Some(q)),
        None => (base, None),
    };
    let prefix = head.rsplit_once('/').map(|(p, _)| p).unwrap_or(head);
    Ok(match query {
        Some(q) => format!("{prefix}/{name}?{q}"),
        None => format!("{prefix}/{name}"),
    })
}
