//! Import from each source kind, with records written in the test: OSV export zip, directory of
//! JSON files, a PyPA-style checkout with a broken record; alias merging; matching edge cases.
#![allow(clippy::unwrap_used)]

use std::io::Write;

use garrison_advisories::{Database, DbError};
use garrison_python::pep440::parse_version;
use garrison_python::{PackageName, VersionRef};

fn osv(id: &str, aliases: &[&str], name: &str, events: &str, versions: &[&str]) -> String {
    let aliases: Vec<String> = aliases.iter().map(|a| format!("\"{a}\"")).collect();
    let versions: Vec<String> = versions.iter().map(|a| format!("\"{a}\"")).collect();
    format!(
        r#"{{"schema_version": "1.7.0", "id": "{id}", "modified": "2024-05-01T00:00:00Z",
  "aliases": [{}], "summary": "test {id}",
  "affected": [{{"package": {{"ecosystem": "PyPI", "name": "{name}"}},
    "ranges": [{{"type": "ECOSYSTEM", "events": [{events}]}}],
    "versions": [{}]}}],
  "references": [{{"type": "WEB", "url": "https://example.org/{id}"}}]}}"#,
        aliases.join(", "),
        versions.join(", ")
    )
}

fn ids(db: &Database, name: &str, v: &str) -> Vec<String> {
    let mut out: Vec<String> = db
        .affected(&PackageName::new(name).unwrap(), &parse_version(v).unwrap())
        .into_iter()
        .map(|m| m.id)
        .collect();
    out.sort();
    out
}

fn zip_of(entries: &[(&str, String)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, text) in entries {
        w.start_file(*name, opts).unwrap();
        w.write_all(text.as_bytes()).unwrap();
    }
    w.finish().unwrap().into_inner()
}

