//! Property tests: PEP 440 parsing/ordering and OSV range evaluation against Python's
//! `packaging` library, on generated inputs.
//!
//! The inputs come from a seeded deterministic generator (splitmix64), so every run checks the
//! same cases and a failure is reproducible; change `SEED` locally to explore more. Each test
//! sends all its cases to ONE `python3` process (JSON on stdin, JSON on stdout) and compares the
//! answers exactly.
//!
//! The reference is `packaging.version.Version` when `packaging` is importable, else pip's
//! vendored copy (`pip._vendor.packaging.version`). When `python3` itself (or both copies of
//! `packaging`) is missing the tests print a note and pass without checking.
//!
//! Range evaluation reference: the Python below is a transcription of the OSV schema's
//! "Evaluation" pseudo-code (`IsAffected`, `IncludedInRanges`, `BeforeLimits`), with
//! `packaging` ordering and two documented choices that Garrison makes (see `eval.rs`):
//!
//! - **local labels**: when an event (or listed version) has no local label, the queried
//!   version's local label is ignored for that comparison (`2.0.0+cu118` counts as `2.0.0`),
//!   as PEP 440 specifiers do. The reference does the same (`Version(v.public)`).
//! - **`versions` lists** are compared by PEP 440 equality (`1.0` lists `1.0.0`), not by exact
//!   string as the OSV spec says literally; the reference does the same.
#![allow(clippy::unwrap_used, clippy::print_stderr, clippy::print_stdout)]

use std::io::Write;
use std::process::{Command, Stdio};

use garrison_advisories::{
    Affected, Database, Event, EventKind, Package, Range, RangeKind, Record, Verdict,
};
use garrison_python::pep440::{Version, parse_version};
use garrison_python::{PackageName, VersionRef};
use serde_json::{Value, json};

const SEED: u64 = 0x6172_7269_736f_6e21;

/// splitmix64: tiny, deterministic, good enough to spread choices.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

/// Random case for a spelling (`RC`, `Rc`, `rc`).
fn cased(rng: &mut Rng, s: &str) -> String {
    match rng.below(6) {
        0 => s.to_uppercase(),
        1 => {
            let mut c = s.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect())
                .unwrap_or_default()
        }
        _ => s.to_string(),
    }
}

