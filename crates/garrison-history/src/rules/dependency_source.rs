use garrison_report::{RuleMeta, declare_rule};

use super::{CommitCx, Evidence, Signal, best_hit, is_test_path};
use crate::classify::{Lang, PathClass};
use crate::content::{AddedLine, ContentHit, Detector, FileInfo, HitKind, KindMeta};
use crate::FileChange;

declare_rule! {
    /// ## What it checks
    /// Added lines that make a dependency come from somewhere other than the package index:
    /// an extra or replacement index (`--extra-index-url`, `--index-url`, `extra-index-url =` in
    /// `pip.conf`/`[tool.uv]`, `PIP_EXTRA_INDEX_URL`, `UV_INDEX_URL`), an index whose TLS
    /// certificate is not checked (`--trusted-host`) or that is reached over plain HTTP, remote
    /// `--find-links` pages, and direct references (`pkg @ https://…`, `git+https://…`,
    /// `hg+`/`svn+`/`bzr+`, a bare URL to a wheel or sdist). It reads requirement and constraint
    /// files, `pyproject.toml`, `setup.py`, `setup.cfg`, `Pipfile`, `pip.conf`, `uv.toml`,
    /// `tox.ini`, `noxfile.py`, conda `environment.yml`, CI workflows, shell scripts, Makefiles
    /// and Dockerfiles; comments and documentation are not read, lock files neither (they follow
    /// the files that decide). The official index (`pypi.org`, `files.pythonhosted.org`) is not
    /// reported; well-known vendor and nightly indexes (`pypi.anaconda.org`,
    /// `download.pytorch.org`, `pypi.nvidia.com`) weigh little in CI (testing against nightly
    /// wheels) but as much as any extra index in what users install (requirements files,
    /// manifests, install scripts): PyTorch's own index was the extra index of the torchtriton
    /// attack; TestPyPI weighs most, since anyone can publish any name there.
    ///
    /// ## Why it matters
    /// pip treats every index alike and installs the highest version it finds, so an extra
    /// index lets whoever controls a name on any of them win (dependency confusion: PyTorch's
    /// nightly `torchtriton` was replaced this way in December 2022). A direct reference to a
    /// fork or an archive URL takes a dependency out of the index's view altogether, and a
    /// trusted host or plain HTTP lets anyone on the network path serve the package. One line in
    /// a requirements file or a workflow is enough, and it reads like routine maintenance.
    ///
    /// ## Example
    /// `--extra-index-url https://pypi.example-mirror.net/simple` added to `requirements.txt`, or
    /// `"numpy @ git+https://github.com/someone/numpy@fix"` in `[project] dependencies`.
    ///
    /// ## Remediation
    /// Ask who runs the index or repository and why the package index is not enough; prefer
    /// one index (pip's `--index-url` alone, or uv's `index-strategy = "first-index"` with
    /// explicit per-package indexes), pin versions with hashes, and never trust a host without
    /// TLS.
    pub DependencySourceChanged {
        id: "history/dependency-source-changed",
        summary: "a dependency now comes from outside the package index (extra index, trusted host, direct URL or VCS)",
        severity: Medium,
        help: "ask who controls the index or URL; keep one index, pin with hashes, never trust a host without TLS",
        references: [
            "Dependency confusion, PyTorch torchtriton (Dec 2022): https://pytorch.org/blog/compromised-nightly-dependency/",
            "pip --extra-index-url security note: https://pip.pypa.io/en/stable/cli/pip_install/#cmdoption-extra-index-url",
            "PEP 508 direct references: https://peps.python.org/pep-0508/",
        ],
    }
}

/// The kind of this rule's hits.
const KIND: KindMeta = KindMeta {
    name: "dependency-source",
    description: "dependency from outside the package index",
    cap_rank: 24,
};

/// See [`DependencySourceChanged`].
pub struct Rule;

