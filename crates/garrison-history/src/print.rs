//! Text and JSON renderings of a review that the generic report renderers do not give: the
//! ranked commits of `garrison history` / `review` with every contribution and the authors
//! involved, and the contributor list and profiles of `garrison contributors`.

use std::collections::HashSet;
use std::fmt::Write as _;

use garrison_report::{Report, Severity};

use crate::History;
use crate::risk::{Analysis, AuthorSummary, ScoredCommit};
use crate::rules::{Role, date};

/// The ranked risky commits of `cmd` (`history`, `review`) under `title`: the commits of the
/// findings `report` kept (after configuration and baseline), at most `top` (0 = all), each with
/// its contributions, then the authors of the shown commits and the counts per severity.
pub fn ranked(
    history: &History,
    analysis: &Analysis,
    report: &Report,
    top: usize,
    title: &str,
    cmd: &str,
) -> String {
    let kept: HashSet<&str> = report
        .findings
        .iter()
        .filter_map(|f| f.evidence.get("commit").and_then(|v| v.as_str()))
        .collect();
    let mut s = String::new();
    let reported: Vec<&ScoredCommit> = analysis
        .commits
        .iter()
        .filter(|c| kept.contains(c.id.as_str()))
        .collect();
    let total = reported.len();
    let shown = &reported[..if top == 0 { total } else { top.min(total) }];
    let _ = writeln!(
        s,
        "garrison {cmd}: {title}: {} scored, model fitted on {} of this repository",
        commits(analysis.evaluated),
        commits(analysis.fitted)
    );
    if shown.is_empty() {
        let _ = writeln!(s, "\nNo risky commits.");
    }
    for (rank, c) in shown.iter().enumerate() {
        let _ = writeln!(
            s,
            "\n#{:<3} {:<6} risk {:>5.1}  {}  {}  {}",
            rank + 1,
            c.severity.as_str(),
            c.score,
            c.short(),
            date(c.time),
            c.author
        );
        let _ = writeln!(s, "      \"{}\"", c.summary);
        for k in &c.contributions {
            let val = match k.evidence.role {
                Role::Change => format!("+{:.1}", k.applied),
                // Campaign membership and severity floors set a level, not a factor.
                Role::Context if k.applied == 1.0 => String::new(),
                Role::Context => format!("×{:.2}", k.applied),
            };
            let _ = writeln!(
                s,
                "      {:<34} {:>6}  {}",
                k.evidence.rule.id, val, k.evidence.message
            );
            if let Some(n) = &k.note {
                let _ = writeln!(s, "      {:<34} {:>6}  ({n})", "", "");
            }
            if let (Some(p), Some(l)) = (&k.evidence.path, k.evidence.line) {
                let gone = if k.evidence.deleted_since {
                    " (deleted since)"
                } else {
                    ""
                };
                let _ = writeln!(s, "      {:<34} {:>6}  at {p}:{l}{gone}", "", "");
            }
        }
    }
    if total > shown.len() {
        let _ = writeln!(
            s,
            "\n… {} more reported {} (use --top 0 to list all, or --format json).",
            total - shown.len(),
            if total - shown.len() == 1 {
                "commit"
            } else {
                "commits"
            }
        );
    }
    // Campaigns the report kept (after configuration and baseline).
    let kept_campaigns: HashSet<&str> = report
        .findings
        .iter()
        .filter_map(|f| f.evidence.get("campaign").and_then(|v| v.as_str()))
        .collect();
    let campaigns: Vec<_> = analysis
        .campaigns
        .iter()
        .filter(|c| kept_campaigns.contains(c.key().as_str()))
        .collect();
    if !campaigns.is_empty() {
        let _ = writeln!(
            s,
            "\nCampaigns (history/campaign: one person's commits together):"
        );
    }
    for c in &campaigns {
        let f = &c.found;
        let (first, last) = f.span();
        let _ = writeln!(
            s,
            "\n  {:<6} {} — {} ({} → {})",
            f.severity.as_str(),
            f.title,
            c.person,
            date(first),
            date(last)
        );
        for e in &f.events {
            let at = e.commit.and_then(|i| history.commits.get(i)).map_or_else(
                || "          ".to_string(),
                |c| c.id.get(..10).unwrap_or(&c.id).to_string(),
            );
            let _ = writeln!(
                s,
                "    {}  {at}  {:<38} {}",
                date(e.time),
                e.step.label(),
                e.what
            );
        }
        if !f.shared.is_empty() {
            let _ = writeln!(s, "    shared: {}", f.shared.join("; "));
        }
    }
    // Authors of the shown commits.
    let mut names: Vec<&str> = shown.iter().map(|c| c.author.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    if !names.is_empty() {
        let _ = writeln!(s, "\nAuthors of these commits:");
        for a in analysis
            .authors
            .iter()
            .filter(|a| names.contains(&a.label.as_str()))
        {
            let _ = writeln!(s, "  {}", author_line(a));
        }
    }
    let by = |sev: Severity| reported.iter().filter(|c| c.severity == sev).count();
    let _ = writeln!(
        s,
        "\n{} reported{}: {} high, {} medium, {} low, {} info. Rules: `garrison rules history`.",
        total,
        match campaigns.len() {
            0 => String::new(),
            1 => " (1 campaign)".to_string(),
            n => format!(" ({n} campaigns)"),
        },
        by(Severity::High),
        by(Severity::Medium),
        by(Severity::Low),
        by(Severity::Info)
    );
    if history.shallow {
        let _ = writeln!(s, "note: {}.", shallow_note(analysis.fitted));
    }
    if !history.warnings.is_empty() {
        let _ = writeln!(
            s,
            "{} warning(s) while mining (unreadable objects, cache rebuilt); see --format json.",
            history.warnings.len()
        );
    }
    s
}

/// What a report on a shallow clone says: how many commits the model was fitted on, and how to
/// fetch the rest.
pub fn shallow_note(fitted: usize) -> String {
    format!(
        "shallow clone: the model was fitted on only the {} this clone holds, so authors look newer and routine changes rarer than they are; fetch the full history (`git fetch --unshallow`, or `fetch-depth: 0` in actions/checkout)",
        commits(fitted)
    )
}

/// One line about an author: commits, span, share of sensitive commits, rights, reports.
pub fn author_line(a: &AuthorSummary) -> String {
    let st = &a.state;
    let span = match (st.first_seen, st.last_seen) {
        (Some(f), Some(l)) => format!("{} → {}", date(f), date(l)),
        _ => "no commits".to_string(),
    };
    let rights = match (st.rights_since, &st.rights_evidence) {
        (Some(t), Some(e)) => format!("rights since {} ({e})", date(t)),
        _ => "no sign of push/release rights".to_string(),
    };
    let sens = if st.commits > 0 {
        format!(
            "{:.0}% sensitive",
            100.0 * f64::from(st.sensitive) / f64::from(st.commits)
        )
    } else {
        String::new()
    };
    format!(
        "{}: {} {span}, {sens}, {rights}; {} reported, max risk {:.1}",
        a.label,
        commits(st.commits),
        a.flagged,
        a.max_score
    )
}

/// The contributors `garrison contributors` shows: those whose name or email contains `query`
/// (case-insensitive), or else the `top` most active (0 = all).
pub fn select_authors<'a>(
    analysis: &'a Analysis,
    query: Option<&str>,
    top: usize,
) -> Vec<&'a AuthorSummary> {
    match query {
        Some(q) => {
            let q = q.to_lowercase();
            analysis
                .authors
                .iter()
                .filter(|a| {
                    a.names.iter().any(|n| n.to_lowercase().contains(&q))
                        || a.emails.iter().any(|e| e.contains(&q))
                })
                .collect()
        }
        None => analysis
            .authors
            .iter()
            .take(if top == 0 { usize::MAX } else { top })
            .collect(),
    }
}

