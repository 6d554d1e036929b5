//! What build backends legitimately add to (or rewrite in) a distribution, recognised by
//! content, never by name alone.
//!
//! Each allowance names its generator and says why the file is expected. A file whose name
//! suggests a generator but whose content does not look like that generator's output is not
//! allowed: [`check_added`] returns [`Verdict::Suspicious`] with what did not fit, and the
//! comparison reports it.

use std::collections::HashSet;

use crate::wheel::Headers;

/// The outcome for a file the source tree does not have (or has with other content).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Expected: produced by a build tool; the reason says which and why.
    Allowed(Allowance),
    /// The name suggests a generated file but the content does not fit; says what did not.
    Suspicious(String),
    /// No generator produces this file.
    Unknown,
}

/// Why a file that is not (or not so) in the source is expected in a distribution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allowance {
    /// A short, stable kind (`pkg-info`, `egg-info`, `scm-version-file`, ...).
    pub kind: &'static str,
    /// The tool that writes it.
    pub generator: &'static str,
    /// Why it is allowed, for this file.
    pub reason: String,
}

fn allowed(kind: &'static str, generator: &'static str, reason: impl Into<String>) -> Verdict {
    Verdict::Allowed(Allowance {
        kind,
        generator,
        reason: reason.into(),
    })
}

/// What the checks may look at besides the file itself.
pub struct Context<'a> {
    /// Whether the distribution is a wheel.
    pub wheel: bool,
    /// The distribution's normalized project name (`sci-pkg`).
    pub name: &'a str,
    /// The distribution's version as in its file name.
    pub version: &'a str,
    /// Paths of the source tree (repository-relative).
    pub source: &'a HashSet<&'a str>,
    /// Relative paths of the distribution's members.
    pub members: &'a HashSet<&'a str>,
    /// The source path a wheel path maps to (`pkg/x.py` → `src/pkg/x.py`), for wheels.
    pub source_path_of: &'a dyn Fn(&str) -> Option<String>,
    /// Source paths by file name.
    pub source_by_name: &'a std::collections::HashMap<&'a str, Vec<&'a str>>,
    /// A source file's content, by repository path.
    pub source_data: &'a dyn Fn(&str) -> Option<&'a [u8]>,
    /// Whether the source has native build inputs (C/C++/Cython/Fortran/Rust sources, or a
    /// meson/CMake/setup.py build).
    pub native_build: bool,
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn text(data: &[u8]) -> Option<&str> {
    let s = std::str::from_utf8(data).ok()?;
    (!s.contains('\0')).then_some(s)
}

/// Checks a distribution member that the source tree does not contain.
pub fn check_added(path: &str, data: &[u8], ctx: &Context<'_>) -> Verdict {
    let name = file_name(path);
    if !ctx.wheel && path == "PKG-INFO" {
        return pkg_info(data, ctx);
    }
    if !ctx.wheel
        && let Some(v) = egg_info(path, data, ctx)
    {
        return v;
    }
    if !ctx.wheel && path == "setup.cfg" {
        return match text(data) {
            Some(t) if only_egg_info_section(t) => allowed(
                "setup-cfg",
                "setuptools",
                "setuptools writes a `setup.cfg` holding only the `[egg_info]` tag settings into every sdist",
            ),
            _ => Verdict::Suspicious(
                "`setup.cfg` is not in the source, and holds more than setuptools' `[egg_info]` tag settings".into(),
            ),
        };
    }
    if !ctx.wheel && path == "setup.py" {
        return match text(data) {
            Some(t) if is_generated_setup_py(t) => allowed(
                "generated-setup-py",
                "poetry-core / flit (legacy)",
                "poetry-core 1.x and old flit write a `setup.py` shim with only literal `setup()` arguments into sdists",
            ),
            _ => Verdict::Unknown,
        };
    }
    // A template in the source is the stronger evidence: the output must be that template.
    if let Some(v) = from_template(path, data, ctx) {
        return v;
    }
    if name.ends_with(".py") && is_version_file_name(name) {
        return version_file(data);
    }
    if path.ends_with(".git_archival.txt") {
        return Verdict::Suspicious("`.git_archival.txt` is not in the source tree".into());
    }
    if (name.ends_with(".c") || name.ends_with(".cpp"))
        && let Some(v) = cython_output(path, data, ctx)
    {
        return v;
    }
    if ctx.wheel {
        return wheel_only(path, data, ctx);
    }
    Verdict::Unknown
}

