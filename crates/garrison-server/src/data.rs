//! Reading the store: every query the pages make, converted to [`crate::model`] rows.
//! (Placeholder until garrison-store lands: an empty store.)

use crate::ServerError;
use crate::model::{Project, Scan, TimelineRow};

/// The store the server reads.
pub struct Data {}

impl Data {
    /// Opens an existing store.
    pub async fn open(_url: Option<&str>) -> Result<Data, ServerError> {
        Ok(Data {})
    }
    /// The store's generation: changes on every write.
    pub async fn generation(&self) -> Result<i64, ServerError> {
        Ok(0)
    }
    /// Every project.
    pub async fn projects(&self) -> Result<Vec<Project>, ServerError> {
        Ok(Vec::new())
    }
    /// The latest snapshot of every project.
    pub async fn latest(&self) -> Result<Vec<Scan>, ServerError> {
        Ok(Vec::new())
    }
    /// The latest snapshot of one project.
    pub async fn latest_for(&self, _name: &str) -> Result<Option<Scan>, ServerError> {
        Ok(None)
    }
    /// A project's monthly timeline.
    pub async fn timeline(&self, _name: &str) -> Result<Vec<TimelineRow>, ServerError> {
        Ok(Vec::new())
    }
    /// Projects adopting `spec` per month.
    pub async fn adoption_by_month(&self, _spec: u32) -> Result<Vec<(String, u32)>, ServerError> {
        Ok(Vec::new())
    }
}
