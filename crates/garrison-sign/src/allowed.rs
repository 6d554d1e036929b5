//! OpenSSH `allowed_signers` files (ssh-keygen(1), "ALLOWED SIGNERS"): who may sign with which
//! key.
//!
//! ```text
//! # principals        [options]                      key
//! alice@example.org   namespaces="file,git"          ssh-ed25519 AAAAC3Nza... alice
//! *@example.org,!eve@example.org valid-before="20270101Z" ecdsa-sha2-nistp256 AAAAE2Vj...
//! ```
//!
//! Principals are a comma-separated list of patterns (`*`, `?`, `!` negates: a negated match
//! excludes the principal whatever else matches). Options: `namespaces="LIST"` (patterns),
//! `valid-after="TIME"`, `valid-before="TIME"` (`YYYYMMDD[HHMM[SS]][Z]`), and `cert-authority`,
//! which is read but never matches: Garrison verifies plain keys, not SSH certificates. Times
//! without `Z` are read as UTC (OpenSSH reads them as local time; add `Z` to mean the same in
//! both). Any other option, a missing key or a malformed line is an error naming the line.

use crate::PublicKey;

/// Largest allowed_signers file accepted.
pub const MAX_ALLOWED_SIGNERS_BYTES: usize = 4 * 1024 * 1024;
/// Longest line accepted.
const MAX_LINE: usize = 64 * 1024;

/// A malformed allowed_signers file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct AllowedSignersError {
    /// 1-based line number (0 for the whole file).
    pub line: usize,
    /// What is wrong, and how to fix it.
    pub message: String,
}

/// One line of an allowed_signers file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// 1-based line number.
    pub line: usize,
    /// The principals pattern list, as written (without quotes).
    pub principals: String,
    /// `cert-authority`: the key is a CA for SSH certificates (not supported: never matches).
    pub cert_authority: bool,
    /// `namespaces="..."`: the namespace pattern list the key may sign for.
    pub namespaces: Option<String>,
    /// `valid-after`: Unix seconds.
    pub valid_after: Option<i64>,
    /// `valid-before`: Unix seconds.
    pub valid_before: Option<i64>,
    /// The key.
    pub key: PublicKey,
}

/// A parsed allowed_signers file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllowedSigners {
    /// The entries, in file order.
    pub entries: Vec<Entry>,
}

/// Why a field of an allowed_signers line does not parse, or why no entry lets a key sign:
/// a sentence that becomes an [`AllowedSignersError`] or the reason of
/// [`crate::VerifyError::NotAllowed`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reason(pub(crate) String);

impl From<&str> for Reason {
    fn from(s: &str) -> Self {
        Reason(s.to_string())
    }
}

impl From<String> for Reason {
    fn from(s: String) -> Self {
        Reason(s)
    }
}

impl AllowedSigners {
    /// Parses the file's text.
    pub fn parse(text: &str) -> Result<Self, AllowedSignersError> {
        if text.len() > MAX_ALLOWED_SIGNERS_BYTES {
            return Err(AllowedSignersError {
                line: 0,
                message: format!("larger than {MAX_ALLOWED_SIGNERS_BYTES} bytes"),
            });
        }
        let mut entries = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = i + 1;
            let err = |message: String| AllowedSignersError { line, message };
            let reason = |r: Reason| err(r.0);
            if raw.len() > MAX_LINE {
                return Err(err(format!("longer than {MAX_LINE} bytes")));
            }
            let l = raw.trim();
            if l.is_empty() || l.starts_with('#') {
                continue;
            }
            let (principals, rest) = split_field(l).map_err(reason)?;
            if principals.is_empty() {
                return Err(err("empty principals field".into()));
            }
            let rest = rest.trim_start();
            let (first, after) = split_field(rest).map_err(reason)?;
            let mut entry_opts = Options::default();
            let key_text = if first.contains('=') || first.eq_ignore_ascii_case("cert-authority") {
                entry_opts = parse_options(first).map_err(reason)?;
                after.trim_start()
            } else {
                rest
            };
            if key_text.is_empty() {
                return Err(err(
                    "no public key: expected `PRINCIPALS [OPTIONS] KEYTYPE BASE64`".into(),
                ));
            }
            let key = ssh_key::PublicKey::from_openssh(key_text)
                .map(PublicKey)
                .map_err(|e| err(format!("invalid public key: {e}")))?;
            entries.push(Entry {
                line,
                principals: principals.to_string(),
                cert_authority: entry_opts.cert_authority,
                namespaces: entry_opts.namespaces,
                valid_after: entry_opts.valid_after,
                valid_before: entry_opts.valid_before,
                key,
            });
        }
        Ok(Self { entries })
    }

    /// The line of the first entry that lets `principal` sign with `key` for `namespace` at
    /// `now`, or why none does.
    pub(crate) fn authorize(
        &self,
        principal: &str,
        key: &ssh_key::public::KeyData,
        namespace: &str,
        now: i64,
    ) -> Result<usize, Reason> {
        let mut principal_lines = Vec::new();
        let mut reasons = Vec::new();
        for e in &self.entries {
            if !pattern_list_match(principal, &e.principals) {
                continue;
            }
            principal_lines.push(e.line.to_string());
            if e.cert_authority {
                reasons.push(format!(
                    "line {}: cert-authority entries (SSH certificates) are not supported; list \
                     the signer's own key",
                    e.line
                ));
                continue;
            }
            if e.key.data() != key {
                continue;
            }
            if let Some(ns) = &e.namespaces
                && !pattern_list_match(namespace, ns)
            {
                reasons.push(format!(
                    "line {}: namespace {namespace:?} is not in namespaces=\"{ns}\"",
                    e.line
                ));
                continue;
            }
            if let Some(after) = e.valid_after
                && now < after
            {
                reasons.push(format!(
                    "line {}: the key is valid only after {}",
                    e.line,
                    utc(after)
                ));
                continue;
            }
            if let Some(before) = e.valid_before
                && now > before
            {
                reasons.push(format!(
                    "line {}: the key expired at {}",
                    e.line,
                    utc(before)
                ));
                continue;
            }
            return Ok(e.line);
        }
        Err(Reason(if principal_lines.is_empty() {
            "no allowed_signers entry names this principal".to_string()
        } else if reasons.is_empty() {
            format!(
                "the entries for this principal (line {}) list other keys",
                principal_lines.join(", ")
            )
        } else {
            reasons.join("; ")
        }))
    }
}

