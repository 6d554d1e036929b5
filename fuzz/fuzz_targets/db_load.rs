//! Fuzz target for `garrison-advisories`' database index and embedded-snapshot format, which
//! `--db FILE` reads from the user: `Database::from_bytes` must refuse bad input with an
//! error (never panic, never allocate without bound), and every package of an accepted index
//! must decode or fail cleanly (`verify`, lookups). Seeds: a real snapshot made with
//! `garrison db snapshot` and an index made with `garrison db import` (see fuzz/README.md).

#![no_main]

use std::borrow::Cow;
use std::path::Path;

use garrison_advisories::Database;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(db) = Database::from_bytes(Cow::Owned(data.to_vec()), Path::new("fuzz.db")) else {
        return;
    };
    let _ = db.status();
    let _ = db.verify();
    let _ = db.find("PYSEC-2023-238");
    let _ = db.all_vulnerabilities().len();
});
