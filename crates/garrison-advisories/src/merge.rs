//! Merging records that name each other (ids and aliases) into one [`Vulnerability`].

use std::cmp::Ordering;
use std::collections::{BTreeSet, HashMap};

use crate::model::{Record, Vulnerability};

/// How much an id is preferred as the canonical one: PYSEC (the PyPA database's own ids), then
/// GHSA, then the ids of records we have, then any other alias.
fn rank(id: &str, is_record: bool) -> u8 {
    if id.starts_with("PYSEC-") {
        0
    } else if id.starts_with("GHSA-") {
        1
    } else if is_record {
        2
    } else {
        3
    }
}

/// Natural order of ids: numeric chunks compare as numbers (`PYSEC-2022-9` < `PYSEC-2022-10`).
pub(crate) fn natural_cmp(a: &str, b: &str) -> Ordering {
    let key = |s: &str| -> Vec<(u8, u64, String)> {
        s.split('-')
            .map(|c| match c.parse::<u64>() {
                Ok(n) => (0, n, String::new()),
                Err(_) => (1, 0, c.to_string()),
            })
            .collect()
    };
    key(a).cmp(&key(b)).then_with(|| a.cmp(b))
}

/// Orders candidate ids by preference (best first).
pub(crate) fn preference(a: (&str, bool), b: (&str, bool)) -> Ordering {
    rank(a.0, a.1)
        .cmp(&rank(b.0, b.1))
        .then_with(|| natural_cmp(a.0, b.0))
}

struct UnionFind {
    parent: Vec<usize>,
}

impl UnionFind {
    fn find(&mut self, mut x: usize) -> usize {
        while let Some(&p) = self.parent.get(x) {
            if p == x {
                break;
            }
            let gp = self.parent.get(p).copied().unwrap_or(p);
            if let Some(slot) = self.parent.get_mut(x) {
                *slot = gp;
            }
            x = p;
        }
        x
    }
    fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb
            && let Some(slot) = self.parent.get_mut(ra)
        {
            *slot = rb;
        }
    }
}

/// Groups `records` whose ids and aliases overlap (transitively) and merges each group.
/// Only affected entries of the PyPI ecosystem are kept. The result is sorted by canonical id.
pub fn merge(records: Vec<Record>) -> Vec<Vulnerability> {
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut uf = UnionFind { parent: Vec::new() };
    let mut slot = |id: &str, uf: &mut UnionFind| -> usize {
        let key = id.trim().to_ascii_uppercase();
        *index.entry(key).or_insert_with(|| {
            uf.parent.push(uf.parent.len());
            uf.parent.len() - 1
        })
    };
    let mut record_slot = Vec::with_capacity(records.len());
    for r in &records {
        let s = slot(&r.id, &mut uf);
        for a in &r.aliases {
            let t = slot(a, &mut uf);
            uf.union(s, t);
        }
        record_slot.push(s);
    }
    let mut groups: HashMap<usize, Vec<Record>> = HashMap::new();
    for (r, s) in records.into_iter().zip(record_slot) {
        let root = uf.find(s);
        groups.entry(root).or_default().push(r);
    }
    let mut out: Vec<Vulnerability> = groups.into_values().map(merge_group).collect();
    out.sort_by(|a, b| natural_cmp(&a.id, &b.id));
    out
}

fn merge_group(mut group: Vec<Record>) -> Vulnerability {
    group.sort_by(|a, b| preference((&a.id, true), (&b.id, true)));
    let record_ids: BTreeSet<&str> = group.iter().map(|r| r.id.as_str()).collect();
    let mut all: Vec<(&str, bool)> = record_ids.iter().map(|i| (*i, true)).collect();
    for r in &group {
        for a in &r.aliases {
            if !record_ids.contains(a.as_str()) && !all.iter().any(|(i, _)| i == a) {
                all.push((a, false));
            }
        }
    }
    all.sort_by(|a, b| preference(*a, *b));
    let id = all.first().map(|(i, _)| i.to_string()).unwrap_or_default();
    let mut aliases: Vec<String> = all.iter().skip(1).map(|(i, _)| i.to_string()).collect();
    aliases.sort_by(|a, b| natural_cmp(a, b));
    let mut v = Vulnerability {
        record_ids: group.iter().map(|r| r.id.clone()).collect(),
        aliases,
        ..Vulnerability::default()
    };
    v.id = id;
    for r in group {
        for rel in r.related {
            if !v.related.contains(&rel) {
                v.related.push(rel);
            }
        }
        if v.summary.is_none() {
            v.summary = r.summary;
        }
        if v.details.is_none() {
            v.details = r.details;
        }
        if r.modified > v.modified {
            v.modified = r.modified;
        }
        if let Some(p) = r.published
            && v.published.as_ref().is_none_or(|q| p < *q)
        {
            v.published = Some(p);
        }
        for s in r.severity {
            if !v.severity.contains(&s) {
                v.severity.push(s);
            }
        }
        for a in r.affected {
            if a.package.ecosystem.eq_ignore_ascii_case("PyPI") && !v.affected.contains(&a) {
                v.affected.push(a);
            }
        }
        for rf in r.references {
            if !v.references.contains(&rf) {
                v.references.push(rf);
            }
        }
        for c in r.credits {
            if !v.credits.contains(&c) {
                v.credits.push(c);
            }
        }
        if let Some(ds) = r.database_specific {
            v.database_specific.push(ds);
        }
    }
    v
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn rec(id: &str, aliases: &[&str]) -> Record {
        Record {
            id: id.into(),
            aliases: aliases.iter().map(|s| s.to_string()).collect(),
            ..Record::default()
        }
    }

    #[test]
    fn transitive_groups_and_canonical_ids() {
        let v = merge(vec![
            rec("GHSA-aaaa-bbbb-cccc", &["CVE-2020-1"]),
            rec("PYSEC-2020-10", &["CVE-2020-1"]),
            rec("PYSEC-2020-9", &["CVE-2020-1", "GHSA-xxxx"]),
            rec("GHSA-zzzz", &["CVE-2021-5"]),
            rec("OSV-1", &[]),
        ]);
        assert_eq!(v.len(), 3);
        let first = v.iter().find(|x| x.id == "PYSEC-2020-9").unwrap();
        assert_eq!(
            first.aliases,
            [
                "CVE-2020-1",
                "GHSA-aaaa-bbbb-cccc",
                "GHSA-xxxx",
                "PYSEC-2020-10"
            ]
        );
        assert_eq!(first.record_ids.len(), 3);
        assert!(v.iter().any(|x| x.id == "GHSA-zzzz"));
        assert!(v.iter().any(|x| x.id == "OSV-1"));
    }
}
