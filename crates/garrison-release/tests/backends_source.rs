//! `garrison_release::compare` on real sdists and wheels built by the pinned backends
//! (`.ci/python-backends.sh`) from `tests/fixtures/backends/`: a clean release of every
//! backend gives nothing above info (each allowance explained), and an injected file, a
//! modified file, a tampered RECORD and a file hidden under a git-ignored path are each
//! reported.
//!
//! Skipped with a message when no backend python is found, except under CI, where
//! `common::build::backend_python` panics instead.
#![allow(clippy::unwrap_used, clippy::print_stderr)]

mod common;

use common::build::{self, BuildBackend, Built};
use garrison_release::{
    Comparison, Dist, Limits, SourceFile, SourceTree, check_dist, compare, read_dist,
    read_dist_path,
};
use garrison_report::Severity;

fn source(built: &Built) -> SourceTree {
    let mut t = SourceTree {
        label: format!("fixture@{}", built.tag),
        tag_version: garrison_release::source::tag_version(&built.tag),
        ..SourceTree::default()
    };
    for (p, d) in built.tree() {
        t.files.insert(
            p,
            SourceFile {
                data: Some(d),
                symlink: false,
            },
        );
    }
    t
}

fn above_info(c: &Comparison) -> Vec<(String, Severity, String)> {
    c.findings
        .iter()
        .filter(|f| f.severity > Severity::Info)
        .map(|f| {
            (
                f.rule.clone(),
                f.severity,
                f.primary()
                    .and_then(|l| l.route.clone())
                    .unwrap_or_default(),
            )
        })
        .collect()
}

fn dists(built: &Built) -> (Dist, Dist) {
    let l = Limits::default();
    (
        read_dist_path(&built.sdist, &l).unwrap(),
        read_dist_path(&built.wheel, &l).unwrap(),
    )
}

#[test]
fn clean_release_of_every_backend_has_nothing_above_info() {
    let Some(py) = build::python_or_skip("clean_release_of_every_backend_has_nothing_above_info")
    else {
        return;
    };
    for backend in BuildBackend::ALL {
        let backend = &backend;
        let built = build::build_release(&py, *backend);
        let src = source(&built);
        let (sdist, wheel) = dists(&built);
        for dist in [&sdist, &wheel] {
            let c = compare(dist, &src);
            assert_eq!(
                above_info(&c),
                vec![],
                "{backend:?} {}: {:#?}",
                dist.filename,
                c.findings
            );
            assert!(c.stats.identical > 0, "{backend:?} {}", dist.filename);
            assert_eq!(
                c.stats.identical + c.stats.allowed,
                c.stats.files,
                "{backend:?} {}: every file identical or allowed",
                dist.filename
            );
            // Every allowance carries its generator and reason.
            for (path, a) in &c.allowed {
                assert!(!a.generator.is_empty() && !a.reason.is_empty(), "{path}");
            }
            eprintln!(
                "{backend:?} {}: {} files, {} identical, {} allowed ({:?})",
                dist.filename,
                c.stats.files,
                c.stats.identical,
                c.stats.allowed,
                c.allowed
                    .iter()
                    .map(|(_, a)| a.kind)
                    .collect::<std::collections::BTreeSet<_>>()
            );
        }
    }
}

