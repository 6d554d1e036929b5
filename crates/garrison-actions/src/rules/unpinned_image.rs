use garrison_report::{Confidence, Finding, Severity, declare_rule};
use garrison_workflows::{Action, Job, Route, StepIn, Uses, Workflow};
use garrison_yaml::Node;

use crate::{Audit, Workspace, loc};

declare_rule! {
    /// ## What it checks
    /// Container images that are not pinned to an `@sha256:` digest: a job's `container:`,
    /// `services.<name>.image`, `docker://` step references, and a Docker action's
    /// `runs.image`; an image given as `${{ matrix.<key> }}` is checked for every value the
    /// job's matrix gives that key (its list and `include:` entries), each value its own
    /// finding. An image with no tag or `:latest` is **medium**; an image with a
    /// specific tag is **low** (tags of official images are rebuilt and moved regularly, but
    /// typically by the image's publisher).
    ///
    /// ## Why it matters
    /// The job runs inside the image (or next to it, for services) with the job's token and
    /// secrets. A mutable tag lets whoever can push to that image repository change what runs
    /// in your workflow, and makes builds unreproducible.
    ///
    /// ## Example
    /// ```yaml
    /// jobs:
    ///   build:
    ///     container: quay.io/pypa/manylinux2014_x86_64:latest
    /// ```
    ///
    /// ## Remediation
    /// Pin the image by digest (`image@sha256:…`, keeping the tag for readability:
    /// `python:3.12@sha256:…`) and let Dependabot's `docker` ecosystem or Renovate update it.
    pub UnpinnedImage {
        id: "workflow/unpinned-image",
        summary: "container image not pinned to a digest",
        severity: Medium,
        help: "pin the image to a digest (`name:tag@sha256:<digest>`) and update it with Dependabot or Renovate",
        references: [
            "https://docs.github.com/en/actions/writing-workflows/workflow-syntax-for-github-actions#jobsjob_idcontainer",
        ],
    }
}

/// `(tag, has_digest)` of an image reference.
fn split_image(s: &str) -> (Option<&str>, bool) {
    let (rest, digest) = match s.split_once('@') {
        Some((a, _)) => (a, true),
        None => (s, false),
    };
    let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
    let tag = rest
        .get(last_slash..)
        .and_then(|t| t.rsplit_once(':'))
        .map(|(_, t)| t);
    (tag, digest)
}

fn report(
    path: &str,
    image: &str,
    tag: Option<&str>,
    node: &Node,
    route: &Route,
    what: &str,
    out: &mut Vec<Finding>,
) {
    let (severity, how) = match tag {
        None => (
            Severity::Medium,
            "has no tag (implicitly :latest)".to_string(),
        ),
        Some("latest") => (Severity::Medium, "uses the :latest tag".to_string()),
        Some(t) => (
            Severity::Low,
            format!("is pinned to tag :{t}, not a digest"),
        ),
    };
    out.push(
        Finding::builder(&UnpinnedImage::META)
            .message(format!("{what} image {image} {how}"))
            .severity(severity)
            .confidence(Confidence::High)
            .location(loc(path, node.span, route).with_note("mutable image reference"))
            .evidence("image", image)
            .evidence("tag", tag.unwrap_or_default())
            .build(),
    );
}

fn check_str(path: &str, node: &Node, route: &Route, what: &str, out: &mut Vec<Finding>) {
    let Some(s) = node.as_str().map(str::trim) else {
        return;
    };
    if s.is_empty() || s.starts_with("${{") {
        return;
    }
    let (tag, digest) = split_image(s);
    // An expression is only accepted in the tag (`img:${{ matrix.v }}`): still a tag.
    let name_part = s.split('@').next().unwrap_or(s);
    let name_part = name_part.rsplit_once(':').map_or(name_part, |(n, _)| n);
    if name_part.contains("${{") || s.contains('@') && s.contains("${{") {
        return;
    }
    if !digest {
        report(path, s, tag, node, route, what, out);
    }
}

/// The `matrix.<key>` an image value is exactly (`${{ matrix.image }}`), if it is one.
fn matrix_key(s: &str) -> Option<&str> {
    let inner = s.strip_prefix("${{")?.strip_suffix("}}")?.trim();
    let key = inner.strip_prefix("matrix.")?;
    key.bytes()
        .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
        .then_some(key)
}

