//! `.gitignore` matching over a source tree, with the rule (file, line, pattern) that matched.
//!
//! A file that a release carries but the repository's own ignore rules exclude is the XZ Utils
//! shape: `m4/build-to-host.m4` was listed in `.gitignore` as generated, so it never appeared in
//! a diff, yet the release tarball carried a doctored copy. [`IgnoreRules::matched`] says which
//! rule hides a path, so the finding can quote it.
//!
//! Semantics follow gitignore(5): blank lines and `#` comments are skipped, `\#` and `\!` escape,
//! unescaped trailing spaces are trimmed, `!` negates, a trailing `/` matches directories only, a
//! pattern with a `/` at its start or middle is anchored to its file's directory (otherwise it
//! matches a name at any depth below it), `*` and `?` do not cross `/`, `**` does. Deeper files
//! override shallower ones and later lines earlier ones; a file inside an ignored directory stays
//! ignored whatever a negation says (git does not descend into ignored directories).

use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};

/// Largest ignore file read (bytes); past it the rest of the file is not used.
const MAX_FILE: usize = 1 << 20;
/// Most rules kept over all ignore files.
const MAX_RULES: usize = 20_000;

/// The rule that decided a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnoreHit {
    /// The ignore file (`.gitignore`, `m4/.gitignore`).
    pub file: String,
    /// 1-based line in that file.
    pub line: u32,
    /// The pattern as written.
    pub pattern: String,
    /// The path the rule matched: the file itself, or one of its parent directories.
    pub matched: String,
}

#[derive(Debug)]
struct Rule {
    negated: bool,
    dir_only: bool,
    file: String,
    line: u32,
    pattern: String,
}

/// All ignore rules of a tree, in precedence order, compiled into one [`GlobSet`] so a path is
/// matched against every rule in one pass.
#[derive(Debug, Default)]
pub struct IgnoreRules {
    rules: Vec<Rule>,
    set: GlobSet,
    /// Lines that could not be compiled (file, line, reason).
    pub errors: Vec<(String, u32, String)>,
}

impl IgnoreRules {
    /// Builds the rules from the tree's ignore files, given as `(path, content)`; only files
    /// named `.gitignore` are used.
    pub fn new<'a>(files: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> IgnoreRules {
        let mut files: Vec<(&str, &[u8])> = files
            .into_iter()
            .filter(|(p, _)| *p == ".gitignore" || p.ends_with("/.gitignore"))
            .collect();
        // Shallow first, so deeper files come later and win.
        files.sort_by_key(|(p, _)| (p.matches('/').count(), *p));
        let mut out = IgnoreRules::default();
        let mut globs = GlobSetBuilder::new();
        for (path, data) in files {
            let base = path.strip_suffix(".gitignore").unwrap_or("");
            let text = String::from_utf8_lossy(&data[..data.len().min(MAX_FILE)]);
            for (i, raw) in text.lines().enumerate() {
                if out.rules.len() >= MAX_RULES {
                    break;
                }
                let line = u32::try_from(i + 1).unwrap_or(u32::MAX);
                match compile(base, raw) {
                    Ok(Some((glob, negated, dir_only))) => {
                        globs.add(glob);
                        out.rules.push(Rule {
                            negated,
                            dir_only,
                            file: path.to_string(),
                            line,
                            pattern: raw.trim_end().to_string(),
                        });
                    }
                    Ok(None) => {}
                    Err(e) => out.errors.push((path.to_string(), line, e.to_string())),
                }
            }
        }
        match globs.build() {
            Ok(set) => out.set = set,
            Err(e) => {
                out.errors.push((".gitignore".into(), 0, e.to_string()));
                out.rules.clear();
            }
        }
        out
    }

    /// Whether there are any rules.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The rule that ignores `path` (a file path), or `None` when the path is not ignored.
    pub fn matched(&self, path: &str) -> Option<IgnoreHit> {
        // Parent directories first: once one is ignored, everything inside is.
        let mut idx = 0;
        while let Some(off) = path[idx..].find('/') {
            let dir = &path[..idx + off];
            if let Some(hit) = self.decide(dir, true) {
                return Some(hit);
            }
            idx += off + 1;
        }
        self.decide(path, false)
    }

    fn decide(&self, path: &str, is_dir: bool) -> Option<IgnoreHit> {
        let rule = self
            .set
            .matches(path)
            .into_iter()
            .rev()
            .filter_map(|i| self.rules.get(i))
            .find(|r| is_dir || !r.dir_only)?;
        (!rule.negated).then(|| IgnoreHit {
            file: rule.file.clone(),
            line: rule.line,
            pattern: rule.pattern.clone(),
            matched: path.to_string(),
        })
    }
}

