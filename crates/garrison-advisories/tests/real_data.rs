//! Tests on the real PyPA advisory database (`../shared/data/advisories/pypa-advisory-database`,
//! git 3ccb612, 2024-10-10). Skipped when the data is missing. Every expected hit below was
//! checked by reading the YAML (and with an independent Python implementation of the OSV
//! algorithm over `packaging.version`).
#![allow(clippy::unwrap_used, clippy::print_stderr)]

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Instant;

use garrison_advisories::{Database, MatchSource, Verdict};
use garrison_python::pep440::{parse_specifiers, parse_version};
use garrison_python::{PackageName, VersionRef};
use garrison_report::{Confidence, Severity};

fn data() -> Option<PathBuf> {
    let p = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/advisories/pypa-advisory-database"
    ));
    p.join("vulns").is_dir().then_some(p)
}

fn db() -> Option<&'static Database> {
    static DB: OnceLock<Option<Database>> = OnceLock::new();
    let db = DB
        .get_or_init(|| {
            let path = data()?;
            let (db, errors) = Database::import(&path).unwrap();
            assert!(errors.is_empty(), "{errors:#?}");
            Some(db)
        })
        .as_ref();
    garrison_test::require::require(db, "the shared PyPA advisory database")
}

fn ids(db: &Database, name: &str, version: &str) -> BTreeSet<String> {
    db.affected(
        &PackageName::new(name).unwrap(),
        &parse_version(version).unwrap(),
    )
    .into_iter()
    .map(|m| m.id)
    .collect()
}

fn set(ids: &[&str]) -> BTreeSet<String> {
    ids.iter().map(|s| s.to_string()).collect()
}

#[test]
fn imports_every_record() {
    let Some(db) = db() else { return };
    let s = db.status();
    assert_eq!(s.records, 2661);
    assert_eq!(s.withdrawn, 10);
    assert_eq!(s.errors, 0);
    assert!(
        s.source.starts_with("PyPA advisory-database checkout"),
        "{}",
        s.source
    );
    assert!(
        s.source
            .contains("3ccb612573e2511ab5cad7dafecd838605c80cda")
    );
    // 2651 live records; 345 groups of records share ids/aliases (e.g. the same CVE filed for
    // `democritus-urls` and `d8s-html`), leaving 2055 vulnerabilities.
    assert_eq!(s.vulnerabilities, 2055);
    // 663 package directories; 3 hold only withdrawn records.
    assert_eq!(s.packages, 660);
    assert!(
        s.newest_modified.starts_with("2024-10"),
        "{}",
        s.newest_modified
    );
    assert!(s.age_days(s.imported_at).unwrap() > 7);
}

#[test]
fn pillow_8_0_0() {
    let Some(db) = db() else { return };
    let got = ids(db, "pillow", "8.0.0");
    // Same set as the independent Python check; no two pillow records share an alias.
    let want = set(&[
        "PYSEC-2021-137",
        "PYSEC-2021-138",
        "PYSEC-2021-139",
        "PYSEC-2021-317",
        "PYSEC-2021-331",
        "PYSEC-2021-35",
        "PYSEC-2021-36",
        "PYSEC-2021-37",
        "PYSEC-2021-38",
        "PYSEC-2021-39",
        "PYSEC-2021-40",
        "PYSEC-2021-41",
        "PYSEC-2021-42",
        "PYSEC-2021-69",
        "PYSEC-2021-70",
        "PYSEC-2021-71",
        "PYSEC-2021-92",
        "PYSEC-2021-93",
        "PYSEC-2021-94",
        "PYSEC-2022-10",
        "PYSEC-2022-168",
        "PYSEC-2022-42979",
        "PYSEC-2022-8",
        "PYSEC-2022-9",
        "PYSEC-2023-175",
        "PYSEC-2023-227",
    ]);
    assert_eq!(got, want);
    // Names are compared normalized.
    assert_eq!(ids(db, "Pillow", "8.0.0"), want);
    assert_eq!(ids(db, "pillow", "10.0.0"), set(&["PYSEC-2023-175"]));
    assert_eq!(ids(db, "pillow", "10.3.0"), set(&[]));
}

