//! `garrison history`, `garrison review`, `garrison contributors`, and the history part of
//! `garrison scan`.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Result, bail};
use garrison_history::rules::date;
use garrison_history::{
    Analysis, AnalyzeOptions, AuthorSummary, History, MineOptions, ScoredCommit, analyze,
    default_cache_dir, mine, mine_cached,
};
use garrison_report::config::{Baseline, Config};
use garrison_report::not_evaluated::NotEvaluated;
use garrison_report::{FileError, Finding, Location, Report, Severity};

use crate::cli::{
    ContributorsArgs, HistoryArgs, HistoryFilter, MiningArgs, OutputArgs, OutputFormat, ReviewArgs,
};
use crate::output::{Output, eprintln, write_output};

/// Default window of recent history that `garrison scan` reviews.
pub const DEFAULT_SCAN_WINDOW: &str = "90d";

/// Parses `--since` (see [`garrison_source::time::parse_since`]).
pub fn parse_since(s: &str) -> Result<i64> {
    Ok(garrison_source::time::parse_since(
        s,
        garrison_source::time::now(),
    )?)
}

fn split_range(r: &str) -> Option<(String, String)> {
    let (a, b) = r.split_once("..")?;
    if a.is_empty() || b.is_empty() || b.starts_with('.') {
        return None;
    }
    Some((a.to_string(), b.to_string()))
}

fn mine_opts(m: &MiningArgs) -> MineOptions {
    MineOptions {
        max_commits: m.max_commits,
        threads: m.threads,
        ..MineOptions::default()
    }
}

fn mine_with(path: &Path, opts: &MineOptions, m: &MiningArgs) -> Result<History> {
    let h = if m.no_cache {
        mine(path, opts)?
    } else {
        let dir = m.cache_dir.clone().unwrap_or_else(default_cache_dir);
        mine_cached(path, opts, &dir)?
    };
    Ok(h)
}

/// Mine the history for reporting on `range` (or all of HEAD): for a range, the base's history
/// (for calibration and profiles) plus the range's commits, which are returned as pending.
fn mine_for(
    path: &Path,
    range: Option<(String, String)>,
    m: &MiningArgs,
) -> Result<(History, HashSet<String>)> {
    let opts = mine_opts(m);
    match range {
        None => Ok((mine_with(path, &opts, m)?, HashSet::new())),
        Some((base, head)) => {
            let pr = mine_with(
                path,
                &MineOptions {
                    range: Some((base.clone(), head)),
                    ..opts.clone()
                },
                m,
            )?;
            let mut all = mine_with(
                path,
                &MineOptions {
                    tip: Some(base),
                    ..opts
                },
                m,
            )?;
            let pending: HashSet<String> = pr.commits.iter().map(|c| c.id.clone()).collect();
            all.commits.extend(pr.commits);
            all.commits
                .sort_by_key(|c| std::cmp::Reverse(c.commit_time));
            all.head = pr.head;
            all.warnings.extend(pr.warnings);
            Ok((all, pending))
        }
    }
}

fn load_config(path: &Path, file: Option<&Path>) -> Result<Config> {
    crate::registry::load_config(path, file, false)
}

fn report_of(path: &Path, analysis: &Analysis, history: &History) -> Report {
    let mut report = Report {
        root: path.display().to_string(),
        findings: analysis.findings(),
        files_scanned: analysis.evaluated,
        ..Report::default()
    };
    report.rules.extend(garrison_history::registry::rules());
    for w in history.warnings.iter().take(50) {
        report.errors.push(FileError {
            path: ".git".into(),
            line: None,
            column: None,
            message: w.clone(),
        });
    }
    report
}

#[allow(clippy::too_many_arguments)]
fn finish(
    path: &Path,
    history: &History,
    analysis: &Analysis,
    filter: &HistoryFilter,
    output: &OutputArgs,
    top: usize,
    default_fail: Severity,
    title: &str,
    cmd: &str,
) -> Result<ExitCode> {
    let cfg = load_config(path, filter.config.as_deref())?;
    let baseline = match &filter.baseline {
        Some(b) => Some(Baseline::load(b)?),
        None => None,
    };
    let report = report_of(path, analysis, history);
    let text = output.format == OutputFormat::Text;
    let min = filter.min_severity.or(cfg.min_severity).unwrap_or(if text {
        Severity::Info
    } else {
        Severity::Low
    });
    let mut cfg = cfg;
    cfg.min_severity = Some(min);
    cfg.fail_on = filter.fail_on.or(cfg.fail_on);
    let render_text = |report: &Report| {
        let kept: HashSet<String> = report
            .findings
            .iter()
            .filter_map(|f| {
                f.evidence
                    .get("commit")
                    .and_then(|v| v.as_str())
                    .map(String::from)
            })
            .collect();
        render_text(history, analysis, &kept, top, title, cmd)
    };
    let out = Output {
        default_fail_on: default_fail,
        errors_fail: false,
        sort: false,
        text: Some(&render_text),
        ..Output::of(output)
    };
    crate::output::finish(report, &cfg, baseline.as_ref(), &out)
}

