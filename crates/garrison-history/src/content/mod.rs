//! Content signals in one text file change, for contribution-risk rules.
//!
//! [`scan_change`] looks at the lines a change adds (and, for the kinds where a removal is the
//! signal, the lines it removes) and reports [`ContentHit`]s: Unicode tricks (Trojan Source),
//! encoded payloads, decode-then-execute chains, dynamic code execution, processes and network
//! access from build-time or import-time code, C-level hooks, changed build feature probes and
//! hardening flags, sandbox changes, build hooks, ignore and attribute rules that hide build
//! inputs, weakened security policies, disabled tests, exfiltration endpoints and credential
//! stores. It does not score: rules weigh the hits, using [`ContentHit::detail`] (which names
//! the specific construct, e.g. the program a build script runs) and the file's
//! [`PathClass`].
//!
//! Hostile input is bounded: each file is read on at most its first [`MAX_FILE_BYTES`], each
//! line on its first [`MAX_LINE_BYTES`], at most [`MAX_HUNKS`] hunks are used, at most
//! [`MAX_HITS_PER_FILE`] hits come back (the most severe kinds first, one of each kind before a
//! second of any), excerpts are cut to [`MAX_EXCERPT_CHARS`] characters and every scan is linear
//! in the input (no regular expressions; one Aho-Corasick keyword pass per changed line decides
//! which detectors look further).
//!
//! Lines that only moved (the same trimmed text removed and added in the same file) are not
//! reported: re-indentation and reordering are routine.

mod chooks;
mod detector;
mod disabled_tests;
mod endpoints;
mod entropy;
mod hardening;
mod hooks;
mod ignore;
mod keywords;
mod kinds;
mod lines;
mod manifest;
mod meter;
mod plan;
mod policy;
mod probes;
mod python;
mod shell;
mod sink;
mod text;
mod unicode;

#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

pub use crate::Hunk;
use crate::classify::{Lang, PathClass};
pub use detector::{AddedLine, Detector, FileInfo};
pub use kinds::{HitKind, KindMeta};

use keywords::*;
use lines::{Line, mark_moved, select_lines, side_ranges};
use plan::{effective_lang, plan};
use sink::Sink;
use text::{head, trim};

use chooks::scan_c_hooks;
use disabled_tests::scan_test_disabled;
use endpoints::{scan_credentials, scan_endpoint};
use entropy::{Block, scan_entropy};
use hardening::{hardening_flags, report_hardening, sandbox_term};
use hooks::{scan_build_file_hooks, scan_pyproject_line, scan_setup_hooks, toml_sections};
use ignore::{scan_gitattributes_line, scan_gitignore_line};
use policy::scan_security_policy;
use probes::scan_probes;
use python::{
    PyCursor, PyFlow, py_prose, py_scan, scan_py_decode_exec, scan_py_dynamic, scan_py_env_exfil,
    scan_py_process,
};
use shell::{scan_build_network, shell_decode_exec};
use unicode::scan_unicode;

/// At most this many hits per file.
pub const MAX_HITS_PER_FILE: usize = 16;
/// Each line is examined on this prefix only (64 KiB).
pub const MAX_LINE_BYTES: usize = 64 * 1024;
/// Each file side is read on this prefix only (16 MiB, the miner's diff limit).
pub const MAX_FILE_BYTES: usize = 16 * 1024 * 1024;
/// At most this many hunks of a change are used.
pub const MAX_HUNKS: usize = garrison_git::MAX_HUNKS;
/// Excerpts are cut to this many characters (escapes count as their visible length).
pub const MAX_EXCERPT_CHARS: usize = 120;
/// Details are cut to this many characters.
const MAX_DETAIL_CHARS: usize = 200;
/// Feature-probe and section tracking read build files on this prefix only.
const MAX_STRUCTURE_BYTES: usize = 4 * 1024 * 1024;

/// One content signal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContentHit {
    /// What was found.
    pub kind: HitKind,
    /// 1-based line in the new file, or in the old file when `removed`.
    pub line: u32,
    /// The signal is a removed line (old side).
    pub removed: bool,
    /// The line, trimmed and cut to [`MAX_EXCERPT_CHARS`] characters around the finding, with
    /// control, bidi and zero-width characters written as `<U+XXXX>`.
    pub excerpt: String,
    /// The specific construct (e.g. `subprocess.check_output: git`, `weakened:
    /// -fno-stack-protector added`), for rules to weigh.
    pub detail: String,
}