#[test]
fn scipy() {
    let Some(db) = db() else { return };
    let scipy = PackageName::new("scipy").unwrap();
    // PYSEC-2023-102: introduced 0, fixed 1.10.0 (+ versions list); PYSEC-2023-114: fixed 1.8.0.
    assert_eq!(
        ids(db, "scipy", "1.7.0"),
        set(&["PYSEC-2023-102", "PYSEC-2023-114"])
    );
    assert_eq!(ids(db, "scipy", "1.9.3"), set(&["PYSEC-2023-102"]));
    assert_eq!(ids(db, "scipy", "1.10.0"), set(&[]));
    // A pre-release of the fixed version is before it: affected (and listed).
    let rc = db.affected(&scipy, &parse_version("1.10.0rc1").unwrap());
    assert_eq!(rc.len(), 1);
    assert_eq!(rc[0].source_label(), "ranges+versions-list");
    // 1.10.0rc3 is not listed, but still before the fix.
    let rc3 = db.affected(&scipy, &parse_version("1.10.0rc3").unwrap());
    assert_eq!(rc3[0].source_label(), "ranges");
    assert!(rc3[0].disagreement.is_some());

    let m = db.affected(&scipy, &parse_version("1.7.0").unwrap());
    let m102 = m.iter().find(|m| m.id == "PYSEC-2023-102").unwrap();
    assert_eq!(m102.vulnerability.aliases, ["CVE-2023-25399"]);
    assert_eq!(m102.fixed, [parse_version("1.10.0").unwrap()]);
    let m114 = m.iter().find(|m| m.id == "PYSEC-2023-114").unwrap();
    assert_eq!(m114.fixed, [parse_version("1.8.0").unwrap()]);
    // 1.8.0 fixes PYSEC-2023-114 but not PYSEC-2023-102: the smallest fix for both is 1.10.0.
    assert_eq!(
        db.smallest_fix(&scipy, &parse_version("1.7.0").unwrap()),
        Some(parse_version("1.10.0").unwrap())
    );
    assert_eq!(
        db.smallest_fix(&scipy, &parse_version("1.10.0").unwrap()),
        None
    );

    // Library mode: `scipy>=1.7.2` admits the final releases 1.7.2 … 1.9.3 listed in
    // PYSEC-2023-102 (pre-releases such as 1.8.0rc1 are not chosen by an installer).
    let specs = parse_specifiers(">=1.7.2").unwrap();
    let adm = db.affected_versions_admitted(&scipy, &specs);
    let a102 = adm.iter().find(|a| a.id == "PYSEC-2023-102").unwrap();
    let got: Vec<String> = a102
        .affected_versions
        .iter()
        .map(|v| v.to_string())
        .collect();
    assert_eq!(
        got,
        [
            "1.7.2", "1.7.3", "1.8.0", "1.8.1", "1.9.0", "1.9.1", "1.9.2", "1.9.3"
        ]
    );
    assert_eq!(
        a102.recommended_floor,
        Some(parse_version("1.10.0").unwrap())
    );
    let a114 = adm.iter().find(|a| a.id == "PYSEC-2023-114").unwrap();
    assert_eq!(a114.affected_versions.len(), 2); // 1.7.2, 1.7.3
    assert_eq!(
        a114.recommended_floor,
        Some(parse_version("1.8.0").unwrap())
    );
    assert!(
        db.affected_versions_admitted(&scipy, &parse_specifiers(">=1.10").unwrap())
            .is_empty()
    );
    // With a pre-release in the specifier, pre-releases count.
    let pre = db.affected_versions_admitted(&scipy, &parse_specifiers(">=1.10.0rc1").unwrap());
    assert_eq!(pre.len(), 1);
    assert_eq!(pre[0].affected_versions.len(), 2); // 1.10.0rc1, 1.10.0rc2
}

