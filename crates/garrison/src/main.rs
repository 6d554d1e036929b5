//! `garrison`: the command line. Argument parsing, wiring and exit codes only; every analysis
//! lives in a library crate.

mod advisories;
mod cli;
mod commands;
mod db;
mod deps;
mod history;
mod impact;
mod keyless;
mod output;
mod posture;
mod progress;
mod registry;
mod release;
mod sbom;
mod sign;
mod verify;
mod verify_lock;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match commands::run(cli) {
        Ok(code) => code,
        Err(e) => {
            let mut chain = format!("{e}");
            let mut last = chain.clone();
            for cause in e.chain().skip(1) {
                let cause = cause.to_string();
                // An error whose message already ends with its cause's (`{path}: {source}`)
                // would print the cause twice.
                if !last.ends_with(&cause) {
                    chain.push_str(&format!("\n  caused by: {cause}"));
                }
                last = cause;
            }
            output::eprintln(&format!("garrison: error: {chain}"));
            ExitCode::from(2)
        }
    }
}