/// A version string, often in a non-normalized spelling. `wide` draws from a large universe
/// (for ordering); otherwise from a small one so that range events and queries collide often.
fn gen_version(rng: &mut Rng, wide: bool) -> String {
    let mut s = String::new();
    if rng.chance(3) {
        s.push_str(rng.pick(&[" ", "\t", "  "]));
    }
    if rng.chance(5) {
        s.push_str(rng.pick(&["v", "V"]));
    }
    if rng.chance(if wide { 10 } else { 4 }) {
        s.push_str(&format!("{}!", rng.below(3)));
    }
    let parts = if wide {
        1 + rng.below(4)
    } else {
        1 + rng.below(3)
    };
    let max = if wide { 13 } else { 4 };
    let release: Vec<String> = (0..parts)
        .map(|i| {
            // Leading zeros (`01`) are allowed and normalized away; trailing `.0`s are equal.
            if i > 0 && rng.chance(3) {
                format!("0{}", rng.below(max))
            } else if i > 0 && rng.chance(25) {
                "0".to_string()
            } else {
                rng.below(max).to_string()
            }
        })
        .collect();
    s.push_str(&release.join("."));
    if rng.chance(30) {
        // Pre-release: every spelling PEP 440 normalizes.
        s.push_str(rng.pick(&["", "", ".", "-", "_"]));
        let kind = rng.pick(&[
            "a", "a", "b", "b", "rc", "rc", "c", "alpha", "beta", "pre", "preview",
        ]);
        s.push_str(&cased(rng, kind));
        if rng.chance(85) {
            s.push_str(rng.pick(&["", "", ".", "-", "_"]));
            s.push_str(&rng.below(if wide { 12 } else { 3 }).to_string());
        }
    }
    if rng.chance(20) {
        // Post-release, including the implicit `-N` form.
        if rng.chance(25) {
            s.push_str(&format!("-{}", rng.below(4)));
        } else {
            s.push_str(rng.pick(&["", ".", ".", "-", "_"]));
            let kind = rng.pick(&["post", "post", "rev", "r"]);
            s.push_str(&cased(rng, kind));
            if rng.chance(80) {
                s.push_str(rng.pick(&["", "", ".", "-", "_"]));
                s.push_str(&rng.below(4).to_string());
            }
        }
    }
    if rng.chance(20) {
        s.push_str(rng.pick(&["", ".", ".", "-", "_"]));
        s.push_str(&cased(rng, "dev"));
        if rng.chance(80) {
            s.push_str(&rng.below(4).to_string());
        }
    }
    if rng.chance(if wide { 15 } else { 12 }) {
        s.push('+');
        let n = 1 + rng.below(3);
        for i in 0..n {
            if i > 0 {
                s.push_str(rng.pick(&[".", ".", "-", "_"]));
            }
            let seg = match rng.below(5) {
                0 | 1 => rng.below(if wide { 200 } else { 3 }).to_string(),
                2 => rng
                    .pick(&["cu118", "cu117", "cpu", "rocm5.6"])
                    .replace('.', ""),
                3 => rng.pick(&["ubuntu", "abc", "deb", "a", "z"]).to_string(),
                _ => {
                    let w = rng.pick(&["Local", "xyz1", "2a"]);
                    cased(rng, w)
                }
            };
            s.push_str(&seg);
        }
    }
    if rng.chance(3) {
        s.push_str(rng.pick(&[" ", "\n"]));
    }
    s
}

/// Strings that are not PEP 440 (or barely are), to compare what each side accepts.
const ODD: &[&str] = &[
    "",
    "1.0-",
    "1..0",
    "1.0+",
    "1.0+a..b",
    "1.0.post",
    "1.0-dev",
    "1.0.a1",
    "1.0rc1rc2",
    "1.0.dev1.dev2",
    "1.0+abc+def",
    "2019-09-12",
    "1.0.0-beta.1",
    "a1.0",
    "1.0.*",
    "1.0 .0",
    "1!",
    "!1.0",
    "1.0_RC_1",
    "01.02.03",
    "1.0.0-1-2",
    "1.0-post1",
    "1.0.POST1.DEV2",
    "1.0+UBUNTU-1_2",
    "v 1.0",
    "1.0c1",
];

struct Python {
    exe: String,
}

/// Finds `python3` with `packaging` (or pip's vendored copy); `None` (with a printed note) when
/// there is none.
fn python() -> Option<Python> {
    garrison_test::require::require(find_python(), "a python3 with `packaging` (or pip)")
}

fn find_python() -> Option<Python> {
    // `GARRISON_TEST_PYTHON`, else the build-backend venv of `.ci/python-backends.sh` (it has
    // `packaging`), else `python3`.
    let venv = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../target/py-backends/bin/python"
    );
    let candidates: Vec<String> = match std::env::var("GARRISON_TEST_PYTHON") {
        Ok(p) => vec![p],
        Err(_) => std::env::var("GARRISON_BACKENDS_PYTHON")
            .ok()
            .into_iter()
            .chain(
                std::path::Path::new(venv)
                    .is_file()
                    .then(|| venv.to_string()),
            )
            .chain(["python3".to_string()])
            .collect(),
    };
    for exe in candidates {
        let probe = Command::new(&exe)
            .args(["-c", &format!("{IMPORT}\nprint(SOURCE)")])
            .output();
        match probe {
            Ok(o) if o.status.success() => {
                eprintln!("reference: {}", String::from_utf8_lossy(&o.stdout).trim());
                return Some(Python { exe });
            }
            Ok(o) => println!(
                "note: `{exe}` has neither `packaging` nor pip's vendored copy: {}",
                String::from_utf8_lossy(&o.stderr).trim()
            ),
            Err(e) => println!("note: `{exe}` cannot be run: {e}"),
        }
    }
    None
}

