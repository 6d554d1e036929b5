use garrison_expr::{BinaryOp, Expr, Literal, SpannedExpr};
use garrison_report::{Confidence, Finding, RuleMeta, Severity, declare_rule};
use garrison_workflows::triggers;
use garrison_workflows::{Job, Route, Workflow};
use garrison_yaml::Node;

use crate::facts::reach::Reach;
use crate::{Audit, Workspace, loc};

declare_rule! {
    /// ## What it checks
    /// `if:` conditions of jobs and steps that trust a bot by the *actor* of the run:
    /// `github.actor == 'dependabot[bot]'`, `github.triggering_actor == '…[bot]'`,
    /// `github.event.sender.login == '…[bot]'`, the account id of a well-known bot compared
    /// with `github.actor_id` or `github.event.sender.id` (`github.actor_id == 49699333`, the
    /// id of `dependabot[bot]`), or `contains`/`startsWith` on them. Conditions
    /// written with or without `${{ }}` are parsed. A condition that also checks
    /// `github.event.pull_request.head.repo.full_name == github.repository` (or `head.repo.fork`)
    /// is not reported.
    ///
    /// ## Why it matters
    /// `github.actor` is whoever caused the latest event, not who wrote the pull request. An
    /// attacker can open a pull request from a fork and get a bot to act on it last (for example
    /// by making Dependabot rebase a branch of their fork, or re-running a job the bot
    /// started), so a `pull_request_target` or `workflow_run` job that auto-approves, merges or
    /// uses secrets "only for Dependabot" runs for the attacker's code.
    ///
    /// ## Example
    /// ```yaml
    /// on: pull_request_target
    /// jobs:
    ///   automerge:
    ///     if: github.actor == 'dependabot[bot]'
    ///     runs-on: ubuntu-latest
    ///     steps:
    ///       - run: gh pr merge --auto --squash "$PR_URL"
    /// ```
    ///
    /// ## Remediation
    /// Check the author of the pull request and that it comes from this repository:
    /// `if: github.event.pull_request.user.login == 'dependabot[bot]' &&
    /// github.event.pull_request.head.repo.full_name == github.repository`.
    pub BotCondition {
        id: "workflow/bot-condition",
        summary: "privileged work gated on a spoofable actor check",
        severity: Medium,
        help: "check `github.event.pull_request.user.login` and `github.event.pull_request.head.repo.full_name == github.repository` instead of github.actor",
        references: [
            "https://securitylab.github.com/resources/github-actions-preventing-pwn-requests/",
            "https://www.synacktiv.com/publications/github-actions-exploitation-dependabot",
            "https://docs.github.com/en/code-security/dependabot/working-with-dependabot/automating-dependabot-with-github-actions",
            "https://scientific-python.org/specs/spec-0008/",
        ],
    }
}

const SPOOFABLE: &[&str] = &[
    "github.actor",
    "github.triggering_actor",
    "github.event.sender.login",
    "github.actor_id",
    "github.event.sender.id",
];

/// Account ids of GitHub's well-known bots, compared with `github.actor_id`.
const BOT_IDS: &[(&str, &str)] = &[
    ("49699333", "dependabot[bot]"),
    ("27856297", "dependabot-preview[bot]"),
    ("29139614", "renovate[bot]"),
    ("41898282", "github-actions[bot]"),
];

fn spoofable(e: &SpannedExpr) -> Option<String> {
    let c = e.as_context()?;
    let n = c.normalized();
    SPOOFABLE.contains(&n.as_str()).then_some(n)
}

/// A bot's login (`'dependabot[bot]'`) or a well-known bot's account id (`49699333`,
/// `'49699333'`), as the bot's name.
fn bot_literal(e: &SpannedExpr) -> Option<String> {
    let id = |s: &str| {
        BOT_IDS
            .iter()
            .find(|(i, _)| *i == s.trim())
            .map(|(i, n)| format!("{i}, the id of {n}"))
    };
    match &e.expr {
        Expr::Literal(Literal::String(s)) if s.to_ascii_lowercase().contains("bot") => {
            Some(s.to_string())
        }
        Expr::Literal(Literal::String(s)) => id(s),
        Expr::Literal(Literal::Number(n)) => id(&n.to_string()),
        _ => None,
    }
}

