//! Shell: a decode or download piped into an interpreter, eval over decoding pipelines; and
//! network access from non-Python build code.

use super::kinds::HitKind;
use super::lines::Line;
use super::sink::Sink;
use super::text::*;
use crate::classify::Lang;

/// Split a (lower-cased) line into pipeline stages at single `|` (not `||`).
pub(super) fn stages(lc: &[u8]) -> Vec<&[u8]> {
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
pub(super) fn command_word(stage: &[u8]) -> &[u8] {
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

pub(super) fn shell_decoder(stage: &[u8]) -> Option<&'static str> {
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

pub(super) fn shell_executor(stage: &[u8]) -> Option<String> {
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

pub(super) fn shell_fetcher(stage: &[u8]) -> Option<&'static str> {
    if contains(stage, b"downloadstring") {
        return Some("downloadstring");
    }
    ["curl", "wget", "invoke-webrequest", "iwr"]
        .into_iter()
        .find(|w| has_word(stage, w.as_bytes()))
}

/// Decode/download-and-execute shapes on one line; returns (is a download, detail).
pub(super) fn shell_decode_exec(text: &[u8]) -> Option<(bool, String)> {
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

pub(super) fn scan_build_network(sink: &mut Sink, line: &Line<'_>, lang: Lang) {
    let lc = lower(line.text);
    for w in ["curl", "wget", "invoke-webrequest"] {
        if let Some(p) = word_positions(&lc, w.as_bytes()).next() {
            let host = url_host(line.text)
                .map(|h| format!(" {h}"))
                .unwrap_or_default();
            sink.push(
                HitKind::NETWORK_AT_BUILD_OR_IMPORT,
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
                sink.push(HitKind::NETWORK_AT_BUILD_OR_IMPORT, line, false, p, d);
                return;
            }
        }
    }
    if lang == Lang::WinScript
        && let Some(p) = find(&lc, b"downloadfile").or_else(|| find(&lc, b"downloadstring"))
    {
        sink.push(
            HitKind::NETWORK_AT_BUILD_OR_IMPORT,
            line,
            false,
            p,
            "PowerShell download in build script",
        );
    }
}
