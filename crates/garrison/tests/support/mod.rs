//! Shared by the CLI tests that read the advisory snapshot built into Garrison.
#![allow(dead_code, clippy::expect_used)]

use garrison_test::cli::Run;

/// Redacts the facts of the embedded advisory snapshot, which change whenever it is refreshed
/// (a step of RELEASING.md): its source, newest record and date, its record, vulnerability and
/// package counts, and whether it is stale. The staleness warning (which appears once the
/// snapshot is older than 30 days) is removed after checking that it is there exactly when the
/// snapshot is stale. Facts of other databases are left alone.
pub fn embedded(r: Run) -> Run {
    use garrison_advisories::snapshot::{STALE_AFTER_DAYS, embedded};
    let db = embedded().expect("the embedded snapshot");
    let s = db.status();
    let now = u64::try_from(garrison_source::time::now()).unwrap_or(0);
    let stale = s.age_days(now).is_none_or(|d| d > STALE_AFTER_DAYS);
    let date = s.newest_modified.get(..10).unwrap_or_default();
    let records = format!(
        "{} ({} withdrawn, {} unreadable)",
        s.records, s.withdrawn, s.errors
    );
    let vulns = format!(
        "{} (aliases merged) in {} packages",
        s.vulnerabilities, s.packages
    );
    let r = r.redact_all(&[
        (s.source.as_str(), "[EMBEDDED SOURCE]"),
        (s.newest_modified.as_str(), "[EMBEDDED NEWEST]"),
        (date, "[EMBEDDED DATE]"),
        (&records, "[N] ([N] withdrawn, [N] unreadable)"),
        (&vulns, "[N] (aliases merged) in [N] packages"),
    ]);
    let warnings = [
        "the embedded advisory snapshot is [N] days old",
        "warning: older than 30 days; run `garrison db sync`",
    ];
    let drop_warnings = |text: &str| -> String {
        let kept: Vec<&str> = text
            .split_inclusive('\n')
            .filter(|l| !warnings.iter().any(|w| l.contains(w)))
            .collect();
        let found = kept.len() != text.split_inclusive('\n').count();
        // Text and Markdown reports and `db status` state the snapshot, then warn when it is
        // stale; JSON says `"stale": true`.
        let stated = [
            "embedded snapshot of [EMBEDDED DATE]",
            "snapshot:        (embedded)",
        ]
        .iter()
        .any(|s| text.contains(s));
        if stated {
            assert_eq!(
                found, stale,
                "staleness warning shown: {found}, stale: {stale}:\n{text}"
            );
        }
        if text.contains("\"source\": \"embedded\"") {
            assert!(
                text.contains(&format!("\"stale\": {stale}")),
                "stale: {stale}:\n{text}"
            );
        }
        kept.concat()
            .replace("\"stale\": true", "\"stale\": \"[STALE]\"")
            .replace("\"stale\": false", "\"stale\": \"[STALE]\"")
    };
    let mut r = r;
    r.stdout = drop_warnings(&r.stdout);
    r.stderr = drop_warnings(&r.stderr);
    r
}
