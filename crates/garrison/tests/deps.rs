//! End-to-end tests of `garrison db` and `garrison deps` on the real PyPA advisory database.
//! Each case is a snapshot of the whole run (exit code, standard output, standard error), or of
//! the run with its JSON report reduced to what the case is about.
#![allow(clippy::unwrap_used)]

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use garrison_test::cli::{Run, run, snapshots};

fn advisories() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/advisories/pypa-advisory-database")
}

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/repos")
}

fn garrison(cwd: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_garrison"));
    c.current_dir(cwd)
        .env("NO_COLOR", "1")
        .env("GARRISON_NO_PROGRESS", "1")
        .env_remove("GARRISON_DB")
        .env_remove("SOURCE_DATE_EPOCH");
    c
}

/// Imports the PyPA database once for all tests of this binary.
fn db() -> Option<&'static Path> {
    static DB: OnceLock<Option<(tempfile::TempDir, PathBuf)>> = OnceLock::new();
    DB.get_or_init(|| {
        if !garrison_test::require::precondition(
            advisories().is_dir(),
            "the PyPA advisory database under ../shared/data/advisories",
        ) {
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("advisories.db");
        let r = run(
            garrison(dir.path())
                .args(["db", "import"])
                .arg(advisories())
                .arg("--db")
                .arg(&path),
            &[(&advisories(), "[ADVISORIES]"), (dir.path(), "[DB DIR]")],
        )
        .redact_matches(r"imported in [0-9.]+ \w+", "imported in [TIME]");
        insta::assert_snapshot!("db_import", r.snapshot());
        Some((dir, path))
    })
    .as_ref()
    .map(|(_, p)| p.as_path())
}

/// `garrison ARGS…` in `cwd`, with `cwd` as `[PROJECT]` and the database's directory as
/// `[DB DIR]`.
fn deps(args: &[&str], cwd: &Path) -> Run {
    let mut redact: Vec<(&Path, &str)> = vec![(cwd, "[PROJECT]")];
    let db_dir = db().and_then(Path::parent);
    if let Some(d) = db_dir {
        redact.push((d, "[DB DIR]"));
    }
    run(garrison(cwd).args(args), &redact)
}

/// The JSON report's dependency findings, one line each: location, rule, package and version,
/// advisory and aliases, the smallest fixing release or floor, the marker.
fn findings(r: &Run) -> Run {
    let v = r.json();
    let s = |x: &serde_json::Value| x.as_str().unwrap_or("-").to_string();
    let mut out = String::new();
    for f in v["findings"].as_array().unwrap() {
        let e = &f["evidence"];
        let l = &f["locations"][0];
        let aliases: Vec<String> = e["aliases"]
            .as_array()
            .map(|a| a.iter().map(s).collect())
            .unwrap_or_default();
        out.push_str(&format!(
            "{}:{} {} {} {} {} [{}] fix {} floor {} marker {}\n",
            s(&l["path"]),
            l["span"]["start_line"],
            s(&f["rule"]),
            s(&e["package"]),
            s(&e["version"]),
            s(&e["id"]),
            aliases.join(", "),
            s(&e["smallest_fix"]),
            s(&e["recommended_floor"]),
            s(&e["marker"]),
        ));
    }
    Run {
        code: r.code,
        stdout: out,
        stderr: r.stderr.clone(),
    }
}

