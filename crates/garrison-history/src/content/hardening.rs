//! Hardening flags (netted over the file: a flag moved between lines is not a change) and
//! sandboxing added or removed.

use super::kinds::HitKind;
use super::lines::Line;
use super::sink::Sink;
use super::text::*;
use crate::classify::Lang;

/// A hardening-relevant flag and whether its presence weakens (true) or strengthens (false).
pub(super) fn hardening_flags(text: &[u8], lang: Lang) -> Vec<(String, bool, usize)> {
    let mut out: Vec<(String, bool, usize)> = Vec::new();
    if lang == Lang::C {
        let t = trim(text);
        if t.starts_with(b"#undef") && contains(t, b"_FORTIFY_SOURCE") {
            out.push(("#undef _FORTIFY_SOURCE".into(), true, 0));
        } else if t.starts_with(b"#define") && contains(t, b"_FORTIFY_SOURCE") {
            let weak = t.ends_with(b" 0");
            out.push((lossy(t), weak, 0));
        }
        return out;
    }
    // Tokens split on whitespace, quotes, commas and brackets (so `-Wl,-z,relro` splits).
    let mut toks: Vec<(usize, &[u8])> = Vec::new();
    let mut s = None;
    for (i, &b) in text
        .iter()
        .enumerate()
        .chain(std::iter::once((text.len(), &b' ')))
    {
        let sep = b.is_ascii_whitespace()
            || matches!(
                b,
                b'"' | b'\'' | b',' | b'[' | b']' | b'(' | b')' | b'{' | b'}' | b';' | b'`'
            );
        match (sep, s) {
            (true, Some(st)) => {
                toks.push((st, text.get(st..i).unwrap_or(&[])));
                s = None;
            }
            (false, None) => s = Some(i),
            _ => {}
        }
        if toks.len() > 4096 {
            break;
        }
    }
    let mut i = 0usize;
    while let Some(&(pos, tok)) = toks.get(i) {
        i += 1;
        let lt = lower(tok);
        let t = lt.as_slice();
        let flag: Option<(String, bool)> = if t.starts_with(b"-fno-stack-protector") {
            Some((lossy(tok), true))
        } else if t.starts_with(b"-fstack-protector") {
            Some((lossy(tok), false))
        } else if t.starts_with(b"-u_fortify_source") {
            Some(("-U_FORTIFY_SOURCE".into(), true))
        } else if t.starts_with(b"-d_fortify_source") {
            Some((lossy(tok), t.ends_with(b"=0")))
        } else if t == b"-z" || t == b"-wl" {
            // `-z relro`, `-Wl,-z,now`: look at the next token.
            if t == b"-z"
                && let Some(&(_, next)) = toks.get(i)
            {
                let n = lower(next);
                let weak = matches!(n.as_slice(), b"norelro" | b"execstack" | b"lazy");
                if matches!(
                    n.as_slice(),
                    b"relro" | b"now" | b"noexecstack" | b"norelro" | b"execstack" | b"lazy"
                ) {
                    i += 1;
                    Some((format!("-z {}", lossy(next)), weak))
                } else {
                    None
                }
            } else {
                None
            }
        } else if matches!(t, b"-znorelro" | b"-zexecstack" | b"-no-pie" | b"-fno-pie") {
            Some((lossy(tok), true))
        } else if matches!(
            t,
            b"-znow" | b"-zrelro" | b"-znoexecstack" | b"-pie" | b"-fpie"
        ) {
            Some((lossy(tok), false))
        } else if t.starts_with(b"-fcf-protection") {
            Some((lossy(tok), t.ends_with(b"=none")))
        } else if t.starts_with(b"--wrap")
            || t.starts_with(b"-wrap=")
            || t.starts_with(b"-fno-sanitize")
        {
            Some((lossy(tok), true))
        } else if t.starts_with(b"-fsanitize")
            || t.starts_with(b"-db_sanitize")
            || t.starts_with(b"b_sanitize")
        {
            Some((lossy(tok), false))
        } else if t.starts_with(b"-fno-stack-clash-protection") {
            Some((lossy(tok), true))
        } else if t.starts_with(b"-fstack-clash-protection") {
            Some((lossy(tok), false))
        } else if t.starts_with(b"-ftrivial-auto-var-init") {
            Some((lossy(tok), t.ends_with(b"=uninitialized")))
        } else if t.starts_with(b"-mbranch-protection") {
            Some((lossy(tok), t.ends_with(b"=none")))
        } else if t == b"-werror"
            || t == b"--werror"
            || t == b"-dwerror=true"
            || t == b"werror=true"
        {
            Some((format!("{} (weak)", lossy(tok)), false))
        } else if t == b"-wno-error" || t == b"-dwerror=false" || t == b"werror=false" {
            Some((format!("{} (weak)", lossy(tok)), true))
        } else if t == b"/gs-"
            || t == b"/dynamicbase:no"
            || t == b"/nxcompat:no"
            || t == b"/guard:cf-"
        {
            Some((lossy(tok), true))
        } else if t == b"/gs"
            || t == b"/dynamicbase"
            || t == b"/nxcompat"
            || t == b"/guard:cf"
            || t.starts_with(b"-d_glibcxx_assertions")
        {
            Some((lossy(tok), false))
        } else {
            None
        };
        if let Some((f, weak)) = flag {
            out.push((cut(&f, 60), weak, pos));
        }
        if out.len() >= 32 {
            break;
        }
    }
    out
}

