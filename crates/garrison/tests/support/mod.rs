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
    // Drops the warning lines of `text`; whether it had any.
    let drop_warnings = |text: &str| -> (String, bool) {
        let kept: Vec<&str> = text
            .split_inclusive('\n')
            .filter(|l| !warnings.iter().any(|w| l.contains(w)))
            .collect();
        let found = kept.len() != text.split_inclusive('\n').count();
        let kept = kept
            .concat()
            .replace("\"stale\": true", "\"stale\": \"[STALE]\"")
            .replace("\"stale\": false", "\"stale\": \"[STALE]\"");
        (kept, found)
    };
    let all = format!("{}{}", r.stdout, r.stderr);
    // Text and Markdown reports and `db status` state the snapshot, then warn (on either
    // stream) when it is stale; JSON says `"stale": true`.
    let stated = [
        "embedded snapshot of [EMBEDDED DATE]",
        "snapshot:        (embedded)",
    ]
    .iter()
    .any(|s| all.contains(s));
    if all.contains("\"source\": \"embedded\"") {
        assert!(
            all.contains(&format!("\"stale\": {stale}")),
            "stale: {stale}:\n{all}"
        );
    }
    let mut r = r;
    let (stdout, in_stdout) = drop_warnings(&r.stdout);
    let (stderr, in_stderr) = drop_warnings(&r.stderr);
    if stated {
        let found = in_stdout || in_stderr;
        assert_eq!(
            found, stale,
            "staleness warning shown: {found}, stale: {stale}:\n{all}"
        );
    }
    r.stdout = stdout;
    r.stderr = stderr;
    r
}
