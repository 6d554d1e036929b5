//! Opening a store: URL forms, the default file, refusing what is not a Garrison database,
//! migrations.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use sqlx::any::AnyPoolOptions;
use sqlx::{AssertSqlSafe, Executor as _};

use crate::schema::MIGRATIONS;
use crate::{Backend, Store, StoreError};

/// Whether opening may create the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Writers (scan, replay, worker): an SQLite file that does not exist yet is created.
    Create,
    /// Readers (report, serve): the database must exist.
    Existing,
}

/// The default database: `$GARRISON_DATA_DIR/garrison.db`, else `garrison.db` in the user data
/// directory (`$XDG_DATA_HOME/garrison` or `~/.local/share/garrison`;
/// `~/Library/Application Support/garrison` on macOS; `%APPDATA%\garrison` on Windows).
pub fn default_database_path() -> PathBuf {
    let env = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let dir = if let Some(p) = env("GARRISON_DATA_DIR") {
        p
    } else if cfg!(windows) {
        env("APPDATA").unwrap_or_default().join("garrison")
    } else if cfg!(target_os = "macos") {
        env("HOME")
            .unwrap_or_default()
            .join("Library")
            .join("Application Support")
            .join("garrison")
    } else if let Some(x) = env("XDG_DATA_HOME").filter(|p| p.is_absolute()) {
        x.join("garrison")
    } else {
        env("HOME")
            .unwrap_or_default()
            .join(".local")
            .join("share")
            .join("garrison")
    };
    dir.join("garrison.db")
}

/// The URL without its password, for messages and logs.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (auth, host) = match rest.rsplit_once('@') {
        Some((a, h)) => (a, h),
        None => return url.to_string(),
    };
    match auth.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_string(),
    }
}

enum Target {
    Sqlite(PathBuf),
    Postgres(String),
}

fn parse(url: Option<&str>) -> Result<Target, StoreError> {
    let Some(url) = url else {
        return Ok(Target::Sqlite(default_database_path()));
    };
    if let Some(rest) = url
        .strip_prefix("postgres://")
        .or_else(|| url.strip_prefix("postgresql://"))
    {
        if rest.is_empty() {
            return Err(StoreError::Url(redact(url)));
        }
        return Ok(Target::Postgres(url.to_string()));
    }
    if let Some(rest) = url.strip_prefix("sqlite:") {
        let path = rest.strip_prefix("//").unwrap_or(rest);
        if path.is_empty() || path == ":memory:" {
            return Err(StoreError::Url(format!(
                "{url} (an SQLite store must be a file)"
            )));
        }
        return Ok(Target::Sqlite(PathBuf::from(path)));
    }
    Err(StoreError::Url(redact(url)))
}

/// Percent-encodes what sqlx's SQLite URL parser would otherwise read as URL syntax.
fn sqlite_url(path: &Path, mode: &str) -> String {
    let mut s = String::from("sqlite://");
    for c in path.to_string_lossy().chars() {
        match c {
            '%' | '?' | '#' | ' ' => s.push_str(&format!("%{:02X}", c as u32)),
            c => s.push(c),
        }
    }
    s.push_str("?mode=");
    s.push_str(mode);
    s
}

const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

impl Store {
    /// Opens (and migrates) the store at `url`: `None` for the default SQLite file,
    /// `sqlite:PATH`, or `postgres://…`.
    pub async fn open(url: Option<&str>, mode: Mode) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        match parse(url)? {
            Target::Sqlite(path) => open_sqlite(&path, mode).await,
            Target::Postgres(url) => open_postgres(&url).await,
        }
    }
}

async fn open_sqlite(path: &Path, mode: Mode) -> Result<Store, StoreError> {
    let shown = path.display().to_string();
    let corrupt = |message: String| StoreError::Corrupt {
        path: path.to_path_buf(),
        message,
    };
    match std::fs::File::open(path) {
        Ok(mut f) => {
            let mut head = Vec::with_capacity(16);
            f.by_ref()
                .take(16)
                .read_to_end(&mut head)
                .map_err(|e| corrupt(format!("cannot read it: {e}")))?;
            if !head.is_empty() && head.as_slice() != SQLITE_MAGIC {
                return Err(corrupt("it is not an SQLite file".into()));
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if mode == Mode::Existing {
                return Err(StoreError::Missing(path.to_path_buf()));
            }
            if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent).map_err(|e| StoreError::Connect {
                    url: shown.clone(),
                    message: format!("cannot create {}: {e}", parent.display()),
                })?;
            }
        }
        Err(e) => {
            return Err(StoreError::Connect {
                url: shown,
                message: e.to_string(),
            });
        }
    }
    let url = sqlite_url(path, if mode == Mode::Create { "rwc" } else { "rw" });
    // One plain connection first: a damaged file fails its first read here, once, instead of
    // failing every pooled connection's setup until the pool gives up.
    {
        use sqlx::Connection as _;
        let mut conn =
            sqlx::AnyConnection::connect(&url)
                .await
                .map_err(|e| StoreError::Connect {
                    url: shown.clone(),
                    message: e.to_string(),
                })?;
        let objects: Vec<String> =
            sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table'")
                .fetch_all(&mut conn)
                .await
                .map_err(|e| corrupt(e.to_string()))?;
        let _ = conn.close().await;
        if !objects.is_empty() && !objects.iter().any(|t| t == "garrison_schema") {
            return Err(corrupt(format!(
                "it is an SQLite database with other tables ({})",
                objects.join(", ")
            )));
        }
    }
    let pool = AnyPoolOptions::new()
        .max_connections(8)
        .acquire_timeout(Duration::from_secs(30))
        // WAL with synchronous=NORMAL: a committed transaction survives the process being
        // killed; only a power loss may drop the newest transactions, never corrupt the file.
        .after_connect(|conn, _| {
            Box::pin(async move {
                conn.execute(
                    "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 30000; PRAGMA synchronous = NORMAL;",
                )
                .await?;
                Ok(())
            })
        })
        .connect(&url)
        .await
        .map_err(|e| StoreError::Connect {
            url: shown.clone(),
            message: e.to_string(),
        })?;
    sqlx::query("PRAGMA journal_mode = WAL")
        .execute(&pool)
        .await
        .map_err(|e| corrupt(e.to_string()))?;
    let store = Store {
        pool,
        backend: Backend::Sqlite,
        url: format!("sqlite:{shown}"),
    };
    store.migrate().await?;
    Ok(store)
}