#[test]
fn pinned_requirements_are_matched_with_fix_and_location() {
    let Some(db) = db() else { return };
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("requirements.txt"),
        "# pinned\npillow==8.0.0\nscipy==1.9.3 ; python_version < \"3.9\"\nrequests==2.32.3\n",
    )
    .unwrap();
    let db = db.to_str().unwrap();
    // Pillow 8.0.0's advisories (PYSEC-2021-36 among them), each at line 2 with the smallest
    // release fixing them all; scipy's PYSEC-2023-102 under its marker; requests is clean.
    let text = deps(&["deps", "requirements.txt", "--db", db], dir.path());
    let json = deps(
        &["deps", "requirements.txt", "--db", db, "-f", "json"],
        dir.path(),
    );
    insta::assert_snapshot!(
        "pinned_requirements",
        snapshots(&[("text", &text), ("json findings", &findings(&json))])
    );
    // Narrowed to Python 3.12, the scipy entry (python < 3.9) does not apply.
    let py312 = deps(
        &[
            "deps",
            "requirements.txt",
            "--db",
            db,
            "-f",
            "json",
            "--python-version",
            "3.12",
        ],
        dir.path(),
    );
    // The same findings as above without scipy's.
    assert_eq!(
        findings(&py312).snapshot(),
        findings(&json)
            .snapshot()
            .lines()
            .filter(|l| !l.contains(" scipy "))
            .map(|l| format!("{l}\n"))
            .collect::<String>()
    );
}

#[test]
fn declared_ranges_and_accepted_vulnerabilities() {
    let Some(db) = db() else { return };
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("pyproject.toml"),
        "[project]\nname = \"lib\"\nversion = \"1\"\ndependencies = [\n  \"scipy>=1.7.2\",\n  \"numpy>=2.1\",\n]\n\n[tool.garrison]\nignore-vulnerabilities = [{ id = \"CVE-2023-29824\", reason = \"disputed\", expires = \"2999-01-01\" }]\n",
    )
    .unwrap();
    let db = db.to_str().unwrap();
    // The declared range admits scipy's affected releases: raise the floor to 1.10.0.
    let text = deps(&["deps", ".", "--db", db], dir.path());
    let json = deps(&["deps", ".", "--db", db, "-f", "json"], dir.path());
    insta::assert_snapshot!(
        "declared_range",
        snapshots(&[("text", &text), ("json findings", &findings(&json))])
    );

    // Pinned old scipy: the accepted CVE (alias of PYSEC-2023-114) is not reported until it
    // expires.
    std::fs::write(dir.path().join("requirements.txt"), "scipy==1.7.0\n").unwrap();
    let accepted = deps(&["deps", ".", "--db", db, "-f", "json"], dir.path());
    let text = std::fs::read_to_string(dir.path().join("pyproject.toml")).unwrap();
    std::fs::write(
        dir.path().join("pyproject.toml"),
        text.replace("2999-01-01", "2001-01-01"),
    )
    .unwrap();
    let expired = deps(&["deps", ".", "--db", db, "-f", "json"], dir.path());
    insta::assert_snapshot!(
        snapshots(&[
            ("accepted until 2999-01-01", &findings(&accepted)),
            ("accepted until 2001-01-01", &findings(&expired))
        ]),
        @"
    ## accepted until 2999-01-01
    exit: 1
    --- stdout
    pyproject.toml:5 deps/vulnerable-range scipy - - [] fix - floor 1.10.0 marker -
    requirements.txt:1 deps/known-vulnerability scipy 1.7.0 PYSEC-2023-102 [CVE-2023-25399] fix 1.10.0 floor - marker -

    ## accepted until 2001-01-01
    exit: 1
    --- stdout
    pyproject.toml:5 deps/vulnerable-range scipy - - [] fix - floor 1.10.0 marker -
    requirements.txt:1 deps/known-vulnerability scipy 1.7.0 PYSEC-2023-102 [CVE-2023-25399] fix 1.10.0 floor - marker -
    requirements.txt:1 deps/known-vulnerability scipy 1.7.0 PYSEC-2023-114 [CVE-2023-29824] fix 1.10.0 floor - marker -
    "
    );
}

