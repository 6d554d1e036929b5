//! Locating `${{ ... }}` occurrences inside larger strings.

use crate::{Embedded, ExprError, ExprErrorKind, parse_with_offset};

/// Finds every `${{ ... }}` in `text`, in order, and parses each one.
///
/// The closing `}}` is searched the way the GitHub runner does: single quotes toggle a
/// "in string" state (which also handles the `''` escape), and `}}` only closes the expression
/// outside strings, so `${{ format('a }} b') }}` is one expression. A `${{` inside an
/// expression's string literal does not start a new expression.
///
/// An unterminated `${{` (no closing `}}`, e.g. because of an unclosed quote) yields a final
/// [`Embedded`] whose `outer` and `inner` extend to the end of `text` and whose `parsed` is
/// [`ExprErrorKind::Unterminated`] at the position of the `${{`; scanning stops there.
///
/// Runs in time linear in `text.len()`. All spans and error offsets in the result are relative
/// to `text`.
///
/// ```
/// let found = garrison_expr::find_embedded("a ${{ x }} b ${{ 'c }}' }}");
/// assert_eq!(found.len(), 2);
/// assert_eq!(found[0].outer, 2..10);
/// assert_eq!(found[0].inner, 5..8);
/// ```
pub fn find_embedded(text: &str) -> Vec<Embedded> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut pos = 0;
    while let Some(rel) = text.get(pos..).and_then(|rest| rest.find("${{")) {
        let start = pos + rel;
        let inner_start = start + 3;
        let mut in_string = false;
        let mut close = None;
        let mut j = inner_start;
        while j < bytes.len() {
            match bytes[j] {
                b'\'' => in_string = !in_string,
                b'}' if !in_string && bytes.get(j + 1) == Some(&b'}') => {
                    close = Some(j);
                    break;
                }
                _ => {}
            }
            j += 1;
        }
        match close {
            Some(end) => {
                let inner = inner_start..end;
                let parsed = match text.get(inner.clone()) {
                    Some(src) => parse_with_offset(src, inner_start),
                    // Unreachable: both ends are next to ASCII delimiters.
                    None => Err(ExprError {
                        offset: inner_start,
                        kind: ExprErrorKind::Unterminated,
                    }),
                };
                out.push(Embedded {
                    outer: start..end + 2,
                    inner,
                    parsed,
                });
                pos = end + 2;
            }
            None => {
                out.push(Embedded {
                    outer: start..text.len(),
                    inner: inner_start.min(text.len())..text.len(),
                    parsed: Err(ExprError {
                        offset: start,
                        kind: ExprErrorKind::Unterminated,
                    }),
                });
                break;
            }
        }
    }
    out
}