/// Checks a member whose source file exists with other content. `None`: no generator
/// explains the difference.
pub fn check_rewritten(
    path: &str,
    source: &[u8],
    dist: &[u8],
    ctx: &Context<'_>,
) -> Option<Allowance> {
    let name = file_name(path);
    let (Some(src), Some(out)) = (text(source), text(dist)) else {
        return None;
    };
    if !ctx.wheel && path == "setup.cfg" {
        // setuptools appends (or rewrites) the `[egg_info]` section.
        let strip = |t: &str| strip_section(t, "egg_info");
        if strip(src).trim_end() == strip(out).trim_end() {
            return Some(Allowance {
                kind: "setup-cfg",
                generator: "setuptools",
                reason: "setuptools adds the `[egg_info]` tag settings to `setup.cfg` in sdists; nothing else differs".into(),
            });
        }
        return None;
    }
    if !ctx.wheel && path == "pyproject.toml" && pyproject_version_frozen(src, out, ctx.version) {
        return Some(Allowance {
            kind: "pyproject-version",
            generator: "pdm-backend",
            reason: "pdm-backend writes the computed version into the sdist's pyproject.toml (`version` made static, `dynamic` emptied, arrays reformatted); the parsed tables are otherwise identical".into(),
        });
    }
    if name.ends_with(".py")
        && src.contains("versioneer")
        && is_version_file_name(name)
        && versioneer_short(out)
    {
        return Some(Allowance {
            kind: "versioneer",
            generator: "versioneer",
            reason: "versioneer replaces its `_version.py` with a frozen copy holding only the version JSON".into(),
        });
    }
    if name.ends_with(".py")
        && is_version_file_name(name)
        && matches!(version_file(dist), Verdict::Allowed(_))
    {
        return Some(Allowance {
            kind: "scm-version-file",
            generator: "setuptools-scm / hatch-vcs / pdm-backend",
            reason:
                "the version file is rewritten at build time and holds only version assignments"
                    .into(),
        });
    }
    if src.contains("$Format:") && template_match(src, out, "$Format:", "$") {
        return Some(Allowance {
            kind: "export-subst",
            generator: "git archive",
            reason:
                "`git archive` fills the `$Format:…$` placeholders of files marked `export-subst`"
                    .into(),
        });
    }
    None
}

/// pdm-backend's rewrite: equal as TOML once `project.version` and `version` in
/// `project.dynamic` are removed from both, and the sdist's static version is the dist's.
fn pyproject_version_frozen(src: &str, out: &str, version: &str) -> bool {
    let (Ok(mut a), Ok(mut b)) = (src.parse::<toml::Table>(), out.parse::<toml::Table>()) else {
        return false;
    };
    let static_version = b
        .get("project")
        .and_then(|p| p.get("version"))
        .and_then(|v| v.as_str())
        .map(str::to_string);
    if static_version.as_deref().is_none_or(|v| v != version) {
        return false;
    }
    for t in [&mut a, &mut b] {
        if let Some(p) = t.get_mut("project").and_then(|p| p.as_table_mut()) {
            p.remove("version");
            if let Some(d) = p.get_mut("dynamic").and_then(|d| d.as_array_mut()) {
                d.retain(|x| x.as_str() != Some("version"));
                if d.is_empty() {
                    p.remove("dynamic");
                }
            }
        }
    }
    a == b
}

fn is_version_file_name(name: &str) -> bool {
    matches!(
        name,
        "_version.py" | "version.py" | "__version__.py" | "_version_info.py" | "__about__.py"
    )
}

fn pkg_info(data: &[u8], ctx: &Context<'_>) -> Verdict {
    let Some(t) = text(data) else {
        return Verdict::Suspicious("PKG-INFO is not UTF-8 text".into());
    };
    let h = Headers::parse(t);
    let name_ok = h
        .get("Name")
        .is_some_and(|n| garrison_python::name::name_key(n) == ctx.name);
    if h.get("Metadata-Version").is_none() || !name_ok {
        return Verdict::Suspicious(format!(
            "PKG-INFO does not hold core metadata for `{}` (Metadata-Version and a matching Name)",
            ctx.name
        ));
    }
    allowed(
        "pkg-info",
        "every build backend",
        "the sdist's core metadata, written by the build backend (checked against pyproject.toml separately)",
    )
}

fn egg_info(path: &str, data: &[u8], ctx: &Context<'_>) -> Option<Verdict> {
    let (dir, file) = path.rsplit_once('/').unwrap_or(("", path));
    let top = dir.rsplit('/').next().unwrap_or(dir);
    if !top.ends_with(".egg-info") {
        return None;
    }
    let Some(t) = text(data) else {
        return Some(Verdict::Suspicious(format!("{file} in {top} is not text")));
    };
    let ok = match file {
        "PKG-INFO" => Headers::parse(t).get("Metadata-Version").is_some(),
        "SOURCES.txt" => t
            .lines()
            .filter(|l| !l.trim().is_empty())
            .all(|l| ctx.members.contains(l.trim()) || ctx.source.contains(l.trim())),
        "dependency_links.txt" | "not-zip-safe" | "zip-safe" => t.trim().is_empty(),
        "top_level.txt" | "namespace_packages.txt" => t.lines().all(|l| {
            l.trim()
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '.')
        }),
        "requires.txt" => t.lines().map(str::trim).all(|l| {
            l.is_empty()
                || (l.starts_with('[') && l.ends_with(']'))
                || garrison_python::requirement::parse_requirement(l).is_ok()
        }),
        "entry_points.txt" => is_ini(t),
        // setuptools-scm 10 (vcs-versioning): the tracked files and the version it computed.
        "scm_file_list.json" => serde_json::from_str::<serde_json::Value>(t).is_ok_and(|v| {
            v.as_object()
                .is_some_and(|o| o.keys().all(|k| k == "files"))
                && v["files"].as_array().is_some_and(|a| {
                    a.iter()
                        .all(|f| f.as_str().is_some_and(|p| ctx.source.contains(p)))
                })
        }),
        "scm_version.json" => serde_json::from_str::<serde_json::Value>(t).is_ok_and(|v| {
            v.as_object().is_some_and(|o| {
                o.iter().all(|(k, v)| {
                    matches!(
                        k.as_str(),
                        "tag" | "distance" | "node" | "dirty" | "branch" | "node_date"
                    ) && (v.is_string() || v.is_number() || v.is_boolean() || v.is_null())
                })
            })
        }),
        _ => false,
    };
    Some(if ok {
        allowed(
            "egg-info",
            "setuptools",
            format!("setuptools' `egg_info` metadata ({file}); its content has the expected form"),
        )
    } else {
        Verdict::Suspicious(format!(
            "`{file}` in `{top}` does not have the form setuptools writes"
        ))
    })
}

