//! Python: strings and comments (a code view with string contents blanked), decode-then-execute,
//! dynamic execution, environment exfiltration, and processes and network at build or import time.

use super::kinds::HitKind;
use super::lines::{Line, lines};
use super::sink::Sink;
use super::text::*;
use crate::classify::PathClass;
use memchr::memmem;

/// Decode and execute markers this many lines apart still pair up.
const DECODE_EXEC_WINDOW: u32 = 4;

/// Lexical state at a line start: inside a triple-quoted string or not.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum PyState {
    Code,
    Triple(u8),
}

/// Scan one Python line from `state`; when `view` is given, fill it with the line where
/// string contents and comments are blanked to spaces (quotes kept). Returns the state at the
/// next line start.
pub(super) fn py_scan(line: &[u8], state: PyState, mut view: Option<&mut Vec<u8>>) -> PyState {
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
pub(super) struct PyCursor<'a> {
    pub(super) lines: Box<dyn Iterator<Item = (u32, &'a [u8])> + 'a>,
    pub(super) next_no: u32,
    pub(super) state: PyState,
}

impl<'a> PyCursor<'a> {
    pub(super) fn new(data: &'a [u8]) -> PyCursor<'a> {
        PyCursor {
            lines: Box::new(lines(data)),
            next_no: 1,
            state: PyState::Code,
        }
    }

    pub(super) fn state_at(&mut self, no: u32) -> PyState {
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

/// Positions of calls `name(` in a Python code view that refer to the builtin (not a method
/// or an identifier part): `exec(`, `builtins.exec(`, `__builtins__.exec(`; for
/// `import_module` also `importlib.import_module(`. Definitions (`def exec(`) are skipped.
pub(super) fn builtin_calls<'a>(
    view: &'a [u8],
    name: &'a [u8],
) -> impl Iterator<Item = (usize, usize)> + 'a {
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
pub(super) enum Arg {
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
    pub(super) fn label(&self) -> &'static str {
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
pub(super) fn classify_arg(view: &[u8], a: usize) -> Arg {
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
pub(super) fn literal_at(raw: &[u8], view: &[u8], a: usize) -> Option<String> {
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
pub(super) fn program_at(raw: &[u8], view: &[u8], a: usize) -> String {
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

pub(super) const DANGEROUS_MODULES: &[&str] = &[
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

pub(super) fn py_decode_marker(view: &[u8], raw: &[u8]) -> Option<&'static str> {
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

pub(super) fn py_exec_marker(view: &[u8]) -> Option<&'static str> {
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
pub(super) struct PyFlow {
    pub(super) decode: Option<(u32, &'static str)>,
    pub(super) exec: Option<(u32, &'static str)>,
    /// Last line dumping the environment, and last line with a network call.
    pub(super) env: Option<u32>,
    pub(super) net: Option<u32>,
}

/// The whole environment taken as data (not `os.environ.get("X")`).
pub(super) fn py_env_dump(view: &[u8]) -> bool {
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

pub(super) fn py_net_call(view: &[u8]) -> bool {
    NET_CALLS.iter().any(|c| contains(view, c.as_bytes()))
}

/// Environment variables sent over the network (the `ctx` package shape).
pub(super) fn scan_py_env_exfil(sink: &mut Sink, flow: &mut PyFlow, line: &Line<'_>, view: &[u8]) {
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
            HitKind::CREDENTIAL_ACCESS,
            line,
            false,
            0,
            "environment variables sent over the network",
        );
        flow.env = None;
        flow.net = None;
    }
}

pub(super) fn within(prev: Option<(u32, &'static str)>, no: u32) -> Option<&'static str> {
    prev.filter(|(l, _)| no.saturating_sub(*l) <= DECODE_EXEC_WINDOW)
        .map(|(_, n)| n)
}

pub(super) fn scan_py_decode_exec(
    sink: &mut Sink,
    flow: &mut PyFlow,
    line: &Line<'_>,
    view: &[u8],
) {
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
            HitKind::DECODE_EXEC,
            line,
            false,
            focus,
            &format!("{d} → {e}"),
        );
        flow.decode = None;
        flow.exec = None;
    }
}

pub(super) fn scan_py_dynamic(sink: &mut Sink, line: &Line<'_>, view: &[u8], class: PathClass) {
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
            sink.push(HitKind::DYNAMIC_EXEC, line, false, p, &detail);
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
                HitKind::DYNAMIC_EXEC,
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
                HitKind::DYNAMIC_EXEC,
                line,
                false,
                p,
                "code object constructed",
            );
            return;
        }
    }
}

pub(super) const PROC_CALLS: &[&str] = &[
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

pub(super) const NET_CALLS: &[&str] = &[
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

pub(super) const NET_PROGRAMS: &[&str] = &[
    "curl", "wget", "pip", "pip3", "nc", "ncat", "ssh", "scp", "ftp", "tftp",
];

pub(super) fn scan_py_process(sink: &mut Sink, line: &Line<'_>, view: &[u8]) {
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
                HitKind::NETWORK_AT_BUILD_OR_IMPORT,
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
            HitKind::NETWORK_AT_BUILD_OR_IMPORT
        } else {
            HitKind::BUILD_TIME_PROCESS
        };
        sink.push(kind, line, false, p, &format!("{name}: {prog}"));
        return;
    }
}

/// A Python line that is prose: a comment, a doctest, or inside a docstring.
pub(super) fn py_prose(cursor: &mut PyCursor<'_>, line: &Line<'_>) -> bool {
    let t = trim(line.text);
    t.starts_with(b"#") || t.starts_with(b">>>") || cursor.state_at(line.no) != PyState::Code
}
