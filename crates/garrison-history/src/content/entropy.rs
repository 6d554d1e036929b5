//! High-entropy literals: long base64 or hex runs, blocks of such lines, escaped byte strings.

use super::kinds::HitKind;
use super::lines::Line;
use super::sink::Sink;
use super::text::*;
use garrison_source::hex::digit as hex_val;
use memchr::memmem;

pub(super) const RUN_MIN: usize = 160;
pub(super) const BLOCK_LINE_MIN: usize = 40;
pub(super) const BLOCK_MIN_LINES: u32 = 4;
pub(super) const BLOCK_MIN_CHARS: usize = 320;
pub(super) const B64_ENTROPY: f64 = 4.5;
pub(super) const HEX_ENTROPY: f64 = 3.5;
pub(super) const ESCAPED_MIN: usize = 64;
pub(super) const ESCAPED_ENTROPY: f64 = 4.8;
/// Entropy is measured on at most this many bytes of a run.
pub(super) const ENTROPY_SAMPLE: usize = 16 * 1024;

pub(super) fn is_b64(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'_' | b'-')
}

#[derive(Clone)]
pub(super) struct Hist {
    pub(super) counts: [u32; 256],
    pub(super) n: u32,
}

impl Hist {
    pub(super) fn new() -> Hist {
        Hist {
            counts: [0; 256],
            n: 0,
        }
    }

    pub(super) fn add(&mut self, bytes: &[u8]) {
        let room = (ENTROPY_SAMPLE as u32).saturating_sub(self.n) as usize;
        super::meter::step(bytes.len().min(room));
        for &b in bytes.iter().take(room) {
            if let Some(c) = self.counts.get_mut(usize::from(b)) {
                *c += 1;
            }
            self.n += 1;
        }
    }

    pub(super) fn entropy(&self) -> f64 {
        if self.n == 0 {
            return 0.0;
        }
        let n = f64::from(self.n);
        self.counts
            .iter()
            .filter(|c| **c > 0)
            .map(|&c| {
                let p = f64::from(c) / n;
                -p * p.log2()
            })
            .sum()
    }
}

/// Character mix of a run.
pub(super) struct Mix {
    pub(super) hex_only: bool,
    pub(super) upper: bool,
    pub(super) lower: bool,
    pub(super) digit: bool,
}

pub(super) fn mix(run: &[u8]) -> Mix {
    Mix {
        hex_only: run.iter().all(u8::is_ascii_hexdigit),
        upper: run.iter().any(u8::is_ascii_uppercase),
        lower: run.iter().any(u8::is_ascii_lowercase),
        digit: run.iter().any(u8::is_ascii_digit),
    }
}

/// `Some(label)` when a run (or block) of this mix and entropy counts as an encoded payload.
pub(super) fn payload_label(m: &Mix, h: f64) -> Option<&'static str> {
    if m.hex_only {
        (m.digit && (m.upper || m.lower) && h >= HEX_ENTROPY).then_some("hex")
    } else {
        (m.upper && m.lower && m.digit && h >= B64_ENTROPY).then_some("base64")
    }
}

/// Consecutive lines that each hold one long base64/hex chunk (a payload split over lines).
pub(super) struct Block<'a> {
    pub(super) first: Option<Line<'a>>,
    pub(super) last_no: u32,
    pub(super) lines: u32,
    pub(super) chars: usize,
    pub(super) hist: Hist,
    pub(super) hex_only: bool,
    pub(super) upper: bool,
    pub(super) lower: bool,
    pub(super) digit: bool,
    pub(super) pem: bool,
}

