//! Reading the store: every query the pages make, converted to [`crate::model`] rows (one
//! field per column, nothing computed).

use garrison_store::{Mode, Store};

use crate::ServerError;
use crate::model::{Evidence, ItemVerdict, Project, Scan, TimelineRow};

/// The store the server reads.
pub struct Data {
    store: Store,
}

impl From<garrison_store::StoreError> for ServerError {
    fn from(e: garrison_store::StoreError) -> ServerError {
        ServerError::Store(e)
    }
}

fn scan(s: garrison_store::Snapshot) -> Scan {
    Scan {
        project: s.project,
        kind: s.kind.as_str().to_string(),
        month: s.month,
        taken_at: garrison_source::time::datetime_utc(s.taken_at),
        commit: s.commit,
        repository: s.repository,
        error: s.error,
        adopted: s.adopted,
        verdicts: s
            .verdicts
            .into_iter()
            .map(|v| ItemVerdict {
                evidence: Evidence::list(&v.evidence),
                item: v.item,
                spec: v.spec,
                status: v.status,
            })
            .collect(),
    }
}

impl Data {
    /// Opens an existing store (`None`: the default SQLite file); a missing database is an
    /// error, never silently created.
    pub async fn open(url: Option<&str>) -> Result<Data, ServerError> {
        Ok(Data {
            store: Store::open(url, Mode::Existing).await?,
        })
    }

    /// Reads an opened store.
    pub fn new(store: Store) -> Data {
        Data { store }
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The store's generation: changes on every write.
    pub async fn generation(&self) -> Result<i64, ServerError> {
        Ok(self.store.generation().await?)
    }

    /// Every project, by name.
    pub async fn projects(&self) -> Result<Vec<Project>, ServerError> {
        Ok(self
            .store
            .projects()
            .await?
            .into_iter()
            .map(|p| Project {
                name: p.name,
                core: p.core,
                org: p.org,
                repositories: p.repositories,
                pypi: p.pypi,
                endorses: p.endorses,
            })
            .collect())
    }

    /// The latest snapshot of every project.
    pub async fn latest(&self) -> Result<Vec<Scan>, ServerError> {
        Ok(self.store.latest().await?.into_iter().map(scan).collect())
    }

    /// The latest snapshot of one project.
    pub async fn latest_for(&self, name: &str) -> Result<Option<Scan>, ServerError> {
        Ok(self.store.latest_for(name).await?.map(scan))
    }

    /// A project's monthly timeline.
    pub async fn timeline(&self, name: &str) -> Result<Vec<TimelineRow>, ServerError> {
        Ok(self
            .store
            .timeline(Some(name))
            .await?
            .into_iter()
            .map(|r| TimelineRow {
                month: r.month,
                item: r.item,
                status: r.status,
            })
            .collect())
    }

    /// Projects adopting `spec` per month.
    pub async fn adoption_by_month(&self, spec: u32) -> Result<Vec<(String, u32)>, ServerError> {
        Ok(self
            .store
            .adoption_by_month(spec)
            .await?
            .into_iter()
            .map(|(m, c)| (m, u32::try_from(c).unwrap_or(0)))
            .collect())
    }
}
