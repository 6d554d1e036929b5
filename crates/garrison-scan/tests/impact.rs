//! The inputs of `garrison deps impact`, as a library caller gets them.
#![allow(clippy::unwrap_used)]

use garrison_scan::impact::{advisory, projects};
use garrison_scan::{NoProgress, ScanError};

const OSV: &str = r#"{"id": "PYSEC-0000-1", "modified": "2024-01-01T00:00:00Z", "aliases": ["CVE-0000-1"],
 "affected": [{"package": {"ecosystem": "PyPI", "name": "Oslo.Middleware"},
   "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "3.8.1"}]}]}]}"#;

#[test]
fn a_set_of_projects_with_names_and_errors() {
    let set = tempfile::tempdir().unwrap();
    let dir = |d: &str| {
        let p = set.path().join(d);
        std::fs::create_dir_all(&p).unwrap();
        p
    };
    std::fs::write(
        dir("b").join("pyproject.toml"),
        "[project]\nname = \"Oslo.Middleware\"\ndependencies = [\"requests\"]\n",
    )
    .unwrap();
    std::fs::write(dir("a").join("requirements.txt"), "x===\n").unwrap();
    let (found, errors) = projects(set.path(), &NoProgress);
    let roots: Vec<_> = found.iter().map(|p| p.root.clone()).collect();
    let shown = |d: &str| set.path().join(d).display().to_string();
    assert_eq!(roots, [shown("a"), shown("b")]);
    assert_eq!(found[0].name, None);
    assert_eq!(
        found[1].name.as_ref().map(|n| n.as_str()),
        Some("oslo-middleware")
    );
    assert_eq!(errors.len(), 1, "{errors:?}");
    // The error names the file under its project's directory.
    assert_eq!(errors[0].path, shown("a/requirements.txt"));

    // A checkout with a pyproject.toml is one project, not a set.
    let (one, _) = projects(&set.path().join("b"), &NoProgress);
    assert_eq!(one.len(), 1);
}

#[test]
fn an_advisory_from_a_file_or_the_data() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a.json");
    std::fs::write(&file, OSV).unwrap();
    let none = dir.path().join("no-database");
    let (v, data) = advisory(file.to_str().unwrap(), &none, 0).unwrap();
    assert_eq!(v.id, "PYSEC-0000-1");
    assert!(data.is_none(), "an advisory file is not advisory data");

    // An id with no database: the embedded snapshot, which the report then names.
    let (v, data) = advisory("CVE-2023-25399", &none, 0).unwrap();
    assert_eq!(v.id, "PYSEC-2023-102");
    let data = data.unwrap();
    assert_eq!(data.source, garrison_report::AdvisorySource::Embedded);
    assert_eq!(
        data.date,
        garrison_advisories::snapshot::embedded()
            .unwrap()
            .status()
            .newest_modified[..10]
    );

    std::fs::write(&file, "{\n  \"id\": 3\n").unwrap();
    let err = advisory(file.to_str().unwrap(), &none, 0).err().unwrap();
    assert!(
        matches!(err, ScanError::Advisory { line: Some(_), .. }),
        "{err:?}"
    );

    let err = advisory("PYSEC-0000-0", &none, 0).err().unwrap();
    assert!(
        err.to_string()
            .starts_with("advisory `PYSEC-0000-0` is not in the embedded snapshot of "),
        "{err}"
    );
}