#[test]
fn missing_database_falls_back_to_the_embedded_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("requirements.txt"), "pillow==8.0.0\n").unwrap();
    let missing = dir.path().join("nope.db");
    let r = deps(
        &["deps", ".", "--db", missing.to_str().unwrap(), "-f", "json"],
        dir.path(),
    );
    // The findings depend on the embedded data, which every refresh changes: the snapshot
    // holds the report's statement of its advisory data and PYSEC-2021-36 (Pillow before 8.1.0,
    // in every refresh to come).
    let r = support::embedded(r.json_part(|v| {
        serde_json::json!({
            "advisories": v["advisories"],
            "pillow PYSEC-2021-36": v["findings"].as_array().unwrap().iter().find(|f| {
                f["rule"] == "deps/known-vulnerability" && f["evidence"]["id"] == "PYSEC-2021-36"
            }).map(|f| &f["locations"][0]),
        })
    }));
    insta::assert_snapshot!(r.snapshot(), @r#"
    exit: 1
    --- stdout
    {
      "advisories": {
        "age_days": "[N]",
        "date": "[EMBEDDED DATE]",
        "newest_modified": "[EMBEDDED NEWEST]",
        "origin": "[EMBEDDED SOURCE]",
        "source": "embedded",
        "stale": "[STALE]",
        "stale_after_days": 30
      },
      "pillow PYSEC-2021-36": {
        "note": "pillow 8.0.0",
        "path": "requirements.txt",
        "route": "requirements.txt > pillow",
        "span": {
          "end_column": 14,
          "end_line": 1,
          "end_offset": 13,
          "start_column": 1,
          "start_line": 1,
          "start_offset": 0
        }
      }
    }
    "#);
    assert!(!missing.exists());
}

#[test]
fn corpus_dependency_files_are_read_without_errors() {
    let Some(db) = db() else { return };
    let root = corpus();
    let r = run(
        garrison(Path::new(".")).arg("deps").arg(&root).args([
            "--db",
            db.to_str().unwrap(),
            "-f",
            "json",
        ]),
        &[(&root, "[CORPUS]")],
    );
    // Every dependency file of the corpus is read: no errors; how many files and findings.
    insta::assert_snapshot!(
        r.json_part(|v| serde_json::json!({ "errors": v["errors"], "summary": v["summary"] }))
            .snapshot(),
        @r#"
    exit: 1
    --- stdout
    {
      "errors": [],
      "summary": {
        "by_family": {
          "deps": {
            "critical": 0,
            "high": 0,
            "info": 0,
            "low": 0,
            "medium": 226
          },
          "info": {
            "critical": 0,
            "high": 0,
            "info": 13,
            "low": 0,
            "medium": 0
          }
        },
        "by_severity": {
          "critical": 0,
          "high": 0,
          "info": 13,
          "low": 0,
          "medium": 226
        },
        "errors": 0,
        "files_scanned": 124,
        "findings": 239,
        "suppressed": {
          "baseline": 0,
          "config": 0,
          "inline": 0,
          "threshold": 0,
          "total": 0
        }
      }
    }
    "#
    );
}

#[test]
fn impact_of_an_advisory_over_the_corpus() {
    let Some(db) = db() else { return };
    let root = corpus();
    let impact = |format: &str| {
        run(
            garrison(Path::new("."))
                .args(["deps", "impact", "PYSEC-2023-102", "--projects"])
                .arg(&root)
                .args(["--db", db.to_str().unwrap(), "-f", format]),
            &[(&root, "[CORPUS]"), (db.parent().unwrap(), "[DB DIR]")],
        )
    };
    // pvlib declares `scipy>= 1.7.2` at runtime: 8 affected releases admitted, floor 1.10.0
    // (hand-checked against the advisory's versions list; see
    // crates/garrison-advisories/tests/impact.rs); narwhals' uv.lock locks affected releases.
    // hist's line 86 is in four dependency groups: one hit naming them. Transitive hits are
    // narrowed by the dependent's own scipy requirements: only pvlib's `optional` extra (its
    // runtime floor 1.7.2 admits statsmodels' 1.8.0–1.9.3) is left; anndata (runtime
    // `scipy >=1.14,!=1.17.0`), mne (`scipy >= 1.14`), scanpy (`scipy>=1.15`) and seaborn's
    // `stats` extra (`scipy>=1.14`) are not exposed through statsmodels or mudata.
    let json = impact("json").json_part(|v| {
        let hits = v["hits"].as_array().unwrap();
        let in_group = |h: &serde_json::Value, g: &str| {
            h["groups"]
                .as_array()
                .is_some_and(|gs| gs.iter().any(|x| x == g))
        };
        serde_json::json!({
            "advisory": v["advisory"]["id"],
            "hits": hits.len(),
            "pvlib runtime": hits.iter().find(|h| h["project"] == "pvlib" && in_group(h, "runtime")),
            "hist line 86": hits.iter().find(|h| h["project"] == "hist" && h["line"] == 86),
            "transitive": hits.iter().filter(|h| h["via"].as_array().is_some_and(|v| !v.is_empty())).collect::<Vec<_>>(),
            "locked": hits.iter().filter(|h| h["kind"] == "locked").collect::<Vec<_>>(),
        })
    });
    insta::assert_snapshot!(
        "impact_corpus",
        snapshots(&[
            ("text", &impact("text")),
            ("json, pvlib, hist, transitive and locked hits", &json)
        ])
    );
}

