//! SPECs as data: every checkable item of SPEC 8 and SPEC 6 ([`CATALOGUE`], the file
//! `data/spec-items.toml`) with its SPEC section and what decides it, and the verdict of an
//! item over one project's findings ([`Item::verdict`]). Adoption is computed from the
//! verdicts, never declared: a project adopts a SPEC when every item that can be evaluated
//! holds ([`adoption`]).

use garrison_report::{Finding, Severity};
use serde::{Deserialize, Serialize};

use crate::FleetError;

/// The item catalogue shipped with Garrison.
pub const CATALOGUE: &str = include_str!("../data/spec-items.toml");

/// The rule whose findings say "not evaluated" (the check it is about is in its `check`
/// evidence).
const NOT_EVALUATED: &str = "info/not-evaluated";

/// One checkable item of a SPEC.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Item {
    /// Stable id: `spec8/actions-pinned-sha`.
    pub id: String,
    /// The SPEC's number.
    pub spec: u32,
    /// The SPEC section the item comes from.
    pub section: String,
    /// What must hold, in one line.
    pub title: String,
    /// How a project makes it hold (the dashboard's "how to fix").
    #[serde(default)]
    pub fix: String,
    /// Rules whose findings decide the item.
    #[serde(default)]
    pub rules: Vec<String>,
    /// `info/not-evaluated` check keys that leave it not evaluated.
    #[serde(default)]
    pub checks: Vec<String>,
    /// Data Garrison does not collect yet: the item is not evaluated (never passed).
    #[serde(default)]
    pub needs: Option<String>,
    /// `workflows`, `publishing` or `remote-actions`: not applicable without them.
    #[serde(default)]
    pub applies_to: Option<Applies>,
    /// Lowest severity of a deciding finding that makes the item fail.
    #[serde(default = "low")]
    pub fails_at: Severity,
    /// Decidable from a tree at a past commit (history replay).
    #[serde(default)]
    pub file_checkable: bool,
}

fn low() -> Severity {
    Severity::Low
}

/// What an item needs to apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Applies {
    /// The project has GitHub Actions workflows.
    Workflows,
    /// A workflow publishes releases.
    Publishing,
    /// A workflow uses an action from another repository.
    RemoteActions,
}

/// What is known about the scanned tree besides its findings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Facts {
    /// It has GitHub Actions workflows.
    pub workflows: bool,
    /// A workflow publishes releases.
    pub publishing: bool,
    /// A workflow uses an action from another repository.
    pub remote_actions: bool,
}

impl Facts {
    /// The facts of a loaded workspace.
    pub fn of(ws: &garrison_workspace::Workspace) -> Facts {
        use garrison_workflows::Uses;
        let remote = |u: &Option<(Uses, garrison_yaml::Node)>| {
            matches!(
                u,
                Some((Uses::Repository { .. }, _)) | Some((Uses::Docker { .. }, _))
            )
        };
        Facts {
            workflows: !ws.workflows.is_empty(),
            publishing: !garrison_workflows::publishing::publish_jobs(&ws.workflows).is_empty(),
            remote_actions: ws.workflows.iter().any(|wf| {
                wf.jobs
                    .iter()
                    .any(|j| remote(&j.uses) || j.steps.iter().any(|s| remote(&s.uses)))
            }) || ws
                .actions
                .iter()
                .any(|a| a.steps.iter().any(|s| remote(&s.uses))),
        }
    }
}

/// The verdict of an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Every deciding check passed.
    Holds,
    /// A deciding finding fired.
    Fails,
    /// Garrison lacks the data (never silently passed).
    NotEvaluated,
    /// The item does not apply to this project.
    NotApplicable,
}

impl Status {
    /// Kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Holds => "holds",
            Status::Fails => "fails",
            Status::NotEvaluated => "not-evaluated",
            Status::NotApplicable => "not-applicable",
        }
    }
}

/// Why an item has its verdict: a deciding finding, or the reason it was not evaluated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    /// The rule (or `info/not-evaluated`, or `garrison/needs`).
    pub rule: String,
    /// Its severity.
    pub severity: Severity,
    /// What it says.
    pub message: String,
    /// Where (path, 1-based line), when it points into the tree.
    pub path: Option<String>,
    /// 1-based line.
    pub line: Option<u32>,
}

impl Evidence {
    fn of(f: &Finding) -> Evidence {
        let loc = f.locations.first();
        Evidence {
            rule: f.rule.to_string(),
            severity: f.severity,
            message: f.message.clone(),
            path: loc.map(|l| l.path.clone()),
            line: loc.and_then(|l| l.span.map(|s| s.start_line)),
        }
    }
}

/// An item's verdict with its evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verdict {
    /// The item's id.
    pub id: String,
    /// The SPEC.
    pub spec: u32,
    /// The verdict.
    pub status: Status,
    /// The deciding findings, or why it is not evaluated or not applicable.
    pub evidence: Vec<Evidence>,
}

