//! `garrison`: the command line. Argument parsing, wiring and exit codes only; every analysis
//! lives in a library crate.

mod commands;
mod db;
mod ecosystem;
mod files;
mod history;
mod impact;
mod keyless;
mod output;
mod progress;
mod release;
mod sbom;
mod serve;
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
            let mut previous = chain.clone();
            for cause in e.chain().skip(1) {
                let cause = cause.to_string();
                // Many errors already end with their cause (`PATH: CAUSE`): say it once.
                if !previous.ends_with(&cause) {
                    // A cause of several lines (a regex parse error) stays under its heading.
                    let cause = cause.replace('\n', "\n    ");
                    chain.push_str(&format!("\n  caused by: {cause}"));
                }
                previous = cause;
            }
            output::eprintln(&format!("garrison: error: {chain}"));
            ExitCode::from(2)
        }
    }
}
