//! Contribution-risk scoring: signals, calibration on the repository's own history, an isolation
//! forest over commit features, and the ranked, explained result.
//!
//! For every non-merge commit, oldest first, the signals of [`crate::registry::SIGNALS`] see the
//! commit with what was known *at that time* (the author's tenure, rights and habits, how the
//! commit landed). Then:
//!
//! 1. **Calibration.** Each change evidence variant (rule + sub-kind) is weighted down when it
//!    is routine in this repository: with frequency `f` over the other mined commits (the
//!    commit itself left out, so a one-off is never "routine" and a commit is calibrated alike
//!    whether it is under review or already landed), the weight is multiplied by
//!    `sqrt(0.5% / f)` (never below 0.25) when `f` exceeds 0.5%.
//! 2. **Context.** Context evidence (self-committed, recent rights, new contributor, unusual
//!    time) multiplies the change sum (capped at ×3) when the change sum is at least 1.
//! 3. **Anomaly model.** An isolation forest fitted on the repository's commits scores each
//!    commit's shape; the score `s` scales the result by `clamp(0.5 + s, 0.8, 1.3)` and, when
//!    `s ≥ 0.62`, adds `history/anomalous-commit` evidence naming the features furthest from the
//!    repository's median (robust z-scores).
//!
//! Score → severity: ≥ 10 high, ≥ 6 medium, ≥ 3 low, ≥ 1 info; below 1 a commit is not
//! reported.

use std::collections::{BTreeMap, HashMap, HashSet};

use garrison_report::{Confidence, Finding, Location, RuleMeta, Severity};
use serde_json::json;

use crate::content::HitKind;
use crate::forest::Forest;
use crate::landing::{Landing, LandingKind, landings};
use crate::people::{AuthorState, PeopleIndex, committed_for_other, local_hour};
use crate::registry::SIGNALS;
use crate::rules::anomalous_commit::AnomalousCommit;
use crate::rules::campaign::{self, Step};
use crate::rules::recent_rights::RecentRights;
use crate::rules::{CommitCx, Evidence, Role, date, is_opaque_change, is_sensitive};
use crate::{ChangeKind, Commit, History};

/// Frequency above which a change variant counts as routine in the repository.
const ROUTINE: f64 = 0.005;
/// A variant seen fewer times than this in the rest of the history is never routine (small
/// repositories would otherwise call a change seen twice in 20 commits routine).
const MIN_ROUTINE_COUNT: usize = 5;
/// Lowest calibration factor.
const MIN_CALIBRATION: f64 = 0.25;
/// Cap of the product of context multipliers.
const MAX_CONTEXT: f64 = 3.0;
/// Anomaly score from which `history/anomalous-commit` evidence is listed.
const ANOMALY_EVIDENCE: f64 = 0.62;
/// Score from which a commit is reported.
pub const REPORT_SCORE: f64 = 1.0;

/// Feature names, in feature-vector order.
const FEATURES: [&str; 11] = [
    "files changed",
    "lines added",
    "lines removed",
    "binary/opaque files",
    "binary/opaque bytes",
    "sensitive files",
    "author's earlier commits",
    "author's tenure (days)",
    "rare hour for author",
    "new UTC offset for author",
    "landed by its author",
];

/// What to analyze and report.
#[derive(Debug, Clone, Default)]
pub struct AnalyzeOptions {
    /// Report only commits committed at or after this unix time (the whole history is still
    /// used to calibrate and to build author profiles).
    pub since: Option<i64>,
    /// Commits under review (a pull request's range): treated as not landed, excluded from
    /// calibration, and the only commits reported.
    pub pending: HashSet<String>,
    /// A range is under review: only `pending` is reported, even when it is empty (an empty
    /// range reports nothing rather than the whole history).
    pub review: bool,
}

/// One piece of evidence with the factor actually applied.
#[derive(Debug, Clone)]
pub struct Contribution {
    /// The evidence.
    pub evidence: Evidence,
    /// For change evidence, the calibrated weight added; for context evidence, the multiplier.
    pub applied: f64,
    /// Why the applied value differs from the rule's weight (`routine here: 3.2% of commits`).
    pub note: Option<String>,
}

/// A scored commit.
#[derive(Debug, Clone)]
pub struct ScoredCommit {
    /// Index into [`History::commits`].
    pub index: usize,
    /// Full id.
    pub id: String,
    /// Author label (`Name <email>`).
    pub author: String,
    /// Author time, unix seconds.
    pub time: i64,
    /// First line of the message.
    pub summary: String,
    /// Final score.
    pub score: f64,
    /// Severity from the score.
    pub severity: Severity,
    /// Confidence from the kinds of evidence.
    pub confidence: Confidence,
    /// Isolation-forest anomaly score (0.5 ordinary, → 1 unusual).
    pub anomaly: f64,
    /// Evidence, strongest first.
    pub contributions: Vec<Contribution>,
}