async fn open_postgres(url: &str) -> Result<Store, StoreError> {
    let shown = redact(url);
    let pool = AnyPoolOptions::new()
        .max_connections(16)
        .acquire_timeout(Duration::from_secs(5))
        .connect(url)
        .await
        .map_err(|e| StoreError::Connect {
            url: shown.clone(),
            message: e.to_string(),
        })?;
    let store = Store {
        pool,
        backend: Backend::Postgres,
        url: shown,
    };
    store.migrate().await?;
    Ok(store)
}

impl Store {
    /// Applies the migrations this database lacks. Concurrent openers (several workers starting
    /// at once) are serialized: PostgreSQL by an advisory lock, SQLite by its write lock.
    async fn migrate(&self) -> Result<(), StoreError> {
        let known = MIGRATIONS.len() as i64;
        let mut conn = self.pool.acquire().await?;
        if self.backend == Backend::Postgres {
            conn.execute("SELECT pg_advisory_lock(4815162342)").await?;
        }
        let result = async {
            conn.execute("CREATE TABLE IF NOT EXISTS garrison_schema (version BIGINT NOT NULL)")
                .await?;
            loop {
                let begin = match self.backend {
                    Backend::Sqlite => "BEGIN IMMEDIATE",
                    Backend::Postgres => "BEGIN",
                };
                let mut tx = sqlx::Connection::begin_with(&mut *conn, begin).await?;
                let version: Option<i64> =
                    sqlx::query_scalar("SELECT MAX(version) FROM garrison_schema")
                        .fetch_one(&mut *tx)
                        .await?;
                let version = version.unwrap_or(0);
                if version > known {
                    return Err(StoreError::TooNew {
                        url: self.url.clone(),
                        found: version,
                        known,
                    });
                }
                if version == known {
                    tx.commit().await?;
                    return Ok(());
                }
                let sql = MIGRATIONS[version as usize].replace("{id}", self.backend.id_column());
                // Comments go first: they may contain semicolons.
                let sql: String = sql
                    .lines()
                    .filter(|l| !l.trim_start().starts_with("--"))
                    .collect::<Vec<_>>()
                    .join("\n");
                for statement in sql.split(';').map(str::trim).filter(|s| !s.is_empty()) {
                    sqlx::query(AssertSqlSafe(statement.to_string()))
                        .execute(&mut *tx)
                        .await?;
                }
                sqlx::query("INSERT INTO garrison_schema (version) VALUES ($1)")
                    .bind(version + 1)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
            }
        }
        .await;
        if self.backend == Backend::Postgres {
            conn.execute("SELECT pg_advisory_unlock(4815162342)")
                .await?;
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert!(
            matches!(parse(Some("sqlite:/tmp/x.db")), Ok(Target::Sqlite(p)) if p == Path::new("/tmp/x.db"))
        );
        assert!(
            matches!(parse(Some("sqlite:///tmp/x.db")), Ok(Target::Sqlite(p)) if p == Path::new("/tmp/x.db"))
        );
        assert!(
            matches!(parse(Some("sqlite:rel.db")), Ok(Target::Sqlite(p)) if p == Path::new("rel.db"))
        );
        assert!(matches!(
            parse(Some("postgres://u@127.0.0.1/db")),
            Ok(Target::Postgres(_))
        ));
        let e = parse(Some("mysql://root:hunter2@db/x"))
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            e.as_deref(),
            Some(
                "unsupported database URL `mysql://root:***@db/x`: use sqlite:PATH (a file) or postgres://USER@HOST/DATABASE"
            )
        );
        assert!(parse(Some("sqlite::memory:")).is_err());
        assert!(parse(Some("/tmp/x.db")).is_err());
    }

    #[test]
    fn redacts_passwords_only() {
        assert_eq!(
            redact("postgres://g:secret@h:5432/db"),
            "postgres://g:***@h:5432/db"
        );
        assert_eq!(redact("postgres://g@h/db"), "postgres://g@h/db");
        assert_eq!(redact("sqlite:/x"), "sqlite:/x");
    }

    #[test]
    fn sqlite_urls_escape_url_syntax() {
        assert_eq!(
            sqlite_url(Path::new("/a b/c?d#e%f.db"), "rw"),
            "sqlite:///a%20b/c%3Fd%23e%25f.db?mode=rw"
        );
    }
}
