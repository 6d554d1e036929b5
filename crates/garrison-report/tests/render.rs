//! Renderer tests: snapshots of every format on a small hand-built report, SARIF validation
//! against the official schema, and robustness against malformed spans and hostile text.

#![allow(clippy::unwrap_used)]

use garrison_report::declare_rule;
use garrison_report::render::{self, Format, json, markdown, sarif, text};
use garrison_report::report::Suppressed;
use garrison_report::{
    AdvisoryData, AdvisorySource, Confidence, FileError, Finding, Location, Report, Severity,
    SourceFile, SourceMap, Span,
};
use serde_json::Value;

declare_rule! {
    /// ## What it checks
    /// A `${{ }}` expression with attacker-controlled data inside a `run:` script.
    ///
    /// ## Why it matters
    /// The expression is pasted into the script before the shell runs it.
    ///
    /// ## Remediation
    /// Pass the value through `env:`.
    pub TemplateInjection {
        id: "workflow/template-injection",
        summary: "attacker-controlled expression expanded into a script",
        severity: Critical,
        help: "pass the value through an environment variable and quote it",
        references: ["SPEC 4.2"],
    }
}

declare_rule! {
    /// ## What it checks
    /// A privileged workflow that runs code from the pull request.
    pub PwnRequest {
        id: "workflow/pwn-request",
        summary: "privileged workflow runs pull-request code",
        severity: High,
        help: "do not check out the pull request head in a pull_request_target workflow",
        references: [],
    }
}

declare_rule! {
    /// ## What it checks
    /// `uses:` with a tag instead of a commit SHA.
    pub UnpinnedUses {
        id: "workflow/unpinned-uses",
        summary: "action not pinned to a commit",
        severity: Medium,
        help: "pin the action to a full commit SHA",
        references: [],
    }
}

declare_rule! {
    /// ## What it checks
    /// Project metadata without a security contact.
    pub NoSecurityContact {
        id: "posture/no-security-contact",
        summary: "no security contact in project metadata",
        severity: Low,
        help: "add a security contact",
        references: [],
    }
}

declare_rule! {
    /// ## What it checks
    /// Jobs with write permissions they do not use (ran, found nothing).
    pub ExcessivePermissions {
        id: "workflow/excessive-permissions",
        summary: "job has more permissions than it needs",
        severity: Medium,
        help: "reduce permissions",
        references: [],
    }
}

const CI: &str = "\
name: CI
on:
  pull_request_target:
    types: [opened]
jobs:
  triage:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          ref: ${{ github.event.pull_request.head.sha }}
      - run: |
          npm ci
          npm test
          echo step 3
          echo step 4
          echo step 5
          echo step 6
          echo step 7
          echo step 8
          echo step 9
          echo step 10
          echo step 11
          echo step 12
          echo step 13
          echo \"${{ github.event.issue.title }}\"
";

const RELEASE: &str = "\
name: Déploiement — étape ✓
on: workflow_dispatch
jobs:
  release:
    steps:
      - run: echo \"Version née: ${{ inputs.version }}\"
      - uses: actions/setup-node@v4
";

const PYPROJECT: &str = "[project]\nname = \"demo\"\n";

/// A span over the `occurrence`-th (0-based) match of `needle` in `text`, with lines and
/// character columns computed from the byte offsets.
fn span_of(text: &str, needle: &str, occurrence: usize) -> Span {
    let start = text.match_indices(needle).nth(occurrence).unwrap().0;
    span_at(text, start, start + needle.len())
}

fn span_at(text: &str, start: usize, end: usize) -> Span {
    let pos = |o: usize| {
        let before = &text[..o];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().unwrap().chars().count() + 1;
        (line as u32, col as u32)
    };
    let (start_line, start_column) = pos(start);
    let (end_line, end_column) = pos(end);
    Span {
        start_line,
        start_column,
        end_line,
        end_column,
        start_offset: start,
        end_offset: end,
    }
}

const CI_PATH: &str = ".github/workflows/ci.yml";
const RELEASE_PATH: &str = ".github/workflows/release.yml";

