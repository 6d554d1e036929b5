#![allow(clippy::unwrap_used)]

use crate::*;

/// Fully parenthesized rendering of a tree, for precedence tests.
fn sexp(e: &SpannedExpr) -> String {
    match &e.expr {
        Expr::Literal(Literal::Null) => "null".into(),
        Expr::Literal(Literal::Bool(b)) => b.to_string(),
        Expr::Literal(Literal::Number(n)) => format!("{n}"),
        Expr::Literal(Literal::String(s)) => format!("{s:?}"),
        Expr::Context(c) => c.normalized(),
        Expr::Call { name, args, .. } => {
            let args: Vec<String> = args.iter().map(sexp).collect();
            format!("{name}({})", args.join(", "))
        }
        Expr::Access { base, path } => {
            let mut s = format!("<{}>", sexp(base));
            for p in path {
                match p {
                    ContextPart::Ident { name, .. } => s.push_str(&format!(".{name}")),
                    ContextPart::Wildcard {
                        bracketed: false, ..
                    } => s.push_str(".*"),
                    ContextPart::Wildcard {
                        bracketed: true, ..
                    } => s.push_str("[*]"),
                    ContextPart::Index { expr, .. } => s.push_str(&format!("[{}]", sexp(expr))),
                }
            }
            s
        }
        Expr::Unary { expr, .. } => format!("!{}", sexp(expr)),
        Expr::Binary { op, lhs, rhs } => {
            format!("({} {} {})", sexp(lhs), op.as_str(), sexp(rhs))
        }
    }
}

fn p(src: &str) -> String {
    sexp(&parse(src).unwrap())
}

fn err(src: &str) -> ExprError {
    match parse(src) {
        Ok(e) => panic!("expected error for {src:?}, got {}", sexp(&e)),
        Err(e) => e,
    }
}

fn ctx(src: &str) -> Context {
    match parse(src).unwrap().expr {
        Expr::Context(c) => c,
        other => panic!("not a context: {other:?}"),
    }
}

fn norm(src: &str) -> String {
    ctx(src).normalized()
}

fn num(src: &str) -> f64 {
    match parse(src).unwrap().expr {
        Expr::Literal(Literal::Number(n)) => n,
        other => panic!("not a number: {other:?}"),
    }
}

fn flows(src: &str) -> Vec<String> {
    let e = parse(src).unwrap();
    flowing_contexts(&e)
        .iter()
        .map(|c| c.normalized())
        .collect()
}

fn all(src: &str) -> Vec<String> {
    let e = parse(src).unwrap();
    all_contexts(&e).iter().map(|c| c.normalized()).collect()
}

// ---------------------------------------------------------------------------------------------
// Literals

#[test]
fn keyword_literals() {
    assert_eq!(parse("null").unwrap().expr, Expr::Literal(Literal::Null));
    assert_eq!(
        parse("true").unwrap().expr,
        Expr::Literal(Literal::Bool(true))
    );
    assert_eq!(
        parse(" false ").unwrap().expr,
        Expr::Literal(Literal::Bool(false))
    );
    assert_eq!(parse(" false ").unwrap().span, 1..6);
}

#[test]
fn keywords_are_case_sensitive_like_github() {
    // GitHub only recognises lowercase keywords; `TRUE` is an (unknown) context name.
    assert_eq!(ctx("TRUE").root(), "true");
    assert_eq!(ctx("Null").root(), "null");
}

#[test]
fn number_literals() {
    assert_eq!(num("0"), 0.0);
    assert_eq!(num("42"), 42.0);
    assert_eq!(num("-1"), -1.0);
    assert_eq!(num("+7"), 7.0);
    assert_eq!(num("1.5"), 1.5);
    assert_eq!(num("-2.25"), -2.25);
    assert_eq!(num(".5"), 0.5);
    assert_eq!(num("1."), 1.0);
    assert_eq!(num("1e3"), 1000.0);
    assert_eq!(num("1E3"), 1000.0);
    assert_eq!(num("2.5e-2"), 0.025);
    assert_eq!(num("1e+2"), 100.0);
    assert_eq!(num("0xff"), 255.0);
    assert_eq!(num("0x1F"), 31.0);
    assert_eq!(num("0XaB"), 171.0);
    assert_eq!(num("0o17"), 15.0);
    assert_eq!(num("0b101"), 5.0);
    assert_eq!(num("007"), 7.0);
    assert!(num("NaN").is_nan());
    assert_eq!(num("Infinity"), f64::INFINITY);
    assert_eq!(num("-Infinity"), f64::NEG_INFINITY);
    // Absurdly long hex does not overflow or panic.
    assert!(num(&format!("0x{}", "f".repeat(400))).is_infinite());
    assert_eq!(num(&format!("1{}", "0".repeat(400))), f64::INFINITY);
}