#[test]
fn sbom_is_cyclonedx() {
    let root = corpus().join("narwhals-dev__narwhals/uv.lock");
    if !garrison_test::require::precondition(root.is_file(), "narwhals' uv.lock in the corpus") {
        return;
    }
    let r = run(
        garrison(Path::new(".")).arg("sbom").arg(&root),
        &[(&corpus(), "[CORPUS]")],
    );
    // The same lock named by a relative path from another working directory: the same serial
    // number (it hashes the dependency set, not the paths its files were named by).
    let relative = run(
        garrison(&corpus())
            .arg("sbom")
            .arg("narwhals-dev__narwhals/uv.lock"),
        &[],
    );
    let serial = |r: &garrison_test::cli::Run| {
        serde_json::from_str::<serde_json::Value>(&r.stdout).unwrap()["serialNumber"].clone()
    };
    assert_eq!(serial(&r), serial(&relative));
    // The document with its first two components (of every locked package), each with its
    // first hash (of one per locked file).
    insta::assert_snapshot!(
        r.json_part(|v| {
            let components = v["components"].as_array().unwrap();
            let mut doc = v.clone();
            let first: Vec<serde_json::Value> = components
                .iter()
                .take(2)
                .map(|c| {
                    let mut c = c.clone();
                    let hashes = c["hashes"].as_array().cloned().unwrap_or_default();
                    c["hashes"] = hashes.iter().take(1).cloned().collect();
                    c["hashes (count)"] = hashes.len().into();
                    c
                })
                .collect();
            doc["components"] = first.into();
            doc["components (count)"] = components.len().into();
            doc
        })
        .snapshot(),
        @r#"
    exit: 0
    --- stdout
    {
      "bomFormat": "CycloneDX",
      "components": [
        {
          "bom-ref": "pkg:pypi/ast-serialize@0.6.0",
          "hashes": [
            {
              "alg": "SHA-256",
              "content": "0067b25fce104eaae5b88383de9ab803faeb671831e14ca698b771b356e2600f"
            }
          ],
          "hashes (count)": 34,
          "name": "ast-serialize",
          "properties": [
            {
              "name": "garrison:source",
              "value": "[CORPUS]/narwhals-dev__narwhals/uv.lock:135"
            }
          ],
          "purl": "pkg:pypi/ast-serialize@0.6.0",
          "type": "library",
          "version": "0.6.0"
        },
        {
          "bom-ref": "pkg:pypi/atpublic@7.0.0",
          "hashes": [
            {
              "alg": "SHA-256",
              "content": "466ef10d0c8bbd14fd02a5fbd5a8b6af6a846373d91106d3a07c16d72d96b63e"
            }
          ],
          "hashes (count)": 2,
          "name": "atpublic",
          "properties": [
            {
              "name": "garrison:source",
              "value": "[CORPUS]/narwhals-dev__narwhals/uv.lock:176"
            }
          ],
          "purl": "pkg:pypi/atpublic@7.0.0",
          "type": "library",
          "version": "7.0.0"
        }
      ],
      "components (count)": 160,
      "metadata": {
        "tools": {
          "components": [
            {
              "name": "garrison",
              "type": "application",
              "version": "[VERSION]"
            }
          ]
        }
      },
      "serialNumber": "urn:uuid:d1022bae-2ba9-4c2d-9601-d5e8d3ed5f0a",
      "specVersion": "1.5",
      "version": 1
    }
    "#
    );
}

