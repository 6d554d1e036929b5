//! The history part of a scan: the window of recent history to review, and the review.

use std::path::Path;

use garrison_history::review::{self, DEFAULT_WINDOW};
use garrison_history::{HistoryError, Mining, OnProgress, Window};
use garrison_report::Report;
use garrison_report::config::Config;

use crate::{ScanError, ScanOptions};

/// The history window of a scan: `option` (`--history-window`), else the configuration's
/// `history-window`, else [`DEFAULT_WINDOW`]; durations count back from `now` (Unix seconds).
/// A window that cannot be read is an error naming where it came from.
pub fn window(option: Option<&str>, cfg: &Config, now: i64) -> Result<Window, ScanError> {
    match (option, cfg.history_window.as_deref()) {
        (Some(w), _) => Window::parse_at(w, now).map_err(ScanError::WindowOption),
        (None, Some(w)) => Window::parse_at(w, now).map_err(ScanError::WindowConfig),
        (None, None) => Ok(Window::parse_at(DEFAULT_WINDOW, now)?),
    }
}

/// Risky commits of the recent `window`, when the checkout is a git repository (see
/// [`review::review_recent`]); the error that kept the history from being read, if any (the
/// report says it too).
pub(crate) fn review(
    report: &mut Report,
    path: &Path,
    window: &Window,
    selected: &dyn Fn(&str) -> bool,
    opts: &ScanOptions,
) -> Option<HistoryError> {
    let stage = opts.progress.start("mining history", 0);
    let m = Mining {
        cache: opts.history_cache.clone(),
        progress: Some(OnProgress::new(move |done, total| {
            stage.position(done as u64, total as u64);
        })),
        ..Mining::default()
    };
    review::review_recent(report, path, window, selected, &m)
}