/// The values a matrix gives `key`: its list under `strategy.matrix.<key>` and the
/// `include:` entries that set it, with their routes.
fn matrix_values<'a>(job: &'a Job, key: &str) -> Vec<(&'a Node, Route)> {
    let mut v = Vec::new();
    let Some(matrix) = job.node.get("strategy").and_then(|s| s.get("matrix")) else {
        return v;
    };
    let base = job.route.then("strategy.matrix");
    if let Some(list) = matrix.get(key) {
        match list.as_seq() {
            Some(items) => {
                for (i, n) in items.iter().enumerate() {
                    v.push((n, base.key(key).index(i)));
                }
            }
            None => v.push((list, base.key(key))),
        }
    }
    if let Some(include) = matrix.get("include").and_then(Node::as_seq) {
        for (i, entry) in include.iter().enumerate() {
            if let Some(n) = entry.get(key) {
                v.push((n, base.key("include").index(i).key(key)));
            }
        }
    }
    v
}

/// `${{ matrix.<key> }}`: every value the matrix gives it, reported at the image line (where
/// the mutable reference is used) with the matrix entry as a second location.
fn check_matrix(
    path: &str,
    job: &Job,
    node: &Node,
    route: &Route,
    what: &str,
    out: &mut Vec<Finding>,
) {
    let Some(key) = node.as_str().map(str::trim).and_then(matrix_key) else {
        return;
    };
    for (value, value_route) in matrix_values(job, key) {
        let Some(image) = value.as_str().map(str::trim) else {
            continue;
        };
        if image.is_empty() || image.contains("${{") {
            continue;
        }
        let (tag, digest) = split_image(image);
        if digest {
            continue;
        }
        let mut found = Vec::new();
        report(path, image, tag, node, route, what, &mut found);
        for mut f in found {
            // One finding per image: the image, not the shared image line, is the subject.
            f.key = format!("matrix:{image}");
            f.locations.push(
                loc(path, value.span, &value_route)
                    .with_note(format!("matrix.{key} takes this value")),
            );
            out.push(f);
        }
    }
}

/// `container:` is either an image string or a mapping with `image:`.
fn check_container(
    path: &str,
    job: &Job,
    node: &Node,
    route: &Route,
    what: &str,
    out: &mut Vec<Finding>,
) {
    if node.as_str().is_some() {
        check_str(path, node, route, what, out);
        check_matrix(path, job, node, route, what, out);
    } else if let Some(img) = node.get("image") {
        check_str(path, img, &route.then("image"), what, out);
        check_matrix(path, job, img, &route.then("image"), what, out);
    }
}

fn check_uses(path: &str, uses: &Uses, node: &Node, route: &Route, out: &mut Vec<Finding>) {
    if let Uses::Docker { image, tag, digest } = uses
        && digest.is_none()
    {
        report(
            path,
            image,
            tag.as_deref(),
            node,
            &route.then("uses"),
            "step",
            out,
        );
    }
}

impl Audit for UnpinnedImage {
    fn meta(&self) -> &'static garrison_report::RuleMeta {
        &Self::META
    }

    fn job(&self, _ws: &Workspace, wf: &Workflow, job: &Job, out: &mut Vec<Finding>) {
        let path = wf.path();
        if let Some(c) = &job.container {
            check_container(path, job, c, &job.route.then("container"), "job container", out);
        }
        if let Some(services) = &job.services {
            for (name, svc) in services.entries() {
                let r = job.route.then("services").key(name);
                check_container(path, job, svc, &r, &format!("service `{name}`"), out);
            }
        }
    }

    fn action(&self, _ws: &Workspace, action: &Action, out: &mut Vec<Finding>) {
        if let Some(img) = &action.image
            && let Some(s) = img.as_str()
            && let Some(Uses::Docker {
                image,
                tag,
                digest: None,
            }) = Uses::parse(s)
        {
            report(
                action.path(),
                &image,
                tag.as_deref(),
                img,
                &Route::path("runs.image"),
                "Docker action",
                out,
            );
        }
    }

    fn step(&self, _ws: &Workspace, s: StepIn<'_>, out: &mut Vec<Finding>) {
        if let Some((u, n)) = &s.step.uses {
            check_uses(s.path(), u, n, &s.step.route, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::split_image;

    #[test]
    fn images() {
        assert_eq!(split_image("python:3.12"), (Some("3.12"), false));
        assert_eq!(split_image("localhost:5000/img"), (None, false));
        assert_eq!(split_image("img@sha256:ab"), (None, true));
    }
}
