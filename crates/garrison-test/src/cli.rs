//! Snapshots of command runs: the exit code, standard output and standard error of one
//! invocation in one text, with the machine-specific parts (temporary directories, the
//! repository root, the user's data directory) replaced by stable placeholders, so a test
//! asserts everything the user sees at once instead of a few `contains`.
//!
//! [`run`] redacts the paths a test names, the advisory data's age and Garrison's version in
//! JSON reports; [`Run`]'s methods redact what only the test knows to move (commit ids and
//! dates of repositories dated relative to today, fingerprints that hash temporary paths,
//! anything a pattern describes), reduce a large JSON report to the part a case is about
//! ([`Run::json_part`]), and [`snapshots`] puts several runs (the text and the JSON of one
//! case) in one snapshot. Make fixtures deterministic before redacting: fixed commit dates give
//! fixed commit ids.

use std::path::Path;
use std::process::Command;

/// The result of one run, ready to snapshot.
#[derive(Debug, Clone)]
pub struct Run {
    /// The exit code (-1 when killed by a signal).
    pub code: i32,
    /// Standard output, redacted.
    pub stdout: String,
    /// Standard error, redacted.
    pub stderr: String,
}

impl Run {
    /// `exit: N`, then standard output and standard error under headings (empty streams are
    /// left out).
    pub fn snapshot(&self) -> String {
        let mut s = format!("exit: {}\n", self.code);
        if !self.stdout.is_empty() {
            s.push_str("--- stdout\n");
            s.push_str(&self.stdout);
            if !self.stdout.ends_with('\n') {
                s.push('\n');
            }
        }
        if !self.stderr.is_empty() {
            s.push_str("--- stderr\n");
            s.push_str(&self.stderr);
            if !self.stderr.ends_with('\n') {
                s.push('\n');
            }
        }
        s
    }

    /// Replaces every `from` in both streams with `to`: a value the test knows that differs
    /// from run to run (a key fingerprint, a server's address, the crate version).
    pub fn redact(self, from: &str, to: &str) -> Run {
        self.redact_all(&[(from, to)])
    }

    /// Replaces each `(text, placeholder)` in both streams (longest text first): what only the
    /// test knows is not stable, such as a date computed from today.
    pub fn redact_all(mut self, pairs: &[(&str, &str)]) -> Run {
        let mut pairs: Vec<(&str, &str)> = pairs
            .iter()
            .filter(|(t, _)| !t.is_empty())
            .copied()
            .collect();
        pairs.sort_by_key(|(t, _)| std::cmp::Reverse(t.len()));
        for (from, to) in pairs {
            self.stdout = self.stdout.replace(from, to);
            self.stderr = self.stderr.replace(from, to);
        }
        self
    }

    /// Replaces each commit id, full or abbreviated (7 hex digits or more), by `[LABEL]`, for
    /// repositories whose commit ids change from run to run (commits dated relative to today).
    /// Ids shorter than 7 characters are left alone.
    pub fn redact_commits(mut self, ids: &[(&str, &str)]) -> Run {
        for (label, id) in ids {
            let Some(prefix) = id.get(..7) else { continue };
            if !prefix.bytes().all(|b| b.is_ascii_hexdigit()) {
                continue;
            }
            let Ok(re) = regex::Regex::new(&format!(r"\b{prefix}[0-9a-f]{{0,33}}\b")) else {
                continue;
            };
            let to = format!("[{label}]");
            self.stdout = re.replace_all(&self.stdout, to.as_str()).into_owned();
            self.stderr = re.replace_all(&self.stderr, to.as_str()).into_owned();
        }
        self
    }

    /// Replaces every match of the regular expression `pattern` by `to` (which may name the
    /// pattern's groups, `$1`), in both streams: for what varies in a way only a pattern
    /// describes, such as a duration.
    ///
    /// # Panics
    /// When `pattern` is not a valid regular expression (a broken test).
    pub fn redact_matches(mut self, pattern: &str, to: &str) -> Run {
        let re = regex::Regex::new(pattern)
            .unwrap_or_else(|e| panic!("redact_matches: `{pattern}`: {e}"));
        self.stdout = re.replace_all(&self.stdout, to).into_owned();
        self.stderr = re.replace_all(&self.stderr, to).into_owned();
        self
    }

