//! The HTML pages: askama templates (`templates/`) and the views they render, built from the
//! store's rows ([`crate::model`]) and the item catalogue. Building a view only arranges and
//! counts stored verdicts; no analysis happens here.

use std::collections::{BTreeMap, BTreeSet};

use askama::Template;
use garrison_fleet::{Item, SpecMeta};

use crate::badge::BadgeState;
use crate::chart::{adoption_chart, endorsement_chart};
use crate::model::{Evidence, Project, Scan, TimelineRow};

/// `text` percent-encoded as one URL path segment (everything but RFC 3986 unreserved).
pub fn segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The page of a project.
pub fn project_href(name: &str) -> String {
    format!("/projects/{}", segment(name))
}

/// The page of an item (`spec8/x` → `/items/spec8/x`).
pub fn item_href(id: &str) -> String {
    let segs: Vec<String> = id.split('/').map(segment).collect();
    format!("/items/{}", segs.join("/"))
}

/// The verified badge of a project.
pub fn badge_href(name: &str, spec: u32) -> String {
    format!("/badge/{}/spec{spec}.svg", segment(name))
}

/// The badge state of `spec` for a project's latest scan.
pub fn badge_state(scan: Option<&Scan>, spec: u32) -> BadgeState {
    let Some(scan) = scan.filter(|s| s.error.is_none()) else {
        return BadgeState::NotEvaluated;
    };
    let of = scan.verdicts.iter().filter(|v| v.spec == spec);
    let evaluated = of
        .clone()
        .filter(|v| v.status == "holds" || v.status == "fails")
        .count();
    let holds = of.filter(|v| v.status == "holds").count();
    if scan.adopted.contains(&spec) && evaluated > 0 {
        BadgeState::Adopted
    } else if evaluated == 0 {
        BadgeState::NotEvaluated
    } else {
        BadgeState::Partial { holds, evaluated }
    }
}

/// The link of `path:line` at `commit` in a github.com repository, when all are known and safe.
pub fn source_link(
    repository: Option<&str>,
    commit: Option<&str>,
    path: &str,
    line: Option<u32>,
) -> Option<String> {
    let repo = repository?
        .strip_prefix("https://github.com/")?
        .trim_end_matches('/')
        .trim_end_matches(".git");
    let mut parts = repo.split('/');
    let (owner, name) = (parts.next()?, parts.next()?);
    let ok = |s: &str| {
        !s.is_empty()
            && s != "."
            && s != ".."
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    };
    if parts.next().is_some() || !ok(owner) || !ok(name) {
        return None;
    }
    let commit = commit?;
    if !(7..=64).contains(&commit.len()) || !commit.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let segs: Vec<&str> = path.split('/').collect();
    if segs.iter().any(|s| s.is_empty() || *s == "." || *s == "..") {
        return None;
    }
    let path: Vec<String> = segs.iter().map(|s| segment(s)).collect();
    let anchor = line.map(|l| format!("#L{l}")).unwrap_or_default();
    Some(format!(
        "https://github.com/{owner}/{name}/blob/{commit}/{}{anchor}",
        path.join("/")
    ))
}

/// A fix text split at backticks: (is code, text) runs, so `uses:` renders as code.
pub fn code_spans(text: &str) -> Vec<(bool, String)> {
    text.split('`')
        .enumerate()
        .filter(|(_, t)| !t.is_empty())
        .map(|(i, t)| (i % 2 == 1, t.to_string()))
        .collect()
}

fn status_class(status: &str) -> &'static str {
    match status {
        "holds" => "status-holds",
        "fails" => "status-fails",
        "not-evaluated" => "status-not-evaluated",
        "not-applicable" => "status-not-applicable",
        "scan failed" => "status-error",
        _ => "status-none",
    }
}

/// A link with its text.
pub struct Link {
    /// Text.
    pub name: String,
    /// Target.
    pub href: String,
}

/// Evidence as shown.
pub struct EvidenceView {
    /// `path:line`.
    pub location: Option<String>,
    /// Its link at the scanned commit.
    pub link: Option<String>,
    /// The message.
    pub message: String,
    /// The rule.
    pub rule: String,
}

