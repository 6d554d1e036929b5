//! GitHub `CODEOWNERS`: finding the file and deciding who owns a path.
//!
//! GitHub reads the first of `.github/CODEOWNERS`, `CODEOWNERS`, `docs/CODEOWNERS`. Patterns
//! follow gitignore rules with GitHub's restrictions (no `!` negation, no `[ ]` ranges); the
//! last matching line wins, and a matching line with no owners leaves the path unowned.

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

/// Where GitHub looks for the file, in its order of precedence.
pub const LOCATIONS: &[&str] = &[".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"];

/// One rule line.
#[derive(Debug, Clone)]
pub struct Rule {
    /// 1-based line number.
    pub line: usize,
    /// The pattern as written.
    pub pattern: String,
    /// Owners (`@user`, `@org/team`, e-mail addresses); empty unassigns.
    pub owners: Vec<String>,
    matcher: Option<GlobSet>,
}

/// A parsed `CODEOWNERS` file.
#[derive(Debug, Clone)]
pub struct Codeowners {
    /// Its path in the checkout.
    pub path: String,
    /// Rule lines in file order.
    pub rules: Vec<Rule>,
}

impl Codeowners {
    /// Parses the text of a `CODEOWNERS` file.
    pub fn parse(path: &str, text: &str) -> Codeowners {
        let mut rules = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = strip_comment(raw).trim();
            if line.is_empty() {
                continue;
            }
            let mut parts = line.split_whitespace();
            let Some(pattern) = parts.next() else {
                continue;
            };
            let pattern = pattern.replace("\\#", "#");
            let owners = parts.map(str::to_string).collect();
            rules.push(Rule {
                line: i + 1,
                matcher: compile(&pattern),
                pattern,
                owners,
            });
        }
        Codeowners {
            path: path.to_string(),
            rules,
        }
    }

    /// The rule that decides ownership of `rel` (the last one that matches).
    pub fn rule_for(&self, rel: &str) -> Option<&Rule> {
        self.rules
            .iter()
            .rev()
            .find(|r| r.matcher.as_ref().is_some_and(|m| m.is_match(rel)))
    }

    /// True if `rel` has at least one owner.
    pub fn owned(&self, rel: &str) -> bool {
        self.rule_for(rel).is_some_and(|r| !r.owners.is_empty())
    }
}

/// Removes a `#` comment (a `#` at the start of the line or after whitespace; `\#` is a
/// literal).
fn strip_comment(line: &str) -> &str {
    let bytes = line.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'#' {
            let escaped = i > 0 && bytes.get(i - 1) == Some(&b'\\');
            let starts_token = i == 0 || bytes.get(i - 1).is_some_and(u8::is_ascii_whitespace);
            if !escaped && starts_token {
                return line.get(..i).unwrap_or("");
            }
        }
    }
    line
}

/// Compiles a gitignore-style pattern into globs over `/`-separated relative paths.
fn compile(pattern: &str) -> Option<GlobSet> {
    if pattern.starts_with('!') || pattern.contains('[') {
        // Not supported by GitHub: the line matches nothing.
        return None;
    }
    let dir_only = pattern.ends_with('/');
    let p = pattern.trim_end_matches('/');
    let anchored = p.starts_with('/') || p.contains('/');
    let p = p.trim_start_matches('/');
    if p.is_empty() {
        return None;
    }
    let base = if anchored || p.starts_with("**") {
        p.to_string()
    } else {
        format!("**/{p}")
    };
    let mut globs = Vec::new();
    if !dir_only {
        globs.push(base.clone());
    }
    // A pattern naming a directory owns everything below it, except `dir/*`, which GitHub
    // documents as matching direct children only.
    if !p.ends_with("/*") {
        globs.push(format!("{base}/**"));
    }
    let mut set = GlobSetBuilder::new();
    for g in globs {
        let glob = GlobBuilder::new(&g)
            .literal_separator(true)
            .backslash_escape(true)
            .build()
            .ok()?;
        set.add(glob);
    }
    set.build().ok()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn github_documented_examples() {
        let c = Codeowners::parse(
            "CODEOWNERS",
            "* @global\n*.js @js # trailing comment\n/build/logs/ @logs\ndocs/* docs@example.com\napps/ @apps\n/scripts/ @s\n/scripts/generated/\n",
        );
        assert_eq!(c.rule_for("a/b.js").unwrap().owners, ["@js"]);
        assert_eq!(c.rule_for("build/logs/x/y.txt").unwrap().owners, ["@logs"]);
        assert_eq!(
            c.rule_for("docs/a.md").unwrap().owners,
            ["docs@example.com"]
        );
        assert_eq!(c.rule_for("docs/sub/a.md").unwrap().owners, ["@global"]);
        assert_eq!(c.rule_for("src/apps/x.py").unwrap().owners, ["@apps"]);
        assert!(c.owned("scripts/run.sh"));
        assert!(!c.owned("scripts/generated/out.sh"));
        assert!(c.owned("README"));
    }

    #[test]
    fn no_rule_means_unowned() {
        let c = Codeowners::parse("CODEOWNERS", "# only comments\n/src/ @a\n");
        assert!(!c.owned(".github/workflows/ci.yml"));
        assert!(c.owned("src/x.py"));
        assert_eq!(c.rules[0].line, 2);
    }
}
