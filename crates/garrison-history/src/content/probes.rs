//! Build feature probes (CMake `check_*`, autoconf, meson, distutils) added, removed or changed.

use super::kinds::HitKind;
use super::lines::{Line, lines};
use super::sink::Sink;
use super::text::*;
use super::{Hunk, MAX_HUNKS, MAX_STRUCTURE_BYTES};
use crate::classify::Lang;
use memchr::memmem;

/// A feature-probe block spans at most this many lines.
const PROBE_MAX_LINES: u32 = 60;

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum ProbeSyntax {
    /// m4: `[`/`]` quote, parentheses count outside quotes.
    M4,
    /// CMake: `"` strings, `[[ ]]` bracket arguments, `#` comments.
    CMake,
    /// Meson and Python: quotes, triple quotes, `#` comments, all brackets count.
    Py,
}

pub(super) struct Probe {
    pub(super) start: u32,
    pub(super) end: u32,
    pub(super) name: String,
    /// Lines of the probe's source text (sorted; see [`Block::body`]).
    pub(super) body: Vec<u32>,
}

pub(super) fn read_ident(text: &[u8], p: usize) -> &[u8] {
    let e = tail(text, p)
        .iter()
        .position(|b| !is_ident(*b))
        .map_or(text.len(), |e| p + e);
    text.get(p..e).unwrap_or(&[])
}

/// A probe call starting on this line: (offset of its `(`, probe name).
pub(super) fn probe_start(text: &[u8], lang: Lang) -> Option<(usize, String)> {
    match lang {
        Lang::CMake => {
            let lc = lower(text);
            for pre in [&b"check_"[..], b"try_compile", b"try_run"] {
                for p in memmem::find_iter(&lc, pre) {
                    if p > 0 && is_ident(byte_at(&lc, p - 1)) {
                        continue;
                    }
                    let name = read_ident(&lc, p);
                    let a = skip_spaces(&lc, p + name.len());
                    if byte_at(&lc, a) == b'(' {
                        return Some((a, lossy(name)));
                    }
                }
            }
            None
        }
        Lang::Autotools => {
            for pre in [&b"AC_"[..], b"AX_"] {
                for p in memmem::find_iter(text, pre) {
                    if p > 0 && is_ident(byte_at(text, p - 1)) {
                        continue;
                    }
                    let name = read_ident(text, p);
                    let probe = name.ends_with(b"_IFELSE")
                        || name.starts_with(b"AC_CHECK_")
                        || name.starts_with(b"AC_TRY_")
                        || name.starts_with(b"AX_CHECK_")
                        || name.starts_with(b"AC_EGREP_")
                        || name == b"AC_CACHE_CHECK"
                        || name == b"AC_SEARCH_LIBS";
                    let a = p + name.len();
                    if probe && byte_at(text, a) == b'(' {
                        return Some((a, lossy(name)));
                    }
                }
            }
            None
        }
        Lang::Meson | Lang::Python => {
            // numpy.distutils / distutils `config` command probes.
            const PY_PROBES: &[&[u8]] = &[
                b"try_compile",
                b"try_link",
                b"try_run",
                b"try_cpp",
                b"try_dispatch",
                b"check_func",
                b"check_funcs_once",
                b"check_decl",
                b"check_macro_true",
                b"check_type",
                b"check_type_size",
                b"check_header",
                b"check_lib",
                b"check_inline",
                b"check_restrict",
                b"check_compiler_gcc",
                b"check_gcc_function_attribute",
                b"check_gcc_function_attribute_with_intrinsics",
                b"check_gcc_variable_attribute",
                b"check_gcc_version_at_least",
                b"has_function",
            ];
            const MESON: &[&[u8]] = &[
                b"compiles",
                b"links",
                b"run",
                b"has_function",
                b"has_header",
                b"check_header",
                b"has_header_symbol",
                b"has_argument",
                b"has_multi_arguments",
                b"get_supported_arguments",
                b"first_supported_argument",
                b"has_link_argument",
                b"has_multi_link_arguments",
                b"get_supported_link_arguments",
                b"has_members",
                b"has_member",
                b"has_type",
                b"sizeof",
                b"alignment",
                b"has_define",
                b"get_define",
                b"has_function_attribute",
                b"get_supported_function_attributes",
                b"compute_int",
            ];
            for p in memchr::memchr_iter(b'.', text) {
                let name = read_ident(text, p + 1);
                if name.is_empty() {
                    continue;
                }
                let a = skip_spaces(text, p + 1 + name.len());
                if byte_at(text, a) != b'(' {
                    continue;
                }
                let probe = if lang == Lang::Meson {
                    MESON.contains(&name)
                } else {
                    PY_PROBES.contains(&name)
                };
                if probe {
                    return Some((a, lossy(name)));
                }
            }
            None
        }
        _ => None,
    }
}

