//! Wheel verification: `*.dist-info/RECORD` hashes and sizes, `WHEEL` and `METADATA`
//! headers, and the dist-info directory name against the wheel file name (PEP 427, PEP 491).

use std::collections::{HashMap, HashSet};

use garrison_python::name::same_name;
use garrison_report::Finding;
use sha2::{Digest, Sha256, Sha384, Sha512};

use crate::archive::{Dist, Member, MemberKind};

/// One row of a RECORD file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordEntry {
    /// The path as written (relative to the wheel root, `/`-separated).
    pub path: String,
    /// `(algorithm, digest)` from `algorithm=digest`; `None` when the field is empty.
    pub hash: Option<(String, String)>,
    /// The size field; `None` when empty.
    pub size: Option<u64>,
    /// 1-based line number in RECORD.
    pub line: usize,
}

/// A RECORD row that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// Parses RECORD (CSV: `path,hash,size`, quoted fields allowed, no newlines inside fields).
/// Blank lines are skipped; malformed rows are returned separately.
pub fn parse_record(text: &str) -> (Vec<RecordEntry>, Vec<RecordError>) {
    let mut entries = Vec::new();
    let mut errors = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let Some(fields) = split_csv(line) else {
            errors.push(RecordError {
                line: line_no,
                message: "unterminated quoted field".to_string(),
            });
            continue;
        };
        let [path, hash, size] = fields.as_slice() else {
            errors.push(RecordError {
                line: line_no,
                message: format!("expected 3 fields (path,hash,size), found {}", fields.len()),
            });
            continue;
        };
        let hash = if hash.is_empty() {
            None
        } else if let Some((alg, digest)) = hash.split_once('=') {
            Some((alg.to_string(), digest.to_string()))
        } else {
            errors.push(RecordError {
                line: line_no,
                message: format!("hash `{hash}` is not `algorithm=digest`"),
            });
            continue;
        };
        let size = if size.is_empty() {
            None
        } else if let Ok(n) = size.parse::<u64>() {
            Some(n)
        } else {
            errors.push(RecordError {
                line: line_no,
                message: format!("size `{size}` is not a number"),
            });
            continue;
        };
        entries.push(RecordEntry {
            path: path.clone(),
            hash,
            size,
            line: line_no,
        });
    }
    (entries, errors)
}

/// The fields of a CSV line; `None` when a quoted field is not terminated.
fn split_csv(line: &str) -> Option<Vec<String>> {
    let mut fields = Vec::new();
    let mut cur = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    let mut at_start = true;
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    cur.push('"');
                } else {
                    quoted = false;
                }
            } else {
                cur.push(c);
            }
        } else if c == '"' && at_start {
            quoted = true;
            at_start = false;
        } else if c == ',' {
            fields.push(std::mem::take(&mut cur));
            at_start = true;
        } else {
            cur.push(c);
            at_start = false;
        }
    }
    if quoted {
        return None;
    }
    fields.push(cur);
    Some(fields)
}

/// Email-header fields (`METADATA`, `WHEEL`): `Name: value` lines up to the first blank line,
/// continuation lines (starting with a space or tab) appended with a newline. Repeated fields
/// (`Requires-Dist`, `Classifier`, `Tag`) keep every value in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Headers {
    /// `(name, value)` pairs in file order.
    pub fields: Vec<(String, String)>,
    /// Everything after the first blank line (the long description of METADATA).
    pub body: String,
}

impl Headers {
    /// Parses the header block of `text`.
    pub fn parse(text: &str) -> Headers {
        let mut h = Headers::default();
        let mut rest = "";
        let mut offset = 0;
        for line in text.split_inclusive('\n') {
            offset += line.len();
            let body = line.trim_end_matches(['\n', '\r']);
            if body.is_empty() {
                rest = text.get(offset..).unwrap_or("");
                break;
            }
            if body.starts_with([' ', '\t']) {
                if let Some((_, v)) = h.fields.last_mut() {
                    v.push('\n');
                    v.push_str(body.trim());
                }
                continue;
            }
            if let Some((k, v)) = body.split_once(':') {
                h.fields.push((k.trim().to_string(), v.trim().to_string()));
            }
        }
        h.body = rest.to_string();
        h
    }

