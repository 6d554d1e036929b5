//! Manifests and workflows: new third-party runtime dependencies, release version bumps, and
//! workflows given a privileged trigger or permissions. These are the "sensitive change" and
//! "release" steps a campaign is made of (see `history/campaign`), so they are read with the
//! structure of their file: a requirement counts only inside the runtime dependency list of
//! its manifest, a version only where the manifest declares the package's version.

use std::collections::HashSet;

use super::kinds::HitKind;
use super::lines::{Line, lines};
use super::sink::Sink;
use super::text::{head, lossy, trim};
use super::{MAX_LINE_BYTES, MAX_STRUCTURE_BYTES};

/// The manifest formats read for dependencies and versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Manifest {
    /// `pyproject.toml`: `[project] dependencies`, `[tool.poetry.dependencies]`, `version`.
    Pyproject,
    /// `setup.cfg`: `[options] install_requires`, `[metadata] version`.
    SetupCfg,
    /// `setup.py`: `install_requires=[…]`, `version=…`.
    SetupPy,
    /// A runtime requirements file (`requirements.txt`, `requirements/base.txt`; not the
    /// dev/test/docs ones).
    Requirements,
    /// `package.json`: `"dependencies"`, top-level `"version"`.
    PackageJson,
    /// A Python module that holds the version (`_version.py`, `version.py`, `__about__.py`,
    /// `__init__.py`): `__version__ = …`.
    VersionModule,
}

/// The manifest kind of a file name (last path component, any case) and path.
pub(super) fn manifest_kind(path: &str, name: &str) -> Option<Manifest> {
    let lname = name.to_ascii_lowercase();
    match lname.as_str() {
        "pyproject.toml" => return Some(Manifest::Pyproject),
        "setup.cfg" => return Some(Manifest::SetupCfg),
        "setup.py" => return Some(Manifest::SetupPy),
        "package.json" => return Some(Manifest::PackageJson),
        "_version.py" | "version.py" | "__about__.py" | "__init__.py" => {
            // Tests and docs do not carry the release version.
            let lp = path.to_ascii_lowercase();
            if lp
                .split('/')
                .any(|c| matches!(c, "tests" | "test" | "docs" | "doc"))
            {
                return None;
            }
            return Some(Manifest::VersionModule);
        }
        _ => {}
    }
    let requirements_name = lname.starts_with("requirements") && lname.ends_with(".txt");
    let in_dir = path.split('/').any(|c| c == "requirements") && lname.ends_with(".txt");
    if !(requirements_name || in_dir) {
        return None;
    }
    const NOT_RUNTIME: &[&str] = &[
        "dev", "test", "doc", "lint", "ci", "build", "bench", "optional", "extra", "example",
        "style", "type", "mypy", "release", "upload", "check", "coverage",
    ];
    let stem = lname.trim_end_matches(".txt");
    if NOT_RUNTIME.iter().any(|w| stem.contains(w)) {
        return None;
    }
    Some(Manifest::Requirements)
}

/// Where a line of a manifest sits.
#[derive(Debug, Clone, Default)]
struct Cursor {
    /// Current TOML/INI section (without brackets), lowercased.
    section: String,
    /// Key of the open multi-line list or mapping (`dependencies`, `install_requires`), or
    /// empty.
    open: String,
    /// Nesting depth of the open list (brackets or braces).
    depth: i32,
}

fn norm(name: &str) -> String {
    name.trim().to_ascii_lowercase().replace(['_', '.'], "-")
}

/// The requirement name at the start of `s` (PEP 508: letters, digits, `-_.`).
fn req_name(s: &str) -> Option<String> {
    let s = s.trim();
    let end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(s.len());
    let n = s.get(..end)?;
    (!n.is_empty() && n.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())).then(|| norm(n))
}