/// A module added after the tag (the build ran on a dirty checkout) and a modified module:
/// the flit sdist and wheel carry both, and both are reported, the change with its diff.
#[test]
fn injected_and_modified_files_are_reported() {
    let Some(py) = build::python_or_skip("injected_and_modified_files_are_reported") else {
        return;
    };
    let built = build::build_release_with(&py, BuildBackend::Flit, |checkout| {
        let pkg = checkout.join("sp_flit");
        std::fs::write(
            pkg.join("_telemetry.py"),
            "import urllib.request\nurllib.request.urlopen('https://x.example/c')\n",
        )
        .unwrap();
        let stats = pkg.join("stats.py");
        let mut s = std::fs::read_to_string(&stats).unwrap();
        s.push_str("\nimport os as _os\n_os.system('id')\n");
        std::fs::write(stats, s).unwrap();
    });
    let src = source(&built);
    let (sdist, wheel) = dists(&built);
    for (dist, prefix) in [(&sdist, "sp_flit/"), (&wheel, "sp_flit/")] {
        let c = compare(dist, &src);
        let mut got = above_info(&c);
        got.sort();
        assert_eq!(
            got,
            vec![
                (
                    "release/content-differs".to_string(),
                    Severity::High,
                    format!("{prefix}stats.py")
                ),
                (
                    "release/file-not-in-source".to_string(),
                    Severity::High,
                    format!("{prefix}_telemetry.py")
                ),
            ],
            "{}",
            dist.filename
        );
        let diff = c
            .findings
            .iter()
            .find(|f| f.rule == "release/content-differs")
            .unwrap()
            .evidence["diff"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(diff.contains("+_os.system('id')"), "{diff}");
    }
}

/// The wheel is changed after it was built (one byte of a module): RECORD verification
/// reports it, and the source comparison reports the content change.
#[test]
fn tampered_wheel_is_a_record_mismatch_and_a_content_change() {
    let Some(py) =
        build::python_or_skip("tampered_wheel_is_a_record_mismatch_and_a_content_change")
    else {
        return;
    };
    let built = build::build_release(&py, BuildBackend::Hatch);
    let src = source(&built);
    let bytes = std::fs::read(&built.wheel).unwrap();
    let mut members = common::unzip(&bytes);
    let stats = members
        .iter_mut()
        .find(|(p, _)| p == "sp_hatch/stats.py")
        .unwrap();
    stats
        .1
        .extend_from_slice(b"\n__import__('os').system('id')\n");
    let tampered = common::zip_of(&members);
    let name = built.wheel.file_name().unwrap().to_str().unwrap();
    let record = check_dist(name, &tampered, &Limits::default());
    // The hash and the size both disagree with RECORD.
    assert!(!record.is_empty());
    for f in &record {
        assert_eq!(f.rule, "release/record-mismatch");
        assert_eq!(f.evidence["member"], "sp_hatch/stats.py");
    }
    let dist = read_dist(name, &tampered, &Limits::default()).unwrap();
    let c = compare(&dist, &src);
    assert_eq!(
        above_info(&c),
        vec![(
            "release/content-differs".to_string(),
            Severity::High,
            "sp_hatch/stats.py".to_string()
        )]
    );
}

/// The XZ Utils shape on a real hatchling sdist: a file under a path the repository's
/// `.gitignore` hides is added to the tarball after the build; the finding quotes the rule.
/// A doctored `_version.py` (generated and ignored, so never in a diff) is caught by content.
#[test]
fn hidden_file_under_an_ignored_path_is_critical() {
    let Some(py) = build::python_or_skip("hidden_file_under_an_ignored_path_is_critical") else {
        return;
    };
    let built = build::build_release(&py, BuildBackend::Hatch);
    let src = source(&built);
    let gitignore = String::from_utf8(src.files[".gitignore"].data.clone().unwrap()).unwrap();
    let (sdist, _) = dists(&built);
    let top = sdist.files[0].path.split('/').next().unwrap().to_string();
    // Pick an ignored path from the fixture's own .gitignore: the version file.
    assert!(gitignore.contains("_version.py"), "{gitignore}");
    let mut members: Vec<(String, Vec<u8>)> = sdist
        .files
        .iter()
        .filter(|m| m.is_file())
        .map(|m| (m.path.clone(), m.data.clone()))
        .collect();
    let version = members
        .iter_mut()
        .find(|(p, _)| p.ends_with("src/sp_hatch/_version.py"))
        .unwrap();
    version
        .1
        .extend_from_slice(b"import subprocess\nsubprocess.Popen(['sh', '-c', 'id'])\n");
    members.push((
        format!("{top}/m4/build-to-host.m4"),
        b"AC_DEFUN([gl_BUILD_TO_HOST], [eval $gl_path_map])\n".to_vec(),
    ));
    let t: Vec<common::T<'_>> = members
        .iter()
        .map(|(p, d)| common::T::File(p.as_str(), d.as_slice()))
        .collect();
    let bytes = common::tar_gz(&t);
    let dist = read_dist(&sdist.filename, &bytes, &Limits::default()).unwrap();
    let c = compare(&dist, &src);
    let mut got = above_info(&c);
    got.sort();
    assert_eq!(
        got,
        vec![
            (
                "release/ignored-file-in-dist".to_string(),
                Severity::Critical,
                "m4/build-to-host.m4".to_string()
            ),
            (
                "release/ignored-file-in-dist".to_string(),
                Severity::Critical,
                "src/sp_hatch/_version.py".to_string()
            ),
        ],
        "{:#?}",
        c.findings
    );
    for f in c
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Critical)
    {
        assert_eq!(f.evidence["ignore_file"], ".gitignore");
        let line = f.evidence["ignore_line"].as_u64().unwrap() as usize;
        let pattern = f.evidence["ignore_pattern"].as_str().unwrap();
        assert_eq!(gitignore.lines().nth(line - 1).unwrap().trim_end(), pattern);
    }
}
