//! Fuzz target for `garrison-expr`: `find_embedded` over arbitrary UTF-8 text, `parse` on each
//! embedded expression and on the whole input, plus the analyses on every successful parse.
//! Nothing may panic, overflow the stack, or take super-linear time.

#![no_main]

use libfuzzer_sys::fuzz_target;

fn analyse(text: &str, expr: &garrison_expr::SpannedExpr) {
    assert!(text.get(expr.span.clone()).is_some());
    for ctx in garrison_expr::all_contexts(expr) {
        assert!(text.get(ctx.span.clone()).is_some());
        let _ = ctx.normalized();
        let _ = ctx.root();
        let _ = ctx.matches("github.event.**");
    }
    let _ = garrison_expr::flowing_contexts(expr);
    let _ = garrison_expr::calls(expr);
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };

    for embedded in garrison_expr::find_embedded(text) {
        assert!(text.get(embedded.outer.clone()).is_some());
        let Some(inner) = text.get(embedded.inner.clone()) else {
            panic!("inner range not on a char boundary");
        };
        match &embedded.parsed {
            Ok(expr) => analyse(text, expr),
            Err(err) => assert!(err.offset <= text.len()),
        }
        // Parsing the inner text on its own must agree with the embedded result.
        let standalone = garrison_expr::parse_with_offset(inner, embedded.inner.start);
        match (&standalone, &embedded.parsed) {
            (Ok(a), Ok(b)) => assert_eq!(a.span, b.span),
            (Err(a), Err(b)) => {
                if b.kind != garrison_expr::ExprErrorKind::Unterminated {
                    assert_eq!(a, b);
                }
            }
            (Ok(_), Err(b)) => {
                assert_eq!(b.kind, garrison_expr::ExprErrorKind::Unterminated);
            }
            (Err(_), Ok(_)) => panic!("embedded parse succeeded but standalone failed"),
        }
    }

    // The whole input as a bare expression (e.g. an `if:` condition without `${{ }}`).
    match garrison_expr::parse(text) {
        Ok(expr) => analyse(text, &expr),
        Err(err) => assert!(err.offset <= text.len()),
    }
});
