//! Identity merging and per-person timelines.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::{Commit, History, Identity};

/// One person, possibly under several names and emails.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// Names seen, sorted.
    pub names: Vec<String>,
    /// Emails seen (lowercased), sorted.
    pub emails: Vec<String>,
    /// Why identities were merged, e.g. `same email a@x for names "A", "B"`.
    pub evidence: Vec<String>,
}

impl Person {
    /// Does this person own `id` (by email, case-insensitive)?
    pub fn owns(&self, id: &Identity) -> bool {
        let email = id.email.to_lowercase();
        self.emails.contains(&email)
    }
}

/// Names too generic to merge identities on.
const GENERIC_NAMES: &[&str] = &[
    "",
    "unknown",
    "root",
    "admin",
    "user",
    "none",
    "github",
    "ubuntu",
    "localhost",
];

/// Lowercased, whitespace-collapsed name used for "same name" merging.
fn normalized_name(name: &str) -> String {
    name.split_whitespace()
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

struct Dsu(Vec<usize>);

impl Dsu {
    fn find(&mut self, mut x: usize) -> usize {
        while let Some(&p) = self.0.get(x) {
            if p == x {
                break;
            }
            let gp = self.0.get(p).copied().unwrap_or(p);
            if let Some(slot) = self.0.get_mut(x) {
                *slot = gp;
            }
            x = p;
        }
        x
    }
    fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb
            && let Some(slot) = self.0.get_mut(rb)
        {
            *slot = ra;
        }
    }
}

/// Merge the author and committer identities of `commits` into people: identities sharing an
/// email (case-insensitive) are one person, and so are identities sharing a normalized name
/// (lowercase, collapsed whitespace; generic names like "unknown" or "root" excluded) under
/// different emails. Each merge is recorded as evidence. Sorted by first email.
pub fn merge_identities(commits: &[Commit]) -> Vec<Person> {
    merge_identity_list(commits.iter().flat_map(|c| [&c.author, &c.committer]))
}

/// [`merge_identities`] over any identities (authors, committers, taggers).
pub(crate) fn merge_identity_list<'a>(ids: impl Iterator<Item = &'a Identity>) -> Vec<Person> {
    // Nodes are distinct lowercased emails; names attach to emails.
    let mut email_idx: HashMap<String, usize> = HashMap::new();
    let mut emails: Vec<String> = Vec::new();
    let mut names_of: Vec<BTreeSet<String>> = Vec::new();
    for id in ids {
        let email = id.email.to_lowercase();
        let i = *email_idx.entry(email.clone()).or_insert_with(|| {
            emails.push(email);
            names_of.push(BTreeSet::new());
            emails.len() - 1
        });
        if let Some(set) = names_of.get_mut(i) {
            set.insert(id.name.clone());
        }
    }
    let mut dsu = Dsu((0..emails.len()).collect());
    let mut by_name: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, names) in names_of.iter().enumerate() {
        for n in names {
            let norm = normalized_name(n);
            if GENERIC_NAMES.contains(&norm.as_str()) {
                continue;
            }
            by_name.entry(norm).or_default().push(i);
        }
    }
    let mut name_evidence: Vec<(usize, String)> = Vec::new();
    for (norm, idxs) in &by_name {
        let mut idxs = idxs.clone();
        idxs.sort_unstable();
        idxs.dedup();
        if idxs.len() < 2 {
            continue;
        }
        let list: Vec<&str> = idxs
            .iter()
            .filter_map(|i| emails.get(*i).map(String::as_str))
            .collect();
        let first = idxs.first().copied().unwrap_or(0);
        for &i in &idxs {
            dsu.union(first, i);
        }
        name_evidence.push((
            first,
            format!("same name \"{norm}\" for emails {}", list.join(", ")),
        ));
    }

    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..emails.len() {
        groups.entry(dsu.find(i)).or_default().push(i);
    }
    let mut people: Vec<Person> = groups
        .values()
        .map(|members| {
            let mut names = BTreeSet::new();
            let mut evidence = Vec::new();
            let mut mails = Vec::new();
            for &i in members {
                let n = names_of.get(i).cloned().unwrap_or_default();
                if let Some(e) = emails.get(i) {
                    if n.len() > 1 {
                        let quoted: Vec<String> = n.iter().map(|x| format!("\"{x}\"")).collect();
                        evidence.push(format!("same email {e} for names {}", quoted.join(", ")));
                    }
                    mails.push(e.clone());
                }
                names.extend(n);
            }
            mails.sort();
            Person {
                names: names.into_iter().collect(),
                emails: mails,
                evidence,
            }
        })
        .collect();
    for (i, ev) in name_evidence {
        let Some(email) = emails.get(i) else { continue };
        if let Some(p) = people.iter_mut().find(|p| p.emails.contains(email)) {
            p.evidence.push(ev);
        }
    }
    people.sort_by(|a, b| a.emails.cmp(&b.emails));
    people
}

