//! Build hooks: custom backends and tool hooks in pyproject.toml, setup.py command overrides,
//! meson/CMake/autoconf commands run at configure time.

use super::MAX_STRUCTURE_BYTES;
use super::kinds::HitKind;
use super::lines::{Line, lines};
use super::sink::Sink;
use super::text::*;
use crate::classify::Lang;

pub(super) const STANDARD_BACKENDS: &[&str] = &[
    "setuptools.build_meta",
    "setuptools.build_meta:__legacy__",
    "mesonpy",
    "hatchling.build",
    "flit_core.buildapi",
    "flit.buildapi",
    "poetry.core.masonry.api",
    "poetry.masonry.api",
    "pdm.backend",
    "pdm.pep517.api",
    "scikit_build_core.build",
    "maturin",
    "sipbuild.api",
    "enscons.api",
    "uv_build",
    "whey",
    "py_build_cmake.build",
    "pymsbuild",
    "trampolim",
];

/// `[section]` header at the start of each line of a TOML file (bounded), for the lines asked.
pub(super) fn toml_sections(data: &[u8], wanted: &[u32]) -> Vec<String> {
    let mut out = Vec::with_capacity(wanted.len());
    let mut current = String::new();
    let mut wi = 0usize;
    for (no, text) in lines(head(data, MAX_STRUCTURE_BYTES)) {
        if wi >= wanted.len() {
            break;
        }
        let t = trim(text);
        if t.starts_with(b"[") {
            let inner = t.trim_ascii_start();
            let end = inner.iter().position(|b| *b == b'#').unwrap_or(inner.len());
            super::meter::step(end);
            current = cut(
                lossy(trim(head(inner, end.min(256))))
                    .trim_matches(['[', ']'])
                    .trim(),
                120,
            );
        }
        while wanted.get(wi).is_some_and(|w| *w == no) {
            super::meter::step(current.len());
            out.push(current.clone());
            wi += 1;
        }
    }
    while out.len() < wanted.len() {
        out.push(current.clone());
    }
    out
}

pub(super) fn scan_pyproject_line(sink: &mut Sink, line: &Line<'_>, section: &str) {
    let t = trim(line.text);
    if t.starts_with(b"#") || t.is_empty() {
        return;
    }
    let s = lossy(t);
    let key = s.split('=').next().unwrap_or("").trim().trim_matches('"');
    let value = s
        .split_once('=')
        .map(|(_, v)| v.trim().trim_matches(['"', '\'']).to_string());
    let push = |sink: &mut Sink, d: &str| sink.push(HitKind::BUILD_HOOK_ADDED, line, false, 0, d);
    if s.starts_with('[') {
        let h = s.trim_matches(['[', ']']).trim();
        if h.starts_with("tool.hatch.build") && h.contains(".hooks.") {
            let name = h.rsplit('.').next().unwrap_or("");
            push(sink, &format!("hatch build hook '{name}'"));
        } else if h == "tool.setuptools.cmdclass" {
            push(sink, "setuptools cmdclass table");
        } else if h.starts_with("tool.scikit-build")
            && (h.contains("cmake.define") || h.contains("cmake.args"))
        {
            push(sink, "scikit-build CMake arguments table");
        } else if h == "tool.poetry.build" {
            push(sink, "poetry build script table");
        } else if h == "tool.pdm.build" {
            push(sink, "pdm build table (weak)");
        }
        return;
    }
    match (section, key) {
        ("build-system", "build-backend") => {
            let v = value.unwrap_or_default();
            if !STANDARD_BACKENDS.contains(&v.as_str()) {
                push(
                    sink,
                    &format!("non-standard build-backend '{}'", cut(&v, 60)),
                );
            }
        }
        ("build-system", "backend-path") => push(sink, "in-tree build backend (backend-path)"),
        ("build-system", "requires") => push(sink, "build requirements changed (weak)"),
        ("build-system", _) if s.starts_with('"') || s.starts_with('\'') => {
            push(sink, "build requirements changed (weak)");
        }
        ("tool.setuptools", "cmdclass") => push(sink, "setuptools cmdclass"),
        ("tool.poetry", "build") => push(sink, "poetry build script"),
        ("tool.poetry.build", "script") => push(sink, "poetry build script"),
        ("tool.pdm.build", "setup-script" | "run-setuptools") => push(sink, "pdm setup script"),
        (sec, k)
            if sec.starts_with("tool.scikit-build")
                && (k == "cmake.args"
                    || k == "cmake.define"
                    || k == "args"
                    || sec.ends_with("cmake.define")) =>
        {
            push(sink, "scikit-build CMake arguments");
        }
        (sec, _)
            if sec.starts_with("tool.hatch.build") && sec.contains(".hooks.") && key == "path" =>
        {
            push(sink, "hatch build hook path");
        }
        _ => {}
    }
}

