//! The keyword pre-filter: one Aho-Corasick pass per changed line decides which detector
//! groups look further.

use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};

pub(super) const G_DECODE: u64 = 1 << 0;
pub(super) const G_EXEC: u64 = 1 << 1;
pub(super) const G_SHELL: u64 = 1 << 2;
pub(super) const G_NET: u64 = 1 << 3;
pub(super) const G_PROC: u64 = 1 << 4;
pub(super) const G_CHOOK: u64 = 1 << 5;
pub(super) const G_HARDEN: u64 = 1 << 6;
pub(super) const G_SANDBOX: u64 = 1 << 7;
pub(super) const G_HOOK: u64 = 1 << 8;
pub(super) const G_TESTDIS: u64 = 1 << 9;
pub(super) const G_ENDPOINT: u64 = 1 << 10;
pub(super) const G_CRED: u64 = 1 << 11;

/// Keywords (ASCII case-insensitive) and the detector groups they wake up.
pub(super) const KEYWORDS: &[(&str, u64)] = &[
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

/// The group bit of the `i`-th registered content-rule detector
/// ([`crate::registry::detectors`]); the built-in groups use the low bits.
pub(super) fn detector_group(i: usize) -> u64 {
    1u64.checked_shl(u32::try_from(32 + i).unwrap_or(u32::MAX))
        .unwrap_or(0)
}

pub(super) struct Keywords {
    pub(super) ac: AhoCorasick,
    pub(super) groups: Vec<u64>,
}

/// The automaton over [`KEYWORDS`] and every registered detector's keywords.
pub(super) fn keywords() -> Option<&'static Keywords> {
    static KW: OnceLock<Option<Keywords>> = OnceLock::new();
    KW.get_or_init(|| {
        let mut all: Vec<(&str, u64)> = KEYWORDS.to_vec();
        for (i, d) in crate::registry::detectors().enumerate() {
            all.extend(d.keywords().iter().map(|k| (*k, detector_group(i))));
        }
        let ac = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .kind(Some(AhoCorasickKind::DFA))
            .build(all.iter().map(|(k, _)| k))
            .ok()?;
        Some(Keywords {
            ac,
            groups: all.iter().map(|(_, g)| *g).collect(),
        })
    })
    .as_ref()
}

/// Detector groups whose keywords occur in `text`.
pub(super) fn triggers(text: &[u8]) -> u64 {
    let Some(kw) = keywords() else {
        return u64::MAX;
    };
    super::meter::step(text.len());
    let mut g = 0u64;
    for m in kw.ac.find_overlapping_iter(text) {
        g |= kw.groups.get(m.pattern().as_usize()).copied().unwrap_or(0);
    }
    g
}
