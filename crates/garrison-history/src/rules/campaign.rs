//! Campaigns: the commits of one person (an identity cluster: the names and addresses merged
//! into one person) within a window whose signals together form an attack sequence. The evidence comes from the other
//! rules ([`crate::risk`] turns each commit's calibrated evidence, release markers and the
//! person's rights into [`Event`]s); this file decides which event sequences are campaigns.

use std::collections::{BTreeMap, BTreeSet};

use garrison_report::{Severity, declare_rule};

use super::date;

declare_rule! {
    /// ## What it checks
    /// The commits of one person (all the names and addresses Garrison merges into one
    /// identity) within a time window, scored together. A campaign is reported when their
    /// signals form one of these sequences:
    ///
    /// - **build sabotage** (120 days): at least three of opaque test fixtures added or
    ///   rewritten, a build probe / hardening flag / sandbox changed, ignore rules hiding build
    ///   inputs, and the security policy trimmed; or a payload-like fixture (rewritten, or named
    ///   by no test or build file) together with a build probe change. High.
    /// - **privileged workflow, then a release** (21 days): a workflow given
    ///   `pull_request_target`, `workflow_run`, `issue_comment`, `write-all` or `secrets:
    ///   inherit`, then a release (a version bump in a manifest, or a tag) by the same person.
    ///   High for a newcomer (first commit less than a year before, in a project that was
    ///   already half a year old), low otherwise: long-standing maintainers add
    ///   `pull_request_target` labelers and release all the time, so for them the campaign only
    ///   points the sequence out.
    /// - **rights, then sensitive changes** (42 days): a newcomer first shows push, merge or
    ///   release rights, then adds a new third-party runtime dependency to a manifest
    ///   (`pyproject.toml`, `setup.cfg`/`setup.py`, a requirements file, `package.json`) or
    ///   makes at least two sensitive changes (build, CI, security policy, ignore rules,
    ///   dependency sources) that are not routine in the repository. High when the newcomer
    ///   also bumps the release version or tags a release in the window, medium otherwise.
    ///
    /// Every member commit is escalated to at least the campaign's severity, and the campaign
    /// finding lists the sequence with dates and the evidence the members share (files and
    /// directories touched by more than one of them). In JSON and SARIF its evidence holds
    /// `pattern`, `person`, `members` (full commit ids, oldest first), `sequence` (each step's
    /// `date`, `step`, `commit`, `what` and `paths`), `shared` and `campaign` (the sequence and
    /// first member, which its fingerprint is keyed on).
    ///
    /// ## Why it matters
    /// Patient attackers make each step look plausible. In XZ Utils (2024) the binary test
    /// files, the sabotaged build check, the ignore rule hiding the build script and the
    /// trimmed security policy were separate, reviewable-looking commits by one person over a
    /// few weeks; only together were they damning. In event-stream (2018) a newcomer received
    /// publishing rights, added a new dependency and released. In Ultralytics (2024) a
    /// privileged workflow was followed by releases built from attacker-controlled code.
    ///
    /// ## Example
    /// A contributor who started committing merged patches in January adds two `.xz` test
    /// fixtures in February, changes a CMake `check_c_source_compiles` probe a week later, and
    /// adds `build-to-host.m4` to `.gitignore` the week after.
    ///
    /// ## Remediation
    /// Review the listed commits together, as one change: rebuild the fixtures from a
    /// generator, diff the build output, restore the policy's channel. Check how the person
    /// obtained their rights and give their sensitive changes a second reviewer (SPEC 6).
    pub Campaign {
        id: "history/campaign",
        summary: "one person's commits together form an attack sequence",
        severity: High,
        help: "review the listed commits together, as one change; check how the person obtained their rights",
        references: [
            "XZ Utils backdoor timeline: https://research.swtch.com/xz-timeline",
            "event-stream incident (2018): https://blog.npmjs.org/post/180565383195/details-about-the-event-stream-incident",
            "Ultralytics compromise (2024): https://blog.yossarian.net/2024/12/06/zizmor-ultralytics-injection",
            "SPEC 6, \"Keys to the Castle\": https://scientific-python.org/specs/spec-0006/",
        ],
    }
}