#[test]
fn several_introduced_out_of_order() {
    // vulns/oslo-middleware/PYSEC-2018-104.yaml: introduced 3.9.0, fixed 3.19.1, introduced 0,
    // fixed 3.8.1, introduced 3.20.0, fixed 3.23.1 (written out of order).
    let Some(db) = db() else { return };
    let hit = |v: &str| ids(db, "oslo.middleware", v).contains("PYSEC-2018-104");
    assert!(hit("3.8.0"));
    assert!(!hit("3.8.1"));
    assert!(!hit("3.8.9"));
    assert!(hit("3.9.0"));
    assert!(hit("3.19.0"));
    assert!(!hit("3.19.1"));
    assert!(hit("3.20.0"));
    assert!(!hit("3.23.1"));
}

#[test]
fn last_affected_with_post_and_local() {
    // vulns/py/PYSEC-2022-42969.yaml: introduced 0, last_affected 1.11.0 (the only
    // last_affected in the data).
    let Some(db) = db() else { return };
    let hit = |v: &str| ids(db, "py", v).contains("PYSEC-2022-42969");
    assert!(hit("1.11.0"));
    assert!(hit("1.11.0rc1"));
    // Local label ignored against an event without one: a local build of 1.11.0 is 1.11.0.
    assert!(hit("1.11.0+cu118"));
    // Post releases are after the release: beyond last_affected.
    assert!(!hit("1.11.0.post1"));
    assert!(!hit("1.11.1"));
    // No fixed version exists: no fix candidate, no smallest fix.
    let m = db.affected(
        &PackageName::new("py").unwrap(),
        &parse_version("1.11.0").unwrap(),
    );
    assert!(m.iter().all(|m| m.fixed.is_empty()));
    assert_eq!(
        db.smallest_fix(
            &PackageName::new("py").unwrap(),
            &parse_version("1.11.0").unwrap()
        ),
        None
    );
}

#[test]
fn versions_list_disagrees_with_ranges() {
    // vulns/gevent/PYSEC-2023-177.yaml: ranges say fixed 23.9.0, but 23.9.0 and 23.9.0.post1
    // are listed: affected (OSV's IncludedInVersions), with the disagreement as evidence.
    let Some(db) = db() else { return };
    let m = db.affected(
        &PackageName::new("gevent").unwrap(),
        &parse_version("23.9.0").unwrap(),
    );
    let m = m.iter().find(|m| m.id == "PYSEC-2023-177").unwrap();
    assert_eq!(m.source_label(), "versions-list");
    assert!(
        m.disagreement
            .as_deref()
            .unwrap()
            .contains("outside its ranges")
    );
    assert!(ids(db, "gevent", "23.9.0.post1").contains("PYSEC-2023-177"));
    assert!(!ids(db, "gevent", "23.9.1").contains("PYSEC-2023-177"));
    // vulns/django/PYSEC-2023-61.yaml lists 3.2rc1 while the range starts at introduced 3.2.
    let m = db.affected(
        &PackageName::new("django").unwrap(),
        &parse_version("3.2rc1").unwrap(),
    );
    let m = m.iter().find(|m| m.id == "PYSEC-2023-61").unwrap();
    assert_eq!(m.source_label(), "versions-list");
}

#[test]
fn non_pep440_events_are_not_evaluated() {
    let Some(db) = db() else { return };
    // vulns/binderhub/PYSEC-2021-371.yaml: ECOSYSTEM fixed `0.2.0-n653` (and a GIT range,
    // ignored); no versions list.
    let e = db.evaluate(
        &PackageName::new("binderhub").unwrap(),
        &VersionRef::Pep440(parse_version("0.1.0").unwrap()),
    );
    assert!(e.matches.iter().all(|m| m.id != "PYSEC-2021-371"));
    let (_, reason) = e
        .not_evaluated
        .iter()
        .find(|(id, _)| id == "PYSEC-2021-371")
        .unwrap();
    assert!(reason.contains("0.2.0-n653"), "{reason}");
    // vulns/steam/PYSEC-2019-125.yaml: fixed `2019-09-12`.
    let e = db.evaluate(
        &PackageName::new("steam").unwrap(),
        &VersionRef::Pep440(parse_version("0.9.0").unwrap()),
    );
    assert!(e.matches.is_empty());
    assert!(e.not_evaluated[0].1.contains("2019-09-12"));
}

