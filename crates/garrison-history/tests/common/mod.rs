//! Stories shared by the history tests and the CLI's (`crates/garrison/tests/history.rs`
//! includes this file): the XZ-Utils-like history, built with garrison-test's git [`Repo`]
//! builder (its loops and conditions make a commit script longer, not clearer), and the change
//! evidence every signal gives one commit.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

pub use garrison_test::git::{DAY, Repo, Who, at, blob, local, text};

// ---- the XZ-Utils-like story ----

/// The long-time maintainer.
pub const LASSE: Who = Who::of("Lasse Collin", "lasse@tukaani.example");
/// The newcomer who earns trust, then rewrites the test files.
pub const JIA: Who = Who::of("Jia Tan", "jiat@example.org");
/// An occasional contributor whose pull requests Lasse merges.
pub const BOB: Who = Who::of("Bob Contributor", "bob@example.net");
/// A contributor whose patch Jia commits (Jia's first sign of push rights).
pub const HANS: Who = Who::of("Hans Jansen", "hans@example.net");

/// Lasse's offset (Finland, UTC+02:00) and Jia's (UTC+08:00).
pub const EET: i32 = 120;
pub const CST: i32 = 480;

/// Size of the rewritten `good-large_compressed.lzma`, and of the other fixtures.
pub const LARGE: usize = 40 * 1024;
pub const SMALL: usize = 400;

/// The ordinary test fixtures Lasse commits in the first commit.
pub const FIXTURES: [&str; 5] = [
    "tests/files/good-1-check-crc32.xz",
    "tests/files/good-1-check-crc64.xz",
    "tests/files/good-2-lzma2.xz",
    "tests/files/bad-0-header_magic.xz",
    "tests/files/bad-1-block_header.xz",
];

/// The XZ-Utils-like history, all dates from `start` on:
///
/// * year 0–3: Lasse (UTC+02:00, 10:00–18:00) maintains the project: a commit every six weeks,
///   a pull request by Bob merged every quarter, releases v5.0.0 and v5.2.0 tagged by Lasse;
/// * day 1100 on: Jia (UTC+08:00) sends six ordinary patches through pull requests merged by
///   Lasse, a month apart;
/// * day 1290: Jia commits Hans's patch (committed someone else's work: push rights);
/// * day 1300: Jia tags v5.4.0;
/// * day 1320: Jia pushes "Tests: Add a few test files" (two binary fixtures and a README line);
/// * day 1350: Jia pushes "Tests: Update two test files": both fixtures rewritten, no text
///   file changed, `good-large_compressed.lzma` now 40 KiB among 400-byte siblings;
/// * day 1360: Lasse's ordinary commit after it.
///
/// Returns commit ids by label (`rewrite`, `add_fixtures`, `hans`, `jia_pr1`…).
pub fn xz_story(r: &Repo, start: i64) -> BTreeMap<&'static str, String> {
    let mut ids = BTreeMap::new();
    let lasse = |day: i64, hour: i64| local(start, day, hour, EET);
    let jia = |day: i64, hour: i64| local(start, day, hour, CST);

    r.write("README", "XZ Utils\n");
    r.write("src/liblzma/common.c", text(60, 0));
    r.write("src/xz/main.c", text(40, 0));
    r.write(
        "CMakeLists.txt",
        "project(xz C)\nadd_library(lzma src/liblzma/common.c)\n",
    );
    r.write(
        "tests/test_files.sh",
        "#!/bin/sh\nfor f in files/*.xz; do xz -t $f; done\n",
    );
    r.write("tests/files/README", "Test files\n");
    for (i, f) in FIXTURES.iter().enumerate() {
        r.write(f, blob(SMALL + i * 20, i as u32));
    }
    ids.insert("root", r.commit("Initial import", &LASSE, lasse(0, 11)));

    // Three years of routine maintenance.
    let mut pr = 0;
    for k in 1..=24i64 {
        let day = k * 45;
        r.append("src/liblzma/common.c", &format!("/* fix {k} */\n"));
        r.commit(&format!("liblzma: Fix {k}"), &LASSE, lasse(day, 10 + k % 8));
        if k % 3 == 0 {
            pr += 1;
            let name = format!("bob-{pr}");
            let body = text(3, pr);
            r.pull_request(
                &name,
                &format!("xz: Improve message {pr}"),
                &[(&format!("src/xz/msg{pr}.c"), body.as_bytes())],
                &BOB,
                at(start + (day + 5) * DAY, -300),
                &LASSE,
            );
        }
        if k == 8 {
            r.tag("v5.0.0", &LASSE, lasse(day + 2, 12));
        }
        if k == 20 {
            r.tag("v5.2.0", &LASSE, lasse(day + 2, 12));
        }
    }

    // Jia arrives: ordinary patches merged by Lasse.
    for n in 1..=6i64 {
        let day = 1100 + n * 30;
        let body = text(5, 100 + n as u32);
        let (c, _) = r.pull_request(
            &format!("jia-{n}"),
            &format!("xz: Translate message catalogue part {n}"),
            &[(&format!("po/part{n}.po"), body.as_bytes())],
            &JIA,
            jia(day, 14),
            &LASSE,
        );
        if n == 1 {
            ids.insert("jia_pr1", c);
        }
    }

    // Jia commits someone else's work: push rights.
    r.append("src/xz/main.c", "/* Hans: speed up */\n");
    ids.insert(
        "hans",
        r.commit_as(
            "liblzma: Speed up the decoder",
            &HANS,
            at(start + 1285 * DAY, 60),
            &JIA,
            jia(1290, 15),
        ),
    );
    r.tag("v5.4.0", &JIA, jia(1300, 16));

    // Binary fixtures added, then rewritten.
    r.write("tests/files/bad-3-corrupt_lzma2.xz", blob(SMALL, 77));
    r.write(
        "tests/files/good-large_compressed.lzma",
        blob(SMALL + 200, 78),
    );
    r.append(
        "tests/files/README",
        "bad-3-corrupt_lzma2.xz has a corrupt stream\n",
    );
    ids.insert(
        "add_fixtures",
        r.commit("Tests: Add a few test files", &JIA, jia(1320, 13)),
    );
    r.write("tests/files/bad-3-corrupt_lzma2.xz", blob(SMALL + 112, 79));
    r.write("tests/files/good-large_compressed.lzma", blob(LARGE, 80));
    ids.insert(
        "rewrite",
        r.commit("Tests: Update two test files", &JIA, jia(1350, 13)),
    );

    r.append("src/liblzma/common.c", "/* after */\n");
    ids.insert(
        "after",
        r.commit("liblzma: Tidy up", &LASSE, lasse(1360, 11)),
    );
    ids
}

/// The change evidence every signal gives commit `id` of `h`, judged with an empty author
/// state (so context signals do not matter).
pub fn change_evidence(
    h: &garrison_history::History,
    id: &str,
) -> Vec<garrison_history::rules::Evidence> {
    use garrison_history::rules::{CommitCx, Role};
    let lands = garrison_history::landings(h);
    let (i, c) = h
        .commits
        .iter()
        .enumerate()
        .find(|(_, c)| c.id == id)
        .expect("commit mined");
    let state = garrison_history::AuthorState::default();
    let cx = CommitCx {
        commit: c,
        landing: &lands[i],
        author: &state,
        author_label: "someone",
        pending: false,
        self_landed: false,
    };
    let mut out = Vec::new();
    for s in garrison_history::registry::SIGNALS {
        s.check(&cx, &mut out);
    }
    out.retain(|e| e.role == Role::Change);
    out
}