const DAY: i64 = 86_400;
/// Events of one window looked at, at most (a hostile history may put thousands of commits of
/// one person on one day).
const MAX_WINDOW_EVENTS: usize = 256;
/// Campaigns of one pattern per person, at most.
pub const MAX_PER_PERSON: usize = 20;

/// A step of an attack sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Step {
    /// Opaque files added or rewritten in test directories.
    Fixtures,
    /// A build feature probe, hardening flag or sandbox changed.
    BuildProbe,
    /// Ignore or attribute rules hiding build inputs.
    IgnoreRules,
    /// The security policy's channel, contacts or instructions removed.
    PolicyTrim,
    /// A workflow given a privileged trigger or permissions.
    WorkflowPrivileged,
    /// A release: the version bumped in a manifest, or a tag.
    Release,
    /// The person first showed push, merge or release rights.
    RightsGained,
    /// A new third-party runtime dependency in a manifest.
    NewDependency,
    /// Another sensitive change that is not routine in the repository.
    SensitiveChange,
}

impl Step {
    /// How the step reads in a sequence.
    pub fn label(self) -> &'static str {
        match self {
            Step::Fixtures => "opaque test fixtures",
            Step::BuildProbe => "build probe/hardening/sandbox changed",
            Step::IgnoreRules => "ignore rules hide build inputs",
            Step::PolicyTrim => "security policy trimmed",
            Step::WorkflowPrivileged => "workflow made privileged",
            Step::Release => "release",
            Step::RightsGained => "rights gained",
            Step::NewDependency => "new runtime dependency",
            Step::SensitiveChange => "sensitive change",
        }
    }
}

/// One dated step by one person.
#[derive(Debug, Clone)]
pub struct Event {
    /// The person (index into the people of the analysis).
    pub person: usize,
    /// When (commit time, tag time, or when the rights were first seen).
    pub time: i64,
    /// What.
    pub step: Step,
    /// The commit (index into the history's commits), when the step is a commit.
    pub commit: Option<usize>,
    /// One line, specific to the event.
    pub what: String,
    /// The files the step concerns.
    pub paths: Vec<String>,
    /// A payload-like fixture (rewritten, or referenced by nothing) or a stray-character probe.
    pub strong: bool,
    /// The person was a newcomer then (first commit less than a year before).
    pub newcomer: bool,
}

/// A detected campaign.
#[derive(Debug, Clone)]
pub struct Found {
    /// Which sequence (`build-sabotage`, `privileged-release`, `rights-then-sensitive`).
    pub pattern: &'static str,
    /// One line naming the sequence.
    pub title: String,
    /// The person.
    pub person: usize,
    /// Severity of the campaign (and the floor of its members).
    pub severity: Severity,
    /// The events, oldest first.
    pub events: Vec<Event>,
    /// Files and directories touched by more than one member.
    pub shared: Vec<String>,
}

impl Found {
    /// The member commits (indices into the history's commits), oldest first, deduplicated.
    pub fn commits(&self) -> Vec<usize> {
        let mut seen = BTreeSet::new();
        self.events
            .iter()
            .filter_map(|e| e.commit)
            .filter(|c| seen.insert(*c))
            .collect()
    }

    /// First and last event time.
    pub fn span(&self) -> (i64, i64) {
        let first = self.events.first().map_or(0, |e| e.time);
        let last = self.events.last().map_or(first, |e| e.time);
        (first, last)
    }

    /// The sequence as one line: `2024-01-22 opaque test fixtures → 2024-02-01 …`.
    pub fn sequence(&self) -> String {
        self.events
            .iter()
            .map(|e| format!("{} {}", date(e.time), e.step.label()))
            .collect::<Vec<_>>()
            .join(" → ")
    }
}