/// A contributor's activity over the mined history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timeline {
    /// Who.
    pub person: Person,
    /// Earliest author time of their commits (unix seconds), 0 when they authored nothing.
    pub first_seen: i64,
    /// Latest author time of their commits.
    pub last_seen: i64,
    /// Commits authored.
    pub commits: u32,
    /// Commits authored per calendar year (UTC).
    pub commits_by_year: BTreeMap<i32, u32>,
    /// First commit (commit time, id) they committed for another author: a proxy for having
    /// gained push/merge rights.
    pub first_committed_other: Option<(i64, String)>,
    /// First annotated tag (time, name) they created: a proxy for release rights.
    pub first_tag: Option<(i64, String)>,
    /// Author UTC offsets (minutes) with their commit counts, most used first.
    pub usual_offsets: Vec<(i32, u32)>,
    /// Authored commits per UTC hour of the day.
    pub hours_utc: [u32; 24],
}

/// Year (proleptic Gregorian, UTC) of a unix time.
pub(crate) fn year_of(unix: i64) -> i32 {
    i32::try_from(garrison_source::time::year(unix)).unwrap_or(0)
}

/// Build one timeline per person (same order as `people`).
pub fn timelines(history: &History, people: &[Person]) -> Vec<Timeline> {
    let mut who: HashMap<String, usize> = HashMap::new();
    for (i, p) in people.iter().enumerate() {
        for e in &p.emails {
            who.insert(e.clone(), i);
        }
    }
    let lookup = |id: &Identity| who.get(&id.email.to_lowercase()).copied();
    let mut out: Vec<Timeline> = people
        .iter()
        .map(|p| Timeline {
            person: p.clone(),
            first_seen: 0,
            last_seen: 0,
            commits: 0,
            commits_by_year: BTreeMap::new(),
            first_committed_other: None,
            first_tag: None,
            usual_offsets: Vec::new(),
            hours_utc: [0; 24],
        })
        .collect();
    let mut offsets: Vec<BTreeMap<i32, u32>> = vec![BTreeMap::new(); people.len()];
    for c in &history.commits {
        let a = lookup(&c.author);
        if let Some(t) = a.and_then(|i| out.get_mut(i)) {
            if t.commits == 0 || c.author_time < t.first_seen {
                t.first_seen = c.author_time;
            }
            if t.commits == 0 || c.author_time > t.last_seen {
                t.last_seen = c.author_time;
            }
            t.commits += 1;
            *t.commits_by_year.entry(year_of(c.author_time)).or_default() += 1;
            let hour = usize::try_from(c.author_time.rem_euclid(86_400) / 3600).unwrap_or(0);
            if let Some(h) = t.hours_utc.get_mut(hour) {
                *h += 1;
            }
            if let Some(o) = a.and_then(|i| offsets.get_mut(i)) {
                *o.entry(c.author_offset_minutes).or_default() += 1;
            }
        }
        let k = lookup(&c.committer);
        if k != a
            && let Some(t) = k.and_then(|i| out.get_mut(i))
        {
            let earlier = t
                .first_committed_other
                .as_ref()
                .is_none_or(|(time, _)| c.commit_time < *time);
            if earlier {
                t.first_committed_other = Some((c.commit_time, c.id.clone()));
            }
        }
    }
    for tag in &history.tags {
        let (Some(tagger), Some(time)) = (&tag.tagger, tag.time) else {
            continue;
        };
        if let Some(t) = lookup(tagger).and_then(|i| out.get_mut(i)) {
            let earlier = t.first_tag.as_ref().is_none_or(|(x, _)| time < *x);
            if earlier {
                t.first_tag = Some((time, tag.name.clone()));
            }
        }
    }
    for (t, o) in out.iter_mut().zip(offsets) {
        let mut v: Vec<(i32, u32)> = o.into_iter().collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        t.usual_offsets = v;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::year_of;

    #[test]
    fn years() {
        assert_eq!(year_of(0), 1970);
        assert_eq!(year_of(1_700_000_000), 2023);
        assert_eq!(year_of(1_704_067_199), 2023);
        assert_eq!(year_of(1_704_067_200), 2024);
        assert_eq!(year_of(-1), 1969);
    }
}
