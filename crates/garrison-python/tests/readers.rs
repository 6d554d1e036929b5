//! Snapshot tests of every reader on the hand-written fixtures under `tests/fixtures/<format>/`,
//! and the "garbage never panics" loop.
#![allow(clippy::unwrap_used)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use garrison_python::{Manifest, VersionRef, read};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// One line per dependency: span, ecosystem, kind, name, version, specifier, marker, group,
/// url, hashes; then errors and includes.
pub fn render(m: &Manifest) -> String {
    let mut s = String::new();
    writeln!(s, "{} ({:?}): {} deps", m.path, m.format, m.deps.len()).unwrap();
    for d in &m.deps {
        let sp = d.span;
        write!(
            s,
            "{}:{}-{}:{} {:?} {:?} {}",
            sp.start_line, sp.start_column, sp.end_line, sp.end_column, d.ecosystem, d.kind, d.name
        )
        .unwrap();
        if d.raw_name != d.name.as_str() {
            write!(s, " (as `{}`)", d.raw_name).unwrap();
        }
        match &d.version {
            Some(VersionRef::Pep440(v)) => write!(s, " v={v}").unwrap(),
            Some(VersionRef::Raw(v)) => write!(s, " raw={v}").unwrap(),
            None => {}
        }
        if let Some(t) = &d.specifier_text {
            write!(s, " spec=`{t}`").unwrap();
            if d.specifiers.is_none() {
                write!(s, " (unparsed)").unwrap();
            }
        }
        if let Some(mk) = &d.marker {
            write!(s, " marker=`{mk}`").unwrap();
        }
        write!(s, " group=`{}`", d.group).unwrap();
        if let Some(u) = &d.url {
            write!(s, " url={u}").unwrap();
        }
        if !d.hashes.is_empty() {
            write!(s, " hashes={}", d.hashes.join(",")).unwrap();
        }
        assert_eq!(d.path, m.path);
        writeln!(s).unwrap();
    }
    for e in &m.errors {
        writeln!(s, "error: {e}").unwrap();
    }
    for i in &m.includes {
        writeln!(s, "include: {i}").unwrap();
    }
    s
}

