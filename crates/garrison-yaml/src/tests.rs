#![allow(clippy::unwrap_used)]

use super::*;

fn at(src: &str, n: &Node) -> String {
    format!(
        "{}:{}-{}:{} {:?}",
        n.span.start_line,
        n.span.start_column,
        n.span.end_line,
        n.span.end_column,
        n.source(src)
    )
}

#[test]
fn spans_of_keys_values_and_block_scalars() {
    let src = "on:\n  push:\njobs:\n  build:\n    steps:\n      - run: |\n          echo ${{ github.head_ref }}\n          make\n      - uses: actions/checkout@v4 # c\n";
    let root = parse(src).unwrap();
    let (k, _) = root.entry("on").unwrap();
    assert_eq!(at(src, k), "1:1-1:3 \"on\"");
    let steps = root
        .get("jobs")
        .unwrap()
        .get("build")
        .unwrap()
        .get("steps")
        .unwrap();
    let run = steps.as_seq().unwrap()[0].get("run").unwrap();
    assert_eq!(run.style(), Some(Style::Literal));
    assert_eq!(run.as_str().unwrap(), "echo ${{ github.head_ref }}\nmake\n");
    // Block scalars span their content, not the `|` indicator.
    assert_eq!(run.span.start_line, 7);
    assert!(run.source(src).contains("echo ${{ github.head_ref }}"));
    let uses = steps.as_seq().unwrap()[1].get("uses").unwrap();
    assert_eq!(at(src, uses), "9:15-9:34 \"actions/checkout@v4\"");
    // Collections end at their last child, not at the next token.
    let step0 = &steps.as_seq().unwrap()[0];
    assert_eq!(step0.span.start_line, 6);
    assert!(step0.span.end_line <= 9);
}

#[test]
fn unicode_columns_become_byte_offsets() {
    let src = "name: \"héllo wörld\"\nx: ünïcode\n";
    let root = parse(src).unwrap();
    let x = root.get("x").unwrap();
    assert_eq!(x.source(src), "ünïcode");
    assert_eq!(x.span.start_column, 4);
    assert_eq!(root.get("name").unwrap().as_str(), Some("héllo wörld"));
}

#[test]
fn flow_collections_and_null() {
    let src = "a: {b: [1, 2], c: }\nd: ~\ne:\n";
    let root = parse(src).unwrap();
    let a = root.get("a").unwrap();
    assert_eq!(a.source(src), "{b: [1, 2], c: }");
    assert!(a.get("c").unwrap().is_null());
    assert!(root.get("d").unwrap().is_null());
    assert!(root.get("e").unwrap().is_null());
    assert_eq!(a.get("b").unwrap().as_seq().unwrap().len(), 2);
}

#[test]
fn booleans_any_case_and_quoting() {
    let src = "a: True\nb: 'FALSE'\nc: ' false '\nd: no\ne: [false]\n";
    let root = parse(src).unwrap();
    assert!(root.get("a").unwrap().is_true());
    assert!(!root.get("a").unwrap().is_false());
    assert!(root.get("b").unwrap().is_false());
    assert!(root.get("c").unwrap().is_false());
    assert!(!root.get("d").unwrap().is_false());
    assert!(!root.get("e").unwrap().is_false());
}

#[test]
fn errors_have_positions() {
    let e = parse("a: 1\nb: [1, 2\n").unwrap_err();
    assert!(e.line >= 2, "{e}");
    let e = parse("a: 1\na: 2\n").unwrap_err();
    assert_eq!((e.line, e.column), (2, 1));
    assert!(e.message.contains("duplicate key `a`"), "{e}");
    let e = parse("a: *nope\n").unwrap_err();
    assert!(e.message.contains("unknown anchor") || e.line == 1, "{e}");
}

#[test]
fn alias_bomb_is_stopped() {
    let mut src = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        src.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n",
            p = i - 1
        ));
    }
    let e = parse(&src).unwrap_err();
    assert!(e.message.contains("budget"), "{e}");
}

#[test]
fn aliases_resolve() {
    let root = parse("base: &b {x: 1}\nuse: *b\n").unwrap();
    assert_eq!(
        root.get("use").unwrap().get("x").unwrap().as_str(),
        Some("1")
    );
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let src = "[".repeat(100_000);
    assert!(parse(&src).is_err());
    let src = format!("{}1{}", "[".repeat(200), "]".repeat(200));
    let e = parse(&src).unwrap_err();
    assert!(e.message.contains("nesting"), "{e}");
}

#[test]
fn size_limit() {
    let e = parse_with(
        "a: 1\n",
        Limits {
            max_bytes: 2,
            ..Limits::default()
        },
    )
    .unwrap_err();
    assert!(e.message.contains("byte limit"));
}

#[test]
fn empty_and_comment_only_documents() {
    assert!(parse("").unwrap().is_null());
    assert!(parse("# only a comment\n").unwrap().is_null());
}

#[test]
fn multiline_plain_and_quoted_scalars() {
    // Multi-line plain scalars are valid YAML (a tool crashed on one of the corpus files).
    let src = "run: echo one\n  two\n  three\nq: \"a\n  b\"\n";
    let root = parse(src).unwrap();
    assert_eq!(
        root.get("run").unwrap().as_str(),
        Some("echo one two three")
    );
    assert_eq!(root.get("run").unwrap().span.end_line, 3);
    assert_eq!(root.get("q").unwrap().as_str(), Some("a b"));
}

#[test]
fn garbage_never_panics() {
    let alphabet: &[u8] = b"ab:- \n\t[]{}&*!|>'\"#%@`,?\\\r\xc3\xa9";
    let mut state: u64 = 0x9e3779b97f4a7c15;
    for _ in 0..3000 {
        let mut bytes = Vec::new();
        for _ in 0..(state % 64) {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            bytes.push(alphabet[(state >> 33) as usize % alphabet.len()]);
        }
        let s = String::from_utf8_lossy(&bytes);
        let _ = parse(&s);
    }
}

#[test]
fn corpus_parses() {
    // Every YAML file of the shared corpus parses (real workflows, dependabot, pre-commit).
    // Skipped when the corpus is missing, except under CI.
    let Some(root) = garrison_test::require::shared_data("repos") else {
        return;
    };
    let mut n = 0;
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "yml" || x == "yaml") {
                let text = std::fs::read_to_string(&p).unwrap();
                if let Err(e) = parse(&text) {
                    panic!("{}: {e}", p.display());
                }
                n += 1;
            }
        }
    }
    assert!(n > 300, "{n}");
}

#[test]
fn lone_carriage_return_keeps_spans_consistent() {
    // Regression from fuzzing (fuzz/regressions/yaml_parse-1.txt).
    let src = "a: 1\rb: 2\n";
    let root = parse(src).unwrap();
    let source = garrison_source::SourceFile::new(src);
    let mut stack = vec![&root];
    while let Some(n) = stack.pop() {
        let s = source.span(n.span.start_offset, n.span.end_offset);
        assert_eq!(
            (s.start_line, s.start_column),
            (n.span.start_line, n.span.start_column)
        );
        match &n.value {
            Value::Map(e) => e.iter().for_each(|(k, v)| {
                stack.push(k);
                stack.push(v);
            }),
            Value::Seq(v) => stack.extend(v.iter()),
            Value::Scalar(..) => {}
        }
    }
}