#[test]
fn db_sync_fails_clearly_without_the_network() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.db");
    let r = deps(
        &[
            "db",
            "sync",
            "--db",
            db.to_str().unwrap(),
            "--url",
            "http://127.0.0.1:9/all.zip",
        ],
        dir.path(),
    );
    // The errno of "connection refused" differs between systems.
    let r = r.redact_matches(r"\(os error \d+\)", "(os error [N])");
    insta::assert_snapshot!(r.snapshot(), @"
    exit: 2
    --- stderr
    garrison: error: cannot download http://127.0.0.1:9/all.zip: io: Connection refused (os error [N])
    Garrison works offline: import a local copy instead with `garrison db import PATH` (a pypa/advisory-database checkout, a directory of OSV JSON files, or an OSV export zip)
    ");
    // No database was written: status describes the embedded snapshot instead.
    let r = deps(&["db", "status", "--db", db.to_str().unwrap()], dir.path());
    insta::assert_snapshot!(support::embedded(r).snapshot(), @"
    exit: 0
    --- stdout
    no advisory database at [PROJECT]/x.db (run `garrison db sync` or `garrison db import PATH`);
    scans use the snapshot built into Garrison:

    snapshot:        (embedded)
    source:          [EMBEDDED SOURCE]
    records:         [N] ([N] withdrawn, [N] unreadable)
    vulnerabilities: [N] (aliases merged) in [N] packages
    newest record:   [EMBEDDED NEWEST] ([N] days old)
    Advisory data: the Python Packaging Advisory Database (https://github.com/pypa/advisory-database), CC-BY 4.0 (https://creativecommons.org/licenses/by/4.0/); converted to Garrison's index, aliases merged
    ");
    assert!(!db.exists());
}

/// The false positives of `deps impact` on small projects read from disk, end to end: a
/// project's own extras are not dependents, a chain meets the dependent's own requirements,
/// and one line in several dependency groups is one row naming them.
#[test]
fn impact_follows_chains_through_the_projects_own_requirements() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("foo.json"),
        r#"{"id": "PYSEC-0000-2", "modified": "2024-01-01T00:00:00Z",
 "affected": [{"package": {"name": "foo", "ecosystem": "PyPI"},
   "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.1"}]}],
   "versions": ["1.0", "1.1", "2.0"]}]}"#,
    )
    .unwrap();
    let write = |name: &str, text: &str| {
        std::fs::create_dir_all(d.join("projects").join(name)).unwrap();
        std::fs::write(d.join("projects").join(name).join("pyproject.toml"), text).unwrap();
    };
    // foo itself: its requirements on its own extras are foo, not a dependency on foo.
    write(
        "foo",
        "[project]\nname = \"foo\"\n\n[project.optional-dependencies]\narray = [\"numpy\"]\nall = [\"foo[array]\"]\n\n[dependency-groups]\ndev = [\"foo[all]\"]\n",
    );
    // lib admits every affected release.
    write(
        "lib",
        "[project]\nname = \"lib\"\ndependencies = [\"foo>=1.0\"]\n",
    );
    // safe needs lib for its tests, but its runtime requires a fixed foo.
    write(
        "safe",
        "[project]\nname = \"safe\"\ndependencies = [\"foo>=2.1\"]\n\n[dependency-groups]\ntest = [\"lib\"]\n",
    );
    // app's line 5 is in the fit, test and dev groups; its runtime floor leaves 2.0.
    write(
        "app",
        "[project]\nname = \"app\"\ndependencies = [\"foo>=1.1,!=1.1\"]\n[dependency-groups]\nfit = [\"lib\"]\ntest = [{ include-group = \"fit\" }]\ndev = [{ include-group = \"test\" }]\n",
    );
    let out = run(
        garrison(d).args([
            "deps",
            "impact",
            "foo.json",
            "--projects",
            "projects",
            "-f",
            "markdown",
        ]),
        &[(d, "[DIR]")],
    );
    insta::assert_snapshot!(out.snapshot(), @"
    exit: 1
    --- stdout
    ## Downstream impact of PYSEC-0000-2

    advisory from foo.json

    2 of 4 projects affected (3 entries)

    | project | where | groups | requirement | admits | raise floor to |
    |---|---|---|---|---|---|
    | app | pyproject.toml:3 | runtime | foo>=1.1,!=1.1 | 1 affected version admitted | >=2.1 |
    | app | pyproject.toml:5 | group:dev, group:fit, group:test | foo>=1.0 | 1 affected version admitted | >=2.1 (via lib) |
    | lib | pyproject.toml:3 | runtime | foo>=1.0 | 3 affected versions admitted | >=2.1 |
    ");
}