impl Signal for Rule {
    fn meta(&self) -> &'static RuleMeta {
        &DependencySourceChanged::META
    }

    fn check(&self, cx: &CommitCx<'_>, out: &mut Vec<Evidence>) {
        let weigh = |f: &FileChange, h: &ContentHit| {
            if h.kind != HitKind::new(&KIND) || h.removed {
                return None;
            }
            let (w, kind) = weight(&h.detail);
            // A well-known index added as an *extra* index to what users install (requirements,
            // manifests, install scripts) is dependency confusion all the same: pip takes the
            // highest version of a name from any index, and names that exist only on the
            // vendor's index can be registered on PyPI (torchtriton, 2022). In CI, testing
            // against nightly wheels of names PyPI already has is routine.
            let (w, kind) = if kind == "known-index"
                && h.detail.contains("extra index")
                && !super::is_ci_file(&f.path)
            {
                (4.0, "extra-known-index")
            } else {
                (w, kind)
            };
            let w = if is_test_path(&f.path) { w / 2.0 } else { w };
            Some((w, kind))
        };
        if let Some(e) = best_hit(cx, &DependencySourceChanged::META, weigh) {
            out.push(e);
        }
    }

    fn detector(&self) -> Option<&dyn Detector> {
        Some(self)
    }
}

/// Weight and sub-kind of a hit, from the detail's first word.
fn weight(detail: &str) -> (f64, &'static str) {
    let word = detail.split(':').next().unwrap_or("");
    match word {
        "trusted host" | "plain HTTP index" | "TestPyPI" => (5.0, "insecure-index"),
        "extra index" | "index replaced" => (4.0, "extra-index"),
        "direct reference" | "find-links" => (3.0, "direct-url"),
        "index from a variable" => (1.5, "variable-index"),
        _ => (1.0, "known-index"),
    }
}

/// Hosts of the package index itself: never reported.
const OFFICIAL: &[&str] = &["pypi.org", "pypi.python.org", "files.pythonhosted.org"];
/// Well-known vendor and nightly indexes: reported, weighing little.
const KNOWN: &[&str] = &[
    "pypi.anaconda.org",
    "download.pytorch.org",
    "pypi.nvidia.com",
];

/// Options and settings that name an index, lowercased, with how they change the sources.
const INDEX_OPTIONS: &[(&str, &str)] = &[
    ("--extra-index-url", "extra index"),
    ("extra-index-url", "extra index"),
    ("extra_index_url", "extra index"),
    ("--index-url", "index replaced"),
    ("index-url", "index replaced"),
    ("index_url", "index replaced"),
    ("uv_index", "extra index"),
    ("--trusted-host", "trusted host"),
    ("trusted-host", "trusted host"),
    ("trusted_host", "trusted host"),
    ("--find-links", "find-links"),
    ("find-links", "find-links"),
    ("find_links", "find-links"),
];

/// Version control and URL schemes of PEP 508 / pip direct references.
const VCS: &[&str] = &["git+", "hg+", "svn+", "bzr+"];

impl Detector for Rule {
    fn kind(&self) -> HitKind {
        HitKind::new(&KIND)
    }

    fn applies(&self, file: &FileInfo<'_>) -> bool {
        if file
            .class
            .intersects(PathClass::DOCS | PathClass::GENERATED_OR_LOCK)
        {
            return false;
        }
        let name = file.name.to_ascii_lowercase();
        let requirements = (name.contains("requirements") || name.contains("constraints"))
            && (name.ends_with(".txt") || name.ends_with(".in") || name.ends_with(".pip"));
        let in_requirements_dir = file.path.split('/').any(|c| c == "requirements")
            && (name.ends_with(".txt") || name.ends_with(".in"));
        let manifest = matches!(
            name.as_str(),
            "pyproject.toml"
                | "setup.py"
                | "setup.cfg"
                | "pipfile"
                | "pip.conf"
                | "pip.ini"
                | "uv.toml"
                | "tox.ini"
                | "noxfile.py"
                | "environment.yml"
                | "environment.yaml"
                | "dockerfile"
        ) || name.starts_with("dockerfile.")
            || name.ends_with(".dockerfile");
        requirements
            || in_requirements_dir
            || manifest
            || file.class.contains(PathClass::CI)
            || matches!(file.lang, Lang::Shell | Lang::WinScript | Lang::Make)
    }

