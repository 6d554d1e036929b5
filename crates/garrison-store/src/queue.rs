//! The scan job queue: a run queues one job per project; workers (threads of one `ecosystem
//! scan`, or `ecosystem worker` processes on any number of machines sharing a PostgreSQL
//! database) claim jobs with a lease, keep the lease alive while they work, and complete a job
//! by writing its snapshot in the same transaction that marks it done.
//!
//! Guarantees: a job whose worker died (its lease ran out) is claimed again by another worker;
//! completing a job checks, under the job row's lock, that the worker still holds it, so a
//! worker that lost its lease writes nothing; and a run has at most one snapshot per project
//! (a unique index). On PostgreSQL claiming uses `FOR UPDATE SKIP LOCKED`, so workers never wait
//! on each other; on SQLite the claim runs under the database's write lock.

use sqlx::Row as _;

use crate::snapshot::{bump, insert_snapshot, project_id};
use crate::{Backend, NewSnapshot, Store, StoreError};

/// A claimed job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// The job's id.
    pub id: i64,
    /// The run it belongs to.
    pub run: i64,
    /// The project to scan.
    pub project: String,
    /// How many times it has been claimed, this claim included.
    pub attempts: i64,
}

/// Where a job stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    /// Waiting for a worker.
    Queued,
    /// Held by a worker (until its lease runs out).
    Running,
    /// Its snapshot is written.
    Done,
}

/// How far a run is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunProgress {
    /// Jobs in the run.
    pub total: i64,
    /// Waiting.
    pub queued: i64,
    /// Being worked on.
    pub running: i64,
    /// Finished.
    pub done: i64,
}

impl RunProgress {
    /// Every job is done.
    pub fn finished(&self) -> bool {
        self.done == self.total
    }
}

impl Store {
    /// Starts a scan run over `projects` (stored names): the run and one queued job per project,
    /// in one transaction. Returns the run's id.
    pub async fn start_run(
        &self,
        kind: &str,
        projects: &[String],
        now: i64,
    ) -> Result<i64, StoreError> {
        let mut tx = self.pool.begin().await?;
        let run: i64 =
            sqlx::query_scalar("INSERT INTO runs (kind, started_at) VALUES ($1, $2) RETURNING id")
                .bind(kind.to_string())
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
        for name in projects {
            let project = project_id(&mut tx, name).await?;
            sqlx::query(
                "INSERT INTO jobs (run_id, project_id, state, attempts) VALUES ($1, $2, 'queued', 0)",
            )
            .bind(run)
            .bind(project)
            .execute(&mut *tx)
            .await?;
        }
        bump(&mut tx).await?;
        tx.commit().await?;
        Ok(run)
    }

    /// Claims the oldest job that is queued or whose lease ran out before `now`, of `run` or of
    /// any run, for `worker` until `now + lease`.
    pub async fn claim(
        &self,
        worker: &str,
        run: Option<i64>,
        now: i64,
        lease: i64,
    ) -> Result<Option<Job>, StoreError> {
        let filter = if run.is_some() {
            "run_id = $4 AND "
        } else {
            ""
        };
        let sql = match self.backend {
            Backend::Postgres => format!(
                "UPDATE jobs SET state = 'running', worker = $1, lease_until = $2, attempts = attempts + 1 \
                 WHERE id = (SELECT id FROM jobs WHERE {filter}(state = 'queued' OR (state = 'running' AND lease_until < $3)) \
                 ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) \
                 RETURNING id, run_id, project_id, attempts"
            ),
            Backend::Sqlite => format!(
                "UPDATE jobs SET state = 'running', worker = $1, lease_until = $2, attempts = attempts + 1 \
                 WHERE id = (SELECT id FROM jobs WHERE {filter}(state = 'queued' OR (state = 'running' AND lease_until < $3)) \
                 ORDER BY id LIMIT 1) \
                 RETURNING id, run_id, project_id, attempts"
            ),
        };
        let begin = match self.backend {
            Backend::Sqlite => "BEGIN IMMEDIATE",
            Backend::Postgres => "BEGIN",
        };
        let mut tx = self.pool.begin_with(begin).await?;
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(worker.to_string())
            .bind(now + lease)
            .bind(now);
        if let Some(run) = run {
            q = q.bind(run);
        }
        let Some(row) = q.fetch_optional(&mut *tx).await? else {
            tx.commit().await?;
            return Ok(None);
        };
        let project: i64 = row.try_get(2)?;
        let name: String = sqlx::query_scalar("SELECT name FROM projects WHERE id = $1")
            .bind(project)
            .fetch_one(&mut *tx)
            .await?;
        let job = Job {
            id: row.try_get(0)?,
            run: row.try_get(1)?,
            project: name,
            attempts: row.try_get(3)?,
        };
        tx.commit().await?;
        Ok(Some(job))
    }

