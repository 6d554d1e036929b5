//! Downstream impact (`garrison_advisories::impact`): PYSEC-2023-102 (scipy) over the corpus of
//! `../shared/data/repos` (skipped when the data is missing), and synthetic chains and cycles.
#![allow(clippy::unwrap_used, clippy::print_stderr)]

use std::path::{Path, PathBuf};

use garrison_advisories::Database;
use garrison_advisories::impact::{ImpactHit, Project, group_label, impact};
use garrison_python::{Manifest, PackageName};

fn root() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data"))
}

fn walk(dir: &Path, base: &Path, out: &mut Vec<(String, PathBuf)>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = rd.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, base, out);
        } else if let Ok(rel) = p.strip_prefix(base) {
            let rel = rel.to_string_lossy().replace('\\', "/");
            if garrison_python::detect(&rel).is_some() {
                out.push((rel, p));
            }
        }
    }
}

/// `[project] name = "…"` of a `pyproject.toml` (a line scan is enough for the corpus).
fn project_name(text: &str) -> Option<PackageName> {
    let mut in_project = false;
    for line in text.lines() {
        let t = line.trim();
        if t.starts_with('[') {
            in_project = t == "[project]";
            continue;
        }
        if in_project
            && let Some(rest) = t.strip_prefix("name")
            && let Some(v) = rest.trim_start().strip_prefix('=')
        {
            let v = v.trim().trim_matches(['"', '\'']);
            return Some(PackageName::new(v).unwrap());
        }
    }
    None
}

fn corpus_projects() -> Option<Vec<Project>> {
    let repos = root().join("repos");
    if !garrison_test::require::precondition(repos.is_dir(), "the corpus ../shared/data/repos") {
        return None;
    }
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&repos)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    let mut out = Vec::new();
    for d in dirs {
        let mut files = Vec::new();
        walk(&d, &d, &mut files);
        let name = std::fs::read_to_string(d.join("pyproject.toml"))
            .ok()
            .and_then(|t| project_name(&t));
        let manifests: Vec<Manifest> = files
            .iter()
            .filter_map(|(rel, p)| {
                let text = std::fs::read_to_string(p).ok()?;
                garrison_python::read(rel, &text)
            })
            .collect();
        out.push(Project {
            name,
            root: d.file_name().unwrap().to_string_lossy().into_owned(),
            manifests,
        });
    }
    Some(out)
}

fn pysec_2023_102() -> Option<garrison_advisories::Vulnerability> {
    let p = root().join("advisories/pypa-advisory-database");
    if !garrison_test::require::precondition(
        p.join("vulns").is_dir(),
        "the PyPA advisory database under ../shared/data/advisories",
    ) {
        return None;
    }
    let (db, errors) = Database::import(&p).unwrap();
    assert!(errors.is_empty());
    Some((*db.find("PYSEC-2023-102").unwrap()).clone())
}

/// (project, file:line, groups joined with ", ", kind, specifier, admitted count, via).
type Row<'a> = (
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    usize,
    &'a [&'a str],
);

/// An owned [`Row`].
type OwnedRow = (String, String, String, String, String, usize, Vec<String>);

