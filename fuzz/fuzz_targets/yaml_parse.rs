//! Fuzz target for `garrison-yaml`: `parse` on arbitrary UTF-8 text. Nothing may panic or
//! overflow the stack, and every node's span must lie inside the input, on char boundaries,
//! and its start line and column must agree with its start offset.

#![no_main]

use garrison_report::SourceFile;
use garrison_yaml::{Node, Value};
use libfuzzer_sys::fuzz_target;

fn check_span(text: &str, source: Option<&SourceFile>, node: &Node) {
    let s = &node.span;
    assert!(
        s.start_offset <= s.end_offset,
        "inverted span {s:?} in {text:?}"
    );
    assert!(
        s.end_offset <= text.len(),
        "span {s:?} past the end of {} bytes",
        text.len()
    );
    assert!(
        text.is_char_boundary(s.start_offset) && text.is_char_boundary(s.end_offset),
        "span {s:?} not on char boundaries"
    );
    assert!(
        s.start_line >= 1 && s.start_column >= 1,
        "0 line/column in {s:?}"
    );
    assert!(s.start_line <= s.end_line, "inverted lines in {s:?}");
    // Line and column must agree with the offsets as `SourceFile` (used for snippets and for
    // expression spans) computes them.
    if let Some(source) = source {
        let at = source.span(s.start_offset, s.start_offset);
        assert_eq!(
            (at.start_line, at.start_column),
            (s.start_line, s.start_column),
            "line/column disagree with start_offset in {s:?}"
        );
    }
    let _ = node.source(text);
}

fn walk(text: &str, root: &Node) {
    // regressions/yaml_parse-1.txt: a lone `\r` once made node lines disagree with
    // `SourceFile`; spans now come from byte offsets, so the check always applies.
    let source = SourceFile::new(text);
    let source = Some(&source);
    // Iterative: the tree's depth is bounded by the parser, but the walk need not rely on it.
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        check_span(text, source, node);
        let _ = node.as_str();
        let _ = node.style();
        let _ = node.is_null();
        let _ = node.is_true();
        let _ = node.get("on");
        let _ = node.entry("jobs");
        for (k, _) in node.entries() {
            let _ = k.len();
        }
        match &node.value {
            Value::Scalar(..) => {}
            Value::Seq(items) => {
                for item in items {
                    stack.push(item);
                }
            }
            Value::Map(entries) => {
                for (k, v) in entries {
                    stack.push(k);
                    stack.push(v);
                }
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match garrison_yaml::parse(text) {
        Ok(root) => walk(text, &root),
        Err(err) => {
            let _ = err.message.len();
        }
    }
});
