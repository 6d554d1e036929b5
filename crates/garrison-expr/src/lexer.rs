//! Tokenizer for GitHub Actions expressions.
//!
//! Mirrors the official lexer (`actions/languageservices`, `expressions/src/lexer.ts`) closely:
//! keywords are case-sensitive, identifiers are ASCII `[A-Za-z_][A-Za-z0-9_-]*`, a `.` that does
//! not follow a value-ending token starts a number, and `-`/`+` always start a number.

use crate::{ExprError, ExprErrorKind, Range};

/// Maximum number of characters of source text quoted back in an error message.
const SNIPPET_CHARS: usize = 32;

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Dot,
    Bang,
    Ne,
    EqEq,
    Gt,
    Ge,
    Lt,
    Le,
    And,
    Or,
    Star,
    Number(f64),
    Str(String),
    /// Identifier as written (not lowercased).
    Ident(String),
    True,
    False,
    Null,
}

impl Tok {
    /// Short human description used in error messages.
    pub(crate) fn describe(&self) -> String {
        match self {
            Tok::LParen => "(".into(),
            Tok::RParen => ")".into(),
            Tok::LBracket => "[".into(),
            Tok::RBracket => "]".into(),
            Tok::Comma => ",".into(),
            Tok::Dot => ".".into(),
            Tok::Bang => "!".into(),
            Tok::Ne => "!=".into(),
            Tok::EqEq => "==".into(),
            Tok::Gt => ">".into(),
            Tok::Ge => ">=".into(),
            Tok::Lt => "<".into(),
            Tok::Le => "<=".into(),
            Tok::And => "&&".into(),
            Tok::Or => "||".into(),
            Tok::Star => "*".into(),
            Tok::Number(n) => format!("{n}"),
            Tok::Str(s) => format!("'{}'", snippet(s)),
            Tok::Ident(s) => snippet(s),
            Tok::True => "true".into(),
            Tok::False => "false".into(),
            Tok::Null => "null".into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token {
    pub(crate) tok: Tok,
    /// Byte range relative to the lexed source (no base offset applied).
    pub(crate) span: Range,
}

/// Truncates `s` to at most [`SNIPPET_CHARS`] characters for use in messages.
pub(crate) fn snippet(s: &str) -> String {
    let mut out: String = s.chars().take(SNIPPET_CHARS).collect();
    if s.chars().nth(SNIPPET_CHARS).is_some() {
        out.push('…');
    }
    out
}

/// Characters that end an identifier or number token.
fn is_boundary(c: char) -> bool {
    matches!(
        c,
        '(' | '[' | ')' | ']' | ',' | '.' | '!' | '>' | '<' | '=' | '&' | '|'
    ) || c.is_whitespace()
}

/// Whether `s` is a legal expression identifier: `[A-Za-z_][A-Za-z0-9_-]*`.
pub(crate) fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if c.is_ascii_alphabetic() || c == '_' => {}
        _ => return false,
    }
    chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Parses the lexeme of a number token. Accepts an optional sign, then `Infinity`, `0x` hex,
/// `0o` octal, `0b` binary, or a decimal with optional fraction and exponent (`1`, `1.5`, `.5`,
/// `1.`, `1e-3`). Returns `None` for anything else.
pub(crate) fn parse_number(lexeme: &str) -> Option<f64> {
    let (neg, rest) = match lexeme.as_bytes().first() {
        Some(b'-') => (true, lexeme.get(1..)?),
        Some(b'+') => (false, lexeme.get(1..)?),
        _ => (false, lexeme),
    };
    let value = if rest == "Infinity" {
        f64::INFINITY
    } else if let Some(digits) = rest.strip_prefix("0x").or_else(|| rest.strip_prefix("0X")) {
        radix(digits, 16)?
    } else if let Some(digits) = rest.strip_prefix("0o").or_else(|| rest.strip_prefix("0O")) {
        radix(digits, 8)?
    } else if let Some(digits) = rest.strip_prefix("0b").or_else(|| rest.strip_prefix("0B")) {
        radix(digits, 2)?
    } else {
        decimal(rest)?
    };
    Some(if neg { -value } else { value })
}

fn radix(digits: &str, base: u32) -> Option<f64> {
    if digits.is_empty() {
        return None;
    }
    let mut acc = 0f64;
    for c in digits.chars() {
        let d = c.to_digit(base)?;
        acc = acc * f64::from(base) + f64::from(d);
    }
    Some(acc)
}

fn decimal(s: &str) -> Option<f64> {
    // Validate the shape ourselves: Rust's float parser also accepts `inf`, `nan`, etc.
    let b = s.as_bytes();
    let mut i = 0;
    let mut mantissa_digits = 0usize;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
        mantissa_digits += 1;
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
            mantissa_digits += 1;
        }
    }
    if mantissa_digits == 0 {
        return None;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        let exp_start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == exp_start {
            return None;
        }
    }
    if i != b.len() {
        return None;
    }
    s.parse::<f64>().ok()
}

