//! Progress on long work: a bar on standard error when it is a terminal, nothing otherwise
//! (piped, redirected, CI logs). Libraries report progress through plain callbacks
//! (`FnMut(done, total)` or similar); this module is the only place that draws.

use std::io::IsTerminal;
use std::sync::Arc;
use std::time::Duration;

use garrison_scan::Stage;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A progress bar, or nothing when standard error is not a terminal.
pub struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    /// A bar of `total` steps (a spinner when `total` is 0) labelled `what`, drawn only on a
    /// terminal. `GARRISON_NO_PROGRESS` turns it off.
    pub fn new(what: &str, total: u64) -> Progress {
        let on = std::io::stderr().is_terminal()
            && std::env::var_os("GARRISON_NO_PROGRESS").is_none()
            && std::env::var("TERM").map_or(true, |t| t != "dumb");
        if !on {
            return Progress { bar: None };
        }
        let bar = if total == 0 {
            let b = ProgressBar::new_spinner();
            b.set_style(
                ProgressStyle::with_template("{spinner} {prefix} {pos} {msg} [{elapsed}]")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            b.enable_steady_tick(Duration::from_millis(120));
            b
        } else {
            let b = ProgressBar::new(total);
            b.set_style(bar_style());
            b
        };
        // At most 10 redraws a second, on standard error.
        bar.set_draw_target(ProgressDrawTarget::stderr_with_hz(10));
        bar.set_prefix(what.to_string());
        Progress { bar: Some(bar) }
    }

    /// Advances by `n`.
    pub fn inc(&self, n: u64) {
        if let Some(b) = &self.bar {
            b.inc(n);
        }
    }

    /// A callback a library calls with `(done, total)` (from any thread), drawing on this bar;
    /// `None` when nothing is drawn.
    pub fn callback(&self) -> Option<impl Fn(u64, u64) + Send + Sync + 'static> {
        let b = self.bar.clone()?;
        Some(move |done, total| set(&b, done, total))
    }

    /// A short message after the counter (the current file or dist).
    pub fn message(&self, msg: impl Into<std::borrow::Cow<'static, str>>) {
        if let Some(b) = &self.bar {
            b.set_message(msg);
        }
    }
}

fn bar_style() -> ProgressStyle {
    ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} {msg} [{elapsed}, {eta} left]")
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ")
}

/// Sets the position and the total (a spinner becomes a bar once the total is known).
fn set(b: &ProgressBar, done: u64, total: u64) {
    if total > 0 && b.length() != Some(total) {
        b.disable_steady_tick();
        b.set_style(bar_style());
        b.set_length(total);
    }
    b.set_position(done);
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

/// Bars for the stages of long work in the libraries ([`garrison_scan::Progress`]).
pub struct Bars;

impl garrison_scan::Progress for Bars {
    fn start(&self, what: &str, total: u64) -> Arc<dyn Stage> {
        Arc::new(Progress::new(what, total))
    }
}

impl Stage for Progress {
    fn step(&self, item: &str) {
        self.inc(1);
        self.message(item.to_string());
    }

    fn position(&self, done: u64, total: u64) {
        if let Some(b) = &self.bar {
            set(b, done, total);
        }
    }
}