/// Compiles one line: `Ok(None)` for blank lines and comments.
fn compile(base: &str, raw: &str) -> Result<Option<(Glob, bool, bool)>, globset::Error> {
    let mut line = raw.strip_suffix('\r').unwrap_or(raw);
    // Trailing spaces are trimmed unless escaped with a backslash.
    while line.ends_with(' ') && !line.ends_with("\\ ") {
        line = &line[..line.len() - 1];
    }
    if line.is_empty() || line.starts_with('#') {
        return Ok(None);
    }
    let (negated, mut pat) = match line.strip_prefix('!') {
        Some(rest) => (true, rest),
        None => (false, line),
    };
    if let Some(rest) = pat.strip_prefix('\\')
        && (rest.starts_with('#') || rest.starts_with('!'))
    {
        pat = rest;
    }
    let dir_only = pat.ends_with('/') && !pat.ends_with("\\/");
    let pat = pat.trim_end_matches('/');
    if pat.is_empty() {
        return Ok(None);
    }
    let anchored = pat.contains('/');
    let pat = pat.trim_start_matches('/');
    let glob = if anchored || pat.starts_with("**/") {
        format!("{base}{pat}")
    } else {
        format!("{base}**/{pat}")
    };
    let m = GlobBuilder::new(&glob)
        .literal_separator(true)
        .backslash_escape(true)
        .build()?;
    Ok(Some((m, negated, dir_only)))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn rules(files: &[(&str, &str)]) -> IgnoreRules {
        IgnoreRules::new(files.iter().map(|(p, c)| (*p, c.as_bytes())))
    }

    fn hit(r: &IgnoreRules, p: &str) -> Option<(String, u32)> {
        r.matched(p).map(|h| (h.file, h.line))
    }

    #[test]
    fn xz_shape() {
        // xz 5.6.0's .gitignore listed the generated m4 macros.
        let r = rules(&[(
            ".gitignore",
            "*.o\n# autotools\n/m4/*.m4\n!/m4/ax_*.m4\nbuild/\n",
        )]);
        assert_eq!(
            hit(&r, "m4/build-to-host.m4"),
            Some((".gitignore".into(), 3))
        );
        assert_eq!(hit(&r, "m4/ax_pthread.m4"), None);
        assert_eq!(hit(&r, "src/m4/x.m4"), None, "anchored to the root");
        assert_eq!(hit(&r, "src/lib/a.o"), Some((".gitignore".into(), 1)));
        assert_eq!(hit(&r, "build/lib/x.py"), Some((".gitignore".into(), 5)));
        assert_eq!(hit(&r, "src/build/x.py"), Some((".gitignore".into(), 5)));
        assert_eq!(hit(&r, "build"), None, "dir-only does not match a file");
        assert_eq!(
            r.matched("build/x").map(|h| h.matched),
            Some("build".into())
        );
    }

    #[test]
    fn nested_files_and_negation() {
        let r = rules(&[
            (".gitignore", "*.c\n"),
            ("src/pkg/.gitignore", "!keep.c\n_version.py\n"),
        ]);
        assert_eq!(hit(&r, "src/pkg/mod.c"), Some((".gitignore".into(), 1)));
        assert_eq!(hit(&r, "src/pkg/keep.c"), None);
        assert_eq!(hit(&r, "keep.c"), Some((".gitignore".into(), 1)));
        assert_eq!(
            hit(&r, "src/pkg/_version.py"),
            Some(("src/pkg/.gitignore".into(), 2))
        );
        assert_eq!(
            hit(&r, "other/_version.py"),
            None,
            "scoped to its directory"
        );
    }

    #[test]
    fn ignored_directory_cannot_be_reincluded() {
        let r = rules(&[(".gitignore", "gen/\n!gen/keep.py\n")]);
        assert!(r.matched("gen/keep.py").is_some());
    }

    #[test]
    fn double_star_comments_escapes() {
        let r = rules(&[(
            ".gitignore",
            "# comment\n\\#hash\nfoo/**/bar\n**/cache\n \ntrailing   \nx?.txt\n[ab].dat\n",
        )]);
        assert!(r.matched("#hash").is_some());
        assert!(r.matched("comment").is_none());
        assert!(r.matched("foo/bar").is_some());
        assert!(r.matched("foo/a/b/bar").is_some());
        assert!(r.matched("a/cache/x").is_some());
        assert!(r.matched("trailing").is_some());
        assert!(r.matched("x1.txt").is_some());
        assert!(r.matched("x12.txt").is_none());
        assert!(r.matched("a.dat").is_some());
        assert!(r.matched("c.dat").is_none());
    }

    #[test]
    fn hostile_lines_do_not_panic() {
        let r = rules(&[(".gitignore", "[\n\\\n!\n/\n**\n***\n\u{0}\n!!x\n")]);
        let _ = r.matched("a/b/c");
        assert!(r.errors.len() <= 8);
    }
}