fn is_ini(t: &str) -> bool {
    t.lines().map(str::trim).all(|l| {
        l.is_empty()
            || l.starts_with('#')
            || l.starts_with(';')
            || (l.starts_with('[') && l.ends_with(']'))
            || l.contains('=')
    })
}

fn only_egg_info_section(t: &str) -> bool {
    strip_section(t, "egg_info").trim().is_empty()
}

/// The INI text without section `name` (header and body).
fn strip_section(t: &str, name: &str) -> String {
    let mut out = String::new();
    let mut skipping = false;
    for line in t.lines() {
        let l = line.trim();
        if l.starts_with('[') && l.ends_with(']') {
            skipping = l[1..l.len() - 1].trim() == name;
        }
        if !skipping {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

fn is_generated_setup_py(t: &str) -> bool {
    (t.contains("from setuptools import setup") || t.contains("from distutils.core import setup"))
        && (t.contains("setup_kwargs") || t.contains("# -*- coding: utf-8 -*-"))
        && py_shape(t, true).is_ok()
}

/// A version file: only version assignments (setuptools-scm, hatch-vcs, pdm-backend, numpy-style
/// generated `version.py`), or versioneer's frozen form.
fn version_file(data: &[u8]) -> Verdict {
    let Some(t) = text(data) else {
        return Verdict::Suspicious("the version file is not UTF-8 text".into());
    };
    if versioneer_short(t) {
        return allowed(
            "versioneer",
            "versioneer",
            "versioneer's frozen `_version.py`: only the version JSON and `get_versions()`",
        );
    }
    match py_shape(t, false) {
        Ok(()) => allowed(
            "scm-version-file",
            "setuptools-scm / hatch-vcs / pdm-backend / build script",
            "a version file written at build time; it holds only version assignments",
        ),
        Err(why) => Verdict::Suspicious(format!(
            "named like a generated version file but holds more than version assignments: {why}"
        )),
    }
}

fn versioneer_short(t: &str) -> bool {
    let Some(start) = t.find("version_json = '''") else {
        return false;
    };
    let Some(end_rel) = t[start..].find("'''  # END VERSION_JSON") else {
        return false;
    };
    let json = &t[start + "version_json = '''".len()..start + end_rel];
    let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(json) else {
        return false;
    };
    let keys_ok = map.keys().all(|k| {
        matches!(
            k.as_str(),
            "date" | "dirty" | "error" | "full-revisionid" | "version"
        )
    });
    let rest = format!(
        "{}{}",
        &t[..start],
        &t[start + end_rel + "'''  # END VERSION_JSON".len()..]
    );
    let code: Vec<&str> = rest
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .collect();
    keys_ok
        && code
            == [
                "import json",
                "def get_versions():",
                "    return json.loads(version_json)",
            ]
}

/// `pkg/version.py` generated from `pkg/version.py.in` (meson `configure_file`, CMake
/// `configure_file`, autoconf): the output must be the template with each `@VAR@` (or
/// `${VAR}`) placeholder replaced by one line of text.
fn from_template(path: &str, data: &[u8], ctx: &Context<'_>) -> Option<Verdict> {
    let name = file_name(path);
    let mapped = if ctx.wheel {
        (ctx.source_path_of)(path)
    } else {
        Some(path.to_string())
    };
    // The template next to the mapped path first, then any `NAME.in` in the tree (build
    // systems often render templates into another directory).
    let mut candidates: Vec<String> = mapped.iter().map(|p| format!("{p}.in")).collect();
    let tpl_name = format!("{name}.in");
    if let Some(list) = ctx.source_by_name.get(tpl_name.as_str()) {
        candidates.extend(list.iter().take(16).map(|s| s.to_string()));
    }
    candidates.dedup();
    let candidates: Vec<String> = candidates
        .into_iter()
        .filter(|c| ctx.source.contains(c.as_str()))
        .collect();
    if candidates.is_empty() {
        return None;
    }
    let out = text(data);
    for tpl in &candidates {
        let Some(t) = (ctx.source_data)(tpl).and_then(text) else {
            continue;
        };
        let Some(o) = out else { break };
        if check_template(t, o) {
            return Some(allowed(
                "configure-file",
                "meson / CMake `configure_file`",
                format!(
                    "generated from the template `{tpl}`: identical except for one-line `@VAR@` / `#mesondefine` substitutions"
                ),
            ));
        }
        if tempita_match(t, o) {
            return Some(allowed(
                "tempita-output",
                "Tempita (Cython/numpy build templates)",
                format!(
                    "rendered from the Tempita template `{tpl}`: every line is a line of the template with its `{{{{…}}}}` expressions filled in"
                ),
            ));
        }
    }
    Some(Verdict::Suspicious(format!(
        "a template `{}` exists, but this file is not that template with substitutions",
        candidates[0]
    )))
}

/// Whether `out` is a Tempita rendering of `template`, line by line: directive lines
/// (`{{for …}}`, `{{endfor}}`, `{{if …}}`, `{{py: …}}` blocks, ...) produce nothing, and every
/// non-blank output line matches some template line whose `{{expr}}` parts stand for text
/// without a newline. Template lines that are only an expression are not used (they would
/// match anything), so an added line of code matches nothing.
pub fn tempita_match(template: &str, out: &str) -> bool {
    if !template.contains("{{") || template.len() > 1 << 20 || out.len() > 8 << 20 {
        return false;
    }
    let mut patterns: Vec<Vec<&str>> = Vec::new();
    let mut in_py = false;
    for line in template.lines() {
        let t = line.trim();
        if in_py {
            if t.ends_with("}}") {
                in_py = false;
            }
            continue;
        }
        if t.starts_with("{{") && t.ends_with("}}") && t.matches("{{").count() == 1 {
            let inner = t[2..t.len() - 2].trim();
            let directive = [
                "for ", "endfor", "if ", "elif ", "else", "endif", "py:", "default ", "inherit ",
                "def ", "enddef", "#", "break", "continue",
            ]
            .iter()
            .any(|d| inner.starts_with(d));
            if directive {
                continue;
            }
        }
        if t == "{{" || t.starts_with("{{py:") && !t.ends_with("}}") {
            in_py = true;
            continue;
        }
        if t.is_empty() {
            continue;
        }
        let pieces = split_placeholders(line, "{{", "}}");
        if pieces.iter().map(|p| p.trim().len()).sum::<usize>() < 3 {
            continue;
        }
        patterns.push(pieces);
    }
    let lines: Vec<&str> = out.lines().filter(|l| !l.trim().is_empty()).collect();
    if patterns.is_empty() || lines.len().saturating_mul(patterns.len()) > 20_000_000 {
        return false;
    }
    lines
        .iter()
        .all(|l| patterns.iter().any(|p| pieces_match(p, l)))
}

/// Literal pieces between `open…close` placeholders (`None` placeholders in between).
fn split_placeholders<'a>(line: &'a str, open: &str, close: &str) -> Vec<&'a str> {
    let mut pieces = Vec::new();
    let mut rest = line;
    while let Some(i) = rest.find(open) {
        let Some(j) = rest[i + open.len()..].find(close) else {
            break;
        };
        pieces.push(&rest[..i]);
        rest = &rest[i + open.len() + j + close.len()..];
    }
    pieces.push(rest);
    pieces
}

/// Whether `line` is the pieces in order with any text between consecutive pieces.
fn pieces_match(pieces: &[&str], line: &str) -> bool {
    let Some((first, rest)) = pieces.split_first() else {
        return false;
    };
    if !line.starts_with(first) {
        return false;
    }
    if rest.is_empty() {
        return line.len() == first.len();
    }
    let mut pos = first.len();
    for (k, piece) in rest.iter().enumerate() {
        let last = k == rest.len() - 1;
        if last {
            return line.len() >= pos + piece.len() && line[pos..].ends_with(piece);
        }
        match line[pos..].find(piece) {
            Some(at) => pos += at + piece.len(),
            None => return false,
        }
    }
    true
}

/// Whether `out` is `template` rendered by meson/CMake `configure_file`: the same lines, where
/// `@VAR@` / `${VAR}` stand for text without a newline, and `#mesondefine X` /
/// `#cmakedefine X …` became `#define X …` or `/* #undef X */`.
pub fn configure_match(template: &str, out: &str) -> bool {
    let t: Vec<&str> = template.lines().collect();
    let o: Vec<&str> = out.lines().collect();
    if t.len() != o.len() {
        return false;
    }
    t.iter().zip(&o).all(|(tl, ol)| {
        let tt = tl.trim_start();
        if let Some(rest) = tt
            .strip_prefix("#mesondefine ")
            .or_else(|| tt.strip_prefix("#cmakedefine "))
        {
            let var = rest.split_whitespace().next().unwrap_or("");
            let ot = ol.trim();
            return !var.is_empty()
                && (ot.starts_with(&format!("#define {var}"))
                    && ot[8 + var.len()..]
                        .chars()
                        .next()
                        .is_none_or(char::is_whitespace)
                    || ot == format!("/* #undef {var} */")
                    || ot == format!("#undef {var}"));
        }
        tl == ol
            || (tl.contains('@') && pieces_match(&split_at_vars(tl, "@", "@"), ol))
            || (tl.contains("${") && pieces_match(&split_at_vars(tl, "${", "}"), ol))
    })
}

/// Like [`split_placeholders`], but only for placeholders that are variable names.
fn split_at_vars<'a>(line: &'a str, open: &str, close: &str) -> Vec<&'a str> {
    let mut pieces = Vec::new();
    let mut rest = line;
    let mut start = 0usize;
    let mut scan = 0usize;
    while let Some(i) = rest[scan..].find(open).map(|i| i + scan) {
        let after = i + open.len();
        let Some(j) = rest[after..].find(close) else {
            break;
        };
        let name = &rest[after..after + j];
        if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            pieces.push(&rest[start..i]);
            start = after + j + close.len();
            scan = start;
        } else {
            scan = after;
        }
    }
    pieces.push(&rest[start..]);
    let _ = &mut rest;
    pieces
}

