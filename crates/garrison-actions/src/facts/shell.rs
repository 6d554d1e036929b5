//! What `run:` scripts write to the runner's environment files (`$GITHUB_ENV`, `$GITHUB_PATH`,
//! `$GITHUB_OUTPUT`) and which shell variables they read.

pub(crate) fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The environment file among `targets` (`GITHUB_ENV`, `GITHUB_OUTPUT`, …) a shell line writes
/// to, if any: `>> $GITHUB_ENV`, `>>"${GITHUB_ENV}"`, `| tee -a $GITHUB_ENV`, PowerShell
/// `Out-File -FilePath $env:GITHUB_ENV`, `Add-Content $env:GITHUB_ENV`, `%GITHUB_ENV%`.
pub fn write_target(line: &str, targets: &[&'static str]) -> Option<&'static str> {
    for t in targets {
        let mut from = 0;
        while let Some(i) = line.get(from..).and_then(|r| r.find(t)) {
            let pos = from + i;
            from = pos + t.len();
            let after = line.as_bytes().get(pos + t.len()).copied();
            if after.is_some_and(is_ident) {
                continue;
            }
            let before = line.get(..pos).unwrap_or_default();
            let mut b = before;
            for p in ["$env:", "${env:", "$Env:", "${Env:", "$ENV:"] {
                if let Some(x) = b.strip_suffix(p) {
                    b = x;
                }
            }
            let b = b.trim_end_matches(['$', '{', '"', '\'', ' ', '%', '(']);
            let redirect = b.ends_with('>');
            let tool = [
                "tee ",
                "Out-File",
                "Add-Content",
                "Set-Content",
                "-FilePath",
                "-Path",
            ]
            .iter()
            .any(|w| before.contains(w));
            if redirect || tool {
                return Some(t);
            }
        }
    }
    None
}

/// Each write of a script to one of the environment files `targets`, as
/// `(target, first, line_end, end)` byte offsets relative to `raw`: the data runs from `first`
/// (the writing line, or the `{` of a `{ …; } >> $FILE` group) to `end` (past the heredoc body
/// of `cat >> $FILE <<EOF`), and the writing line ends at `line_end`.
pub fn file_writes(
    raw: &str,
    targets: &[&'static str],
) -> Vec<(&'static str, usize, usize, usize)> {
    let mut lines: Vec<(usize, &str)> = Vec::new();
    let mut off = 0;
    for l in raw.split_inclusive('\n') {
        lines.push((off, l.trim_end_matches(['\n', '\r'])));
        off += l.len();
    }
    let mut out = Vec::new();
    for (i, (start, line)) in lines.iter().enumerate() {
        let t = line.trim_start();
        if t.starts_with('#') {
            continue;
        }
        let Some(target) = write_target(line, targets) else {
            continue;
        };
        let mut first = *start;
        let mut end = start + line.len();
        // `{ …; } >> $GITHUB_ENV`: the group's lines are written too.
        if t.starts_with('}')
            && let Some((s, _)) = lines
                .get(..i)
                .unwrap_or_default()
                .iter()
                .rev()
                .find(|(_, l)| l.trim() == "{" || l.trim_end().ends_with(" {"))
        {
            first = *s;
        }
        // Heredoc: `cat >> "$GITHUB_ENV" <<EOF` … `EOF`.
        if let Some(h) = line.find("<<") {
            let delim: String = line
                .get(h + 2..)
                .unwrap_or_default()
                .trim_start_matches(['-', '~'])
                .trim_start()
                .trim_start_matches(['\'', '"'])
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !delim.is_empty() && !heredoc_in_data(line, h) {
                for (s, l) in lines.get(i + 1..).unwrap_or_default() {
                    if l.trim() == delim {
                        break;
                    }
                    end = s + l.len();
                }
            }
        }
        out.push((target, first, start + line.len(), end));
    }
    out
}

/// True when the `<<` at `at` is inside quotes, i.e. part of the written data
/// (`echo "body<<EOF" >> $GITHUB_OUTPUT`, a multi-line value's opening) rather than a shell heredoc.
fn heredoc_in_data(line: &str, at: usize) -> bool {
    let before = line.get(..at).unwrap_or_default();
    before.matches('"').count() % 2 == 1 || before.matches('\'').count() % 2 == 1
}

/// Shell variable references in `text`: `$NAME`, `${NAME}`, `$env:NAME`, `%NAME%`, as
/// (name, start, end) relative to `text`.
pub fn var_refs(text: &str) -> Vec<(&str, usize, usize)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b.get(i).copied().unwrap_or_default();
        if c == b'$' {
            let mut j = i + 1;
            let braced = b.get(j) == Some(&b'{');
            if braced {
                j += 1;
            }
            if let Some(rest) = text.get(j..)
                && (rest.starts_with("env:")
                    || rest.starts_with("Env:")
                    || rest.starts_with("ENV:"))
            {
                j += 4;
            }
            let s = j;
            while b.get(j).copied().is_some_and(is_ident) {
                j += 1;
            }
            if j > s && b.get(s).is_some_and(|x| !x.is_ascii_digit()) {
                if braced && b.get(j) == Some(&b'}') {
                    j += 1;
                }
                if let Some(name) = text.get(s..j.min(b.len())).map(|n| n.trim_end_matches('}')) {
                    out.push((name, i, j));
                }
                i = j;
                continue;
            }
        } else if c == b'%' {
            let s = i + 1;
            let mut j = s;
            while b.get(j).copied().is_some_and(is_ident) {
                j += 1;
            }
            if j > s && b.get(j) == Some(&b'%') {
                if let Some(name) = text.get(s..j) {
                    out.push((name, i, j + 1));
                }
                i = j + 1;
                continue;
            }
        }
        i += 1;
    }
    out
}

/// The `NAME` of a `NAME=value` or `NAME<<DELIM` entry written on a line (after `echo`,
/// `printf`, quotes), with the byte offset where the value (or delimiter) starts and whether
/// it opens a multi-line value (`<<`), with its delimiter.
fn file_entry(line: &str) -> Option<(&str, usize, Option<String>)> {
    let b = line.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b.get(i).copied().unwrap_or_default();
        let boundary = i == 0 || matches!(b.get(i - 1), Some(b' ' | b'"' | b'\'' | b'\t'));
        if boundary && (c.is_ascii_alphabetic() || c == b'_') {
            let s = i;
            let mut j = i;
            while b.get(j).copied().is_some_and(is_ident) {
                j += 1;
            }
            let name = line.get(s..j).unwrap_or_default();
            let rest = line.get(j..).unwrap_or_default();
            if rest.starts_with("<<") {
                let delim: String = rest
                    .get(2..)
                    .unwrap_or_default()
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
                    .collect();
                return Some((name, j + 2, (!delim.is_empty()).then_some(delim)));
            }
            if rest.starts_with('=') && !rest.starts_with("==") && name != "echo" {
                return Some((name, j + 1, None));
            }
            i = j;
            continue;
        }
        i += 1;
    }
    None
}

