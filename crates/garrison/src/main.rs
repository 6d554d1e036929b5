//! `garrison`: the command line. Argument parsing, wiring and exit codes only; every analysis
//! lives in a library crate.

mod commands;
mod db;
mod files;
mod history;
mod impact;
mod keyless;
mod output;
mod progress;
mod release;
mod sbom;
mod sign;
mod verify;
mod verify_lock;

use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = garrison_cli::Cli::parse_about(env!("CARGO_PKG_DESCRIPTION"));
    match commands::run(cli) {
        Ok(code) => code,
        Err(e) => {
            let mut chain = format!("{e}");
            for cause in e.chain().skip(1) {
                chain.push_str(&format!("\n  caused by: {cause}"));
            }
            output::eprintln(&format!("garrison: error: {chain}"));
            ExitCode::from(2)
        }
    }
}
