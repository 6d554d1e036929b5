//! Hit collection: per-kind caps, and the per-file cap that keeps one hit of each kind first.

use std::collections::HashSet;

use super::kinds::HitKind;
use super::lines::Line;
use super::text::{detail_text, excerpt};
use super::{ContentHit, MAX_HITS_PER_FILE};

pub(super) struct Sink {
    pub(super) hits: Vec<ContentHit>,
    pub(super) per_kind: [u8; HitKind::ALL.len()],
}

impl Sink {
    pub(super) fn new() -> Sink {
        Sink {
            hits: Vec::new(),
            per_kind: [0; HitKind::ALL.len()],
        }
    }

    pub(super) fn full(&self, kind: HitKind) -> bool {
        self.per_kind
            .get(kind.index())
            .is_none_or(|n| usize::from(*n) >= MAX_HITS_PER_FILE)
    }

    pub(super) fn push(
        &mut self,
        kind: HitKind,
        line: &Line<'_>,
        removed: bool,
        focus: usize,
        detail: &str,
    ) {
        if self.full(kind) {
            return;
        }
        if let Some(n) = self.per_kind.get_mut(kind.index()) {
            *n += 1;
        }
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