    /// Extends `worker`'s lease on `job` to `until`; `false` when the worker no longer holds it.
    pub async fn heartbeat(&self, job: i64, worker: &str, until: i64) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE jobs SET lease_until = $1 WHERE id = $2 AND worker = $3 AND state = 'running'",
        )
        .bind(until)
        .bind(job)
        .bind(worker.to_string())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Completes `job` with its snapshot, in one transaction: the job is marked done only if
    /// `worker` still holds it, and the snapshot is written only then. Returns the snapshot id,
    /// or `None` when the lease was lost (another worker has or had the job).
    pub async fn complete(
        &self,
        job: &Job,
        worker: &str,
        snapshot: &NewSnapshot,
    ) -> Result<Option<i64>, StoreError> {
        let begin = match self.backend {
            Backend::Sqlite => "BEGIN IMMEDIATE",
            Backend::Postgres => "BEGIN",
        };
        let mut tx = self.pool.begin_with(begin).await?;
        let held = sqlx::query(
            "UPDATE jobs SET state = 'done' WHERE id = $1 AND worker = $2 AND state = 'running'",
        )
        .bind(job.id)
        .bind(worker.to_string())
        .execute(&mut *tx)
        .await?;
        if held.rows_affected() != 1 {
            tx.rollback().await?;
            return Ok(None);
        }
        let id = insert_snapshot(&mut tx, Some(job.run), snapshot).await?;
        sqlx::query("UPDATE jobs SET snapshot_id = $1 WHERE id = $2")
            .bind(id)
            .bind(job.id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Some(id))
    }

    /// How far `run` is.
    pub async fn run_progress(&self, run: i64) -> Result<RunProgress, StoreError> {
        let rows = sqlx::query("SELECT state, COUNT(*) FROM jobs WHERE run_id = $1 GROUP BY state")
            .bind(run)
            .fetch_all(&self.pool)
            .await?;
        let mut p = RunProgress::default();
        for r in rows {
            let state: String = r.try_get(0)?;
            let n: i64 = r.try_get(1)?;
            p.total += n;
            match state.as_str() {
                "queued" => p.queued += n,
                "running" => p.running += n,
                "done" => p.done += n,
                other => return Err(StoreError::Data(format!("unknown job state `{other}`"))),
            }
        }
        Ok(p)
    }

    /// The jobs of `run`, by project: (project, state, worker, attempts).
    pub async fn jobs(
        &self,
        run: i64,
    ) -> Result<Vec<(String, String, Option<String>, i64)>, StoreError> {
        let rows = sqlx::query(
            "SELECT p.name, j.state, j.worker, j.attempts FROM jobs j JOIN projects p ON p.id = j.project_id \
             WHERE j.run_id = $1 ORDER BY p.name",
        )
        .bind(run)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?)))
            .collect()
    }

    /// Jobs not done yet, over every run.
    pub async fn pending_jobs(&self) -> Result<i64, StoreError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE state <> 'done'")
            .fetch_one(&self.pool)
            .await?;
        Ok(n)
    }

    /// Marks `run` finished (every job done).
    pub async fn finish_run(&self, run: i64, now: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE runs SET finished_at = $1 WHERE id = $2")
            .bind(now)
            .bind(run)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The newest run, if any: (id, kind, started_at, finished_at).
    pub async fn last_run(&self) -> Result<Option<(i64, String, i64, Option<i64>)>, StoreError> {
        let row = sqlx::query(
            "SELECT id, kind, started_at, finished_at FROM runs ORDER BY id DESC LIMIT 1",
        )
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?)))
            .transpose()
    }
}
