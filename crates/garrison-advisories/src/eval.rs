//! The OSV evaluation algorithm over PEP 440 ordering.
//!
//! This module implements `IncludedInRanges` / `BeforeLimits` of the OSV schema's "Evaluation"
//! section literally, with PEP 440 ordering as the ecosystem's order:
//!
//! - events are sorted by version (a stable sort: events with equal versions keep the order
//!   in which they are written); `introduced: "0"` sorts before every version and a `limit`
//!   containing `*` after every version;
//! - a version is affected by a range when it is below one of its limits (or the range has no
//!   limit) and, walking the sorted events, the last state set is "vulnerable": `introduced`
//!   sets it when `v >= introduced`, `fixed` clears it when `v >= fixed`, `last_affected`
//!   clears it when `v > last_affected`. Several `introduced` events, events written out of
//!   order and open ranges (no fix) follow from this.
//! - **Local versions** (`2.0.0+cu118`): when the event's version has no local label, the
//!   version's local label is ignored for the comparison, as PEP 440 specifiers do: a local
//!   build carries its upstream release's code, so `2.0.0+cu118` is affected by
//!   `last_affected: 2.0.0` and not affected by `fixed: 2.0.0`. When the event itself has a
//!   local label, full PEP 440 ordering is used (`2.0.0 < 2.0.0+cu118`).
//! - Pre-releases are ordered, not filtered: `2.0rc1` is affected by `fixed: 2.0`, and post
//!   releases are after their release: `2.0.post1` is *not* affected by `last_affected: 2.0`.
//! - A range with an event that is not PEP 440 cannot be ordered: it is reported as not
//!   evaluated, never guessed.

use std::cmp::Ordering;

use garrison_python::pep440::{Version, parse_version};

use crate::model::{EventKind, Range};

/// A point on the version line of a range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Point {
    /// `introduced: "0"`: before every version.
    Zero,
    /// A PEP 440 version.
    Version(Version),
    /// A `limit` containing `*`: after every version.
    Infinity,
}

impl Point {
    fn rank(&self) -> u8 {
        match self {
            Point::Zero => 0,
            Point::Version(_) => 1,
            Point::Infinity => 2,
        }
    }
}

impl PartialOrd for Point {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Point {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Point::Version(a), Point::Version(b)) => a.cmp(b),
            _ => self.rank().cmp(&other.rank()),
        }
    }
}

/// Compares `v` with an event or listed version `e`, ignoring `v`'s local label when `e` has
/// none (see the module documentation).
pub fn cmp_version(v: &Version, e: &Version) -> Ordering {
    if v.is_local() && !e.is_local() {
        v.clone().without_local().cmp(e)
    } else {
        v.cmp(e)
    }
}

/// Compares `v` with a point.
pub fn cmp_point(v: &Version, p: &Point) -> Ordering {
    match p {
        Point::Zero => Ordering::Greater,
        Point::Infinity => Ordering::Less,
        Point::Version(e) => cmp_version(v, e),
    }
}

/// Why a range cannot be evaluated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RangeError {
    /// An event's version is not PEP 440.
    #[error("`{kind}: {text}` is not a PEP 440 version")]
    NotPep440 {
        /// The event (`introduced`, `fixed`, …).
        kind: &'static str,
        /// The version as written (trimmed).
        text: String,
    },
    /// No event says where the range starts.
    #[error("the range has no `introduced` event")]
    NoIntroduced,
}

/// A range ready for evaluation: its events parsed and sorted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SortedRange {
    /// `introduced` / `fixed` / `last_affected` events, sorted by version (stable).
    pub events: Vec<(EventKind, Point)>,
    /// `limit` events.
    pub limits: Vec<Point>,
}

/// Parses an event's version: `"0"` for `introduced` is [`Point::Zero`], a `limit` containing
/// `*` is [`Point::Infinity`]; otherwise PEP 440 (the error is a sentence).
pub fn parse_point(kind: EventKind, text: &str) -> Result<Point, RangeError> {
    let t = text.trim();
    if kind == EventKind::Introduced && t == "0" {
        return Ok(Point::Zero);
    }
    if kind == EventKind::Limit && t.contains('*') {
        return Ok(Point::Infinity);
    }
    parse_version(t)
        .map(Point::Version)
        .map_err(|_| RangeError::NotPep440 {
            kind: kind.as_str(),
            text: t.to_string(),
        })
}

impl SortedRange {
    /// Prepares a range; fails (with the reason) when an event is not PEP 440.
    pub fn new(range: &Range) -> Result<SortedRange, RangeError> {
        let mut events = Vec::with_capacity(range.events.len());
        let mut limits = Vec::new();
        for e in &range.events {
            let p = parse_point(e.kind, &e.version)?;
            if e.kind == EventKind::Limit {
                limits.push(p);
            } else {
                events.push((e.kind, p));
            }
        }
        if !events.iter().any(|(k, _)| *k == EventKind::Introduced) {
            return Err(RangeError::NoIntroduced);
        }
        events.sort_by(|a, b| a.1.cmp(&b.1));
        Ok(SortedRange { events, limits })
    }

