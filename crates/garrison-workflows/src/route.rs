//! Symbolic routes into workflow and action files: `jobs.publish.steps[2].with.password`.
//!
//! A [`Route`] is a list of typed segments: a job, a step (with its `id:` and `name:`, so a
//! position-free identity can be derived from it), mapping keys and sequence indices, and calls
//! into local actions or reusable workflows (`jobs.a.steps[1] -> ./.github/actions/x:
//! runs.steps[0].run`). It renders as findings show it ([`std::fmt::Display`]).

use std::fmt;

/// One segment of a [`Route`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Segment {
    /// A mapping key: `key`, after a `.` unless it starts the route.
    Key(String),
    /// A sequence index: `[i]`.
    Index(usize),
    /// A job of a workflow: `jobs.<id>`.
    Job(String),
    /// A step of a job or of a composite action: `steps[<index>]`.
    Step {
        /// Position in the step list (0-based).
        index: usize,
        /// The step's `id:`.
        id: Option<String>,
        /// The step's `name:`.
        name: Option<String>,
    },
    /// A call into the local action or reusable workflow at `./<path>`: ` -> ./<path>: `.
    /// What follows is a route inside the callee.
    Call(String),
}

/// A symbolic route into a workflow or action file. The empty route is the document itself.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Route {
    segments: Vec<Segment>,
}

impl Route {
    /// The route of `jobs.<id>`.
    pub fn job(id: &str) -> Route {
        Route {
            segments: vec![Segment::Job(id.to_string())],
        }
    }

    /// A route made of `path`'s keys (`on.push`, `permissions.id-token`).
    pub fn path(path: &str) -> Route {
        Route::default().then(path)
    }

    /// The segments, first to last.
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// True for the route of the document itself.
    pub fn is_empty(&self) -> bool {
        self.segments.is_empty()
    }

    fn with(&self, segment: Segment) -> Route {
        let mut r = self.clone();
        r.segments.push(segment);
        r
    }

    /// This route followed by one mapping key, as written (it may contain dots: an `env:`
    /// variable, an input or a service name is one key).
    pub fn key(&self, key: &str) -> Route {
        self.with(Segment::Key(key.to_string()))
    }

    /// This route followed by the keys of a dotted path (`with.script`).
    pub fn then(&self, path: &str) -> Route {
        let mut r = self.clone();
        r.segments.extend(
            path.split('.')
                .filter(|k| !k.is_empty())
                .map(|k| Segment::Key(k.to_string())),
        );
        r
    }

    /// This route followed by a sequence index.
    pub fn index(&self, index: usize) -> Route {
        self.with(Segment::Index(index))
    }

    /// This route followed by a step.
    pub fn step(&self, index: usize, id: Option<&str>, name: Option<&str>) -> Route {
        self.with(Segment::Step {
            index,
            id: id.map(str::to_string),
            name: name.map(str::to_string),
        })
    }

    /// This route without its last segment (the document itself stays itself).
    pub fn parent(&self) -> Route {
        let mut r = self.clone();
        r.segments.pop();
        r
    }

    /// This route followed by `other`'s segments.
    pub fn join(&self, other: &Route) -> Route {
        let mut r = self.clone();
        r.segments.extend(other.segments.iter().cloned());
        r
    }

    /// This route, then a call into `./<path>`, then `inner` (a route inside the callee).
    pub fn call(&self, path: &str, inner: &Route) -> Route {
        let mut r = self.with(Segment::Call(path.to_string()));
        r.segments.extend(inner.segments.iter().cloned());
        r
    }
}

impl fmt::Display for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A separator goes before a key, job or step unless the route starts there or right
        // after a call.
        let mut sep = false;
        for s in &self.segments {
            match s {
                Segment::Key(k) => {
                    if sep {
                        f.write_str(".")?;
                    }
                    f.write_str(k)?;
                }
                Segment::Job(id) => {
                    if sep {
                        f.write_str(".")?;
                    }
                    write!(f, "jobs.{id}")?;
                }
                Segment::Step { index, .. } => {
                    if sep {
                        f.write_str(".")?;
                    }
                    write!(f, "steps[{index}]")?;
                }
                Segment::Index(i) => write!(f, "[{i}]")?,
                Segment::Call(path) => {
                    write!(f, " -> ./{path}: ")?;
                    sep = false;
                    continue;
                }
            }
            sep = true;
        }
        Ok(())
    }
}

impl From<&Route> for String {
    fn from(r: &Route) -> String {
        r.to_string()
    }
}

impl From<Route> for String {
    fn from(r: Route) -> String {
        r.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_as_findings_show_routes() {
        let step = Route::job("build").step(2, Some("pub"), None);
        assert_eq!(step.to_string(), "jobs.build.steps[2]");
        assert_eq!(
            step.then("with.script").to_string(),
            "jobs.build.steps[2].with.script"
        );
        assert_eq!(
            step.then("env").key("A.B").to_string(),
            "jobs.build.steps[2].env.A.B"
        );
        assert_eq!(Route::path("on.push").to_string(), "on.push");
        assert_eq!(Route::default().to_string(), "");
        assert_eq!(
            Route::path("updates")
                .index(0)
                .then("directory")
                .to_string(),
            "updates[0].directory"
        );
        let inner = Route::path("runs").step(0, None, None).then("run");
        assert_eq!(
            Route::job("a")
                .step(1, None, None)
                .call(".github/actions/x", &inner)
                .to_string(),
            "jobs.a.steps[1] -> ./.github/actions/x: runs.steps[0].run"
        );
        assert_eq!(
            Route::job("a")
                .call(".github/workflows/r.yml", &Route::job("b"))
                .to_string(),
            "jobs.a -> ./.github/workflows/r.yml: jobs.b"
        );
        let call = Route::job("a").call("x.yml", &Route::default());
        assert_eq!(call.to_string(), "jobs.a -> ./x.yml: ");
        assert_eq!(
            call.join(&Route::job("b")).to_string(),
            "jobs.a -> ./x.yml: jobs.b"
        );
        assert_eq!(Route::default().join(&step), step);
        assert!(matches!(
            step.segments().last(),
            Some(Segment::Step { id: Some(id), .. }) if id == "pub"
        ));
    }
}