#[test]
fn invalid_numbers() {
    for src in [
        "1abc", "0x", "0xg", "1e", "1e+", "1.2.3", "-", "+", ".", "-.", "1_000", "0b2", "0o8",
        "-inf", "-nan", "1'a'",
    ] {
        let e = err(src);
        assert!(
            matches!(e.kind, ExprErrorKind::InvalidNumber(_)),
            "{src}: {e:?}"
        );
        assert_eq!(e.offset, 0, "{src}");
    }
}

#[test]
fn string_literals() {
    let s = |src: &str| match parse(src).unwrap().expr {
        Expr::Literal(Literal::String(s)) => s,
        other => panic!("not a string: {other:?}"),
    };
    assert_eq!(s("'abc'"), "abc");
    assert_eq!(s("''"), "");
    assert_eq!(s("'it''s'"), "it's");
    assert_eq!(s("''''"), "'");
    assert_eq!(s("'a''''b'"), "a''b");
    assert_eq!(s("'héllo wörld 🎉'"), "héllo wörld 🎉");
    assert_eq!(s("'a }} b'"), "a }} b");
    assert_eq!(s("'${{ x }}'"), "${{ x }}");
    assert_eq!(s("'multi\nline'"), "multi\nline");
    assert_eq!(s("'\"double\"'"), "\"double\"");
    assert_eq!(parse("  'x'").unwrap().span, 2..5);
}

#[test]
fn unterminated_strings() {
    for (src, off) in [("'abc", 0), ("x == 'abc", 5), ("'it''s", 0), ("'", 0)] {
        let e = err(src);
        assert_eq!(e.kind, ExprErrorKind::UnterminatedString, "{src}");
        assert_eq!(e.offset, off, "{src}");
    }
}

// ---------------------------------------------------------------------------------------------
// Operators and precedence

#[test]
fn precedence() {
    let cases = [
        ("a || b && c", "(a || (b && c))"),
        ("a && b || c", "((a && b) || c)"),
        ("a || b || c", "((a || b) || c)"),
        ("a && b && c", "((a && b) && c)"),
        ("a == b && c != d || e", "(((a == b) && (c != d)) || e)"),
        ("a == b < c", "(a == (b < c))"),
        ("a < b == c >= d", "((a < b) == (c >= d))"),
        ("a <= b > c", "((a <= b) > c)"),
        ("!a == b", "(!a == b)"),
        ("!a < b", "(!a < b)"),
        ("!(a == b)", "!(a == b)"),
        ("!!a", "!!a"),
        ("! ! a", "!!a"),
        ("(a || b) && c", "((a || b) && c)"),
        ("a || (b || c)", "(a || (b || c))"),
        ("((a))", "a"),
        ("a != b != c", "((a != b) != c)"),
        ("1 < 2", "(1 < 2)"),
        ("a==b", "(a == b)"),
        ("a||b&&!c", "(a || (b && !c))"),
        ("!a.b[0] || c", "(!a.b[*] || c)"),
        (
            "a.b == 'x' && contains(c, 'y')",
            "((a.b == \"x\") && contains(c, \"y\"))",
        ),
    ];
    for (src, want) in cases {
        assert_eq!(p(src), want, "{src}");
    }
}

#[test]
fn operator_kinds_and_spans() {
    let e = parse("a <= 1").unwrap();
    let Expr::Binary { op, lhs, rhs } = &e.expr else {
        panic!()
    };
    assert_eq!(*op, BinaryOp::Le);
    assert_eq!(lhs.span, 0..1);
    assert_eq!(rhs.span, 5..6);
    assert_eq!(e.span, 0..6);
    for (src, want) in [
        ("a<b", BinaryOp::Lt),
        ("a>b", BinaryOp::Gt),
        ("a>=b", BinaryOp::Ge),
        ("a==b", BinaryOp::Eq),
        ("a!=b", BinaryOp::Ne),
        ("a&&b", BinaryOp::And),
        ("a||b", BinaryOp::Or),
    ] {
        let Expr::Binary { op, .. } = parse(src).unwrap().expr else {
            panic!()
        };
        assert_eq!(op, want, "{src}");
        assert_eq!(op.is_logical(), matches!(op, BinaryOp::And | BinaryOp::Or));
    }
    let e = parse("!x").unwrap();
    assert!(matches!(
        e.expr,
        Expr::Unary {
            op: UnaryOp::Not,
            ..
        }
    ));
    assert_eq!(e.span, 0..2);
    // Parentheses widen the span.
    assert_eq!(parse(" ( a ) ").unwrap().span, 1..6);
}

