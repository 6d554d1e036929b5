//! The SPECs checkout in `../shared/data/specs` (scientific-python/specs at the commit in its
//! SOURCE file): core projects, endorsements, and the shipped manifest generated from them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use garrison_fleet::{FleetError, Manifest, import_specs};

fn specs_dir() -> Option<PathBuf> {
    let p = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/specs"
    ));
    garrison_test::require::require(
        p.join("core-projects").is_dir().then_some(p),
        "the shared SPECs checkout",
    )
}

#[test]
fn core_projects_and_endorsements_come_from_the_specs_checkout() {
    let Some(dir) = specs_dir() else { return };
    let imp = import_specs(&dir).unwrap();
    let names: Vec<&str> = imp
        .manifest
        .projects
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(names.len(), 15, "{names:?}");
    let numpy = imp
        .manifest
        .projects
        .iter()
        .find(|p| p.name == "numpy")
        .unwrap();
    assert_eq!(numpy.repositories, ["https://github.com/numpy/numpy"]);
    assert_eq!(numpy.pypi, ["numpy"]);
    assert_eq!(numpy.org.as_deref(), Some("numpy"));
    assert!(numpy.core);
    assert!(
        numpy.endorses.contains(&6) && numpy.endorses.contains(&8),
        "{:?}",
        numpy.endorses
    );
    // MNE-Python publishes `mne`; narwhals' pypi link points at pypistats.
    let mne = imp
        .manifest
        .projects
        .iter()
        .find(|p| p.name == "mne-python")
        .unwrap();
    assert_eq!(mne.pypi, ["mne"]);
    let nw = imp
        .manifest
        .projects
        .iter()
        .find(|p| p.name == "narwhals")
        .unwrap();
    assert_eq!(nw.pypi, ["narwhals"]);
    // SPEC 8 is endorsed by five core projects, SPEC 6 by six.
    let spec = |n: u32| imp.specs.iter().find(|s| s.number == n).unwrap();
    assert_eq!(
        spec(8).endorsed_by,
        ["networkx", "numpy", "pysal", "scikit-image", "scikit-learn"]
    );
    assert_eq!(spec(6).endorsed_by.len(), 6);
    assert!(spec(8).title.contains("Securing the Release Process"));
    assert!(
        imp.unknown_endorsers.is_empty(),
        "{:?}",
        imp.unknown_endorsers
    );
}

/// The manifest shipped with Garrison is exactly what the importer makes of the checkout
/// (`GARRISON_UPDATE_DATA=1` rewrites it).
#[test]
fn the_shipped_core_manifest_is_current() {
    let Some(dir) = specs_dir() else { return };
    let want = import_specs(&dir).unwrap().manifest.to_toml();
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/core-projects.toml");
    if std::env::var_os("GARRISON_UPDATE_DATA").is_some() {
        let header = "# The core projects of the Scientific Python ecosystem, generated from\n# scientific-python/specs by `garrison ecosystem import-specs` (see RELEASING.md).\n\n";
        std::fs::write(&shipped, format!("{header}{want}")).unwrap();
    }
    let text = std::fs::read_to_string(&shipped).unwrap();
    let m = Manifest::parse(&text, &shipped).unwrap();
    assert_eq!(
        m.to_toml(),
        want,
        "run with GARRISON_UPDATE_DATA=1 to refresh"
    );
    assert_eq!(Manifest::core(), m);
}

#[test]
fn bad_manifests_name_file_line_and_column() {
    let p = Path::new("fleet.toml");
    let err = |text: &str| match Manifest::parse(text, p) {
        Err(FleetError::Manifest {
            line,
            column,
            message,
            ..
        }) => (line, column, message),
        other => panic!("{other:?}"),
    };
    // A TOML syntax error.
    let (line, _, msg) = err("[[project]]\nname = \"a\"\nrepositories = [\"x\"\n");
    assert_eq!(line, 3, "{msg}");
    // An unknown key.
    let (line, _, msg) = err("[[project]]\nname = \"a\"\nrepositories = [\"x\"]\nrepo = 1\n");
    assert_eq!(line, 4);
    assert!(msg.contains("repo"), "{msg}");
    // A project twice, a project without repository, a bad scheme, a bad PyPI name: each at
    // the line of the key.
    let (line, _, msg) = err(
        "[[project]]\nname = \"a\"\nrepositories = [\"x\"]\n\n[[project]]\nname = \"a\"\nrepositories = [\"y\"]\n",
    );
    assert_eq!((line, msg.as_str()), (2, "project `a` is listed twice"));
    let (line, _, msg) = err("[[project]]\nname = \"b\"\nrepositories = []\n");
    assert_eq!((line, msg.as_str()), (3, "project `b` has no repository"));
    let (line, _, msg) =
        err("[[project]]\nname = \"c\"\ncore = true\nrepositories = [\"ssh://host/x\"]\n");
    assert_eq!(line, 4, "{msg}");
    assert!(msg.contains("neither an https:// or file:// URL"), "{msg}");
    let (line, _, msg) =
        err("[[project]]\nname = \"d\"\nrepositories = [\"x\"]\npypi = [\"-bad\"]\n");
    assert_eq!(line, 4, "{msg}");
    // Missing `repositories` entirely is TOML's own error.
    let (_, _, msg) = err("[[project]]\nname = \"e\"\n");
    assert!(msg.contains("repositories"), "{msg}");
}

#[test]
fn locations_resolve_urls_and_paths() {
    let m = Manifest::parse(
        "[[project]]\nname = \"x\"\nrepositories = [\"https://github.com/o/x\", \"file:///srv/x\", \"repos/x\"]\n",
        Path::new("m.toml"),
    )
    .unwrap();
    let l = m.projects[0].locations(Path::new("/base"));
    assert_eq!(
        l,
        [
            garrison_fleet::Location::Remote("https://github.com/o/x".into()),
            garrison_fleet::Location::Local(PathBuf::from("/srv/x")),
            garrison_fleet::Location::Local(PathBuf::from("/base/repos/x")),
        ]
    );
}

#[test]
fn a_specs_checkout_with_broken_frontmatter_is_a_clear_error() {
    let t = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(t.path().join("core-projects")).unwrap();
    std::fs::write(
        t.path().join("core-projects/x.md"),
        "---\ntitle: X\nhomepage: https://x\n---\n",
    )
    .unwrap();
    match import_specs(t.path()) {
        Err(FleetError::Specs { line, message, .. }) => {
            assert_eq!(line, 1);
            assert!(message.contains("`repository`"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    std::fs::write(t.path().join("core-projects/x.md"), "no frontmatter\n").unwrap();
    assert!(matches!(
        import_specs(t.path()),
        Err(FleetError::Specs { .. })
    ));
    assert!(matches!(
        import_specs(&t.path().join("missing")),
        Err(FleetError::Read { .. })
    ));
}