#[test]
fn zip_export_with_aliases_merged() {
    let ghsa = osv(
        "GHSA-aaaa-bbbb-cccc",
        &["CVE-2024-0001"],
        "Foo_Bar",
        r#"{"introduced": "0"}, {"fixed": "2.0"}"#,
        &[],
    );
    let pysec = osv(
        "PYSEC-2024-7",
        &["CVE-2024-0001"],
        "foo-bar",
        r#"{"introduced": "1.0"}, {"fixed": "2.0"}"#,
        &["1.0", "1.5"],
    );
    let npm = r#"{"id": "GHSA-npm", "modified": "2024-01-01T00:00:00Z",
        "affected": [{"package": {"ecosystem": "npm", "name": "foo-bar"},
        "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}]}]}]}"#;
    let withdrawn = r#"{"id": "PYSEC-2024-9", "modified": "2024-06-01T00:00:00Z",
        "withdrawn": "2024-06-01T00:00:00Z",
        "affected": [{"package": {"ecosystem": "PyPI", "name": "foo-bar"},
        "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}]}]}]}"#;
    let bytes = zip_of(&[
        ("GHSA-aaaa-bbbb-cccc.json", ghsa),
        ("PYSEC-2024-7.json", pysec),
        ("GHSA-npm.json", npm.to_string()),
        ("PYSEC-2024-9.json", withdrawn.to_string()),
        (
            "broken.json",
            "{\"id\": \"X\",\n \"affected\": {}}".to_string(),
        ),
        ("README.txt", "ignored".to_string()),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("all.zip");
    std::fs::write(&path, bytes).unwrap();
    let (db, errors) = Database::import(&path).unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].file.ends_with("all.zip!broken.json"),
        "{errors:?}"
    );
    assert!(errors[0].message.contains("affected"), "{errors:?}");
    let s = db.status();
    assert!(s.source.starts_with("OSV export zip"));
    assert_eq!((s.records, s.withdrawn, s.errors), (4, 1, 1));
    // GHSA + PYSEC sharing CVE-2024-0001: one vulnerability; npm entries are not indexed.
    assert_eq!((s.vulnerabilities, s.packages), (2, 1));
    assert_eq!(s.newest_modified, "2024-06-01T00:00:00Z");
    let v = db.find("CVE-2024-0001").unwrap();
    assert_eq!(v.id, "PYSEC-2024-7");
    assert_eq!(v.aliases, ["CVE-2024-0001", "GHSA-aaaa-bbbb-cccc"]);
    assert_eq!(v.affected.len(), 2);
    assert_eq!(v.references.len(), 2);
    // One hit per package, under the preferred id, whichever record matched.
    assert_eq!(ids(&db, "foo-bar", "0.5"), ["PYSEC-2024-7"]);
    let m = db.affected(
        &PackageName::new("FOO.BAR").unwrap(),
        &parse_version("1.5").unwrap(),
    );
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].source_label(), "ranges+versions-list");
    assert_eq!(m[0].fixed, [parse_version("2.0").unwrap()]);
    assert!(ids(&db, "foo-bar", "2.0").is_empty());
    // The withdrawn record matches nothing.
    assert!(ids(&db, "foo-bar", "3.0").is_empty());
}

#[test]
fn zip_limits() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.zip");
    std::fs::write(&path, b"PK\x03\x04 not really").unwrap();
    let e = Database::import(&path).unwrap_err();
    assert!(matches!(e, DbError::Zip { .. }), "{e}");
}

#[test]
fn json_directory_recursive_and_pypa_checkout() {
    let dir = tempfile::tempdir().unwrap();
    let nested = dir.path().join("a/b");
    std::fs::create_dir_all(&nested).unwrap();
    std::fs::write(
        nested.join("PYSEC-1.json"),
        osv("PYSEC-1", &[], "pkg", r#"{"introduced": "0"}"#, &[]),
    )
    .unwrap();
    std::fs::create_dir_all(dir.path().join(".git")).unwrap();
    std::fs::write(dir.path().join(".git/x.json"), "not json").unwrap();
    let (db, errors) = Database::import(dir.path()).unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    assert!(db.status().source.starts_with("OSV directory"));
    assert_eq!(ids(&db, "pkg", "99"), ["PYSEC-1"]);

    // A PyPA-style checkout: `vulns/<name>/<id>.yaml`; a broken record is reported with its
    // file and line, the others are imported.
    let dir = tempfile::tempdir().unwrap();
    let vulns = dir.path().join("vulns/pkg");
    std::fs::create_dir_all(&vulns).unwrap();
    std::fs::write(
        vulns.join("PYSEC-2.yaml"),
        "id: PYSEC-2\nmodified: '2024-01-01T00:00:00Z'\naffected:\n- package:\n    name: pkg\n    ecosystem: PyPI\n  ranges:\n  - type: ECOSYSTEM\n    events:\n    - introduced: '1.0'\n    - fixed: '1.1'\n",
    )
    .unwrap();
    std::fs::write(
        vulns.join("PYSEC-3.yaml"),
        "id: PYSEC-3\naffected:\n- package:\n    name: pkg\n    ecosystem: PyPI\n  ranges:\n  - type: ECOSYSTEM\n    events:\n    - introduced: '1.0'\n      fixed: '1.1'\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("SOURCE"), "pypa/advisory-database abc123\n").unwrap();
    let (db, errors) = Database::import(dir.path()).unwrap();
    assert_eq!(errors.len(), 1);
    assert!(errors[0].file.ends_with("PYSEC-3.yaml"));
    // The event mapping with two keys starts on line 9.
    assert_eq!(errors[0].line, Some(9));
    assert!(
        errors[0].to_string().contains("PYSEC-3.yaml:9:"),
        "{}",
        errors[0]
    );
    assert!(
        db.status()
            .source
            .contains("(pypa/advisory-database abc123)")
    );
    assert_eq!(ids(&db, "pkg", "1.0.5"), ["PYSEC-2"]);
}

/// Matching rules on hand-written ranges (each mirrors a shape from the real data).
#[test]
fn matching_edge_cases() {
    let recs = [
        // fixed 2.0: 2.0rc1 is before 2.0.
        osv(
            "PYSEC-10",
            &[],
            "a",
            r#"{"introduced": "0"}, {"fixed": "2.0"}"#,
            &[],
        ),
        // several introduced, written out of order.
        osv(
            "PYSEC-11",
            &[],
            "b",
            r#"{"introduced": "3.0"}, {"fixed": "3.2"}, {"introduced": "0"}, {"fixed": "1.5"}"#,
            &[],
        ),
        // last_affected with a local-version event.
        osv(
            "PYSEC-12",
            &[],
            "torchish",
            r#"{"introduced": "2.0.0"}, {"last_affected": "2.0.0+cu117"}"#,
            &[],
        ),
        // a raw event.
        osv(
            "PYSEC-13",
            &[],
            "c",
            r#"{"introduced": "0"}, {"fixed": "0.2.0-n653"}"#,
            &["0.1.0"],
        ),
        // open range.
        osv("PYSEC-14", &[], "d", r#"{"introduced": "1.2"}"#, &[]),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (i, r) in recs.iter().enumerate() {
        std::fs::write(dir.path().join(format!("{i}.json")), r).unwrap();
    }
    let (db, errors) = Database::import(dir.path()).unwrap();
    assert!(errors.is_empty());

    assert_eq!(ids(&db, "a", "2.0rc1"), ["PYSEC-10"]);
    assert_eq!(ids(&db, "a", "2.0.dev1"), ["PYSEC-10"]);
    assert!(ids(&db, "a", "2.0").is_empty());
    assert!(ids(&db, "a", "2.0+local").is_empty());

    assert_eq!(ids(&db, "b", "1.4"), ["PYSEC-11"]);
    assert!(ids(&db, "b", "1.5").is_empty());
    assert!(ids(&db, "b", "2.9").is_empty());
    assert_eq!(ids(&db, "b", "3.1.9"), ["PYSEC-11"]);
    assert!(ids(&db, "b", "3.2").is_empty());
    assert_eq!(
        db.smallest_fix(
            &PackageName::new("b").unwrap(),
            &parse_version("3.0").unwrap()
        ),
        Some(parse_version("3.2").unwrap())
    );
    assert_eq!(
        db.smallest_fix(
            &PackageName::new("b").unwrap(),
            &parse_version("1.0").unwrap()
        ),
        Some(parse_version("1.5").unwrap())
    );

    assert_eq!(ids(&db, "torchish", "2.0.0"), ["PYSEC-12"]);
    assert_eq!(ids(&db, "torchish", "2.0.0+cu117"), ["PYSEC-12"]);
    assert!(ids(&db, "torchish", "2.0.0+cu118").is_empty()); // cu118 > cu117 in PEP 440
    assert!(ids(&db, "torchish", "2.0.1").is_empty());

    // Raw event: not evaluated unless the versions list decides.
    let c = PackageName::new("c").unwrap();
    assert_eq!(ids(&db, "c", "0.1.0"), ["PYSEC-13"]);
    let e = db.evaluate(&c, &VersionRef::Pep440(parse_version("0.1.5").unwrap()));
    assert!(e.matches.is_empty());
    assert_eq!(e.not_evaluated.len(), 1);
    assert!(e.not_evaluated[0].1.contains("0.2.0-n653"));

    assert_eq!(ids(&db, "d", "100.0"), ["PYSEC-14"]);
    assert!(ids(&db, "d", "1.1").is_empty());
    assert_eq!(
        db.smallest_fix(
            &PackageName::new("d").unwrap(),
            &parse_version("1.3").unwrap()
        ),
        None
    );

    // Save/load keeps the verdicts.
    let path = dir.path().join("db/advisories.db");
    db.save(&path).unwrap();
    let back = Database::load(&path).unwrap();
    assert_eq!(back.all_vulnerabilities(), db.all_vulnerabilities());
    assert_eq!(ids(&back, "b", "3.1.9"), ["PYSEC-11"]);
}

#[test]
fn default_path_honours_env() {
    // Only checks the shape: the environment is shared with other tests, so it is not changed.
    let p = garrison_advisories::default_path();
    if std::env::var_os("GARRISON_DB").is_none() {
        assert!(p.ends_with("garrison/advisories.db"), "{}", p.display());
    }
}