fn fixture() -> Report {
    let mut sources = SourceMap::default();
    sources.insert(CI_PATH, SourceFile::new(CI));
    sources.insert(RELEASE_PATH, SourceFile::new(RELEASE));
    sources.insert("pyproject.toml", SourceFile::new(PYPROJECT));

    // The whole `run: |` block: from `run` to the end of the last script line.
    let run_start = CI.find("run: |").unwrap();
    let run_end = CI.len() - 1;

    let findings = vec![
        Finding::builder(&TemplateInjection::META)
            .message("`github.event.issue.title` is expanded into a run script")
            .location(
                Location::span(CI_PATH, span_of(CI, "${{ github.event.issue.title }}", 0))
                    .with_route("jobs.triage.steps[1].run")
                    .with_note("attacker-controlled"),
            )
            .location(
                Location::span(CI_PATH, span_of(CI, "pull_request_target", 0))
                    .with_note("runs with a write token"),
            )
            .evidence("context", "github.event.issue.title")
            .evidence("trigger", "pull_request_target")
            .key("github.event.issue.title")
            .build(),
        Finding::builder(&PwnRequest::META)
            .confidence(Confidence::Medium)
            .message("the pull request head is checked out and then executed")
            .location(
                Location::span(CI_PATH, span_at(CI, run_start, run_end))
                    .with_route("jobs.triage.steps[1]")
                    .with_note("runs code from the pull request"),
            )
            .location(
                Location::span(
                    CI_PATH,
                    span_of(CI, "ref: ${{ github.event.pull_request.head.sha }}", 0),
                )
                .with_note("checks out the pull request head"),
            )
            .build(),
        Finding::builder(&TemplateInjection::META)
            .severity(Severity::Medium)
            .confidence(Confidence::Low)
            .message("`inputs.version` is expanded into a run script")
            .location(
                Location::span(RELEASE_PATH, span_of(RELEASE, "${{ inputs.version }}", 0))
                    .with_route("jobs.release.steps[0].run")
                    .with_note("set by whoever dispatches the workflow"),
            )
            .evidence("context", "inputs.version")
            .build(),
        Finding::builder(&UnpinnedUses::META)
            .message("`actions/setup-node@v4` is not pinned to a commit")
            .location(
                Location::span(RELEASE_PATH, span_of(RELEASE, "actions/setup-node@v4", 0))
                    .with_route("jobs.release.steps[1].uses"),
            )
            .location(
                Location::span(CI_PATH, span_of(CI, "actions/checkout@v4", 0))
                    .with_note("also unpinned here"),
            )
            .build(),
        Finding::builder(&NoSecurityContact::META)
            .message("`[project]` names no security contact")
            .location(Location::file("pyproject.toml"))
            .build(),
        // A rule that is not in `report.rules` (for example, from a plugin that did not
        // register it), whole-file, with references instead of a documentation page.
        Finding::builder(&NoSecurityContact::META)
            .message("no SECURITY.md | no policy")
            .severity(Severity::Info)
            .help("add a SECURITY.md\ndescribing how to report vulnerabilities")
            .reference("https://docs.github.com/en/code-security/getting-started/adding-a-security-policy-to-your-repository")
            .location(Location::file("SECURITY.md").with_note("file is missing"))
            .build(),
    ];
    let mut findings = findings;
    findings[5].rule = "posture/security-policy".to_string();

    let mut report = Report {
        root: ".".to_string(),
        findings,
        errors: vec![FileError {
            path: ".github/workflows/broken.yml".to_string(),
            line: Some(3),
            column: Some(5),
            message: "mapping values are not allowed in this context".to_string(),
        }],
        rules: vec![
            &TemplateInjection::META,
            &PwnRequest::META,
            &UnpinnedUses::META,
            &NoSecurityContact::META,
            &ExcessivePermissions::META,
        ],
        sources,
        files_scanned: 4,
        suppressed: Suppressed {
            config: 1,
            inline: 2,
            baseline: 0,
            threshold: 3,
        },
        advisories: None,
        notes: vec![
            "uv.lock:59: `from-git` not checked: its source is a git revision, with no hash"
                .to_string(),
        ],
    };
    report.sort();
    report
}