/// The quoted strings of a line (`"…"` or `'…'`), at most 32.
fn quoted(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = s;
    while out.len() < 32 {
        let Some(start) = rest.find(['"', '\'']) else {
            break;
        };
        let q = rest.as_bytes().get(start).copied().unwrap_or(b'"') as char;
        let after = rest.get(start + 1..).unwrap_or("");
        let Some(end) = after.find(q) else { break };
        out.push(after.get(..end).unwrap_or(""));
        rest = after.get(end + 1..).unwrap_or("");
    }
    out
}

/// Bracket balance of a line outside quoted strings and comments.
fn balance(s: &str, open: char, close: char) -> i32 {
    let mut d = 0;
    let mut quote: Option<char> = None;
    for c in s.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == '#' => break,
            None if c == open => d += 1,
            None if c == close => d -= 1,
            None => {}
        }
    }
    d
}

/// The runtime requirement names a line declares, given where it sits; `cur` is advanced past
/// the line.
fn runtime_names(kind: Manifest, cur: &mut Cursor, text: &str) -> Vec<String> {
    let t = text.trim();
    let code = t.split(" #").next().unwrap_or(t);
    let mut names = Vec::new();
    match kind {
        Manifest::Pyproject => {
            if cur.open.is_empty() && t.starts_with('[') {
                cur.section = t
                    .split('#')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .trim_matches(['[', ']'])
                    .trim()
                    .to_ascii_lowercase();
                return names;
            }
            if t.starts_with('#') {
                return names;
            }
            if cur.open.is_empty() {
                let Some((key, value)) = code.split_once('=') else {
                    return names;
                };
                let key = key.trim().trim_matches(['"', '\'']).to_ascii_lowercase();
                if cur.section == "tool.poetry.dependencies" {
                    if key != "python" {
                        names.extend(req_name(&key));
                    }
                    return names;
                }
                let d = balance(value, '[', ']');
                let runtime = cur.section == "project" && key == "dependencies";
                if runtime {
                    names.extend(quoted(value).into_iter().filter_map(req_name));
                }
                if d > 0 {
                    cur.open = key;
                    cur.depth = d;
                }
            } else {
                if cur.section == "project" && cur.open == "dependencies" {
                    names.extend(quoted(code).into_iter().filter_map(req_name));
                }
                cur.depth += balance(code, '[', ']');
                if cur.depth <= 0 {
                    cur.open.clear();
                }
            }
        }
        Manifest::SetupCfg => {
            if t.starts_with('[') {
                cur.section = t.trim_matches(['[', ']']).trim().to_ascii_lowercase();
                cur.open.clear();
                return names;
            }
            if t.starts_with('#') || t.starts_with(';') || t.is_empty() {
                return names;
            }
            let indented = text.starts_with([' ', '\t']);
            if !indented {
                cur.open.clear();
                if let Some((key, value)) = t.split_once('=') {
                    let key = key.trim().to_ascii_lowercase();
                    if cur.section == "options" && key == "install_requires" {
                        cur.open = key;
                        names.extend(req_name(value));
                    }
                }
            } else if cur.open == "install_requires" {
                names.extend(req_name(t));
            }
        }
        Manifest::SetupPy => {
            if t.starts_with('#') {
                return names;
            }
            if cur.open.is_empty() {
                if let Some(p) = code.find("install_requires") {
                    let rest = code.get(p..).unwrap_or("");
                    names.extend(quoted(rest).into_iter().filter_map(req_name));
                    let d = balance(rest, '[', ']');
                    if d > 0 {
                        cur.open = "install_requires".into();
                        cur.depth = d;
                    }
                }
            } else {
                names.extend(quoted(code).into_iter().filter_map(req_name));
                cur.depth += balance(code, '[', ']');
                if cur.depth <= 0 {
                    cur.open.clear();
                }
            }
        }
        Manifest::Requirements => {
            if t.is_empty() || t.starts_with('#') || t.starts_with('-') {
                return names;
            }
            // `name @ url` and plain URLs are the dependency-source rule's.
            if !t.contains("://") {
                names.extend(req_name(t));
            }
        }
        Manifest::PackageJson => {
            if cur.open.is_empty() {
                if t.starts_with("\"dependencies\"") && t.contains('{') {
                    let d = balance(t, '{', '}');
                    if d > 0 {
                        cur.open = "dependencies".into();
                        cur.depth = d;
                    }
                }
            } else {
                if cur.depth == 1
                    && let Some(k) = quoted(t).first()
                    && t.contains(':')
                {
                    // npm names may be scoped: keep them whole.
                    let k = k.trim().to_ascii_lowercase();
                    if !k.is_empty() {
                        names.push(k);
                    }
                }
                cur.depth += balance(t, '{', '}');
                if cur.depth <= 0 {
                    cur.open.clear();
                }
            }
        }
        Manifest::VersionModule => {}
    }
    names
}