/// Splits off the first whitespace-delimited field; a field may be double-quoted as a whole
/// (`"a b"`) or contain quoted parts (`namespaces="a, b"`). Quotes are removed from a wholly
/// quoted field only.
fn split_field(s: &str) -> Result<(&str, &str), Reason> {
    if let Some(inner) = s.strip_prefix('"') {
        let end = inner.find('"').ok_or(Reason::from("unterminated quote"))?;
        let (field, rest) = inner.split_at(end);
        let rest = rest.get(1..).unwrap_or_default();
        if !rest.is_empty() && !rest.starts_with(char::is_whitespace) {
            return Err("text right after a closing quote".into());
        }
        return Ok((field, rest));
    }
    let mut in_quotes = false;
    for (i, c) in s.char_indices() {
        match c {
            '"' => in_quotes = !in_quotes,
            c if c.is_whitespace() && !in_quotes => return Ok((&s[..i], &s[i..])),
            _ => {}
        }
    }
    if in_quotes {
        return Err("unterminated quote".into());
    }
    Ok((s, ""))
}

#[derive(Default)]
struct Options {
    cert_authority: bool,
    namespaces: Option<String>,
    valid_after: Option<i64>,
    valid_before: Option<i64>,
}

fn parse_options(field: &str) -> Result<Options, Reason> {
    let mut opts = Options::default();
    let mut parts = Vec::new();
    let (mut start, mut in_quotes) = (0, false);
    for (i, c) in field.char_indices() {
        match c {
            '"' => in_quotes = !in_quotes,
            ',' if !in_quotes => {
                parts.push(&field[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&field[start..]);
    for part in parts {
        let (name, value) = match part.split_once('=') {
            Some((n, v)) => (n, Some(v)),
            None => (part, None),
        };
        let quoted = |v: Option<&str>| -> Result<String, Reason> {
            let v = v.ok_or_else(|| format!("option `{name}` needs a value: {name}=\"...\""))?;
            v.strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .filter(|v| !v.contains('"'))
                .map(str::to_string)
                .ok_or_else(|| format!("the value of `{name}` must be in double quotes").into())
        };
        let dup = |set: bool| {
            if set {
                Err(Reason(format!("option `{name}` given twice")))
            } else {
                Ok(())
            }
        };
        match name.to_ascii_lowercase().as_str() {
            "cert-authority" if value.is_none() => {
                dup(opts.cert_authority)?;
                opts.cert_authority = true;
            }
            "namespaces" => {
                dup(opts.namespaces.is_some())?;
                let v = quoted(value)?;
                if v.is_empty() {
                    return Err("empty namespaces list".into());
                }
                opts.namespaces = Some(v);
            }
            "valid-after" => {
                dup(opts.valid_after.is_some())?;
                opts.valid_after = Some(parse_time(&quoted(value)?)?);
            }
            "valid-before" => {
                dup(opts.valid_before.is_some())?;
                opts.valid_before = Some(parse_time(&quoted(value)?)?);
            }
            _ => {
                return Err(Reason(format!(
                    "unknown option `{part}` (allowed: cert-authority, namespaces=\"...\", \
                     valid-after=\"...\", valid-before=\"...\")"
                )));
            }
        }
    }
    Ok(opts)
}

/// `YYYYMMDD[HHMM[SS]][Z]` → Unix seconds (UTC).
fn parse_time(s: &str) -> Result<i64, Reason> {
    let bad = || {
        Reason(format!(
            "invalid time {s:?}: expected YYYYMMDD[HHMM[SS]][Z]"
        ))
    };
    let digits = s.strip_suffix(['Z', 'z']).unwrap_or(s);
    if !matches!(digits.len(), 8 | 12 | 14) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let num = |r: std::ops::Range<usize>| -> i64 {
        digits
            .get(r)
            .and_then(|d| d.parse().ok())
            .unwrap_or_default()
    };
    let (y, mo, d) = (num(0..4), num(4..6), num(6..8));
    let (h, mi, sec) = if digits.len() >= 12 {
        (
            num(8..10),
            num(10..12),
            if digits.len() == 14 { num(12..14) } else { 0 },
        )
    } else {
        (0, 0, 0)
    };
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || sec > 60 {
        return Err(bad());
    }
    Ok(garrison_source::time::days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + sec)
}

/// Unix seconds → `YYYY-MM-DD HH:MM:SS UTC`.
fn utc(t: i64) -> String {
    garrison_source::time::datetime_utc(t)
}

/// OpenSSH `match_pattern_list`: whether `s` matches the comma-separated pattern `list`
/// (`*`, `?`; a pattern starting with `!` that matches excludes `s` outright).
pub fn pattern_list_match(s: &str, list: &str) -> bool {
    let mut positive = false;
    for pattern in list.split(',') {
        let (negated, pattern) = match pattern.strip_prefix('!') {
            Some(p) => (true, p),
            None => (false, pattern),
        };
        if garrison_source::wildcard::wildcard_match(pattern, s) {
            if negated {
                return false;
            }
            positive = true;
        }
    }
    positive
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const KEY: &str =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILM+rvN+ot98qgEN796jTiQfZfG1KaT0PtFDJ/XFSqti";

    #[test]
    fn pattern_lists() {
        assert!(pattern_list_match("alice@example.org", "*@example.org"));
        assert!(!pattern_list_match(
            "eve@example.org",
            "*@example.org,!eve@*"
        ));
        assert!(!pattern_list_match(
            "eve@example.org",
            "!eve@*,*@example.org"
        ));
        assert!(pattern_list_match("bob", "alice,bob"));
        assert!(!pattern_list_match("bob", "!alice"));
        assert!(pattern_list_match("git", "g?t"));
        assert!(!pattern_list_match("gitx", "git"));
    }

    #[test]
    fn parses_entries_with_options_and_quotes() {
        let text = format!(
            "# comment\n\n\
             alice@example.org {KEY} alice\n\
             \"bob@example.org,carol@example.org\" namespaces=\"file,git\",valid-after=\"20240101\",valid-before=\"20250101120000Z\" {KEY}\n\
             dave CERT-AUTHORITY {KEY}\n"
        );
        let s = AllowedSigners::parse(&text).unwrap();
        assert_eq!(s.entries.len(), 3);
        assert_eq!(s.entries[0].line, 3);
        assert_eq!(s.entries[1].principals, "bob@example.org,carol@example.org");
        assert_eq!(s.entries[1].namespaces.as_deref(), Some("file,git"));
        assert_eq!(s.entries[1].valid_after, Some(1_704_067_200));
        assert_eq!(s.entries[1].valid_before, Some(1_735_732_800));
        assert!(s.entries[2].cert_authority);
    }

    #[test]
    fn errors_name_the_line() {
        for (text, needle) in [
            ("a\n", "no public key"),
            ("a ssh-ed25519 AAAA\n", "invalid public key"),
            (
                &format!("a\n\nb foo=\"x\" {KEY}\n") as &str,
                "no public key",
            ),
            (&format!("x foo=\"x\" {KEY}\n") as &str, "unknown option"),
            (
                &format!("x namespaces=file {KEY}\n") as &str,
                "double quotes",
            ),
            (
                &format!("x valid-after=\"2024\" {KEY}\n") as &str,
                "invalid time",
            ),
            (
                &format!("x valid-after=\"20241301\" {KEY}\n") as &str,
                "invalid time",
            ),
            (&format!("\"x {KEY}\n") as &str, "unterminated quote"),
            (
                &format!("x namespaces=\"a\",namespaces=\"b\" {KEY}\n") as &str,
                "twice",
            ),
        ] {
            let e = AllowedSigners::parse(text).unwrap_err();
            assert!(e.to_string().contains(needle), "{text:?}: {e}");
            assert!(e.line >= 1, "{e}");
        }
        let e = AllowedSigners::parse(&format!("a {KEY}\nb foo=\"x\" {KEY}\n")).unwrap_err();
        assert_eq!(e.line, 2);
    }

    #[test]
    fn times() {
        assert_eq!(parse_time("19700101").unwrap(), 0);
        assert_eq!(parse_time("20000301Z").unwrap(), 951_868_800);
        assert_eq!(parse_time("202401011230").unwrap(), 1_704_112_200);
        assert_eq!(utc(1_704_112_200), "2024-01-01 12:30:00 UTC");
        assert_eq!(utc(0), "1970-01-01 00:00:00 UTC");
        assert!(parse_time("2024010112").is_err());
        assert!(parse_time("2024-01-01").is_err());
    }
}
