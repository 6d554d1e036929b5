#![allow(clippy::unwrap_used)]

use globset::Glob;

use super::*;

fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    for (p, body) in files {
        let path = tmp.path().join(p);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, body).unwrap();
    }
    tmp
}

#[test]
fn walk_skips_vcs_envs_build_output_excluded_and_symlinks() {
    let tmp = tree(&[
        ("README.md", "x"),
        (".git/config", "[core]"),
        ("node_modules/x/index.js", "x"),
        (".venv/lib/site.py", "x"),
        ("build/lib/pkg/__init__.py", "x"),
        ("src/build/keep.py", "x"),
        ("src/pkg.egg-info/PKG-INFO", "x"),
        ("vendor/big.bin", "x"),
        (
            "pyproject.toml",
            "[build-system]\nrequires = [\"flit_core\"]\n",
        ),
    ]);
    let root = tmp.path();
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("/etc", root.join("etc-link")).unwrap();
        std::os::unix::fs::symlink(root.join("README.md"), root.join("readme-link")).unwrap();
    }
    let options = Options {
        exclude: vec![Glob::new("vendor/**").unwrap().compile_matcher()],
        ..Options::default()
    };
    let ws = Workspace::load(root, &options);
    let files: Vec<&str> = ws.paths().collect();
    assert_eq!(files, ["README.md", "pyproject.toml", "src/build/keep.py"]);
    assert!(ws.pyproject.as_ref().unwrap().value.is_some());
    assert!(ws.errors.is_empty());
    assert!(!ws.truncated);
}

#[test]
fn walk_limits_truncate() {
    let tmp = tree(&[("a/b/c/d.txt", "x"), ("e.txt", "x"), ("f.txt", "x")]);
    let deep = Workspace::load(
        tmp.path(),
        &Options {
            limits: Limits {
                max_depth: 2,
                ..Limits::default()
            },
            ..Options::default()
        },
    );
    assert!(deep.truncated);
    assert_eq!(deep.paths().collect::<Vec<_>>(), ["e.txt", "f.txt"]);
    let few = Workspace::load(
        tmp.path(),
        &Options {
            limits: Limits {
                max_entries: 2,
                ..Limits::default()
            },
            ..Options::default()
        },
    );
    assert!(few.truncated);
}

const WORKFLOW: &str = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ./.github/actions/setup\n";
const ACTION: &str = "runs:\n  using: composite\n  steps:\n    - run: echo hi\n      shell: bash\n";

#[test]
fn every_input_is_parsed_once_into_one_source_map() {
    let tmp = tree(&[
        (".github/workflows/ci.yml", WORKFLOW),
        (".github/workflows/sub/not-a-workflow.yml", "x: ["),
        (".github/actions/setup/action.yml", ACTION),
        (
            ".github/dependabot.yml",
            "version: 2\nupdates:\n  - package-ecosystem: pip\n    directory: /\n",
        ),
        (".pre-commit-config.yaml", "repos: []\n"),
        ("pyproject.toml", "[project]\nname = \"x\"\n"),
        (".github/CODEOWNERS", "/.github/ @org/release\n"),
        ("SECURITY.md", "mail security@example.org\n"),
        ("docs/CONTRIBUTING.rst", "Releasing\n=========\n"),
        ("renovate.json", "{}"),
        ("src/x.py", "print()\n"),
    ]);
    let ws = Workspace::load(tmp.path(), &Options::default());
    assert!(ws.errors.is_empty(), "{:?}", ws.errors);
    assert_eq!(ws.workflows.len(), 1);
    assert_eq!(ws.actions.len(), 1);
    assert!(ws.dependabot.is_some() && ws.pre_commit.is_some() && ws.pyproject.is_some());
    assert!(ws.local_action("./.github/actions/setup").is_some());
    assert!(ws.local_workflow("./.github/workflows/ci.yml").is_some());
    let owners = ws.codeowners.as_ref().unwrap();
    assert!(owners.owned(".github/workflows/ci.yml"));
    for rel in [
        ".github/workflows/ci.yml",
        ".github/actions/setup/action.yml",
        ".github/dependabot.yml",
        ".pre-commit-config.yaml",
        "pyproject.toml",
        ".github/CODEOWNERS",
        "SECURITY.md",
        "docs/CONTRIBUTING.rst",
        "renovate.json",
    ] {
        assert!(ws.text(rel).is_some(), "{rel} not in the source map");
    }
    assert!(ws.text("src/x.py").is_none());
    assert!(
        ws.text(".github/workflows/sub/not-a-workflow.yml")
            .is_none()
    );

    // The GitHub inputs only: no project files, no documents.
    let gh = Workspace::load(
        tmp.path(),
        &Options {
            inputs: Inputs::GitHub,
            ..Options::default()
        },
    );
    assert_eq!((gh.workflows.len(), gh.actions.len()), (1, 1));
    assert!(gh.pyproject.is_none() && gh.pre_commit.is_none() && gh.codeowners.is_none());
    assert!(gh.text("SECURITY.md").is_none());
    // The file list only.
    let files = Workspace::load(
        tmp.path(),
        &Options {
            inputs: Inputs::FilesOnly,
            ..Options::default()
        },
    );
    assert!(files.workflows.is_empty() && files.sources().get("pyproject.toml").is_none());
    assert_eq!(files.files, ws.files);
}