fn empty_report() -> Report {
    Report {
        root: ".".to_string(),
        rules: vec![&TemplateInjection::META],
        files_scanned: 2,
        ..Report::default()
    }
}

// ---------------------------------------------------------------------------------------------
// Snapshots

#[test]
fn text_snapshot() {
    insta::assert_snapshot!(text::render(&fixture(), false));
}

#[test]
fn text_empty_snapshot() {
    insta::assert_snapshot!(text::render(&empty_report(), false));
}

#[test]
fn json_snapshot() {
    insta::assert_snapshot!(json::render(&fixture()));
}

#[test]
fn sarif_snapshot() {
    insta::assert_snapshot!(sarif::render(&fixture()));
}

#[test]
fn markdown_snapshot() {
    insta::assert_snapshot!(markdown::render(&fixture()));
}

#[test]
fn markdown_empty_snapshot() {
    insta::assert_snapshot!(markdown::render(&empty_report()));
}

// ---------------------------------------------------------------------------------------------
// Text

#[test]
fn text_color_uses_ansi_and_plain_does_not() {
    let report = fixture();
    let plain = text::render(&report, false);
    let styled = text::render(&report, true);
    assert!(!plain.contains('\x1b'));
    assert!(styled.contains("\x1b["));
    assert_eq!(render::render(&report, Format::Text, false), plain);
}

#[test]
fn text_long_span_shows_a_window() {
    let mut script = String::from("jobs:\n  a:\n    steps:\n      - run: |\n");
    for i in 1..=200 {
        script.push_str(&format!("          echo line-{i}\n"));
    }
    let start = script.find("run: |").unwrap();
    let mut sources = SourceMap::default();
    sources.insert("w.yml", SourceFile::new(script.as_str()));
    let report = Report {
        findings: vec![
            Finding::builder(&PwnRequest::META)
                .message("long")
                .location(Location::span(
                    "w.yml",
                    span_at(&script, start, script.len() - 1),
                ))
                .build(),
        ],
        sources,
        files_scanned: 1,
        ..Report::default()
    };
    let out = text::render(&report, false);
    assert!(
        out.contains("echo line-1\n") || out.contains("echo line-1 "),
        "{out}"
    );
    assert!(!out.contains("line-50"), "{out}");
    assert!(!out.contains("line-200"), "{out}");
    assert!(out.contains("showing the first 10 of 201 lines"), "{out}");
    assert!(out.lines().count() < 40, "{out}");
}

#[test]
fn text_neutralises_control_characters() {
    let hostile = "run: echo \x1b]0;owned\x07 \u{202e}gnp.exe\n";
    let mut sources = SourceMap::default();
    sources.insert("h.yml", SourceFile::new(hostile));
    let report = Report {
        findings: vec![
            Finding::builder(&TemplateInjection::META)
                .message("bad \x1b[31m message")
                .help("help \x1b[2J")
                .location(
                    Location::span("h.yml", span_at(hostile, 0, hostile.len() - 1))
                        .with_route("a\x1bb")
                        .with_note("note \x1b[1m"),
                )
                .location(Location::file("other\x1b.yml").with_note("x\u{202e}y"))
                .build(),
        ],
        errors: vec![FileError {
            path: "e\x1b.yml".into(),
            line: None,
            column: None,
            message: "bad\x1b[0m".into(),
        }],
        sources,
        ..Report::default()
    };
    let out = text::render(&report, false);
    assert!(!out.contains('\x1b'), "{out:?}");
    assert!(!out.contains('\u{202e}'), "{out:?}");
    let md = markdown::render(&report);
    assert!(!md.contains('\x1b'), "{md:?}");
}

// ---------------------------------------------------------------------------------------------
// Malformed spans