/// The hits of PYSEC-2023-102 (scipy, `introduced 0, fixed 1.10.0`, 69 enumerated versions of
/// which 9 are release candidates) over the corpus, checked by hand:
///
/// - every line was opened and its table read (`[project] dependencies` = runtime, the
///   `[project.optional-dependencies]` key, the `[dependency-groups]` key including groups that
///   pull it in with `include-group`): hist's `dev`, `docs`, `fit`, `test` groups all include
///   line 86 (`fit` directly, the others through `include-group`), one hit naming the four;
/// - counts from the advisory's list: no specifier admits the 60 final releases (rc's are
///   excluded unless the specifier names one); `>=1.7.0` → 1.7.0–1.7.3, 1.8.0, 1.8.1,
///   1.9.0–1.9.3 = 10; `>= 1.7.2` → 8; `>=1.8,!=1.9.2` → 1.8.0, 1.8.1, 1.9.0, 1.9.1, 1.9.3 = 5;
///   `>=1.1.0` → 1.1.0, 1.2.0–1.2.3, 1.3.0–1.3.3, 1.4.0–1.4.1, 1.5.0–1.5.4, 1.6.0–1.6.3,
///   1.7.x, 1.8.x, 1.9.x = 30; `>=1.5.4,!=1.16.*` → 1.5.4 + 4 + 4 + 2 + 4 = 15;
/// - the floor: the only `fixed` event is 1.10.0, above the highest listed version
///   (1.10.0rc2) and not itself affected, so 1.10.0 everywhere (pinned 1.7.3/1.8.0 too);
/// - transitive hits come from the runtime hits of named projects of the set: statsmodels
///   (`scipy>=1.8,!=1.9.2`, line 60; its build requirement `scipy>=1.13,<2` admits none) and
///   mudata (`scipy`), each narrowed by the dependent's own scipy requirements in the same
///   environment (the group itself, plus the runtime for extras and groups). Checked by hand:
///   - pvlib's `optional` extra names statsmodels (line 55); pvlib's runtime requires
///     `scipy >= 1.7.2` (line 18), which admits all five of statsmodels' versions: a hit, 5;
///   - scanpy's runtime names statsmodels (line 73) but also requires `scipy>=1.15` (line 69):
///     none of 1.8.0–1.9.3 is left, no hit, and so nothing reaches anndata "via scanpy";
///   - anndata's `typing`/`dev` (line 67) and `doc` (line 91) groups name mudata (`scipy`, 60
///     versions) and its `test-min` group scanpy (line 118), but its runtime requires
///     `scipy >=1.14,!=1.17.0` (line 42): nothing left, no hit (before: 6 rows);
///   - mne's `test_extra`/`dev` groups (line 71) and `full-no-qt` extra (line 200) name
///     statsmodels; mne's runtime requires `scipy >= 1.14` (line 118): no hit (before: 3 rows);
///   - seaborn's `stats` extra names statsmodels (line 30) and requires `scipy>=1.14` itself
///     (line 29): no hit.
/// - not hits, checked: napari constraints (1.17.1/1.18.0), mne's pylock (1.14.0), narwhals'
///   uv.lock 1.15.3/1.17.1/1.18.0, dask's pixi.lock (1.10.0 = the fix, 1.15.2, 1.18.0, 1.19.0.dev0),
///   and every `scipy>=1.13`-or-newer floor (astropy, esda, libpysal, napari, sunpy, xarray,
///   anndata, scanpy, seaborn, lmfit, networkx, scikit-image, mne's runtime).
const EXPECTED: &[Row<'static>] = &[
    // (project, file:line, groups, kind, specifier, admitted, via); every floor is 1.10.0
    (
        "geopandas",
        "pyproject.toml:42",
        "extra:all",
        "declared",
        "",
        60,
        &[],
    ),
    (
        "geopandas",
        "requirements-dev.txt:44",
        "requirements:requirements-dev.txt",
        "declared",
        "",
        60,
        &[],
    ),
    (
        "hist",
        "pyproject.toml:71",
        "extra:fit",
        "declared",
        ">=1.7.0",
        10,
        &[],
    ),
    (
        "hist",
        "pyproject.toml:86",
        "group:dev, group:docs, group:fit, group:test",
        "declared",
        ">=1.7.0",
        10,
        &[],
    ),
    (
        "iminuit",
        "pyproject.toml:54",
        "extra:test",
        "declared",
        "",
        60,
        &[],
    ),
    (
        "mplhep",
        "pyproject.toml:64",
        "extra:test",
        "declared",
        ">=1.1.0",
        30,
        &[],
    ),
    (
        "mudata",
        "pyproject.toml:34",
        "runtime",
        "declared",
        "",
        60,
        &[],
    ),
    (
        "narwhals",
        "pyproject.toml:144",
        "group:extreme-minimum-versions",
        "pinned",
        "==1.7.3",
        1,
        &[],
    ),
    (
        "narwhals",
        "pyproject.toml:158",
        "group:extreme-pretty-old-versions",
        "pinned",
        "==1.8.0",
        1,
        &[],
    ),
    (
        "narwhals",
        "pyproject.toml:172",
        "group:extreme-not-so-old-versions",
        "pinned",
        "==1.8.0",
        1,
        &[],
    ),
    (
        "narwhals",
        "uv.lock:4317",
        "lock:uv.lock",
        "locked",
        "==1.7.3",
        1,
        &[],
    ),
    (
        "narwhals",
        "uv.lock:4339",
        "lock:uv.lock",
        "locked",
        "==1.8.0",
        1,
        &[],
    ),
    (
        "numpy",
        "requirements/doc_requirements.txt:7",
        "requirements:doc_requirements.txt",
        "declared",
        "",
        60,
        &[],
    ),
    (
        "pvlib",
        "pyproject.toml:18",
        "runtime",
        "declared",
        ">= 1.7.2",
        8,
        &[],
    ),
    (
        "pvlib",
        "pyproject.toml:55",
        "extra:optional",
        "declared",
        ">=1.8,!=1.9.2",
        5,
        &["statsmodels"],
    ),
    (
        "pyhf",
        "pyproject.toml:51",
        "runtime",
        "declared",
        ">=1.5.4,!=1.16.0,!=1.16.1,!=1.16.2",
        15,
        &[],
    ),
    (
        "sparse",
        "pyproject.toml:42",
        "extra:extras",
        "declared",
        "",
        60,
        &[],
    ),
    (
        "statsmodels",
        "pyproject.toml:60",
        "runtime",
        "declared",
        ">=1.8,!=1.9.2",
        5,
        &[],
    ),
    (
        "statsmodels",
        "requirements.txt:3",
        "requirements:requirements.txt",
        "declared",
        ">=1.8,!=1.9.2",
        5,
        &[],
    ),
];

