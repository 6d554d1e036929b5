//! Hit collection: per-kind caps, and the per-file cap that keeps one hit of each kind first.

use std::collections::HashSet;

use super::kinds::HitKind;
use super::lines::Line;
use super::text::{detail_text, excerpt};
use super::{ContentHit, MAX_HITS_PER_FILE};

/// The hits of one file change.
pub struct Sink {
    hits: Vec<ContentHit>,
    /// Hits so far per kind (a handful of kinds per file at most).
    per_kind: Vec<(HitKind, usize)>,
}

impl Sink {
    pub(super) fn new() -> Sink {
        Sink {
            hits: Vec::new(),
            per_kind: Vec::new(),
        }
    }

    fn count(&mut self, kind: HitKind) -> &mut usize {
        let i = match self.per_kind.iter().position(|(k, _)| *k == kind) {
            Some(i) => i,
            None => {
                self.per_kind.push((kind, 0));
                self.per_kind.len() - 1
            }
        };
        &mut self.per_kind[i].1
    }

    pub(super) fn push(
        &mut self,
        kind: HitKind,
        line: &Line<'_>,
        removed: bool,
        focus: usize,
        detail: &str,
    ) {
        let n = self.count(kind);
        if *n >= MAX_HITS_PER_FILE {
            return;
        }
        *n += 1;
        self.hits.push(ContentHit {
            kind,
            line: line.no,
            removed,
            excerpt: excerpt(line.text, focus),
            detail: detail_text(detail),
        });
    }

    /// Keep at most [`MAX_HITS_PER_FILE`]: one of each kind (most severe kinds first), then
    /// the rest by severity; return them in line order.
    pub(super) fn finish(mut self) -> Vec<ContentHit> {
        self.hits.sort_by(|a, b| {
            b.kind
                .cap_rank()
                .cmp(&a.kind.cap_rank())
                .then(a.removed.cmp(&b.removed))
                .then(a.line.cmp(&b.line))
        });
        if self.hits.len() > MAX_HITS_PER_FILE {
            let mut seen: HashSet<HitKind> = HashSet::new();
            let (mut first, mut rest): (Vec<ContentHit>, Vec<ContentHit>) =
                (Vec::new(), Vec::new());
            for h in self.hits {
                if seen.insert(h.kind) {
                    first.push(h);
                } else {
                    rest.push(h);
                }
            }
            first.extend(rest);
            first.truncate(MAX_HITS_PER_FILE);
            self.hits = first;
        }
        self.hits.sort_by(|a, b| {
            a.line
                .cmp(&b.line)
                .then(a.removed.cmp(&b.removed))
                .then(a.kind.cmp(&b.kind))
        });
        self.hits
    }
}