fn evidence_views(scan: &Scan, evidence: &[Evidence]) -> Vec<EvidenceView> {
    evidence
        .iter()
        .map(|e| EvidenceView {
            location: e.path.as_ref().map(|p| match e.line {
                Some(l) => format!("{p}:{l}"),
                None => p.clone(),
            }),
            link: e.path.as_deref().and_then(|p| {
                source_link(
                    scan.repository.as_deref(),
                    scan.commit.as_deref(),
                    p,
                    e.line,
                )
            }),
            message: e.message.clone(),
            rule: e.rule.clone(),
        })
        .collect()
}

/// One SPEC on the overview.
pub struct SpecView {
    /// Number.
    pub number: u32,
    /// Title.
    pub title: String,
    /// Date.
    pub date: String,
    /// Adoption chart (SVG markup built by [`crate::chart`], numbers and escaped text only).
    pub chart: String,
    /// Endorsement chart.
    pub endorse_chart: String,
    /// The chart's numbers.
    pub points: Vec<(String, u32)>,
    /// Projects adopting it in their latest scan.
    pub adopted_now: usize,
    /// Endorsing core projects.
    pub endorsers: Vec<Link>,
    /// Its items.
    pub items: Vec<ItemSummary>,
}

/// An item on the overview.
pub struct ItemSummary {
    /// Id.
    pub id: String,
    /// Link.
    pub href: String,
    /// Title.
    pub title: String,
    /// Projects failing it.
    pub failing: usize,
}

/// One cell of the project table.
pub struct Cell {
    /// Text.
    pub text: String,
    /// CSS class.
    pub class: &'static str,
}

/// One project row on the overview.
pub struct ProjectLine {
    /// Name.
    pub name: String,
    /// Link.
    pub href: String,
    /// Core.
    pub core: bool,
    /// One per SPEC.
    pub cells: Vec<Cell>,
    /// Scan error.
    pub error: Option<String>,
    /// When scanned.
    pub taken: String,
}

/// `/`.
#[derive(Template)]
#[template(path = "overview.html")]
pub struct Overview {
    /// SPECs.
    pub specs: Vec<SpecView>,
    /// SPEC numbers (table columns).
    pub spec_numbers: Vec<u32>,
    /// Projects.
    pub projects: Vec<ProjectLine>,
}

fn cell(state: BadgeState, scanned: bool) -> Cell {
    let class = match state {
        BadgeState::Adopted => "adopted",
        BadgeState::Partial { .. } => "partial",
        BadgeState::NotEvaluated => "status-not-evaluated",
    };
    Cell {
        text: if scanned {
            state.text()
        } else {
            "not scanned".into()
        },
        class,
    }
}

/// Builds the overview.
pub fn overview(
    specs: &[SpecMeta],
    items: &[Item],
    projects: &[Project],
    latest: &[Scan],
    adoption: &[(u32, Vec<(String, u32)>)],
) -> Overview {
    let by_name: BTreeMap<&str, &Scan> = latest.iter().map(|s| (s.project.as_str(), s)).collect();
    let spec_views = specs
        .iter()
        .map(|spec| {
            let points = adoption
                .iter()
                .find(|(n, _)| *n == spec.number)
                .map(|(_, p)| p.clone())
                .unwrap_or_default();
            let endorsers: Vec<Link> = projects
                .iter()
                .filter(|p| p.core && p.endorses.contains(&spec.number))
                .map(|p| Link {
                    name: p.name.clone(),
                    href: project_href(&p.name),
                })
                .collect();
            SpecView {
                number: spec.number,
                title: spec.title.clone(),
                date: spec.date.clone(),
                chart: adoption_chart(spec.number, spec.month(), &points),
                endorse_chart: endorsement_chart(
                    spec.number,
                    u32::try_from(endorsers.len()).unwrap_or(u32::MAX),
                ),
                points,
                adopted_now: latest
                    .iter()
                    .filter(|s| s.error.is_none() && s.adopted.contains(&spec.number))
                    .count(),
                endorsers,
                items: items
                    .iter()
                    .filter(|i| i.spec == spec.number)
                    .map(|i| ItemSummary {
                        id: i.id.clone(),
                        href: item_href(&i.id),
                        title: i.title.clone(),
                        failing: latest
                            .iter()
                            .filter(|s| {
                                s.verdicts
                                    .iter()
                                    .any(|v| v.item == i.id && v.status == "fails")
                            })
                            .count(),
                    })
                    .collect(),
            }
        })
        .collect();
    let lines = projects
        .iter()
        .map(|p| {
            let scan = by_name.get(p.name.as_str()).copied();
            ProjectLine {
                name: p.name.clone(),
                href: project_href(&p.name),
                core: p.core,
                cells: specs
                    .iter()
                    .map(|s| cell(badge_state(scan, s.number), scan.is_some()))
                    .collect(),
                error: scan.and_then(|s| s.error.clone()),
                taken: scan.map_or_else(|| "never".into(), |s| s.taken_at.clone()),
            }
        })
        .collect();
    Overview {
        specs: spec_views,
        spec_numbers: specs.iter().map(|s| s.number).collect(),
        projects: lines,
    }
}