#[test]
fn pysec_2023_102_over_the_corpus() {
    let inputs = pysec_2023_102().zip(corpus_projects());
    let Some((vuln, projects)) =
        garrison_test::require::require(inputs, "the shared corpus and PyPA advisory database")
    else {
        return;
    };
    let hits = impact(&vuln, &projects);
    let got: Vec<OwnedRow> = hits
        .iter()
        .map(|h| {
            (
                h.project.clone(),
                format!("{}:{}", h.path, h.line),
                h.groups.join(", "),
                h.kind.clone(),
                h.specifier.clone(),
                h.affected_versions_admitted,
                h.via.clone(),
            )
        })
        .collect();
    let want: Vec<OwnedRow> = EXPECTED
        .iter()
        .map(|(p, at, g, k, s, n, via)| {
            (
                p.to_string(),
                at.to_string(),
                g.to_string(),
                k.to_string(),
                s.to_string(),
                *n,
                via.iter().map(|v| v.to_string()).collect(),
            )
        })
        .collect();
    assert_eq!(got, want);
    for h in &hits {
        assert_eq!(h.dependency, "scipy");
        assert_eq!(h.recommended_floor.as_deref(), Some("1.10.0"), "{h:?}");
        assert_eq!(h.affected_versions.len(), h.affected_versions_admitted);
    }
    let stats = hits.iter().find(|h| h.project == "statsmodels").unwrap();
    assert_eq!(
        stats.affected_versions,
        ["1.8.0", "1.8.1", "1.9.0", "1.9.1", "1.9.3"]
    );
    let all = hits.iter().find(|h| h.project == "mudata").unwrap();
    assert_eq!(
        all.affected_versions.first().map(String::as_str),
        Some("0.4.4")
    );
    assert_eq!(
        all.affected_versions.last().map(String::as_str),
        Some("1.9.3")
    );
    assert!(all.affected_versions.iter().all(|v| !v.contains("rc")));
}

// ---- synthetic projects ----

/// `foo`: versions 1.0, 1.1, 2.0, 2.1rc1 listed; `introduced 0, fixed 2.1`.
fn foo_vuln() -> garrison_advisories::Vulnerability {
    let yaml = "id: PYSEC-0000-1\nmodified: '2024-01-01T00:00:00Z'\naffected:\n- package:\n    name: Foo\n    ecosystem: PyPI\n  ranges:\n  - type: ECOSYSTEM\n    events:\n    - introduced: '0'\n    - fixed: '2.1'\n  versions: ['1.0', '1.1', '2.0', '2.1rc1']\n";
    let rec = garrison_advisories::parse::record_from_yaml(yaml).unwrap();
    garrison_advisories::merge::merge(vec![rec]).remove(0)
}