#[test]
fn raw_versions_match_the_list_only() {
    let Some(db) = db() else { return };
    // vulns/paramiko/PYSEC-2018-19.yaml lists `0.9-ivysaur`, which is not PEP 440.
    let paramiko = PackageName::new("paramiko").unwrap();
    let e = db.evaluate(&paramiko, &VersionRef::Raw("0.9-ivysaur".into()));
    let m = e.matches.iter().find(|m| m.id == "PYSEC-2018-19").unwrap();
    assert_eq!(
        m.sources,
        [MatchSource::VersionsList {
            record_id: "PYSEC-2018-19".into(),
            listed: "0.9-ivysaur".into()
        }]
    );
    // An unlisted raw version cannot be placed in the ranges: not evaluated, never a guess.
    let e = db.evaluate(&paramiko, &VersionRef::Raw("9.9-zubat".into()));
    assert!(e.matches.is_empty());
    assert!(!e.not_evaluated.is_empty());
    assert!(e.not_evaluated[0].1.contains("not a PEP 440 version"));
}

#[test]
fn names_and_withdrawn() {
    let Some(db) = db() else { return };
    // `jw.util` is written unnormalized in vulns/jw.util/PYSEC-2020-341.yaml.
    assert!(ids(db, "jw_util", "2.0").contains("PYSEC-2020-341"));
    assert!(ids(db, "JW.Util", "2.0").contains("PYSEC-2020-341"));
    // vulns/redis/PYSEC-2023-73.yaml is withdrawn: never reported.
    assert!(db.find("PYSEC-2023-73").is_none());
    for v in ["4.5.3", "4.4.3", "4.3.6"] {
        assert!(!ids(db, "redis", v).contains("PYSEC-2023-73"));
    }
}

#[test]
fn aliases_merged_across_packages() {
    // vulns/case-utils/PYSEC-2024-5.yaml and vulns/cdo-local-uuid/PYSEC-2024-6.yaml are the same
    // CVE-2024-22194 / GHSA-rgrf-6mf5-m882.
    let Some(db) = db() else { return };
    let v = db.find("CVE-2024-22194").unwrap();
    assert_eq!(v.id, "PYSEC-2024-5");
    assert_eq!(
        v.aliases,
        ["CVE-2024-22194", "GHSA-rgrf-6mf5-m882", "PYSEC-2024-6"]
    );
    assert_eq!(db.find("GHSA-rgrf-6mf5-m882").unwrap().id, "PYSEC-2024-5");
    // Each package reports its own record's id.
    assert!(ids(db, "cdo-local-uuid", "0.4.0").contains("PYSEC-2024-6"));
    let cu = db.vulnerabilities(&PackageName::new("case-utils").unwrap());
    assert!(cu.iter().any(|v| v.id == "PYSEC-2024-5"));
}

#[test]
fn cvss_from_real_records() {
    let Some(db) = db() else { return };
    // vulns/werkzeug/PYSEC-2023-221.yaml: CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H = 7.5.
    let v = db.find("PYSEC-2023-221").unwrap();
    let a = garrison_advisories::assess(&v, Some("werkzeug"));
    assert_eq!(a.score, Some(7.5));
    assert_eq!(
        (a.severity, a.confidence),
        (Severity::High, Confidence::High)
    );
    // Most PyPA records carry no severity.
    let v = db.find("PYSEC-2023-102").unwrap();
    let a = garrison_advisories::assess(&v, Some("scipy"));
    assert_eq!(
        (a.severity, a.confidence),
        (Severity::Medium, Confidence::Low)
    );
    // Every CVSS_V3 vector of the database scores.
    let mut n = 0;
    for v in db.all_vulnerabilities() {
        for s in v.severity.iter().filter(|s| s.kind == "CVSS_V3") {
            garrison_advisories::cvss3_base_score(&s.score).unwrap();
            n += 1;
        }
    }
    assert_eq!(n, 187); // 202 records carry one; duplicates across merged records count once
}