fn malformed_spans(text: &str) -> Vec<Span> {
    let len = text.len();
    let mut spans = vec![
        // Past the end.
        Span {
            start_line: 40,
            start_column: 1,
            end_line: 41,
            end_column: 2,
            start_offset: len + 10,
            end_offset: len + 20,
        },
        // Reversed.
        Span {
            start_line: 2,
            start_column: 5,
            end_line: 1,
            end_column: 1,
            start_offset: 8,
            end_offset: 2,
        },
        // Zero lines and columns, end past the end.
        Span {
            start_line: 0,
            start_column: 0,
            end_line: 0,
            end_column: 0,
            start_offset: 0,
            end_offset: usize::MAX,
        },
        // Empty at the very end.
        Span {
            start_line: 3,
            start_column: 1,
            end_line: 3,
            end_column: 1,
            start_offset: len,
            end_offset: len,
        },
    ];
    // Inside a multi-byte character.
    let e_acute = text.find('é').unwrap();
    spans.push(Span {
        start_line: 1,
        start_column: 3,
        end_line: 1,
        end_column: 4,
        start_offset: e_acute + 1,
        end_offset: e_acute + 2,
    });
    spans
}

fn report_with_span(path: &str, text: &str, span: Span) -> Report {
    let mut sources = SourceMap::default();
    sources.insert(path, SourceFile::new(text));
    Report {
        findings: vec![
            Finding::builder(&UnpinnedUses::META)
                .message("m")
                .location(Location::span(path, span).with_note("n"))
                .location(Location::span(path, span).with_note("related"))
                .build(),
        ],
        rules: vec![&UnpinnedUses::META],
        sources,
        files_scanned: 1,
        ..Report::default()
    }
}

#[test]
fn malformed_spans_do_not_panic() {
    let text_src = "name: é ✓\r\non: push\n";
    for span in malformed_spans(text_src) {
        let report = report_with_span("m.yml", text_src, span);
        for format in [Format::Text, Format::Json, Format::Sarif, Format::Markdown] {
            for color in [false, true] {
                let out = render::render(&report, format, color);
                assert!(!out.is_empty());
            }
        }
        validate_sarif(&sarif::to_value(&report));
    }
}

#[test]
fn malformed_span_falls_back_to_origin_line() {
    let text_src = "name: é ✓\non: push\n";
    let spans = malformed_spans(text_src);
    let report = report_with_span("m.yml", text_src, spans[0]);
    let out = text::render(&report, false);
    assert!(out.contains("--> m.yml:40:1"), "{out}");
    assert!(out.contains("= note: n"), "{out}");
    assert!(out.contains("= related: m.yml:40: related"), "{out}");
}

#[test]
fn missing_source_falls_back_to_origin_line() {
    let mut report = report_with_span("m.yml", "a\n", span_at("a\n", 0, 1));
    report.sources = SourceMap::default();
    let out = text::render(&report, false);
    assert!(out.contains("--> m.yml:1:1"), "{out}");
}