/// The extent of a probe call and which of its lines are C source.
pub(super) struct Block {
    /// Line number where the call closes (bounded by [`PROBE_MAX_LINES`]).
    pub(super) end: u32,
    /// Lines wholly inside the probe's source text: inside a CMake `"..."` string or bracket
    /// argument (`[[...]]`, `[=[...]=]`), a meson/Python triple-quoted string, or the m4-quoted
    /// program argument of `AC_*_IFELSE`, `AC_TRY_*` and `AC_LANG_*`. A line that opens or
    /// closes the string (the ordinary lone closing `"` of a CMake probe) is not one of them.
    pub(super) body: Vec<u32>,
}

/// An m4 macro call open at some point of the scan.
struct M4Frame {
    name: Vec<u8>,
    arg: usize,
    quote: i32,
}

/// Whether argument `arg` of the m4 macro `name` is program text (C source).
fn m4_source_arg(name: &[u8], arg: usize) -> bool {
    if name.starts_with(b"AC_LANG_") {
        return true;
    }
    match name {
        b"AC_TRY_COMPILE" | b"AC_TRY_LINK" => arg <= 1,
        b"AC_EGREP_CPP" => arg == 1,
        _ => arg == 0 && (name.ends_with(b"_IFELSE") || name.starts_with(b"AC_TRY_")),
    }
}

/// CMake bracket open at `j` (`[` `=`* `[`): the number of `=`.
fn cmake_bracket_open(text: &[u8], j: usize) -> Option<usize> {
    if byte_at(text, j) != b'[' {
        return None;
    }
    let eq = tail(text, j + 1).iter().take_while(|b| **b == b'=').count();
    (byte_at(text, j + 1 + eq) == b'[').then_some(eq)
}

/// CMake bracket close of level `eq` at `j` (`]` `=`×eq `]`).
fn cmake_bracket_close(text: &[u8], j: usize, eq: usize) -> bool {
    byte_at(text, j) == b']'
        && tail(text, j + 1).iter().take_while(|b| **b == b'=').count() == eq
        && byte_at(text, j + 1 + eq) == b']'
}