/// PYSEC-2021-387 (dask, fixed 2021.10.0) over the corpus: dask's own `dask[array]` (its
/// `dataframe` extra, line 59) and `dask[array,dataframe,distributed,diagnostics]` (its
/// `complete` extra, line 71) are dask itself, not dependents (they were two rows); a line several dependency groups include is one row
/// (anndata line 119, napari 269, scipy 204, uproot 16: were two or three rows each).
/// distributed requires a dask newer than the fix.
#[test]
fn impact_of_a_dask_advisory_is_not_dask_itself() {
    let Some(db) = db() else { return };
    let root = corpus();
    let out = run(
        garrison(Path::new("."))
            .args(["deps", "impact", "PYSEC-2021-387", "--projects"])
            .arg(&root)
            .args(["--db", db.to_str().unwrap()]),
        &[(&root, "[CORPUS]"), (db.parent().unwrap(), "[DB DIR]")],
    );
    insta::assert_snapshot!(out.snapshot(), @"
    exit: 1
    --- stdout
    Downstream impact of PYSEC-2021-387 (CVE-2021-42343, GHSA-hwqr-f3v9-hwxr, GHSA-j8fq-86c5-5v2r, PYSEC-2021-871, PYSEC-2021-872)
    advisory from the local database of 2024-10-10 ([N] days old, [DB DIR]/advisories.db)

    6 of 48 projects affected (7 entries)

    project  where               groups                                            requirement  admits                          raise floor to
    anndata  pyproject.toml:119  group:test, group:test-array-api, group:test-min  dask         127 affected versions admitted  >=2021.10.0
    napari   pyproject.toml:179  extra:gallery                                     dask         127 affected versions admitted  >=2021.10.0
    napari   pyproject.toml:269  group:docs, group:gallery                         dask         127 affected versions admitted  >=2021.10.0
    scipy    pyproject.toml:204  group:dev, group:typecheck                        dask         127 affected versions admitted  >=2021.10.0
    sparse   pyproject.toml:40   extra:extras                                      dask         127 affected versions admitted  >=2021.10.0
    uproot   pyproject.toml:16   group:dev, group:extra                            dask         127 affected versions admitted  >=2021.10.0
    xarray   pyproject.toml:52   extra:parallel                                    dask         127 affected versions admitted  >=2021.10.0
    --- stderr
    garrison: warning: the advisory database is [N] days old (more than 30); vulnerabilities published since 2024-10-10 are not reported. Run `garrison db sync` (or `garrison db import PATH`) for current advisories
    ");
}
