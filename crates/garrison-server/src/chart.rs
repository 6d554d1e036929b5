//! Inline SVG charts of the overview: adoption of a SPEC per month as a step line against
//! its targets (3 adopting projects in the SPEC's first year, 7 in its second), and
//! endorsements against 2 and 5. Colours come from the site's style sheet (classes only, no
//! inline style, so the CSP needs no `'unsafe-inline'`); every point carries its month and
//! stored count (`data-month`, `data-count`, a `<title>`), and the page shows the same numbers
//! in a table for readers who cannot see the chart.

use std::fmt::Write as _;

use crate::svg::{escape, month_index, month_text};

/// Adoption targets: (months after the SPEC's date the target applies to, projects).
pub const ADOPTION_TARGETS: [(i64, i64, u32); 2] = [(0, 12, 3), (12, 24, 7)];
/// Endorsement targets: core projects endorsing the SPEC in its first and second year.
pub const ENDORSEMENT_TARGETS: [u32; 2] = [2, 5];

const W: f64 = 720.0;
const H: f64 = 260.0;
const LEFT: f64 = 44.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 36.0;

/// The step chart of `points` (`YYYY-MM`, projects adopting) for SPEC `spec`, whose date's
/// month is `spec_month`. Points whose month is not `YYYY-MM` are left out (they cannot be
/// placed); the x axis covers the data and the SPEC's first two years.
pub fn adoption_chart(spec: u32, spec_month: &str, points: &[(String, u32)]) -> String {
    let mut pts: Vec<(i64, u32)> = points
        .iter()
        .filter_map(|(m, c)| Some((month_index(m)?, *c)))
        .collect();
    pts.sort_unstable();
    pts.dedup_by_key(|p| p.0);
    let start_spec = month_index(spec_month);
    let mut lo = pts.first().map(|p| p.0);
    let mut hi = pts.last().map(|p| p.0);
    if let Some(s) = start_spec {
        lo = Some(lo.map_or(s, |l| l.min(s)));
        hi = Some(hi.map_or(s + 24, |h| h.max(s + 24)));
    }
    let (lo, hi) = match (lo, hi) {
        (Some(l), Some(h)) => (l, h.max(l + 1)),
        _ => (0, 1),
    };
    let top = pts
        .iter()
        .map(|p| p.1)
        .max()
        .unwrap_or(0)
        .max(ADOPTION_TARGETS[1].2)
        + 1;
    let x = |m: i64| LEFT + (m - lo) as f64 * (W - LEFT - RIGHT) / (hi - lo) as f64;
    let y = |v: u32| H - BOTTOM - f64::from(v) * (H - TOP - BOTTOM) / f64::from(top);

    let id = format!("adoption-spec{spec}");
    let latest = pts.last().map_or_else(
        || "no scans yet".to_string(),
        |(m, c)| format!("{c} in {}", month_text(*m)),
    );
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart" id="{id}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" role="img" aria-labelledby="{id}-title {id}-desc"><title id="{id}-title">SPEC {spec}: projects adopting it per month</title><desc id="{id}-desc">{} months of data, latest {}; targets {} projects within a year of the SPEC and {} within two. The table below lists every value.</desc>"#,
        pts.len(),
        escape(&latest),
        ADOPTION_TARGETS[0].2,
        ADOPTION_TARGETS[1].2,
    );
    // Axes, horizontal grid and y labels.
    let step = if top > 20 { top.div_ceil(10) } else { 1 };
    s.push_str(r#"<g class="grid" aria-hidden="true">"#);
    for v in (0..=top).step_by(step as usize) {
        let _ = write!(
            s,
            r#"<line x1="{LEFT}" x2="{}" y1="{y:.1}" y2="{y:.1}"/><text class="tick" x="{}" y="{:.1}" text-anchor="end">{v}</text>"#,
            W - RIGHT,
            LEFT - 6.0,
            y(v) + 4.0,
            y = y(v),
        );
    }
    // Year labels on January (or the first month when the range is short).
    let years = (hi - lo) / 12 + 1;
    let every = years.div_euclid(8) + 1;
    for m in lo..=hi {
        if m.rem_euclid(12) == 0 && (m / 12) % every == 0 {
            let _ = write!(
                s,
                r#"<line class="year" x1="{x:.1}" x2="{x:.1}" y1="{TOP}" y2="{}"/><text class="tick" x="{x:.1}" y="{}" text-anchor="middle">{}</text>"#,
                H - BOTTOM,
                H - BOTTOM + 16.0,
                m / 12,
                x = x(m),
            );
        }
    }
    s.push_str("</g>");
    // Targets over the SPEC's first and second year.
    if let Some(start) = start_spec {
        for (i, (from, to, target)) in ADOPTION_TARGETS.iter().enumerate() {
            let (x1, x2, ty) = (x(start + from), x(start + to), y(*target));
            let _ = write!(
                s,
                r#"<g class="target target-{n}" data-target="{target}" data-from="{}" data-to="{}"><line x1="{x1:.1}" x2="{x2:.1}" y1="{ty:.1}" y2="{ty:.1}"/><text x="{x1:.1}" y="{:.1}">target {target} (year {n})</text></g>"#,
                month_text(start + from),
                month_text(start + to),
                ty - 4.0,
                n = i + 1,
            );
        }
    }
    // The series: a step line, then one point per stored month.
    if let Some(first) = pts.first() {
        let mut d = format!("M{:.1} {:.1}", x(first.0), y(first.1));
        for w in pts.windows(2) {
            let _ = write!(d, "H{:.1}V{:.1}", x(w[1].0), y(w[1].1));
        }
        let _ = write!(s, r#"<path class="series" d="{d}"/>"#);
    }
    s.push_str(r#"<g class="points">"#);
    for (m, c) in &pts {
        let month = month_text(*m);
        let _ = write!(
            s,
            r#"<circle class="point" cx="{:.1}" cy="{:.1}" r="2.5" data-month="{month}" data-count="{c}"><title>{month}: {c}</title></circle>"#,
            x(*m),
            y(*c),
        );
    }
    s.push_str("</g></svg>");
    s
}

/// A bar of `count` endorsing core projects against the targets 2 and 5.
pub fn endorsement_chart(spec: u32, count: u32) -> String {
    let (w, h, left, right) = (360.0, 44.0, 8.0, 8.0);
    let max = count.max(ENDORSEMENT_TARGETS[1]) + 1;
    let x = |v: u32| left + f64::from(v) * (w - left - right) / f64::from(max);
    let id = format!("endorsements-spec{spec}");
    let mut s = format!(
        r#"<svg class="chart endorsements" id="{id}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" role="img" aria-labelledby="{id}-title"><title id="{id}-title">SPEC {spec}: endorsed by {count} core projects; targets {} and {}</title><rect class="track" x="{left}" y="8" width="{:.1}" height="14"/><rect class="bar" x="{left}" y="8" width="{:.1}" height="14" data-count="{count}"/>"#,
        ENDORSEMENT_TARGETS[0],
        ENDORSEMENT_TARGETS[1],
        w - left - right,
        x(count) - left,
    );
    for (i, t) in ENDORSEMENT_TARGETS.iter().enumerate() {
        let _ = write!(
            s,
            r#"<g class="target target-{}" data-target="{t}"><line x1="{x:.1}" x2="{x:.1}" y1="4" y2="26"/><text x="{x:.1}" y="38" text-anchor="middle">{t}</text></g>"#,
            i + 1,
            x = x(*t),
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pts(v: &[(&str, u32)]) -> Vec<(String, u32)> {
        v.iter().map(|(m, c)| (m.to_string(), *c)).collect()
    }

    #[test]
    fn every_stored_point_is_in_the_chart_with_its_number() {
        let svg = adoption_chart(
            8,
            "2024-06",
            &pts(&[("2024-05", 0), ("2024-07", 2), ("2025-01", 4)]),
        );
        for (m, c) in [("2024-05", 0), ("2024-07", 2), ("2025-01", 4)] {
            assert!(
                svg.contains(&format!(r#"data-month="{m}" data-count="{c}""#)),
                "{m} {c}"
            );
        }
        assert!(svg.contains(r#"data-target="3" data-from="2024-06" data-to="2025-06""#));
        assert!(svg.contains(r#"data-target="7" data-from="2025-06" data-to="2026-06""#));
        assert_eq!(svg.matches("<circle").count(), 3);
    }

    #[test]
    fn garbage_months_and_empty_series_do_not_break_it() {
        let svg = adoption_chart(6, "bogus", &pts(&[("not-a-month", 3), ("2023-02", 1)]));
        assert_eq!(svg.matches("<circle").count(), 1);
        assert!(!svg.contains("NaN") && !svg.contains("inf"));
        let empty = adoption_chart(6, "", &[]);
        assert!(empty.contains("no scans yet") && !empty.contains("NaN"));
    }

    #[test]
    fn endorsement_bar_carries_the_count() {
        let svg = endorsement_chart(8, 5);
        assert!(svg.contains(r#"data-count="5""#) && svg.contains(r#"data-target="2""#));
    }
}