impl ScoredCommit {
    /// Short id (10 hex digits).
    pub fn short(&self) -> &str {
        self.id.get(..10).unwrap_or(&self.id)
    }

    /// The strongest change evidence (what the commit is reported as).
    pub fn primary(&self) -> Option<&Contribution> {
        self.contributions
            .iter()
            .find(|c| c.evidence.role == Role::Change)
            .or_else(|| self.contributions.first())
    }
}

/// A contributor's profile over the mined history.
#[derive(Debug, Clone)]
pub struct AuthorSummary {
    /// Display label.
    pub label: String,
    /// Every name and email merged into this person, with the evidence for merging.
    pub names: Vec<String>,
    /// Emails.
    pub emails: Vec<String>,
    /// Why identities were merged.
    pub merge_evidence: Vec<String>,
    /// Final state (first/last seen, commits, sensitive commits, rights, habits).
    pub state: AuthorState,
    /// Reported commits by this person.
    pub flagged: usize,
    /// Highest score among their commits.
    pub max_score: f64,
    /// Commits per year (`2023` → 41).
    pub per_year: BTreeMap<String, u32>,
    /// Releases tagged (name, time).
    pub tags: Vec<(String, i64)>,
}

/// The result of [`analyze`].
#[derive(Debug, Clone, Default)]
pub struct Analysis {
    /// Reported commits (score ≥ [`REPORT_SCORE`], in the window), highest score first.
    pub commits: Vec<ScoredCommit>,
    /// People, most commits first.
    pub authors: Vec<AuthorSummary>,
    /// Non-merge commits scored in the reporting window.
    pub evaluated: usize,
    /// Non-merge commits the calibration and the model were fitted on.
    pub fitted: usize,
    /// Frequency of each change variant (`rule/kind`) over the fitted commits.
    pub frequencies: BTreeMap<String, f64>,
    /// Campaigns with at least one member commit in the reporting window.
    pub campaigns: Vec<CampaignReport>,
}

/// A campaign of `history/campaign` (see [`campaign`]) with its person and member commits.
#[derive(Debug, Clone)]
pub struct CampaignReport {
    /// What was detected.
    pub found: campaign::Found,
    /// The person's display label.
    pub person: String,
    /// Full ids of the member commits, oldest first.
    pub members: Vec<String>,
}

impl CampaignReport {
    /// Stable identity of the campaign: its sequence and its first member commit.
    pub fn key(&self) -> String {
        format!(
            "{}:{}",
            self.found.pattern,
            self.members.first().map_or("", String::as_str)
        )
    }
}

/// A newcomer at `t`: first commit less than a year before (or none yet), in a project that
/// was at least half a year old when they arrived (founders are not newcomers).
fn is_newcomer(first_seen: Option<i64>, t: i64, repo_start: i64) -> bool {
    let arrived = first_seen.unwrap_or(t);
    crate::rules::days(arrived, t) < 365 && crate::rules::days(repo_start, arrived) >= 180
}

/// One severity level up.
fn raise(s: Severity) -> Severity {
    match s {
        Severity::Info => Severity::Low,
        Severity::Low => Severity::Medium,
        Severity::Medium => Severity::High,
        Severity::High | Severity::Critical => Severity::Critical,
    }
}

/// The campaign steps of one commit: from its calibrated change evidence (`applied`) and from
/// its content hits (release version bumps, new runtime dependencies, privileged workflows).
fn commit_events(
    c: &Commit,
    index: usize,
    person: usize,
    newcomer: bool,
    evidence: &[Evidence],
    applied: impl Fn(&Evidence) -> f64,
    out: &mut Vec<campaign::Event>,
) {
    let mut push = |step: Step, what: &str, paths: Vec<String>, strong: bool| {
        if let Some(e) = out
            .iter_mut()
            .rev()
            .take_while(|e| e.commit == Some(index))
            .find(|e| e.step == step)
        {
            e.strong |= strong;
            return;
        }
        out.push(campaign::Event {
            person,
            time: c.commit_time,
            step,
            commit: Some(index),
            what: what.to_string(),
            paths,
            strong,
            newcomer,
        });
    };
    for e in evidence.iter().filter(|e| e.role == Role::Change) {
        let w = applied(e);
        let paths: Vec<String> = e.path.iter().cloned().collect();
        let id = e.rule.id;
        let step = match id {
            "history/security-policy-weakened" if e.floor.is_some() => {
                Some((Step::PolicyTrim, false))
            }
            _ if w < 1.0 => None,
            "history/binary-fixture-rewrite" => Some((Step::Fixtures, true)),
            "history/unreferenced-opaque-file" => Some((Step::Fixtures, true)),
            "history/opaque-blob-added"
                if e.path.as_deref().is_some_and(crate::rules::is_test_path) =>
            {
                Some((Step::Fixtures, false))
            }
            "history/build-system-change"
                if (e.kind.starts_with("probe-") && e.kind != "probe-added-removed")
                    || e.kind.starts_with("hardening")
                    || e.kind.starts_with("sandbox") =>
            {
                Some((Step::BuildProbe, e.kind == "probe-stray-dot"))
            }
            "history/ignore-rules-hide-files" => Some((Step::IgnoreRules, false)),
            "history/build-system-change"
            | "history/ci-workflow-change"
            | "history/dependency-source-changed"
            | "history/obfuscated-code"
            | "history/exfiltration"
            | "history/c-hooking"
            | "history/security-policy-weakened" => Some((Step::SensitiveChange, false)),
            _ => None,
        };
        if let Some((step, strong)) = step {
            push(step, &e.message, paths, strong);
        }
    }
    for f in &c.files {
        for h in &f.hits {
            let step = if h.kind == HitKind::VERSION_BUMP {
                Step::Release
            } else if h.kind == HitKind::NEW_RUNTIME_DEPENDENCY {
                Step::NewDependency
            } else if h.kind == HitKind::WORKFLOW_PRIVILEGED {
                Step::WorkflowPrivileged
            } else {
                continue;
            };
            let what = format!(
                "{}: {} ({}:{})",
                h.kind.description(),
                h.detail,
                f.path,
                h.line
            );
            push(step, &what, vec![f.path.clone()], false);
        }
    }
}

