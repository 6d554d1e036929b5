//! Projects and snapshots: what is written (one transaction per snapshot) and what is read.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::{Any, AssertSqlSafe, Row as _, Transaction};

use crate::{Store, StoreError};

/// A project of the manifest, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectRow {
    /// Its name (unique).
    pub name: String,
    /// One of the ecosystem's core projects.
    pub core: bool,
    /// Its GitHub organisation.
    pub org: Option<String>,
    /// Its repositories, first the one scanned.
    pub repositories: Vec<String>,
    /// Its PyPI names.
    pub pypi: Vec<String>,
    /// The SPECs it endorses.
    pub endorses: Vec<u32>,
}

/// What produced a snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A scan of the repository's current state.
    Scan,
    /// A past month, replayed from git objects.
    Replay,
}

impl Kind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Scan => "scan",
            Kind::Replay => "replay",
        }
    }

    fn parse(s: &str) -> Result<Kind, StoreError> {
        match s {
            "scan" => Ok(Kind::Scan),
            "replay" => Ok(Kind::Replay),
            other => Err(StoreError::Data(format!("unknown snapshot kind `{other}`"))),
        }
    }

    /// A scan outranks a replay of the same month in the timeline.
    fn rank(self) -> i64 {
        match self {
            Kind::Scan => 1,
            Kind::Replay => 0,
        }
    }
}

/// One SPEC item's verdict in a snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VerdictRow {
    /// The item id (`spec8/actions-pinned-sha`).
    pub item: String,
    /// The SPEC number.
    pub spec: u32,
    /// `holds`, `fails`, `not-evaluated` or `not-applicable`.
    pub status: String,
    /// The deciding evidence (a JSON array).
    pub evidence: serde_json::Value,
}

/// One finding of a snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingRow {
    /// The rule id.
    pub rule: String,
    /// Its severity.
    pub severity: String,
    /// The file, relative to the repository.
    pub path: Option<String>,
    /// The 1-based line.
    pub line: Option<u32>,
    /// The message.
    pub message: String,
    /// The stable fingerprint.
    pub fingerprint: String,
}

/// A snapshot to write.
#[derive(Debug, Clone, PartialEq)]
pub struct NewSnapshot {
    /// The project (must be stored: see [`Store::sync_projects`]).
    pub project: String,
    /// What produced it.
    pub kind: Kind,
    /// The month it stands for, `YYYY-MM`.
    pub month: String,
    /// When it was taken (Unix seconds, UTC); for a replay, the 1st of its month.
    pub taken_at: i64,
    /// The repository evaluated.
    pub repository: Option<String>,
    /// The commit evaluated (none for a plain directory).
    pub commit: Option<String>,
    /// What identifies the evaluated state (the commit, or a plain directory's file
    /// fingerprint): a scan whose revision is the last complete snapshot's carries it over.
    pub revision: Option<String>,
    /// Why the project could not be evaluated; the snapshot then has no verdicts.
    pub error: Option<String>,
    /// The SPECs adopted.
    pub adopted: Vec<u32>,
    /// Every item's verdict.
    pub verdicts: Vec<VerdictRow>,
    /// The findings.
    pub findings: Vec<FindingRow>,
}

/// A stored snapshot.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Snapshot {
    /// Its id (increasing in write order).
    pub id: i64,
    /// The project.
    pub project: String,
    /// The scan run that wrote it.
    pub run: Option<i64>,
    /// What produced it.
    pub kind: Kind,
    /// The month it stands for.
    pub month: String,
    /// When it was taken.
    pub taken_at: i64,
    /// The repository evaluated.
    pub repository: Option<String>,
    /// The commit evaluated.
    pub commit: Option<String>,
    /// What identifies the evaluated state (see [`NewSnapshot::revision`]).
    pub revision: Option<String>,
    /// Why the project could not be evaluated.
    pub error: Option<String>,
    /// The SPECs adopted.
    pub adopted: Vec<u32>,
    /// Every item's verdict, by item id.
    pub verdicts: Vec<VerdictRow>,
    /// The findings (only filled by the single-project reads).
    pub findings: Vec<FindingRow>,
}

/// One cell of the timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimelineRow {
    /// The project.
    pub project: String,
    /// The month.
    pub month: String,
    /// The item.
    pub item: String,
    /// Its status that month.
    pub status: String,
}

