//! `garrison history`, `garrison review`, `garrison contributors`: arguments →
//! garrison-history's options → the review → output. The mining policy, `--since` and the
//! renderers are garrison-history's (`review`, `print`); the history part of `garrison scan` is
//! garrison-scan's.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Result, bail};
use garrison_cli::{
    ContributorsArgs, HistoryArgs, HistoryFilter, MiningArgs, OutputArgs, OutputFormat,
    ProfileFormat, ReviewArgs,
};
use garrison_history::review;
use garrison_history::{
    Analysis, AnalyzeOptions, History, Mined, Mining, OnProgress, analyze, default_cache_dir,
    mine_for, parse_range, parse_since, print, repository_root,
};
use garrison_report::config::{Baseline, Config};
use garrison_report::{FileError, Report, Severity};

use crate::output::{Output, eprintln, write_output};
use crate::progress::Progress;

/// Mining progress drawn on `progress`.
fn on_progress(progress: &Progress) -> Option<OnProgress> {
    progress
        .callback()
        .map(|f| OnProgress::new(move |done, total| f(done as u64, total as u64)))
}

/// The mining options of `m`, reporting progress on `progress`.
fn mining(m: &MiningArgs, progress: &Progress) -> Mining {
    Mining {
        max_commits: m.max_commits,
        cache: (!m.no_cache).then(|| m.cache_dir.clone().unwrap_or_else(default_cache_dir)),
        threads: m.threads,
        progress: on_progress(progress),
    }
}

/// Mines `path` for `range` with a progress bar (on a terminal only).
fn mine(path: &Path, range: Option<(String, String)>, m: &MiningArgs) -> Result<Mined> {
    let progress = Progress::new("mining", 0);
    Ok(mine_for(path, range, &mining(m, &progress))?)
}

/// `abc1234567` for a full id.
fn short(id: &str) -> &str {
    id.get(..10).unwrap_or(id)
}

/// What an empty range says instead of a ranking: `no commits to review in HEAD..v1.8.0
/// (1a2b3c4d5e..1a2b3c4d5e)`.
fn no_commits(range: &(String, String), mined: &Mined) -> String {
    let (b, h) = range;
    let ids = match (&mined.base, &mined.history.head) {
        (Some(base), Some(head)) => format!(" ({}..{})", short(base), short(head)),
        _ => String::new(),
    };
    format!("no commits to review in {b}..{h}{ids}")
}

/// The repository of a history command (found upward from `path`, like git), its configuration
/// and baseline, read before mining so a bad input fails at once (the baseline before the
/// repository is looked for).
fn inputs(path: &Path, filter: &HistoryFilter) -> Result<(PathBuf, (Config, Option<Baseline>))> {
    exists(path)?;
    let baseline = match &filter.baseline {
        Some(b) => Some(Baseline::load(b)?),
        None => None,
    };
    let root = repository_root(path)?;
    let cfg = garrison_scan::load_config(&root, filter.config.as_deref(), false)?;
    Ok((root, (cfg, baseline)))
}

/// What a history command reports and how.
struct Ranked<'a> {
    filter: &'a HistoryFilter,
    output: &'a OutputArgs,
    top: usize,
    default_fail: Severity,
    title: String,
    cmd: &'a str,
    /// An empty range: said instead of the ranking (the report has no findings).
    empty: Option<String>,
}

fn finish(
    path: &Path,
    (mut cfg, baseline): (Config, Option<Baseline>),
    history: &History,
    analysis: &Analysis,
    r: &Ranked<'_>,
) -> Result<ExitCode> {
    let (filter, output, top, title, cmd) = (r.filter, r.output, r.top, &r.title, r.cmd);
    let text = output.format == OutputFormat::Text;
    let default_min = if text { Severity::Info } else { Severity::Low };
    cfg.min_severity = Some(
        filter
            .min_severity
            .or(cfg.min_severity)
            .unwrap_or(default_min),
    );
    cfg.fail_on = filter.fail_on.or(cfg.fail_on);
    let render = |report: &Report| match &r.empty {
        Some(empty) if history.shallow => format!(
            "garrison {cmd}: {empty}\nnote: {}.\n",
            print::shallow_note(analysis.fitted)
        ),
        Some(empty) => format!("garrison {cmd}: {empty}\n"),
        None => print::ranked(history, analysis, report, top, title, cmd),
    };
    let out = Output {
        default_fail_on: r.default_fail,
        errors_fail: false,
        sort: false,
        text: Some(&render),
        ..Output::of(output)
    };
    let mut report = review::report(path, analysis, history);
    if history.shallow {
        // Said in every format: a JSON or SARIF consumer learns how little the model saw.
        report.errors.insert(
            0,
            FileError {
                path: ".git".into(),
                line: None,
                column: None,
                message: print::shallow_note(analysis.fitted),
            },
        );
    }
    crate::output::finish(report, &cfg, baseline.as_ref(), &out)
}