    fn keywords(&self) -> &'static [&'static str] {
        &[
            "index-url",
            "index_url",
            "uv_index",
            "trusted-host",
            "trusted_host",
            "find-links",
            "find_links",
            "git+",
            "hg+",
            "svn+",
            "bzr+",
            "@ http",
            "@http",
            "@ file:",
            ".whl",
            ".tar.gz",
        ]
    }

    fn added_line(&self, _: &FileInfo<'_>, line: &AddedLine<'_>) -> Option<(usize, String)> {
        if line.prose {
            return None;
        }
        let lc = line.text.to_ascii_lowercase();
        index_option(&lc).or_else(|| direct_reference(&lc))
    }
}

/// The first `scheme://host` at or after `from`: (offset, scheme, host).
fn url_at(lc: &[u8], from: usize) -> Option<(usize, &str, &str)> {
    url_and_path_at(lc, from).map(|(at, scheme, host, _)| (at, scheme, host))
}

/// [`url_at`] with the path after the host (up to a revision, fragment, quote or space).
fn url_and_path_at(lc: &[u8], from: usize) -> Option<(usize, &str, &str, &str)> {
    let rest = lc.get(from..)?;
    let sep = find(rest, b"://")?;
    let start = rest[..sep]
        .iter()
        .rposition(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.')))
        .map_or(0, |p| p + 1);
    let scheme = std::str::from_utf8(&rest[start..sep]).ok()?;
    let after = &rest[sep + 3..];
    let end = after
        .iter()
        .position(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'@')))
        .unwrap_or(after.len());
    let host = std::str::from_utf8(&after[..end]).ok()?;
    // `user:token@host:port` → host.
    let host = host.rsplit('@').next().unwrap_or(host);
    let host = host.split(':').next().unwrap_or(host);
    let tail = &after[end..];
    let path_end = tail
        .iter()
        .position(|b| b.is_ascii_whitespace() || b"\"'@#;,)]".contains(b))
        .unwrap_or(tail.len())
        .min(100);
    let path = std::str::from_utf8(&tail[..path_end]).unwrap_or("");
    Some((from + start, scheme, host, path))
}

fn ends_word(lc: &[u8], at: usize) -> bool {
    at.checked_sub(1)
        .and_then(|i| lc.get(i))
        .is_none_or(|b| !b.is_ascii_alphanumeric())
}

/// An index option or setting on the line.
fn index_option(lc: &[u8]) -> Option<(usize, String)> {
    for (opt, what) in INDEX_OPTIONS {
        let Some(p) = find(lc, opt.as_bytes()) else {
            continue;
        };
        if !ends_word(lc, p) && !opt.starts_with('-') {
            continue;
        }
        // `--no-index --find-links DIR`: a local directory.
        if *what == "find-links" && find(lc, b"--no-index").is_some() {
            return None;
        }
        let Some((at, scheme, host)) = url_at(lc, p + opt.len()) else {
            return match *what {
                "trusted host" => Some((p, "trusted host: a host whose TLS is not checked".into())),
                "find-links" => None,
                _ => Some((p, format!("index from a variable: {opt}"))),
            };
        };
        if *what == "trusted host" {
            return Some((p, format!("trusted host: {host} (TLS not checked)")));
        }
        if OFFICIAL.contains(&host) && scheme == "https" {
            return None;
        }
        if scheme == "http" {
            return Some((at, format!("plain HTTP index: {what} http://{host}")));
        }
        if host == "test.pypi.org" {
            return Some((at, "TestPyPI: anyone can publish any name there".into()));
        }
        if KNOWN.contains(&host) {
            return Some((at, format!("well-known index: {what} {host}")));
        }
        return Some((at, format!("{what}: {host}")));
    }
    None
}

