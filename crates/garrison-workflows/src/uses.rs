//! `uses:` references: local paths, Docker images, and `owner/repo[/path]@ref`.

/// A parsed `uses:` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Uses {
    /// `./path/to/action` or `./.github/workflows/x.yml`.
    Local {
        /// The path after `./`.
        path: String,
    },
    /// `docker://image[:tag][@digest]`.
    Docker {
        /// Image name without tag or digest.
        image: String,
        /// Tag, if any.
        tag: Option<String>,
        /// `sha256:…` digest, if any.
        digest: Option<String>,
    },
    /// `owner/repo[/subpath]@ref`.
    Repository {
        /// Owner (organisation or user).
        owner: String,
        /// Repository name.
        repo: String,
        /// Path inside the repository (an action directory or a workflow file).
        subpath: Option<String>,
        /// The ref after `@` (absent in malformed input).
        git_ref: Option<String>,
    },
}

impl Uses {
    /// Parses a `uses:` value. Returns `None` for empty or expression-valued input.
    pub fn parse(s: &str) -> Option<Uses> {
        let s = s.trim();
        if s.is_empty() || s.contains("${{") {
            return None;
        }
        if let Some(path) = s.strip_prefix("./") {
            return Some(Uses::Local {
                path: path.trim_end_matches('/').to_string(),
            });
        }
        if let Some(rest) = s.strip_prefix("docker://") {
            let (rest, digest) = match rest.split_once('@') {
                Some((a, d)) => (a, Some(d.to_string())),
                None => (rest, None),
            };
            // A tag is a `:` after the last `/` (a registry host may have a port).
            let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
            let (image, tag) = match rest[last_slash..].rfind(':') {
                Some(i) => (
                    rest[..last_slash + i].to_string(),
                    Some(rest[last_slash + i + 1..].to_string()),
                ),
                None => (rest.to_string(), None),
            };
            return Some(Uses::Docker { image, tag, digest });
        }
        let (path, git_ref) = match s.split_once('@') {
            Some((p, r)) => (p, Some(r.to_string())),
            None => (s, None),
        };
        let mut parts = path.splitn(3, '/');
        let owner = parts.next()?.to_string();
        let repo = parts.next()?.to_string();
        if owner.is_empty() || repo.is_empty() {
            return None;
        }
        let subpath = parts.next().map(str::to_string).filter(|p| !p.is_empty());
        Some(Uses::Repository {
            owner,
            repo,
            subpath,
            git_ref,
        })
    }

    /// `owner/repo` for repository references.
    pub fn slug(&self) -> Option<String> {
        match self {
            Uses::Repository { owner, repo, .. } => Some(format!("{owner}/{repo}")),
            _ => None,
        }
    }

    /// `owner/repo[/subpath]` lowercased, for matching against known actions.
    pub fn action_name(&self) -> Option<String> {
        match self {
            Uses::Repository {
                owner,
                repo,
                subpath,
                ..
            } => Some(match subpath {
                Some(p) => format!("{owner}/{repo}/{p}").to_ascii_lowercase(),
                None => format!("{owner}/{repo}").to_ascii_lowercase(),
            }),
            _ => None,
        }
    }

    /// The `@ref`, if any.
    pub fn git_ref(&self) -> Option<&str> {
        match self {
            Uses::Repository { git_ref, .. } => git_ref.as_deref(),
            _ => None,
        }
    }

    /// True if the ref is a full 40-hex commit SHA (or 64-hex for SHA-256 repositories).
    pub fn is_sha_pinned(&self) -> bool {
        self.git_ref().is_some_and(is_commit_sha)
    }

    /// True for a repository action owned by someone other than GitHub (`actions/*`,
    /// `github/*`).
    pub fn is_third_party(&self) -> bool {
        match self {
            Uses::Repository { owner, .. } => {
                let o = owner.to_ascii_lowercase();
                o != "actions" && o != "github"
            }
            _ => false,
        }
    }

    /// True if this is a reusable workflow (`…/.github/workflows/x.yml`).
    pub fn is_reusable_workflow(&self) -> bool {
        let p = match self {
            Uses::Repository { subpath, .. } => subpath.as_deref().unwrap_or(""),
            Uses::Local { path } => path,
            Uses::Docker { .. } => return false,
        };
        p.contains(".github/workflows/") && (p.ends_with(".yml") || p.ends_with(".yaml"))
    }
}

/// True for a full 40- or 64-hex commit id.
pub fn is_commit_sha(r: &str) -> bool {
    (r.len() == 40 || r.len() == 64) && r.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_form() {
        assert_eq!(
            Uses::parse("./.github/actions/setup"),
            Some(Uses::Local {
                path: ".github/actions/setup".into()
            })
        );
        let u = Uses::parse("actions/checkout@v4").unwrap_or(Uses::Local {
            path: String::new(),
        });
        assert_eq!(u.slug().as_deref(), Some("actions/checkout"));
        assert!(!u.is_sha_pinned());
        let u = Uses::parse("github/codeql-action/init@0123456789abcdef0123456789abcdef01234567");
        assert!(u.as_ref().is_some_and(Uses::is_sha_pinned));
        assert_eq!(
            u.and_then(|u| u.action_name()).as_deref(),
            Some("github/codeql-action/init")
        );
        assert_eq!(
            Uses::parse("docker://ghcr.io:443/owner/img:1.2@sha256:abc"),
            Some(Uses::Docker {
                image: "ghcr.io:443/owner/img".into(),
                tag: Some("1.2".into()),
                digest: Some("sha256:abc".into())
            })
        );
        assert!(
            Uses::parse("org/repo/.github/workflows/ci.yml@main")
                .is_some_and(|u| u.is_reusable_workflow())
        );
        assert_eq!(Uses::parse("${{ matrix.action }}"), None);
        assert_eq!(Uses::parse("noslash"), None);
    }
}