/// Every name-like token of the old side: a requirement already named anywhere before (as a
/// dependency of any kind, the project itself, a comment) is not new.
fn old_tokens(old: &[u8]) -> HashSet<String> {
    let mut out = HashSet::new();
    for (_, text) in lines(head(old, MAX_STRUCTURE_BYTES)) {
        let s = lossy(head(text, MAX_LINE_BYTES.min(4096)));
        for tok in s.split(|c: char| {
            !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '@' | '/'))
        }) {
            if !tok.is_empty() {
                out.insert(norm(tok));
                // `name[extra]` and `@scope/name` are also known by their parts.
                out.insert(norm(tok.trim_start_matches('@')));
            }
        }
    }
    out
}

/// The version a line sets, when it is a version declaration of `kind` in its place.
fn version_of(kind: Manifest, section: &str, text: &str) -> Option<String> {
    let t = text.trim();
    let (key, value) = match kind {
        Manifest::PackageJson => {
            // Top-level key only (two spaces or a tab of indentation at most).
            let indent = text.len() - text.trim_start().len();
            if indent > 2 || !t.starts_with("\"version\"") {
                return None;
            }
            let (k, v) = t.split_once(':')?;
            (k, v)
        }
        _ => {
            let (k, v) = t.split_once('=')?;
            (k, v)
        }
    };
    let key = key.trim().trim_matches(['"', '\'']).to_ascii_lowercase();
    let wanted = match kind {
        Manifest::Pyproject => key == "version" && matches!(section, "project" | "tool.poetry"),
        Manifest::SetupCfg => key == "version" && section == "metadata",
        Manifest::SetupPy => key == "version",
        Manifest::PackageJson => key == "version",
        Manifest::VersionModule => matches!(key.as_str(), "__version__" | "version"),
        Manifest::Requirements => false,
    };
    if !wanted {
        return None;
    }
    let v = match quoted(value).first() {
        Some(q) => (*q).to_string(),
        None if kind == Manifest::SetupCfg => value.trim().to_string(),
        None => return None,
    };
    let looks_version = v.chars().next().is_some_and(|c| c.is_ascii_digit())
        && v.len() <= 40
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+'));
    looks_version.then_some(v)
}

/// Sections of the given lines of `data` (TOML/INI headers), in order of `wanted`.
fn sections_at(kind: Manifest, data: &[u8], wanted: &[u32]) -> Vec<String> {
    if !matches!(kind, Manifest::Pyproject | Manifest::SetupCfg) {
        return vec![String::new(); wanted.len()];
    }
    let mut out = Vec::with_capacity(wanted.len());
    let mut current = String::new();
    let mut wi = 0;
    for (no, text) in lines(head(data, MAX_STRUCTURE_BYTES)) {
        if wi >= wanted.len() {
            break;
        }
        let t = trim(text);
        if t.starts_with(b"[") && !t.starts_with(b"[[") {
            current = lossy(head(t, 256))
                .split('#')
                .next()
                .unwrap_or("")
                .trim()
                .trim_matches(['[', ']'])
                .trim()
                .to_ascii_lowercase();
        }
        while wanted.get(wi).is_some_and(|w| *w == no) {
            out.push(current.clone());
            wi += 1;
        }
    }
    out.resize(wanted.len(), current);
    out
}

