//! The schema, as numbered migrations applied in order, each in its own transaction.
//!
//! One text serves SQLite and PostgreSQL: the only dialect difference is the auto-numbered id
//! column, written `{id}` here and expanded by [`Backend::id_column`](crate::Backend). Every
//! integer is `BIGINT` (an `i64` on both), booleans are `0`/`1`, lists are JSON text, times are
//! Unix seconds (UTC) written by Garrison, not by the database clock, so both databases and
//! every worker agree.

/// The migrations, in order; the store records the number applied in `garrison_schema`.
pub const MIGRATIONS: &[&str] = &[
    // 1: projects, runs, snapshots with their verdicts, findings and adopted SPECs, the monthly
    // timeline, the latest scan per project, and the scan job queue.
    r#"
CREATE TABLE meta (
    singleton BIGINT PRIMARY KEY,
    generation BIGINT NOT NULL
);
INSERT INTO meta (singleton, generation) VALUES (1, 0);

CREATE TABLE projects (
    id {id},
    name TEXT NOT NULL UNIQUE,
    core BIGINT NOT NULL,
    org TEXT,
    repositories TEXT NOT NULL,
    pypi TEXT NOT NULL,
    endorses TEXT NOT NULL
);

CREATE TABLE runs (
    id {id},
    kind TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    finished_at BIGINT
);

CREATE TABLE snapshots (
    id {id},
    project_id BIGINT NOT NULL REFERENCES projects (id),
    run_id BIGINT REFERENCES runs (id),
    kind TEXT NOT NULL,
    month TEXT NOT NULL,
    taken_at BIGINT NOT NULL,
    repository TEXT,
    commit_id TEXT,
    error TEXT,
    adopted TEXT NOT NULL
);
-- A run records at most one snapshot per project, and a month is replayed once per project.
CREATE UNIQUE INDEX snapshots_run_project ON snapshots (run_id, project_id);
CREATE UNIQUE INDEX snapshots_replay_month ON snapshots (project_id, month) WHERE kind = 'replay';

CREATE TABLE verdicts (
    snapshot_id BIGINT NOT NULL REFERENCES snapshots (id),
    item TEXT NOT NULL,
    spec BIGINT NOT NULL,
    status TEXT NOT NULL,
    evidence TEXT NOT NULL,
    PRIMARY KEY (snapshot_id, item)
);

CREATE TABLE findings (
    snapshot_id BIGINT NOT NULL REFERENCES snapshots (id),
    seq BIGINT NOT NULL,
    rule TEXT NOT NULL,
    severity TEXT NOT NULL,
    path TEXT,
    line BIGINT,
    message TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    PRIMARY KEY (snapshot_id, seq)
);

CREATE TABLE adoptions (
    snapshot_id BIGINT NOT NULL REFERENCES snapshots (id),
    spec BIGINT NOT NULL,
    PRIMARY KEY (snapshot_id, spec)
);
CREATE INDEX adoptions_spec ON adoptions (spec, snapshot_id);

-- The timeline: per project and month, the snapshot that stands for it (a scan outranks a
-- replay of the same month; among equals the newest wins). Errors never enter it.
CREATE TABLE monthly (
    project_id BIGINT NOT NULL REFERENCES projects (id),
    month TEXT NOT NULL,
    snapshot_id BIGINT NOT NULL REFERENCES snapshots (id),
    rank BIGINT NOT NULL,
    PRIMARY KEY (project_id, month)
);
CREATE INDEX monthly_snapshot ON monthly (snapshot_id);

-- The newest scan snapshot per project (errors included: the dashboard shows them).
CREATE TABLE latest (
    project_id BIGINT PRIMARY KEY REFERENCES projects (id),
    snapshot_id BIGINT NOT NULL REFERENCES snapshots (id)
);

CREATE TABLE jobs (
    id {id},
    run_id BIGINT NOT NULL REFERENCES runs (id),
    project_id BIGINT NOT NULL REFERENCES projects (id),
    state TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    worker TEXT,
    lease_until BIGINT,
    snapshot_id BIGINT REFERENCES snapshots (id),
    UNIQUE (run_id, project_id)
);
CREATE INDEX jobs_state ON jobs (state, id);
"#,
    // 2: what identifies the evaluated state, for skipping unchanged projects: the commit of a
    // repository, a fingerprint of the files of a plain directory.
    r#"
ALTER TABLE snapshots ADD COLUMN revision TEXT;
"#,
];