/// Whether `out` is `template` with every `open…close` placeholder replaced by text without a
/// newline.
pub fn template_match(template: &str, out: &str, open: &str, close: &str) -> bool {
    let mut pieces = Vec::new();
    let mut rest = template;
    while let Some(i) = rest.find(open) {
        let after = &rest[i + open.len()..];
        let Some(j) = after.find(close) else { break };
        let name = &after[..j];
        if name.is_empty() || name.contains('\n') || name.len() > 200 {
            break;
        }
        pieces.push(&rest[..i]);
        rest = &after[j + close.len()..];
    }
    pieces.push(rest);
    if pieces.len() > 10_000 {
        return false;
    }
    // Greedy-free matching: each literal piece must follow the previous one, with a
    // newline-free gap between them.
    let mut pos = 0usize;
    for (k, piece) in pieces.iter().enumerate() {
        if k == 0 {
            if !out.starts_with(piece) {
                return false;
            }
            pos = piece.len();
            continue;
        }
        let hay = &out[pos..];
        let limit = hay.find('\n').map_or(hay.len(), |n| n);
        let found = if piece.is_empty() {
            if k == pieces.len() - 1 {
                // The last placeholder runs to the end of the line.
                Some(limit.min(hay.len()))
            } else {
                Some(0)
            }
        } else {
            // The placeholder's value ends before the next literal piece, on the same line.
            hay.find(piece).filter(|&at| at <= limit)
        };
        let Some(at) = found else { return false };
        pos += at + piece.len();
    }
    pos == out.len()
}