/// Scan one text file change: the added lines (new-side hunk lines) and, where relevant, the
/// removed lines (old-side hunk lines). `old` is empty for an added file, `new` for a deleted
/// one; `hunks` are the changed regions (without context) in unified-diff numbering. Binary
/// files should not be passed (the scanner treats every byte as text).
pub fn scan_change(
    path: &str,
    class: PathClass,
    old: &[u8],
    new: &[u8],
    hunks: &[Hunk],
) -> Vec<ContentHit> {
    let new = head(new, MAX_FILE_BYTES);
    let old = head(old, MAX_FILE_BYTES);
    let lang = effective_lang(path, new, old);
    let p = plan(path, class, lang);
    let file = FileInfo {
        path,
        name: path.rsplit('/').next().unwrap_or(path),
        class,
        lang,
    };
    // Content-rule detectors that read this file, with their keyword group.
    let detectors: Vec<(u64, &dyn Detector)> = crate::registry::detectors()
        .enumerate()
        .filter(|(_, d)| d.applies(&file))
        .map(|(i, d)| (detector_group(i), d))
        .collect();
    let mut added = select_lines(new, &side_ranges(hunks, true));
    let mut removed = select_lines(old, &side_ranges(hunks, false));
    mark_moved(&mut added, &mut removed);
    let mut sink = Sink::new();

    let sections = if p.pyproject {
        let wanted: Vec<u32> = added.iter().map(|l| l.no).collect();
        toml_sections(new, &wanted)
    } else {
        Vec::new()
    };
    let mut cursor = PyCursor::new(new);
    let mut view: Vec<u8> = Vec::new();
    let mut flow = PyFlow::default();
    let mut block = Block::new();
    let mut prev: Option<&[u8]> = None;
    let mut harden: Vec<(String, bool, bool, Line<'_>, usize)> = Vec::new();

    for (idx, line) in added.iter().enumerate() {
        if line.moved {
            block.flush(&mut sink);
            prev = Some(line.text);
            continue;
        }
        let text = line.text;
        if !text.is_ascii() && p.bidi {
            scan_unicode(&mut sink, line, p.zero_width, p.zero_width, p.py);
        }
        if p.entropy {
            scan_entropy(&mut sink, line);
            block.feed(&mut sink, line, prev);
        }
        prev = Some(text);
        let g = triggers(text);
        if g == 0 {
            continue;
        }
        if p.py && g & (G_DECODE | G_EXEC | G_PROC | G_NET | G_HOOK | G_CRED) != 0 {
            let st = cursor.state_at(line.no);
            py_scan(text, st, Some(&mut view));
            if g & (G_DECODE | G_EXEC | G_NET) != 0 {
                scan_py_decode_exec(&mut sink, &mut flow, line, &view);
            }
            if g & (G_NET | G_CRED) != 0 {
                scan_py_env_exfil(&mut sink, &mut flow, line, &view);
            }
            if g & G_EXEC != 0 {
                scan_py_dynamic(&mut sink, line, &view, class);
            }
            if p.py_build_or_import && g & (G_PROC | G_NET) != 0 {
                scan_py_process(&mut sink, line, &view);
            }
            if p.setup_hooks && g & G_HOOK != 0 {
                scan_setup_hooks(&mut sink, line, &view);
            }
        }
        if p.shell_exec
            && g & G_SHELL != 0
            && let Some((fetch, d)) = shell_decode_exec(text)
            && (!fetch || p.fetch_exec)
        {
            sink.push(HitKind::DECODE_EXEC, line, false, 0, &d);
        }
        if p.build_net && g & G_NET != 0 {
            scan_build_network(&mut sink, line, lang);
        }
        if p.pth {
            let t = trim(text);
            if t.starts_with(b"import ") || t.starts_with(b"import\t") {
                sink.push(
                    HitKind::STARTUP_HOOK,
                    line,
                    false,
                    0,
                    "import line in .pth runs at every interpreter start",
                );
            }
        }
        if p.chook && g & G_CHOOK != 0 {
            scan_c_hooks(&mut sink, line, lang == Lang::Cython);
        }
        if p.hardening && g & G_HARDEN != 0 {
            for (f, weak, pos) in hardening_flags(text, lang) {
                harden.push((f, weak, false, *line, pos));
            }
        }
        if p.sandbox
            && g & G_SANDBOX != 0
            && let Some((pos, term)) = sandbox_term(text)
        {
            sink.push(
                HitKind::SANDBOX_CHANGED,
                line,
                false,
                pos,
                &format!("{term} added"),
            );
        }
        if g & G_HOOK != 0 {
            if p.pyproject {
                let sec = sections.get(idx).map_or("", String::as_str);
                scan_pyproject_line(&mut sink, line, sec);
            }
            if p.setup_cfg {
                let t = trim(text);
                if t.starts_with(b"cmdclass") {
                    sink.push(
                        HitKind::BUILD_HOOK_ADDED,
                        line,
                        false,
                        0,
                        "setup.cfg cmdclass",
                    );
                }
            }
            if p.build_hooks {
                scan_build_file_hooks(&mut sink, line, lang);
            }
        }
        if p.test_disabled && g & G_TESTDIS != 0 {
            scan_test_disabled(&mut sink, line, lang, class);
        }
        let wants_endpoint = p.endpoint && g & G_ENDPOINT != 0;
        let wants_creds = p.creds && g & G_CRED != 0;
        if (wants_endpoint || wants_creds) && !(p.py && py_prose(&mut cursor, line)) {
            if wants_endpoint {
                scan_endpoint(&mut sink, line);
            }
            if wants_creds {
                scan_credentials(&mut sink, line);
            }
        }
        let mut prose: Option<bool> = None;
        for (group, d) in &detectors {
            if g & group == 0 {
                continue;
            }
            let prose = *prose.get_or_insert_with(|| {
                let t = trim(text);
                t.starts_with(b"#")
                    || t.starts_with(b"//")
                    || t.starts_with(b";")
                    || (p.py && py_prose(&mut cursor, line))
            });
            let added = AddedLine {
                no: line.no,
                text,
                prose,
            };
            if let Some((focus, detail)) = d.added_line(&file, &added) {
                sink.push(d.kind(), line, false, focus, &detail);
            }
        }
    }
    block.flush(&mut sink);

    // Line rules without keywords.
    if p.gitignore || p.gitattributes {
        for line in added.iter().filter(|l| !l.moved) {
            if p.gitignore {
                scan_gitignore_line(&mut sink, line, path);
            } else {
                scan_gitattributes_line(&mut sink, line);
            }
        }
    }

    // Removed lines: sandboxing and hardening flags.
    if p.sandbox || p.hardening {
        for line in removed.iter().filter(|l| !l.moved) {
            let g = triggers(line.text);
            if p.sandbox
                && g & G_SANDBOX != 0
                && let Some((pos, term)) = sandbox_term(line.text)
            {
                sink.push(
                    HitKind::SANDBOX_CHANGED,
                    line,
                    true,
                    pos,
                    &format!("{term} removed"),
                );
            }
            if p.hardening && g & G_HARDEN != 0 {
                for (f, weak, pos) in hardening_flags(line.text, lang) {
                    harden.push((f, weak, true, *line, pos));
                }
            }
        }
    }
    report_hardening(&mut sink, &harden);

    if p.probes {
        scan_probes(&mut sink, lang, old, new, hunks, &added, &removed);
    }
    if p.policy {
        scan_security_policy(&mut sink, &added, &removed, old);
    }
    if let Some(kind) = p.manifest {
        manifest::scan_manifest(&mut sink, kind, file.name, old, new, &added, &removed);
    }
    if p.workflow {
        for line in added.iter().filter(|l| !l.moved) {
            if let Some((pos, what)) = manifest::workflow_privilege(line.text) {
                sink.push(HitKind::WORKFLOW_PRIVILEGED, line, false, pos, &what);
            }
        }
    }
    sink.finish()
}