/// Spoofable actor checks in `expr`: (context, bot name), and whether the condition also
/// checks that the head repository is this repository.
fn scan(expr: &SpannedExpr) -> (Vec<(String, String)>, bool) {
    let mut hits = Vec::new();
    let mut guarded = false;
    garrison_expr::walk(expr, |e| match &e.expr {
        Expr::Binary {
            op: BinaryOp::Eq,
            lhs,
            rhs,
        } => {
            for (a, b) in [(lhs, rhs), (rhs, lhs)] {
                if let (Some(c), Some(s)) = (spoofable(a), bot_literal(b)) {
                    hits.push((c, s));
                }
            }
        }
        Expr::Call { name, args, .. } if name == "contains" || name == "startswith" => {
            let ctx = args.iter().find_map(spoofable);
            let lit = args.iter().find_map(bot_literal);
            if let (Some(c), Some(s)) = (ctx, lit) {
                hits.push((c, s));
            }
        }
        Expr::Context(c) => {
            let n = c.normalized();
            if n == "github.event.pull_request.head.repo.full_name"
                || n == "github.event.pull_request.head.repo.fork"
            {
                guarded = true;
            }
        }
        _ => {}
    });
    (hits, guarded)
}

/// The parsed condition: embedded `${{ }}` expressions, or the whole string.
fn conditions(wf: &Workflow, node: &Node) -> Vec<(garrison_report::Span, SpannedExpr)> {
    let Some(text) = node.as_str() else {
        return Vec::new();
    };
    if text.contains("${{") {
        return wf
            .expressions(node)
            .into_iter()
            .filter_map(|e| Some((e.span, e.parsed.ok()?)))
            .collect();
    }
    garrison_expr::parse(text)
        .ok()
        .map(|p| vec![(node.span, p)])
        .unwrap_or_default()
}

impl Audit for BotCondition {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn job(&self, _ws: &Workspace, wf: &Workflow, job: &Job, out: &mut Vec<Finding>) {
        let privileged = wf.has_trigger("pull_request_target") || wf.has_trigger("workflow_run");
        let external = triggers::has_external_trigger(wf);
        let reach = Reach::of(wf, job);
        let mut conds: Vec<(&Node, Route)> = Vec::new();
        if let Some(c) = &job.if_cond {
            conds.push((c, job.route.then("if")));
        }
        for s in &job.steps {
            if let Some(c) = &s.if_cond {
                conds.push((c, s.route.then("if")));
            }
        }
        for (node, route) in conds {
            for (span, expr) in conditions(wf, node) {
                let (hits, guarded) = scan(&expr);
                if guarded {
                    continue;
                }
                for (ctx, bot) in hits {
                    let (severity, confidence) = if privileged && reach.privileged() {
                        (Severity::High, Confidence::Medium)
                    } else if privileged {
                        (Severity::Medium, Confidence::Medium)
                    } else if external {
                        (Severity::Low, Confidence::Medium)
                    } else {
                        (Severity::Low, Confidence::Low)
                    };
                    out.push(
                        Finding::builder(&BotCondition::META)
                            .message(match bot.split_once(", the id of ") {
                                Some((id, name)) => format!(
                                    "`{ctx} == {id}` ({name}) gates job `{}`; the actor is whoever acted last and can be made to be the bot for an attacker's pull request",
                                    job.id
                                ),
                                None => format!(
                                    "`{ctx} == '{bot}'` gates job `{}`; the actor is whoever acted last and can be made to be the bot for an attacker's pull request",
                                    job.id
                                ),
                            })
                            .severity(severity)
                            .confidence(confidence)
                            .location(
                                loc(wf.path(), span, route.clone())
                                    .with_note("spoofable actor check"),
                            )
                            .evidence("context", ctx.clone())
                            .evidence("bot", bot.clone())
                            .evidence("triggers", triggers::trigger_names(wf))
                            .evidence("reach", reach.describe())
                            .key(format!("{route}:{ctx}"))
                            .build(),
                    );
                }
            }
        }
    }
}