/// Checks a generated-from-template output against the template text.
pub fn check_template(template: &str, out: &str) -> bool {
    configure_match(template, out)
}

fn cython_output(path: &str, data: &[u8], ctx: &Context<'_>) -> Option<Verdict> {
    let head = std::str::from_utf8(&data[..data.len().min(200)]).unwrap_or("");
    if !head.starts_with("/* Generated by Cython") {
        return None;
    }
    let stem = path.rsplit_once('.').map_or(path, |(s, _)| s);
    let base = if ctx.wheel {
        (ctx.source_path_of)(path)
            .map(|p| p.rsplit_once('.').map_or(p.clone(), |(s, _)| s.to_string()))?
    } else {
        stem.to_string()
    };
    let has_pyx = [".pyx", ".py"]
        .iter()
        .any(|e| ctx.source.contains(format!("{base}{e}").as_str()));
    Some(if has_pyx {
        allowed(
            "cython-output",
            "Cython",
            format!("C translated by Cython from `{base}.pyx`; review the `.pyx`, not the C"),
        )
    } else {
        Verdict::Suspicious(format!(
            "says it was generated by Cython, but the source has no `{base}.pyx`"
        ))
    })
}

const EXT_SUFFIXES: &[&str] = &[".so", ".pyd", ".dylib", ".dll"];

fn is_shared_object(name: &str) -> bool {
    EXT_SUFFIXES.iter().any(|s| name.ends_with(s)) || name.contains(".so.")
}

fn wheel_only(path: &str, data: &[u8], ctx: &Context<'_>) -> Verdict {
    let name = file_name(path);
    let top = path.split('/').next().unwrap_or("");
    // Libraries vendored by auditwheel (`pkg.libs/`), delocate (`pkg/.dylibs/`) and
    // delvewheel (`pkg.libs/`, `pkg/.libs`).
    if (top.ends_with(".libs") || path.contains("/.dylibs/") || path.contains("/.libs/"))
        && is_shared_object(name)
    {
        return if looks_native(data) {
            allowed(
                "vendored-library",
                "auditwheel / delocate / delvewheel",
                "a shared library copied into the wheel by the repair tool; it is not built from this source",
            )
        } else {
            Verdict::Suspicious("in a vendored-library directory but not a native library".into())
        };
    }
    if name.ends_with(".a") && data.starts_with(b"!<arch>\n") && ctx.native_build {
        return allowed(
            "static-library",
            "the build backend's compiler",
            "a static library built from the source's native code (shipped for dependents to link); binaries cannot be compared with source",
        );
    }
    if is_shared_object(name) {
        if !looks_native(data) {
            return Verdict::Suspicious(
                "named like a compiled extension but is not a native binary".into(),
            );
        }
        return if ctx.native_build {
            allowed(
                "compiled-extension",
                "the build backend's compiler",
                "a compiled extension module built from the source's native code; binaries cannot be compared with source",
            )
        } else {
            Verdict::Suspicious(
                "a compiled binary in a wheel whose source has no native code or native build"
                    .into(),
            )
        };
    }
    if let Some(rest) = path.split_once(".data/scripts/").map(|(_, r)| r)
        && let Some(t) = text(data)
        && is_entry_point_wrapper(t)
    {
        let _ = rest;
        return allowed(
            "script-wrapper",
            "the build backend",
            "a console-script launcher generated from the entry points",
        );
    }
    Verdict::Unknown
}