    /// Replaces every date (`YYYY-MM-DD`, also inside a date and time) by `[DATE]`: for
    /// repositories and data dated relative to today, whose every date moves.
    pub fn redact_dates(mut self) -> Run {
        static DATE: std::sync::OnceLock<Option<regex::Regex>> = std::sync::OnceLock::new();
        if let Some(re) = DATE.get_or_init(|| regex::Regex::new(r"\b\d{4}-\d{2}-\d{2}").ok()) {
            self.stdout = re.replace_all(&self.stdout, "[DATE]").into_owned();
            self.stderr = re.replace_all(&self.stderr, "[DATE]").into_owned();
        }
        self
    }

    /// Replaces finding fingerprints (JSON `"fingerprint"`, SARIF `"garrisonFingerprint/v1"`,
    /// Markdown `Fingerprint:`) by `[FINGERPRINT]`: only for reports whose fingerprints depend on
    /// where their input files are (a test's temporary directory), which the test must say.
    pub fn redact_fingerprints(mut self) -> Run {
        static FP: std::sync::OnceLock<Option<regex::Regex>> = std::sync::OnceLock::new();
        let re = FP.get_or_init(|| {
            regex::Regex::new(
                r#"(?P<k>"fingerprint": "|"garrisonFingerprint/v1": "|Fingerprint: `)[0-9a-f]{16}"#,
            )
            .ok()
        });
        if let Some(re) = re {
            self.stdout = re
                .replace_all(&self.stdout, "${k}[FINGERPRINT]")
                .into_owned();
        }
        self
    }

    /// Standard output as JSON.
    ///
    /// # Panics
    /// When standard output is not JSON (the panic shows the whole run).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("standard output is not JSON ({e}):\n{}", self.snapshot()))
    }

    /// The same run with standard output replaced by `part(JSON output)`, pretty-printed: for
    /// snapshots of the part of a large JSON report a test is about (the exit code and standard
    /// error stay whole).
    ///
    /// # Panics
    /// When standard output is not JSON.
    pub fn json_part(&self, part: impl FnOnce(&serde_json::Value) -> serde_json::Value) -> Run {
        let v = part(&self.json());
        let mut stdout = serde_json::to_string_pretty(&v).unwrap_or_default();
        stdout.push('\n');
        Run {
            code: self.code,
            stdout,
            stderr: self.stderr.clone(),
        }
    }
}

