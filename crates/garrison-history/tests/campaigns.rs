//! `history/campaign` and the severity floors: one person's commits scored together (the XZ
//! sequence, a privileged workflow followed by a release, rights followed by a new runtime
//! dependency), each with look-alikes that must stay quiet: the same steps by different
//! people, too far apart, by long-standing maintainers. Also security policy trims (medium, high
//! after recently gained rights). Repositories are commit scripts built with real `git`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use garrison_history::{Analysis, AnalyzeOptions, MineOptions, analyze, mine};
use garrison_report::Severity;
use garrison_test::git::{Built, build};

macro_rules! need_git {
    () => {
        if !garrison_test::git::require_git() {
            return;
        }
    };
}

const CAMPAIGN: &str = "history/campaign";

fn run(script: &str) -> (Built, Analysis) {
    let (b, _, a) = run_with_history(script);
    (b, a)
}

fn run_with_history(script: &str) -> (Built, garrison_history::History, Analysis) {
    let b = build(script);
    let h = mine(b.path(), &MineOptions::default()).unwrap();
    assert!(h.warnings.is_empty(), "{:?}", h.warnings);
    let a = analyze(&h, &AnalyzeOptions::default());
    (b, h, a)
}

fn severity_of(a: &Analysis, id: &str) -> Option<Severity> {
    a.commits.iter().find(|c| c.id == id).map(|c| c.severity)
}

fn campaign_findings(a: &Analysis) -> Vec<garrison_report::Finding> {
    a.findings()
        .into_iter()
        .filter(|f| f.rule == CAMPAIGN)
        .collect()
}