#[test]
fn invalid_inputs_are_errors_of_their_kind_not_panics() {
    let ws = Workspace::from_files(
        Path::new("/nonexistent"),
        vec![
            (
                "pyproject.toml".to_string(),
                b"[build-system\nrequires = 1".to_vec(),
            ),
            (".pre-commit-config.yaml".to_string(), b"repos: [".to_vec()),
            (".github/workflows/ci.yml".to_string(), vec![0xff, 0xfe]),
            (
                ".github/actions/a/action.yml".to_string(),
                b"- 1\n".to_vec(),
            ),
        ],
        Inputs::All,
    );
    let kinds: Vec<Option<Kind>> = ws.errors.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [
            Some(Kind::Action),
            Some(Kind::Workflow),
            Some(Kind::PreCommit),
            Some(Kind::Pyproject)
        ],
        "{:?}",
        ws.errors
    );
    assert_eq!(ws.errors_of(&[Some(Kind::Workflow)]).count(), 1);
    // An invalid pyproject.toml keeps its text (for snippets) without a value.
    assert!(ws.pyproject.as_ref().unwrap().value.is_none());
    assert!(ws.text("pyproject.toml").is_some());
}

#[test]
fn oversized_and_non_regular_inputs_are_errors() {
    let tmp = tree(&[(".github/workflows/big.yml", &"#".repeat(100))]);
    let ws = Workspace::load(
        tmp.path(),
        &Options {
            limits: Limits {
                max_text_bytes: 10,
                ..Limits::default()
            },
            ..Options::default()
        },
    );
    assert_eq!(ws.errors.len(), 1);
    assert!(
        ws.errors[0]
            .error
            .message
            .contains("over the 10 byte limit"),
        "{:?}",
        ws.errors
    );
}

#[test]
fn one_file_named_on_the_command_line() {
    let tmp = tree(&[("ci.yml", WORKFLOW), ("action.yml", ACTION)]);
    let ws = Workspace::load_file(&tmp.path().join("ci.yml"), None).unwrap();
    assert_eq!(ws.workflows.len(), 1);
    assert_eq!(ws.workflows[0].path(), "ci.yml");
    assert!(ws.text("ci.yml").is_some());
    let ws = Workspace::load_file(&tmp.path().join("action.yml"), None).unwrap();
    assert_eq!(ws.actions.len(), 1);
    let e = Workspace::load_file(&tmp.path().join("missing.yml"), None).unwrap_err();
    assert!(e.to_string().contains("missing.yml: cannot read"), "{e}");
}

#[test]
fn kinds_by_path() {
    assert_eq!(Kind::of(".github/workflows/ci.yaml"), Some(Kind::Workflow));
    assert_eq!(Kind::of(".github/workflows/a/b.yml"), None);
    assert_eq!(Kind::of("tools/action.yml"), Some(Kind::Action));
    assert_eq!(Kind::of(".github/dependabot.yaml"), Some(Kind::Dependabot));
    assert_eq!(Kind::of("sub/pyproject.toml"), None);
    assert_eq!(Kind::of(".pre-commit-config.yml"), Some(Kind::PreCommit));
    assert_eq!(Kind::of("README.md"), None);
}

/// A tree read from git objects lists every file; the ones whose contents were not read are
/// never read from disk, even when the root is a directory holding files of those names.
#[test]
fn a_tree_workspace_never_reads_the_disk() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("SECURITY.md"), "mail security@example.org").unwrap();
    std::fs::write(tmp.path().join("blob.bin"), [0u8; 16]).unwrap();
    let file = |rel: &str, data: Option<&[u8]>| MemoryFile {
        rel: rel.to_string(),
        size: 16,
        executable: rel.ends_with(".sh"),
        data: data.map(<[u8]>::to_vec),
    };
    let ws = Workspace::from_tree(
        tmp.path(),
        vec![
            file("SECURITY.md", None),
            file("blob.bin", None),
            file("run.sh", Some(b"echo hi\n")),
            file("pyproject.toml", Some(b"[project]\nname = \"p\"\n")),
        ],
        Inputs::All,
    );
    assert!(ws.in_memory());
    assert_eq!(ws.git, None);
    assert_eq!(
        ws.paths().collect::<Vec<_>>(),
        ["SECURITY.md", "blob.bin", "pyproject.toml", "run.sh"]
    );
    assert!(ws.entry("run.sh").unwrap().executable);
    assert!(ws.text("SECURITY.md").is_none());
    assert!(ws.head("blob.bin", 8).is_empty());
    assert!(ws.read_text_limited("blob.bin", 1024).is_err());
    assert_eq!(ws.read_text_limited("run.sh", 1024).unwrap(), "echo hi\n");
    assert!(
        ws.read_text_limited("run.sh", 3)
            .unwrap_err()
            .is_too_large()
    );
    assert!(ws.pyproject.is_some());
    // A checkout on disk names its repository when it has a `.git`.
    let disk = Workspace::load(tmp.path(), &Options::default());
    assert_eq!(disk.git, None);
    std::fs::create_dir(tmp.path().join(".git")).unwrap();
    let disk = Workspace::load(tmp.path(), &Options::default());
    assert_eq!(disk.git.as_deref(), Some(tmp.path()));
}