/// Scan the call opened at (`i0`, `col`): where it closes and which lines are source text.
pub(super) fn block_end(ls: &[(u32, &[u8])], i0: usize, col: usize, syn: ProbeSyntax) -> Block {
    let mut depth = 0i32;
    let mut quote = 0i32;
    let mut frames: Vec<M4Frame> = Vec::new();
    let mut ident: Vec<u8> = Vec::new();
    let mut in_str: Option<u8> = None;
    let mut triple: Option<u8> = None;
    // CMake bracket argument (or comment, `.1`) with its `=` count.
    let mut bracket: Option<(usize, bool)> = None;
    let mut body = Vec::new();
    let mut last = ls.get(i0).map_or(0, |l| l.0);
    let in_body = |in_str: Option<u8>,
                   triple: Option<u8>,
                   bracket: Option<(usize, bool)>,
                   frames: &[M4Frame],
                   quote: i32| match syn {
        ProbeSyntax::CMake => in_str.is_some() || bracket.is_some_and(|(_, comment)| !comment),
        ProbeSyntax::Py => triple.is_some(),
        ProbeSyntax::M4 => frames
            .iter()
            .any(|f| quote > f.quote && m4_source_arg(&f.name, f.arg)),
    };
    for (k, (no, text)) in ls
        .iter()
        .enumerate()
        .skip(i0)
        .take(PROBE_MAX_LINES as usize)
    {
        last = *no;
        let mut j = if k == i0 { col } else { 0 };
        in_str = if syn == ProbeSyntax::CMake {
            in_str
        } else {
            None
        };
        let starts_in_body = k > i0 && in_body(in_str, triple, bracket, &frames, quote);
        // The line opening the call names the probe (its identifier precedes `col`).
        if k == i0 && syn == ProbeSyntax::M4 {
            let name_start = text
                .get(..col)
                .unwrap_or(&[])
                .iter()
                .rposition(|b| !is_ident(*b))
                .map_or(0, |p| p + 1);
            ident = text.get(name_start..col).unwrap_or(&[]).to_vec();
        }
        while j < text.len() {
            let b = byte_at(text, j);
            match syn {
                ProbeSyntax::M4 => {
                    match b {
                        b'[' => quote += 1,
                        b']' => {
                            quote = (quote - 1).max(0);
                            // Calls opened inside quotes that are now closed end with them.
                            while frames.last().is_some_and(|f| f.quote > quote) {
                                frames.pop();
                            }
                        }
                        b'(' => {
                            frames.push(M4Frame {
                                name: std::mem::take(&mut ident),
                                arg: 0,
                                quote,
                            });
                            if frames.len() > 256 {
                                return Block { end: *no, body };
                            }
                        }
                        b',' => {
                            if let Some(f) = frames.last_mut()
                                && f.quote == quote
                            {
                                f.arg += 1;
                            }
                        }
                        b')' if frames.last().is_some_and(|f| f.quote == quote) => {
                            frames.pop();
                            if frames.is_empty() {
                                return Block { end: *no, body };
                            }
                        }
                        _ => {}
                    }
                    if is_ident(b) {
                        ident.push(b);
                    } else if b != b'(' {
                        ident.clear();
                    }
                }
                ProbeSyntax::CMake => {
                    if let Some((eq, _)) = bracket {
                        if cmake_bracket_close(text, j, eq) {
                            bracket = None;
                            j += eq + 1;
                        }
                    } else if in_str.is_some() {
                        if b == b'\\' {
                            j += 1;
                        } else if b == b'"' {
                            in_str = None;
                        }
                    } else if let Some(eq) = cmake_bracket_open(text, j) {
                        bracket = Some((eq, false));
                        j += eq + 1;
                    } else {
                        match b {
                            b'#' => match cmake_bracket_open(text, j + 1) {
                                Some(eq) => {
                                    bracket = Some((eq, true));
                                    j += eq + 2;
                                }
                                None => break,
                            },
                            b'"' => in_str = Some(b'"'),
                            b'\\' => j += 1,
                            b'(' => depth += 1,
                            b')' => {
                                depth -= 1;
                                if depth <= 0 {
                                    return Block { end: *no, body };
                                }
                            }
                            _ => {}
                        }
                    }
                }
                ProbeSyntax::Py => {
                    if let Some(q) = triple {
                        if b == b'\\' {
                            j += 1;
                        } else if b == q && byte_at(text, j + 1) == q && byte_at(text, j + 2) == q {
                            triple = None;
                            j += 2;
                        }
                    } else if let Some(q) = in_str {
                        if b == b'\\' {
                            j += 1;
                        } else if b == q {
                            in_str = None;
                        }
                    } else {
                        match b {
                            b'#' => break,
                            b'\'' | b'"' => {
                                if byte_at(text, j + 1) == b && byte_at(text, j + 2) == b {
                                    triple = Some(b);
                                    j += 2;
                                } else {
                                    in_str = Some(b);
                                }
                            }
                            b'(' | b'[' | b'{' => depth += 1,
                            b')' | b']' | b'}' => {
                                depth -= 1;
                                if depth <= 0 {
                                    return Block { end: *no, body };
                                }
                            }
                            _ => {}
                        }
                    }
                }
            }
            j += 1;
        }
        if syn == ProbeSyntax::M4 {
            ident.clear();
        }
        if starts_in_body && in_body(in_str, triple, bracket, &frames, quote) {
            body.push(*no);
        }
    }
    Block { end: last, body }
}

/// Feature-probe calls of a build file with their line extents (bounded).
pub(super) fn find_probes(data: &[u8], lang: Lang) -> Vec<Probe> {
    let syn = match lang {
        Lang::Autotools => ProbeSyntax::M4,
        Lang::CMake => ProbeSyntax::CMake,
        Lang::Meson | Lang::Python => ProbeSyntax::Py,
        _ => return Vec::new(),
    };
    let ls: Vec<(u32, &[u8])> = lines(head(data, MAX_STRUCTURE_BYTES)).collect();
    let mut out = Vec::new();
    let mut i = 0usize;
    while let Some((no, text)) = ls.get(i) {
        let t = trim(text);
        let comment = t.starts_with(b"#") || t.starts_with(b"dnl");
        if !comment && let Some((col, name)) = probe_start(text, lang) {
            let Block { end, body } = block_end(&ls, i, col, syn);
            out.push(Probe {
                start: *no,
                end,
                name,
                body,
            });
            if out.len() >= 4096 {
                break;
            }
            // Continue after the block (probes do not nest).
            let skip = end.saturating_sub(*no) as usize;
            i += skip.max(1);
            continue;
        }
        i += 1;
    }
    out
}

/// Map an old-file line to the new file through the hunks (sorted by `old_start`).
pub(super) fn old_to_new(line: u32, hunks: &[Hunk], cum: &[i64]) -> u32 {
    let threshold = |h: &Hunk| h.old_start.saturating_add(h.old_len.max(1));
    let k = hunks.partition_point(|h| threshold(h) <= line);
    if let Some(h) = hunks.get(k)
        && h.old_len > 0
        && line >= h.old_start
        && line < h.old_start.saturating_add(h.old_len)
    {
        return h.new_start;
    }
    let delta = cum.get(k).copied().unwrap_or(0);
    u32::try_from((i64::from(line) + delta).max(0)).unwrap_or(u32::MAX)
}