/// The contributor list: one [`author_line`] each, most active first.
pub fn contributors(history: &History, analysis: &Analysis, shown: &[&AuthorSummary]) -> String {
    let mut s = format!(
        "{} in {} (most active first):\n",
        plural(analysis.authors.len(), "contributor", "contributors"),
        commits(history.commits.len())
    );
    for a in shown {
        let _ = writeln!(s, "  {}", author_line(a));
    }
    s.push_str("\n`garrison contributors --author NAME` shows one profile.\n");
    s
}

fn usual_offsets(a: &AuthorSummary) -> Vec<String> {
    let mut o = a.state.offsets.clone();
    o.sort_by_key(|y| std::cmp::Reverse(y.1));
    o.iter()
        .take(3)
        .map(|(off, n)| {
            let sign = if *off < 0 { '-' } else { '+' };
            format!("UTC{sign}{:02}:{:02} ({n})", off.abs() / 60, off.abs() % 60)
        })
        .collect()
}

/// The smallest set of local hours covering 80% of an author's commits, as a list.
fn active_hours(a: &AuthorSummary) -> String {
    let total: u32 = a.state.hours.iter().sum();
    if total == 0 {
        return String::new();
    }
    let mut hours: Vec<(usize, u32)> = a.state.hours.iter().copied().enumerate().collect();
    hours.sort_by_key(|y| std::cmp::Reverse(y.1));
    let mut covered = 0;
    let mut picked = Vec::new();
    for (h, n) in hours {
        if f64::from(covered) >= 0.8 * f64::from(total) {
            break;
        }
        covered += n;
        picked.push(h);
    }
    picked.sort_unstable();
    picked
        .iter()
        .map(|h| format!("{h:02}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// One contributor's profile: identities and why they were merged, activity, offsets, hours,
/// releases tagged, and their riskiest commits.
pub fn profile(a: &AuthorSummary, analysis: &Analysis) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{}", a.label);
    let _ = writeln!(s, "  names:    {}", a.names.join(", "));
    let _ = writeln!(s, "  emails:   {}", a.emails.join(", "));
    for e in &a.merge_evidence {
        let _ = writeln!(s, "  merged:   {e}");
    }
    let _ = writeln!(s, "  {}", author_line(a));
    let years: Vec<String> = a
        .per_year
        .iter()
        .map(|(y, n)| format!("{y}: {n}"))
        .collect();
    let _ = writeln!(s, "  activity: {}", years.join(", "));
    let _ = writeln!(s, "  offsets:  {}", usual_offsets(a).join(", "));
    let _ = writeln!(s, "  hours:    {} (local; 80% of commits)", active_hours(a));
    if !a.tags.is_empty() {
        let first = a.tags.iter().min_by_key(|t| t.1);
        let last = a.tags.iter().max_by_key(|t| t.1);
        if let (Some(f), Some(l)) = (first, last) {
            let _ = writeln!(
                s,
                "  releases: tagged {} ({} {} → {} {})",
                a.tags.len(),
                f.0,
                date(f.1),
                l.0,
                date(l.1)
            );
        }
    }
    let reported: Vec<&ScoredCommit> = analysis
        .commits
        .iter()
        .filter(|c| c.author == a.label)
        .take(10)
        .collect();
    if !reported.is_empty() {
        let _ = writeln!(s, "  riskiest commits:");
        for c in reported {
            let _ = writeln!(
                s,
                "    {} {:<6} {:>5.1} {} \"{}\"",
                c.short(),
                c.severity.as_str(),
                c.score,
                date(c.time),
                c.summary
            );
        }
    }
    s
}

/// The profiles of `shown`, one after the other.
pub fn profiles(shown: &[&AuthorSummary], analysis: &Analysis) -> String {
    shown
        .iter()
        .map(|a| profile(a, analysis))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The profiles of `shown` as a pretty-printed JSON array, with a trailing newline.
pub fn profiles_json(shown: &[&AuthorSummary], analysis: &Analysis) -> String {
    let v: Vec<serde_json::Value> = shown.iter().map(|a| profile_json(a, analysis)).collect();
    serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"
}

/// One contributor's profile as JSON.
pub fn profile_json(a: &AuthorSummary, analysis: &Analysis) -> serde_json::Value {
    let st = &a.state;
    serde_json::json!({
        "label": a.label,
        "names": a.names,
        "emails": a.emails,
        "merge_evidence": a.merge_evidence,
        "commits": st.commits,
        "sensitive_commits": st.sensitive,
        "first_seen": st.first_seen.map(date),
        "last_seen": st.last_seen.map(date),
        "rights_since": st.rights_since.map(date),
        "rights_evidence": st.rights_evidence,
        "per_year": a.per_year,
        "utc_offsets_minutes": st.offsets,
        "hours": st.hours,
        "tags": a.tags.iter().map(|(n, t)| serde_json::json!({"name": n, "date": date(*t)})).collect::<Vec<_>>(),
        "reported_commits": analysis.commits.iter().filter(|c| c.author == a.label).map(|c| serde_json::json!({
            "commit": c.id, "score": (c.score * 100.0).round() / 100.0, "severity": c.severity, "summary": c.summary,
        })).collect::<Vec<_>>(),
    })
}

/// `1 commit`, `2 commits`.
pub fn commits<N: std::fmt::Display + PartialEq + From<u8>>(n: N) -> String {
    plural(n, "commit", "commits")
}

fn plural<N: std::fmt::Display + PartialEq + From<u8>>(n: N, one: &str, many: &str) -> String {
    let word = if n == N::from(1) { one } else { many };
    format!("{n} {word}")
}
