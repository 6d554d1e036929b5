//! Security policy: contacts replaced, reporting instructions removed.

use super::kinds::HitKind;
use super::lines::{Line, lines};
use super::sink::Sink;
use super::text::*;
use memchr::memmem;
use std::collections::HashSet;

/// Emails and URLs on a line (bounded).
pub(super) fn contacts(text: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    for p in memchr::memchr_iter(b'@', text).take(16) {
        let is_local =
            |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'%' | b'+' | b'-');
        let is_dom = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-');
        let mut s = p;
        while s > 0 && is_local(byte_at(text, s - 1)) && p - s < 64 {
            s -= 1;
        }
        let mut e = p + 1;
        while is_dom(byte_at(text, e)) && e - p < 253 {
            e += 1;
        }
        let local = text.get(s..p).unwrap_or(&[]);
        let dom = trim_dots(text.get(p + 1..e).unwrap_or(&[]));
        if !local.is_empty() && contains(dom, b".") {
            out.push(format!("{}@{}", lossy(local), lossy(dom)).to_ascii_lowercase());
        }
    }
    for p in memmem::find_iter(text, b"http").take(16) {
        let rest = tail(text, p);
        if !(rest.starts_with(b"http://") || rest.starts_with(b"https://")) {
            continue;
        }
        let e = rest
            .iter()
            .position(|b| {
                b.is_ascii_whitespace()
                    || matches!(b, b')' | b'>' | b']' | b'"' | b'\'' | b'`' | b'<')
            })
            .unwrap_or(rest.len());
        let url = trim_dots(head(rest, e.min(200)));
        out.push(lossy(url).trim_end_matches('/').to_string());
    }
    out
}

pub(super) fn trim_dots(b: &[u8]) -> &[u8] {
    let mut b = b;
    while let Some((last, rest)) = b.split_last() {
        if matches!(last, b'.' | b',' | b';' | b':') {
            b = rest;
        } else {
            break;
        }
    }
    b
}

/// A line carrying policy substance: contact, reporting instruction or supported-versions row.
pub(super) fn policy_signal(text: &[u8]) -> bool {
    let lc = lower(text);
    !contacts(text).is_empty()
        || [
            "report",
            "vulnerab",
            "advisor",
            "huntr",
            "tidelift",
            "disclos",
            "embargo",
            "cve",
            "supported",
            "security@",
        ]
        .iter()
        .any(|w| contains(&lc, w.as_bytes()))
        || (trim(&lc).starts_with(b"|")
            && (contains(&lc, b":white_check_mark:")
                || contains(&lc, b":x:")
                || contains(&lc, "✅".as_bytes())
                || contains(&lc, "❌".as_bytes())))
}

pub(super) fn scan_security_policy(
    sink: &mut Sink,
    added: &[Line<'_>],
    removed: &[Line<'_>],
    old: &[u8],
) {
    let live_added: Vec<&Line<'_>> = added.iter().filter(|l| !l.moved).collect();
    let live_removed: Vec<&Line<'_>> = removed.iter().filter(|l| !l.moved).collect();
    let mut new_contacts: Vec<(String, &Line<'_>)> = Vec::new();
    for l in &live_added {
        for c in contacts(l.text) {
            new_contacts.push((c, l));
        }
    }
    let mut old_contacts: Vec<(String, &Line<'_>)> = Vec::new();
    for l in &live_removed {
        for c in contacts(l.text) {
            old_contacts.push((c, l));
        }
    }
    let new_set: HashSet<&str> = new_contacts.iter().map(|(c, _)| c.as_str()).collect();
    let old_set: HashSet<&str> = old_contacts.iter().map(|(c, _)| c.as_str()).collect();
    let gone: Vec<&(String, &Line<'_>)> = old_contacts
        .iter()
        .filter(|(c, _)| !new_set.contains(c.as_str()))
        .collect();
    let fresh: Vec<&(String, &Line<'_>)> = new_contacts
        .iter()
        .filter(|(c, _)| !old_set.contains(c.as_str()))
        .collect();
    let mut reported = false;
    if let (Some((o, _)), Some((n, nl))) = (gone.first(), fresh.first()) {
        sink.push(
            HitKind::SECURITY_CONTACT_CHANGED,
            nl,
            false,
            0,
            &format!("{o} → {n}"),
        );
        reported = true;
    } else if let Some((o, ol)) = gone.first() {
        sink.push(
            HitKind::SECURITY_POLICY_WEAKENED,
            ol,
            true,
            0,
            &format!("contact removed: {o}"),
        );
        reported = true;
    }
    let nonblank = |ls: &[&Line<'_>]| ls.iter().filter(|l| !trim(l.text).is_empty()).count();
    let (r, a) = (nonblank(&live_removed), nonblank(&live_added));
    let (rs, as_) = (
        live_removed
            .iter()
            .filter(|l| policy_signal(l.text))
            .count(),
        live_added.iter().filter(|l| policy_signal(l.text)).count(),
    );
    let old_lines = lines(old)
        .filter(|(_, t)| !trim(t).is_empty())
        .count()
        .max(1);
    let big_cut = r >= a + 3 && r * 4 >= old_lines;
    if !reported
        && (rs > as_ || big_cut)
        && let Some(first) = live_removed
            .iter()
            .find(|l| policy_signal(l.text))
            .or_else(|| live_removed.iter().find(|l| !trim(l.text).is_empty()))
    {
        let what = if a == 0 && r * 10 >= old_lines * 9 {
            "policy emptied".to_string()
        } else {
            format!("{r} lines removed, {a} added ({rs} policy lines removed, {as_} added)")
        };
        sink.push(HitKind::SECURITY_POLICY_WEAKENED, first, true, 0, &what);
    }
}
