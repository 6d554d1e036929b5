//! Progress of long work (reading many dependency files, mining history), told to the caller,
//! which decides whether and how to show it: the CLI draws bars on a terminal, the fleet passes
//! [`NoProgress`]. Nothing here draws or prints.

use std::sync::Arc;

/// Told when a stage of long work begins.
pub trait Progress: Send + Sync {
    /// A stage labelled `what` (`reading dependency files`, `mining history`) of `total` steps
    /// (0 while unknown) begins; it ends when the last clone of the returned handle is dropped.
    fn start(&self, what: &str, total: u64) -> Arc<dyn Stage>;
}

/// One stage of long work under way. Called from any thread.
pub trait Stage: Send + Sync {
    /// One step is done; `item` names it (the file being read).
    fn step(&self, item: &str);
    /// `done` of `total` steps are done (`total` 0 while unknown).
    fn position(&self, done: u64, total: u64);
}

/// Progress nobody watches.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn start(&self, _: &str, _: u64) -> Arc<dyn Stage> {
        Arc::new(NoProgress)
    }
}

impl Stage for NoProgress {
    fn step(&self, _: &str) {}
    fn position(&self, _: u64, _: u64) {}
}