/// New runtime dependencies and version bumps in a manifest change.
pub(super) fn scan_manifest(
    sink: &mut Sink,
    kind: Manifest,
    name: &str,
    old: &[u8],
    new: &[u8],
    added: &[Line<'_>],
    removed: &[Line<'_>],
) {
    let live: Vec<&Line<'_>> = added.iter().filter(|l| !l.moved).collect();
    if live.is_empty() {
        return;
    }
    // Dependencies: walk the new side to each added line. A manifest created by the change
    // (a new project, a move from setup.py to pyproject.toml) names everything anew.
    if kind != Manifest::VersionModule && !old.is_empty() {
        let known = old_tokens(old);
        let mut cur = Cursor::default();
        let mut li = 0;
        let mut seen: HashSet<String> = HashSet::new();
        for (no, text) in lines(head(new, MAX_STRUCTURE_BYTES)) {
            let Some(l) = live.get(li) else { break };
            let s = lossy(head(text, 4096));
            let names = runtime_names(kind, &mut cur, &s);
            if no < l.no {
                continue;
            }
            while live.get(li).is_some_and(|l| l.no <= no) {
                li += 1;
            }
            if no != l.no {
                continue;
            }
            for n in names {
                if n == "python" || known.contains(&n) || !seen.insert(n.clone()) {
                    continue;
                }
                sink.push(
                    HitKind::NEW_RUNTIME_DEPENDENCY,
                    l,
                    false,
                    0,
                    &format!("{n} (runtime dependency in {name})"),
                );
            }
        }
    }
    // Versions: an added declaration whose removed counterpart had another value.
    let old_nos: Vec<u32> = removed.iter().filter(|l| !l.moved).map(|l| l.no).collect();
    let new_nos: Vec<u32> = live.iter().map(|l| l.no).collect();
    let old_secs = sections_at(kind, old, &old_nos);
    let new_secs = sections_at(kind, new, &new_nos);
    let before: Vec<String> = removed
        .iter()
        .filter(|l| !l.moved)
        .zip(&old_secs)
        .filter_map(|(l, sec)| version_of(kind, sec, &lossy(head(l.text, 4096))))
        .collect();
    let Some(from) = before.first() else { return };
    for (l, sec) in live.iter().zip(&new_secs) {
        if let Some(to) = version_of(kind, sec, &lossy(head(l.text, 4096)))
            && &to != from
        {
            sink.push(
                HitKind::VERSION_BUMP,
                l,
                false,
                0,
                &format!("version {from} → {to} ({name})"),
            );
            break;
        }
    }
}

/// Privileged triggers and permissions an added workflow line grants.
pub(super) fn workflow_privilege(text: &[u8]) -> Option<(usize, String)> {
    let t = trim(text);
    if t.starts_with(b"#") {
        return None;
    }
    let s = lossy(head(t, 512));
    let code = s.split(" #").next().unwrap_or(&s);
    for trigger in ["pull_request_target", "workflow_run", "issue_comment"] {
        if let Some(p) = code.find(trigger) {
            let after = code.get(p + trigger.len()..).unwrap_or("");
            let before = code.get(..p).unwrap_or("");
            // A key (`pull_request_target:`), a list item, or a member of `on: [...]`.
            let is_trigger = after.trim_start().starts_with(':')
                || after.trim().is_empty()
                || after.trim_start().starts_with([',', ']'])
                || before.trim_end().ends_with(['[', ',', '-']);
            // `github.event.workflow_run.…` in an expression is a use, not a trigger.
            if is_trigger && !before.ends_with('.') {
                return Some((p, format!("trigger {trigger} added")));
            }
        }
    }
    let compact: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.starts_with("permissions:write-all") {
        return Some((0, "permissions: write-all added".into()));
    }
    if compact.starts_with("secrets:inherit") {
        return Some((0, "secrets: inherit added".into()));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(kind: Manifest, text: &str) -> Vec<Vec<String>> {
        let mut cur = Cursor::default();
        text.lines()
            .map(|l| runtime_names(kind, &mut cur, l))
            .collect()
    }

    #[test]
    fn pyproject_runtime_dependencies_only() {
        let n = names(
            Manifest::Pyproject,
            "[project]\nname = \"pkg\"\ndependencies = [\n  \"numpy>=1.24\",\n  'scipy', # c\n]\n[project.optional-dependencies]\ntest = [\n  \"pytest\",\n]\n[tool.poetry.dependencies]\npython = \"^3.10\"\nrequests = \"^2\"\n",
        );
        let flat: Vec<&String> = n.iter().flatten().collect();
        assert_eq!(flat, ["numpy", "scipy", "requests"]);
        let one = names(
            Manifest::Pyproject,
            "[project]\ndependencies = [\"a-b\", \"C_d[x]>1\"]\n",
        );
        assert_eq!(one[1], ["a-b", "c-d"]);
    }

    #[test]
    fn setup_cfg_setup_py_requirements_package_json() {
        let n = names(
            Manifest::SetupCfg,
            "[options]\ninstall_requires =\n    numpy\n    flatmap-stream>=0.1\npython_requires = >=3.9\n[options.extras_require]\ntest =\n    pytest\n",
        );
        assert_eq!(
            n.iter().flatten().collect::<Vec<_>>(),
            ["numpy", "flatmap-stream"]
        );
        let n = names(
            Manifest::SetupPy,
            "setup(\n    name='pkg',\n    install_requires=[\n        'numpy',\n        \"evil\",\n    ],\n    tests_require=['pytest'],\n)\n",
        );
        assert_eq!(n.iter().flatten().collect::<Vec<_>>(), ["numpy", "evil"]);
        let n = names(
            Manifest::Requirements,
            "# c\n-r base.txt\nnumpy==2\nx @ https://e/x.whl\n",
        );
        assert_eq!(n.iter().flatten().collect::<Vec<_>>(), ["numpy"]);
        let n = names(
            Manifest::PackageJson,
            "{\n  \"name\": \"p\",\n  \"dependencies\": {\n    \"flatmap-stream\": \"^0.1.1\",\n    \"@scope/x\": \"1\"\n  },\n  \"devDependencies\": {\n    \"mocha\": \"1\"\n  }\n}\n",
        );
        assert_eq!(
            n.iter().flatten().collect::<Vec<_>>(),
            ["flatmap-stream", "@scope/x"]
        );
    }

    #[test]
    fn versions_and_privileges() {
        assert_eq!(
            version_of(Manifest::Pyproject, "project", "version = \"1.2.3\""),
            Some("1.2.3".into())
        );
        assert_eq!(
            version_of(Manifest::Pyproject, "tool.ruff", "version = \"1\""),
            None
        );
        assert_eq!(
            version_of(Manifest::SetupCfg, "metadata", "version = 0.4.1"),
            Some("0.4.1".into())
        );
        assert_eq!(
            version_of(Manifest::PackageJson, "", "  \"version\": \"3.3.6\","),
            Some("3.3.6".into())
        );
        assert_eq!(
            version_of(Manifest::PackageJson, "", "      \"version\": \"1\""),
            None
        );
        assert_eq!(
            version_of(Manifest::VersionModule, "", "__version__ = '2.0.0rc1'"),
            Some("2.0.0rc1".into())
        );
        assert!(workflow_privilege(b"  pull_request_target:").is_some());
        assert!(workflow_privilege(b"on: [push, pull_request_target]").is_some());
        assert!(workflow_privilege(b"  - workflow_run").is_some());
        assert!(workflow_privilege(b"permissions: write-all").is_some());
        assert!(workflow_privilege(b"    secrets: inherit").is_some());
        assert!(workflow_privilege(b"  if: github.event.workflow_run.conclusion == 'x'").is_none());
        assert!(workflow_privilege(b"# pull_request_target: no").is_none());
        assert!(workflow_privilege(b"  contents: write").is_none());
        assert_eq!(manifest_kind("requirements/test.txt", "test.txt"), None);
        assert_eq!(
            manifest_kind("requirements.txt", "requirements.txt"),
            Some(Manifest::Requirements)
        );
        assert_eq!(manifest_kind("pkg/tests/__init__.py", "__init__.py"), None);
    }
}