#[test]
fn whitespace_everywhere() {
    assert_eq!(
        p(" \t\n github . event [ 0 ] . x\r\n== \n 'a' "),
        "(github.event[*].x == \"a\")"
    );
    assert_eq!(p("format ( 'x' , a )"), "format(\"x\", a)");
    assert_eq!(p("a\u{a0}||\u{2003}b"), "(a || b)");
}

// ---------------------------------------------------------------------------------------------
// Calls and accesses

#[test]
fn calls_parse() {
    assert_eq!(p("success()"), "success()");
    assert_eq!(p("toJSON(github)"), "tojson(github)");
    assert_eq!(p("FromJson(x)"), "fromjson(x)");
    assert_eq!(
        p("contains(github.event.issue.labels.*.name, 'bug')"),
        "contains(github.event.issue.labels.*.name, \"bug\")"
    );
    assert_eq!(
        p("format('{0} {1}', a, fromJSON(b))"),
        "format(\"{0} {1}\", a, fromjson(b))"
    );
    // Trailing comma is accepted (as in GitHub's parser).
    assert_eq!(p("f(a,)"), "f(a)");
    let e = parse("  toJSON( x )").unwrap();
    let Expr::Call {
        name,
        name_span,
        args,
    } = &e.expr
    else {
        panic!()
    };
    assert_eq!(name, "tojson");
    assert_eq!(*name_span, 2..8);
    assert_eq!(args.len(), 1);
    assert_eq!(args[0].span, 10..11);
    assert_eq!(e.span, 2..13);
}

#[test]
fn access_on_non_contexts() {
    assert_eq!(p("fromJSON(x).a[0]"), "<fromjson(x)>.a[0]");
    assert_eq!(p("fromJSON(x).*.b"), "<fromjson(x)>.*.b");
    assert_eq!(p("(a || b).c"), "<(a || b)>.c");
    assert_eq!(p("('abc')[0]"), "<\"abc\">[0]");
    assert_eq!(p("fromJSON(x)[*]"), "<fromjson(x)>[*]");
    // A parenthesized context is merged with its accessors.
    assert_eq!(p("(github.event).issue.title"), "github.event.issue.title");
    let c = ctx("(github.event).issue");
    assert_eq!(c.span, 0..20);
    // Nested accesses on grouped accesses.
    assert_eq!(p("(f(x).a).b"), "<<f(x)>.a>.b");
}

#[test]
fn literal_accessors_are_rejected() {
    for src in ["'abc'[0]", "'x'.foo", "null.x", "true[0]"] {
        assert!(parse(src).is_err(), "{src}");
    }
}

// ---------------------------------------------------------------------------------------------
// Contexts

#[test]
fn context_normalization() {
    let cases = [
        (
            "github.event.pull_request.title",
            "github.event.pull_request.title",
        ),
        (
            "GitHub.Event.Pull_Request.TITLE",
            "github.event.pull_request.title",
        ),
        (
            "github.event.commits[0].message",
            "github.event.commits[*].message",
        ),
        (
            "github.event.commits[10 ].message",
            "github.event.commits[*].message",
        ),
        (
            "github.event.commits[*].message",
            "github.event.commits[*].message",
        ),
        (
            "github.event.pages.*.page_name",
            "github.event.pages.*.page_name",
        ),
        (
            "github.event['pull_request']['title']",
            "github.event.pull_request.title",
        ),
        ("inputs['foo']", "inputs.foo"),
        ("inputs['Foo-Bar']", "inputs.foo-bar"),
        ("inputs[ 'x' ]", "inputs.x"),
        ("x['a.b']", "x['a.b']"),
        ("x['it''s']", "x['it''s']"),
        ("x['0']", "x['0']"),
        ("x['*']", "x['*']"),
        ("matrix[inputs.key]", "matrix[*]"),
        ("matrix[format('{0}', 'a')]", "matrix[*]"),
        ("matrix[('os')]", "matrix.os"),
        ("steps.my-step.outputs.x", "steps.my-step.outputs.x"),
        (
            "steps.My_Step.outputs.Result",
            "steps.my_step.outputs.result",
        ),
        (
            "github.event.head_commit.message",
            "github.event.head_commit.message",
        ),
        ("secrets.GITHUB_TOKEN", "secrets.github_token"),
        ("github.event.null.true", "github.event.null.true"),
        ("a.NaN.Infinity", "a.nan.infinity"),
        ("env", "env"),
        ("_x", "_x"),
    ];
    for (src, want) in cases {
        assert_eq!(norm(src), want, "{src}");
        assert_eq!(ctx(src).to_string(), want, "{src}");
    }
}