const IMPORT: &str = r#"
try:
    import packaging.version as pv
    SOURCE = "packaging " + __import__("packaging").__version__
except ImportError:
    import pip._vendor.packaging.version as pv
    import pip._vendor.packaging as _p
    SOURCE = "pip._vendor.packaging " + _p.__version__
Version, InvalidVersion = pv.Version, pv.InvalidVersion
"#;

impl Python {
    fn run(&self, script: &str, input: &Value) -> Value {
        let mut child = Command::new(&self.exe)
            .args(["-c", &format!("{IMPORT}\n{script}")])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let body = serde_json::to_vec(input).unwrap();
        let mut stdin = child.stdin.take().unwrap();
        std::thread::spawn(move || stdin.write_all(&body).unwrap());
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "python failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }
}

const ORDER_SCRIPT: &str = r#"
import json, sys
strings = json.load(sys.stdin)
parsed = []
for s in strings:
    try:
        parsed.append(Version(s))
    except InvalidVersion:
        parsed.append(None)
distinct = sorted(set(v for v in parsed if v is not None))
rank = {v: i for i, v in enumerate(distinct)}
json.dump([None if v is None else [rank[v], str(v)] for v in parsed], sys.stdout)
"#;

/// Dense ranks (equal versions share a rank) and normalized spellings, by Garrison.
fn garrison_ranks(strings: &[String]) -> Vec<Option<(usize, String)>> {
    let parsed: Vec<Option<Version>> = strings.iter().map(|s| parse_version(s).ok()).collect();
    let mut distinct: Vec<Version> = parsed.iter().flatten().cloned().collect();
    distinct.sort();
    distinct.dedup();
    parsed
        .iter()
        .map(|v| {
            v.as_ref().map(|v| {
                let rank = distinct.binary_search(v).unwrap();
                (rank, v.to_string())
            })
        })
        .collect()
}

#[test]
fn ordering_and_equality_match_packaging() {
    let Some(py) = python() else { return };
    let mut rng = Rng(SEED);
    let mut strings: Vec<String> = (0..4000)
        .map(|i| gen_version(&mut rng, i % 4 != 0))
        .collect();
    strings.extend(ODD.iter().map(|s| s.to_string()));
    let theirs = py.run(ORDER_SCRIPT, &json!(strings));
    let ours = garrison_ranks(&strings);
    let theirs = theirs.as_array().unwrap();
    assert_eq!(theirs.len(), ours.len());
    let mut mismatches = Vec::new();
    let (mut valid, mut invalid) = (0, 0);
    for ((s, o), t) in strings.iter().zip(&ours).zip(theirs) {
        let t = t.as_array().map(|a| {
            (
                a[0].as_u64().unwrap() as usize,
                a[1].as_str().unwrap().to_string(),
            )
        });
        if t.is_some() {
            valid += 1;
        } else {
            invalid += 1;
        }
        if *o != t {
            mismatches.push(format!("{s:?}: garrison {o:?}, packaging {t:?}"));
        }
    }
    eprintln!(
        "{} strings: {valid} valid, {invalid} invalid per packaging; {} distinct versions",
        strings.len(),
        ours.iter()
            .flatten()
            .map(|(r, _)| r)
            .max()
            .map_or(0, |m| m + 1)
    );
    assert!(
        mismatches.is_empty(),
        "{} mismatches (rank, normalized form):\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
    // The generator must actually exercise equalities and ordering.
    assert!(valid > 3500);
}

const RANGES_SCRIPT: &str = r#"
import json, sys

def parse(s):
    return Version(s.strip())

def cmp(v, e):
    # Garrison's documented choice: ignore the query's local label when the event has none.
    if v.local is not None and e.local is None:
        v = Version(v.public)
    return (v > e) - (v < e)

def sort_key(kind, text):
    if kind == "introduced" and text.strip() == "0":
        return (0,)
    return (1, parse(text))

def included_in_range(v, events):
    # OSV: IncludedInRange, events sorted by version (stable for equal versions).
    evs = [(k, t) for k, t in events if k != "limit"]
    evs = sorted(evs, key=lambda kt: sort_key(*kt))
    vulnerable = False
    for kind, text in evs:
        if kind == "introduced":
            if text.strip() == "0" or cmp(v, parse(text)) >= 0:
                vulnerable = True
        elif kind == "fixed":
            if cmp(v, parse(text)) >= 0:
                vulnerable = False
        elif kind == "last_affected":
            if cmp(v, parse(text)) > 0:
                vulnerable = False
    return vulnerable

def before_limits(v, events):
    limits = [t for k, t in events if k == "limit"]
    if not limits:
        return True
    return any("*" in t or cmp(v, parse(t)) < 0 for t in limits)

def is_affected(v, case):
    # OSV: IsAffected = in the versions list, or IncludedInRanges.
    if any(cmp(v, parse(l)) == 0 for l in case["versions"]):
        return True
    return any(before_limits(v, r) and included_in_range(v, r) for r in case["ranges"])

cases = json.load(sys.stdin)
json.dump([[is_affected(parse(q), c) for q in c["queries"]] for c in cases], sys.stdout)
"#;

const KINDS: &[(EventKind, &str)] = &[
    (EventKind::Introduced, "introduced"),
    (EventKind::Introduced, "introduced"),
    (EventKind::Fixed, "fixed"),
    (EventKind::Fixed, "fixed"),
    (EventKind::LastAffected, "last_affected"),
    (EventKind::Limit, "limit"),
];

/// A valid version from the small universe (events and queries must parse on both sides).
fn small_valid(rng: &mut Rng) -> String {
    loop {
        let s = gen_version(rng, false);
        if parse_version(&s).is_ok() {
            return s;
        }
    }
}

struct Case {
    ranges: Vec<Vec<(EventKind, String)>>,
    versions: Vec<String>,
    queries: Vec<String>,
}

fn gen_case(rng: &mut Rng) -> Case {
    let nranges = 1 + rng.below(2) as usize;
    let mut ranges = Vec::new();
    let mut pool = Vec::new();
    for _ in 0..nranges {
        let n = 1 + rng.below(6) as usize;
        let mut events: Vec<(EventKind, String)> = (0..n)
            .map(|_| {
                let (k, _) = KINDS[rng.below(KINDS.len() as u64) as usize];
                let v = if k == EventKind::Limit && rng.chance(20) {
                    "*".to_string()
                } else {
                    small_valid(rng)
                };
                (k, v)
            })
            .collect();
        // Every range needs an `introduced` (OSV requires one; Garrison refuses ranges without):
        // add one, often `0`, at a random position (events out of order are the point).
        if !events.iter().any(|(k, _)| *k == EventKind::Introduced) || rng.chance(30) {
            let v = if rng.chance(50) {
                "0".to_string()
            } else {
                small_valid(rng)
            };
            let at = rng.below(events.len() as u64 + 1) as usize;
            events.insert(at, (EventKind::Introduced, v));
        }
        pool.extend(
            events
                .iter()
                .filter(|(_, v)| v != "0" && v != "*")
                .map(|(_, v)| v.clone()),
        );
        ranges.push(events);
    }
    let versions: Vec<String> = if rng.chance(30) {
        (0..1 + rng.below(4)).map(|_| small_valid(rng)).collect()
    } else {
        Vec::new()
    };
    pool.extend(versions.iter().cloned());
    let mut queries: Vec<String> = (0..12).map(|_| small_valid(rng)).collect();
    // Query the event versions themselves and local/post/dev/pre neighbours of them.
    for p in pool {
        let base = p.trim().to_string();
        queries.push(base.clone());
        let suffix = rng.pick(&["+cu118", ".post1", ".dev0", "rc1", "+1", "a0", ".0"]);
        let candidate = if base.contains('+') && suffix.starts_with('+') {
            base.clone()
        } else if base.contains('+') {
            base.split('+').next().unwrap_or(&base).to_string() + suffix
        } else {
            base.clone() + suffix
        };
        if parse_version(&candidate).is_ok() {
            queries.push(candidate);
        }
    }
    Case {
        ranges,
        versions,
        queries,
    }
}

#[test]
fn range_evaluation_matches_the_osv_algorithm_over_packaging() {
    let Some(py) = python() else { return };
    let mut rng = Rng(SEED ^ 0x5eed);
    let cases: Vec<Case> = (0..1500).map(|_| gen_case(&mut rng)).collect();

    let records: Vec<Record> = cases
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let id = format!("PYSEC-0000-{i}");
            Record {
                id: id.clone(),
                modified: "2024-01-01T00:00:00Z".to_string(),
                affected: vec![Affected {
                    record_id: id,
                    package: Package {
                        ecosystem: "PyPI".to_string(),
                        name: format!("Pkg_{i}"),
                        purl: None,
                    },
                    ranges: c
                        .ranges
                        .iter()
                        .map(|r| Range {
                            kind: RangeKind::Ecosystem,
                            repo: None,
                            events: r
                                .iter()
                                .map(|(kind, version)| Event {
                                    kind: *kind,
                                    version: version.clone(),
                                })
                                .collect(),
                            database_specific: None,
                        })
                        .collect(),
                    versions: c.versions.clone(),
                    ..Affected::default()
                }],
                ..Record::default()
            }
        })
        .collect();
    let db = Database::from_records(records, "generated".to_string(), 0, 0);

