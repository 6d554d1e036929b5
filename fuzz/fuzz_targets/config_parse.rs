//! Fuzz target for `garrison-report`'s configuration: a TOML string deserialized into
//! `Config` (as `garrison.toml` is), then rule selection and exclude globs are exercised and
//! the value must survive a serialize/deserialize round trip.

#![no_main]

use garrison_report::config::Config;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(config) = toml::from_str::<Config>(text) else {
        return;
    };
    let _ = config.selects("workflow/template-injection");
    let _ = config.selects("posture/security-policy");
    for m in config.exclude_matchers() {
        let _ = m.is_match(".github/workflows/ci.yml");
    }
    let mut merged = Config::default();
    merged.merge_cli(config.clone());
    if let Ok(again) = toml::to_string(&config) {
        let back = toml::from_str::<Config>(&again);
        assert!(back.is_ok(), "round trip failed: {again:?} -> {back:?}");
        if let Ok(back) = back {
            assert_eq!(back, config, "round trip changed the value via {again:?}");
        }
    }
});
