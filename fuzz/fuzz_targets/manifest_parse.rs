//! Fuzz target for the ecosystem manifest (`garrison ecosystem scan --manifest`): any text is
//! either refused with a file:line:column error or parsed, and a parsed manifest survives
//! `to_toml` and a second parse unchanged.

#![no_main]

use std::path::Path;

use garrison_fleet::Manifest;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let path = Path::new("projects.toml");
    match Manifest::parse(text, path) {
        Err(e) => assert!(e.to_string().starts_with("projects.toml:"), "{e}"),
        Ok(m) => {
            let again = m.to_toml();
            let back = Manifest::parse(&again, path);
            assert!(back.is_ok(), "round trip failed: {again:?} -> {back:?}");
            if let Ok(back) = back {
                assert_eq!(back, m, "round trip changed the manifest via {again:?}");
            }
            let _ = m.projects.iter().map(|p| p.locations(Path::new("/base"))).count();
        }
    }
});
