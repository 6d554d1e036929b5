//! Which detectors apply to a file, from its path class and language.

use super::text::*;
use crate::classify::{Lang, PathClass, language};

pub(super) fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// The path's language, or the shebang's for extension-less scripts.
pub(super) fn effective_lang(path: &str, new: &[u8], old: &[u8]) -> Lang {
    let lang = language(path);
    if lang != Lang::Other {
        return lang;
    }
    let src = if new.is_empty() { old } else { new };
    if !src.starts_with(b"#!") {
        return lang;
    }
    let first = head(
        src,
        memchr::memchr(b'\n', src).unwrap_or(src.len()).min(200),
    );
    if contains(first, b"python") {
        Lang::Python
    } else if contains(first, b"sh") {
        Lang::Shell
    } else {
        lang
    }
}

/// Which detectors apply to a file.
pub(super) struct Plan {
    pub(super) bidi: bool,
    pub(super) zero_width: bool,
    pub(super) entropy: bool,
    pub(super) py: bool,
    pub(super) py_build_or_import: bool,
    pub(super) shell_exec: bool,
    pub(super) fetch_exec: bool,
    pub(super) build_net: bool,
    pub(super) pth: bool,
    pub(super) chook: bool,
    pub(super) hardening: bool,
    pub(super) sandbox: bool,
    pub(super) pyproject: bool,
    pub(super) setup_hooks: bool,
    pub(super) setup_cfg: bool,
    pub(super) build_hooks: bool,
    pub(super) gitignore: bool,
    pub(super) gitattributes: bool,
    pub(super) test_disabled: bool,
    pub(super) endpoint: bool,
    pub(super) creds: bool,
    pub(super) probes: bool,
    pub(super) policy: bool,
    pub(super) manifest: Option<super::manifest::Manifest>,
    pub(super) workflow: bool,
}

pub(super) fn plan(path: &str, class: PathClass, lang: Lang) -> Plan {
    let name = file_name(path);
    let lname = name.to_ascii_lowercase();
    let code = lang.is_code();
    let config = matches!(lang, Lang::Toml | Lang::Ini | Lang::Yaml);
    let py = lang.is_pythonish();
    let build = class.intersects(PathClass::BUILD_SYSTEM | PathClass::BUILD_TIME_CODE);
    let build_or_import = build || class.contains(PathClass::IMPORT_TIME);
    let is_pth = lname.ends_with(".pth");
    Plan {
        bidi: !(lname.ends_with(".po") || lname.ends_with(".pot")),
        zero_width: code || config || (lang == Lang::Other && !class.contains(PathClass::DOCS)),
        entropy: code && !class.contains(PathClass::GENERATED_OR_LOCK),
        py,
        py_build_or_import: py && build_or_import,
        shell_exec: code,
        fetch_exec: build_or_import
            || (py && !class.intersects(PathClass::CI | PathClass::TEST_PATH | PathClass::DOCS)),
        build_net: code && !py && lang != Lang::C && build,
        pth: is_pth && class.contains(PathClass::IMPORT_TIME),
        chook: matches!(lang, Lang::C | Lang::Cython),
        hardening: matches!(
            lang,
            Lang::CMake
                | Lang::Autotools
                | Lang::Make
                | Lang::Meson
                | Lang::Shell
                | Lang::WinScript
                | Lang::Toml
                | Lang::Ini
                | Lang::Yaml
                | Lang::C
        ) || (py && build),
        sandbox: code || config,
        pyproject: name == "pyproject.toml",
        setup_hooks: py && class.contains(PathClass::BUILD_TIME_CODE),
        setup_cfg: name == "setup.cfg",
        build_hooks: matches!(lang, Lang::Meson | Lang::CMake | Lang::Autotools),
        gitignore: name == ".gitignore",
        gitattributes: name == ".gitattributes",
        test_disabled: class
            .intersects(PathClass::CI | PathClass::BUILD_SYSTEM | PathClass::TEST_PATH)
            || matches!(lang, Lang::Shell | Lang::WinScript | Lang::Make),
        endpoint: (code || config || lang == Lang::Other)
            && !class.intersects(PathClass::IGNORE_RULES | PathClass::DOCS),
        creds: code,
        probes: matches!(lang, Lang::CMake | Lang::Autotools | Lang::Meson)
            || (lang == Lang::Python && build),
        policy: class.contains(PathClass::SECURITY_POLICY),
        manifest: if class.intersects(PathClass::DOCS | PathClass::GENERATED_OR_LOCK) {
            None
        } else {
            super::manifest::manifest_kind(path, name)
        },
        workflow: class.contains(PathClass::CI) && matches!(lang, Lang::Yaml),
    }
}
