//! Verified SPEC badges: a flat SVG badge (`SPEC 8 | adopted`, `SPEC 8 | 3/9 items`,
//! `SPEC 8 | not evaluated`) whose value comes from the stored verdicts, never from the
//! project. Self-contained (presentation attributes only, no style sheet or script), so it
//! renders the same embedded in a README or opened on its own under the server's CSP.

use crate::svg::escape;

/// What a badge says about one project and one SPEC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BadgeState {
    /// Every evaluated item holds.
    Adopted,
    /// `holds` of `evaluated` items hold.
    Partial {
        /// Items that hold.
        holds: usize,
        /// Items that were evaluated (hold or fail).
        evaluated: usize,
    },
    /// No scan, a failed scan, or no item of the SPEC could be evaluated.
    NotEvaluated,
}

impl BadgeState {
    /// The badge's value text.
    pub fn text(self) -> String {
        match self {
            BadgeState::Adopted => "adopted".into(),
            BadgeState::Partial { holds, evaluated } => format!("{holds}/{evaluated} items"),
            BadgeState::NotEvaluated => "not evaluated".into(),
        }
    }

    fn colour(self) -> &'static str {
        match self {
            BadgeState::Adopted => "#1f7a33",
            BadgeState::Partial { .. } => "#9a4d00",
            BadgeState::NotEvaluated => "#595959",
        }
    }
}

/// Width in pixels of `text` in 11px Verdana, approximated per character class (the badge
/// only needs to be wide enough, not exact).
fn text_width(text: &str) -> usize {
    text.chars()
        .map(|c| match c {
            'i' | 'j' | 'l' | '.' | ',' | ':' | ';' | '|' | '!' | '\'' | ' ' => 4,
            'f' | 'r' | 't' | 'I' | '/' | '(' | ')' | '[' | ']' | '-' => 5,
            'm' | 'w' | 'M' | 'W' => 10,
            c if c.is_ascii_uppercase() || c.is_ascii_digit() => 8,
            c if c.is_ascii() => 7,
            _ => 11,
        })
        .sum()
}

/// The SVG badge of `spec` in `state`.
pub fn badge(spec: u32, state: BadgeState) -> String {
    let label = format!("SPEC {spec}");
    let value = state.text();
    let (lw, vw) = (text_width(&label) + 12, text_width(&value) + 12);
    let width = lw + vw;
    let title = escape(&format!("{label}: {value} (verified by Garrison)"));
    let (label, value) = (escape(&label), escape(&value));
    let colour = state.colour();
    let (lx, vx) = (lw * 5, lw * 10 + vw * 5);
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="20" viewBox="0 0 {width} 20" role="img" aria-label="{title}"><title>{title}</title><linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient><clipPath id="r"><rect width="{width}" height="20" rx="3" fill="#fff"/></clipPath><g clip-path="url(#r)"><rect width="{lw}" height="20" fill="#555"/><rect x="{lw}" width="{vw}" height="20" fill="{colour}"/><rect width="{width}" height="20" fill="url(#s)"/></g><g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="110"><text x="{lx}" y="150" fill="#010101" fill-opacity=".3" transform="scale(.1)">{label}</text><text x="{lx}" y="140" transform="scale(.1)">{label}</text><text x="{vx}" y="150" fill="#010101" fill-opacity=".3" transform="scale(.1)">{value}</text><text x="{vx}" y="140" transform="scale(.1)">{value}</text></g></svg>"##
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_value_is_the_verdict() {
        assert!(badge(8, BadgeState::Adopted).contains(">adopted</text>"));
        let partial = badge(
            6,
            BadgeState::Partial {
                holds: 3,
                evaluated: 9,
            },
        );
        assert!(partial.contains(">SPEC 6</text>") && partial.contains(">3/9 items</text>"));
        assert!(badge(8, BadgeState::NotEvaluated).contains(">not evaluated</text>"));
    }

    #[test]
    fn a_longer_value_makes_a_wider_badge() {
        let w = |s: &str| {
            s.split("width=\"")
                .nth(1)
                .and_then(|r| r.split('"').next())
                .and_then(|n| n.parse::<usize>().ok())
                .unwrap_or(0)
        };
        assert!(w(&badge(8, BadgeState::NotEvaluated)) > w(&badge(8, BadgeState::Adopted)));
    }
}