    /// The first value of `name` (case-insensitive).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every value of `name` (case-insensitive), in order.
    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.fields
            .iter()
            .filter(move |(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// The parts of a wheel file name (PEP 427): `{name}-{version}(-{build})?-{py}-{abi}-{plat}.whl`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WheelName {
    /// Distribution name as written.
    pub name: String,
    /// Version as written.
    pub version: String,
    /// Optional build tag.
    pub build: Option<String>,
    /// `py3`, `cp312`, …
    pub python: String,
    /// `none`, `abi3`, `cp312`, …
    pub abi: String,
    /// `any`, `manylinux_2_17_x86_64`, …
    pub platform: String,
}

impl WheelName {
    /// Parses a wheel file name (a base name, or a path whose last component is one).
    pub fn parse(filename: &str) -> Option<WheelName> {
        let base = filename.rsplit(['/', '\\']).next().unwrap_or(filename);
        let stem = base.strip_suffix(".whl")?;
        let parts: Vec<&str> = stem.split('-').collect();
        let (name, version, build, rest) = match parts.as_slice() {
            [n, v, py, abi, plat] => (n, v, None, [py, abi, plat]),
            [n, v, b, py, abi, plat] => (n, v, Some(b.to_string()), [py, abi, plat]),
            _ => return None,
        };
        let [py, abi, plat] = rest;
        if name.is_empty() || version.is_empty() {
            return None;
        }
        Some(WheelName {
            name: name.to_string(),
            version: version.to_string(),
            build,
            python: py.to_string(),
            abi: abi.to_string(),
            platform: plat.to_string(),
        })
    }
}

/// What [`verify_wheel`] read from the wheel's dist-info directory.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WheelInfo {
    /// `name-version.dist-info`, when exactly one was found (or one matches the file name).
    pub dist_info: Option<String>,
    /// METADATA headers (empty when missing).
    pub metadata: Headers,
    /// WHEEL headers (empty when missing).
    pub wheel: Headers,
    /// RECORD rows.
    pub record: Vec<RecordEntry>,
}

/// Whether two versions are the same release: equal after PEP 440 normalization, or equal as
/// written with `-` and `_` treated alike when either does not parse.
pub(crate) fn same_version(a: &str, b: &str) -> bool {
    match (
        garrison_python::pep440::parse_version(a),
        garrison_python::pep440::parse_version(b),
    ) {
        (Ok(x), Ok(y)) => x == y,
        _ => a
            .replace('-', "_")
            .eq_ignore_ascii_case(&b.replace('-', "_")),
    }
}

/// The urlsafe base64 (no padding) of `bytes`, as RECORD writes digests.
pub fn urlsafe_b64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let sym = |i: u32| char::from(ALPHABET.get((i & 63) as usize).copied().unwrap_or(b'A'));
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b0 = u32::from(chunk.first().copied().unwrap_or(0));
        let b1 = u32::from(chunk.get(1).copied().unwrap_or(0));
        let b2 = u32::from(chunk.get(2).copied().unwrap_or(0));
        let n = (b0 << 16) | (b1 << 8) | b2;
        out.push(sym(n >> 18));
        out.push(sym(n >> 12));
        if chunk.len() > 1 {
            out.push(sym(n >> 6));
        }
        if chunk.len() > 2 {
            out.push(sym(n));
        }
    }
    out
}

/// The RECORD hash field for `data` (`sha256=…`).
pub fn record_hash(data: &[u8]) -> String {
    format!("sha256={}", urlsafe_b64(&Sha256::digest(data)))
}

fn digest(alg: &str, data: &[u8]) -> Option<String> {
    let d = match alg.to_ascii_lowercase().as_str() {
        "sha256" => Sha256::digest(data).to_vec(),
        "sha384" => Sha384::digest(data).to_vec(),
        "sha512" => Sha512::digest(data).to_vec(),
        _ => return None,
    };
    Some(urlsafe_b64(&d))
}

/// What [`verify_wheel`] works on: the wheel and its parsed file name.
pub struct WheelCx<'a> {
    /// The wheel.
    pub dist: &'a Dist,
    /// Its file name, when it parses.
    pub name: Option<WheelName>,
}