#[test]
fn context_root_and_parts() {
    let c = ctx("GitHub.event.commits[0].message");
    assert_eq!(c.root(), "github");
    assert_eq!(c.parts.len(), 5);
    assert_eq!(c.span, 0..31);
    assert_eq!(*c.parts[0].span(), 0..6);
    assert_eq!(*c.parts[1].span(), 6..12);
    assert_eq!(*c.parts[3].span(), 20..23);
    assert!(matches!(&c.parts[3], ContextPart::Index { expr, .. }
        if expr.expr == Expr::Literal(Literal::Number(0.0))));
    let c = ctx("x.*");
    assert!(matches!(
        c.parts[1],
        ContextPart::Wildcard {
            bracketed: false,
            ..
        }
    ));
    let c = Context {
        parts: vec![],
        span: 0..0,
    };
    assert_eq!(c.root(), "");
    assert_eq!(c.normalized(), "");
}

#[test]
fn context_matches() {
    let c = ctx("github.event.pull_request.title");
    assert!(c.matches("github.event.pull_request.title"));
    assert!(c.matches("GITHUB.Event.pull_request.title"));
    assert!(c.matches("github.event.pull_request.*"));
    assert!(c.matches("github.event.*.title"));
    assert!(c.matches("*.event.pull_request.title"));
    assert!(c.matches("github.**"));
    assert!(c.matches("github.**.title"));
    assert!(c.matches("**"));
    assert!(c.matches("github.event.pull_request.title.**"));
    assert!(c.matches("github['event'].pull_request['title']"));
    assert!(!c.matches("github.event.pull_request"));
    assert!(!c.matches("github.event.*"));
    assert!(!c.matches("github.event.pull_request.body"));
    assert!(!c.matches("github.event.pull_request.title.x"));
    assert!(!c.matches("github.event.issue.*"));

    let c = ctx("github.event.commits[3].message");
    assert!(c.matches("github.event.commits[*].message"));
    assert!(c.matches("github.event.commits.*.message"));
    assert!(!c.matches("github.event.commits.message"));
    assert!(!c.matches("github.event.commits.first.message"));

    let c = ctx("github.event.commits.*.author.email");
    assert!(c.matches("github.event.commits[*].author.email"));
    assert!(c.matches("github.event.commits.*.author.*"));

    let c = ctx("inputs['Some-Input']");
    assert!(c.matches("inputs.some-input"));
    assert!(c.matches("inputs.*"));

    let c = ctx("x['a.b']");
    assert!(c.matches("x['a.b']"));
    assert!(c.matches("x['A.B']"));
    assert!(!c.matches("x.a.b"));

    // Malformed patterns match nothing.
    let c = ctx("github.event");
    for pat in [
        "",
        ".",
        "github.",
        "github..event",
        "github[",
        "github['event'",
        "github]",
    ] {
        assert!(!c.matches(pat), "{pat}");
    }
}

// ---------------------------------------------------------------------------------------------
// Errors

#[test]
fn syntax_errors() {
    let cases: &[(&str, usize)] = &[
        ("a b", 2),
        ("a ==", 4),
        ("a = b", 2),
        ("a & b", 2),
        ("a | b", 2),
        ("(a", 2),
        ("a)", 1),
        ("f(a b)", 4),
        ("f(a", 3),
        ("f(,)", 2),
        ("a.", 2),
        ("a.'x'", 2),
        ("a.(b)", 2),
        ("a[", 2),
        ("a[]", 2),
        ("a[0", 3),
        ("a[*", 2),
        ("$x", 0),
        ("a.$b", 2),
        ("a + b", 2),
        ("*", 0),
        ("a.b.*x", 5),
        ("github.event.commits[0].message]", 31),
        ("#", 0),
        ("{", 0),
        ("é", 0),
        ("a ! b", 2),
        ("!", 1),
        ("1 2", 2),
        (",", 0),
        (")", 0),
    ];
    for &(src, off) in cases {
        let e = err(src);
        assert_eq!(e.offset, off, "{src}: {e}");
        assert!(!e.message().is_empty());
    }
}

#[test]
fn empty_expression() {
    for src in ["", "   ", "\n\t"] {
        assert_eq!(err(src).kind, ExprErrorKind::Empty);
    }
    assert_eq!(err("  ").offset, 2);
}

#[test]
fn error_display() {
    let e = err("a = b");
    assert_eq!(e.to_string(), "unexpected symbol `=` at byte 2");
    let e = err("a ==");
    assert_eq!(
        e.to_string(),
        "unexpected end of expression, expected an expression at byte 4"
    );
    let e = err("a b");
    assert_eq!(
        e.to_string(),
        "unexpected `b`, expected an operator or end of expression at byte 2"
    );
    let long = format!("{} x", "a".repeat(100));
    let e = parse(&format!("b {long}")).unwrap_err();
    assert!(e.message().len() < 120, "{}", e.message());
}