/// Lines of `ls` (sorted by number, not moved) inside `[s, e]`.
pub(super) fn changed_in<'a, 'b>(ls: &'b [Line<'a>], s: u32, e: u32) -> Vec<&'b Line<'a>> {
    let from = ls.partition_point(|l| l.no < s);
    ls.get(from..)
        .unwrap_or(&[])
        .iter()
        .take_while(|l| l.no <= e)
        .filter(|l| !l.moved)
        .collect()
}

pub(super) fn is_stray_line(t: &[u8]) -> bool {
    matches!(
        trim(t),
        b"." | b"`" | b"@" | b"$" | b"\\" | b":" | b"'" | b"\""
    )
}

pub(super) fn scan_probes(
    sink: &mut Sink,
    lang: Lang,
    old: &[u8],
    new: &[u8],
    hunks: &[Hunk],
    added: &[Line<'_>],
    removed: &[Line<'_>],
) {
    if added.iter().all(|l| l.moved) && removed.iter().all(|l| l.moved) {
        return;
    }
    let new_probes = if added.is_empty() {
        Vec::new()
    } else {
        find_probes(new, lang)
    };
    let old_probes = if removed.is_empty() {
        Vec::new()
    } else {
        find_probes(old, lang)
    };
    let mut sorted: Vec<Hunk> = hunks.iter().take(MAX_HUNKS).copied().collect();
    sorted.sort_by_key(|h| h.old_start);
    let mut cum = Vec::with_capacity(sorted.len() + 1);
    let mut acc = 0i64;
    cum.push(0);
    for h in &sorted {
        acc += i64::from(h.new_len) - i64::from(h.old_len);
        cum.push(acc);
    }
    // Old probes mapped into new-file coordinates, with their removed lines.
    let old_mapped: Vec<(u32, u32, &Probe, Vec<&Line<'_>>)> = old_probes
        .iter()
        .map(|p| {
            (
                old_to_new(p.start, &sorted, &cum),
                old_to_new(p.end, &sorted, &cum),
                p,
                changed_in(removed, p.start, p.end),
            )
        })
        .collect();
    let mut old_used = vec![false; old_mapped.len()];
    for p in &new_probes {
        let add = changed_in(added, p.start, p.end);
        let counterpart = old_mapped
            .iter()
            .position(|(s, e, _, _)| *s <= p.end && *e >= p.start);
        let rem: &[&Line<'_>] = match counterpart {
            Some(i) => {
                if let Some(u) = old_used.get_mut(i) {
                    *u = true;
                }
                old_mapped.get(i).map_or(&[], |o| o.3.as_slice())
            }
            None => &[],
        };
        if add.is_empty() && rem.is_empty() {
            continue;
        }
        let total = p.end.saturating_sub(p.start) as usize + 1;
        let state = if counterpart.is_none() && add.len() >= total {
            "probe added"
        } else if add.iter().any(|l| l.no > p.start) || rem.len() > 1 || p.start == p.end {
            "probe source changed"
        } else {
            "probe call line changed"
        };
        // Only inside the source text: a lone `"` closing a CMake string is not stray.
        let stray = add
            .iter()
            .find(|l| is_stray_line(l.text) && p.body.binary_search(&l.no).is_ok())
            .map(|l| format!("; stray '{}' line in probe source", lossy(trim(l.text))))
            .unwrap_or_default();
        let d = format!(
            "{}: {state} (+{}/-{} lines){stray}",
            p.name,
            add.len(),
            rem.len()
        );
        match add.first() {
            Some(l) => sink.push(HitKind::FEATURE_PROBE_CHANGED, l, false, 0, &d),
            None => {
                if let Some(l) = rem.first() {
                    sink.push(HitKind::FEATURE_PROBE_CHANGED, l, true, 0, &d);
                }
            }
        }
    }
    for (i, (_, _, p, rem)) in old_mapped.iter().enumerate() {
        if old_used.get(i).copied().unwrap_or(true) || rem.is_empty() {
            continue;
        }
        let total = p.end.saturating_sub(p.start) as usize + 1;
        let state = if rem.len() >= total {
            "probe removed"
        } else {
            "probe source changed"
        };
        if let Some(l) = rem.first() {
            sink.push(
                HitKind::FEATURE_PROBE_CHANGED,
                l,
                true,
                0,
                &format!("{}: {state} (+0/-{} lines)", p.name, rem.len()),
            );
        }
    }
}