/// An item on a project page.
pub struct ItemLine {
    /// Id.
    pub id: String,
    /// Anchor.
    pub anchor: String,
    /// Link.
    pub href: String,
    /// Title.
    pub title: String,
    /// Status.
    pub status: String,
    /// CSS class.
    pub class: &'static str,
    /// Evidence.
    pub evidence: Vec<EvidenceView>,
    /// How to fix it, as (is code, text) runs.
    pub fix: Vec<(bool, String)>,
    /// Whether the fix is worth showing (not when it holds or does not apply).
    pub show_fix: bool,
}

/// One SPEC on a project page.
pub struct ProjectSpec {
    /// Number.
    pub number: u32,
    /// Title.
    pub title: String,
    /// Badge link.
    pub badge_url: String,
    /// Badge text.
    pub badge_text: String,
    /// Markdown to embed the badge.
    pub markdown: String,
    /// One line.
    pub summary: String,
    /// Items.
    pub items: Vec<ItemLine>,
}

/// A timeline row.
pub struct TimelineLine {
    /// Month.
    pub month: String,
    /// (short, class, status) per item.
    pub cells: Vec<(&'static str, &'static str, String)>,
}

/// The timeline table.
pub struct Timeline {
    /// Item ids (columns).
    pub items: Vec<String>,
    /// Newest month first.
    pub rows: Vec<TimelineLine>,
}

/// The last scan as shown.
pub struct ScanView {
    /// Taken at.
    pub taken_at: String,
    /// Kind.
    pub kind: String,
    /// Commit.
    pub commit: Option<String>,
    /// Repository.
    pub repository: Option<String>,
    /// Error.
    pub error: Option<String>,
}

/// `/projects/{name}`.
#[derive(Template)]
#[template(path = "project.html")]
pub struct ProjectPage {
    /// Name.
    pub name: String,
    /// Core.
    pub core: bool,
    /// Organisation.
    pub org: Option<String>,
    /// (repository, link).
    pub repositories: Vec<(String, Option<String>)>,
    /// PyPI names.
    pub pypi: Vec<String>,
    /// SPECs endorsed.
    pub endorses: Vec<u32>,
    /// Last scan.
    pub scan: Option<ScanView>,
    /// Per SPEC.
    pub specs: Vec<ProjectSpec>,
    /// Timeline.
    pub timeline: Timeline,
}

fn short(status: &str) -> &'static str {
    match status {
        "holds" => "H",
        "fails" => "F",
        "not-evaluated" => "N",
        "not-applicable" => "–",
        _ => "?",
    }
}

