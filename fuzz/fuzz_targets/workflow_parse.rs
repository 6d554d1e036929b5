//! Fuzz target for `garrison-workflows`: the same text parsed as a workflow, as an action
//! definition and as a dependabot configuration; then every job and step is walked and the
//! expressions of every node that audits look at are extracted and analysed. Nothing may panic,
//! and every expression span must lie inside the input on char boundaries.

#![no_main]

use garrison_workflows::{Action, Dependabot, Step, Workflow, WorkflowFile};
use garrison_yaml::Node;
use libfuzzer_sys::fuzz_target;

fn exprs(text: &str, file: &WorkflowFile, node: &Node) {
    for e in file.expressions(node) {
        let s = e.span;
        assert!(s.start_offset <= s.end_offset && s.end_offset <= text.len());
        let Some(outer) = text.get(s.start_offset..s.end_offset) else {
            panic!("expression span {s:?} not on char boundaries");
        };
        assert!(
            outer.starts_with("${{"),
            "expression span {s:?} is {outer:?}"
        );
        if let Ok(parsed) = &e.parsed {
            for ctx in garrison_expr::all_contexts(parsed) {
                let _ = ctx.normalized();
                let _ = garrison_workflows::contexts::attacker_control(&ctx);
            }
            let _ = garrison_expr::flowing_contexts(parsed);
            let _ = garrison_expr::calls(parsed);
        }
    }
}

fn opt(text: &str, file: &WorkflowFile, node: Option<&Node>) {
    if let Some(n) = node {
        exprs(text, file, n);
    }
}

fn step(text: &str, file: &WorkflowFile, s: &Step) {
    let _ = s.label();
    let _ = s.action();
    let _ = s.uses_action("actions/checkout");
    let _ = s.input("persist-credentials");
    if let Some((uses, _)) = &s.uses {
        let _ = uses.is_sha_pinned();
        let _ = uses.is_reusable_workflow();
        let _ = uses.action_name();
    }
    opt(text, file, s.run.as_ref());
    opt(text, file, s.with.as_ref());
    opt(text, file, s.env.as_ref());
    opt(text, file, s.if_cond.as_ref());
    opt(text, file, s.uses_node.as_ref());
    exprs(text, file, &s.node);
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };

    if let Ok(wf) = Workflow::parse(".github/workflows/fuzz.yml", text) {
        let _ = wf.has_trigger("pull_request_target");
        for t in &wf.triggers {
            let _ = wf.trigger(&t.event);
        }
        if let Some(p) = &wf.permissions {
            let _ = p.span();
            let _ = p.level("contents");
            let _ = p.writes();
        }
        opt(text, &wf.file, wf.env.as_ref());
        exprs(text, &wf.file, &wf.file.root);
        for job in &wf.jobs {
            let _ = wf.job(&job.id);
            let _ = job.effective_permissions(&wf);
            if let Some(p) = &job.permissions {
                let _ = p.writes();
            }
            if let Some((uses, _)) = &job.uses {
                let _ = uses.is_sha_pinned();
                let _ = uses.is_reusable_workflow();
                let _ = uses.action_name();
            }
            opt(text, &wf.file, job.if_cond.as_ref());
            opt(text, &wf.file, job.runs_on.as_ref());
            opt(text, &wf.file, job.with.as_ref());
            opt(text, &wf.file, job.secrets.as_ref());
            opt(text, &wf.file, job.container.as_ref());
            opt(text, &wf.file, job.services.as_ref());
            opt(text, &wf.file, job.env.as_ref());
            for s in &job.steps {
                step(text, &wf.file, s);
            }
        }
    }

    if let Ok(action) = Action::parse("action.yml", text) {
        opt(text, &action.file, action.image.as_ref());
        for s in &action.steps {
            step(text, &action.file, s);
        }
    }

    if let Ok(dependabot) = Dependabot::parse(".github/dependabot.yml", text) {
        let _ = dependabot.covers("github-actions");
        for u in &dependabot.updates {
            let _ = u.ecosystem.as_deref();
            opt(
                text,
                &dependabot.file,
                u.insecure_external_code_execution.as_ref(),
            );
        }
    }
});