#[test]
fn parse_with_offset_shifts_everything() {
    let e = parse_with_offset("a || b.c", 100).unwrap();
    assert_eq!(e.span, 100..108);
    let Expr::Binary { rhs, .. } = &e.expr else {
        panic!()
    };
    assert_eq!(rhs.span, 105..108);
    assert_eq!(*rhs.as_context().unwrap().parts[1].span(), 106..108);
    assert_eq!(parse_with_offset("a b", 10).unwrap_err().offset, 12);
    assert_eq!(parse_with_offset("'x", 10).unwrap_err().offset, 10);
    assert_eq!(parse_with_offset("a ==", 10).unwrap_err().offset, 14);
    // Saturates instead of overflowing.
    assert!(parse_with_offset("a", usize::MAX).is_ok());
    assert!(parse_with_offset("a b", usize::MAX).is_err());
}

// ---------------------------------------------------------------------------------------------
// Limits

#[test]
fn deep_nesting_is_rejected() {
    let n = 10_000;
    let inputs = [
        "(".repeat(n),
        format!("{}a{}", "(".repeat(n), ")".repeat(n)),
        format!("{}a", "!".repeat(n)),
        format!("{}a{}", "f(".repeat(n), ")".repeat(n)),
        format!("a{}0{}", "[a".repeat(n), "]".repeat(n)),
        format!("{}a{}", "a[".repeat(n), "]".repeat(n)),
    ];
    for src in &inputs {
        let e = parse(src).unwrap_err();
        assert_eq!(e.kind, ExprErrorKind::TooDeep, "{}", &src[..10]);
    }
}

#[test]
fn tall_trees_are_rejected() {
    let chain = |n: usize, op: &str| vec!["a"; n].join(op);
    for op in [" || ", " && ", " == ", " < "] {
        assert!(parse(&chain(100, op)).is_ok());
        assert_eq!(
            parse(&chain(10_000, op)).unwrap_err().kind,
            ExprErrorKind::TooLarge,
            "{op}"
        );
    }
    // Many arguments or a long path are flat, not deep.
    let args = vec!["a"; 10_000].join(", ");
    assert!(parse(&format!("format({args})")).is_ok());
    let path = vec!["a"; 10_000].join(".");
    assert_eq!(norm(&path).len(), path.len());
}