fn severity_of(score: f64) -> Option<Severity> {
    if score >= 10.0 {
        Some(Severity::High)
    } else if score >= 6.0 {
        Some(Severity::Medium)
    } else if score >= 3.0 {
        Some(Severity::Low)
    } else if score >= REPORT_SCORE {
        Some(Severity::Info)
    } else {
        None
    }
}

fn variant(e: &Evidence) -> String {
    if e.kind.is_empty() {
        e.rule.id.to_string()
    } else {
        format!("{}#{}", e.rule.id, e.kind)
    }
}

fn features(c: &Commit, state: &AuthorState, self_landed: bool) -> Vec<f64> {
    let ln = |x: f64| (1.0 + x).ln();
    let added: u64 = c.files.iter().map(|f| u64::from(f.added)).sum();
    let removed: u64 = c.files.iter().map(|f| u64::from(f.removed)).sum();
    let opaque: Vec<_> = c.files.iter().filter(|f| is_opaque_change(f)).collect();
    let opaque_bytes: u64 = opaque.iter().filter_map(|f| f.new_size).sum();
    let sensitive = c.files.iter().filter(|f| is_sensitive(&f.path)).count();
    let tenure = state.first_seen.map_or(0.0, |f| {
        (c.author_time.saturating_sub(f) / 86_400).max(0) as f64
    });
    let hour = local_hour(c.author_time, c.author_offset_minutes);
    vec![
        ln(c.files.len() as f64),
        ln(added as f64),
        ln(removed as f64),
        (opaque.len().min(20)) as f64,
        ln(opaque_bytes as f64),
        (sensitive.min(20)) as f64,
        ln(f64::from(state.commits)),
        ln(tenure),
        state.hour_share(hour).map_or(0.0, |s| 1.0 - s),
        state
            .offset_share(c.author_offset_minutes)
            .map_or(0.0, |s| if s == 0.0 { 1.0 } else { 0.0 }),
        if self_landed { 1.0 } else { 0.0 },
    ]
}

/// Record `tags` (time, index into [`History::tags`]) as release rights of their taggers.
fn record_tags(
    history: &History,
    people: &PeopleIndex,
    tags: &[(i64, usize)],
    states: &mut [AuthorState],
    tagged: &mut [Vec<(String, i64)>],
) {
    for &(time, ti) in tags {
        if let Some(t) = history.tags.get(ti)
            && let Some(p) = t.tagger.as_ref().and_then(|id| people.of(id))
            && let Some(s) = states.get_mut(p)
        {
            s.gained_rights(time, || format!("tagged {}", t.name));
            if let Some(v) = tagged.get_mut(p) {
                v.push((t.name.clone(), time));
            }
        }
    }
}

fn median(v: &mut [f64]) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

