//! C-level hooks: constructors, ifunc resolvers, init sections, symbol interposition, linker
//! audit interfaces, GOT/PLT references, executable mappings.

use super::kinds::HitKind;
use super::lines::Line;
use super::sink::Sink;
use super::text::*;
use memchr::memmem;

/// Comment lines, and preprocessor lines other than `#pragma`/`#define` (which can hold hooks).
pub(super) fn is_c_comment_line(t: &[u8]) -> bool {
    t.starts_with(b"//")
        || t.starts_with(b"/*")
        || t.starts_with(b"*")
        || (t.starts_with(b"#")
            && !t.starts_with(b"#pragma")
            && !t.starts_with(b"#define")
            && !t.starts_with(b"# define"))
}

/// The text of a GCC attribute list starting at `p` (`__attribute__((...))`), bounded.
pub(super) fn attribute_body(text: &[u8], p: usize) -> Vec<u8> {
    let s = tail(text, p);
    let mut depth = 0i32;
    let mut out = Vec::new();
    for &b in s.iter().take(400) {
        super::meter::step(1);
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

pub(super) fn scan_c_hooks(sink: &mut Sink, line: &Line<'_>, cython: bool) {
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
                sink.push(HitKind::C_HOOK, line, false, p, d);
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
            sink.push(HitKind::C_HOOK, line, false, p, d);
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
        sink.push(HitKind::C_HOOK, line, false, p, d);
        return;
    }
    if let Some(p) = word_positions(&lc, b"rtld_next").next() {
        sink.push(
            HitKind::C_HOOK,
            line,
            false,
            p,
            "RTLD_NEXT: symbol interposition",
        );
    }
}
