//! Normalization and pattern matching of context paths.

use std::fmt;

use crate::lexer::is_identifier;
use crate::{Context, ContextPart, Expr, Literal};

/// One segment of a normalized context path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Seg {
    /// Identifier (root or `.name`), lowercased.
    Name(String),
    /// `.*` object filter.
    Star,
    /// `[*]` or any non-string index.
    Index,
    /// `['...']` string index that is not a valid identifier, lowercased.
    Quoted(String),
}

/// One segment of a pattern given to [`Context::matches`].
#[derive(Debug, Clone, PartialEq, Eq)]
enum PatSeg {
    Lit(Seg),
    /// `*` / `[*]`: exactly one segment.
    Any,
    /// `**`: zero or more segments.
    Many,
}

fn seg_for_string_index(s: &str) -> Seg {
    let lower = s.to_lowercase();
    if is_identifier(&lower) {
        Seg::Name(lower)
    } else {
        Seg::Quoted(lower)
    }
}

fn write_seg(out: &mut String, seg: &Seg, first: bool) {
    match seg {
        Seg::Name(n) => {
            if !first {
                out.push('.');
            }
            out.push_str(n);
        }
        Seg::Star => out.push_str(".*"),
        Seg::Index => out.push_str("[*]"),
        Seg::Quoted(q) => {
            out.push_str("['");
            out.push_str(&q.replace('\'', "''"));
            out.push_str("']");
        }
    }
}

impl Context {
    fn segments(&self) -> Vec<Seg> {
        self.parts
            .iter()
            .map(|p| match p {
                ContextPart::Ident { name, .. } => Seg::Name(name.to_ascii_lowercase()),
                ContextPart::Wildcard {
                    bracketed: false, ..
                } => Seg::Star,
                ContextPart::Wildcard {
                    bracketed: true, ..
                } => Seg::Index,
                ContextPart::Index { expr, .. } => match &expr.expr {
                    Expr::Literal(Literal::String(s)) => seg_for_string_index(s),
                    _ => Seg::Index,
                },
            })
            .collect()
    }

    /// Canonical dotted form of the path, used for comparisons and reporting:
    ///
    /// - the root and all identifiers are lowercased (`GitHub.Event` -> `github.event`);
    /// - a string-literal index that is a valid identifier becomes a property
    ///   (`inputs['Foo']` -> `inputs.foo`); other string indexes are kept quoted and lowercased
    ///   (`x['a.b']` -> `x['a.b']`);
    /// - every other index, numeric or computed, and `[*]` become `[*]`
    ///   (`github.event.commits[0].message` -> `github.event.commits[*].message`);
    /// - the object filter `.*` is kept as `.*`.
    pub fn normalized(&self) -> String {
        let mut out = String::new();
        for (i, seg) in self.segments().iter().enumerate() {
            write_seg(&mut out, seg, i == 0);
        }
        out
    }

    /// The lowercased root identifier, e.g. `github` for `GitHub.event.issue.title`
    /// (empty if `parts` does not start with an identifier).
    pub fn root(&self) -> &str {
        match self.parts.first() {
            Some(ContextPart::Ident { name, .. }) => name,
            _ => "",
        }
    }

    /// Whether this context matches `pattern`, a context path in [`normalized`](Self::normalized)
    /// form (compared case-insensitively) in which:
    ///
    /// - `*` (written `.*`, `[*]`, or as the root) matches exactly one segment of any kind;
    /// - `**` (written `.**`) matches zero or more segments;
    /// - anything else matches only the same segment. In particular a `.*` / `[*]` / `[0]`
    ///   segment of the context is only matched by a wildcard in the pattern.
    ///
    /// ```
    /// let e = garrison_expr::parse("github.event.pull_request.head.ref")?;
    /// let garrison_expr::Expr::Context(c) = &e.expr else { unreachable!() };
    /// assert!(c.matches("github.event.pull_request.head.ref"));
    /// assert!(c.matches("github.event.*.head.*"));
    /// assert!(c.matches("github.event.**"));
    /// assert!(!c.matches("github.event.pull_request.*"));
    /// # Ok::<(), garrison_expr::ExprError>(())
    /// ```
    ///
    /// A pattern that cannot be parsed matches nothing.
    pub fn matches(&self, pattern: &str) -> bool {
        let Some(pat) = parse_pattern(pattern) else {
            return false;
        };
        match_segments(&pat, &self.segments())
    }
}

impl fmt::Display for Context {
    /// Writes the [`normalized`](Context::normalized) form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.normalized())
    }
}

fn name_seg(name: &str) -> Option<PatSeg> {
    match name {
        "*" => Some(PatSeg::Any),
        "**" => Some(PatSeg::Many),
        "" => None,
        n => Some(PatSeg::Lit(Seg::Name(n.to_lowercase()))),
    }
}

/// Parses a normalized context pattern into segments. Returns `None` on malformed input.
fn parse_pattern(pattern: &str) -> Option<Vec<PatSeg>> {
    let mut out = Vec::new();
    let mut rest = pattern.trim();
    // Root segment.
    let root_end = rest.find(['.', '[']).unwrap_or(rest.len());
    out.push(name_seg(rest.get(..root_end)?)?);
    rest = rest.get(root_end..)?;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('.') {
            let end = after.find(['.', '[']).unwrap_or(after.len());
            out.push(name_seg(after.get(..end)?)?);
            rest = after.get(end..)?;
        } else if let Some(after) = rest.strip_prefix('[') {
            if let Some(quoted) = after.strip_prefix('\'') {
                // Quoted string with '' escapes, then `]`.
                let mut value = String::new();
                let mut chars = quoted.char_indices().peekable();
                let mut close = None;
                while let Some((i, c)) = chars.next() {
                    if c == '\'' {
                        if chars.peek().map(|&(_, c)| c) == Some('\'') {
                            chars.next();
                            value.push('\'');
                        } else {
                            close = Some(i);
                            break;
                        }
                    } else {
                        value.push(c);
                    }
                }
                let close = close?;
                let tail = quoted.get(close + 1..)?;
                rest = tail.strip_prefix(']')?;
                out.push(PatSeg::Lit(seg_for_string_index(&value)));
            } else {
                let end = after.find(']')?;
                // `[*]`, `[0]`, `[anything]`: any single segment.
                out.push(PatSeg::Any);
                rest = after.get(end + 1..)?;
            }
        } else {
            return None;
        }
    }
    Some(out)
}

/// Glob-style match of pattern segments against context segments in O(p * c) time.
fn match_segments(pat: &[PatSeg], ctx: &[Seg]) -> bool {
    // dp[j] == pattern prefix of length i matches context prefix of length j.
    let mut dp = vec![false; ctx.len() + 1];
    if let Some(first) = dp.first_mut() {
        *first = true;
    }
    for p in pat {
        let mut next = vec![false; ctx.len() + 1];
        match p {
            PatSeg::Many => {
                let mut any = false;
                for (n, &d) in next.iter_mut().zip(&dp) {
                    any |= d;
                    *n = any;
                }
            }
            PatSeg::Any => {
                for (n, &d) in next.iter_mut().skip(1).zip(&dp) {
                    *n = d;
                }
            }
            PatSeg::Lit(seg) => {
                for ((n, &d), c) in next.iter_mut().skip(1).zip(&dp).zip(ctx) {
                    *n = d && c == seg;
                }
            }
        }
        dp = next;
    }
    dp.last().copied().unwrap_or(false)
}
