//! A step in its place: in a job of a workflow, or in a composite action. Rules that look at
//! steps see both through [`StepIn`], so a step rule covers composite actions too.

use garrison_yaml::Node;

use crate::model::{Action, Job, Step, Workflow, WorkflowFile};
use crate::route::Route;
use crate::triggers::trigger_names;

/// What a list of steps belongs to.
#[derive(Debug, Clone, Copy)]
pub enum Parent<'a> {
    /// A job of a workflow.
    Job {
        /// The workflow.
        workflow: &'a Workflow,
        /// The job.
        job: &'a Job,
    },
    /// A composite action (`runs.steps`).
    Action(&'a Action),
}

impl<'a> Parent<'a> {
    /// The file the steps are in.
    pub fn file(self) -> &'a WorkflowFile {
        match self {
            Parent::Job { workflow, .. } => &workflow.file,
            Parent::Action(a) => &a.file,
        }
    }

    /// The path of that file.
    pub fn path(self) -> &'a str {
        &self.file().path
    }

    /// The steps, in order.
    pub fn steps(self) -> &'a [Step] {
        match self {
            Parent::Job { job, .. } => &job.steps,
            Parent::Action(a) => &a.steps,
        }
    }

    /// The workflow, for steps of a job.
    pub fn workflow(self) -> Option<&'a Workflow> {
        match self {
            Parent::Job { workflow, .. } => Some(workflow),
            Parent::Action(_) => None,
        }
    }

    /// The job, for steps of a job.
    pub fn job(self) -> Option<&'a Job> {
        match self {
            Parent::Job { job, .. } => Some(job),
            Parent::Action(_) => None,
        }
    }

    /// The events that run the steps: the workflow's triggers, or `None` in a composite
    /// action, whose caller's triggers are unknown.
    pub fn triggers(self) -> Option<Vec<&'a str>> {
        self.workflow().map(trigger_names)
    }

    /// The `env:` blocks visible to `step`, nearest first: the step's, the job's, the
    /// workflow's (a composite action's steps have their own only).
    pub fn env_scopes(self, step: &'a Step) -> [Option<&'a Node>; 3] {
        match self {
            Parent::Job { workflow, job } => {
                [step.env.as_ref(), job.env.as_ref(), workflow.env.as_ref()]
            }
            Parent::Action(_) => [step.env.as_ref(), None, None],
        }
    }
}

/// A step and what it belongs to.
#[derive(Debug, Clone, Copy)]
pub struct StepIn<'a> {
    /// The job or composite action.
    pub parent: Parent<'a>,
    /// The step.
    pub step: &'a Step,
}

impl<'a> StepIn<'a> {
    /// The file the step is in.
    pub fn file(self) -> &'a WorkflowFile {
        self.parent.file()
    }

    /// The path of that file.
    pub fn path(self) -> &'a str {
        self.parent.path()
    }

    /// The `env:` blocks visible to the step, nearest first ([`Parent::env_scopes`]).
    pub fn env_scopes(self) -> [Option<&'a Node>; 3] {
        self.parent.env_scopes(self.step)
    }

    /// Where an environment variable visible to the step is set: the step's `env:`, then the
    /// job's, then the workflow's. The key node, the value node and the route of the entry.
    pub fn env_entry(self, name: &str) -> Option<(&'a Node, &'a Node, Route)> {
        if let Some((k, v)) = self.step.env.as_ref().and_then(|e| e.entry(name)) {
            return Some((k, v, self.step.route.then("env").key(name)));
        }
        let Parent::Job { workflow, job } = self.parent else {
            return None;
        };
        if let Some((k, v)) = job.env.as_ref().and_then(|e| e.entry(name)) {
            return Some((k, v, job.route.then("env").key(name)));
        }
        workflow
            .env
            .as_ref()
            .and_then(|e| e.entry(name))
            .map(|(k, v)| (k, v, Route::path("env").key(name)))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn env_lookup_nearest_first() {
        let wf = Workflow::parse(
            "w.yml",
            "on: push\nenv:\n  A: wf\n  B: wf\n  C: wf\njobs:\n  j:\n    env:\n      B: job\n      C: job\n    steps:\n      - env:\n          C: step\n        run: x\n",
        )
        .unwrap();
        let job = &wf.jobs[0];
        let s = StepIn {
            parent: Parent::Job { workflow: &wf, job },
            step: &job.steps[0],
        };
        let at = |n: &str| {
            let (_, v, r) = s.env_entry(n).unwrap();
            (v.as_str().unwrap().to_string(), r.to_string())
        };
        assert_eq!(at("A"), ("wf".into(), "env.A".into()));
        assert_eq!(at("B"), ("job".into(), "jobs.j.env.B".into()));
        assert_eq!(at("C"), ("step".into(), "jobs.j.steps[0].env.C".into()));
        assert!(s.env_entry("D").is_none());
        assert_eq!(s.parent.triggers().unwrap(), ["push"]);
        assert_eq!(s.env_scopes().iter().flatten().count(), 3);

        let a = Action::parse(
            "action.yml",
            "runs:\n  using: composite\n  steps:\n    - env:\n        A: step\n      run: x\n      shell: bash\n",
        )
        .unwrap();
        let s = StepIn {
            parent: Parent::Action(&a),
            step: &a.steps[0],
        };
        assert_eq!(
            s.env_entry("A").unwrap().2.to_string(),
            "runs.steps[0].env.A"
        );
        assert!(s.parent.triggers().is_none());
        assert_eq!(s.env_scopes().iter().flatten().count(), 1);
    }
}
