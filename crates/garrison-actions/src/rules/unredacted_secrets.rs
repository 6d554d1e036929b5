use std::ops::Range;

use garrison_expr::{Expr, SpannedExpr};
use garrison_report::{Confidence, Finding, RuleMeta, Severity, Span, declare_rule};
use garrison_workflows::route::Segment;
use garrison_workflows::{Action, Route, Workflow, WorkflowFile};

use crate::{Audit, Workspace, loc};

declare_rule! {
    /// ## What it checks
    /// Expressions that derive a value from a secret with `fromJSON` — `fromJSON(secrets.X)`
    /// or a field of it, `fromJSON(secrets.GCP_CREDENTIALS).private_key` — anywhere in a
    /// workflow or an action definition (`${{ }}` in any value, and bare `if:` conditions).
    ///
    /// ## Why it matters
    /// GitHub masks a secret in the logs by looking for its exact value. A value derived
    /// from it — one field of a JSON secret, or the secret parsed and re-serialised — is a
    /// different string, so it is printed in clear text wherever it ends up in a log: an
    /// `echo`, a tool's debug output, an error message. The logs of a public repository are
    /// public.
    ///
    /// ## Example
    /// ```yaml
    /// - run: ./deploy.sh
    ///   env:
    ///     KEY: ${{ fromJSON(secrets.DEPLOY_CONFIG).private_key }}
    /// ```
    ///
    /// ## Remediation
    /// Store each value that must stay secret as a secret of its own
    /// (`${{ secrets.DEPLOY_PRIVATE_KEY }}`), or register the derived value as a mask
    /// (`echo "::add-mask::$VALUE"`) before anything can print it.
    pub UnredactedSecrets {
        id: "workflow/unredacted-secrets",
        summary: "value derived from a secret with fromJSON, which the logs do not mask",
        severity: Medium,
        help: "store each secret value as a secret of its own instead of a field of a JSON secret, or mask the derived value with `::add-mask::`",
        references: [
            "https://docs.github.com/en/actions/security-for-github-actions/security-guides/using-secrets-in-github-actions#using-secrets-in-a-workflow",
            "https://docs.github.com/en/actions/writing-workflows/choosing-what-your-workflow-does/workflow-commands-for-github-actions#masking-a-value-in-a-log",
        ],
    }
}

/// The secrets `expr` (parsed from `text`) parses with `fromJSON`, as written
/// (`secrets.DEPLOY_CONFIG`), each once (secret names are case-insensitive), with the range of
/// the `fromJSON(…)` call in `text`.
fn parsed_secrets(text: &str, expr: &SpannedExpr) -> Vec<(String, Range<usize>)> {
    let mut out: Vec<(String, String, Range<usize>)> = Vec::new();
    garrison_expr::walk(expr, |e| {
        if let Expr::Call { name, args, .. } = &e.expr
            && name == "fromjson"
            && let Some(ctx) = args.first().and_then(SpannedExpr::as_context)
            && ctx.root() == "secrets"
        {
            let n = ctx.normalized();
            if !out.iter().any(|(m, ..)| *m == n) {
                let shown = text.get(ctx.span.clone()).unwrap_or(&n).to_string();
                out.push((n, shown, e.span.clone()));
            }
        }
    });
    out.into_iter().map(|(_, shown, at)| (shown, at)).collect()
}

fn report(file: &WorkflowFile, span: Span, route: &Route, secret: &str, out: &mut Vec<Finding>) {
    out.push(
        Finding::builder(&UnredactedSecrets::META)
            .message(format!(
                "`fromJSON({secret})` derives a value from a secret; the logs do not mask it"
            ))
            .severity(Severity::Medium)
            .confidence(Confidence::High)
            .location(loc(&file.path, span, route).with_note("not masked in logs"))
            .evidence("secret", secret)
            .key(secret.to_ascii_lowercase())
            .build(),
    );
}

fn check(file: &WorkflowFile, out: &mut Vec<Finding>) {
    let source = &file.source;
    for (route, node) in file.scalars() {
        let text = node.as_str().unwrap_or_default();
        let bare_if = !text.contains("${{")
            && matches!(route.segments().last(), Some(Segment::Key(k)) if k == "if");
        if bare_if {
            // A condition without `${{ }}`: positions are in the decoded text, so the finding
            // points at the whole value.
            if let Ok(expr) = garrison_expr::parse(text) {
                for (secret, _) in parsed_secrets(text, &expr) {
                    report(file, node.span, &route, &secret, out);
                }
            }
            continue;
        }
        // Embedded expressions: positions are in the value's source text.
        let raw = node.source(source.text());
        let base = node.span.start_offset;
        for e in garrison_expr::find_embedded(raw) {
            let Ok(expr) = &e.parsed else { continue };
            for (secret, at) in parsed_secrets(raw, expr) {
                let span = source.span(base + at.start, base + at.end);
                report(file, span, &route, &secret, out);
            }
        }
    }
}

impl Audit for UnredactedSecrets {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn workflow(&self, _ws: &Workspace, wf: &Workflow, out: &mut Vec<Finding>) {
        check(&wf.file, out);
    }

    fn action(&self, _ws: &Workspace, action: &Action, out: &mut Vec<Finding>) {
        check(&action.file, out);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn secrets(src: &str) -> Vec<String> {
        parsed_secrets(src, &garrison_expr::parse(src).unwrap())
            .into_iter()
            .map(|(s, _)| s)
            .collect()
    }

    #[test]
    fn derived_secrets() {
        assert_eq!(secrets("fromJSON(secrets.CFG).key"), ["secrets.CFG"]);
        assert_eq!(secrets("fromjson(secrets['CFG'])"), ["secrets['CFG']"]);
        assert_eq!(
            secrets("format('{0}', fromJSON(secrets.A).x) || fromJSON(Secrets.a).y"),
            ["secrets.A"]
        );
        assert!(secrets("secrets.CFG").is_empty());
        assert!(secrets("fromJSON(inputs.cfg).key").is_empty());
        assert!(secrets("fromJSON(steps.x.outputs.matrix)").is_empty());
    }
}