#[test]
fn nesting_at_the_limit() {
    let ok = format!(
        "{}a{}",
        "(".repeat(MAX_DEPTH - 1),
        ")".repeat(MAX_DEPTH - 1)
    );
    assert_eq!(p(&ok), "a");
    let too_deep = format!("{}a{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
    assert_eq!(parse(&too_deep).unwrap_err().kind, ExprErrorKind::TooDeep);
}

#[test]
fn deep_nesting_on_a_small_stack() {
    // The parser must not need much stack even at the depth limit.
    let handle = std::thread::Builder::new()
        .stack_size(64 * 1024)
        .spawn(|| {
            let at_limit = format!(
                "{}a{}",
                "f(".repeat(MAX_DEPTH - 1),
                ")".repeat(MAX_DEPTH - 1)
            );
            assert!(parse(&at_limit).is_ok());
            let deep = format!("{}a", "!(".repeat(50_000));
            assert!(parse(&deep).is_err());
        })
        .unwrap();
    handle.join().unwrap();
}

// ---------------------------------------------------------------------------------------------
// find_embedded

#[test]
fn embedded_multiline_script() {
    let text = "echo \"${{ github.event.issue.title }}\"\n\
                if [ \"${{ steps.a.outputs.b || 'x' }}\" = y ]; then\n  \
                  echo ${{ secrets.TOKEN }}${{format('{0}}}', inputs.name)}}\n\
                fi\n";
    let found = find_embedded(text);
    assert_eq!(found.len(), 4);
    let inner: Vec<&str> = found.iter().map(|e| &text[e.inner.clone()]).collect();
    assert_eq!(
        inner,
        [
            " github.event.issue.title ",
            " steps.a.outputs.b || 'x' ",
            " secrets.TOKEN ",
            "format('{0}}}', inputs.name)",
        ]
    );
    for e in &found {
        let outer = &text[e.outer.clone()];
        assert!(outer.starts_with("${{") && outer.ends_with("}}"), "{outer}");
        assert_eq!(e.inner.start, e.outer.start + 3);
        assert_eq!(e.inner.end + 2, e.outer.end);
        let parsed = e.parsed.as_ref().unwrap();
        // Spans are relative to `text`.
        assert_eq!(
            text[parsed.span.clone()].trim(),
            text[e.inner.clone()].trim()
        );
        for c in all_contexts(parsed) {
            assert!(text[c.span.clone()].eq_ignore_ascii_case(&c.normalized()));
        }
    }
    let flowing: Vec<Vec<String>> = found
        .iter()
        .map(|e| {
            flowing_contexts(e.parsed.as_ref().unwrap())
                .iter()
                .map(|c| c.normalized())
                .collect()
        })
        .collect();
    assert_eq!(
        flowing,
        [
            vec!["github.event.issue.title"],
            vec!["steps.a.outputs.b"],
            vec!["secrets.token"],
            vec!["inputs.name"],
        ]
    );
}

#[test]
fn embedded_braces_inside_strings() {
    let text = "${{ 'a }} b' }} and ${{ 'it''s }}' == x }}";
    let found = find_embedded(text);
    assert_eq!(found.len(), 2);
    assert_eq!(&text[found[0].outer.clone()], "${{ 'a }} b' }}");
    assert_eq!(&text[found[1].outer.clone()], "${{ 'it''s }}' == x }}");
    assert!(found.iter().all(|e| e.parsed.is_ok()));

    // `${{` inside a string does not start a new expression.
    let text = "${{ '${{' }} ${{ x }}";
    let found = find_embedded(text);
    assert_eq!(found.len(), 2);
    assert_eq!(p(&text[found[0].inner.clone()]), "\"${{\"");
}

#[test]
fn embedded_edge_cases() {
    assert!(find_embedded("").is_empty());
    assert!(find_embedded("no expressions here { } }} ${ {").is_empty());
    assert!(find_embedded("$ {{ x }}").is_empty());

    let found = find_embedded("${{}}");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].inner, 3..3);
    assert_eq!(
        found[0].parsed.as_ref().unwrap_err().kind,
        ExprErrorKind::Empty
    );

    // Parse errors are reported with offsets into the whole text.
    let found = find_embedded("abc ${{ a = b }}");
    assert_eq!(found[0].parsed.as_ref().unwrap_err().offset, 10);

    // `}}}` closes at the first `}}`.
    let found = find_embedded("${{ x }}}");
    assert_eq!(found[0].outer, 0..8);

    // `$${{` still contains `${{`.
    let found = find_embedded("$${{ x }}");
    assert_eq!(found[0].outer, 1..9);

    // Adjacent expressions.
    let found = find_embedded("${{a}}${{b}}");
    assert_eq!(found.len(), 2);
    assert_eq!(found[1].outer, 6..12);

    // Non-ASCII around and inside.
    let text = "é${{ 'ü}}' }}ö";
    let found = find_embedded(text);
    assert_eq!(found.len(), 1);
    assert_eq!(&text[found[0].outer.clone()], "${{ 'ü}}' }}");
}

#[test]
fn embedded_unterminated() {
    let text = "echo ${{ github.event.issue.title\nmore";
    let found = find_embedded(text);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].outer, 5..text.len());
    assert_eq!(found[0].inner, 8..text.len());
    let e = found[0].parsed.as_ref().unwrap_err();
    assert_eq!(e.kind, ExprErrorKind::Unterminated);
    assert_eq!(e.offset, 5);

    // Unclosed quote swallows the rest.
    let found = find_embedded("${{ x }} ${{ 'abc }} ${{ y }}");
    assert_eq!(found.len(), 2);
    assert!(found[0].parsed.is_ok());
    assert_eq!(
        found[1].parsed.as_ref().unwrap_err().kind,
        ExprErrorKind::Unterminated
    );

    for text in ["${{", "x ${{", "${{ }", "${{ '}}", "${{ x }"] {
        let found = find_embedded(text);
        assert_eq!(found.len(), 1, "{text}");
        assert!(found[0].parsed.is_err(), "{text}");
        assert_eq!(found[0].outer.end, text.len());
    }
}

#[test]
fn embedded_is_linear() {
    // Quadratic behaviour would take far too long on these.
    let many_open = "${{ ".repeat(200_000);
    assert_eq!(find_embedded(&many_open).len(), 1);
    let many_quotes = format!("${{{{ {}", "' ${{ ".repeat(100_000));
    assert_eq!(find_embedded(&many_quotes).len(), 1);
    let many = "${{ a || b }}".repeat(50_000);
    assert_eq!(find_embedded(&many).len(), 50_000);
    let long = format!("${{{{ {} }}}}", vec!["a.b"; 100_000].join(" == 'x' , "));
    assert_eq!(find_embedded(&long).len(), 1);
}

// ---------------------------------------------------------------------------------------------
// Analyses