/// A PEP 508 / pip direct reference: VCS URL, `name @ URL`, or a bare archive URL.
fn direct_reference(lc: &[u8]) -> Option<(usize, String)> {
    for vcs in VCS {
        if let Some(p) = find(lc, vcs.as_bytes())
            && ends_word(lc, p)
            && let Some((_, scheme, host, path)) = url_and_path_at(lc, p)
        {
            return Some((p, format!("direct reference: {scheme}://{host}{path}")));
        }
    }
    for at in [&b"@ "[..], b"@"] {
        let mut from = 0;
        while let Some(q) = lc.get(from..).and_then(|r| find(r, at)).map(|q| q + from) {
            let url = q + at.len();
            let rest = lc.get(url..).unwrap_or_default();
            if rest.starts_with(b"http://") || rest.starts_with(b"https://") {
                let (_, scheme, host, path) = url_and_path_at(lc, url)?;
                return Some((url, format!("direct reference: {scheme}://{host}{path}")));
            }
            if rest.starts_with(b"file:") {
                return Some((url, "direct reference: a local file".to_string()));
            }
            from = q + 1;
        }
    }
    // A requirement that is an archive URL (`https://host/pkg-1.0.tar.gz`, `pip install URL.whl`).
    let archive = find(lc, b".whl").or_else(|| find(lc, b".tar.gz"))?;
    let (at, scheme, host) = url_at(lc, 0)?;
    (at < archive && matches!(scheme, "http" | "https") && !OFFICIAL.contains(&host))
        .then(|| (at, format!("direct reference: archive from {host}")))
}

fn find(h: &[u8], n: &[u8]) -> Option<usize> {
    memchr::memmem::find(h, n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detail(line: &str) -> Option<String> {
        let lc = line.to_ascii_lowercase();
        index_option(lc.as_bytes())
            .or_else(|| direct_reference(lc.as_bytes()))
            .map(|(_, d)| d)
    }

    #[test]
    fn sources_and_their_weights() {
        let cases = [
            ("--extra-index-url https://user:tok@mirror.example.net:8443/simple", Some("extra index: mirror.example.net")),
            ("extra-index-url = https://mirror.example.net/simple", Some("extra index: mirror.example.net")),
            ("PIP_EXTRA_INDEX_URL: https://mirror.example.net/simple", Some("extra index: mirror.example.net")),
            ("--index-url https://pypi.org/simple", None),
            ("--index-url $PRIVATE_INDEX", Some("index from a variable: --index-url")),
            ("pip install --no-index --find-links $WHEELS pkg", None),
            ("--find-links https://wheels.example.net/", Some("find-links: wheels.example.net")),
            ("pkg @ https://example.net/pkg-1.0.tar.gz", Some("direct reference: https://example.net/pkg-1.0.tar.gz")),
            ("pkg@file:///tmp/pkg.whl", Some("direct reference: a local file")),
            ("-e git+ssh://git@github.com/org/repo.git#egg=repo", Some("direct reference: git+ssh://github.com/org/repo.git")),
            ("https://example.net/dl/pkg-1.0-py3-none-any.whl", Some("direct reference: archive from example.net")),
            ("https://files.pythonhosted.org/packages/pkg-1.0.tar.gz", None),
            ("uses: actions/checkout@v4", None),
            ("digit+https://x", None),
        ];
        for (line, want) in cases {
            assert_eq!(detail(line).as_deref(), want, "{line}");
        }
        assert_eq!(weight("trusted host: x (TLS not checked)"), (5.0, "insecure-index"));
        assert_eq!(weight("extra index: x"), (4.0, "extra-index"));
        assert_eq!(weight("direct reference: x"), (3.0, "direct-url"));
        assert_eq!(weight("well-known index: x"), (1.0, "known-index"));
    }

    #[test]
    fn hostile_lines_do_not_panic() {
        for line in [
            "://".repeat(1000),
            "@".repeat(5000),
            format!("--extra-index-url {}", "a".repeat(70_000)),
            "git+".to_string(),
            "x @ http".to_string(),
        ] {
            let _ = detail(&line);
        }
    }
}