/// Builds a project page. `base` is the public URL of the server, for the badge's Markdown.
pub fn project(
    specs: &[SpecMeta],
    items: &[Item],
    project: &Project,
    scan: Option<&Scan>,
    timeline: &[TimelineRow],
    base: &str,
) -> ProjectPage {
    let spec_views = specs
        .iter()
        .map(|spec| {
            let state = badge_state(scan, spec.number);
            let mut lines: Vec<ItemLine> = items
                .iter()
                .filter(|i| i.spec == spec.number)
                .map(|i| {
                    let v = scan.and_then(|s| s.verdicts.iter().find(|v| v.item == i.id));
                    let status = match (scan, v) {
                        (Some(s), _) if s.error.is_some() => "scan failed",
                        (_, Some(v)) => v.status.as_str(),
                        _ => "not scanned",
                    };
                    ItemLine {
                        id: i.id.clone(),
                        anchor: i.id.replace('/', "-"),
                        href: item_href(&i.id),
                        title: i.title.clone(),
                        status: status.to_string(),
                        class: status_class(status),
                        evidence: match (scan, v) {
                            (Some(s), Some(v)) => evidence_views(s, &v.evidence),
                            _ => Vec::new(),
                        },
                        fix: code_spans(&i.fix),
                        show_fix: !matches!(status, "holds" | "not-applicable"),
                    }
                })
                .collect();
            // Stored verdicts of items the catalogue no longer has still show.
            if let Some(s) = scan {
                for v in s
                    .verdicts
                    .iter()
                    .filter(|v| v.spec == spec.number && !items.iter().any(|i| i.id == v.item))
                {
                    lines.push(ItemLine {
                        id: v.item.clone(),
                        anchor: v.item.replace('/', "-"),
                        href: item_href(&v.item),
                        title: "(no longer in Garrison's catalogue)".into(),
                        status: v.status.clone(),
                        class: status_class(&v.status),
                        evidence: evidence_views(s, &v.evidence),
                        fix: Vec::new(),
                        show_fix: false,
                    });
                }
            }
            let summary = match state {
                BadgeState::Adopted => format!(
                    "{} adopts SPEC {} as far as Garrison can check.",
                    project.name, spec.number
                ),
                BadgeState::Partial { holds, evaluated } => format!(
                    "{holds} of the {evaluated} evaluated items hold; SPEC {} is not adopted yet.",
                    spec.number
                ),
                BadgeState::NotEvaluated => "No item of this SPEC could be evaluated.".into(),
            };
            let url = badge_href(&project.name, spec.number);
            ProjectSpec {
                number: spec.number,
                title: spec.title.clone(),
                markdown: format!(
                    "[![SPEC {n}: {t}]({base}{url})]({base}{page})",
                    n = spec.number,
                    t = state.text(),
                    page = project_href(&project.name),
                ),
                badge_url: url,
                badge_text: state.text(),
                summary,
                items: lines,
            }
        })
        .collect();
    // Timeline: months newest first, columns in catalogue order then any other stored item.
    let mut columns: Vec<String> = items.iter().map(|i| i.id.clone()).collect();
    let mut months: BTreeMap<&str, BTreeMap<&str, &str>> = BTreeMap::new();
    let mut extra = BTreeSet::new();
    for r in timeline {
        months
            .entry(r.month.as_str())
            .or_default()
            .insert(r.item.as_str(), r.status.as_str());
        if !columns.contains(&r.item) {
            extra.insert(r.item.clone());
        }
    }
    columns.extend(extra);
    let rows = months
        .iter()
        .rev()
        .map(|(m, st)| TimelineLine {
            month: (*m).to_string(),
            cells: columns
                .iter()
                .map(|c| match st.get(c.as_str()) {
                    Some(s) => (short(s), status_class(s), format!("{c}: {s}")),
                    None => ("", "status-none", format!("{c}: no data")),
                })
                .collect(),
        })
        .collect();
    ProjectPage {
        name: project.name.clone(),
        core: project.core,
        org: project.org.clone(),
        repositories: project
            .repositories
            .iter()
            .map(|r| {
                let link = (r.starts_with("https://") && !r.contains(['"', '<', '>', ' ']))
                    .then(|| r.clone());
                (r.clone(), link)
            })
            .collect(),
        pypi: project.pypi.clone(),
        endorses: project.endorses.clone(),
        scan: scan.map(|s| ScanView {
            taken_at: s.taken_at.clone(),
            kind: s.kind.clone(),
            commit: s.commit.clone(),
            repository: s.repository.clone(),
            error: s.error.clone(),
        }),
        specs: spec_views,
        timeline: Timeline {
            items: columns,
            rows,
        },
    }
}

/// A failing project on an item page.
pub struct Failing {
    /// Name.
    pub name: String,
    /// Link.
    pub href: String,
    /// Evidence.
    pub evidence: Vec<EvidenceView>,
}

/// Another project on an item page.
pub struct Other {
    /// Name.
    pub name: String,
    /// Link.
    pub href: String,
    /// Status.
    pub status: String,
    /// CSS class.
    pub class: &'static str,
}

