//! Ignore rules: `.gitignore` patterns that hide build inputs, `.gitattributes` rules that drop
//! files from archives or hide diffs.

use super::kinds::HitKind;
use super::lines::Line;
use super::sink::Sink;
use super::text::*;

/// (strength, category) of a `.gitignore` pattern's last component when it matches build inputs.
pub(super) fn ignored_build_input(
    component: &str,
    dir_of_file: &str,
) -> Option<(&'static str, &'static str)> {
    let c = component;
    let lc = c.to_ascii_lowercase();
    let ext = lc.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    let glob_ext = lc
        .strip_prefix("*.")
        .is_some_and(|r| !r.contains(['*', '/']));
    // Whole build-input directories.
    if matches!(
        lc.as_str(),
        "m4" | "build-aux" | "autotools" | "cmake" | "config" | "_build_utils"
    ) {
        return Some(("strong", "build input directory"));
    }
    if (lc == "*" || lc == "/*")
        && matches!(
            dir_of_file.rsplit('/').next().unwrap_or(""),
            "m4" | "build-aux" | "cmake" | "autotools" | "config"
        )
    {
        return Some(("strong", "everything in a build input directory"));
    }
    let strong_names = [
        "configure",
        "configure.ac",
        "configure.in",
        "makefile.am",
        "makefile.in",
        "cmakelists.txt",
        "meson.build",
        "meson.options",
        "meson_options.txt",
        "setup.py",
        "setup.cfg",
        "pyproject.toml",
        "hatch_build.py",
        "manifest.in",
        "aclocal.m4",
        "acinclude.m4",
        "conftest.py",
        "sitecustomize.py",
        ".gitattributes",
    ];
    if strong_names.contains(&lc.as_str()) {
        return Some(("strong", "build configuration file"));
    }
    let strong_exts = [
        "m4", "am", "ac", "cmake", "sh", "bash", "pth", "pyxbld", "mk", "ps1", "bat",
    ];
    if strong_exts.contains(&ext) && (glob_ext || !lc.contains('*')) {
        return Some(("strong", "build macro or script type"));
    }
    if ext == "in" {
        return Some(("strong", "build template (*.in)"));
    }
    let weak_exts = [
        "py", "pyx", "pxd", "pxi", "c", "h", "cc", "cpp", "cxx", "hpp", "so", "dll", "dylib", "pyd",
    ];
    if weak_exts.contains(&ext) {
        let what = match ext {
            "so" | "dll" | "dylib" | "pyd" => {
                "shared library (build outputs are routinely ignored)"
            }
            "c" | "cc" | "cpp" | "cxx" | "h" | "hpp" => {
                "C source (Cython outputs are routinely ignored)"
            }
            _ => "Python/Cython source",
        };
        return Some(("weak", what));
    }
    None
}

pub(super) fn scan_gitignore_line(sink: &mut Sink, line: &Line<'_>, path: &str) {
    let t = lossy(trim(line.text));
    if t.is_empty() || t.starts_with('#') {
        return;
    }
    let negated = t.starts_with('!');
    let pat = t.trim_start_matches('!').trim_start_matches('/');
    let pat = pat.trim_end_matches('/');
    let last = pat.rsplit('/').next().unwrap_or(pat);
    let last = last.trim_start_matches("**/");
    let dir = path.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
    if let Some((strength, what)) = ignored_build_input(last, dir) {
        let neg = if negated { "negation, " } else { "" };
        sink.push(
            HitKind::IGNORE_HIDES_BUILD_INPUT,
            line,
            false,
            0,
            &format!("{strength}: {neg}'{}' matches {what}", cut(&t, 80)),
        );
    }
}

pub(super) const BUILTIN_DIFF_DRIVERS: &[&str] = &[
    "ada",
    "bash",
    "bibtex",
    "cpp",
    "csharp",
    "css",
    "dts",
    "elixir",
    "fortran",
    "fountain",
    "golang",
    "html",
    "java",
    "kotlin",
    "markdown",
    "matlab",
    "objc",
    "pascal",
    "perl",
    "php",
    "python",
    "ruby",
    "rust",
    "scheme",
    "tex",
    "c",
    "astextplain",
];

pub(super) fn is_source_pattern(pat: &str) -> bool {
    let lc = pat.to_ascii_lowercase();
    let last = lc.rsplit('/').next().unwrap_or(&lc);
    if matches!(last, "*" | "**") {
        return true;
    }
    let ext = last.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    matches!(
        ext,
        "py" | "pyx"
            | "pxd"
            | "pxi"
            | "pyi"
            | "c"
            | "h"
            | "cc"
            | "cpp"
            | "cxx"
            | "hpp"
            | "sh"
            | "m4"
            | "am"
            | "ac"
            | "in"
            | "cmake"
            | "build"
            | "toml"
            | "cfg"
            | "mk"
            | "s"
            | "asm"
            | "ps1"
            | "bat"
            | "yml"
            | "yaml"
            | "src"
            | "pth"
    ) || matches!(
        last,
        "configure" | "makefile" | "cmakelists.txt" | "meson.build" | "setup.py"
    )
}

pub(super) fn scan_gitattributes_line(sink: &mut Sink, line: &Line<'_>) {
    let t = lossy(trim(line.text));
    if t.is_empty() || t.starts_with('#') {
        return;
    }
    let mut parts = t.split_whitespace();
    let Some(pat) = parts.next() else { return };
    let source = is_source_pattern(pat);
    for attr in parts.take(32) {
        let d = if attr == "export-ignore" {
            Some(format!(
                "export-ignore on '{}' (left out of git archive tarballs)",
                cut(pat, 80)
            ))
        } else if !source {
            None
        } else if attr == "binary" || attr == "-diff" {
            Some(format!(
                "{attr} on source '{}' (diffs hidden)",
                cut(pat, 80)
            ))
        } else if let Some(drv) = attr.strip_prefix("diff=") {
            (!BUILTIN_DIFF_DRIVERS.contains(&drv)).then(|| {
                format!(
                    "custom diff driver '{}' on source '{}' (weak)",
                    cut(drv, 40),
                    cut(pat, 80)
                )
            })
        } else if attr == "linguist-generated" || attr == "linguist-generated=true" {
            Some(format!(
                "linguist-generated on source '{}' (collapsed in review)",
                cut(pat, 80)
            ))
        } else if attr == "linguist-vendored" || attr == "linguist-vendored=true" {
            Some(format!(
                "linguist-vendored on source '{}' (weak: statistics only)",
                cut(pat, 80)
            ))
        } else {
            None
        };
        if let Some(d) = d {
            sink.push(HitKind::EXPORT_IGNORE, line, false, 0, &d);
            return;
        }
    }
}
