//! Byte helpers shared by the detectors, and the excerpts and details hits carry.

use std::fmt::Write as _;

use memchr::memmem;

use super::meter::step;
use super::{MAX_DETAIL_CHARS, MAX_EXCERPT_CHARS};

pub(super) fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

pub(super) fn find(h: &[u8], n: &[u8]) -> Option<usize> {
    step(h.len());
    memmem::find(h, n)
}

pub(super) fn contains(h: &[u8], n: &[u8]) -> bool {
    step(h.len());
    memmem::find(h, n).is_some()
}

pub(super) fn trim(b: &[u8]) -> &[u8] {
    b.trim_ascii()
}

pub(super) fn lower(b: &[u8]) -> Vec<u8> {
    step(b.len());
    b.to_ascii_lowercase()
}

pub(super) fn byte_at(b: &[u8], i: usize) -> u8 {
    step(1);
    b.get(i).copied().unwrap_or(0)
}

pub(super) fn tail(b: &[u8], i: usize) -> &[u8] {
    b.get(i..).unwrap_or(&[])
}

pub(super) fn head(b: &[u8], i: usize) -> &[u8] {
    b.get(..i).unwrap_or(b)
}

pub(super) fn skip_spaces(b: &[u8], mut i: usize) -> usize {
    while matches!(byte_at(b, i), b' ' | b'\t') {
        i += 1;
    }
    i
}

/// Occurrences of `word` in `text` with identifier boundaries on both sides (ASCII).
pub(super) fn word_positions<'a>(
    text: &'a [u8],
    word: &'a [u8],
) -> impl Iterator<Item = usize> + 'a {
    step(text.len());
    memmem::find_iter(text, word).filter(move |&p| {
        let before = p.checked_sub(1).map(|i| byte_at(text, i));
        let after = byte_at(text, p + word.len());
        !before.is_some_and(is_ident) && !is_ident(after)
    })
}

pub(super) fn has_word(text: &[u8], word: &[u8]) -> bool {
    word_positions(text, word).next().is_some()
}

/// Leading indentation width (spaces and tabs).
pub(super) fn indent(b: &[u8]) -> usize {
    b.iter().take_while(|c| matches!(c, b' ' | b'\t')).count()
}

pub(super) fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Cut a string to `max` characters (adding `…` when cut).
pub(super) fn cut(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Characters rendered as `<U+XXXX>` in excerpts and details.
pub(super) fn must_escape(c: char) -> bool {
    let u = c as u32;
    (c.is_control() && c != ' ')
        || matches!(u, 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2064 | 0x2066..=0x2069)
        || matches!(
            u,
            0x061C | 0xFEFF | 0x2028 | 0x2029 | 0x00AD | 0x180E | 0xFFF9..=0xFFFB
        )
}

pub(super) fn escape_visible(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c == '\t' {
            out.push(' ');
        } else if must_escape(c) {
            let _ = write!(out, "<U+{:04X}>", c as u32);
        } else {
            out.push(c);
        }
    }
    out
}

/// The excerpt of `line`: trimmed, escaped, and cut to [`MAX_EXCERPT_CHARS`] around byte
/// offset `focus` (so a finding deep in a long line stays visible).
pub(super) fn excerpt(line: &[u8], focus: usize) -> String {
    let lead = line.len() - line.trim_ascii_start().len();
    let t = trim(line);
    let focus = focus.saturating_sub(lead).min(t.len());
    // Start a little before the focus when the line is long.
    let mut start = 0usize;
    if t.len() > MAX_EXCERPT_CHARS && focus > 40 {
        start = focus - 40;
        while start > 0 && (byte_at(t, start) & 0xC0) == 0x80 {
            start -= 1;
        }
    }
    // Take a bounded byte window before decoding (4 bytes per char at most, escapes expand).
    let end = (start + MAX_EXCERPT_CHARS * 4).min(t.len());
    let window = t.get(start..end).unwrap_or(t);
    let text = escape_visible(&String::from_utf8_lossy(window));
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    out.push_str(&text);
    if end < t.len() {
        out.push('…');
    }
    cut(&out, MAX_EXCERPT_CHARS)
}

pub(super) fn detail_text(s: &str) -> String {
    cut(&escape_visible(s), MAX_DETAIL_CHARS)
}

/// Host of the first `http(s)://` URL on a line.
pub(super) fn url_host(text: &[u8]) -> Option<String> {
    let p = find(text, b"://")?;
    let rest = tail(text, p + 3);
    let end = rest
        .iter()
        .position(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'@')))
        .unwrap_or(rest.len());
    let host = head(rest, end);
    (!host.is_empty()).then(|| cut(&lossy(host), 80))
}