/// `YYYY-MM` of a Unix time, UTC.
pub fn month_of(unix: i64) -> String {
    let (y, m, _) = garrison_source::time::civil_from_days(unix.div_euclid(86_400));
    format!("{y:04}-{m:02}")
}

fn json_list<T: Serialize>(v: &[T]) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
}

fn parse_list<T: for<'de> Deserialize<'de>>(s: &str, what: &str) -> Result<Vec<T>, StoreError> {
    serde_json::from_str(s).map_err(|e| StoreError::Data(format!("{what}: {e}")))
}

/// `($1, $2, …), (…)` for `rows` rows of `cols` columns, numbered from `$1`.
fn values(rows: usize, cols: usize) -> String {
    let mut s = String::new();
    for r in 0..rows {
        if r > 0 {
            s.push_str(", ");
        }
        s.push('(');
        for c in 0..cols {
            if c > 0 {
                s.push_str(", ");
            }
            s.push_str(&format!("${}", r * cols + c + 1));
        }
        s.push(')');
    }
    s
}

/// Rows per multi-row INSERT (well under both databases' parameter limits).
const BATCH: usize = 100;

fn snapshot_of(row: &AnyRow) -> Result<Snapshot, StoreError> {
    let kind: String = row.try_get(3)?;
    let adopted: String = row.try_get(9)?;
    Ok(Snapshot {
        id: row.try_get(0)?,
        project: row.try_get(1)?,
        run: row.try_get(2)?,
        kind: Kind::parse(&kind)?,
        month: row.try_get(4)?,
        taken_at: row.try_get(5)?,
        repository: row.try_get(6)?,
        commit: row.try_get(7)?,
        error: row.try_get(8)?,
        adopted: parse_list(&adopted, "adopted SPECs")?,
        revision: row.try_get(10)?,
        verdicts: Vec::new(),
        findings: Vec::new(),
    })
}

fn verdict_of(row: &AnyRow) -> Result<(i64, VerdictRow), StoreError> {
    let spec: i64 = row.try_get(2)?;
    let evidence: String = row.try_get(4)?;
    Ok((
        row.try_get(0)?,
        VerdictRow {
            item: row.try_get(1)?,
            spec: u32::try_from(spec).map_err(|_| StoreError::Data(format!("SPEC {spec}")))?,
            status: row.try_get(3)?,
            evidence: serde_json::from_str(&evidence)
                .map_err(|e| StoreError::Data(format!("evidence: {e}")))?,
        },
    ))
}