/// Several runs in one snapshot, each under its `## title` (e.g. the text and the JSON output
/// of one command, so both are reviewed together).
pub fn snapshots(runs: &[(&str, &Run)]) -> String {
    runs.iter()
        .map(|(title, r)| format!("## {title}\n{}", r.snapshot()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Replaces the age of the advisory data (which grows by one every day) with `[N]`: `786 days
/// old` and `"age_days": 786` (as the string `"[N]"`, so JSON output still parses).
pub fn redact_age(text: &str) -> String {
    static AGE: std::sync::OnceLock<Vec<(regex::Regex, &'static str)>> = std::sync::OnceLock::new();
    let rules = AGE.get_or_init(|| {
        [
            (r"\b\d+ days old\b", "[N] days old"),
            (r#""age_days": \d+"#, r#""age_days": "[N]""#),
        ]
        .into_iter()
        .filter_map(|(re, to)| regex::Regex::new(re).ok().map(|r| (r, to)))
        .collect()
    });
    let mut s = text.to_string();
    for (re, to) in rules {
        s = re.replace_all(&s, *to).into_owned();
    }
    s
}

/// Replaces Garrison's version in the `tool` object of JSON reports (`"name": "garrison",
/// "version": "0.1.0"`) and the tool component of SBOMs (`"name": "garrison", "type":
/// "application", "version": "0.1.0"`) with `[VERSION]`, so a release does not change every
/// snapshot.
pub fn redact_version(text: &str) -> String {
    static VERSION: std::sync::OnceLock<Option<regex::Regex>> = std::sync::OnceLock::new();
    match VERSION.get_or_init(|| {
        regex::Regex::new(
            r#"("name": "garrison",\s*(?:"type": "application",\s*)?"version": )"[^"]*""#,
        )
        .ok()
    }) {
        Some(re) => re.replace_all(text, r#"$1"[VERSION]""#).into_owned(),
        None => text.to_string(),
    }
}

/// Runs `cmd` and redacts in its output each `(path, placeholder)` (longest paths first, so a
/// directory inside another is replaced by its own placeholder), the advisory data's age
/// ([`redact_age`]) and Garrison's version in JSON reports ([`redact_version`]).
///
/// # Panics
/// When the command cannot be started (a broken test setup, not a behaviour under test).
pub fn run(cmd: &mut Command, redact: &[(&Path, &str)]) -> Run {
    run_redacted(cmd, redact, true)
}

/// [`run`] without [`redact_age`]: for advisory data whose age the test fixes (a database
/// modified a chosen number of days before now), so the age shown is asserted too.
///
/// # Panics
/// When the command cannot be started.
pub fn run_with_age(cmd: &mut Command, redact: &[(&Path, &str)]) -> Run {
    run_redacted(cmd, redact, false)
}

fn run_redacted(cmd: &mut Command, redact: &[(&Path, &str)], age: bool) -> Run {
    #[allow(clippy::unwrap_used)]
    let out = cmd.output().unwrap();
    let mut pairs: Vec<(String, &str)> = redact
        .iter()
        .flat_map(|(p, name)| {
            let mut v = vec![(p.display().to_string(), *name)];
            // macOS and some CI runners see temporary paths through a symlink.
            if let Ok(c) = p.canonicalize() {
                v.push((c.display().to_string(), *name));
            }
            v
        })
        .filter(|(p, _)| !p.is_empty())
        .collect();
    pairs.sort_by_key(|(p, _)| std::cmp::Reverse(p.len()));
    let clean = |bytes: &[u8]| {
        let mut s = String::from_utf8_lossy(bytes).into_owned();
        for (p, name) in &pairs {
            s = s.replace(p.as_str(), name);
        }
        if age {
            s = redact_age(&s);
        }
        redact_version(&s)
    };
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: clean(&out.stdout),
        stderr: clean(&out.stderr),
    }
}

#[cfg(test)]
mod tests {
    use super::Run;

    fn run(stdout: &str) -> Run {
        Run {
            code: 0,
            stdout: stdout.to_string(),
            stderr: String::new(),
        }
    }

    #[test]
    fn commits_are_redacted_full_and_abbreviated() {
        let id = "b9d121e8bf3647e253245b4492db683de31fde80";
        let r = run(&format!(
            "{id}\ncommit b9d121e8bf (x)\nb9d121e8bfzz b9d121\n"
        ))
        .redact_commits(&[("rewrite", id)]);
        assert_eq!(
            r.stdout,
            "[rewrite]\ncommit [rewrite] (x)\nb9d121e8bfzz b9d121\n"
        );
    }

    #[test]
    fn texts_are_redacted_longest_first() {
        let r = run("2024-01-02 and 2024-01-02T10:00\n")
            .redact_all(&[("2024-01-02", "[DAY]"), ("2024-01-02T10:00", "[TIME]")]);
        assert_eq!(r.stdout, "[DAY] and [TIME]\n");
    }

    #[test]
    fn fingerprints_are_redacted() {
        let r = run("\"fingerprint\": \"0123456789abcdef\",\n\"garrisonFingerprint/v1\": \"0123456789abcdef\"\n- Fingerprint: `0123456789abcdef`\n")
            .redact_fingerprints();
        assert_eq!(
            r.stdout,
            "\"fingerprint\": \"[FINGERPRINT]\",\n\"garrisonFingerprint/v1\": \"[FINGERPRINT]\"\n- Fingerprint: `[FINGERPRINT]`\n"
        );
    }

    #[test]
    fn json_parts_are_pretty() {
        let r = run("{\"a\": {\"b\": 1}, \"c\": 2}").json_part(|v| v["a"].clone());
        assert_eq!(r.snapshot(), "exit: 0\n--- stdout\n{\n  \"b\": 1\n}\n");
    }

    #[test]
    fn the_tool_version_is_redacted() {
        assert_eq!(
            super::redact_version(
                "\"tool\": {\n    \"name\": \"garrison\",\n    \"version\": \"0.1.0\"\n  },\n\"version\": \"1.2\""
            ),
            "\"tool\": {\n    \"name\": \"garrison\",\n    \"version\": \"[VERSION]\"\n  },\n\"version\": \"1.2\""
        );
    }

    #[test]
    fn ages_are_redacted() {
        assert_eq!(
            super::redact_age("of 2024-10-10 (786 days old)\n\"age_days\": 12,"),
            "of 2024-10-10 ([N] days old)\n\"age_days\": \"[N]\","
        );
    }
}