fn looks_native(data: &[u8]) -> bool {
    data.starts_with(b"\x7fELF")
        || data.starts_with(b"MZ")
        || data.starts_with(&[0xcf, 0xfa, 0xed, 0xfe])
        || data.starts_with(&[0xca, 0xfe, 0xba, 0xbe])
        || data.starts_with(&[0xce, 0xfa, 0xed, 0xfe])
}

fn is_entry_point_wrapper(t: &str) -> bool {
    t.starts_with("#!")
        && t.contains("import ")
        && t.contains("sys.exit(")
        && t.lines().count() < 20
}

/// What [`py_shape`] found that a version file or `setup.py` shim does not hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShapeError {
    /// The file is over 64 KiB.
    #[error("over 64 KiB")]
    TooLarge,
    /// A statement that is not one of the allowed kinds (shown up to 80 characters).
    #[error("line {line}: `{statement}`")]
    Statement {
        /// 1-based line where it starts.
        line: usize,
        /// The statement.
        statement: String,
    },
    /// More closing than opening brackets.
    #[error("line {0}: unbalanced brackets")]
    Unbalanced(usize),
    /// A statement still open at the end of the file.
    #[error("line {0}: unterminated statement")]
    Unterminated(usize),
}

/// Whether `t` is Python made only of the statements a version file or a generated
/// `setup.py` shim needs: comments, docstrings, `__all__`, `TYPE_CHECKING` blocks, imports from
/// `typing`/`__future__` (and `setuptools` for `setup_py`), annotations, and assignments of
/// literals or of simple expressions over names already assigned (`version.split("+")[0]`,
/// `'dev' not in version`). Calls are limited to a few string methods (and `setup(...)`,
/// for `setup_py`). Returns what did not fit.
pub fn py_shape(t: &str, setup_py: bool) -> Result<(), ShapeError> {
    if t.len() > 64 * 1024 {
        return Err(ShapeError::TooLarge);
    }
    let stmts = logical_lines(t)?;
    for (line, s) in stmts {
        let st = s.trim();
        if st.is_empty() || st.starts_with('#') {
            continue;
        }
        let ok = is_string_literal(st)
            || st == "TYPE_CHECKING = False"
            || st == "if TYPE_CHECKING:"
            || st == "else:"
            || st.starts_with("from typing import ")
            || st.starts_with("from __future__ import ")
            || (setup_py
                && (st.starts_with("from setuptools import ")
                    || st.starts_with("from distutils.core import ")))
            || annotation(st)
            || assignment(st, setup_py);
        if !ok {
            return Err(ShapeError::Statement {
                line,
                statement: st.chars().take(80).collect(),
            });
        }
    }
    Ok(())
}

/// Logical lines: physical lines joined while brackets are open or a triple-quoted string
/// runs; with the 1-based line where each starts.
fn logical_lines(t: &str) -> Result<Vec<(usize, String)>, ShapeError> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut start = 1;
    let mut depth: i32 = 0;
    let mut in_triple: Option<&str> = None;
    for (i, line) in t.lines().enumerate() {
        if cur.is_empty() {
            start = i + 1;
        }
        cur.push_str(line);
        cur.push('\n');
        let mut chars = line.char_indices().peekable();
        while let Some((idx, c)) = chars.next() {
            if let Some(q) = in_triple {
                if line[idx..].starts_with(q) {
                    in_triple = None;
                    chars.nth(1);
                }
                continue;
            }
            match c {
                '#' => break,
                '\'' | '"' => {
                    let triple = if c == '"' { "\"\"\"" } else { "'''" };
                    if line[idx..].starts_with(triple) {
                        in_triple = Some(triple);
                        chars.nth(1);
                    } else {
                        // Skip a one-line string.
                        let mut escaped = false;
                        for (_, d) in chars.by_ref() {
                            if escaped {
                                escaped = false;
                            } else if d == '\\' {
                                escaped = true;
                            } else if d == c {
                                break;
                            }
                        }
                    }
                }
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' => depth -= 1,
                _ => {}
            }
        }
        if depth < 0 {
            return Err(ShapeError::Unbalanced(i + 1));
        }
        if depth == 0 && in_triple.is_none() && !line.ends_with('\\') {
            out.push((start, std::mem::take(&mut cur)));
        }
    }
    if !cur.trim().is_empty() {
        return Err(ShapeError::Unterminated(start));
    }
    Ok(out)
}