/// Every fixture file whose path `detect`s, relative to its format directory.
fn cases(format_dir: &str) -> Vec<(String, String)> {
    let base = fixtures().join(format_dir);
    let mut out = Vec::new();
    let mut stack = vec![base.clone()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let rel = p
                .strip_prefix(&base)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            if garrison_python::detect(&rel).is_some() {
                out.push((rel, std::fs::read_to_string(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

fn snapshot_dir(format_dir: &str) {
    let cases = cases(format_dir);
    assert!(!cases.is_empty(), "no fixtures in {format_dir}");
    for (rel, text) in cases {
        let m = read(&rel, &text).unwrap();
        let name = format!("{format_dir}__{}", rel.replace('/', "__"));
        insta::assert_snapshot!(name, render(&m));
    }
}

#[test]
fn requirements() {
    snapshot_dir("requirements");
}

#[test]
fn requirements_tree_with_cycle() {
    let root = fixtures().join("requirements");
    let ms = garrison_python::read_tree(&root, "requirements.txt", |rel| {
        std::fs::read_to_string(root.join(rel)).ok()
    });
    let mut s = String::new();
    for m in &ms {
        s.push_str(&render(m));
    }
    insta::assert_snapshot!("requirements_tree", s);
}

/// Garbage never panics: random bytes, random mixes of requirement syntax, for every reader.
#[test]
fn garbage_never_panics() {
    const PIECES: &[&str] = &[
        "numpy",
        "==",
        "===",
        ">=1.0",
        "<2",
        ",",
        ";",
        " ; ",
        "python_version",
        "<",
        "'3.8'",
        "\"",
        "[",
        "]",
        "(",
        ")",
        "@",
        " @ ",
        "https://x/y.whl",
        "\\\n",
        "\n",
        "\r\n",
        "#",
        " # c",
        "-r ",
        "-c",
        "--hash=sha256:",
        "--hash",
        "-e ",
        ".",
        "..",
        "/",
        "${X}",
        "extra ==",
        "and",
        "or",
        " ",
        "\t",
        "é",
        "\u{0}",
        "~=",
        "!=",
        "*",
        "+local",
        "-i",
        "--index-url=",
        "==1.*",
        "[[package]]",
        "name = ",
        "version = ",
        "[project]",
        "dependencies = [",
        "{",
        "}",
        "=",
        "packages:",
        "- ",
        "  ",
        ":",
        "pypi: ",
        "conda: ",
        "-1.0-h0.conda",
        "purls:",
        "pkg:pypi/a@1",
        "\"default\": {",
        "\"version\": \"==1\"",
        "Name: x",
        "Version: 1",
    ];
    let formats = [
        "requirements.txt",
        "pyproject.toml",
        "uv.lock",
        "pylock.toml",
        "poetry.lock",
        "Pipfile.lock",
        "pdm.lock",
        "pixi.lock",
        "environment.yml",
        "conda-lock.yml",
        "x.dist-info/METADATA",
    ];
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for i in 0..3000 {
        let mut s = String::new();
        let n = next() % 40;
        for _ in 0..n {
            if next() % 5 == 0 {
                // a random char
                let c = char::from_u32((next() % 0x3000) as u32).unwrap_or('x');
                s.push(c);
            } else {
                s.push_str(PIECES[(next() as usize) % PIECES.len()]);
            }
        }
        let f = formats[i % formats.len()];
        let _ = read(f, &s);
        let _ = garrison_python::requirements::parse("requirements.txt", &s);
        let _ = garrison_python::parse_requirement(&s);
    }
}

#[test]
fn pyproject() {
    snapshot_dir("pyproject");
}

#[test]
fn uv_lock() {
    snapshot_dir("uv_lock");
}

#[test]
fn pylock() {
    snapshot_dir("pylock");
}

#[test]
fn poetry_lock() {
    snapshot_dir("poetry_lock");
}

#[test]
fn pdm_lock() {
    snapshot_dir("pdm_lock");
}

#[test]
fn pixi_lock() {
    snapshot_dir("pixi_lock");
}

#[test]
fn conda_env() {
    snapshot_dir("conda_env");
}

#[test]
fn conda_lock() {
    snapshot_dir("conda_lock");
}

#[test]
fn pipfile_lock() {
    snapshot_dir("pipfile_lock");
}

#[test]
fn installed_site_packages() {
    let dir = tempfile::tempdir().unwrap();
    let sp = dir.path();
    let dist = |name: &str, meta: &str| {
        let d = sp.join(name);
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join("METADATA"), meta).unwrap();
    };
    dist(
        "numpy-1.26.4.dist-info",
        "Metadata-Version: 2.1\nName: numpy\nVersion: 1.26.4\nSummary: x\n\nVersion: 9.9 (in the body)\n",
    );
    dist(
        "Pillow-9.0.0.dist-info",
        "Metadata-Version: 2.1\r\nName: Pillow\r\nVersion: 9.0.0\r\n",
    );
    dist("weird-1.dist-info", "Name: weird\nVersion: 2023.10.x\n");
    dist("noversion-1.dist-info", "Name: noversion\n");
    std::fs::create_dir_all(sp.join("empty-1.dist-info")).unwrap();
    std::fs::create_dir_all(sp.join("numpy")).unwrap();
    std::fs::write(sp.join("six.py"), "").unwrap();
    let deps = garrison_python::read_installed(sp);
    let m = Manifest {
        path: "site-packages".into(),
        format: garrison_python::Format::Installed,
        deps: deps
            .into_iter()
            .map(|mut d| {
                d.path = "site-packages".into();
                d
            })
            .collect(),
        errors: Vec::new(),
        includes: Vec::new(),
    };
    insta::assert_snapshot!("installed", render(&m));
    // Single-file reader and detection.
    let m = read(
        "x/numpy-1.26.4.dist-info/METADATA",
        "Name: numpy\nVersion: 1.26.4\n",
    )
    .unwrap();
    assert_eq!(m.deps.len(), 1);
    assert_eq!(m.deps[0].span.start_line, 2);
}

#[test]
fn oversized_inputs_are_refused() {
    let big = "a".repeat(garrison_python::MAX_BYTES + 1);
    for f in [
        "requirements.txt",
        "uv.lock",
        "pixi.lock",
        "Pipfile.lock",
        "environment.yml",
    ] {
        let m = read(f, &big).unwrap();
        assert!(m.deps.is_empty());
        assert_eq!(m.errors.len(), 1, "{f}");
    }
}

/// uv.lock and pylock.toml keep each locked file with its own name and hashes (for
/// `garrison verify --lock`); requirements keep only the pooled hashes.
#[test]
fn locked_files_per_entry() {
    let text = std::fs::read_to_string(fixtures().join("pylock/pylock.dev.toml")).unwrap();
    let m = read("pylock.dev.toml", &text).unwrap();
    let attrs = m.deps.iter().find(|d| d.name.as_str() == "attrs").unwrap();
    let files: Vec<(&str, &[String], Option<u64>)> = attrs
        .files
        .iter()
        .map(|f| (f.filename.as_str(), f.hashes.as_slice(), f.size))
        .collect();
    assert_eq!(
        files,
        vec![
            (
                "attrs-25.1.0.tar.gz",
                &["sha256:1111".to_string()][..],
                Some(1)
            ),
            (
                "attrs-25.1.0-py3-none-any.whl",
                &["sha256:2222".to_string()][..],
                Some(1)
            ),
        ]
    );
    let colorama = m
        .deps
        .iter()
        .find(|d| d.name.as_str() == "colorama")
        .unwrap();
    assert_eq!(
        colorama.files[0].filename,
        "colorama-0.4.6-py2.py3-none-any.whl"
    );
    let git = m
        .deps
        .iter()
        .find(|d| d.name.as_str() == "from-git")
        .unwrap();
    assert!(git.files.is_empty());

    let text = std::fs::read_to_string(fixtures().join("uv_lock/uv.lock")).unwrap();
    let m = read("uv.lock", &text).unwrap();
    let numpy = m
        .deps
        .iter()
        .find(|d| d.name.as_str() == "numpy" && !d.files.is_empty())
        .unwrap();
    assert_eq!(numpy.files[0].filename, "numpy-2.2.6.tar.gz");
    assert_eq!(numpy.files[0].hashes, vec!["sha256:aaaa".to_string()]);
    assert_eq!(numpy.files[1].filename, "numpy-2.2.6-cp310-none-any.whl");
    assert_eq!(numpy.files[1].hashes, vec!["sha256:bbbb".to_string()]);

    let m = read(
        "requirements.txt",
        "six==1.16.0 --hash=sha256:1111 --hash=sha256:2222\n",
    )
    .unwrap();
    assert!(m.deps[0].files.is_empty());
    assert_eq!(m.deps[0].hashes.len(), 2);
}

/// A name that is not a valid package name is an error on its line, never an entry under a
/// name "normalized" from garbage.
#[test]
fn invalid_names_are_errors() {
    let uv = "version = 1\n\n[[package]]\nname = \"-bad\"\nversion = \"1.0\"\n\n[[package]]\nname = \"Good_Name\"\nversion = \"2.0\"\n";
    let m = read("uv.lock", uv).unwrap();
    assert_eq!(
        m.deps.iter().map(|d| d.name.as_str()).collect::<Vec<_>>(),
        ["good-name"]
    );
    assert_eq!(m.errors.len(), 1, "{:?}", m.errors);
    assert_eq!(
        m.errors[0].to_string(),
        "uv.lock:4: `-bad` is not a valid package name (letters, digits, and `-`, `_` or `.` between them)"
    );
    let poetry =
        "[tool.poetry.dependencies]\npython = \"^3.9\"\n\"num py\" = \"^1.0\"\nscipy = \"^1.7\"\n";
    let m = read("pyproject.toml", poetry).unwrap();
    assert_eq!(
        m.deps.iter().map(|d| d.name.as_str()).collect::<Vec<_>>(),
        ["scipy"]
    );
    assert_eq!(m.errors.len(), 1, "{:?}", m.errors);
    assert!(
        m.errors[0]
            .to_string()
            .starts_with("pyproject.toml:3: `num py` is not a valid package name")
    );
}
