//! Unicode: bidi controls (Trojan Source), zero-width characters, mixed-script and NFKC-folded
//! identifiers.

use super::kinds::HitKind;
use super::lines::Line;
use super::sink::Sink;
use super::text::*;

pub(super) fn bidi_name(cp: u32) -> &'static str {
    match cp {
        0x202A => "LRE",
        0x202B => "RLE",
        0x202C => "PDF",
        0x202D => "LRO",
        0x202E => "RLO",
        0x2066 => "LRI",
        0x2067 => "RLI",
        0x2068 => "FSI",
        0x2069 => "PDI",
        _ => "?",
    }
}

/// Three-byte UTF-8 code point at `p`, if well formed.
pub(super) fn cp3(text: &[u8], p: usize) -> Option<u32> {
    let (b0, b1, b2) = (byte_at(text, p), byte_at(text, p + 1), byte_at(text, p + 2));
    if b0 & 0xF0 != 0xE0 || b1 & 0xC0 != 0x80 || b2 & 0xC0 != 0x80 {
        return None;
    }
    Some((u32::from(b0 & 0x0F) << 12) | (u32::from(b1 & 0x3F) << 6) | u32::from(b2 & 0x3F))
}

pub(super) fn is_code_neighbour(b: u8) -> bool {
    (0x21..=0x7E).contains(&b)
}

pub(super) fn scan_unicode(
    sink: &mut Sink,
    line: &Line<'_>,
    zero_width: bool,
    mixed: bool,
    nfkc: bool,
) {
    let text = line.text;
    let mut bidi: Vec<(usize, u32)> = Vec::new();
    let mut zw: Option<(usize, u32)> = None;
    for p in memchr::memchr2_iter(0xE2, 0xEF, text) {
        let Some(cp) = cp3(text, p) else { continue };
        match cp {
            0x202A..=0x202E | 0x2066..=0x2069 if bidi.len() < 64 => bidi.push((p, cp)),
            0x200B..=0x200D | 0x2060 | 0xFEFF if zero_width && zw.is_none() => {
                if cp == 0xFEFF && line.no == 1 && p == 0 {
                    continue;
                }
                let before = p.checked_sub(1).map(|i| byte_at(text, i)).unwrap_or(0);
                let after = byte_at(text, p + 3);
                if is_code_neighbour(before) || is_code_neighbour(after) {
                    zw = Some((p, cp));
                }
            }
            _ => {}
        }
    }
    if let Some(&(p, _)) = bidi.first() {
        let (mut embed, mut isolate) = (0i32, 0i32);
        for (_, cp) in &bidi {
            match cp {
                0x202A | 0x202B | 0x202D | 0x202E => embed += 1,
                0x202C => embed = (embed - 1).max(0),
                0x2066..=0x2068 => isolate += 1,
                0x2069 => isolate = (isolate - 1).max(0),
                _ => {}
            }
        }
        let mut names: Vec<String> = Vec::new();
        for (_, cp) in &bidi {
            let n = format!("U+{cp:04X} {}", bidi_name(*cp));
            if !names.contains(&n) {
                names.push(n);
            }
        }
        let open = embed + isolate;
        let detail = if open > 0 {
            format!("{}; {open} unterminated on the line", names.join(", "))
        } else {
            names.join(", ")
        };
        sink.push(HitKind::BIDI, line, false, p, &detail);
    }
    if let Some((p, cp)) = zw {
        let name = match cp {
            0x200B => "ZERO WIDTH SPACE",
            0x200C => "ZERO WIDTH NON-JOINER",
            0x200D => "ZERO WIDTH JOINER",
            0x2060 => "WORD JOINER",
            _ => "ZERO WIDTH NO-BREAK SPACE",
        };
        sink.push(
            HitKind::ZERO_WIDTH,
            line,
            false,
            p,
            &format!("U+{cp:04X} {name} next to code"),
        );
    }
    let cyrillic = text.iter().any(|b| (0xD0..=0xD3).contains(b));
    // Fullwidth forms (EF BC xx / EF BD xx) and mathematical alphanumerics (F0 9D xx xx).
    let nfkc_bytes = nfkc
        && text
            .windows(2)
            .any(|w| matches!(w, [0xEF, 0xBC | 0xBD] | [0xF0, 0x9D]));
    if !(mixed && (cyrillic || nfkc_bytes)) {
        return;
    }
    let s = String::from_utf8_lossy(text);
    let mut tok = String::new();
    let mut start = 0usize;
    let (mut latin, mut cyr, mut folded) = (false, false, false);
    for (i, c) in s.char_indices().chain(std::iter::once((s.len(), ' '))) {
        if c.is_alphanumeric() || c == '_' {
            if tok.is_empty() {
                start = i;
            }
            if tok.len() < 256 {
                tok.push(c);
            }
            latin |= c.is_ascii_alphabetic();
            cyr |= ('\u{0400}'..='\u{04FF}').contains(&c);
            folded |= nfkc
                && (('\u{FF21}'..='\u{FF3A}').contains(&c)
                    || ('\u{FF41}'..='\u{FF5A}').contains(&c)
                    || ('\u{1D400}'..='\u{1D7FF}').contains(&c));
            continue;
        }
        let detail = if latin && cyr {
            Some("mixes Latin and Cyrillic letters")
        } else if folded {
            Some("uses fullwidth or mathematical letters that Python folds to ASCII (NFKC)")
        } else {
            None
        };
        if let Some(d) = detail {
            sink.push(
                HitKind::MIXED_SCRIPT_IDENTIFIER,
                line,
                false,
                start,
                &format!("'{}' {d}", cut(&tok, 60)),
            );
            return;
        }
        tok.clear();
        latin = false;
        cyr = false;
        folded = false;
    }
}