pub(crate) async fn bump(tx: &mut Transaction<'static, Any>) -> Result<(), StoreError> {
    sqlx::query("UPDATE meta SET generation = generation + 1 WHERE singleton = 1")
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub(crate) async fn project_id(
    tx: &mut Transaction<'static, Any>,
    name: &str,
) -> Result<i64, StoreError> {
    let id: Option<i64> = sqlx::query_scalar("SELECT id FROM projects WHERE name = $1")
        .bind(name.to_string())
        .fetch_optional(&mut **tx)
        .await?;
    id.ok_or_else(|| StoreError::UnknownProject(name.to_string()))
}

/// Writes `s` (and its verdicts, findings, adoption, timeline and latest entries) inside `tx`.
pub(crate) async fn insert_snapshot(
    tx: &mut Transaction<'static, Any>,
    run: Option<i64>,
    s: &NewSnapshot,
) -> Result<i64, StoreError> {
    let project = project_id(tx, &s.project).await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO snapshots (project_id, run_id, kind, month, taken_at, repository, commit_id, error, adopted, revision) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(project)
    .bind(run)
    .bind(s.kind.as_str())
    .bind(s.month.clone())
    .bind(s.taken_at)
    .bind(s.repository.clone())
    .bind(s.commit.clone())
    .bind(s.error.clone())
    .bind(json_list(&s.adopted))
    .bind(s.revision.clone())
    .fetch_one(&mut **tx)
    .await?;
    for chunk in s.verdicts.chunks(BATCH) {
        let sql = format!(
            "INSERT INTO verdicts (snapshot_id, item, spec, status, evidence) VALUES {}",
            values(chunk.len(), 5)
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for v in chunk {
            q = q
                .bind(id)
                .bind(v.item.clone())
                .bind(i64::from(v.spec))
                .bind(v.status.clone())
                .bind(v.evidence.to_string());
        }
        q.execute(&mut **tx).await?;
    }
    for (n, chunk) in s.findings.chunks(BATCH).enumerate() {
        let sql = format!(
            "INSERT INTO findings (snapshot_id, seq, rule, severity, path, line, message, fingerprint) VALUES {}",
            values(chunk.len(), 8)
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for (i, f) in chunk.iter().enumerate() {
            q = q
                .bind(id)
                .bind((n * BATCH + i) as i64)
                .bind(f.rule.clone())
                .bind(f.severity.clone())
                .bind(f.path.clone())
                .bind(f.line.map(i64::from))
                .bind(f.message.clone())
                .bind(f.fingerprint.clone());
        }
        q.execute(&mut **tx).await?;
    }
    let mut adopted = s.adopted.clone();
    adopted.sort_unstable();
    adopted.dedup();
    for spec in adopted {
        sqlx::query("INSERT INTO adoptions (snapshot_id, spec) VALUES ($1, $2)")
            .bind(id)
            .bind(i64::from(spec))
            .execute(&mut **tx)
            .await?;
    }
    if s.error.is_none() {
        sqlx::query(
            "INSERT INTO monthly (project_id, month, snapshot_id, rank) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (project_id, month) DO UPDATE \
             SET snapshot_id = excluded.snapshot_id, rank = excluded.rank \
             WHERE excluded.rank >= monthly.rank",
        )
        .bind(project)
        .bind(s.month.clone())
        .bind(id)
        .bind(s.kind.rank())
        .execute(&mut **tx)
        .await?;
    }
    if s.kind == Kind::Scan {
        sqlx::query(
            "INSERT INTO latest (project_id, snapshot_id) VALUES ($1, $2) \
             ON CONFLICT (project_id) DO UPDATE SET snapshot_id = excluded.snapshot_id \
             WHERE excluded.snapshot_id > latest.snapshot_id",
        )
        .bind(project)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    }
    bump(tx).await?;
    Ok(id)
}

impl Store {
    /// Adds the projects, or updates them (matched by name), in one transaction.
    pub async fn sync_projects(&self, projects: &[ProjectRow]) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        for p in projects {
            sqlx::query(
                "INSERT INTO projects (name, core, org, repositories, pypi, endorses) \
                 VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (name) DO UPDATE SET core = excluded.core, org = excluded.org, \
                 repositories = excluded.repositories, pypi = excluded.pypi, endorses = excluded.endorses",
            )
            .bind(p.name.clone())
            .bind(i64::from(p.core))
            .bind(p.org.clone())
            .bind(json_list(&p.repositories))
            .bind(json_list(&p.pypi))
            .bind(json_list(&p.endorses))
            .execute(&mut *tx)
            .await?;
        }
        bump(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every stored project, by name.
    pub async fn projects(&self) -> Result<Vec<ProjectRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT name, core, org, repositories, pypi, endorses FROM projects ORDER BY name",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let core: i64 = r.try_get(1)?;
                let repos: String = r.try_get(3)?;
                let pypi: String = r.try_get(4)?;
                let endorses: String = r.try_get(5)?;
                Ok(ProjectRow {
                    name: r.try_get(0)?,
                    core: core != 0,
                    org: r.try_get(2)?,
                    repositories: parse_list(&repos, "repositories")?,
                    pypi: parse_list(&pypi, "PyPI names")?,
                    endorses: parse_list(&endorses, "endorsements")?,
                })
            })
            .collect()
    }

    /// Writes one snapshot outside a scan run (a replayed month), in one transaction. A replay of
    /// a month already stored for the project is left as it is and `None` is returned.
    pub async fn record_snapshot(&self, s: &NewSnapshot) -> Result<Option<i64>, StoreError> {
        let mut tx = self.pool.begin().await?;
        if s.kind == Kind::Replay {
            let project = project_id(&mut tx, &s.project).await?;
            let exists: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM snapshots WHERE project_id = $1 AND month = $2 AND kind = 'replay'",
            )
            .bind(project)
            .bind(s.month.clone())
            .fetch_optional(&mut *tx)
            .await?;
            if exists.is_some() {
                return Ok(None);
            }
        }
        let id = insert_snapshot(&mut tx, None, s).await?;
        tx.commit().await?;
        Ok(Some(id))
    }

    async fn fill_verdicts(
        &self,
        mut snaps: Vec<Snapshot>,
        sql: &'static str,
        project: Option<&str>,
    ) -> Result<Vec<Snapshot>, StoreError> {
        let mut q = sqlx::query(sql);
        if let Some(p) = project {
            q = q.bind(p.to_string());
        }
        let rows = q.fetch_all(&self.pool).await?;
        let mut by: BTreeMap<i64, Vec<VerdictRow>> = BTreeMap::new();
        for r in &rows {
            let (id, v) = verdict_of(r)?;
            by.entry(id).or_default().push(v);
        }
        for s in &mut snaps {
            s.verdicts = by.remove(&s.id).unwrap_or_default();
        }
        Ok(snaps)
    }

    /// The newest scan snapshot of every project that has one (errors included), by project
    /// name, with verdicts but without findings.
    pub async fn latest(&self) -> Result<Vec<Snapshot>, StoreError> {
        let sql = "SELECT s.id, p.name, s.run_id, s.kind, s.month, s.taken_at, s.repository, s.commit_id, s.error, s.adopted, s.revision \
                   FROM latest l JOIN snapshots s ON s.id = l.snapshot_id JOIN projects p ON p.id = s.project_id \
                   ORDER BY p.name";
        let rows = sqlx::query(sql).fetch_all(&self.pool).await?;
        let snaps = rows.iter().map(snapshot_of).collect::<Result<_, _>>()?;
        self.fill_verdicts(
            snaps,
            "SELECT v.snapshot_id, v.item, v.spec, v.status, v.evidence \
             FROM latest l JOIN verdicts v ON v.snapshot_id = l.snapshot_id ORDER BY v.snapshot_id, v.item",
            None,
        )
        .await
    }

    /// The newest scan snapshot of one project, with verdicts and findings.
    pub async fn latest_for(&self, project: &str) -> Result<Option<Snapshot>, StoreError> {
        let sql = "SELECT s.id, p.name, s.run_id, s.kind, s.month, s.taken_at, s.repository, s.commit_id, s.error, s.adopted, s.revision \
                   FROM latest l JOIN snapshots s ON s.id = l.snapshot_id JOIN projects p ON p.id = s.project_id \
                   WHERE p.name = $1";
        let row = sqlx::query(sql)
            .bind(project.to_string())
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let snap = snapshot_of(&row)?;
        self.with_details(snap).await.map(Some)
    }

    /// The newest scan snapshot of `project` that has no error: what a new scan compares its
    /// HEAD with.
    pub async fn last_complete(&self, project: &str) -> Result<Option<Snapshot>, StoreError> {
        let sql = "SELECT s.id, p.name, s.run_id, s.kind, s.month, s.taken_at, s.repository, s.commit_id, s.error, s.adopted, s.revision \
                   FROM snapshots s JOIN projects p ON p.id = s.project_id \
                   WHERE p.name = $1 AND s.kind = 'scan' AND s.error IS NULL ORDER BY s.id DESC LIMIT 1";
        let row = sqlx::query(sql)
            .bind(project.to_string())
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let snap = snapshot_of(&row)?;
        self.with_details(snap).await.map(Some)
    }

    /// One snapshot by id, with verdicts and findings.
    pub async fn snapshot(&self, id: i64) -> Result<Option<Snapshot>, StoreError> {
        let sql = "SELECT s.id, p.name, s.run_id, s.kind, s.month, s.taken_at, s.repository, s.commit_id, s.error, s.adopted, s.revision \
                   FROM snapshots s JOIN projects p ON p.id = s.project_id WHERE s.id = $1";
        let row = sqlx::query(sql).bind(id).fetch_optional(&self.pool).await?;
        let Some(row) = row else { return Ok(None) };
        let snap = snapshot_of(&row)?;
        self.with_details(snap).await.map(Some)
    }

    async fn with_details(&self, mut snap: Snapshot) -> Result<Snapshot, StoreError> {
        let rows = sqlx::query(
            "SELECT snapshot_id, item, spec, status, evidence FROM verdicts WHERE snapshot_id = $1 ORDER BY item",
        )
        .bind(snap.id)
        .fetch_all(&self.pool)
        .await?;
        snap.verdicts = rows
            .iter()
            .map(|r| verdict_of(r).map(|(_, v)| v))
            .collect::<Result<_, _>>()?;
        let rows = sqlx::query(
            "SELECT rule, severity, path, line, message, fingerprint FROM findings WHERE snapshot_id = $1 ORDER BY seq",
        )
        .bind(snap.id)
        .fetch_all(&self.pool)
        .await?;
        snap.findings = rows
            .iter()
            .map(|r| {
                let line: Option<i64> = r.try_get(3)?;
                Ok(FindingRow {
                    rule: r.try_get(0)?,
                    severity: r.try_get(1)?,
                    path: r.try_get(2)?,
                    line: line.and_then(|l| u32::try_from(l).ok()),
                    message: r.try_get(4)?,
                    fingerprint: r.try_get(5)?,
                })
            })
            .collect::<Result<_, StoreError>>()?;
        Ok(snap)
    }

    /// The snapshots one scan run wrote, as (project, snapshot id), by project.
    pub async fn run_snapshots(&self, run: i64) -> Result<Vec<(String, i64)>, StoreError> {
        let rows = sqlx::query(
            "SELECT p.name, s.id FROM snapshots s JOIN projects p ON p.id = s.project_id \
             WHERE s.run_id = $1 ORDER BY p.name, s.id",
        )
        .bind(run)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect()
    }

    /// The months already replayed for `project`.
    pub async fn replayed_months(&self, project: &str) -> Result<Vec<String>, StoreError> {
        let months: Vec<String> = sqlx::query_scalar(
            "SELECT s.month FROM snapshots s JOIN projects p ON p.id = s.project_id \
             WHERE p.name = $1 AND s.kind = 'replay' ORDER BY s.month",
        )
        .bind(project.to_string())
        .fetch_all(&self.pool)
        .await?;
        Ok(months)
    }

    /// The monthly timeline (of one project, or of all), by project, month and item.
    pub async fn timeline(&self, project: Option<&str>) -> Result<Vec<TimelineRow>, StoreError> {
        let rows = match project {
            Some(p) => {
                sqlx::query(
                    "SELECT p.name, m.month, v.item, v.status FROM monthly m \
                     JOIN projects p ON p.id = m.project_id JOIN verdicts v ON v.snapshot_id = m.snapshot_id \
                     WHERE p.name = $1 ORDER BY p.name, m.month, v.item",
                )
                .bind(p.to_string())
                .fetch_all(&self.pool)
                .await?
            }
            None => {
                sqlx::query(
                    "SELECT p.name, m.month, v.item, v.status FROM monthly m \
                     JOIN projects p ON p.id = m.project_id JOIN verdicts v ON v.snapshot_id = m.snapshot_id \
                     ORDER BY p.name, m.month, v.item",
                )
                .fetch_all(&self.pool)
                .await?
            }
        };
        rows.iter()
            .map(|r| {
                Ok(TimelineRow {
                    project: r.try_get(0)?,
                    month: r.try_get(1)?,
                    item: r.try_get(2)?,
                    status: r.try_get(3)?,
                })
            })
            .collect()
    }

    /// Per month of the timeline, how many projects adopted `spec` (months where none did are
    /// present with 0 as long as some project has a snapshot for them).
    pub async fn adoption_by_month(&self, spec: u32) -> Result<Vec<(String, i64)>, StoreError> {
        let rows = sqlx::query(
            "SELECT m.month, COUNT(a.spec) FROM monthly m \
             LEFT JOIN adoptions a ON a.snapshot_id = m.snapshot_id AND a.spec = $1 \
             GROUP BY m.month ORDER BY m.month",
        )
        .bind(i64::from(spec))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months() {
        assert_eq!(month_of(0), "1970-01");
        assert_eq!(month_of(951_782_400), "2000-02"); // 2000-02-29
        assert_eq!(month_of(1_798_761_599), "2026-12"); // 2026-12-31 23:59:59
        assert_eq!(month_of(1_798_761_600), "2027-01");
        assert_eq!(month_of(-1), "1969-12");
    }

    #[test]
    fn placeholders() {
        assert_eq!(values(2, 2), "($1, $2), ($3, $4)");
    }
}