/// Score every commit of `history` and return the reported ones with author profiles.
pub fn analyze(history: &History, opts: &AnalyzeOptions) -> Analysis {
    let commits = &history.commits;
    let taggers: Vec<_> = history
        .tags
        .iter()
        .filter_map(|t| t.tagger.clone())
        .collect();
    let people = PeopleIndex::new(commits, &taggers);
    let mut lands = landings(history);
    for (c, l) in commits.iter().zip(lands.iter_mut()) {
        if opts.pending.contains(&c.id) {
            *l = Landing {
                kind: LandingKind::Unlanded,
                by: None,
                merge: None,
            };
        }
    }
    let labels: Vec<String> = (0..people.people.len()).map(|i| people.label(i)).collect();
    let deleted = deleted_at_tip(commits);
    let repo_start = commits.iter().map(|c| c.commit_time).min().unwrap_or(0);

    // Oldest first (commits are newest first by committer time).
    let order: Vec<usize> = (0..commits.len()).rev().collect();
    let mut tags: Vec<(i64, usize)> = history
        .tags
        .iter()
        .enumerate()
        .filter_map(|(i, t)| t.time.map(|time| (time, i)))
        .collect();
    tags.sort_unstable();
    let mut next_tag = 0;

    let mut states: Vec<AuthorState> = vec![AuthorState::default(); people.people.len()];
    let mut per_year: Vec<BTreeMap<String, u32>> = vec![BTreeMap::new(); people.people.len()];
    let mut tagged: Vec<Vec<(String, i64)>> = vec![Vec::new(); people.people.len()];
    let empty_state = AuthorState::default();

    struct Row {
        index: usize,
        evidence: Vec<Evidence>,
        features: Vec<f64>,
        pending: bool,
        author: Option<usize>,
        /// The author's first commit was less than a year before this one.
        newcomer: bool,
    }
    let mut rows: Vec<Row> = Vec::new();

    for &i in &order {
        let Some(c) = commits.get(i) else { continue };
        let Some(landing) = lands.get(i) else {
            continue;
        };
        let pending = opts.pending.contains(&c.id);
        let rest = tags.get(next_tag..).unwrap_or_default();
        let due = rest.partition_point(|(time, _)| *time <= c.commit_time);
        record_tags(
            history,
            &people,
            rest.get(..due).unwrap_or_default(),
            &mut states,
            &mut tagged,
        );
        next_tag += due;
        let author = people.of(&c.author);
        let state = author.and_then(|a| states.get(a)).unwrap_or(&empty_state);
        let landed_by = landing.by.as_ref().and_then(|b| people.of(b));
        let self_landed = !pending && landed_by.is_some() && landed_by == author;
        if !c.is_merge {
            let label = author
                .and_then(|a| labels.get(a))
                .map_or("?", String::as_str);
            let cx = CommitCx {
                commit: c,
                landing,
                author: state,
                author_label: label,
                pending,
                self_landed,
            };
            let mut evidence = Vec::new();
            for s in SIGNALS {
                s.check(&cx, &mut evidence);
            }
            rows.push(Row {
                index: i,
                features: features(c, state, self_landed),
                evidence,
                pending,
                author,
                newcomer: is_newcomer(state.first_seen, c.commit_time, repo_start),
            });
        }
        if pending {
            continue;
        }
        // Update what is known after this commit.
        if !c.is_merge
            && let Some(a) = author
        {
            let sensitive = c.files.iter().any(|f| is_sensitive(&f.path));
            if let Some(s) = states.get_mut(a) {
                s.authored(c, sensitive);
            }
            if let Some(y) = per_year.get_mut(a) {
                let year = date(c.author_time).get(..4).unwrap_or("?").to_string();
                *y.entry(year).or_default() += 1;
            }
        }
        let short = c.id.get(..10).unwrap_or(&c.id).to_string();
        if let Some(k) = committed_for_other(c, &people)
            && !c.is_merge
            && let Some(s) = states.get_mut(k)
        {
            let who = c.author.name.clone();
            s.gained_rights(c.commit_time, || format!("committed {short} by {who}"));
        }
        if c.is_merge && matches!(landing.kind, LandingKind::Direct | LandingKind::WebUi) {
            let merger = if crate::landing::is_github_committer(&c.committer) {
                &c.author
            } else {
                &c.committer
            };
            if let Some(m) = people.of(merger)
                && let Some(s) = states.get_mut(m)
            {
                s.gained_rights(c.commit_time, || format!("merged {short}"));
            }
        }
    }

    // Tags newer than the newest commit (a release tagged on HEAD) still go into the profiles.
    record_tags(
        history,
        &people,
        tags.get(next_tag..).unwrap_or_default(),
        &mut states,
        &mut tagged,
    );

    // Calibration on landed commits.
    let fitted: Vec<&Row> = rows.iter().filter(|r| !r.pending).collect();
    let fitted_n = fitted.len();
    let n = fitted_n.max(1) as f64;
    let mut counts: HashMap<String, usize> = HashMap::new();
    for r in &fitted {
        let mut seen = HashSet::new();
        for e in r.evidence.iter().filter(|e| e.role == Role::Change) {
            let v = variant(e);
            if seen.insert(v.clone()) {
                *counts.entry(v).or_default() += 1;
            }
        }
    }
    let frequencies: BTreeMap<String, f64> = counts
        .iter()
        .map(|(k, v)| (k.clone(), *v as f64 / n))
        .collect();

    // Anomaly model.
    let train: Vec<Vec<f64>> = fitted.iter().map(|r| r.features.clone()).collect();
    let forest = Forest::fit(&train, 100, 256, 0x9e37_79b9_7f4a_7c15);
    let dims = FEATURES.len();
    let mut med = vec![0.0; dims];
    let mut mad = vec![0.0; dims];
    for d in 0..dims {
        let mut col: Vec<f64> = train.iter().filter_map(|r| r.get(d).copied()).collect();
        let m = median(&mut col);
        let mut dev: Vec<f64> = col.iter().map(|x| (x - m).abs()).collect();
        if let Some(slot) = med.get_mut(d) {
            *slot = m;
        }
        if let Some(slot) = mad.get_mut(d) {
            *slot = median(&mut dev);
        }
    }

    let mut out: Vec<ScoredCommit> = Vec::new();
    // Commits in the window that carry change evidence but score below reporting: a campaign
    // may still make them members.
    let mut quiet: Vec<ScoredCommit> = Vec::new();
    let mut evaluated = 0;
    let reviewing = opts.review || !opts.pending.is_empty();
    let calibrate = |e: &Evidence, pending: bool| -> (f64, Option<String>) {
        // Leave one out: a landed commit's own occurrence is in `counts`.
        let own = usize::from(!pending);
        let others = counts
            .get(&variant(e))
            .copied()
            .unwrap_or(0)
            .saturating_sub(own);
        let f = others as f64 / fitted_n.saturating_sub(own).max(1) as f64;
        if f > ROUTINE && others >= MIN_ROUTINE_COUNT {
            let factor = (ROUTINE / f).sqrt().max(MIN_CALIBRATION);
            (
                e.weight * factor,
                Some(format!(
                    "routine here: {:.1}% of commits (×{factor:.2})",
                    f * 100.0
                )),
            )
        } else {
            (e.weight, None)
        }
    };
    let mut events: Vec<campaign::Event> = Vec::new();
    let mut in_window: HashSet<usize> = HashSet::new();
    for r in rows {
        let Some(c) = commits.get(r.index) else {
            continue;
        };
        let before = events.len();
        if let Some(a) = r.author {
            let applied = |e: &Evidence| calibrate(e, r.pending).0;
            commit_events(c, r.index, a, r.newcomer, &r.evidence, applied, &mut events);
        }
        let has_events = events.len() > before;
        let window = if reviewing {
            r.pending
        } else {
            opts.since.is_none_or(|s| c.commit_time >= s)
        };
        if !window {
            continue;
        }
        in_window.insert(r.index);
        evaluated += 1;
        let mut contributions = Vec::new();
        let mut change = 0.0;
        let mut context = 1.0;
        let mut change_rules = HashSet::new();
        for e in r.evidence {
            match e.role {
                Role::Change => {
                    let (applied, note) = calibrate(&e, r.pending);
                    change += applied;
                    if applied >= 1.0 {
                        change_rules.insert(e.rule.id);
                    }
                    contributions.push(Contribution {
                        evidence: e,
                        applied,
                        note,
                    });
                }
                Role::Context => {
                    context *= e.weight;
                    contributions.push(Contribution {
                        applied: e.weight,
                        evidence: e,
                        note: None,
                    });
                }
            }
        }
        // The model only scales change evidence; commits that cannot reach the reporting
        // score even at the model's maximum are not scored (most of a history).
        let anomaly = if change * MAX_CONTEXT * 1.3 >= REPORT_SCORE {
            forest.score(&r.features)
        } else {
            0.5
        };
        let model = (0.5 + anomaly).clamp(0.8, 1.3);
        let context = if change >= 1.0 {
            context.min(MAX_CONTEXT)
        } else {
            1.0
        };
        let score = change * context * model;
        if anomaly >= ANOMALY_EVIDENCE && change >= 1.0 {
            let mut z: Vec<(f64, usize)> = (0..dims)
                .map(|d| {
                    let x = r.features.get(d).copied().unwrap_or(0.0);
                    let m = med.get(d).copied().unwrap_or(0.0);
                    let s = 1.4826 * mad.get(d).copied().unwrap_or(0.0);
                    let zz = if s > 1e-9 {
                        (x - m) / s
                    } else if (x - m).abs() > 1e-9 {
                        (x - m).signum() * 10.0
                    } else {
                        0.0
                    };
                    (zz, d)
                })
                .collect();
            z.sort_by(|a, b| b.0.abs().total_cmp(&a.0.abs()));
            // Habit features (rare hour, new offset, self-landed) only matter when high.
            z.retain(|(zz, d)| *d < 8 || *zz > 0.0);
            let parts: Vec<String> = z
                .iter()
                .take(3)
                .filter(|(zz, _)| zz.abs() >= 2.0)
                .map(|(zz, d)| {
                    let name = FEATURES.get(*d).copied().unwrap_or("?");
                    let dir = if *zz > 0.0 { "high" } else { "low" };
                    if zz.abs() >= 10.0 {
                        format!(
                            "{name} {dir} (the repository's median is {})",
                            fmt_feature(*d, med.get(*d).copied().unwrap_or(0.0))
                        )
                    } else {
                        format!("{name} {dir} (z={zz:+.1})")
                    }
                })
                .collect();
            contributions.push(Contribution {
                evidence: Evidence::context(
                    &AnomalousCommit::META,
                    model,
                    format!(
                        "unusual for this repository (isolation-forest score {anomaly:.2}){}{}",
                        if parts.is_empty() { "" } else { ": " },
                        parts.join("; ")
                    ),
                ),
                applied: model,
                note: None,
            });
        }
        let floor = contributions
            .iter()
            .filter(|k| k.evidence.role == Role::Change)
            .filter_map(|k| k.evidence.floor.map(|f| (f, k.evidence.rule)))
            .max_by_key(|(f, _)| *f);
        let by_score = severity_of(score);
        let mut severity = by_score;
        if let Some((floor, rule)) = floor {
            // Recently gained rights raise a serious change by one level.
            let recent = contributions
                .iter()
                .any(|k| k.evidence.rule.id == RecentRights::META.id && k.applied > 1.0);
            let floor = if recent { raise(floor) } else { floor };
            if by_score.is_none_or(|s| s < floor) {
                severity = Some(floor);
                contributions.push(Contribution {
                    evidence: Evidence::context(
                        rule,
                        1.0,
                        format!(
                            "reported at {} at least: {}{}",
                            floor.as_str(),
                            rule.summary,
                            if recent {
                                ", by an author who gained rights recently"
                            } else {
                                ""
                            }
                        ),
                    ),
                    applied: 1.0,
                    note: None,
                });
            }
        }
        if severity.is_none() && !has_events {
            continue;
        }
        contributions.sort_by(|a, b| {
            let rank = |c: &Contribution| match c.evidence.role {
                Role::Change => (0, -c.applied),
                Role::Context => (1, -c.applied),
            };
            let (ra, wa) = rank(a);
            let (rb, wb) = rank(b);
            ra.cmp(&rb).then(wa.total_cmp(&wb))
        });
        let has_context = contributions
            .iter()
            .any(|c| c.evidence.role == Role::Context && c.applied > 1.05);
        let confidence = if change_rules.len() >= 2 || (change >= 4.0 && has_context) {
            Confidence::High
        } else if change >= 3.0 {
            Confidence::Medium
        } else {
            Confidence::Low
        };
        for k in &mut contributions {
            k.evidence.deleted_since = k
                .evidence
                .path
                .as_ref()
                .is_some_and(|p| deleted.contains(p.as_str()));
        }
        let scored = ScoredCommit {
            index: r.index,
            id: c.id.clone(),
            author: r
                .author
                .and_then(|a| labels.get(a))
                .cloned()
                .unwrap_or_else(|| format!("{} <{}>", c.author.name, c.author.email)),
            time: c.author_time,
            summary: c.message.lines().next().unwrap_or("").trim().to_string(),
            score,
            severity: severity.unwrap_or(Severity::Info),
            confidence,
            anomaly,
            contributions,
        };
        if severity.is_some() {
            out.push(scored);
        } else {
            quiet.push(scored);
        }
    }

    // Campaigns: each person's steps together (rights and tags are steps too).
    for (p, s) in states.iter().enumerate() {
        if let Some(t) = s.rights_since {
            events.push(campaign::Event {
                person: p,
                time: t,
                step: Step::RightsGained,
                commit: None,
                what: format!(
                    "first showed push/merge/release rights ({})",
                    s.rights_evidence.as_deref().unwrap_or("?")
                ),
                paths: Vec::new(),
                strong: false,
                newcomer: is_newcomer(s.first_seen, t, repo_start),
            });
        }
        for (name, t) in tagged.get(p).map(Vec::as_slice).unwrap_or_default() {
            events.push(campaign::Event {
                person: p,
                time: *t,
                step: Step::Release,
                commit: None,
                what: format!("tagged {name}"),
                paths: Vec::new(),
                strong: false,
                newcomer: is_newcomer(s.first_seen, *t, repo_start),
            });
        }
    }
    let mut campaigns = Vec::new();
    for found in campaign::detect(&events) {
        let members = found.commits();
        if !members.iter().any(|m| in_window.contains(m)) {
            continue;
        }
        let person = labels.get(found.person).cloned().unwrap_or_default();
        let ids: Vec<String> = members
            .iter()
            .filter_map(|m| commits.get(*m).map(|c| c.id.clone()))
            .collect();
        let (first, last) = found.span();
        let note = format!(
            "member of a campaign by this author, reported at {} at least: {} ({} → {}, {} commit{}; the sequence is in the history/campaign finding)",
            found.severity.as_str(),
            found.title,
            date(first),
            date(last),
            members.len(),
            if members.len() == 1 { "" } else { "s" },
        );
        for m in &members {
            if let Some(i) = quiet.iter().position(|q| q.index == *m) {
                let mut q = quiet.swap_remove(i);
                q.severity = Severity::Info;
                out.push(q);
            } else if !out.iter().any(|o| o.index == *m)
                && in_window.contains(m)
                && let Some(c) = commits.get(*m)
            {
                // A member with no evidence of its own (a version bump, say).
                out.push(ScoredCommit {
                    index: *m,
                    id: c.id.clone(),
                    author: person.clone(),
                    time: c.author_time,
                    summary: c.message.lines().next().unwrap_or("").trim().to_string(),
                    score: 0.0,
                    severity: Severity::Info,
                    confidence: Confidence::Medium,
                    anomaly: 0.5,
                    contributions: Vec::new(),
                });
            }
            if let Some(o) = out.iter_mut().find(|o| o.index == *m) {
                if o.severity < found.severity {
                    o.severity = found.severity;
                }
                o.confidence = o.confidence.max(Confidence::Medium);
                o.contributions.push(Contribution {
                    evidence: Evidence::context(&campaign::Campaign::META, 1.0, note.clone()),
                    applied: 1.0,
                    note: None,
                });
            }
        }
        campaigns.push(CampaignReport {
            found,
            person,
            members: ids,
        });
    }

    let mut flagged = vec![0usize; people.people.len()];
    let mut max_score = vec![0f64; people.people.len()];
    for o in &out {
        if let Some(c) = commits.get(o.index)
            && let Some(a) = people.of(&c.author)
        {
            if let Some(f) = flagged.get_mut(a) {
                *f += 1;
            }
            if let Some(m) = max_score.get_mut(a) {
                *m = m.max(o.score);
            }
        }
    }
    out.sort_by(|a, b| b.score.total_cmp(&a.score).then(b.time.cmp(&a.time)));

    let mut authors: Vec<AuthorSummary> = people
        .people
        .iter()
        .enumerate()
        .map(|(i, p)| AuthorSummary {
            label: labels.get(i).cloned().unwrap_or_default(),
            names: p.names.clone(),
            emails: p.emails.clone(),
            merge_evidence: p.evidence.clone(),
            state: states.get(i).cloned().unwrap_or_default(),
            flagged: flagged.get(i).copied().unwrap_or(0),
            max_score: max_score.get(i).copied().unwrap_or(0.0),
            per_year: per_year.get(i).cloned().unwrap_or_default(),
            tags: tagged.get(i).cloned().unwrap_or_default(),
        })
        .filter(|a| a.state.commits > 0 || !a.tags.is_empty() || a.state.rights_since.is_some())
        .collect();
    authors.sort_by(|a, b| {
        b.state
            .commits
            .cmp(&a.state.commits)
            .then(a.label.cmp(&b.label))
    });

    Analysis {
        commits: out,
        authors,
        evaluated,
        fitted: fitted_n,
        frequencies,
        campaigns,
    }
}