/// Tokenizes `src`. Spans are relative to `src`; errors carry `base + offset`.
pub(crate) fn lex(src: &str, base: usize) -> Result<Vec<Token>, ExprError> {
    let mut toks: Vec<Token> = Vec::new();
    let mut chars = src.char_indices().peekable();
    let err = |offset: usize, kind: ExprErrorKind| ExprError {
        offset: base.saturating_add(offset),
        kind,
    };

    while let Some((start, c)) = chars.next() {
        let single = |tok: Tok| Token {
            tok,
            span: start..start + c.len_utf8(),
        };
        let next_is = |chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>, want: char| {
            if chars.peek().map(|&(_, c)| c) == Some(want) {
                chars.next();
                true
            } else {
                false
            }
        };
        let token = match c {
            '(' => single(Tok::LParen),
            ')' => single(Tok::RParen),
            '[' => single(Tok::LBracket),
            ']' => single(Tok::RBracket),
            ',' => single(Tok::Comma),
            '*' => single(Tok::Star),
            '.' => {
                let after_value = matches!(
                    toks.last().map(|t| &t.tok),
                    Some(Tok::Ident(_) | Tok::RBracket | Tok::RParen | Tok::Star)
                );
                if after_value {
                    single(Tok::Dot)
                } else {
                    number(src, start, &mut chars, base)?
                }
            }
            '-' | '+' => number(src, start, &mut chars, base)?,
            '0'..='9' => number(src, start, &mut chars, base)?,
            '!' => {
                if next_is(&mut chars, '=') {
                    Token {
                        tok: Tok::Ne,
                        span: start..start + 2,
                    }
                } else {
                    single(Tok::Bang)
                }
            }
            '=' | '&' | '|' => {
                if next_is(&mut chars, c) {
                    let tok = match c {
                        '=' => Tok::EqEq,
                        '&' => Tok::And,
                        _ => Tok::Or,
                    };
                    Token {
                        tok,
                        span: start..start + 2,
                    }
                } else {
                    return Err(err(start, ExprErrorKind::UnexpectedSymbol(c.to_string())));
                }
            }
            '<' | '>' => {
                let eq = next_is(&mut chars, '=');
                let tok = match (c, eq) {
                    ('<', false) => Tok::Lt,
                    ('<', true) => Tok::Le,
                    (_, false) => Tok::Gt,
                    (_, true) => Tok::Ge,
                };
                Token {
                    tok,
                    span: start..start + if eq { 2 } else { 1 },
                }
            }
            '\'' => string(src, start, &mut chars, base)?,
            c if c.is_whitespace() => continue,
            _ => {
                let mut end = start + c.len_utf8();
                while let Some(&(i, c)) = chars.peek() {
                    if is_boundary(c) {
                        break;
                    }
                    chars.next();
                    end = i + c.len_utf8();
                }
                let lexeme = src.get(start..end).unwrap_or_default();
                if !is_identifier(lexeme) {
                    return Err(err(start, ExprErrorKind::UnexpectedSymbol(snippet(lexeme))));
                }
                let after_dot = matches!(toks.last().map(|t| &t.tok), Some(Tok::Dot));
                let tok = match lexeme {
                    _ if after_dot => Tok::Ident(lexeme.to_string()),
                    "true" => Tok::True,
                    "false" => Tok::False,
                    "null" => Tok::Null,
                    "NaN" => Tok::Number(f64::NAN),
                    "Infinity" => Tok::Number(f64::INFINITY),
                    _ => Tok::Ident(lexeme.to_string()),
                };
                Token {
                    tok,
                    span: start..end,
                }
            }
        };
        toks.push(token);
    }
    Ok(toks)
}

fn number(
    src: &str,
    start: usize,
    chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>,
    base: usize,
) -> Result<Token, ExprError> {
    // The first character has already been consumed; it is ASCII (`-`, `+`, `.` or a digit).
    let mut end = start + 1;
    while let Some(&(i, c)) = chars.peek() {
        if is_boundary(c) && c != '.' {
            break;
        }
        chars.next();
        end = i + c.len_utf8();
    }
    let lexeme = src.get(start..end).unwrap_or_default();
    match parse_number(lexeme) {
        Some(n) => Ok(Token {
            tok: Tok::Number(n),
            span: start..end,
        }),
        None => Err(ExprError {
            offset: base.saturating_add(start),
            kind: ExprErrorKind::InvalidNumber(snippet(lexeme)),
        }),
    }
}

fn string(
    src: &str,
    start: usize,
    chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>,
    base: usize,
) -> Result<Token, ExprError> {
    // Opening quote already consumed.
    let mut value = String::new();
    let mut seg_start = start + 1;
    loop {
        match chars.next() {
            None => {
                return Err(ExprError {
                    offset: base.saturating_add(start),
                    kind: ExprErrorKind::UnterminatedString,
                });
            }
            Some((i, '\'')) => {
                value.push_str(src.get(seg_start..i).unwrap_or_default());
                if chars.peek().map(|&(_, c)| c) == Some('\'') {
                    // `''` is an escaped quote.
                    chars.next();
                    value.push('\'');
                    seg_start = i + 2;
                } else {
                    return Ok(Token {
                        tok: Tok::Str(value),
                        span: start..i + 1,
                    });
                }
            }
            Some(_) => {}
        }
    }
}