fn is_string_literal(s: &str) -> bool {
    let s = s.trim();
    let s = s.trim_start_matches(['r', 'R', 'u', 'U', 'b', 'B']);
    for q in ["\"\"\"", "'''", "\"", "'"] {
        if s.len() >= 2 * q.len() && s.starts_with(q) && s.ends_with(q) {
            let inner = &s[q.len()..s.len() - q.len()];
            return q.len() == 3 || !inner.contains(q.chars().next().unwrap_or('"'));
        }
    }
    false
}

fn is_ident(s: &str) -> bool {
    let mut c = s.chars();
    c.next()
        .is_some_and(|f| f.is_ascii_alphabetic() || f == '_')
        && c.all(|x| x.is_ascii_alphanumeric() || x == '_')
}

/// `name: Type` (no value).
fn annotation(s: &str) -> bool {
    let Some((name, ty)) = s.split_once(':') else {
        return false;
    };
    is_ident(name.trim())
        && !ty.contains('=')
        && !ty.contains('(')
        && ty
            .trim()
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_[], .|".contains(c))
}

/// `a = b = EXPR` or `a: T = EXPR` with a harmless EXPR.
fn assignment(s: &str, setup_py: bool) -> bool {
    let parts = split_top_level_eq(s);
    if parts.len() < 2 {
        return setup_py && s.starts_with("setup(") && safe_expr(s, true);
    }
    let (value, targets) = parts.split_last().unwrap_or((&"", &[]));
    targets.iter().all(|t| {
        let t = t.trim();
        let t = t.split_once(':').map_or(t, |(n, _)| n.trim());
        is_ident(t)
    }) && safe_expr(value, setup_py)
}

/// Splits at `=` signs outside strings and brackets that are assignments (not `==`, `<=`, ...).
fn split_top_level_eq(s: &str) -> Vec<&str> {
    let b = s.as_bytes();
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut quote: Option<u8> = None;
    let mut last = 0;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if let Some(q) = quote {
            if c == b'\\' {
                i += 1;
            } else if c == q {
                quote = None;
            }
        } else {
            match c {
                b'\'' | b'"' => quote = Some(c),
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' | b'}' => depth -= 1,
                b'=' if depth == 0 => {
                    let prev = if i > 0 { b[i - 1] } else { b' ' };
                    let next = b.get(i + 1).copied().unwrap_or(b' ');
                    if next != b'=' && !b"=!<>+-*/%&|^:".contains(&prev) {
                        parts.push(&s[last..i]);
                        last = i + 1;
                    }
                }
                _ => {}
            }
        }
        i += 1;
    }
    parts.push(&s[last..]);
    parts
}

/// Names that never appear in a harmless generated version file.
const FORBIDDEN: &[&str] = &[
    "exec",
    "eval",
    "compile",
    "__import__",
    "open",
    "getattr",
    "setattr",
    "delattr",
    "globals",
    "locals",
    "vars",
    "lambda",
    "import",
    "os",
    "sys",
    "subprocess",
    "socket",
    "urllib",
    "base64",
    "codecs",
    "zlib",
    "marshal",
    "pickle",
    "builtins",
    "__builtins__",
    "input",
    "breakpoint",
    "def",
    "class",
    "yield",
    "await",
    "async",
    "del",
    "with",
    "for",
    "while",
    "try",
];

const SAFE_METHODS: &[&str] = &[
    "split",
    "rsplit",
    "strip",
    "lstrip",
    "rstrip",
    "replace",
    "startswith",
    "endswith",
    "join",
    "lower",
    "upper",
    "partition",
    "rpartition",
    "format",
];