impl<'a> Block<'a> {
    pub(super) fn new() -> Block<'a> {
        Block {
            first: None,
            last_no: 0,
            lines: 0,
            chars: 0,
            hist: Hist::new(),
            hex_only: true,
            upper: false,
            lower: false,
            digit: false,
            pem: false,
        }
    }

    pub(super) fn flush(&mut self, sink: &mut Sink) {
        if self.first.is_none() && self.lines == 0 {
            return;
        }
        if let Some(first) = self.first.take()
            && self.lines >= BLOCK_MIN_LINES
            && self.chars >= BLOCK_MIN_CHARS
        {
            let m = Mix {
                hex_only: self.hex_only,
                upper: self.upper,
                lower: self.lower,
                digit: self.digit,
            };
            let h = self.hist.entropy();
            if let Some(label) = payload_label(&m, h) {
                let pem = if self.pem { "PEM " } else { "" };
                sink.push(
                    HitKind::HIGH_ENTROPY_LITERAL,
                    &first,
                    false,
                    0,
                    &format!(
                        "{pem}{label} block of {} lines ({} chars), {h:.2} bits/char",
                        self.lines, self.chars
                    ),
                );
            }
        }
        *self = Block::new();
    }

    /// Feed one line; `prev` is the text of the line before it (for PEM armour).
    pub(super) fn feed(&mut self, sink: &mut Sink, line: &Line<'a>, prev: Option<&[u8]>) {
        let core = trim(line.text);
        let core = core
            .strip_prefix(b"b'")
            .or_else(|| core.strip_prefix(b"b\""))
            .unwrap_or(core);
        let core: &[u8] = {
            let s = core
                .iter()
                .position(|b| !matches!(b, b'"' | b'\'' | b'(' | b'+' | b'`'))
                .unwrap_or(core.len());
            let e = core
                .iter()
                .rposition(|b| {
                    !matches!(b, b'"' | b'\'' | b')' | b',' | b'+' | b'\\' | b';' | b'`')
                })
                .map_or(0, |i| i + 1);
            core.get(s..e).unwrap_or(&[])
        };
        // Lines exactly as long as a digest (hex md5/sha1/sha224/sha256/sha384/sha512, base64
        // sha256/sha512) are lists of hashes, not a payload cut into lines.
        let digest_len = matches!(core.len(), 32 | 40 | 43 | 44 | 56 | 64 | 86 | 88 | 96 | 128)
            && (core.iter().all(u8::is_ascii_hexdigit) || core.len() != 64);
        let candidate =
            core.len() >= BLOCK_LINE_MIN && !digest_len && core.iter().all(|b| is_b64(*b));
        if !candidate {
            self.flush(sink);
            return;
        }
        if self.first.is_some() && line.no != self.last_no + 1 {
            self.flush(sink);
        }
        if self.first.is_none() {
            self.first = Some(*line);
            self.pem = prev.is_some_and(|p| contains(p, b"-----BEGIN"));
        }
        self.last_no = line.no;
        self.lines += 1;
        self.chars += core.len();
        self.hist.add(core);
        let m = mix(core);
        self.hex_only &= m.hex_only;
        self.upper |= m.upper;
        self.lower |= m.lower;
        self.digit |= m.digit;
    }
}

pub(super) fn scan_entropy(sink: &mut Sink, line: &Line<'_>) {
    let text = line.text;
    if text.len() >= RUN_MIN {
        let mut i = 0usize;
        while i < text.len() {
            if !is_b64(byte_at(text, i)) {
                i += 1;
                continue;
            }
            let s = i;
            while i < text.len() && is_b64(byte_at(text, i)) {
                i += 1;
            }
            let run = text.get(s..i).unwrap_or(&[]);
            if run.len() < RUN_MIN {
                continue;
            }
            let mut h = Hist::new();
            h.add(run);
            let e = h.entropy();
            if let Some(label) = payload_label(&mix(run), e) {
                sink.push(
                    HitKind::HIGH_ENTROPY_LITERAL,
                    line,
                    false,
                    s,
                    &format!("{label} run of {} chars, {e:.2} bits/char", run.len()),
                );
                return;
            }
        }
    }
    // Escaped byte strings: b"\x4d\x5a\x90..."
    if text.len() >= ESCAPED_MIN * 4 {
        let mut h = Hist::new();
        let mut first = None;
        for p in memmem::find_iter(text, b"\\x") {
            let (a, b) = (byte_at(text, p + 2), byte_at(text, p + 3));
            if let (Some(x), Some(y)) = (hex_val(a), hex_val(b)) {
                first.get_or_insert(p);
                h.add(&[x * 16 + y]);
            }
        }
        if h.n as usize >= ESCAPED_MIN {
            let e = h.entropy();
            if e >= ESCAPED_ENTROPY {
                sink.push(
                    HitKind::HIGH_ENTROPY_LITERAL,
                    line,
                    false,
                    first.unwrap_or(0),
                    &format!("{} escaped bytes, {e:.2} bits/byte", h.n),
                );
            }
        }
    }
}