/// `/items/{spec}/{name}`.
#[derive(Template)]
#[template(path = "item.html")]
pub struct ItemPage {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// SPEC.
    pub spec: u32,
    /// Section.
    pub section: String,
    /// Fix, as (is code, text) runs.
    pub fix: Vec<(bool, String)>,
    /// Rules.
    pub rules: Vec<String>,
    /// Needs.
    pub needs: Option<String>,
    /// Failing projects.
    pub failing: Vec<Failing>,
    /// The others.
    pub others: Vec<Other>,
}

/// Builds an item page.
pub fn item(item: &Item, projects: &[Project], latest: &[Scan]) -> ItemPage {
    let by_name: BTreeMap<&str, &Scan> = latest.iter().map(|s| (s.project.as_str(), s)).collect();
    let mut failing = Vec::new();
    let mut others = Vec::new();
    for p in projects {
        let scan = by_name.get(p.name.as_str()).copied();
        let v = scan.and_then(|s| s.verdicts.iter().find(|v| v.item == item.id));
        match (scan, v) {
            (Some(s), Some(v)) if v.status == "fails" => failing.push(Failing {
                name: p.name.clone(),
                href: project_href(&p.name),
                evidence: evidence_views(s, &v.evidence),
            }),
            _ => {
                let status = match (scan, v) {
                    (Some(s), _) if s.error.is_some() => "scan failed",
                    (_, Some(v)) => v.status.as_str(),
                    _ => "not scanned",
                };
                others.push(Other {
                    name: p.name.clone(),
                    href: project_href(&p.name),
                    status: status.to_string(),
                    class: status_class(status),
                });
            }
        }
    }
    ItemPage {
        id: item.id.clone(),
        title: item.title.clone(),
        spec: item.spec,
        section: item.section.clone(),
        fix: code_spans(&item.fix),
        rules: item.rules.clone(),
        needs: item.needs.clone(),
        failing,
        others,
    }
}

/// An error page.
#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    /// HTTP status code.
    pub status: u16,
    /// Reason.
    pub title: String,
    /// What happened.
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_links_only_for_github_and_safe_paths() {
        let c = "0123456789abcdef0123456789abcdef01234567";
        assert_eq!(
            source_link(
                Some("https://github.com/numpy/numpy.git"),
                Some(c),
                ".github/workflows/wheels.yml",
                Some(12)
            )
            .as_deref(),
            Some(
                "https://github.com/numpy/numpy/blob/0123456789abcdef0123456789abcdef01234567/.github/workflows/wheels.yml#L12"
            )
        );
        let a = |r: &str, c: &str, p: &str| source_link(Some(r), Some(c), p, None);
        assert_eq!(a("https://gitlab.com/a/b", c, "x"), None);
        assert_eq!(a("https://github.com/a/b", "main", "x"), None);
        assert_eq!(a("https://github.com/a/b", c, "../etc/passwd"), None);
        assert_eq!(a("https://github.com/a/b/c", c, "x"), None);
        assert_eq!(a("https://github.com/a\"/b", c, "x"), None);
        assert!(
            a("https://github.com/a/b", c, "dir/a b#.yml")
                .is_some_and(|l| l.ends_with("/dir/a%20b%23.yml"))
        );
    }

    #[test]
    fn fix_text_backticks_become_code_runs() {
        assert_eq!(
            code_spans("Add `permissions:` at the top"),
            vec![
                (false, "Add ".to_string()),
                (true, "permissions:".to_string()),
                (false, " at the top".to_string())
            ]
        );
        assert_eq!(
            code_spans("odd ` tick"),
            vec![(false, "odd ".into()), (true, " tick".into())]
        );
    }

    #[test]
    fn hrefs_encode_names() {
        assert_eq!(project_href("scikit-learn"), "/projects/scikit-learn");
        assert_eq!(project_href("a/b <c>"), "/projects/a%2Fb%20%3Cc%3E");
        assert_eq!(
            item_href("spec8/actions-pinned-sha"),
            "/items/spec8/actions-pinned-sha"
        );
        assert_eq!(badge_href("numpy", 8), "/badge/numpy/spec8.svg");
    }
}