/// An expression of literals, names, attribute access, subscripts, boolean/comparison
/// operators and calls of a few string methods (plus `setup(...)`, `find_packages(...)` in a
/// setup shim) — nothing that imports, opens, executes or reaches the network.
fn safe_expr(e: &str, setup_py: bool) -> bool {
    let b = e.as_bytes();
    let mut i = 0;
    let mut prev_ident: Option<&str> = None;
    let mut prev_dot_ident = false;
    while i < b.len() {
        let c = b[i];
        if c == b'\'' || c == b'"' {
            // Skip a string (single or triple quoted).
            let triple = b.get(i..i + 3).is_some_and(|w| w == [c, c, c]);
            let q = if triple { 3 } else { 1 };
            i += q;
            loop {
                if i >= b.len() {
                    return false;
                }
                if b[i] == b'\\' {
                    i += 2;
                    continue;
                }
                if b[i] == c && (!triple || b.get(i..i + 3).is_some_and(|w| w == [c, c, c])) {
                    i += q;
                    break;
                }
                i += 1;
            }
            prev_ident = None;
            prev_dot_ident = false;
            continue;
        }
        if c.is_ascii_alphabetic() || c == b'_' {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            let word = &e[start..i];
            // String prefixes (f-strings are refused: they evaluate expressions).
            if i < b.len() && (b[i] == b'\'' || b[i] == b'"') {
                if word.eq_ignore_ascii_case("f") || word.to_ascii_lowercase().contains('f') {
                    return false;
                }
                continue;
            }
            if FORBIDDEN.contains(&word) {
                return false;
            }
            prev_dot_ident = start > 0 && b[start - 1] == b'.';
            prev_ident = Some(word);
            continue;
        }
        if c == b'(' {
            let ok = match prev_ident {
                None => true, // a tuple or grouping
                Some(w) if prev_dot_ident => SAFE_METHODS.contains(&w),
                Some(w) => {
                    matches!(w, "and" | "or" | "not" | "in" | "is" | "if" | "else")
                        || (setup_py && matches!(w, "setup" | "find_packages" | "dict"))
                }
            };
            if !ok {
                return false;
            }
        }
        if c == b'@' {
            return false;
        }
        if !c.is_ascii_whitespace() {
            prev_ident = None;
            if c != b'.' {
                prev_dot_ident = false;
            }
        }
        i += 1;
    }
    true
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const SCM8: &str = "# file generated by setuptools-scm\n# don't change, don't track in version control\n\n__all__ = [\"__version__\", \"__version_tuple__\", \"version\", \"version_tuple\"]\n\nTYPE_CHECKING = False\nif TYPE_CHECKING:\n    from typing import Tuple\n    from typing import Union\n\n    VERSION_TUPLE = Tuple[Union[int, str], ...]\nelse:\n    VERSION_TUPLE = object\n\nversion: str\n__version__: str\n__version_tuple__: VERSION_TUPLE\nversion_tuple: VERSION_TUPLE\n\n__version__ = version = '1.2.0'\n__version_tuple__ = version_tuple = (1, 2, 0)\n";

    const NUMPY_VERSION: &str = "\"\"\"\nModule to expose more detailed version info for the installed `numpy`\n\"\"\"\nversion = \"2.1.0\"\n__version__ = version\nfull_version = version\n\ngit_revision = \"2f7fe64b8b6d7591dd208942f1cc74473d5db4cb\"\nrelease = 'dev' not in version and '+' not in version\nshort_version = version.split(\"+\")[0]\n";

    const VERSIONEER: &str = "\n# This file was generated by 'versioneer.py' (0.29) from\n# revision-control system data, or from the parent directory name of an\n# unpacked source archive. Distribution tarballs contain a pre-generated copy\n# of this file.\n\nimport json\n\nversion_json = '''\n{\n \"date\": \"2024-01-01T00:00:00+0000\",\n \"dirty\": false,\n \"error\": null,\n \"full-revisionid\": \"abc\",\n \"version\": \"1.2.0\"\n}\n'''  # END VERSION_JSON\n\n\ndef get_versions():\n    return json.loads(version_json)\n";

    #[test]
    fn version_files_by_content() {
        assert!(matches!(version_file(SCM8.as_bytes()), Verdict::Allowed(_)));
        assert!(matches!(
            version_file(NUMPY_VERSION.as_bytes()),
            Verdict::Allowed(_)
        ));
        assert!(matches!(
            version_file(VERSIONEER.as_bytes()),
            Verdict::Allowed(_)
        ));
        let bad = [
            format!("{SCM8}import os\n"),
            format!("{SCM8}os.system('curl x | sh')\n"),
            format!("{SCM8}__import__('os').system('id')\n"),
            format!("{SCM8}x = exec(\"print(1)\")\n"),
            format!("{SCM8}x = (lambda: 1)()\n"),
            format!("{SCM8}x = f'{{__import__(\"os\")}}'\n"),
            format!("{SCM8}def f():\n    pass\n"),
            format!("{SCM8}x = version.encode('rot13')\n"),
            format!("{SCM8}x = ().__class__.__bases__[0].__subclasses__()\n"),
            VERSIONEER.replace("import json", "import json, os"),
            VERSIONEER.replace("\"version\"", "\"payload\""),
        ];
        for b in &bad {
            assert!(
                matches!(version_file(b.as_bytes()), Verdict::Suspicious(_)),
                "{b}"
            );
        }
    }

    #[test]
    fn templates() {
        let tpl = "version = \"@VERSION@\"\ngit = '@GIT@'\nrelease = @RELEASE@\n";
        assert!(check_template(
            tpl,
            "version = \"1.2\"\ngit = 'abc'\nrelease = True\n"
        ));
        assert!(!check_template(
            tpl,
            "version = \"1.2\"\ngit = 'abc'\nrelease = True\nimport os\n"
        ));
        assert!(!check_template(
            tpl,
            "version = \"1.2\nimport os\n\"\ngit = 'abc'\nrelease = True\n"
        ));
        assert!(template_match(
            "a $Format:%H$ b\n",
            "a 0123abc b\n",
            "$Format:",
            "$"
        ));
        assert!(!template_match(
            "a $Format:%H$ b\n",
            "a 0123abc c\n",
            "$Format:",
            "$"
        ));
    }

    #[test]
    fn setup_cfg_sections() {
        assert!(only_egg_info_section(
            "[egg_info]\ntag_build = \ntag_date = 0\n\n"
        ));
        assert!(!only_egg_info_section(
            "[egg_info]\ntag_build = \n[options]\nx=1\n"
        ));
    }

    #[test]
    fn shapes_never_panic_on_junk() {
        for junk in [
            "'''",
            "(((",
            ")))",
            "\"\\",
            "x = '",
            "a = b = = c",
            "\u{0}\u{ffff}",
            "x = [1, 2\n",
        ] {
            let _ = py_shape(junk, false);
            let _ = version_file(junk.as_bytes());
        }
    }
}