fn exists(path: &Path) -> Result<()> {
    if !path.exists() {
        bail!("{}: no such file or directory", path.display());
    }
    Ok(())
}

/// `garrison history`.
pub fn run_history(args: &HistoryArgs) -> Result<ExitCode> {
    let (path, range) = match args.args.as_slice() {
        [one] if !Path::new(one).exists() && parse_range(one).is_some() => {
            (PathBuf::from("."), parse_range(one))
        }
        [one] => (PathBuf::from(one), None),
        [p, r] => match parse_range(r) {
            Some(r) => (PathBuf::from(p), Some(r)),
            None => bail!("`{r}`: expected a revision range BASE..HEAD"),
        },
        _ => (PathBuf::from("."), None),
    };
    let since = match &args.since {
        Some(s) => Some(parse_since(s).map_err(|e| anyhow::anyhow!("--since {e}"))?),
        None => None,
    };
    let (path, inputs) = inputs(&path, &args.filter)?;
    let t0 = std::time::Instant::now();
    let mined = mine(&path, range.clone(), &args.mining)?;
    let t1 = std::time::Instant::now();
    let analysis = analyze(
        &mined.history,
        &AnalyzeOptions {
            since,
            pending: mined.pending.clone(),
            review: range.is_some(),
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
        (Some((b, h)), _) => format!("{b}..{h} ({} commits)", mined.pending.len()),
        (None, Some(s)) => format!("commits since {s}"),
        (None, None) => "all commits".to_string(),
    };
    let empty = match &range {
        Some(range) if mined.empty => Some(no_commits(range, &mined)),
        _ => None,
    };
    let ranked = Ranked {
        filter: &args.filter,
        output: &args.output,
        top: args.top,
        default_fail: Severity::High,
        title,
        cmd: "history",
        empty,
    };
    finish(&path, inputs, &mined.history, &analysis, &ranked)
}

/// `garrison review`.
pub fn run_review(args: &ReviewArgs) -> Result<ExitCode> {
    let Some(range) = parse_range(&args.range) else {
        bail!("`{}`: expected a revision range BASE..HEAD", args.range);
    };
    let (path, inputs) = inputs(&args.path, &args.filter)?;
    let mined = mine(&path, Some(range.clone()), &args.mining)?;
    let analysis = analyze(
        &mined.history,
        &AnalyzeOptions {
            since: None,
            pending: mined.pending.clone(),
            review: true,
        },
    );
    let empty = mined.empty.then(|| no_commits(&range, &mined));
    let ranked = Ranked {
        filter: &args.filter,
        output: &args.output,
        top: 0,
        default_fail: Severity::Medium,
        title: format!(
            "{} ({} under review)",
            args.range,
            garrison_history::print::commits(mined.pending.len())
        ),
        cmd: "review",
        empty,
    };
    finish(&path, inputs, &mined.history, &analysis, &ranked)
}

/// `garrison contributors`.
pub fn run_contributors(args: &ContributorsArgs) -> Result<ExitCode> {
    exists(&args.path)?;
    let path = repository_root(&args.path)?;
    let history = mine(&path, None, &args.mining)?.history;
    let analysis = analyze(&history, &AnalyzeOptions::default());
    let wanted = print::select_authors(&analysis, args.author.as_deref(), args.top);
    if wanted.is_empty() {
        bail!(
            "no contributor matches `{}`",
            args.author.as_deref().unwrap_or("")
        );
    }
    let text = match args.format {
        ProfileFormat::Json => print::profiles_json(&wanted, &analysis),
        ProfileFormat::Text if args.author.is_some() => print::profiles(&wanted, &analysis),
        ProfileFormat::Text => print::contributors(&history, &analysis, &wanted),
    };
    write_output(None, &text)?;
    Ok(ExitCode::SUCCESS)
}