/// The campaigns among `events` (any order, any people).
pub fn detect(events: &[Event]) -> Vec<Found> {
    let mut by_person: BTreeMap<usize, Vec<&Event>> = BTreeMap::new();
    for e in events {
        by_person.entry(e.person).or_default().push(e);
    }
    let mut out = Vec::new();
    for (person, mut evs) in by_person {
        evs.sort_by_key(|e| (e.time, e.step));
        let mut found = build_sabotage(person, &evs);
        found.extend(privileged_release(person, &evs));
        found.extend(rights_then_sensitive(person, &evs));
        out.extend(merge_subsumed(found));
    }
    for f in &mut out {
        f.shared = shared(&f.events);
    }
    out
}

/// Events of `evs` (sorted by time) with a step in `steps` and a time in `[from, from +
/// window]`, at most [`MAX_WINDOW_EVENTS`].
fn within<'a>(evs: &[&'a Event], steps: &[Step], from: i64, window: i64) -> Vec<&'a Event> {
    let start = evs.partition_point(|e| e.time < from);
    evs.get(start..)
        .unwrap_or_default()
        .iter()
        .take_while(|e| e.time <= from.saturating_add(window))
        .filter(|e| steps.contains(&e.step))
        .take(MAX_WINDOW_EVENTS)
        .copied()
        .collect()
}

fn build_sabotage(person: usize, evs: &[&Event]) -> Vec<Found> {
    const STEPS: &[Step] = &[
        Step::Fixtures,
        Step::BuildProbe,
        Step::IgnoreRules,
        Step::PolicyTrim,
    ];
    let window = 120 * DAY;
    let mut out = Vec::new();
    let mut after = i64::MIN;
    for anchor in evs.iter().filter(|e| STEPS.contains(&e.step)) {
        if out.len() >= MAX_PER_PERSON {
            break;
        }
        if anchor.time <= after {
            continue;
        }
        let win = within(evs, STEPS, anchor.time, window);
        let kinds: BTreeSet<Step> = win.iter().map(|e| e.step).collect();
        let strong_pair = win.iter().any(|e| e.step == Step::Fixtures && e.strong)
            && kinds.contains(&Step::BuildProbe);
        if kinds.len() >= 3 || strong_pair {
            after = win.last().map_or(anchor.time, |e| e.time);
            let steps: Vec<&str> = kinds.iter().map(|s| s.label()).collect();
            out.push(Found {
                pattern: "build-sabotage",
                title: format!("build sabotage: {}", steps.join(" + ")),
                person,
                severity: Severity::High,
                events: win.into_iter().cloned().collect(),
                shared: Vec::new(),
            });
        }
    }
    out
}

fn privileged_release(person: usize, evs: &[&Event]) -> Vec<Found> {
    let window = 21 * DAY;
    let mut out = Vec::new();
    let mut after = i64::MIN;
    for anchor in evs.iter().filter(|e| e.step == Step::WorkflowPrivileged) {
        if out.len() >= MAX_PER_PERSON {
            break;
        }
        if anchor.time <= after {
            continue;
        }
        let releases = within(evs, &[Step::Release], anchor.time, window);
        if releases.is_empty() {
            continue;
        }
        let mut events: Vec<Event> = within(evs, &[Step::WorkflowPrivileged], anchor.time, window)
            .into_iter()
            .filter(|e| e.time <= releases.last().map_or(e.time, |r| r.time))
            .cloned()
            .collect();
        events.extend(releases.iter().map(|e| (*e).clone()));
        events.sort_by_key(|e| (e.time, e.step));
        after = events.last().map_or(anchor.time, |e| e.time);
        let severity = if anchor.newcomer {
            Severity::High
        } else {
            Severity::Low
        };
        out.push(Found {
            pattern: "privileged-release",
            title: "privileged workflow, then a release".into(),
            person,
            severity,
            events,
            shared: Vec::new(),
        });
    }
    out
}