/// `garrison history`.
pub fn run_history(args: &HistoryArgs) -> Result<ExitCode> {
    let (path, range) = match args.args.as_slice() {
        [one] if !Path::new(one).exists() && split_range(one).is_some() => {
            (PathBuf::from("."), split_range(one))
        }
        [one] => (PathBuf::from(one), None),
        [p, r] => match split_range(r) {
            Some(r) => (PathBuf::from(p), Some(r)),
            None => bail!("`{r}`: expected a revision range BASE..HEAD"),
        },
        _ => (PathBuf::from("."), None),
    };
    if !path.exists() {
        bail!("{}: no such file or directory", path.display());
    }
    let since = args.since.as_deref().map(parse_since).transpose()?;
    let t0 = std::time::Instant::now();
    let (history, pending) = mine_for(&path, range.clone(), &args.mining)?;
    let t1 = std::time::Instant::now();
    let analysis = analyze(
        &history,
        &AnalyzeOptions {
            since,
            pending: pending.clone(),
        },
    );
    if std::env::var_os("GARRISON_TIMINGS").is_some() {
        eprintln(&format!(
            "garrison: mined in {:.3} s, analysed in {:.3} s",
            (t1 - t0).as_secs_f64(),
            t1.elapsed().as_secs_f64()
        ));
    }
    let title = match (&range, &args.since) {
        (Some((b, h)), _) => format!("{b}..{h} ({} commits)", pending.len()),
        (None, Some(s)) => format!("commits since {s}"),
        (None, None) => "all commits".to_string(),
    };
    finish(
        &path,
        &history,
        &analysis,
        &args.filter,
        &args.output,
        args.top,
        Severity::High,
        &title,
        "history",
    )
}

/// `garrison review`.
pub fn run_review(args: &ReviewArgs) -> Result<ExitCode> {
    let Some(range) = split_range(&args.range) else {
        bail!("`{}`: expected a revision range BASE..HEAD", args.range);
    };
    if !args.path.exists() {
        bail!("{}: no such file or directory", args.path.display());
    }
    let (history, pending) = mine_for(&args.path, Some(range), &args.mining)?;
    let analysis = analyze(
        &history,
        &AnalyzeOptions {
            since: None,
            pending: pending.clone(),
        },
    );
    let title = format!("{} ({} commits under review)", args.range, pending.len());
    finish(
        &args.path,
        &history,
        &analysis,
        &args.filter,
        &args.output,
        0,
        Severity::Medium,
        &title,
        "review",
    )
}