/// A project with a long-standing maintainer: CMake probe, ignore rules, security policy, test
/// fixtures read by a test script, and a year of routine commits.
const PROJECT: &str = r#"
person lasse = Lasse Collin <lasse@tukaani.example>
person jia = Jia Tan <jiat@example.org>
person hans = Hans Jansen <hans@example.net>
person bob = Bob Contributor <bob@example.net>
author lasse
date 2021-01-04T10:00+02:00
commit [import] initial import
  write CMakeLists.txt
  | cmake_minimum_required(VERSION 3.14)
  | include(CheckCSourceCompiles)
  | check_c_source_compiles("
  |   #include <linux/landlock.h>
  |   int main(void) { return 0; }
  | " HAVE_LINUX_LANDLOCK)
  write .gitignore
  | *.o
  write SECURITY.md
  | # Security policy
  |
  | Report vulnerabilities privately to security@tukaani.example.
  | We coordinate disclosure with distributions before a release.
  | Supported versions: the latest release.
  write tests/test_files.sh
  | for f in files/good-1.xz files/bad-1.xz; do ./xz -t "$f"; done
  write tests/files/good-1.xz binary 400 seed 1
  write tests/files/bad-1.xz binary 420 seed 2
  write src/liblzma.c
  | int lzma(void) { return 0; }
date +1d
routine 50 every 7d
"#;

/// Jia arrives, commits Hans's patch (rights), then within weeks: fixtures (with a README
/// line, referenced by nothing), a stray dot in the landlock probe, an ignore rule hiding a
/// build input, and the security contact removed.
const XZ: &str = r#"
author jia
date +10d
commit [jia1] liblzma: tidy a comment
  append src/liblzma.c
  | /* tidy */
date +20d
author hans
committer jia
commit [hans] liblzma: add ifunc support
  append src/liblzma.c
  | int ifunc_ok(void) { return 1; }
author jia
date +30d
commit [fixtures] Tests: Add a few test files
  write tests/files/bad-3-corrupt_lzma2.xz binary 4000 seed 3
  write tests/files/good-large_compressed.lzma binary 40000 seed 4
  write tests/files/README
  | bad-3-corrupt_lzma2.xz has a corrupt LZMA2 stream.
date +9d
commit [probe] Build: fix the landlock check
  replace CMakeLists.txt
  -   int main(void) { return 0; }
  +   int main(void) { return 0; }.
date +5d
commit [ignore] Build: ignore generated m4
  append .gitignore
  | build-to-host.m4
date +6d
commit [policy] Docs: simplify the security policy
  replace SECURITY.md
  - Report vulnerabilities privately to security@tukaani.example.
  + See the project website.
  - We coordinate disclosure with distributions before a release.
  + Thanks.
"#;

#[test]
fn xz_sequence_by_one_person_is_one_high_campaign() {
    need_git!();
    let (b, h, a) = run_with_history(&format!("{PROJECT}{XZ}"));
    let found = campaign_findings(&a);
    assert_eq!(found.len(), 1, "{found:#?}");
    let f = &found[0];
    assert_eq!(f.severity, Severity::High);
    assert_eq!(f.evidence["pattern"], "build-sabotage");
    // The text report lists the campaign's dated steps with their commits, and counts it.
    let report = garrison_report::Report {
        findings: a.findings(),
        ..Default::default()
    };
    let text = garrison_history::print::ranked(&h, &a, &report, 0, "all commits", "history");
    assert!(
        text.contains("Campaigns (history/campaign: one person's commits together):"),
        "{text}"
    );
    let probe_line = format!(
        "{}  build probe/hardening/sandbox changed",
        &b.ids["probe"][..10]
    );
    assert!(text.contains(&probe_line), "{text}");
    assert!(!text.contains("shared:"), "no path in two members: {text}");
    assert!(text.contains("(1 campaign)"), "{text}");
    // Membership sets a level, not a factor: no "×1.00" beside it.
    assert!(!text.contains("×1.00"), "{text}");
    assert_eq!(f.evidence["person"], "Jia Tan <jiat@example.org>");
    let members: Vec<&str> = f.evidence["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect();
    let want: Vec<&str> = ["fixtures", "probe", "ignore", "policy"]
        .iter()
        .map(|l| b.ids[*l].as_str())
        .collect();
    assert_eq!(members, want);
    // The sequence is dated and names each step; the message says it in one line.
    let steps: Vec<&str> = f.evidence["sequence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["step"].as_str().unwrap())
        .collect();
    for s in [
        "opaque test fixtures",
        "build probe/hardening/sandbox changed",
        "ignore rules hide build inputs",
        "security policy trimmed",
    ] {
        assert!(steps.contains(&s), "{steps:?}");
    }
    // Jia's rights (from committing Hans's patch) open the sequence.
    assert_eq!(steps[0], "rights gained", "{steps:?}");
    assert!(
        f.message.starts_with(
            "campaign by Jia Tan <jiat@example.org>, 4 commits over 50 days — build sabotage: "
        ),
        "{}",
        f.message
    );
    assert!(
        f.message
            .contains("rights gained → 2022-02-12 opaque test fixtures → "),
        "{}",
        f.message
    );
    // Every member is escalated to high and says it belongs to the campaign.
    for l in ["fixtures", "probe", "ignore", "policy"] {
        let id = &b.ids[l];
        assert_eq!(severity_of(&a, id), Some(Severity::High), "{l}");
        let c = a.commits.iter().find(|c| &c.id == id).unwrap();
        assert!(
            c.contributions
                .iter()
                .any(|k| k.evidence.rule.id == CAMPAIGN
                    && k.evidence.message.contains("build sabotage")),
            "{l}"
        );
    }
    // Jia's harmless first commit and Lasse's routine are not members.
    assert_eq!(severity_of(&a, &b.ids["jia1"]), None);
    // The finding points at the newest member and lists the others.
    assert_eq!(f.locations.len(), 4);
    assert_eq!(
        f.locations[0].route.as_deref(),
        Some(&*format!("commit {}", &b.ids["policy"][..10]))
    );
}

#[test]
fn the_same_steps_by_three_people_or_a_year_apart_are_no_campaign() {
    need_git!();
    // Three different people, one step each.
    let spread = XZ
        .replace("commit [probe]", "author bob\ncommit [probe]")
        .replace("commit [ignore]", "author lasse\ncommit [ignore]")
        .replace("commit [fixtures]", "author hans\ncommit [fixtures]")
        .replace("commit [policy]", "author bob\ncommit [policy]");
    let (_b, a) = run(&format!("{PROJECT}{spread}"));
    assert!(
        campaign_findings(&a).is_empty(),
        "{:#?}",
        campaign_findings(&a)
    );
    // One person, but months apart.
    let slow = XZ
        .replace("date +9d\ncommit [probe]", "date +200d\ncommit [probe]")
        .replace("date +5d\ncommit [ignore]", "date +200d\ncommit [ignore]")
        .replace("date +6d\ncommit [policy]", "date +200d\ncommit [policy]");
    let (_b, a) = run(&format!("{PROJECT}{slow}"));
    assert!(
        campaign_findings(&a).is_empty(),
        "{:#?}",
        campaign_findings(&a)
    );
}

/// A Python package released by its long-standing maintainer.
const PACKAGE: &str = r#"
person mara = Mara Maintainer <mara@example.org>
person ghost = Ghost Contributor <ghost@example.net>
author mara
date 2022-01-03T09:00Z
commit [import] initial import
  write pyproject.toml
  | [project]
  | name = "pkg"
  | version = "1.0.0"
  | dependencies = [
  |   "numpy>=1.24",
  | ]
  |
  | [project.optional-dependencies]
  | test = ["pytest"]
  write .github/workflows/ci.yml
  | on:
  |   push:
  |   pull_request:
  | jobs:
  |   test:
  |     runs-on: ubuntu-latest
  |     steps:
  |       - run: pytest
tag v1.0.0
date +1d
routine 60 every 7d
"#;

#[test]
fn privileged_workflow_then_release_by_a_newcomer_is_a_high_campaign() {
    need_git!();
    let script = format!(
        "{PACKAGE}{}",
        r#"
author ghost
date +3d
commit [first] docs: fix a typo
  append src/core.py
  | # typo
date +10d
commit [wf] ci: run on forks too
  replace .github/workflows/ci.yml
  -   pull_request:
  +   pull_request_target:
date +4d
commit [bump] release 1.0.1
  replace pyproject.toml
  - version = "1.0.0"
  + version = "1.0.1"
"#
    );
    let (b, a) = run(&script);
    let found = campaign_findings(&a);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].evidence["pattern"], "privileged-release");
    assert_eq!(found[0].severity, Severity::High, "a newcomer");
    let seq = found[0].evidence["sequence"].to_string();
    assert!(seq.contains("trigger pull_request_target added"), "{seq}");
    assert!(seq.contains("version 1.0.0 → 1.0.1"), "{seq}");
    // The version bump alone has no evidence of its own, yet it is a member and reported.
    assert_eq!(severity_of(&a, &b.ids["bump"]), Some(Severity::High));
    assert_eq!(severity_of(&a, &b.ids["wf"]), Some(Severity::High));
    assert_eq!(severity_of(&a, &b.ids["first"]), None);
}

#[test]
fn trusted_publishing_then_release_or_a_late_release_is_no_campaign() {
    need_git!();
    // The maintainer adds id-token: write (trusted publishing, as SPEC 8 asks) and releases.
    let script = format!(
        "{PACKAGE}{}",
        r#"
date +3d
commit [wf] ci: publish with trusted publishing
  append .github/workflows/ci.yml
  |     permissions:
  |       id-token: write
date +2d
commit [bump] release 1.1.0
  replace pyproject.toml
  - version = "1.0.0"
  + version = "1.1.0"
"#
    );
    let (_b, a) = run(&script);
    assert!(
        campaign_findings(&a).is_empty(),
        "{:#?}",
        campaign_findings(&a)
    );
    // A privileged trigger, but the release comes two months later.
    let script = format!(
        "{PACKAGE}{}",
        r#"
date +3d
commit [wf] ci: label pull requests
  replace .github/workflows/ci.yml
  -   pull_request:
  +   pull_request_target:
date +60d
commit [bump] release 1.1.0
  replace pyproject.toml
  - version = "1.0.0"
  + version = "1.1.0"
"#
    );
    let (_b, a) = run(&script);
    assert!(
        campaign_findings(&a).is_empty(),
        "{:#?}",
        campaign_findings(&a)
    );
}

/// event-stream: a newcomer is handed the package (tags a release), adds a new runtime
/// dependency and releases again.
const EVENT_STREAM: &str = r#"
author ghost
date +5d
commit [first] readme: fix a link
  append src/core.py
  | # link
date +2d
tag v1.0.1
date +3d
commit [dep] add flatmap-stream
  replace pyproject.toml
  -   "numpy>=1.24",
  +   "numpy>=1.24",
  +   "flatmap-stream>=0.1",
date +6d
commit [bump] release 1.0.2
  replace pyproject.toml
  - version = "1.0.0"
  + version = "1.0.2"
"#;

#[test]
fn rights_then_a_new_dependency_and_a_release_is_a_high_campaign() {
    need_git!();
    let (b, a) = run(&format!("{PACKAGE}{EVENT_STREAM}"));
    let found = campaign_findings(&a);
    assert_eq!(found.len(), 1, "{found:#?}");
    let f = &found[0];
    assert_eq!(f.evidence["pattern"], "rights-then-sensitive");
    assert_eq!(f.severity, Severity::High, "a release too");
    let seq = f.evidence["sequence"].to_string();
    assert!(seq.contains("tagged v1.0.1"), "{seq}");
    assert!(
        seq.contains("flatmap-stream (runtime dependency in pyproject.toml)"),
        "{seq}"
    );
    assert_eq!(severity_of(&a, &b.ids["dep"]), Some(Severity::High));
    assert_eq!(severity_of(&a, &b.ids["bump"]), Some(Severity::High));
    // The dependency on its own is explained by its rule.
    let dep = a.commits.iter().find(|c| c.id == b.ids["dep"]).unwrap();
    assert!(
        dep.contributions
            .iter()
            .any(|k| k.evidence.rule.id == "history/new-runtime-dependency"),
        "{:#?}",
        dep.contributions
    );
}

#[test]
fn a_maintainer_adding_a_dependency_or_a_newcomer_adding_a_test_extra_is_no_campaign() {
    need_git!();
    // The long-standing maintainer adds the dependency and releases.
    let by_mara = EVENT_STREAM.replace("author ghost", "author mara");
    let (_b, a) = run(&format!("{PACKAGE}{by_mara}"));
    assert!(
        campaign_findings(&a).is_empty(),
        "{:#?}",
        campaign_findings(&a)
    );
    // The newcomer with rights adds a test-only extra and bumps nothing: not a runtime
    // dependency.
    let extra = EVENT_STREAM
        .replace(
            "  -   \"numpy>=1.24\",\n  +   \"numpy>=1.24\",\n  +   \"flatmap-stream>=0.1\",",
            "  - test = [\"pytest\"]\n  + test = [\"pytest\", \"flatmap-stream\"]",
        )
        .replace("commit [bump]", "commit [bump2]");
    let extra = extra.split("date +6d").next().unwrap().to_string();
    let (_b, a) = run(&format!("{PACKAGE}{extra}"));
    assert!(
        campaign_findings(&a).is_empty(),
        "{:#?}",
        campaign_findings(&a)
    );
    let rules: BTreeSet<&str> = a
        .commits
        .iter()
        .flat_map(|c| c.contributions.iter().map(|k| k.evidence.rule.id))
        .collect();
    assert!(
        !rules.contains("history/new-runtime-dependency"),
        "{rules:?}"
    );
}

// ---- security policy trims ----

const POLICY: &str = "history/security-policy-weakened";

#[test]
fn a_policy_losing_its_channel_is_medium_and_high_after_recent_rights() {
    need_git!();
    // Lasse himself removes the contact: medium, whatever the score.
    let trim = r#"
author lasse
date +3d
commit [policy] Docs: simplify the security policy
  replace SECURITY.md
  - Report vulnerabilities privately to security@tukaani.example.
  + See the project website.
"#;
    let (b, a) = run(&format!("{PROJECT}{trim}"));
    let c = a.commits.iter().find(|c| c.id == b.ids["policy"]).unwrap();
    assert_eq!(c.severity, Severity::Medium, "score {}", c.score);
    assert!(
        c.score < 6.0,
        "medium by the floor, not the score: {}",
        c.score
    );
    assert!(
        c.contributions.iter().any(|k| k.evidence.rule.id == POLICY
            && k.evidence
                .message
                .starts_with("reported at medium at least")),
        "{:#?}",
        c.contributions
    );
    // The same trim by someone who gained rights weeks before: high.
    let recent = r#"
author jia
date +3d
commit [jia1] liblzma: tidy
  append src/liblzma.c
  | /* tidy */
date +10d
author hans
committer jia
commit [hans] liblzma: patch
  append src/liblzma.c
  | int p(void) { return 1; }
author jia
date +20d
commit [policy] Docs: simplify the security policy
  replace SECURITY.md
  - Report vulnerabilities privately to security@tukaani.example.
  + See the project website.
"#;
    let (b, a) = run(&format!("{PROJECT}{recent}"));
    let c = a.commits.iter().find(|c| c.id == b.ids["policy"]).unwrap();
    assert_eq!(c.severity, Severity::High, "score {}", c.score);
    assert!(
        c.contributions
            .iter()
            .any(|k| k.evidence.message.contains("gained rights recently")),
        "{:#?}",
        c.contributions
    );
    // Moving the policy elsewhere (the file now only points at another page) counts too.
    let moved = r#"
author lasse
date +3d
commit [policy] Docs: move the security policy to the website
  write SECURITY.md
  | See https://tukaani.example/security for our policy.
"#;
    let (b, a) = run(&format!("{PROJECT}{moved}"));
    assert_eq!(severity_of(&a, &b.ids["policy"]), Some(Severity::Medium));
    // Adding a line keeps the channel: nothing.
    let grows = r#"
author lasse
date +3d
commit [policy] Docs: thank reporters
  append SECURITY.md
  | Thanks to everyone who reports responsibly.
"#;
    let (b, a) = run(&format!("{PROJECT}{grows}"));
    assert_eq!(severity_of(&a, &b.ids["policy"]), None);
}

/// Under review, a pull request whose commit completes a sequence with the author's landed
/// commits is escalated, and the campaign lists the landed members too.
#[test]
fn a_pending_commit_that_completes_a_campaign_is_escalated_under_review() {
    need_git!();
    let (b, h, _) = run_with_history(&format!("{PROJECT}{XZ}"));
    let pending = std::collections::HashSet::from([b.ids["policy"].clone()]);
    let a = analyze(
        &h,
        &AnalyzeOptions {
            since: None,
            pending,
            review: true,
        },
    );
    assert_eq!(a.evaluated, 1);
    assert_eq!(
        a.commits.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
        [b.ids["policy"].as_str()],
        "only the pending commit is reported"
    );
    assert_eq!(a.commits[0].severity, Severity::High);
    let found = campaign_findings(&a);
    assert_eq!(found.len(), 1, "{found:#?}");
    let members = found[0].evidence["members"].as_array().unwrap();
    assert_eq!(members.len(), 4, "the landed steps are members too");
    // Without the pending commit, nothing under review: no campaign.
    let a = analyze(
        &h,
        &AnalyzeOptions {
            since: None,
            pending: std::collections::HashSet::new(),
            review: true,
        },
    );
    assert!(campaign_findings(&a).is_empty());
}