#[test]
fn save_load_roundtrip() {
    let Some(db) = db() else { return };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sub/advisories.db");
    let t = Instant::now();
    db.save(&path).unwrap();
    let save = t.elapsed();
    let t = Instant::now();
    let loaded = Database::load(&path).unwrap();
    let load = t.elapsed();
    eprintln!(
        "index: {} bytes, save {save:?}, load {load:?}",
        std::fs::metadata(&path).unwrap().len()
    );
    assert_eq!(loaded.status(), db.status());
    loaded.verify().unwrap();
    assert_eq!(loaded.all_vulnerabilities(), db.all_vulnerabilities());
    for (name, v) in [("pillow", "8.0.0"), ("scipy", "1.7.0"), ("py", "1.11.0")] {
        assert_eq!(ids(&loaded, name, v), ids(db, name, v));
    }
    // Damaged files are refused with a clear error.
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[0] = b'X';
    std::fs::write(&path, &bytes).unwrap();
    let e = Database::load(&path).unwrap_err().to_string();
    assert!(e.contains("bad magic"), "{e}");
}

/// Every listed and event version of every package, evaluated against all of the package's
/// advisories without panics. With PEP 440 versions, `Verdict::NotEvaluated` comes only from
/// the two records whose ECOSYSTEM events are not PEP 440.
#[test]
fn whole_database_evaluates() {
    let Some(db) = db() else { return };
    let mut evaluated = 0;
    let mut not_evaluated = BTreeSet::new();
    for name in db.package_names().map(String::from).collect::<Vec<_>>() {
        let pn = PackageName::new(&name).unwrap();
        let mut points = BTreeSet::new();
        for v in db.vulnerabilities(&pn) {
            for a in &v.affected {
                points.extend(a.versions.iter().cloned());
                points.extend(
                    a.ranges
                        .iter()
                        .flat_map(|r| r.events.iter().map(|e| e.version.clone())),
                );
            }
        }
        for p in points {
            let Ok(version) = parse_version(&p) else {
                // Raw versions: evaluated too (list matches or not-evaluated), never a panic.
                let _ = db.evaluate(&pn, &VersionRef::Raw(p));
                continue;
            };
            for (vuln, verdict) in db.verdicts(&pn, &VersionRef::Pep440(version)) {
                evaluated += 1;
                if let Verdict::NotEvaluated(_) = verdict {
                    not_evaluated.insert(vuln.id.clone());
                }
            }
        }
    }
    assert!(evaluated > 100_000, "{evaluated}");
    assert_eq!(not_evaluated, set(&["PYSEC-2019-125", "PYSEC-2021-371"]));
}

/// A malicious release (a taken-over project, a backdoor, malware) is critical whatever its
/// CVSS; a flaw described with the words "malicious" or "account takeovers" is not. Counted
/// over the whole database and checked by reading the matched records.
#[test]
fn malicious_releases_are_critical_and_flaws_are_not() {
    let Some(db) = db() else { return };
    let all = db.all_vulnerabilities();
    let malicious: BTreeSet<String> = all
        .iter()
        .filter(|v| garrison_advisories::cvss::is_malicious(v))
        .map(|v| v.id.clone())
        .collect();
    // The takeovers (ctx, spam, exotel, deep-translator), the "code execution backdoor"
    // packages, and the records that start "Malicious package."
    for id in [
        "PYSEC-2022-199",
        "PYSEC-2022-251",
        "PYSEC-2022-250",
        "PYSEC-2022-252",
        "PYSEC-2022-185",
        "PYSEC-2024-55",
    ] {
        assert!(malicious.contains(id), "{id} not malicious");
    }
    // Flaws whose text says "malicious package", "malicious payload" or "account takeovers".
    for id in [
        "PYSEC-2024-66",
        "PYSEC-2020-209",
        "PYSEC-2022-42987",
        "PYSEC-2022-42976",
        "PYSEC-2023-88",
    ] {
        assert!(db.find(id).is_some(), "{id} missing from the data");
        assert!(
            !malicious.contains(id),
            "{id} is a flaw, not a malicious release"
        );
    }
    // 33 merged vulnerabilities (56 record files: several packages share one advisory).
    assert_eq!(malicious.len(), 33, "{malicious:?}");
    let ctx = db.find("PYSEC-2022-199").unwrap();
    let a = garrison_advisories::assess(&ctx, Some("ctx"));
    assert_eq!(
        (a.severity, a.confidence),
        (Severity::Critical, Confidence::High)
    );
    assert!(a.note.starts_with("malicious release"), "{}", a.note);
}
