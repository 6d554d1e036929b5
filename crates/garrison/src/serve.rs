//! `garrison serve`: opens the store and runs the web app until SIGINT/SIGTERM.

use std::process::ExitCode;

use anyhow::{Context as _, Result};
use garrison_cli::ServeArgs;

use crate::output::eprintln;

/// Runs `garrison serve`.
pub fn run(args: &ServeArgs) -> Result<ExitCode> {
    garrison_server::serve_blocking(
        &garrison_server::ServeOptions {
            database: args.db.database.clone(),
            bind: args.bind,
            public_url: args.public_url.clone(),
        },
        |addr| {
            eprintln(&format!(
                "garrison serve: listening on http://{addr}/ (Ctrl-C stops)"
            ))
        },
    )
    .with_context(|| format!("cannot serve on {}", args.bind))?;
    Ok(ExitCode::SUCCESS)
}