pub(super) fn sandbox_term(text: &[u8]) -> Option<(usize, &'static str)> {
    let lc = lower(text);
    let terms: &[(&[u8], &str)] = &[
        (b"landlock", "landlock"),
        (b"seccomp", "seccomp"),
        (b"pledge(", "pledge"),
        (b"have_pledge", "pledge"),
        (b"unveil(", "unveil"),
        (b"have_unveil", "unveil"),
        (b"cap_enter", "capsicum"),
        (b"cap_rights_limit", "capsicum"),
        (b"capsicum", "capsicum"),
        (b"no_new_privs", "no_new_privs"),
        (b"enable_sandbox", "sandbox option"),
        (b"enable-sandbox", "sandbox option"),
        (b"disable-sandbox", "sandbox option"),
        (b"disable_sandbox", "sandbox option"),
        (b"with-sandbox", "sandbox option"),
        (b"with_sandbox", "sandbox option"),
        (b"use_sandbox", "sandbox option"),
        (b"sandbox=", "sandbox option"),
    ];
    terms
        .iter()
        .find_map(|(p, n)| find(&lc, p).map(|i| (i, *n)))
}

/// Net each flag over the file: report flags added more often than removed (or vice versa).
pub(super) fn report_hardening(sink: &mut Sink, flags: &[(String, bool, bool, Line<'_>, usize)]) {
    use std::collections::HashMap;
    // flag -> (weakens, first added, first removed, added count, removed count), in first-seen order.
    type Net<'a, 'l> = (
        bool,
        Option<&'a (String, bool, bool, Line<'l>, usize)>,
        Option<&'a (String, bool, bool, Line<'l>, usize)>,
        usize,
        usize,
    );
    let mut order: Vec<&str> = Vec::new();
    let mut net: HashMap<&str, Net<'_, '_>> = HashMap::new();
    for f in flags {
        super::meter::step(f.0.len());
        let e = net.entry(f.0.as_str()).or_insert_with(|| {
            order.push(f.0.as_str());
            (f.1, None, None, 0, 0)
        });
        if f.2 {
            e.2.get_or_insert(f);
            e.4 += 1;
        } else {
            e.1.get_or_insert(f);
            e.3 += 1;
        }
    }
    for name in order {
        let Some(&(weak, add, rem, na, nr)) = net.get(name) else {
            continue;
        };
        let (first, removed) = match na.cmp(&nr) {
            std::cmp::Ordering::Greater => (add, false),
            std::cmp::Ordering::Less => (rem, true),
            std::cmp::Ordering::Equal => continue,
        };
        let Some((_, _, _, line, pos)) = first else {
            continue;
        };
        let weakened = weak != removed;
        let d = format!(
            "{}: {name} {}",
            if weakened { "weakened" } else { "strengthened" },
            if removed { "removed" } else { "added" }
        );
        sink.push(HitKind::HARDENING_FLAG_CHANGED, line, removed, *pos, &d);
    }
}
