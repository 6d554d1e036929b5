//! Small helpers shared by the SVG writers: XML text escaping and `YYYY-MM` months.

/// `text` escaped for XML/HTML text and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Characters XML 1.0 does not allow are dropped (they cannot be escaped).
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            '\u{FFFE}' | '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// A month as a count of months since year 0 (`2024-06` → 2024 × 12 + 5), or `None` when the
/// text is not `YYYY-MM` (also accepts a longer date, `YYYY-MM-DD`).
pub fn month_index(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() < 7 || b[4] != b'-' || !b[..4].iter().chain(&b[5..7]).all(u8::is_ascii_digit) {
        return None;
    }
    let year: i64 = text.get(..4)?.parse().ok()?;
    let month: i64 = text.get(5..7)?.parse().ok()?;
    (1..=12).contains(&month).then_some(year * 12 + month - 1)
}

/// The `YYYY-MM` text of a month index.
pub fn month_text(index: i64) -> String {
    format!(
        "{:04}-{:02}",
        index.div_euclid(12),
        index.rem_euclid(12) + 1
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_round_trip_and_reject_garbage() {
        assert_eq!(month_index("2024-06"), Some(2024 * 12 + 5));
        assert_eq!(month_index("2024-06-04"), Some(2024 * 12 + 5));
        assert_eq!(month_text(2024 * 12 + 5), "2024-06");
        for bad in [
            "",
            "2024",
            "2024-13",
            "2024-00",
            "20x4-01",
            "2024/01",
            "２０２４-01",
        ] {
            assert_eq!(month_index(bad), None, "{bad}");
        }
    }

    #[test]
    fn escapes_markup_and_drops_control_characters() {
        assert_eq!(
            escape("<a href=\"x\">&'\u{1}"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