/// Paths whose newest mined change deletes them: gone at the tip of the history.
fn deleted_at_tip(commits: &[Commit]) -> HashSet<&str> {
    let mut seen: HashSet<&str> = HashSet::new();
    let mut deleted = HashSet::new();
    // Newest first: the first change of a path is its state at the tip.
    for c in commits {
        for f in &c.files {
            if seen.insert(f.path.as_str()) && f.kind == ChangeKind::Deleted {
                deleted.insert(f.path.as_str());
            }
        }
    }
    deleted
}

fn fmt_feature(d: usize, v: f64) -> String {
    match d {
        0..=2 | 4 | 6 | 7 => format!("{:.0}", v.exp() - 1.0),
        _ => format!("{v:.0}"),
    }
}

impl Analysis {
    /// One finding per reported commit: the rule of its strongest change evidence, severity
    /// from the score, every contribution in the evidence.
    pub fn findings(&self) -> Vec<Finding> {
        let mut v: Vec<Finding> = self.commits.iter().map(finding).collect();
        v.extend(self.campaigns.iter().map(|c| campaign_finding(self, c)));
        v
    }
}

fn finding(s: &ScoredCommit) -> Finding {
    let primary = s.primary();
    let rule: &'static RuleMeta = primary.map_or(&AnomalousCommit::META, |c| c.evidence.rule);
    let what = primary.map_or_else(String::new, |c| c.evidence.message.clone());
    // A file deleted since is not in the checkout: point at the commit (the repository root
    // with the commit as its route) and name the path in the note, never as a location.
    let gone = primary.is_some_and(|c| c.evidence.deleted_since);
    let path = primary
        .and_then(|c| c.evidence.path.clone())
        .filter(|_| !gone)
        .unwrap_or_else(|| ".".to_string());
    let mut loc = Location::file(path).with_route(format!("commit {}", s.short()));
    if let Some(e) = primary.map(|c| &c.evidence).filter(|e| e.deleted_since) {
        let at = e.line.map_or_else(String::new, |l| format!(":{l}"));
        loc = loc.with_note(format!(
            "{}{at} at commit {} (deleted since)",
            e.path.as_deref().unwrap_or_default(),
            s.short()
        ));
    } else if let Some(line) = primary.and_then(|c| c.evidence.line) {
        loc = loc.with_note(format!("line {line} at commit {}", s.short()));
    }
    let contributions: Vec<serde_json::Value> = s
        .contributions
        .iter()
        .map(|c| {
            json!({
                "rule": c.evidence.rule.id,
                "role": match c.evidence.role { Role::Change => "change", Role::Context => "context" },
                "weight": round2(c.evidence.weight),
                "applied": round2(c.applied),
                "message": c.evidence.message,
                "path": c.evidence.path,
                "line": c.evidence.line,
                "deleted_since": c.evidence.deleted_since,
                "note": c.note,
            })
        })
        .collect();
    let mut b = Finding::builder(rule)
        .severity(s.severity)
        .confidence(s.confidence)
        .message(format!(
            "commit {} ({}, {}) \"{}\": risk {:.1} — {what}",
            s.short(),
            s.author,
            date(s.time),
            truncate(&s.summary, 72),
            s.score
        ))
        .location(loc)
        .evidence("commit", s.id.clone())
        .evidence("author", s.author.clone())
        .evidence("date", date(s.time))
        .evidence("score", round2(s.score))
        .evidence("anomaly", round2(s.anomaly))
        .evidence("contributions", contributions)
        .key(s.id.clone());
    for c in s.contributions.iter().skip(1) {
        if let Some(p) = &c.evidence.path
            && c.evidence.role == Role::Change
            && !c.evidence.deleted_since
        {
            b = b.location(
                Location::file(p.clone())
                    .with_route(format!("commit {}", s.short()))
                    .with_note(c.evidence.message.clone()),
            );
        }
    }
    // The file a finding about a deleted file is about: path-scoped ignores of the
    // configuration still apply to it.
    if let Some(p) = primary
        .map(|c| &c.evidence)
        .filter(|e| e.deleted_since)
        .and_then(|e| e.path.clone())
    {
        b = b.evidence("deleted_path", p);
    }
    let mut f = b.build();
    // The fingerprint stays the one of the evidence's path, so a baseline entry does not come
    // back when the file is deleted later.
    if let Some(e) = primary.map(|c| &c.evidence).filter(|e| e.deleted_since)
        && let Some(p) = &e.path
    {
        let route = format!("commit {}", s.short());
        f.fingerprint = garrison_report::finding::fingerprint(rule.id, p, &route, &s.id);
    }
    f
}