/// Every `NAME` entry a script writes to `target` (`GITHUB_ENV`, `GITHUB_OUTPUT`), as
/// `(name, value start, value end)` byte ranges relative to `raw`. Multi-line values (`NAME<<EOF`
/// followed by lines written up to `EOF`, in one write or in several) cover all their lines.
pub fn file_entries<'r>(raw: &'r str, target: &'static str) -> Vec<(&'r str, usize, usize)> {
    let mut out: Vec<(&str, usize, usize)> = Vec::new();
    let mut open: Option<(usize, String)> = None;
    for (_, first, _, end) in file_writes(raw, &[target]) {
        let data = raw.get(first..end).unwrap_or_default();
        let mut off = first;
        for line in data.split_inclusive('\n') {
            let l = line.trim_end_matches(['\n', '\r']);
            let content = l
                .trim()
                .trim_start_matches("echo ")
                .trim_start_matches("-e ")
                .trim_matches(['"', '\'', ' ', ';']);
            if let Some((idx, delim)) = &open {
                let done = content.starts_with(delim.as_str())
                    || l.split_whitespace()
                        .any(|w| w.trim_matches(['"', '\'', ';']) == delim);
                if done {
                    open = None;
                } else if let Some(e) = out.get_mut(*idx) {
                    e.2 = off + l.len();
                }
            } else if let Some((name, v, delim)) = file_entry(l) {
                out.push((name, off + v, off + l.len()));
                if let Some(d) = delim {
                    open = Some((out.len() - 1, d));
                }
            }
            off += line.len();
        }
    }
    out
}

/// Logical commands of a run block as (start, end) byte ranges in `raw`, joining lines that
/// end with `\` or PowerShell's backtick.
pub fn command_lines(raw: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut pos = 0;
    for line in raw.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        let s = *start.get_or_insert(pos);
        pos += line.len();
        let t = body.trim_end();
        if !(t.ends_with('\\') || t.ends_with('`')) {
            out.push((s, s + (pos - s) - (line.len() - body.len())));
            start = None;
        }
    }
    if let Some(s) = start {
        out.push((s, raw.len()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_entries() {
        let raw = "echo \"title=$T\" >> \"$GITHUB_OUTPUT\"\n{\n  echo \"body<<EOF\"\n  echo \"$B\"\n  echo \"EOF\"\n} >> \"$GITHUB_OUTPUT\"\necho \"x=1\" >> \"$GITHUB_ENV\"\n";
        let names: Vec<(&str, &str)> = file_entries(raw, "GITHUB_OUTPUT")
            .into_iter()
            .map(|(n, s, e)| (n, raw.get(s..e).unwrap_or_default()))
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
        assert_eq!(names[0].0, "title");
        assert_eq!(names[1].0, "body");
        assert!(names[1].1.contains("$B"), "{names:?}");
        assert_eq!(file_entries(raw, "GITHUB_ENV").len(), 1);
    }
}
