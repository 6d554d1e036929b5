//! The SPEC item catalogue and its verdicts on real repositories of `../shared/data/repos`,
//! scanned with the same analyses as `garrison scan` (posture and workflows; no history: the
//! corpus has no git).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use garrison_fleet::items::parse_catalogue;
use garrison_fleet::{Facts, Status, Verdict, adoption, catalogue};
use garrison_report::config::Config;
use garrison_scan::{Analyses, ScanOptions};
use garrison_workspace::{Options, Workspace};

fn corpus(name: &str) -> Option<PathBuf> {
    let p = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/repos"
    ))
    .join(name);
    garrison_test::require::require(p.is_dir().then_some(p), "the shared repository corpus")
}

fn verdicts(repo: &Path) -> (Facts, Vec<Verdict>) {
    let opts = ScanOptions::new(Analyses {
        actions: true,
        posture: true,
        deps: false,
        history: false,
    });
    let scan = garrison_scan::scan_checkout(repo, &Config::default(), &opts).unwrap();
    let ws = Workspace::load(repo, &Options::default());
    let facts = Facts::of(&ws);
    let items = catalogue().unwrap();
    let v = items
        .iter()
        .map(|i| i.verdict(&scan.report.findings, &facts))
        .collect();
    (facts, v)
}

fn status<'a>(v: &'a [Verdict], id: &str) -> &'a Verdict {
    v.iter()
        .find(|x| x.id == id)
        .unwrap_or_else(|| panic!("{id}"))
}

#[test]
fn the_catalogue_covers_specs_6_and_8_and_names_only_real_rules() {
    let items = catalogue().unwrap();
    let registry = garrison_scan::registry();
    for i in &items {
        for r in &i.rules {
            assert!(registry.get(r).is_some(), "{}: unknown rule {r}", i.id);
        }
    }
    let ids: Vec<&str> = items.iter().map(|i| i.id.as_str()).collect();
    for want in [
        "spec8/actions-pinned-sha",
        "spec8/default-permissions-read",
        "spec8/publish-environment",
        "spec8/trusted-publishing",
        "spec8/build-provenance",
        "spec8/release-process-documented",
        "spec8/dependabot-actions",
        "spec8/intentional-publish-trigger",
        "spec8/signed-release-tags",
        "spec6/two-factor",
    ] {
        assert!(ids.contains(&want), "{want} missing from {ids:?}");
    }
    // A malformed catalogue names its line.
    let e = parse_catalogue("[[item]]\nid = \"spec8/x\"\nspec = 8\nsection = \"s\"\ntitle = \"t\"\nrules = [\"a\"]\nbogus = 1\n", "c.toml").unwrap_err();
    assert!(e.to_string().starts_with("c.toml:7:"), "{e}");
    let e = parse_catalogue(
        "[[item]]\nid = \"spec6/x\"\nspec = 8\nsection = \"s\"\ntitle = \"t\"\nrules = [\"a\"]\n",
        "c.toml",
    )
    .unwrap_err();
    assert!(e.to_string().contains("not under spec8/"), "{e}");
    let e = parse_catalogue(
        "[[item]]\nid = \"spec8/x\"\nspec = 8\nsection = \"s\"\ntitle = \"t\"\n",
        "c.toml",
    )
    .unwrap_err();
    assert!(e.to_string().contains("decided by nothing"), "{e}");
}

/// Every item of every corpus repository gets a verdict that its evidence explains: a failing
/// item names findings of its own rules, a not-evaluated item says what is missing, and items
/// that need data Garrison lacks are never "holds".
#[test]
fn verdicts_on_the_corpus_are_explained() {
    let Some(root) = corpus("") else { return };
    let items = catalogue().unwrap();
    let mut repos: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    repos.sort();
    assert!(repos.len() >= 40);
    let mut fails = 0;
    let mut holds = 0;
    for repo in &repos {
        let (_, v) = verdicts(repo);
        assert_eq!(v.len(), items.len());
        for (i, x) in items.iter().zip(&v) {
            match x.status {
                Status::Fails => {
                    fails += 1;
                    assert!(!x.evidence.is_empty());
                    assert!(
                        x.evidence.iter().all(|e| i.rules.contains(&e.rule)),
                        "{x:?}"
                    );
                }
                Status::NotEvaluated | Status::NotApplicable => {
                    assert!(!x.evidence.is_empty(), "{x:?}")
                }
                Status::Holds => {
                    holds += 1;
                    assert!(i.needs.is_none(), "{} holds without its data", i.id);
                }
            }
        }
        let (adopted, h, e) = adoption(8, &v);
        assert_eq!(adopted, e > 0 && h == e);
    }
    assert!(fails > 0 && holds > 0, "fails {fails}, holds {holds}");
}

#[test]
fn a_project_without_publishing_or_workflows_is_not_judged_on_them() {
    let t = tempfile::tempdir().unwrap();
    std::fs::write(t.path().join("README.md"), "# x\n").unwrap();
    let (facts, v) = verdicts(t.path());
    assert_eq!(facts, Facts::default());
    assert_eq!(
        status(&v, "spec8/trusted-publishing").status,
        Status::NotApplicable
    );
    assert_eq!(
        status(&v, "spec8/actions-pinned-sha").status,
        Status::NotApplicable
    );
    assert_eq!(
        status(&v, "spec8/default-permissions-read").status,
        Status::NotApplicable
    );
    assert_eq!(
        status(&v, "spec8/release-process-documented").status,
        Status::Fails
    );
    assert_eq!(status(&v, "spec6/two-factor").status, Status::NotEvaluated);
    assert_eq!(
        status(&v, "spec8/signed-release-tags").status,
        Status::NotEvaluated
    );
    assert!(!adoption(8, &v).0);
}