fn project(name: &str, pyproject: &str) -> Project {
    Project {
        name: Some(PackageName::new(name).unwrap()),
        root: format!("{name}-checkout"),
        manifests: vec![garrison_python::read("pyproject.toml", pyproject).unwrap()],
    }
}

fn deps(runtime: &[&str], test: &[&str]) -> String {
    let q = |v: &[&str]| {
        v.iter()
            .map(|s| format!("\"{s}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!(
        "[project]\ndependencies = [{}]\n\n[project.optional-dependencies]\ntest = [{}]\n",
        q(runtime),
        q(test)
    )
}

fn summary(hits: &[ImpactHit]) -> Vec<String> {
    hits.iter()
        .map(|h| {
            format!(
                "{} {}:{} {} {} {} n={} floor={} via={}",
                h.project,
                h.path,
                h.line,
                h.groups.join(","),
                h.kind,
                h.specifier,
                h.affected_versions_admitted,
                h.recommended_floor.as_deref().unwrap_or("-"),
                h.via.join(">")
            )
        })
        .collect()
}

#[test]
fn direct_declared_pinned_and_labels() {
    let p = project(
        "app",
        "[build-system]\nrequires = [\"foo>=2.1rc1\"]\n\n[project]\nname = \"app\"\ndependencies = [\"foo>=1.1\", \"foo==1.0; python_version<'3'\", \"foo>=2.1\"]\n\n[project.optional-dependencies]\nx = [\"FOO\"]\n\n[dependency-groups]\ndev = [\"foo @ https://example.com/foo.whl\"]\n",
    );
    let hits = impact(&foo_vuln(), &[p]);
    assert_eq!(
        summary(&hits),
        [
            // `>=2.1rc1` names a pre-release, so 2.1rc1 counts.
            "app pyproject.toml:2 build declared >=2.1rc1 n=1 floor=2.1 via=",
            "app pyproject.toml:6 runtime declared >=1.1 n=2 floor=2.1 via=",
            "app pyproject.toml:6 runtime pinned ==1.0 n=1 floor=2.1 via=",
            // No specifier: every final release listed.
            "app pyproject.toml:9 extra:x declared  n=3 floor=2.1 via=",
        ]
    );
    let dep = &garrison_python::read(
        "uv.lock",
        "[[package]]\nname = \"foo\"\nversion = \"1.0\"\n",
    )
    .unwrap()
    .deps[0];
    assert_eq!(group_label(dep), "lock:uv.lock");
}

#[test]
fn transitive_chain_only_through_runtime() {
    let projects = [
        project("a", &deps(&["b>=1"], &[])),
        project("b", &deps(&["c"], &["foo==1.0"])),
        project("c", &deps(&["foo>=2"], &[])),
        // d depends on b only for tests: still inherits b's runtime chain.
        project("d", &deps(&[], &["b"])),
        // e depends on f whose foo is only a test extra: nothing propagates.
        project("e", &deps(&["f"], &[])),
        project("f", &deps(&[], &["foo"])),
    ];
    let hits = impact(&foo_vuln(), &projects);
    assert_eq!(
        summary(&hits),
        [
            "a pyproject.toml:2 runtime declared >=2 n=1 floor=2.1 via=b>c",
            "b pyproject.toml:2 runtime declared >=2 n=1 floor=2.1 via=c",
            "b pyproject.toml:5 extra:test pinned ==1.0 n=1 floor=2.1 via=",
            "c pyproject.toml:2 runtime declared >=2 n=1 floor=2.1 via=",
            "d pyproject.toml:5 extra:test declared >=2 n=1 floor=2.1 via=b>c",
            "f pyproject.toml:5 extra:test declared  n=3 floor=2.1 via=",
        ]
    );
}

#[test]
fn cycles_terminate_and_depth_is_bounded() {
    // x -> y -> x, and y has a runtime hit.
    let projects = [
        project("x", &deps(&["y"], &[])),
        project("y", &deps(&["x", "foo"], &[])),
    ];
    assert_eq!(
        summary(&impact(&foo_vuln(), &projects)),
        [
            "x pyproject.toml:2 runtime declared  n=3 floor=2.1 via=y",
            "y pyproject.toml:2 runtime declared  n=3 floor=2.1 via=",
        ]
    );
    // A chain p0 -> p1 -> … -> p14 -> foo: p_i inherits through 14 - i projects, reported
    // while that is at most MAX_DEPTH.
    let n = 15;
    let projects: Vec<Project> = (0..n)
        .map(|i| {
            let dep = if i + 1 < n {
                format!("p{}", i + 1)
            } else {
                "foo".to_string()
            };
            project(&format!("p{i}"), &deps(&[&dep], &[]))
        })
        .collect();
    let hits = impact(&foo_vuln(), &projects);
    let max = garrison_advisories::impact::MAX_DEPTH;
    assert!(hits.iter().all(|h| h.via.len() <= max));
    assert_eq!(hits.len(), max + 1);
    let deepest = hits.iter().max_by_key(|h| h.via.len()).unwrap();
    assert_eq!(deepest.project, format!("p{}", n - 1 - max));
    assert_eq!(deepest.via.last().map(String::as_str), Some("p14"));
}

/// A project of several files, each `(path, text)`.
fn project_files(name: &str, files: &[(&str, &str)]) -> Project {
    Project {
        name: Some(PackageName::new(name).unwrap()),
        root: format!("{name}-checkout"),
        manifests: files
            .iter()
            .map(|(path, text)| garrison_python::read(path, text).unwrap())
            .collect(),
    }
}

#[test]
fn a_chain_is_narrowed_by_the_dependents_own_requirements() {
    // lib admits 1.0, 1.1, 2.0 at runtime.
    let lib = || project("lib", &deps(&["foo>=1.0"], &[]));
    let projects = [
        lib(),
        // Own runtime floor >=2: only 2.0 is left through lib.
        project("narrow", &deps(&["lib", "foo>=2"], &[])),
        // Own runtime floor above every affected version: not exposed.
        project("safe", &deps(&["lib", "foo>=2.1"], &[])),
        // An extra installs the runtime too: the runtime floor holds for it.
        project("extra-safe", &deps(&["foo>=2.1"], &["lib"])),
        // The runtime does not install the extra: the extra's floor does not hold for it.
        project("extra-floor-only", &deps(&["lib"], &["foo>=2.1"])),
        // A requirement under a marker does not hold everywhere: no narrowing.
        project(
            "marker",
            &deps(&["lib", "foo>=2.1; python_version < '3.9'"], &[]),
        ),
        // A middle project's own floor cuts the chain for everyone above it.
        project("mid", &deps(&["lib", "foo>=2.1"], &[])),
        project("top", &deps(&["mid"], &[])),
        // Another file is another environment: the pyproject floor does not hold for the
        // requirements file.
        project_files(
            "two-files",
            &[
                (
                    "pyproject.toml",
                    "[project]\nname = \"two-files\"\ndependencies = [\"foo>=2.1\"]\n",
                ),
                ("requirements.txt", "lib\n"),
            ],
        ),
        // A dependency group installs the runtime too; a pin in the same group narrows.
        project(
            "groups",
            "[project]\nname = \"groups\"\ndependencies = [\"foo>=1.1\"]\n\n[dependency-groups]\na = [\"lib\", \"foo==1.1\"]\n",
        ),
    ];
    assert_eq!(
        summary(&impact(&foo_vuln(), &projects)),
        [
            "extra-floor-only pyproject.toml:2 runtime declared >=1.0 n=3 floor=2.1 via=lib",
            "groups pyproject.toml:3 runtime declared >=1.1 n=2 floor=2.1 via=",
            "groups pyproject.toml:6 group:a pinned ==1.1 n=1 floor=2.1 via=",
            "groups pyproject.toml:6 group:a declared >=1.0 n=1 floor=2.1 via=lib",
            "lib pyproject.toml:2 runtime declared >=1.0 n=3 floor=2.1 via=",
            "marker pyproject.toml:2 runtime declared >=1.0 n=3 floor=2.1 via=lib",
            "narrow pyproject.toml:2 runtime declared >=2 n=1 floor=2.1 via=",
            "narrow pyproject.toml:2 runtime declared >=1.0 n=1 floor=2.1 via=lib",
            "two-files requirements.txt:1 requirements:requirements.txt declared >=1.0 n=3 floor=2.1 via=lib",
        ]
    );
    let hits = impact(&foo_vuln(), &projects);
    let narrow = hits.iter().find(|h| h.project == "narrow").unwrap();
    assert_eq!(narrow.affected_versions, ["2.0"]);
    let groups = hits
        .iter()
        .find(|h| h.project == "groups" && !h.via.is_empty())
        .unwrap();
    assert_eq!(groups.affected_versions, ["1.1"]);
}

#[test]
fn a_projects_own_extras_are_not_dependents() {
    // The vulnerable package is foo itself: foo's requirements on its own extras are foo, not
    // a dependency on a vulnerable foo; a real dependent still is.
    let projects = [
        project(
            "foo",
            "[project]\nname = \"foo\"\ndependencies = [\"bar\"]\n\n[project.optional-dependencies]\narray = [\"numpy\"]\ncomplete = [\"foo[array]\"]\n\n[dependency-groups]\ndev = [\"Foo[array,complete]>=1.0\"]\n",
        ),
        project("app", &deps(&["foo>=2"], &[])),
    ];
    assert_eq!(
        summary(&impact(&foo_vuln(), &projects)),
        ["app pyproject.toml:2 runtime declared >=2 n=1 floor=2.1 via="]
    );
    // And a self-extra is no edge: a project whose extras name itself inherits nothing twice.
    let projects = [
        project("lib", &deps(&["foo"], &["lib[test]"])),
        project("app", &deps(&["lib"], &[])),
    ];
    assert_eq!(
        summary(&impact(&foo_vuln(), &projects)),
        [
            "app pyproject.toml:2 runtime declared  n=3 floor=2.1 via=lib",
            "lib pyproject.toml:2 runtime declared  n=3 floor=2.1 via=",
        ]
    );
}

#[test]
fn one_line_in_several_groups_is_one_hit_naming_them() {
    let projects = [
        project(
            "app",
            "[project]\nname = \"app\"\n\n[dependency-groups]\nfit = [\"foo>=1.1\", \"lib\"]\ntest = [{ include-group = \"fit\" }, \"pytest\"]\ndev = [{ include-group = \"test\" }]\n",
        ),
        project("lib", &deps(&["foo>=2"], &[])),
        project("lib2", &deps(&["foo"], &[])),
        // The same line under two groups whose own requirements narrow differently stays two
        // hits: they admit different versions.
        project(
            "split",
            "[project]\nname = \"split\"\n\n[dependency-groups]\na = [\"lib2\"]\nb = [{ include-group = \"a\" }, \"foo>=1.1\"]\n",
        ),
    ];
    let hits = impact(&foo_vuln(), &projects);
    assert_eq!(
        summary(&hits),
        [
            "app pyproject.toml:5 group:dev,group:fit,group:test declared >=1.1 n=2 floor=2.1 via=",
            "app pyproject.toml:5 group:dev,group:fit,group:test declared >=2 n=1 floor=2.1 via=lib",
            "lib pyproject.toml:2 runtime declared >=2 n=1 floor=2.1 via=",
            "lib2 pyproject.toml:2 runtime declared  n=3 floor=2.1 via=",
            "split pyproject.toml:5 group:a declared  n=3 floor=2.1 via=lib2",
            "split pyproject.toml:5 group:b declared  n=2 floor=2.1 via=lib2",
            "split pyproject.toml:6 group:b declared >=1.1 n=2 floor=2.1 via=",
        ]
    );
    let json = serde_json::to_value(&hits[0]).unwrap();
    assert_eq!(
        json["groups"],
        serde_json::json!(["group:dev", "group:fit", "group:test"])
    );
    assert!(json.get("group").is_none());
}