#[test]
fn flowing_bare_and_literals() {
    assert_eq!(
        flows("github.event.issue.title"),
        ["github.event.issue.title"]
    );
    assert!(flows("'literal'").is_empty());
    assert!(flows("1").is_empty());
    assert!(flows("null").is_empty());
    assert!(flows("true").is_empty());
}

#[test]
fn flowing_logical_operators() {
    assert_eq!(flows("a.x || b.y"), ["a.x", "b.y"]);
    assert_eq!(flows("a.x && b.y"), ["a.x", "b.y"]);
    assert_eq!(flows("a && 'x' || c"), ["a", "c"]);
    assert_eq!(flows("(a || b) && (c || 'd')"), ["a", "b", "c"]);
    assert_eq!(flows("a == 'x' && b"), ["b"]);
    assert_eq!(flows("a == 'x' && b || c"), ["b", "c"]);
}

#[test]
fn flowing_boolean_operators() {
    for src in [
        "!a",
        "!!a",
        "a == b",
        "a != b",
        "a < b",
        "a <= b",
        "a > b",
        "a >= b",
        "!(a || b)",
        "(a || b) == c",
    ] {
        assert!(flows(src).is_empty(), "{src}");
    }
}

#[test]
fn flowing_functions() {
    for src in [
        "contains(a, b)",
        "startsWith(a, b)",
        "endsWith(a, b)",
        "success()",
        "failure(a)",
        "always()",
        "cancelled()",
        "hashFiles(a, b)",
        "CONTAINS(a, b)",
        "StartsWith(a, b) || endswith(c, d)",
    ] {
        assert!(flows(src).is_empty(), "{src}");
    }
    assert_eq!(flows("format('{0} {1}', a, b)"), ["a", "b"]);
    assert_eq!(flows("format(c, a)"), ["c", "a"]);
    assert_eq!(flows("join(a.list, b)"), ["a.list", "b"]);
    assert_eq!(flows("join(a.list)"), ["a.list"]);
    assert_eq!(flows("toJSON(github.event)"), ["github.event"]);
    assert_eq!(flows("fromJSON(steps.x.outputs.y)"), ["steps.x.outputs.y"]);
    assert_eq!(flows("myFunc(a, b)"), ["a", "b"]);
    assert_eq!(flows("format('{0}', contains(a, b))"), Vec::<String>::new());
    assert_eq!(flows("format('{0}', a || b)"), ["a", "b"]);
    assert_eq!(flows("case(a == 'x', b, c)"), ["b", "c"]);
    assert_eq!(flows("case(p, v, q, w, d)"), ["v", "w", "d"]);
    assert_eq!(flows("case(p, v)"), ["v"]);
}

#[test]
fn flowing_indexing() {
    assert_eq!(
        flows("github.event.commits[0].message"),
        ["github.event.commits[*].message"]
    );
    assert_eq!(flows("matrix[inputs.key]"), ["matrix[*]"]);
    assert_eq!(all("matrix[inputs.key]"), ["matrix[*]", "inputs.key"]);
    assert_eq!(
        flows("fromJSON(steps.a.outputs.b).c[d]"),
        ["steps.a.outputs.b"]
    );
    assert_eq!(
        all("fromJSON(steps.a.outputs.b).c[d]"),
        ["steps.a.outputs.b", "d"]
    );
    assert_eq!(flows("(a || b)[c]"), ["a", "b"]);
    assert!(flows("('x')[c]").is_empty());
    assert_eq!(
        flows("github.event.pull_request.*.title"),
        ["github.event.pull_request.*.title"]
    );
}

#[test]
fn all_contexts_everywhere() {
    assert_eq!(
        all("!contains(a.b, c) && d[e[f]] == format('{0}', g) || 'x'"),
        ["a.b", "c", "d[*]", "e[*]", "f", "g"]
    );
    assert!(all("success() && 1 == 1").is_empty());
}

#[test]
fn calls_listing() {
    let e = parse("toJSON(secrets) || format('{0}', fromJSON(x)) && success()").unwrap();
    let got: Vec<(&str, usize)> = calls(&e).iter().map(|(n, a)| (*n, a.len())).collect();
    assert_eq!(
        got,
        [
            ("tojson", 1),
            ("format", 2),
            ("fromjson", 1),
            ("success", 0)
        ]
    );
    let c = calls(&e);
    assert_eq!(c[0].1[0].as_context().unwrap().normalized(), "secrets");
    let e = parse("a[f(b)].c").unwrap();
    assert_eq!(calls(&e).len(), 1);
}

#[test]
fn walk_preorder() {
    let e = parse("f(a, !b) || c[d]").unwrap();
    let mut seen = Vec::new();
    walk(&e, |n| seen.push(sexp(n)));
    assert_eq!(
        seen,
        [
            "(f(a, !b) || c[*])",
            "f(a, !b)",
            "a",
            "!b",
            "b",
            "c[*]",
            "d"
        ]
    );
    assert_eq!(e.children().len(), 2);
}

