//! The lines of a change: which lines of each side the hunks cover, and which only moved.

use std::collections::HashSet;

use super::text::{head, tail, trim};
use super::{Hunk, MAX_FILE_BYTES, MAX_HUNKS, MAX_LINE_BYTES};

/// One changed line.
#[derive(Clone, Copy)]
pub(super) struct Line<'a> {
    pub(super) no: u32,
    pub(super) text: &'a [u8],
    /// The same trimmed text is on the other side of the change (moved or re-indented).
    pub(super) moved: bool,
}

/// Sorted, merged `[start, end)` 1-based line ranges of one side of the hunks.
pub(super) fn side_ranges(hunks: &[Hunk], new_side: bool) -> Vec<(u32, u32)> {
    let mut r: Vec<(u32, u32)> = hunks
        .iter()
        .take(MAX_HUNKS)
        .filter_map(|h| {
            let (s, l) = if new_side {
                (h.new_start, h.new_len)
            } else {
                (h.old_start, h.old_len)
            };
            (l > 0).then(|| (s.max(1), s.max(1).saturating_add(l)))
        })
        .collect();
    r.sort_unstable();
    let mut merged: Vec<(u32, u32)> = Vec::with_capacity(r.len());
    for (s, e) in r {
        match merged.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    merged
}

/// Iterate over the lines of `data` (bounded), yielding 1-based numbers. Lines lose their
/// `\n`/`\r\n` and are cut to [`MAX_LINE_BYTES`].
pub(super) fn lines(data: &[u8]) -> impl Iterator<Item = (u32, &[u8])> {
    let data = head(data, MAX_FILE_BYTES);
    let mut pos = 0usize;
    let mut no = 0u32;
    std::iter::from_fn(move || {
        if pos >= data.len() {
            return None;
        }
        let rest = tail(data, pos);
        let len = memchr::memchr(b'\n', rest).unwrap_or(rest.len());
        super::meter::step(len + 1);
        let mut line = head(rest, len);
        pos += len + 1;
        no = no.saturating_add(1);
        if line.last() == Some(&b'\r') {
            line = head(line, line.len() - 1);
        }
        Some((no, head(line, MAX_LINE_BYTES)))
    })
}

/// The lines of `data` inside `ranges`.
pub(super) fn select_lines<'a>(data: &'a [u8], ranges: &[(u32, u32)]) -> Vec<Line<'a>> {
    let mut out = Vec::new();
    let Some(last_end) = ranges.last().map(|r| r.1) else {
        return out;
    };
    let mut ri = 0usize;
    for (no, text) in lines(data) {
        if no >= last_end {
            break;
        }
        while ranges.get(ri).is_some_and(|r| no >= r.1) {
            ri += 1;
        }
        if ranges.get(ri).is_some_and(|r| no >= r.0 && no < r.1) {
            out.push(Line {
                no,
                text,
                moved: false,
            });
        }
    }
    out
}

/// Mark lines whose trimmed text also appears on the other side.
pub(super) fn mark_moved(added: &mut [Line<'_>], removed: &mut [Line<'_>]) {
    if added.is_empty() || removed.is_empty() {
        return;
    }
    let old: HashSet<&[u8]> = removed
        .iter()
        .map(|l| trim(l.text))
        .filter(|t| !t.is_empty())
        .collect();
    let new: HashSet<&[u8]> = added
        .iter()
        .map(|l| trim(l.text))
        .filter(|t| !t.is_empty())
        .collect();
    for l in added.iter_mut() {
        l.moved = old.contains(trim(l.text));
    }
    for l in removed.iter_mut() {
        l.moved = new.contains(trim(l.text));
    }
}
