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
    /// The SAN matches this regular expression over the whole string (see [`IdentityRegex`]);
    /// for example `https://github\.com/numpy/numpy/\.github/workflows/wheels\.yml@refs/tags/v[0-9.]+`.
    Regex(IdentityRegex),
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
            Identity::Regex(re) => re.is_match(san),
            Identity::Any => true,
        }
    }
}

impl std::fmt::Display for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            // Quoted as written (not Rust-escaped: a regexp's `\.` stays `\.`).
            Identity::Exact(s) => write!(f, "\"{s}\""),
            Identity::Pattern(s) => write!(f, "pattern \"{s}\""),
            Identity::Regex(re) => write!(f, "regexp \"{}\"", re.as_str()),
            Identity::Any => f.write_str("any identity"),
        }
    }
}

/// Largest compiled program of an identity regular expression (bytes of heap). Patterns may come
/// from policy files; this bounds the memory and build time a hostile pattern can cost (matching
/// is linear-time in any case: the `regex` crate never backtracks).
pub const IDENTITY_REGEX_SIZE_LIMIT: usize = 1 << 20;
/// Deepest nesting of groups and repetitions in an identity regular expression.
const IDENTITY_REGEX_NEST_LIMIT: u32 = 64;

/// A certificate identity regular expression (Rust `regex` syntax, a superset of the RE2/Go syntax
/// cosign uses for `--certificate-identity-regexp`).
///
/// The match is anchored to the whole identity: `https://github\.com/numpy/.*` does not match
/// `https://evil.example/?https://github.com/numpy/x`. sigstore-go and cosign (Go
/// `regexp.MatchString`) search for the pattern anywhere in the SAN unless it is written with
/// `^...$` itself, so a pattern written anchored for cosign means the same here, and an unanchored
/// one is only ever stricter here.
#[derive(Debug, Clone)]
pub struct IdentityRegex {
    pattern: String,
    anchored: regex::Regex,
}

/// A regular expression that does not compile, or exceeds the size limits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid identity regular expression {pattern:?}: {reason}")]
pub struct RegexError {
    /// The pattern as given.
    pub pattern: String,
    /// The parser's message (syntax error, or the size limit that was exceeded).
    pub reason: String,
}

impl IdentityRegex {
    /// Compiles `pattern`, anchored to the whole identity, under the size and nesting limits.
    pub fn new(pattern: &str) -> Result<Self, RegexError> {
        let build = |p: &str| {
            regex::RegexBuilder::new(p)
                .size_limit(IDENTITY_REGEX_SIZE_LIMIT)
                .dfa_size_limit(IDENTITY_REGEX_SIZE_LIMIT)
                .nest_limit(IDENTITY_REGEX_NEST_LIMIT)
                .build()
                .map_err(|e| RegexError {
                    pattern: pattern.to_string(),
                    reason: e.to_string(),
                })
        };
        // The pattern must be a complete regular expression on its own, so that wrapping it in a
        // group cannot change its meaning (`a)|(b` would otherwise escape the anchors).
        build(pattern)?;
        let anchored = build(&format!("^(?:{pattern})$"))?;
        Ok(Self {
            pattern: pattern.to_string(),
            anchored,
        })
    }

    /// Whether the whole of `identity` matches.
    pub fn is_match(&self, identity: &str) -> bool {
        self.anchored.is_match(identity)
    }

    /// The pattern as given.
    pub fn as_str(&self) -> &str {
        &self.pattern
    }
}

impl PartialEq for IdentityRegex {
    fn eq(&self, other: &Self) -> bool {
        self.pattern == other.pattern
    }
}

impl Eq for IdentityRegex {}

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
pub use garrison_source::wildcard::wildcard_match as glob_match;

#[cfg(test)]
#[allow(clippy::unwrap_used)]
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
    fn regexes_match_the_whole_identity() {
        let re = IdentityRegex::new(r"https://github\.com/numpy/[^/]+/.*").unwrap();
        assert!(re.is_match("https://github.com/numpy/numpy/.github/workflows/w.yml@refs/tags/v2"));
        // Anchored at both ends: no match inside a longer identity.
        assert!(!re.is_match("https://evil.example/?https://github.com/numpy/numpy/x"));
        assert!(!IdentityRegex::new("abc").unwrap().is_match("xabcx"));
        // Leftmost-first alternation still has to cover the whole identity.
        assert!(IdentityRegex::new("a|ab").unwrap().is_match("ab"));
        // A pattern that only compiles once wrapped cannot escape the anchors.
        assert!(IdentityRegex::new("a)|(b").is_err());
        assert!(IdentityRegex::new("(").is_err());
        let id = Identity::Regex(IdentityRegex::new("x.*").unwrap());
        assert!(id.matches("xyz"));
        assert!(!id.matches("yxz"));
        assert_eq!(id.to_string(), "regexp \"x.*\"");
    }

    #[test]
    fn huge_regexes_are_refused() {
        // Each counted repetition of a Unicode class multiplies the compiled size.
        let err = IdentityRegex::new(r"\w{1000}\w{1000}\w{1000}").unwrap_err();
        assert!(err.to_string().contains("size limit"), "{err}");
        let deep = format!("{}a{}", "(".repeat(200), ")".repeat(200));
        assert!(IdentityRegex::new(&deep).is_err());
    }

    #[test]
    fn any_alone_constrains_nothing() {
        assert!(!Policy::new(Identity::Any).constrains_signer());
        assert!(Policy::new(Identity::Any).issuer("x").constrains_signer());
        assert!(Policy::new(Identity::Exact("a".into())).constrains_signer());
    }
}