// ---------------------------------------------------------------------------------------------
// Robustness

/// Tiny deterministic LCG (Numerical Recipes constants).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const PIECES: &[&str] = &[
    "${{", "}}", "}", "{", "$", "'", "''", "(", ")", "[", "]", ".", ",", "*", "!", "!=", "==", "=",
    "<", "<=", ">", ">=", "&&", "&", "||", "|", " ", "\n", "\t", "github", "event", "secrets", "x",
    "-", "+", "_", "0", "1", "0x", "1e", "e", "NaN", "Infinity", "true", "null", "format",
    "toJSON", "fromJSON", "contains", "case", "é", "🎉", "\u{a0}", "\0", "a-b", ".*", "[*]",
    "['k']", "a.b.c",
];

fn check_spans(text: &str, e: &SpannedExpr) {
    walk(e, |n| {
        assert!(
            text.get(n.span.clone()).is_some(),
            "{:?} in {text:?}",
            n.span
        );
        if let Expr::Context(c) = &n.expr {
            assert!(text.get(c.span.clone()).is_some());
            for p in &c.parts {
                assert!(text.get(p.span().clone()).is_some());
            }
            let _ = c.normalized();
            let _ = c.matches("github.**");
        }
    });
}

#[test]
fn random_garbage_never_panics() {
    let mut rng = Lcg(0x5eed_1234_abcd_0001);
    for i in 0..5_000 {
        let len = rng.below(40);
        let mut text = String::new();
        for _ in 0..len {
            if rng.below(10) == 0 {
                // Occasionally a random char, including multi-byte ones.
                let c = char::from_u32(rng.below(0x3000) as u32).unwrap_or('?');
                text.push(c);
            } else {
                text.push_str(PIECES[rng.below(PIECES.len())]);
            }
        }
        // Both as a bare expression and wrapped in `${{ }}`.
        if let Ok(e) = parse(&text) {
            check_spans(&text, &e);
            let _ = flowing_contexts(&e);
            let _ = calls(&e);
        }
        let wrapped = if i % 2 == 0 {
            format!("run: ${{{{ {text} }}}}")
        } else {
            text.clone()
        };
        let found = find_embedded(&wrapped);
        let mut last_end = 0;
        for emb in &found {
            assert!(emb.outer.start >= last_end);
            assert!(wrapped.get(emb.outer.clone()).is_some());
            assert!(wrapped.get(emb.inner.clone()).is_some());
            last_end = emb.outer.end;
            match &emb.parsed {
                Ok(e) => {
                    check_spans(&wrapped, e);
                    assert!(e.span.start >= emb.inner.start && e.span.end <= emb.inner.end);
                    let _ = flowing_contexts(e);
                    let _ = all_contexts(e);
                }
                Err(err) => {
                    assert!(err.offset <= wrapped.len());
                    let _ = err.to_string();
                }
            }
        }
    }
}

#[test]
fn random_valid_expressions_roundtrip() {
    // Generate syntactically valid expressions and check they parse to what we generated.
    fn gen_expr(rng: &mut Lcg, depth: usize) -> (String, String) {
        if depth == 0 || rng.below(3) == 0 {
            return match rng.below(4) {
                0 => ("a.b".into(), "a.b".into()),
                1 => ("'s'".into(), "\"s\"".into()),
                2 => ("1".into(), "1".into()),
                _ => ("X['K'][0]".into(), "x.k[*]".into()),
            };
        }
        match rng.below(4) {
            0 => {
                let (s, w) = gen_expr(rng, depth - 1);
                (format!("!({s})"), format!("!{w}"))
            }
            1 => {
                let (s, w) = gen_expr(rng, depth - 1);
                (format!("toJSON({s})"), format!("tojson({w})"))
            }
            _ => {
                let ops = ["||", "&&", "==", "!=", "<", "<=", ">", ">="];
                let op = ops[rng.below(ops.len())];
                let (l, lw) = gen_expr(rng, depth - 1);
                let (r, rw) = gen_expr(rng, depth - 1);
                (format!("({l}) {op} ({r})"), format!("({lw} {op} {rw})"))
            }
        }
    }
    let mut rng = Lcg(42);
    for _ in 0..2_000 {
        let (src, want) = gen_expr(&mut rng, 6);
        assert_eq!(p(&src), want, "{src}");
        let found = find_embedded(&format!("x ${{{{ {src} }}}} y"));
        assert_eq!(found.len(), 1);
        assert!(found[0].parsed.is_ok());
    }
}
