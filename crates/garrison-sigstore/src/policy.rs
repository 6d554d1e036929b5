//! Who must have signed: Garrison's policy, independent of the verification library.

/// The certificate identity (Subject Alternative Name: a URI such as a workflow ref, or an
/// email address) a signature must carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identity {
    /// The SAN equals this string.
    Exact(String),
    /// The SAN matches this glob over the whole string: `*` matches any run of characters
    /// (including `/`), `?` one character; everything else is literal. For example
    /// `https://github.com/numpy/numpy/.github/workflows/wheels.yml@refs/tags/v*`.
    Pattern(String),
    /// Any SAN. Only accepted together with an issuer or GitHub claims that say who signed;
    /// a policy that constrains nothing is refused.
    Any,
}

impl Identity {
    /// Whether `san` satisfies this identity.
    pub fn matches(&self, san: &str) -> bool {
        match self {
            Identity::Exact(expected) => san == expected,
            Identity::Pattern(glob) => glob_match(glob, san),
            Identity::Any => true,
        }
    }
}

impl std::fmt::Display for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Identity::Exact(s) => f.write_str(s),
            Identity::Pattern(s) => write!(f, "pattern {s}"),
            Identity::Any => f.write_str("any identity"),
        }
    }
}

/// GitHub Actions claims a Fulcio certificate must carry (extensions `1.3.6.1.4.1.57264.1.*`).
/// Every `None` is unconstrained.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GithubClaims {
    /// `owner/name`; compared case-insensitively with the Source Repository URI (`.1.12`).
    pub repository: Option<String>,
    /// The workflow that ran, as `.github/workflows/release.yml` or just `release.yml`; compared
    /// with the path of the Build Config URI (`.1.18`), the top-level workflow (as PyPI Trusted
    /// Publishing does), not a reusable workflow it called.
    pub workflow_path: Option<String>,
    /// The Source Repository Ref (`.1.14`), e.g. `refs/tags/v1.2.0`; a glob as in
    /// [`Identity::Pattern`].
    pub ref_: Option<String>,
    /// The Build Trigger (`.1.20`), e.g. `push` or `release`.
    pub trigger: Option<String>,
}

/// What a verified signature must say about its signer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// The OIDC issuer (Fulcio extension `.1.8`, or the older `.1.1`), compared exactly.
    pub issuer: Option<String>,
    /// The certificate identity (SAN).
    pub identity: Identity,
    /// GitHub Actions workflow claims.
    pub github: Option<GithubClaims>,
}

impl Policy {
    /// A policy requiring `identity`, with no issuer or GitHub constraint yet.
    pub fn new(identity: Identity) -> Self {
        Self {
            issuer: None,
            identity,
            github: None,
        }
    }

    /// Require this OIDC issuer.
    #[must_use]
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuer = Some(issuer.into());
        self
    }

    /// Require these GitHub Actions claims.
    #[must_use]
    pub fn github(mut self, claims: GithubClaims) -> Self {
        self.github = Some(claims);
        self
    }

    /// Whether the policy names a signer at all.
    pub(crate) fn constrains_signer(&self) -> bool {
        !matches!(self.identity, Identity::Any)
            || self.issuer.is_some()
            || self.github.as_ref().is_some_and(|g| g.repository.is_some())
    }
}

/// Whole-string glob match: `*` any run (including empty and `/`), `?` one character.
/// Linear-time backtracking on the last `*` (no exponential blow-up).
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(c) if *c == '?' || Some(c) == t.get(ti) => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p.get(pi..)
        .is_some_and(|rest| rest.iter().all(|c| *c == '*'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_match("a*c", "abc"));
        assert!(glob_match("a*c", "ac"));
        assert!(glob_match("a*c", "a/b/c"));
        assert!(!glob_match("a*c", "abd"));
        assert!(glob_match("a?c", "abc"));
        assert!(!glob_match("a?c", "ac"));
        assert!(glob_match("*", ""));
        assert!(glob_match("x@refs/tags/v*", "x@refs/tags/v1.2"));
        assert!(!glob_match("x@refs/tags/v*", "x@refs/heads/main"));
        assert!(glob_match("*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaab"));
        assert!(!glob_match("*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaa"));
        assert!(!glob_match("abc", "abcd"));
    }

    #[test]
    fn any_alone_constrains_nothing() {
        assert!(!Policy::new(Identity::Any).constrains_signer());
        assert!(Policy::new(Identity::Any).issuer("x").constrains_signer());
        assert!(Policy::new(Identity::Exact("a".into())).constrains_signer());
    }
}
