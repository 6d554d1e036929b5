//! Snapshots of command runs: the exit code, standard output and standard error of one
//! invocation in one text, with the machine-specific parts (temporary directories, the
//! repository root, the user's data directory) replaced by stable placeholders, so a test
//! asserts everything the user sees at once instead of a few `contains`.

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
    pub fn redact(mut self, from: &str, to: &str) -> Self {
        if !from.is_empty() {
            self.stdout = self.stdout.replace(from, to);
            self.stderr = self.stderr.replace(from, to);
        }
        self
    }

    /// Replaces every match of the regular expression `pattern` in both streams with `to`
    /// (`$1` and `${name}` refer to groups).
    ///
    /// # Panics
    /// When `pattern` is not a valid regular expression (a broken test, not a behaviour under
    /// test).
    pub fn redact_matches(mut self, pattern: &str, to: &str) -> Self {
        #[allow(clippy::unwrap_used)]
        let re = regex::Regex::new(pattern).unwrap();
        self.stdout = re.replace_all(&self.stdout, to).into_owned();
        self.stderr = re.replace_all(&self.stderr, to).into_owned();
        self
    }
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

/// Runs `cmd` and redacts each `(path, placeholder)` and the advisory data's age ([`redact_age`]) in its output (longest paths first, so a
/// directory inside another is replaced by its own placeholder).
///
/// # Panics
/// When the command cannot be started (a broken test setup, not a behaviour under test).
pub fn run(cmd: &mut Command, redact: &[(&Path, &str)]) -> Run {
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
        redact_age(&s)
    };
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: clean(&out.stdout),
        stderr: clean(&out.stderr),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn ages_are_redacted() {
        assert_eq!(
            super::redact_age("of 2024-10-10 (786 days old)\n\"age_days\": 12,"),
            "of 2024-10-10 ([N] days old)\n\"age_days\": \"[N]\","
        );
    }
}