impl WheelCx<'_> {
    /// Whether a `*.dist-info` directory names the file name's project and version.
    pub fn dist_info_matches(&self, dir: &str) -> bool {
        let Some(f) = &self.name else { return false };
        let stem = dir.strip_suffix(".dist-info").unwrap_or(dir);
        let Some((n, v)) = stem.rsplit_once('-') else {
            return false;
        };
        same_name(n, &f.name) && same_version(v, &f.version)
    }
}

/// One observation of [`verify_wheel`], handed in order to every rule ([`crate::rules`]).
#[derive(Debug)]
pub enum WheelFact<'a> {
    /// The file name does not parse as a wheel name.
    BadFileName,
    /// The `*.dist-info` directories at the top of the wheel (any number).
    DistInfoDirs(&'a [&'a str]),
    /// The dist-info directory verification goes on with.
    DistInfo(&'a str),
    /// `METADATA` or `WHEEL` (the path `{dist-info}/{file}`) is missing.
    MissingFile(&'a str),
    /// METADATA's headers (`route` is `{dist-info}/METADATA`).
    Metadata {
        /// `{dist-info}/METADATA`.
        route: &'a str,
        /// The headers.
        headers: &'a Headers,
    },
    /// There is no RECORD (the path it should have).
    NoRecord(&'a str),
    /// A RECORD row that does not parse (`route` is `{RECORD}:{line}`).
    MalformedRow {
        /// `{dist-info}/RECORD:{line}`.
        route: String,
        /// The problem.
        error: &'a RecordError,
    },
    /// A RECORD row naming a path an earlier row already named.
    ListedTwice(&'a RecordEntry),
    /// A RECORD row naming no file of the wheel.
    Stale(&'a RecordEntry),
    /// A RECORD row and the member it names; `unhashed` when the member may have no hash
    /// (`RECORD` itself and its signatures).
    Listed {
        /// The row.
        entry: &'a RecordEntry,
        /// The member.
        member: &'a Member,
        /// Whether an empty hash and size are allowed.
        unhashed: bool,
    },
    /// A file of the wheel that RECORD does not list.
    Unlisted(&'a Member),
}

/// Verifies a wheel read by [`crate::read_dist`]: the dist-info directory against the file
/// name, METADATA and WHEEL, and every RECORD row against the member's sha256 and size.
/// Returns what was read and the findings (none for a consistent wheel) of the rules of
/// [`crate::registry::RULES`].
pub fn verify_wheel(dist: &Dist) -> (WheelInfo, Vec<Finding>) {
    let cx = WheelCx {
        dist,
        name: WheelName::parse(&dist.filename),
    };
    let mut out = Vec::new();
    let report = |fact: WheelFact<'_>, out: &mut Vec<Finding>| {
        for rule in crate::registry::RULES {
            rule.wheel(&cx, &fact, out);
        }
    };
    let info = observe(&cx, &mut |fact| report(fact, &mut out));
    (info, out)
}

/// Walks the wheel and reports each fact, in the order findings are listed.
fn observe(cx: &WheelCx<'_>, report: &mut dyn FnMut(WheelFact<'_>)) -> WheelInfo {
    let dist = cx.dist;
    let mut info = WheelInfo::default();
    if cx.name.is_none() {
        report(WheelFact::BadFileName);
    }
    // Top-level `*.dist-info` directories.
    let mut dirs: Vec<&str> = dist
        .files
        .iter()
        .filter_map(|m| m.path.split('/').next())
        .filter(|d| d.ends_with(".dist-info"))
        .collect();
    dirs.sort_unstable();
    dirs.dedup();
    report(WheelFact::DistInfoDirs(&dirs));
    let chosen = match dirs.as_slice() {
        [] => None,
        [one] => Some(*one),
        many => many.iter().copied().find(|d| cx.dist_info_matches(d)),
    };
    let Some(di) = chosen else {
        return info;
    };
    info.dist_info = Some(di.to_string());
    report(WheelFact::DistInfo(di));
    let text = |name: &str| -> Option<String> {
        let m = dist.get(&format!("{di}/{name}"))?;
        m.is_file()
            .then(|| String::from_utf8_lossy(&m.data).into_owned())
    };
    for (file, slot) in [("METADATA", &mut info.metadata), ("WHEEL", &mut info.wheel)] {
        match text(file) {
            Some(t) => *slot = Headers::parse(&t),
            None => report(WheelFact::MissingFile(&format!("{di}/{file}"))),
        }
    }
    report(WheelFact::Metadata {
        route: &format!("{di}/METADATA"),
        headers: &info.metadata,
    });
    let record_path = format!("{di}/RECORD");
    let Some(record_text) = text("RECORD") else {
        report(WheelFact::NoRecord(&record_path));
        return info;
    };
    let (entries, errors) = parse_record(&record_text);
    for e in &errors {
        report(WheelFact::MalformedRow {
            route: format!("{record_path}:{}", e.line),
            error: e,
        });
    }
    let unhashed: HashSet<String> = ["RECORD", "RECORD.jws", "RECORD.p7s"]
        .iter()
        .map(|n| format!("{di}/{n}"))
        .collect();
    let members: HashMap<&str, &Member> = dist.files.iter().map(|m| (m.path.as_str(), m)).collect();
    let mut listed: HashSet<&str> = HashSet::new();
    for e in &entries {
        if !listed.insert(e.path.as_str()) {
            report(WheelFact::ListedTwice(e));
            continue;
        }
        match members.get(e.path.as_str()).filter(|m| m.is_file()) {
            Some(m) => report(WheelFact::Listed {
                entry: e,
                member: m,
                unhashed: unhashed.contains(&e.path),
            }),
            None => report(WheelFact::Stale(e)),
        }
    }
    for m in &dist.files {
        // RECORD and its signatures may be absent from RECORD.
        if m.kind == MemberKind::Dir
            || listed.contains(m.path.as_str())
            || unhashed.contains(&m.path)
        {
            continue;
        }
        report(WheelFact::Unlisted(m));
    }
    info.record = entries;
    info
}

/// The digest of `data` under a RECORD algorithm (`sha256`, `sha384`, `sha512`), urlsafe
/// base64 without padding; `None` for algorithms too weak to verify with.
pub(crate) fn record_digest(alg: &str, data: &[u8]) -> Option<String> {
    digest(alg, data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_python() {
        // base64.urlsafe_b64encode(hashlib.sha256(b"").digest()).rstrip(b"=")
        assert_eq!(
            record_hash(b""),
            "sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU"
        );
        assert_eq!(urlsafe_b64(b"ab"), "YWI");
        assert_eq!(urlsafe_b64(b"a"), "YQ");
        assert_eq!(urlsafe_b64(&[0xfb, 0xff]), "-_8");
    }

    #[test]
    fn record_csv() {
        let (e, err) = parse_record(
            "a/b.py,sha256=x,12\n\"we,ird.py\",sha256=y,3\npkg.dist-info/RECORD,,\nbad\n",
        );
        assert_eq!(e.len(), 3);
        assert_eq!(e.get(1).map(|r| r.path.as_str()), Some("we,ird.py"));
        assert_eq!(e.get(2).and_then(|r| r.hash.clone()), None);
        assert_eq!(err.len(), 1);
    }

    #[test]
    fn headers_and_names() {
        let h = Headers::parse(
            "Metadata-Version: 2.1\nName: Foo_Bar\nVersion: 1.0\nRequires-Dist: a\nRequires-Dist: b; extra == 'x'\nLicense: line1\n  line2\n\nbody text\n",
        );
        assert_eq!(h.get("name"), Some("Foo_Bar"));
        assert_eq!(h.get_all("Requires-Dist").count(), 2);
        assert_eq!(h.get("License"), Some("line1\nline2"));
        assert_eq!(h.body, "body text\n");
        let w = WheelName::parse("foo_bar-1.0.post1-1-cp312-cp312-manylinux_2_17_x86_64.whl");
        assert_eq!(w.as_ref().map(|w| w.build.clone()), Some(Some("1".into())));
        assert!(WheelName::parse("foo.whl").is_none());
        assert!(same_version("1.0_post1", "1.0.post1"));
        assert!(!same_version("1.0", "1.1"));
    }
}
