//! People (merged identities) and what was known about each at a point in history.

use std::collections::HashMap;

use crate::identity::{Person, merge_identity_list};
use crate::landing::is_github_committer;
use crate::{Commit, Identity};

/// Maps identities to people merged by [`crate::merge_identities`].
#[derive(Debug, Clone, Default)]
pub struct PeopleIndex {
    /// The people.
    pub people: Vec<Person>,
    by_email: HashMap<String, usize>,
}

impl PeopleIndex {
    /// Merge the identities of `commits` (and extra identities such as taggers).
    pub fn new(commits: &[Commit], extra: &[Identity]) -> PeopleIndex {
        let people = merge_identity_list(
            commits
                .iter()
                .flat_map(|c| [&c.author, &c.committer])
                .chain(extra.iter()),
        );
        let mut by_email = HashMap::new();
        for (i, p) in people.iter().enumerate() {
            for e in &p.emails {
                by_email.insert(e.clone(), i);
            }
        }
        PeopleIndex { people, by_email }
    }

    /// The person owning `id`, if known.
    pub fn of(&self, id: &Identity) -> Option<usize> {
        self.by_email.get(&id.email.to_lowercase()).copied()
    }

    /// A display label for person `i`: first name and email.
    pub fn label(&self, i: usize) -> String {
        match self.people.get(i) {
            Some(p) => format!(
                "{} <{}>",
                p.names.first().map(String::as_str).unwrap_or("?"),
                p.emails.first().map(String::as_str).unwrap_or("?")
            ),
            None => "?".to_string(),
        }
    }
}

/// What was known about a person just before a commit.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuthorState {
    /// Time of their first authored commit, unix seconds.
    pub first_seen: Option<i64>,
    /// Time of their latest authored commit.
    pub last_seen: Option<i64>,
    /// Non-merge commits authored so far.
    pub commits: u32,
    /// Of those, commits touching sensitive paths (build, CI, policy, ignore rules).
    pub sensitive: u32,
    /// When they first showed push, merge or release rights: committed someone else's work,
    /// merged a branch, or tagged a release.
    pub rights_since: Option<i64>,
    /// What showed it (`committed 1a2b3c4 by Bob`, `tagged v5.6.0`).
    pub rights_evidence: Option<String>,
    /// Authored commits per local hour of day.
    pub hours: [u32; 24],
    /// Authored commits per UTC offset (minutes).
    pub offsets: Vec<(i32, u32)>,
}

impl AuthorState {
    /// Record a commit authored by this person.
    pub fn authored(&mut self, c: &Commit, sensitive: bool) {
        let t = c.author_time;
        self.first_seen = Some(self.first_seen.map_or(t, |f| f.min(t)));
        self.last_seen = Some(self.last_seen.map_or(t, |l| l.max(t)));
        self.commits = self.commits.saturating_add(1);
        if sensitive {
            self.sensitive = self.sensitive.saturating_add(1);
        }
        let hour = local_hour(t, c.author_offset_minutes);
        if let Some(h) = self.hours.get_mut(hour) {
            *h = h.saturating_add(1);
        }
        match self
            .offsets
            .iter_mut()
            .find(|(o, _)| *o == c.author_offset_minutes)
        {
            Some((_, n)) => *n = n.saturating_add(1),
            None => self.offsets.push((c.author_offset_minutes, 1)),
        }
    }

    /// Record evidence of push/merge/release rights at `time`.
    pub fn gained_rights(&mut self, time: i64, evidence: impl FnOnce() -> String) {
        if self.rights_since.is_none_or(|t| time < t) {
            self.rights_since = Some(time);
            self.rights_evidence = Some(evidence());
        }
    }

    /// Share of this person's commits at `hour`, or None with too little history (< 20).
    pub fn hour_share(&self, hour: usize) -> Option<f64> {
        if self.commits < 20 {
            return None;
        }
        let n = self.hours.get(hour).copied().unwrap_or(0);
        Some(f64::from(n) / f64::from(self.commits))
    }

    /// Share of this person's commits with this UTC offset, or None with < 20 commits.
    pub fn offset_share(&self, offset: i32) -> Option<f64> {
        if self.commits < 20 {
            return None;
        }
        let n = self
            .offsets
            .iter()
            .find(|(o, _)| *o == offset)
            .map_or(0, |(_, n)| *n);
        Some(f64::from(n) / f64::from(self.commits))
    }
}

/// Local hour (0..24) of a unix time at a UTC offset in minutes.
pub fn local_hour(time: i64, offset_minutes: i32) -> usize {
    let local = time.saturating_add(i64::from(offset_minutes) * 60);
    usize::try_from(local.rem_euclid(86_400) / 3600).unwrap_or(0)
}

/// Who committed `c` on someone else's behalf, if anyone (not GitHub's web-flow identity).
pub fn committed_for_other(c: &Commit, people: &PeopleIndex) -> Option<usize> {
    if is_github_committer(&c.committer) {
        return None;
    }
    let a = people.of(&c.author);
    let k = people.of(&c.committer)?;
    (a != Some(k)).then_some(k)
}