impl Item {
    /// The item's verdict over one project's findings (all rules, configuration applied).
    pub fn verdict(&self, findings: &[Finding], facts: &Facts) -> Verdict {
        let verdict = |status, evidence| Verdict {
            id: self.id.clone(),
            spec: self.spec,
            status,
            evidence,
        };
        // An item about something the project does not have is not applicable, whatever
        // else its rules say (no remote actions: no Dependabot for actions is needed).
        let applies = match self.applies_to {
            None => true,
            Some(Applies::Workflows) => facts.workflows,
            Some(Applies::Publishing) => facts.publishing,
            Some(Applies::RemoteActions) => facts.remote_actions,
        };
        if !applies {
            let what = match self.applies_to {
                Some(Applies::Workflows) => "the project has no GitHub Actions workflow",
                Some(Applies::Publishing) => "no workflow publishes releases",
                _ => "no workflow uses an action from another repository",
            };
            return verdict(
                Status::NotApplicable,
                vec![Evidence {
                    rule: "garrison/applies-to".into(),
                    severity: Severity::Info,
                    message: what.into(),
                    path: None,
                    line: None,
                }],
            );
        }
        let failing: Vec<Evidence> = findings
            .iter()
            .filter(|f| self.rules.contains(&f.rule) && f.severity >= self.fails_at)
            .map(Evidence::of)
            .collect();
        if !failing.is_empty() {
            return verdict(Status::Fails, failing);
        }
        let unevaluated: Vec<Evidence> = findings
            .iter()
            .filter(|f| f.rule == NOT_EVALUATED)
            .filter(|f| {
                f.evidence
                    .get("check")
                    .and_then(|c| c.as_str())
                    .is_some_and(|c| {
                        self.rules.iter().any(|r| r == c) || self.checks.iter().any(|k| k == c)
                    })
            })
            .map(Evidence::of)
            .collect();
        if !unevaluated.is_empty() {
            return verdict(Status::NotEvaluated, unevaluated);
        }
        if let Some(needs) = &self.needs {
            return verdict(
                Status::NotEvaluated,
                vec![Evidence {
                    rule: "garrison/needs".into(),
                    severity: Severity::Info,
                    message: format!("needs {needs}"),
                    path: None,
                    line: None,
                }],
            );
        }
        verdict(Status::Holds, Vec::new())
    }
}

/// A SPEC the catalogue's items come from.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpecMeta {
    /// Its number.
    pub number: u32,
    /// Its title (`SPEC 8 — Securing the Release Process`).
    pub title: String,
    /// Its date (`YYYY-MM-DD`): the adoption targets count from it (3 projects in its first
    /// year, 7 by its second).
    pub date: String,
}

impl SpecMeta {
    /// The `YYYY-MM` month of its date.
    pub fn month(&self) -> &str {
        self.date.get(..7).unwrap_or(&self.date)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Catalogue {
    #[serde(default)]
    spec: Vec<SpecMeta>,
    item: Vec<Item>,
}

/// The shipped catalogue.
pub fn catalogue() -> Result<Vec<Item>, FleetError> {
    parse_catalogue(CATALOGUE, "spec-items.toml")
}

/// The SPECs of the shipped catalogue, in catalogue order.
pub fn spec_metas() -> Result<Vec<SpecMeta>, FleetError> {
    let c: Catalogue = toml::from_str(CATALOGUE).map_err(|e| FleetError::Specs {
        path: "spec-items.toml".into(),
        line: 1,
        message: e.message().trim().to_string(),
    })?;
    Ok(c.spec)
}

/// Parses a catalogue; ids must be unique and start with `spec<N>/`.
pub fn parse_catalogue(text: &str, name: &str) -> Result<Vec<Item>, FleetError> {
    let bad = |line: usize, message: String| FleetError::Specs {
        path: name.into(),
        line,
        message,
    };
    let c: Catalogue = toml::from_str(text).map_err(|e| {
        let line = e.span().map_or(1, |s| {
            text.get(..s.start).unwrap_or(text).matches('\n').count() + 1
        });
        bad(line, e.message().trim().to_string())
    })?;
    let mut seen = std::collections::BTreeSet::new();
    for i in &c.item {
        let line = text
            .lines()
            .position(|l| l.contains(&format!("\"{}\"", i.id)))
            .map_or(1, |p| p + 1);
        if !i.id.starts_with(&format!("spec{}/", i.spec)) {
            return Err(bad(
                line,
                format!("item `{}` is not under spec{}/", i.id, i.spec),
            ));
        }
        if !seen.insert(i.id.clone()) {
            return Err(bad(line, format!("item `{}` is listed twice", i.id)));
        }
        if i.rules.is_empty() && i.checks.is_empty() && i.needs.is_none() {
            return Err(bad(line, format!("item `{}` is decided by nothing", i.id)));
        }
        if i.fix.trim().is_empty() {
            return Err(bad(
                line,
                format!("item `{}` says nothing on how to fix it", i.id),
            ));
        }
    }
    Ok(c.item)
}

/// A project's adoption of `spec` from its verdicts: adopted when at least one item of the
/// SPEC was evaluated and every evaluated item holds (not-applicable items do not count
/// against it). Returns (adopted, holds, evaluated).
pub fn adoption(spec: u32, verdicts: &[Verdict]) -> (bool, usize, usize) {
    let of: Vec<&Verdict> = verdicts.iter().filter(|v| v.spec == spec).collect();
    let evaluated = of
        .iter()
        .filter(|v| matches!(v.status, Status::Holds | Status::Fails))
        .count();
    let holds = of.iter().filter(|v| v.status == Status::Holds).count();
    (evaluated > 0 && holds == evaluated, holds, evaluated)
}