fn rights_then_sensitive(person: usize, evs: &[&Event]) -> Vec<Found> {
    let window = 42 * DAY;
    let mut out = Vec::new();
    for anchor in evs
        .iter()
        .filter(|e| e.step == Step::RightsGained && e.newcomer)
        .take(MAX_PER_PERSON)
    {
        let sensitive = within(
            evs,
            &[
                Step::NewDependency,
                Step::SensitiveChange,
                Step::Fixtures,
                Step::BuildProbe,
                Step::IgnoreRules,
                Step::PolicyTrim,
                Step::WorkflowPrivileged,
            ],
            anchor.time,
            window,
        );
        let new_dep = sensitive.iter().any(|e| e.step == Step::NewDependency);
        let sensitive_commits: BTreeSet<usize> =
            sensitive.iter().filter_map(|e| e.commit).collect();
        if !new_dep && sensitive_commits.len() < 2 {
            continue;
        }
        let releases = within(evs, &[Step::Release], anchor.time, window);
        let severity = if releases.is_empty() {
            Severity::Medium
        } else {
            Severity::High
        };
        let mut events: Vec<Event> = vec![(*anchor).clone()];
        events.extend(sensitive.iter().map(|e| (*e).clone()));
        events.extend(releases.iter().map(|e| (*e).clone()));
        events.sort_by_key(|e| (e.time, e.step));
        let title = if new_dep {
            "rights gained, then a new runtime dependency"
        } else {
            "rights gained, then sensitive changes"
        };
        out.push(Found {
            pattern: "rights-then-sensitive",
            title: if releases.is_empty() {
                title.to_string()
            } else {
                format!("{title} and a release")
            },
            person,
            severity,
            events,
            shared: Vec::new(),
        });
    }
    out
}

/// One person's campaigns, where a campaign whose commits all belong to another campaign at
/// least as severe is folded into it (its rights and tags join that sequence).
fn merge_subsumed(mut found: Vec<Found>) -> Vec<Found> {
    let mut i = 0;
    while i < found.len() {
        let mine: BTreeSet<usize> = found
            .get(i)
            .map(|f| f.commits().into_iter().collect())
            .unwrap_or_default();
        let sev = found.get(i).map_or(Severity::Info, |f| f.severity);
        let host = (0..found.len()).find(|&j| {
            j != i
                && found.get(j).is_some_and(|g| {
                    let theirs: BTreeSet<usize> = g.commits().into_iter().collect();
                    g.severity >= sev
                        && mine.is_subset(&theirs)
                        && (mine.len() < theirs.len() || j < i)
                })
        });
        match host {
            Some(j) => {
                let extra: Vec<Event> = found
                    .get(i)
                    .map(|f| {
                        f.events
                            .iter()
                            .filter(|e| e.commit.is_none())
                            .cloned()
                            .collect()
                    })
                    .unwrap_or_default();
                if let Some(g) = found.get_mut(j) {
                    for e in extra {
                        if !g
                            .events
                            .iter()
                            .any(|x| x.step == e.step && x.time == e.time)
                        {
                            g.events.push(e);
                        }
                    }
                    g.events.sort_by_key(|e| (e.time, e.step));
                }
                found.remove(i);
                i = 0;
            }
            None => i += 1,
        }
    }
    found
}