#[test]
fn every_span_of_a_small_text_renders() {
    let src = "a: é\r\n\tb: ✓x\n\nz";
    for start in 0..=src.len() + 1 {
        for end in 0..=src.len() + 1 {
            let span = Span {
                start_line: 1,
                start_column: 1,
                end_line: 1,
                end_column: 1,
                start_offset: start,
                end_offset: end,
            };
            let report = report_with_span("s.yml", src, span);
            let out = text::render(&report, false);
            assert!(out.contains("warning") || out.contains("medium"), "{out}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// JSON

#[test]
fn json_is_versioned_and_parses() {
    let out = json::render(&fixture());
    assert!(out.ends_with("}\n"));
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["version"], 1);
    assert_eq!(v["tool"]["name"], "garrison");
    assert_eq!(v["summary"]["findings"], 6);
    assert_eq!(v["summary"]["by_severity"]["critical"], 1);
    assert_eq!(v["summary"]["by_family"]["workflow"]["medium"], 2);
    assert_eq!(v["summary"]["suppressed"]["total"], 6);
    assert_eq!(v["findings"].as_array().unwrap().len(), 6);
    assert_eq!(v["errors"][0]["line"], 3);
    // Findings round-trip through the public model (all but the fingerprint's key, which is
    // not written: the fingerprint stands for it).
    let findings: Vec<Finding> = serde_json::from_value(v["findings"].clone()).unwrap();
    let mut expected = fixture().findings;
    for f in &mut expected {
        f.key.clear();
    }
    assert_eq!(findings, expected);
}

#[test]
fn json_fields_are_documented() {
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/json-format.md"
    ))
    .unwrap();
    // Every key the renderer writes (except the free-form keys of `evidence` and
    // `by_family`) is named in the documentation.
    fn keys(v: &Value, free_form: bool, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                for (k, v) in m {
                    if !free_form {
                        out.push(k.clone());
                    }
                    let free = k == "evidence" || k == "by_family";
                    keys(v, free && !free_form, out);
                }
            }
            Value::Array(a) => a.iter().for_each(|v| keys(v, free_form, out)),
            _ => {}
        }
    }
    let v: Value = serde_json::from_str(&json::render(&fixture())).unwrap();
    let mut all = Vec::new();
    keys(&v, false, &mut all);
    let with_db = with_advisories(fixture(), database(3));
    let with_db: Value = serde_json::from_str(&json::render(&with_db)).unwrap();
    keys(&with_db, false, &mut all);
    for k in all {
        assert!(
            doc.contains(&format!("`{k}`")) || doc.contains(&format!(".{k}`")),
            "`{k}` is not in docs/json-format.md"
        );
    }
    // The example parses and has the same top-level shape.
    let example = doc
        .split("```json\n")
        .nth(1)
        .unwrap()
        .split("```")
        .next()
        .unwrap();
    let example: Value = serde_json::from_str(example).unwrap();
    let top = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(top(&example), top(&v));
    assert_eq!(top(&example["summary"]), top(&v["summary"]));
}

// ---------------------------------------------------------------------------------------------
// SARIF

fn sarif_validator() -> jsonschema::Validator {
    let mut schema: Value =
        serde_json::from_str(include_str!("data/sarif-schema-2.1.0.json")).unwrap();
    // The official schema's `language` patterns (of `run` and `toolComponent`) have an
    // unescaped `]`, which ECMAScript accepts only in its legacy (Annex B) mode; the validator
    // checks every `pattern` against the strict grammar when it loads the schema. Escape them
    // here, meaning unchanged, and keep the vendored file verbatim.
    const LEGACY: &str = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";
    let mut fixed = 0;
    for def in ["run", "toolComponent"] {
        let pattern = &mut schema["definitions"][def]["properties"]["language"]["pattern"];
        if pattern == LEGACY {
            *pattern = Value::from(LEGACY.replace("}]?", "}\\]?"));
            fixed += 1;
        }
    }
    assert_eq!(
        fixed, 2,
        "the vendored schema changed; revisit this workaround"
    );
    // Formats are asserted, so `uri` and `uri-reference` values are checked too.
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap()
}

/// Validates against the official schema and checks what GitHub code scanning needs beyond it.
fn validate_sarif(log: &Value) {
    let validator = sarif_validator();
    let errors: Vec<String> = validator
        .iter_errors(log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "SARIF schema errors:\n{}",
        errors.join("\n")
    );

    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    for rule in rules {
        let tags = rule["properties"]["tags"].as_array().unwrap();
        assert!(tags.iter().any(|t| t == "security"), "{rule}");
        let score: f64 = rule["properties"]["security-severity"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((0.0..=10.0).contains(&score));
    }
    for result in run["results"].as_array().unwrap() {
        let id = result["ruleId"].as_str().unwrap();
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], id, "ruleIndex of {id}");
        assert!(
            result["partialFingerprints"]["garrisonFingerprint/v1"].is_string(),
            "{result}"
        );
        let locations = result["locations"].as_array().unwrap();
        assert!(!locations.is_empty(), "{result}");
        for loc in locations {
            let region = &loc["physicalLocation"]["region"];
            assert!(region["startLine"].as_u64().unwrap() >= 1, "{result}");
        }
    }
}