    /// `IncludedInRanges` for this one range.
    pub fn includes(&self, v: &Version) -> bool {
        if !self.limits.is_empty()
            && !self
                .limits
                .iter()
                .any(|l| cmp_point(v, l) == Ordering::Less)
        {
            return false;
        }
        let mut vulnerable = false;
        for (kind, p) in &self.events {
            let c = cmp_point(v, p);
            match kind {
                EventKind::Introduced if c != Ordering::Less => vulnerable = true,
                EventKind::Fixed if c != Ordering::Less => vulnerable = false,
                EventKind::LastAffected if c == Ordering::Greater => vulnerable = false,
                _ => {}
            }
        }
        vulnerable
    }

    /// The `fixed` versions of the range.
    pub fn fixed(&self) -> impl Iterator<Item = &Version> {
        self.events.iter().filter_map(|(k, p)| match (k, p) {
            (EventKind::Fixed, Point::Version(v)) => Some(v),
            _ => None,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::model::{Event, RangeKind};

    fn range(events: &[(&str, &str)]) -> SortedRange {
        SortedRange::new(&Range {
            kind: RangeKind::Ecosystem,
            repo: None,
            events: events
                .iter()
                .map(|(k, v)| Event {
                    kind: match *k {
                        "introduced" => EventKind::Introduced,
                        "fixed" => EventKind::Fixed,
                        "last_affected" => EventKind::LastAffected,
                        _ => EventKind::Limit,
                    },
                    version: v.to_string(),
                })
                .collect(),
            database_specific: None,
        })
        .unwrap()
    }

    fn v(s: &str) -> Version {
        parse_version(s).unwrap()
    }

    #[test]
    fn basic_and_prerelease() {
        let r = range(&[("introduced", "0"), ("fixed", "2.0")]);
        assert!(r.includes(&v("0.0.1")));
        assert!(r.includes(&v("1.9")));
        assert!(r.includes(&v("2.0rc1")));
        assert!(r.includes(&v("2.0.dev0")));
        assert!(!r.includes(&v("2.0")));
        assert!(!r.includes(&v("2.0.post1")));
        assert!(!r.includes(&v("2.0+local")));
    }

    #[test]
    fn several_introduced_out_of_order() {
        // As written in vulns/oslo-middleware/PYSEC-2018-104.yaml.
        let r = range(&[
            ("introduced", "3.9.0"),
            ("fixed", "3.19.1"),
            ("introduced", "0"),
            ("fixed", "3.8.1"),
            ("introduced", "3.20.0"),
            ("fixed", "3.23.1"),
        ]);
        for (s, want) in [
            ("3.8.0", true),
            ("3.8.1", false),
            ("3.8.5", false),
            ("3.9.0", true),
            ("3.19.0", true),
            ("3.19.1", false),
            ("3.20.0", true),
            ("3.23.1", false),
            ("4.0", false),
        ] {
            assert_eq!(r.includes(&v(s)), want, "{s}");
        }
    }

    #[test]
    fn last_affected_post_and_local() {
        let r = range(&[("introduced", "0"), ("last_affected", "2.0.0")]);
        assert!(r.includes(&v("2.0.0")));
        assert!(r.includes(&v("2.0.0+cu118")));
        assert!(!r.includes(&v("2.0.0.post1")));
        assert!(!r.includes(&v("2.0.1")));
        // An event with a local label uses full ordering.
        let r = range(&[("introduced", "0"), ("last_affected", "2.0.0+cu117")]);
        assert!(r.includes(&v("2.0.0")));
        assert!(r.includes(&v("2.0.0+cu117")));
        assert!(!r.includes(&v("2.0.0+cu118")));
    }

    #[test]
    fn open_range_and_limits() {
        let r = range(&[("introduced", "1.0")]);
        assert!(!r.includes(&v("0.9")));
        assert!(r.includes(&v("99")));
        let r = range(&[("introduced", "1.0"), ("limit", "1.5")]);
        assert!(r.includes(&v("1.4")));
        assert!(!r.includes(&v("1.5")));
        let r = range(&[("introduced", "1.0"), ("limit", "*")]);
        assert!(r.includes(&v("5")));
    }

    #[test]
    fn raw_events_are_refused() {
        let bad = Range {
            kind: RangeKind::Ecosystem,
            repo: None,
            events: vec![
                Event {
                    kind: EventKind::Introduced,
                    version: "0".into(),
                },
                Event {
                    kind: EventKind::Fixed,
                    version: "2019-09-12".into(),
                },
            ],
            database_specific: None,
        };
        let e = SortedRange::new(&bad).unwrap_err();
        assert!(e.to_string().contains("2019-09-12"), "{e}");
    }
}