fn render_text(
    history: &History,
    analysis: &Analysis,
    kept: &HashSet<String>,
    top: usize,
    title: &str,
    cmd: &str,
) -> String {
    let mut s = String::new();
    let shown: Vec<&ScoredCommit> = analysis
        .commits
        .iter()
        .filter(|c| kept.contains(&c.id))
        .take(if top == 0 { usize::MAX } else { top })
        .collect();
    let total = analysis
        .commits
        .iter()
        .filter(|c| kept.contains(&c.id))
        .count();
    let _ = writeln!(
        s,
        "garrison {cmd}: {title}: {} commits scored, model fitted on {} commits of this repository",
        analysis.evaluated, analysis.fitted
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
                garrison_history::rules::Role::Change => format!("+{:.1}", k.applied),
                garrison_history::rules::Role::Context => format!("×{:.2}", k.applied),
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
                let _ = writeln!(s, "      {:<34} {:>6}  at {p}:{l}", "", "");
            }
        }
    }
    if total > shown.len() {
        let _ = writeln!(
            s,
            "\n… {} more reported commits (use --top 0 to list all, or --format json).",
            total - shown.len()
        );
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
    let by = |sev: Severity| {
        analysis
            .commits
            .iter()
            .filter(|c| kept.contains(&c.id) && c.severity == sev)
            .count()
    };
    let _ = writeln!(
        s,
        "\n{} reported: {} high, {} medium, {} low, {} info. Rules: `garrison rules history`.",
        total,
        by(Severity::High),
        by(Severity::Medium),
        by(Severity::Low),
        by(Severity::Info)
    );
    if history.shallow {
        let _ = writeln!(
            s,
            "note: shallow clone: only part of the history is visible, so authors look newer and routine changes rarer than they are; fetch the full history (`git fetch --unshallow`)."
        );
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

fn author_line(a: &AuthorSummary) -> String {
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
        "{}: {} commits {span}, {sens}, {rights}; {} reported, max risk {:.1}",
        a.label, st.commits, a.flagged, a.max_score
    )
}

/// `garrison contributors`.
pub fn run_contributors(args: &ContributorsArgs) -> Result<ExitCode> {
    if !args.path.exists() {
        bail!("{}: no such file or directory", args.path.display());
    }
    let (history, _) = mine_for(&args.path, None, &args.mining)?;
    let analysis = analyze(&history, &AnalyzeOptions::default());
    let wanted: Vec<&AuthorSummary> = match &args.author {
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
            .take(if args.top == 0 { usize::MAX } else { args.top })
            .collect(),
    };
    if wanted.is_empty() {
        bail!(
            "no contributor matches `{}`",
            args.author.as_deref().unwrap_or("")
        );
    }
    let text = if args.format == OutputFormat::Json {
        let v: Vec<serde_json::Value> = wanted.iter().map(|a| profile_json(a, &analysis)).collect();
        serde_json::to_string_pretty(&v)? + "\n"
    } else if args.author.is_some() {
        wanted
            .iter()
            .map(|a| profile_text(a, &analysis))
            .collect::<Vec<_>>()
            .join("\n")
    } else {
        let mut s = format!(
            "{} contributors in {} commits (most active first):\n",
            analysis.authors.len(),
            history.commits.len()
        );
        for a in &wanted {
            let _ = writeln!(s, "  {}", author_line(a));
        }
        s.push_str("\n`garrison contributors --author NAME` shows one profile.\n");
        s
    };
    write_output(None, &text)?;
    Ok(ExitCode::SUCCESS)
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

fn active_hours(a: &AuthorSummary) -> String {
    let total: u32 = a.state.hours.iter().sum();
    if total == 0 {
        return String::new();
    }
    // The smallest set of hours covering 80% of commits, as a list.
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

fn profile_text(a: &AuthorSummary, analysis: &Analysis) -> String {
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

fn profile_json(a: &AuthorSummary, analysis: &Analysis) -> serde_json::Value {
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

/// The history part of `garrison scan`: risky commits of the recent window, when the checkout
/// is a git repository.
pub fn add_to_scan(
    report: &mut Report,
    path: &Path,
    cfg: &Config,
    selected: &dyn Fn(&str) -> bool,
) {
    let window = cfg
        .history_window
        .as_deref()
        .unwrap_or(DEFAULT_SCAN_WINDOW)
        .trim()
        .to_string();
    if window == "off" {
        return;
    }
    let rules = garrison_history::registry::rules();
    if !rules.iter().any(|r| selected(r.id)) {
        return;
    }
    let since = if window == "all" {
        None
    } else {
        match parse_since(&window) {
            Ok(t) => Some(t),
            Err(e) => {
                report.errors.push(FileError {
                    path: "garrison.toml".into(),
                    line: None,
                    column: None,
                    message: format!("history-window: {e}"),
                });
                return;
            }
        }
    };
    if !path.join(".git").exists() {
        if selected(NotEvaluated::META.id) {
            report
                .findings
                .push(not_evaluated("not a git checkout (no .git)"));
        }
        return;
    }
    let m = MiningArgs {
        max_commits: None,
        no_cache: false,
        cache_dir: None,
        threads: 0,
    };
    match mine_for(path, None, &m) {
        Ok((history, _)) => {
            if history.shallow && selected(NotEvaluated::META.id) {
                report.findings.push(not_evaluated(
                    "shallow clone: fetch the full history (`git fetch --unshallow`, or `fetch-depth: 0` in actions/checkout) so authors and routine changes can be judged",
                ));
            }
            let analysis = analyze(
                &history,
                &AnalyzeOptions {
                    since,
                    pending: HashSet::new(),
                },
            );
            report.findings.extend(
                analysis
                    .findings()
                    .into_iter()
                    .filter(|f| selected(&f.rule)),
            );
            report
                .rules
                .extend(rules.into_iter().filter(|r| selected(r.id)));
        }
        Err(e) => {
            eprintln(&format!("garrison: history not reviewed: {e}"));
            if selected(NotEvaluated::META.id) {
                report.findings.push(not_evaluated(&format!(
                    "the git history could not be read: {e}"
                )));
            }
        }
    }
}

fn not_evaluated(reason: &str) -> Finding {
    Finding::builder(&NotEvaluated::META)
        .message(format!(
            "not evaluated: contribution-risk review of recent commits ({reason})"
        ))
        .severity(Severity::Info)
        .location(Location::file("."))
        .evidence("check", "history")
        .evidence("reason", reason.to_string())
        .help("scan a git clone (not an export) to review recent commits, or run `garrison history PATH`")
        .key("history")
        .build()
}