fn campaign_finding(a: &Analysis, c: &CampaignReport) -> Finding {
    let f = &c.found;
    let (first, last) = f.span();
    let members = &c.members;
    let newest = members.last().map_or("", String::as_str);
    let short = |id: &str| id.get(..10).unwrap_or(id).to_string();
    let scored = |id: &str| a.commits.iter().find(|s| s.id == id);
    let loc_of = |id: &str| {
        let path = scored(id)
            .and_then(ScoredCommit::primary)
            .filter(|p| !p.evidence.deleted_since)
            .and_then(|p| p.evidence.path.clone())
            .unwrap_or_else(|| ".".to_string());
        Location::file(path).with_route(format!("commit {}", short(id)))
    };
    // Member indices and ids come in the same order (oldest first).
    let ids: HashMap<usize, &str> = f
        .commits()
        .into_iter()
        .zip(members.iter().map(String::as_str))
        .collect();
    let sequence: Vec<serde_json::Value> = f
        .events
        .iter()
        .map(|e| {
            json!({
                "date": date(e.time),
                "step": e.step.label(),
                "commit": e.commit.and_then(|i| ids.get(&i).copied()),
                "what": e.what,
                "paths": e.paths,
            })
        })
        .collect();
    let steps: std::collections::BTreeSet<Step> = f.events.iter().map(|e| e.step).collect();
    let mut b = Finding::builder(&campaign::Campaign::META)
        .severity(f.severity)
        .confidence(if steps.len() >= 3 {
            Confidence::High
        } else {
            Confidence::Medium
        })
        .message(format!(
            "campaign by {}, {} commit{} over {} days — {}: {}",
            c.person,
            members.len(),
            if members.len() == 1 { "" } else { "s" },
            crate::rules::days(first, last),
            f.title,
            f.sequence()
        ))
        .location(loc_of(newest).with_note("the campaign's latest commit".to_string()))
        .evidence("campaign", c.key())
        .evidence("pattern", f.pattern)
        .evidence("person", c.person.clone())
        .evidence("members", members.clone())
        .evidence("sequence", sequence)
        .evidence("shared", f.shared.clone())
        .key(c.key());
    for m in members.iter().rev().skip(1) {
        b = b.location(loc_of(m).with_note("member of the campaign".to_string()));
    }
    b.build()
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}