/// Files, then directories, that more than one member commit touches.
fn shared(events: &[Event]) -> Vec<String> {
    let mut files: BTreeMap<&str, BTreeSet<usize>> = BTreeMap::new();
    let mut dirs: BTreeMap<&str, BTreeSet<usize>> = BTreeMap::new();
    for e in events {
        let Some(c) = e.commit else { continue };
        for p in &e.paths {
            files.entry(p.as_str()).or_default().insert(c);
            if let Some((d, _)) = p.rsplit_once('/') {
                dirs.entry(d).or_default().insert(c);
            }
        }
    }
    let mut out: Vec<String> = files
        .iter()
        .filter(|(_, c)| c.len() > 1)
        .map(|(p, c)| format!("{p} (in {} of the commits)", c.len()))
        .collect();
    out.extend(
        dirs.iter()
            .filter(|(_, c)| c.len() > 1)
            .map(|(d, c)| format!("{d}/ (in {} of the commits)", c.len())),
    );
    out.truncate(10);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(person: usize, day: i64, step: Step, commit: usize, strong: bool) -> Event {
        Event {
            person,
            time: 1_700_000_000 + day * DAY,
            step,
            commit: Some(commit),
            what: String::new(),
            paths: vec![format!("tests/files/f{commit}")],
            strong,
            newcomer: true,
        }
    }

    #[test]
    fn sequences_need_one_person_and_one_window() {
        // Three steps by one person within 120 days: a campaign.
        let evs = vec![
            ev(0, 0, Step::Fixtures, 1, false),
            ev(0, 20, Step::BuildProbe, 2, false),
            ev(0, 40, Step::IgnoreRules, 3, false),
        ];
        let f = detect(&evs);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].commits(), [1, 2, 3]);
        assert_eq!(f[0].severity, Severity::High);
        assert_eq!(f[0].shared, ["tests/files/ (in 3 of the commits)"]);
        // The same steps spread over three people: none.
        let evs = vec![
            ev(0, 0, Step::Fixtures, 1, false),
            ev(1, 20, Step::BuildProbe, 2, false),
            ev(2, 40, Step::IgnoreRules, 3, false),
        ];
        assert!(detect(&evs).is_empty());
        // One person, but a year apart: none.
        let evs = vec![
            ev(0, 0, Step::Fixtures, 1, false),
            ev(0, 200, Step::BuildProbe, 2, false),
            ev(0, 400, Step::IgnoreRules, 3, false),
        ];
        assert!(detect(&evs).is_empty());
        // A payload-like fixture and a probe change are enough.
        let evs = vec![
            ev(0, 0, Step::Fixtures, 1, true),
            ev(0, 9, Step::BuildProbe, 2, false),
        ];
        assert_eq!(detect(&evs).len(), 1);
        // An ordinary fixture and a probe change are not.
        let evs = vec![
            ev(0, 0, Step::Fixtures, 1, false),
            ev(0, 9, Step::BuildProbe, 2, false),
        ];
        assert!(detect(&evs).is_empty());
    }

    #[test]
    fn a_flood_of_steps_is_bounded() {
        // 20,000 steps of one person on one day, and 20,000 spread a day apart.
        let mut evs: Vec<Event> = (0..20_000)
            .map(|i| {
                ev(
                    0,
                    0,
                    [Step::Fixtures, Step::BuildProbe, Step::IgnoreRules][i % 3],
                    i,
                    false,
                )
            })
            .collect();
        evs.extend((0..20_000).map(|i| {
            ev(
                1,
                i as i64,
                [Step::Fixtures, Step::BuildProbe, Step::IgnoreRules][i % 3],
                i,
                false,
            )
        }));
        let f = detect(&evs);
        assert!(f.iter().filter(|c| c.person == 0).count() <= MAX_PER_PERSON);
        assert!(f.iter().filter(|c| c.person == 1).count() <= MAX_PER_PERSON);
        assert!(f.iter().all(|c| c.events.len() <= MAX_WINDOW_EVENTS));
        assert!(!f.is_empty());
    }

    #[test]
    fn privileged_workflow_then_release_and_rights_then_dependency() {
        let mut w = ev(0, 0, Step::WorkflowPrivileged, 1, false);
        w.newcomer = false;
        let evs = vec![w.clone(), ev(0, 30, Step::Release, 2, false)];
        assert!(detect(&evs).is_empty(), "release too late");
        let evs = vec![w, ev(0, 5, Step::Release, 2, false)];
        let f = detect(&evs);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Low, "not a newcomer");

        let mut rights = ev(3, 0, Step::RightsGained, 0, false);
        rights.commit = None;
        let dep = ev(3, 10, Step::NewDependency, 5, false);
        let f = detect(&[rights.clone(), dep.clone()]);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Medium);
        let f = detect(&[rights.clone(), dep, ev(3, 12, Step::Release, 6, false)]);
        assert_eq!(f[0].severity, Severity::High);
        assert_eq!(f[0].commits(), [5, 6]);
        // A long-standing maintainer's rights are not the start of a campaign.
        let mut old = rights;
        old.newcomer = false;
        assert!(detect(&[old, ev(3, 10, Step::NewDependency, 5, false)]).is_empty());
    }
}
