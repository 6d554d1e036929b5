//! Times import, save, load and a first lookup of an advisory database, then the same for the
//! snapshot embedded in this build (open, first lookup, inflate and decode every package).
//!
//! `cargo run --release -p garrison-advisories --example db_timing -- PATH [INDEX]`
#![allow(clippy::print_stdout)]

use std::path::PathBuf;
use std::time::Instant;

use garrison_advisories::Database;
use garrison_python::PackageName;
use garrison_python::pep440::parse_version;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let src = PathBuf::from(args.next().ok_or("usage: db_timing PATH [INDEX]")?);
    let index = args.next().map_or_else(
        || std::env::temp_dir().join("garrison-advisories.db"),
        PathBuf::from,
    );
    let t = Instant::now();
    let (db, errors) = Database::import(&src)?;
    println!(
        "import: {:?} ({} records, {} errors)",
        t.elapsed(),
        db.status().records,
        errors.len()
    );
    let t = Instant::now();
    db.save(&index)?;
    println!(
        "save: {:?} ({} bytes)",
        t.elapsed(),
        std::fs::metadata(&index)?.len()
    );
    let mut best = f64::MAX;
    for _ in 0..20 {
        let t = Instant::now();
        let loaded = Database::load(&index)?;
        best = best.min(t.elapsed().as_secs_f64());
        drop(loaded);
    }
    println!("load (best of 20): {:.2} ms", best * 1e3);
    let t = Instant::now();
    let loaded = Database::load(&index)?;
    let hits = loaded.affected(&PackageName::new("pillow")?, &parse_version("8.0.0")?);
    println!(
        "load + first pillow lookup: {:?} ({} hits)",
        t.elapsed(),
        hits.len()
    );
    let t = Instant::now();
    loaded.verify().map_err(|e| e.to_string())?;
    println!("decode every package: {:?}", t.elapsed());

    let mut best = f64::MAX;
    for _ in 0..20 {
        let t = Instant::now();
        let snap = garrison_advisories::snapshot::embedded()?;
        best = best.min(t.elapsed().as_secs_f64());
        drop(snap);
    }
    println!(
        "embedded snapshot ({} bytes): open (best of 20): {:.3} ms",
        garrison_advisories::snapshot::embedded_size(),
        best * 1e3
    );
    let t = Instant::now();
    let snap = garrison_advisories::snapshot::embedded()?;
    let hits = snap.affected(&PackageName::new("pillow")?, &parse_version("8.0.0")?);
    println!(
        "embedded: open + first pillow lookup: {:?} ({} hits)",
        t.elapsed(),
        hits.len()
    );
    let t = Instant::now();
    snap.verify().map_err(|e| e.to_string())?;
    println!(
        "embedded: inflate and decode every package: {:?}",
        t.elapsed()
    );
    Ok(())
}