#[test]
fn sarif_validates_against_the_schema() {
    let log = sarif::to_value(&fixture());
    validate_sarif(&log);
    validate_sarif(&sarif::to_value(&empty_report()));
    let rendered: Value = serde_json::from_str(&sarif::render(&fixture())).unwrap();
    assert_eq!(rendered, log);
}

#[test]
fn sarif_validator_rejects_invalid_logs() {
    // The validator is live: a log with a bad level and a zero line fails.
    let mut log = sarif::to_value(&fixture());
    log["runs"][0]["results"][0]["level"] = "fatal".into();
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        0.into();
    let errors = sarif_validator().iter_errors(&log).count();
    assert!(errors >= 2, "{errors}");
}

#[test]
fn sarif_details() {
    let log = sarif::to_value(&fixture());
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    // Every rule that ran plus the ad-hoc one.
    assert_eq!(rules.len(), 6);
    let ti = rules
        .iter()
        .find(|r| r["id"] == "workflow/template-injection")
        .unwrap();
    assert_eq!(ti["name"], "TemplateInjection");
    assert_eq!(ti["properties"]["security-severity"], "9.5");
    assert_eq!(ti["defaultConfiguration"]["level"], "error");
    assert!(
        ti["help"]["markdown"]
            .as_str()
            .unwrap()
            .contains("## Remediation")
    );
    let results = run["results"].as_array().unwrap();
    let first = results
        .iter()
        .find(|r| r["ruleId"] == "workflow/template-injection")
        .unwrap();
    assert_eq!(
        first["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
        "jobs.triage.steps[1].run"
    );
    assert_eq!(
        first["relatedLocations"][0]["message"]["text"],
        "runs with a write token"
    );
    let notes = run["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    // The file that could not be read (a warning), then the run's note.
    assert_eq!(notes.len(), 2);
    assert_eq!(notes[0]["level"], "warning");
    assert_eq!(notes[1]["level"], "note");
    assert!(
        notes[1]["message"]["text"]
            .as_str()
            .unwrap()
            .contains("not checked")
    );
}

#[test]
fn sarif_location_less_finding_still_has_a_location() {
    let report = Report {
        findings: vec![
            Finding::builder(&NoSecurityContact::META)
                .message("repository-wide")
                .build(),
        ],
        rules: vec![&NoSecurityContact::META],
        ..Report::default()
    };
    validate_sarif(&sarif::to_value(&report));
    let out = text::render(&report, false);
    assert!(out.contains("repository (1 finding)"), "{out}");
}

// ---------------------------------------------------------------------------------------------
// Markdown

#[test]
fn markdown_caps_findings_and_size() {
    let mut report = fixture();
    let template = report.findings[0].clone();
    report.findings = (0..250)
        .map(|i| {
            let mut f = template.clone();
            f.message = format!("finding {i}");
            f
        })
        .collect();
    let out = markdown::render(&report);
    assert!(out.len() <= markdown::MAX_CHARS);
    assert!(out.contains("150 more findings not shown."), "{out}");
    let rows = out
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| Severity") && !l.starts_with("| ---"))
        .count();
    assert_eq!(rows, 100);
    let details = out.matches("<details>").count();
    assert!((50..=100).contains(&details), "{details}");
    if details < 100 {
        assert!(
            out.contains(&format!("Details of {} more", 100 - details)),
            "{out}"
        );
    }

    // Huge messages: the size cap wins.
    for f in &mut report.findings {
        f.message = "x|".repeat(20_000);
    }
    let out = markdown::render(&report);
    assert!(out.len() <= markdown::MAX_CHARS, "{}", out.len());
    assert!(out.contains("Output truncated"), "{out}");
}

// ---------------------------------------------------------------------------------------------
// Advisory data: every format states it and warns when it is stale

fn embedded(age_days: u64) -> AdvisoryData {
    AdvisoryData {
        source: AdvisorySource::Embedded,
        path: None,
        origin: "PyPA advisory-database checkout pypa-advisory-database (3ccb612)".into(),
        date: "2024-10-10".into(),
        newest_modified: "2024-10-10T17:22:00.587279Z".into(),
        age_days: Some(age_days),
        stale: age_days > 30,
        stale_after_days: 30,
    }
}

fn database(age_days: u64) -> AdvisoryData {
    AdvisoryData {
        source: AdvisorySource::Database,
        path: Some("/home/u/.local/share/garrison/advisories.db".into()),
        ..embedded(age_days)
    }
}

fn with_advisories(mut report: Report, data: AdvisoryData) -> Report {
    report.advisories = Some(data);
    report
}

const STALE: &str = "is 787 days old (more than 30)";

#[test]
fn every_format_states_the_advisory_date_and_warns_when_stale() {
    for report in [
        with_advisories(fixture(), embedded(787)),
        with_advisories(empty_report(), embedded(787)),
    ] {
        let out = text::render(&report, false);
        assert!(
            out.contains("advisories: embedded snapshot of 2024-10-10 (787 days old)\n"),
            "{out}"
        );
        assert!(
            out.contains(&format!("warning: the embedded advisory snapshot {STALE}")),
            "{out}"
        );
        assert!(out.contains("`garrison db sync`"), "{out}");

        let v: Value = serde_json::from_str(&json::render(&report)).unwrap();
        assert_eq!(v["advisories"]["source"], "embedded");
        assert_eq!(v["advisories"]["date"], "2024-10-10");
        assert_eq!(v["advisories"]["age_days"], 787);
        assert_eq!(v["advisories"]["stale"], true);
        assert_eq!(v["advisories"]["stale_after_days"], 30);
        assert!(v["advisories"].get("path").is_none());

        let log = sarif::to_value(&report);
        validate_sarif(&log);
        let run = &log["runs"][0];
        assert_eq!(run["properties"]["advisories"]["date"], "2024-10-10");
        let notes = run["invocations"][0]["toolExecutionNotifications"]
            .as_array()
            .unwrap();
        let stale = notes
            .iter()
            .find(|n| n["descriptor"]["id"] == sarif::STALE_ADVISORIES)
            .unwrap();
        assert_eq!(stale["level"], "warning");
        assert!(
            stale["message"]["text"].as_str().unwrap().contains(STALE),
            "{stale}"
        );

        let md = markdown::render(&report);
        assert!(
            md.contains("Advisories: embedded snapshot of 2024-10-10 (787 days old).\n"),
            "{md}"
        );
        assert!(
            md.contains(&format!(
                "> **Warning:** the embedded advisory snapshot {STALE}"
            )),
            "{md}"
        );
    }
}

#[test]
fn fresh_advisory_data_is_stated_without_a_warning() {
    let report = with_advisories(fixture(), database(3));
    let out = text::render(&report, false);
    assert!(
        out.contains(
            "advisories: local database of 2024-10-10 (3 days old, /home/u/.local/share/garrison/advisories.db)"
        ),
        "{out}"
    );
    assert!(!out.contains("warning:"), "{out}");
    let v: Value = serde_json::from_str(&json::render(&report)).unwrap();
    assert_eq!(v["advisories"]["source"], "database");
    assert_eq!(
        v["advisories"]["path"],
        "/home/u/.local/share/garrison/advisories.db"
    );
    assert_eq!(v["advisories"]["stale"], false);
    let log = sarif::to_value(&report);
    validate_sarif(&log);
    let notes = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    assert!(
        notes
            .iter()
            .all(|n| n["descriptor"]["id"] != sarif::STALE_ADVISORIES)
    );
    let md = markdown::render(&report);
    assert!(
        md.contains("Advisories: local database of 2024-10-10"),
        "{md}"
    );
    assert!(!md.contains("Warning"), "{md}");
}

#[test]
fn reports_without_the_dependency_analysis_say_nothing_about_advisories() {
    let report = fixture();
    assert!(!text::render(&report, false).contains("advisories"));
    assert!(!json::render(&report).contains("\"advisories\""));
    assert!(
        sarif::to_value(&report)["runs"][0]
            .get("properties")
            .is_none()
    );
    assert!(!markdown::render(&report).contains("Advisories"));
}