pub(super) const COMMAND_BASES: &[&str] = &[
    "install",
    "develop",
    "egg_info",
    "build_py",
    "build_ext",
    "build",
    "sdist",
    "bdist_wheel",
    "bdist_egg",
    "install_lib",
    "install_scripts",
    "install_data",
    "build_clib",
    "build_scripts",
    "easy_install",
    "_install",
    "_develop",
    "_build_py",
    "_build_ext",
    "_sdist",
    "_bdist_wheel",
    "_egg_info",
];

pub(super) fn scan_setup_hooks(sink: &mut Sink, line: &Line<'_>, view: &[u8]) {
    if let Some(p) = find(view, b"cmdclass").or_else(|| find(line.text, b"'cmdclass'")) {
        sink.push(
            HitKind::BUILD_HOOK_ADDED,
            line,
            false,
            p,
            "setup cmdclass (weak)",
        );
        return;
    }
    let t = trim(view);
    if let Some(rest) = t.strip_prefix(b"class ") {
        let Some(open) = memchr::memchr(b'(', rest) else {
            return;
        };
        let close = memchr::memchr(b')', rest).unwrap_or(rest.len());
        let name = lossy(trim(head(rest, open)));
        let bases = lossy(rest.get(open + 1..close).unwrap_or(&[]));
        for b in bases.split(',') {
            let b = b.trim();
            let last = b.rsplit('.').next().unwrap_or(b);
            if COMMAND_BASES.contains(&last) {
                // Install-time commands run on every `pip install` of an sdist, the favourite
                // of setup.py malware; build steps are routine for C extensions.
                let when = if matches!(
                    last.trim_start_matches('_'),
                    "install"
                        | "develop"
                        | "egg_info"
                        | "easy_install"
                        | "install_lib"
                        | "install_scripts"
                        | "install_data"
                        | "bdist_egg"
                ) {
                    "install time"
                } else {
                    "build step"
                };
                sink.push(
                    HitKind::BUILD_HOOK_ADDED,
                    line,
                    false,
                    0,
                    &format!("setup command override {name}({b}) [{when}]"),
                );
                return;
            }
        }
    }
}

pub(super) fn scan_build_file_hooks(sink: &mut Sink, line: &Line<'_>, lang: Lang) {
    let lc = lower(line.text);
    let t = trim(&lc);
    if t.starts_with(b"#") || t.starts_with(b"dnl") {
        return;
    }
    match lang {
        Lang::Meson => {
            for p in word_positions(&lc, b"run_command") {
                let a = skip_spaces(&lc, p + b"run_command".len());
                if byte_at(&lc, a) != b'(' {
                    continue;
                }
                let rest = tail(line.text, a + 1);
                let arg = rest
                    .iter()
                    .position(|b| matches!(b, b',' | b')'))
                    .map_or(rest, |e| head(rest, e));
                let arg = lossy(trim(arg));
                let arg = arg.trim_matches(['\'', '"', '[', ']']).trim();
                // Running the build's own Python or an in-tree script is routine in meson.
                let weak = matches!(arg, "py" | "py3" | "python" | "python3" | "py_mod" | "")
                    || arg.ends_with(".py");
                sink.push(
                    HitKind::BUILD_HOOK_ADDED,
                    line,
                    false,
                    p,
                    &format!(
                        "meson run_command({}){}",
                        cut(arg, 60),
                        if weak { " (weak)" } else { "" }
                    ),
                );
                return;
            }
        }
        Lang::CMake => {
            if let Some(p) = find(&lc, b"execute_process") {
                let prog = find(&lc, b"command")
                    .map(|c| {
                        let rest = trim(tail(line.text, c + 7));
                        let w = rest
                            .split(|b| b.is_ascii_whitespace() || *b == b')')
                            .next()
                            .unwrap_or(&[]);
                        lossy(w).trim_matches('"').to_string()
                    })
                    .unwrap_or_default();
                let d = if prog.is_empty() {
                    "cmake execute_process (runs at configure time)".to_string()
                } else {
                    format!(
                        "cmake execute_process({}) (runs at configure time)",
                        cut(&prog, 60)
                    )
                };
                sink.push(HitKind::BUILD_HOOK_ADDED, line, false, p, &d);
            }
        }
        Lang::Autotools => {
            if let Some(p) = find(&lc, b"ac_config_commands") {
                sink.push(
                    HitKind::BUILD_HOOK_ADDED,
                    line,
                    false,
                    p,
                    "AC_CONFIG_COMMANDS (shell run by config.status)",
                );
            } else if let Some(p) = find(&lc, b"syscmd") {
                sink.push(
                    HitKind::BUILD_HOOK_ADDED,
                    line,
                    false,
                    p,
                    "m4 syscmd/esyscmd (shell run at autoreconf time)",
                );
            }
        }
        _ => {}
    }
}