    let input: Vec<Value> = cases
        .iter()
        .map(|c| {
            json!({
                "ranges": c.ranges.iter().map(|r| r.iter().map(|(k, v)| {
                    let k = KINDS.iter().find(|(kk, _)| kk == k).map_or("", |(_, s)| *s);
                    json!([k, v])
                }).collect::<Vec<_>>()).collect::<Vec<_>>(),
                "versions": c.versions,
                "queries": c.queries,
            })
        })
        .collect();
    let theirs = py.run(RANGES_SCRIPT, &json!(input));
    let theirs = theirs.as_array().unwrap();

    let (mut total, mut affected) = (0usize, 0usize);
    let mut mismatches = Vec::new();
    for (i, (c, t)) in cases.iter().zip(theirs).enumerate() {
        let name = PackageName::new(&format!("pkg-{i}")).unwrap();
        for (q, t) in c.queries.iter().zip(t.as_array().unwrap()) {
            let t = t.as_bool().unwrap();
            let v = parse_version(q).unwrap();
            let verdicts = db.verdicts(&name, &VersionRef::Pep440(v));
            assert_eq!(verdicts.len(), 1, "{name}");
            let ours = match &verdicts[0].1 {
                Verdict::Affected(_) => true,
                Verdict::NotAffected => false,
                Verdict::NotEvaluated(r) => panic!("{name} {q}: not evaluated: {r}"),
            };
            total += 1;
            affected += usize::from(ours);
            if ours != t {
                mismatches.push(format!(
                    "ranges {:?} versions {:?} query {q:?}: garrison {ours}, reference {t}",
                    c.ranges, c.versions
                ));
            }
        }
    }
    eprintln!(
        "{} cases, {total} queries, {affected} affected per garrison",
        cases.len()
    );
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
    // Both verdicts must be well represented.
    assert!(affected * 5 > total && affected * 5 < total * 4);
}
