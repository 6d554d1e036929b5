#!/usr/bin/env python3
"""Differential test: `garrison deps` against pip-audit on the lock and requirements files of
the corpus, both matching the same advisories (the PyPA advisory database).

pip-audit queries a loopback OSV API (bench/osv_server.py) serving the same YAML records, so
it never touches the network; it runs with `--no-deps --disable-pip` on requirements files and
with `--locked` on pylock files. Hits are compared as sets of (package, version, vulnerability),
where a vulnerability is the connected component of ids (PYSEC/GHSA/CVE) linked by the records'
`aliases`, so the same vulnerability under different ids compares equal.

Sections of the report:

1. corpus files pip-audit can read: per-file status and hits, and every difference;
2. corpus files pip-audit cannot read (uv.lock, pixi.lock, environment.yml, ...): garrison's hits;
3. "lock-derived pins": the (name, version) entries of those lock files written as pinned
   requirements files that pip-audit can read, so its matching engine sees the same packages
   (compared with garrison's hits on the lock file itself);
4. "advisory stress": a pin at every version mentioned by every advisory (events, listed
   versions, and neighbours), run through both tools — the matching engines on real records,
   including the awkward ones (non-PEP 440 events, local versions, out-of-order events).

Usage (from the repository root; needs python3 >= 3.11 for tomllib):

    bench/deps-differential.py --write            # builds garrison, creates a venv with pip-audit
    GARRISON_BIN=target/release/garrison PIP_AUDIT_VENV=/tmp/venv bench/deps-differential.py --write

Environment: GARRISON_BIN (else `cargo build --release -p garrison`), PIP_AUDIT_VENV (a venv
with pip-audit, pyyaml and packaging; else one is created in a temporary directory), CORPUS,
ADVISORIES.

When run outside a venv that has PyYAML and packaging, the script re-executes itself with the
venv's python.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CORPUS = Path(os.environ.get("CORPUS", ROOT.parent / "shared" / "data" / "repos"))
ADVISORIES = Path(
    os.environ.get("ADVISORIES", ROOT.parent / "shared" / "data" / "advisories" / "pypa-advisory-database")
)
RULE = "deps/known-vulnerability"

# Explanations of individual differences, filled in after investigating them.
# Key: (section, side, package, version, vulnerability id as printed) -> text.
EXPLANATIONS: dict[tuple[str, str, str, str, str], str] = {}
# Explanations per (package) or per advisory id when the same cause explains many rows.
LOCAL = ("local label (documented choice): garrison compares a version against an event or listed "
         "version without a local label with its own local label ignored, as PEP 440 specifiers do "
         "(`X+local1` is a build of `X`); the loopback server applies plain OSV/PEP 440 equality and "
         "ordering, where `X+local1` != `X` and `X+local1` > `X`. ")
EXPLAIN_BY_ID: dict[str, str] = {
    # Investigated 2026-11-25 by reading the YAML records.
    "PYSEC-2023-61": LOCAL + "django's `versions` list includes 3.2a1..3.2rc1 and 4.2a1..4.2rc1, "
                     "which its ranges (`introduced: 3.2` / `4.2`) exclude; garrison matches "
                     "`3.2b1+local1` to the listed `3.2b1`.",
    "PYSEC-2023-177": LOCAL + "gevent's list includes 23.9.0 and 23.9.0.post1 although the range says "
                      "`fixed: 23.9.0`; the list matches `23.9.0+local1` in garrison only.",
    "PYSEC-2024-1": LOCAL + "the listed version matched with its local label ignored.",
    "PYSEC-2022-42969": LOCAL + "py: `last_affected: 1.11.0`; `1.11.0+local1` is affected in garrison, "
                        "after the last affected version in plain ordering.",
    "PYSEC-2021-114": LOCAL + "wagtail lists 2.11.6, which its ranges mark fixed (`fixed: 2.11.6`).",
}
EXPLAIN_BY_PACKAGE: dict[str, str] = {}


# --- corpus ------------------------------------------------------------------------------------

def classify(path: Path) -> str | None:
    """The dependency-file kind of a corpus file, or None."""
    name = path.name
    parts = path.parts
    if name == "uv.lock":
        return "uv.lock"
    if name == "pixi.lock":
        return "pixi.lock"
    if name == "poetry.lock":
        return "poetry.lock"
    if name == "Pipfile.lock":
        return "Pipfile.lock"
    if name == "pdm.lock":
        return "pdm.lock"
    if name == "conda-lock.yml" or name.endswith(".conda-lock.yml"):
        return "conda-lock.yml"
    if re.fullmatch(r"pylock(\.[^.]+)*\.toml", name):
        return "pylock"
    if re.fullmatch(r"environment([-_.].*)?\.ya?ml", name):
        return "environment.yml"
    if name.endswith((".txt", ".in")) and (
        "requirements" in name or "constraints" in name
        or "requirements" in parts[:-1] or "constraints" in parts[:-1]
    ):
        return "requirements"
    return None


def corpus_files(corpus: Path) -> list[tuple[Path, str]]:
    out = []
    for p in sorted(corpus.rglob("*")):
        if p.is_file() and ".git" not in p.parts:
            k = classify(p.relative_to(corpus))
            if k:
                out.append((p, k))
    return out


PIP_AUDIT_READS = {"requirements", "pylock"}


# --- aliases -----------------------------------------------------------------------------------

class Aliases:
    """Union-find over advisory ids linked by `aliases` (records, then both tools' reports)."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        x = x.upper()
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, ids) -> None:
        ids = [i.upper() for i in ids if i]
        for i in ids[1:]:
            a, b = self.find(ids[0]), self.find(i)
            if a != b:
                # Prefer a PYSEC id, then GHSA, as the component's name.
                key = lambda s: (0 if s.startswith("PYSEC") else 1 if s.startswith("GHSA") else 2, s)
                lo, hi = sorted((a, b), key=key)
                self.parent[hi] = lo

    def load_records(self, root: Path) -> int:
        import yaml
        try:
            from yaml import CBaseLoader as Loader
        except ImportError:
            from yaml import BaseLoader as Loader
        n = 0
        for f in sorted((root / "vulns").glob("*/*.yaml")):
            rec = yaml.load(f.read_text(encoding="utf-8"), Loader=Loader)
            self.union([rec["id"], *(rec.get("aliases") or [])])
            n += 1
        return n


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def norm_version(v: str) -> str:
    from packaging.version import InvalidVersion, Version
    try:
        return str(Version(v))
    except InvalidVersion:
        return v.strip()


# --- the tools ---------------------------------------------------------------------------------

class Result:
    def __init__(self) -> None:
        self.status = "ok"       # ok | refused | error | unsupported
        self.message = ""
        self.deps = 0            # dependencies audited (pip-audit) / findings of other rules (garrison)
        self.skipped: list[str] = []
        self.hits: dict[tuple[str, str, str], str] = {}  # (pkg, version, component) -> id as reported
        self.other: dict[str, int] = defaultdict(int)
        self.seconds = 0.0


def run_pip_audit(pip_audit: str, osv_url: str, target: Path, kind: str, aliases: Aliases,
                  cache: Path) -> Result:
    r = Result()
    with tempfile.TemporaryDirectory() as td:
        if kind == "pylock":
            # `--locked` reads `pylock.*.toml` / `pylock.toml` of a project directory.
            shutil.copy(target, Path(td) / target.name)
            args = [td, "--locked"]
        else:
            args = ["-r", str(target), "--no-deps", "--disable-pip"]
        cmd = [pip_audit, *args, "-s", "osv", "--osv-url", osv_url, "-f", "json",
               "--progress-spinner", "off", "--cache-dir", str(cache), "--aliases", "on", "--desc", "off"]
        t0 = time.perf_counter()
        p = subprocess.run(cmd, capture_output=True, text=True)
        r.seconds = time.perf_counter() - t0
    try:
        doc = json.loads(p.stdout)
    except json.JSONDecodeError:
        err = [l for l in p.stderr.splitlines() if l.strip()]
        msg = err[-1] if err else f"exit {p.returncode}"
        r.status = "refused" if "not pinned" in msg else "error"
        r.message = re.sub(r" \(from RequirementLine.*", "", msg.replace("ERROR:pip_audit._cli:", ""))
        return r
    for dep in doc.get("dependencies", []):
        if "skip_reason" in dep:
            r.skipped.append(f"{dep['name']}: {dep['skip_reason']}")
            continue
        r.deps += 1
        for v in dep.get("vulns", []):
            ids = [v["id"], *v.get("aliases", [])]
            aliases.union(ids)
            r.hits[(normalize(dep["name"]), norm_version(dep["version"]), v["id"].upper())] = v["id"]
    return r


def run_garrison(garrison: str, db: Path, targets: list[Path], aliases: Aliases) -> Result:
    r = Result()
    cmd = [garrison, "deps", *map(str, targets), "--db", str(db), "-f", "json"]
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True)
    r.seconds = time.perf_counter() - t0
    try:
        doc = json.loads(p.stdout)
    except json.JSONDecodeError:
        r.status = "error"
        err = [l for l in p.stderr.splitlines() if l.strip()]
        r.message = err[-1] if err else f"exit {p.returncode}"
        return r
    for e in doc.get("errors", []):
        r.skipped.append(f"{e.get('path')}:{e.get('line', '')} {e.get('message')}")
    for f in doc.get("findings", []):
        if f.get("rule") != RULE:
            r.other[f.get("rule", "?")] += 1
            continue
        ev = f.get("evidence", {})
        ids = [ev.get("id", ""), *ev.get("aliases", [])]
        aliases.union(ids)
        key = (normalize(ev.get("package", "")), norm_version(str(ev.get("version", ""))), ev.get("id", "").upper())
        r.hits[key] = ev.get("id", "")
    return r


def components(hits: dict, aliases: Aliases) -> dict[tuple[str, str, str], str]:
    """Re-key hits by alias component (after every union is known)."""
    out = {}
    for (pkg, ver, vid), shown in hits.items():
        out[(pkg, ver, aliases.find(vid))] = shown
    return out


# --- derived inputs ----------------------------------------------------------------------------

def lock_pins(path: Path, kind: str) -> list[tuple[str, str]]:
    """(name, version) entries of a lock file, read independently of garrison."""
    pins = []
    if kind == "uv.lock":
        import tomllib
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
        for p in doc.get("package", []):
            src = p.get("source", {})
            if "version" in p and not ({"editable", "virtual", "directory"} & set(src)):
                pins.append((p["name"], p["version"]))
    elif kind == "pylock":
        import tomllib
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
        for p in doc.get("packages", []):
            if "version" in p:
                pins.append((p["name"], p["version"]))
    elif kind == "pixi.lock":
        import yaml
        try:
            from yaml import CSafeLoader as Loader
        except ImportError:
            from yaml import SafeLoader as Loader
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=Loader)
        for p in doc.get("packages", []):
            if "pypi" in p and "name" in p and "version" in p:
                pins.append((p["name"], str(p["version"])))
            elif "conda" in p:
                # pixi.lock v6+ conda entries: the version is in the file name
                # (`aiohttp-3.14.1-py310h31b6992_0.conda`) unless a `version` key is present.
                ver = p.get("version")
                if ver is None:
                    fname = str(p["conda"]).rsplit("/", 1)[-1]
                    fname = re.sub(r"\.(conda|tar\.bz2)$", "", fname)
                    parts = fname.rsplit("-", 2)
                    ver = parts[1] if len(parts) == 3 else None
                for purl in p.get("purls") or []:
                    m = re.match(r"pkg:pypi/([^@?#]+)", purl)
                    if m and ver is not None:
                        pins.append((m.group(1), str(ver)))
    return sorted(set(pins))


def write_layers(pins: list[tuple[str, str]], outdir: Path, stem: str) -> list[Path]:
    """Pinned requirements files, one name per file at most once (pip refuses duplicates)."""
    from packaging.version import InvalidVersion, Version
    layers: list[dict[str, str]] = []
    for name, ver in pins:
        try:
            Version(ver)
        except InvalidVersion:
            continue  # pip-audit cannot pin it; counted separately
        n = normalize(name)
        for layer in layers:
            if n not in layer:
                layer[n] = ver
                break
        else:
            layers.append({n: ver})
    files = []
    for i, layer in enumerate(layers):
        f = outdir / f"{stem}.{i}.txt"
        f.write_text("".join(f"{n}=={v}\n" for n, v in sorted(layer.items())))
        files.append(f)
    return files


def advisory_pins(root: Path) -> list[tuple[str, str]]:
    """Every version an advisory's events mention, plus neighbours (pre/post/dev/local), and
    from each `versions` list its first, last and every 10th entry, plus a local neighbour
    (all of them would be 35,000 pins and ~680,000 hits: minutes of JSON)."""
    import yaml
    from packaging.version import InvalidVersion, Version
    try:
        from yaml import CBaseLoader as Loader
    except ImportError:
        from yaml import BaseLoader as Loader
    pins = set()
    for f in sorted((root / "vulns").glob("*/*.yaml")):
        rec = yaml.load(f.read_text(encoding="utf-8"), Loader=Loader)
        for a in rec.get("affected") or []:
            name = a.get("package", {}).get("name")
            if not name:
                continue
            listed = list(a.get("versions") or [])
            sample = [v for i, v in enumerate(listed) if i % 10 == 0 or i == len(listed) - 1]
            vs = [(v, False) for v in sample]
            for rng in a.get("ranges") or []:
                for e in rng.get("events") or []:
                    vs.extend((x, True) for x in e.values())
            for v, event in vs:
                v = str(v).strip()
                if v in ("0", "*"):
                    continue
                try:
                    base = Version(v)
                except InvalidVersion:
                    continue
                pins.add((name, str(base)))
                if base.local is None:
                    pub = base.public
                    for suffix in (".post1", "rc1", ".dev0", "+local1") if event else ("+local1",):
                        try:
                            pins.add((name, str(Version(pub + suffix))))
                        except InvalidVersion:
                            pass
    return sorted(pins)


def stress_pip_audit(pins, osv_url: str, aliases: Aliases):
    """pip-audit's own OSV client (`OsvService.query`, the code its CLI runs per dependency),
    in-process: thousands of pins with several versions per name cannot go through
    requirements files (one version per name per file; ~0.6 s start-up per file)."""
    from packaging.version import Version
    from pip_audit._service.interface import ResolvedDependency
    from pip_audit._service.osv import OsvService

    svc = OsvService(cache_dir=None, timeout=30, osv_url=osv_url)
    hits, errors = {}, []
    t0 = time.perf_counter()
    for name, ver in pins:
        dep = ResolvedDependency(name=name, version=Version(ver))
        try:
            _, results = svc.query(dep)
        except Exception as e:  # noqa: BLE001 - a crash is a result here
            errors.append(f"pip-audit raised {type(e).__name__} on {name}=={ver}: {e}")
            continue
        for v in results:
            ids = sorted(v.aliases | {v.id}) if hasattr(v, "aliases") else [v.id]
            aliases.union([v.id, *ids])
            hits[(normalize(name), norm_version(ver), v.id.upper())] = v.id
    return hits, errors, time.perf_counter() - t0


# --- report ------------------------------------------------------------------------------------

def explain(section: str, side: str, pkg: str, ver: str, vid: str) -> str:
    return (EXPLANATIONS.get((section, side, pkg, ver, vid))
            or EXPLAIN_BY_ID.get(vid)
            or EXPLAIN_BY_PACKAGE.get(pkg)
            or "TODO: not yet investigated")


def diff_rows(section: str, label: str, g: dict, p: dict) -> list[str]:
    rows = []
    for key in sorted(set(g) - set(p)):
        pkg, ver, _ = key
        rows.append(f"| {label} | garrison only | {pkg} | {ver} | {g[key]} | {explain(section, 'garrison', pkg, ver, g[key])} |")
    for key in sorted(set(p) - set(g)):
        pkg, ver, _ = key
        rows.append(f"| {label} | pip-audit only | {pkg} | {ver} | {p[key]} | {explain(section, 'pip-audit', pkg, ver, p[key])} |")
    return rows


def ensure_python() -> None:
    try:
        import packaging  # noqa: F401
        import yaml  # noqa: F401
    except ImportError:
        venv = os.environ.get("PIP_AUDIT_VENV")
        if venv and Path(venv, "bin", "python").exists() and os.environ.get("_DIFF_REEXEC") != "1":
            os.environ["_DIFF_REEXEC"] = "1"
            os.execv(str(Path(venv, "bin", "python")), [str(Path(venv, "bin", "python")), *sys.argv])
        raise SystemExit("needs PyYAML and packaging: set PIP_AUDIT_VENV to a venv with pip-audit, or run from one")


def make_venv() -> Path:
    d = Path(tempfile.mkdtemp(prefix="garrison-pip-audit-"))
    subprocess.run([sys.executable, "-m", "venv", str(d)], check=True)
    subprocess.run([str(d / "bin" / "pip"), "install", "-q", "pip-audit", "pyyaml", "packaging"], check=True)
    return d


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write", action="store_true", help="write bench/deps-differential.md")
    ap.add_argument("--list-files", action="store_true", help="print the corpus files and their kind, then exit")
    ap.add_argument("--no-stress", action="store_true", help="skip the advisory stress section")
    args = ap.parse_args()

    if args.list_files:
        for p, k in corpus_files(CORPUS):
            print(f"{k}\t{p}")
        return 0

    if not os.environ.get("PIP_AUDIT_VENV"):
        os.environ["PIP_AUDIT_VENV"] = str(make_venv())
    venv = Path(os.environ["PIP_AUDIT_VENV"])
    ensure_python()
    pip_audit = str(venv / "bin" / "pip-audit")

    garrison = os.environ.get("GARRISON_BIN")
    if not garrison:
        subprocess.run(["cargo", "build", "--release", "-q", "-p", "garrison"], cwd=ROOT, check=True)
        target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
        garrison = str(target / "release" / "garrison")

    work = Path(tempfile.mkdtemp(prefix="garrison-deps-diff-"))
    db = work / "advisories.db"
    subprocess.run([garrison, "db", "import", str(ADVISORIES), "--db", str(db)], check=True,
                   capture_output=True)

    port_file = work / "port"
    server = subprocess.Popen([str(venv / "bin" / "python"), str(HERE / "osv_server.py"),
                               "--db", str(ADVISORIES), "--lifetime", "1800", "--port-file", str(port_file)],
                              stdout=subprocess.DEVNULL, stderr=open(work / "osv_server.log", "w"))
    try:
        for _ in range(300):
            if port_file.exists():
                break
            time.sleep(0.1)
        osv_url = f"http://127.0.0.1:{port_file.read_text().strip()}/v1/query"
        return run(args, garrison, pip_audit, osv_url, db, work)
    finally:
        server.terminate()
        server.wait(timeout=10)


def tool_versions(garrison: str, pip_audit: str) -> str:
    g = subprocess.run([garrison, "--version"], capture_output=True, text=True).stdout.strip()
    p = subprocess.run([pip_audit, "--version"], capture_output=True, text=True).stdout.strip()
    c = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                       text=True).stdout.strip()
    return f"{g} (commit `{c}`), {p}"


def run(args, garrison: str, pip_audit: str, osv_url: str, db: Path, work: Path) -> int:
    aliases = Aliases()
    nrec = aliases.load_records(ADVISORIES)
    cache = work / "pip-audit-cache"
    files = corpus_files(CORPUS)
    rel = lambda p: str(p.relative_to(CORPUS))

    readable = [(p, k) for p, k in files if k in PIP_AUDIT_READS]
    unreadable = [(p, k) for p, k in files if k not in PIP_AUDIT_READS]

    per_file = []
    for p, k in readable:
        pa = run_pip_audit(pip_audit, osv_url, p, k, aliases, cache)
        ga = run_garrison(garrison, db, [p], aliases)
        per_file.append((p, k, pa, ga))
        print(f"{rel(p)}: pip-audit {pa.status} {len(pa.hits)} hits, garrison {ga.status} {len(ga.hits)} hits",
              file=sys.stderr)

    # Refused requirements files: pip-audit on their pinned lines only.
    pinned_only = []
    pin_re = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*===?\s*([^\s;,<>=!~#]+)\s*(;[^#]*)?(#.*)?$")
    for p, k, pa, ga in per_file:
        if pa.status != "refused":
            continue
        lines = [l for l in p.read_text(encoding="utf-8").splitlines() if pin_re.match(l)]
        if not lines:
            pinned_only.append((p, 0, None, ga))
            continue
        f = work / "pinned" / rel(p).replace("/", "__")
        f.parent.mkdir(exist_ok=True)
        f.write_text("\n".join(lines) + "\n")
        pinned_only.append((p, len(lines), run_pip_audit(pip_audit, osv_url, f, "requirements", aliases, cache), ga))

    # Lock files pip-audit cannot read: garrison on the lock, pip-audit on its pins.
    lock_rows = []
    for p, k in unreadable:
        ga = run_garrison(garrison, db, [p], aliases)
        pins = lock_pins(p, k)
        pa_hits: dict = {}
        layers = write_layers(pins, work, rel(p).replace("/", "__")) if pins else []
        statuses = []
        for f in layers:
            r = run_pip_audit(pip_audit, osv_url, f, "requirements", aliases, cache)
            statuses.append(r.status if r.status == "ok" else f"{r.status}: {r.message}")
            pa_hits.update(r.hits)
        lock_rows.append((p, k, ga, pins, pa_hits, statuses))
        print(f"{rel(p)}: garrison {ga.status} {len(ga.hits)} hits; {len(pins)} pins -> pip-audit {len(pa_hits)}",
              file=sys.stderr)

    stress = None
    if not args.no_stress:
        pins = advisory_pins(ADVISORIES)
        sdir = work / "stress"
        sdir.mkdir()
        layers = write_layers(pins, sdir, "advisory-pins")
        pa_hits, errors, pa_seconds = stress_pip_audit(pins, osv_url, aliases)
        ga = run_garrison(garrison, db, layers, aliases)
        g_hits = ga.hits
        stress = (len(pins), len(layers), pa_hits, g_hits, errors, ga, pa_seconds)
        print(f"stress: {len(pins)} pins in {len(layers)} files: pip-audit {len(pa_hits)} garrison {len(g_hits)}",
              file=sys.stderr)

    # ---- report (components computed after every union) ----
    out = []
    w = out.append
    w("# garrison deps vs pip-audit: differential on the corpus\n")
    w("Generated by `bench/deps-differential.py --write`; the explanation column was filled in by "
      "hand after investigating each difference (the `EXPLANATIONS` tables at the top of the script).\n")
    w(f"- Tools: {tool_versions(garrison, pip_audit)}; pip-audit `-s osv --osv-url` pointed at "
      f"`bench/osv_server.py` (loopback, same {nrec} PyPA records).")
    w(f"- Corpus: {len(files)} dependency files under `shared/data/repos` "
      f"({len(readable)} that pip-audit reads, {len(unreadable)} it does not).")
    w("- A hit is (normalized package, normalized version, vulnerability); ids linked by `aliases` "
      "(PYSEC/GHSA/CVE) are one vulnerability. Only garrison's `deps/known-vulnerability` findings count.\n")

    w("## 1. Files pip-audit reads\n")
    w("| file | kind | pip-audit | deps audited | pip-audit hits | garrison hits | equal |")
    w("|---|---|---|---:|---:|---:|---|")
    diffs = []
    tot_equal = 0
    for p, k, pa, ga in per_file:
        pc, gc = components(pa.hits, aliases), components(ga.hits, aliases)
        status = pa.status if pa.status == "ok" else f"{pa.status}: {pa.message}"
        if pa.status == "ok":
            eq = "yes" if pc == gc else "**no**"
            tot_equal += pc == gc
            diffs += diff_rows("files", rel(p), gc, pc)
        else:
            eq = "n/a"
        gstat = len(gc) if ga.status == "ok" else f"error: {ga.message}"
        w(f"| `{rel(p)}` | {k} | {status} | {pa.deps} | {len(pc)} | {gstat} | {eq} |")
    w("")
    w(f"Files pip-audit audited: {sum(1 for *_, pa, _ in per_file if pa.status == 'ok')}, "
      f"with equal hit sets: {tot_equal}.\n")

    if pinned_only:
        w("### Refused files, pinned lines only\n")
        w("pip-audit `--no-deps` refuses a whole file when one line is not pinned. Here it runs on a "
          "copy holding only the file's `name==version` lines, compared with garrison's hits on the "
          "original file (garrison reports pinned entries and skips ranges in this rule).\n")
        w("| file | pinned lines | pip-audit hits (pinned copy) | garrison hits (original) | equal |")
        w("|---|---:|---:|---:|---|")
        for p, n, pa, ga in pinned_only:
            gc = components(ga.hits, aliases)
            if pa is None:
                w(f"| `{rel(p)}` | 0 | - | {len(gc)} | {'yes' if not gc else '**no**'} |")
                if gc:
                    diffs += diff_rows("pinned", rel(p), gc, {})
                continue
            pc = components(pa.hits, aliases)
            w(f"| `{rel(p)}` | {n} | {len(pc) if pa.status == 'ok' else pa.status + ': ' + pa.message} | {len(gc)} | {'yes' if pc == gc else '**no**'} |")
            diffs += diff_rows("pinned", rel(p), gc, pc)
        w("")

    w("## 2. Files pip-audit does not read\n")
    w("pip-audit 2.x reads requirements files, `pyproject.toml` (resolving with pip) and "
      "`pylock*.toml` (`--locked`); it does not read `uv.lock`, `pixi.lock`, conda "
      "`environment.yml`, `poetry.lock`, `Pipfile.lock` or `pdm.lock`. Garrison's hits on those "
      "files, and pip-audit's on the same (name, version) pins written as requirements files "
      "(pins read independently: `tomllib` / PyYAML; pixi conda entries through their "
      "`pkg:pypi` purls; non-PEP 440 versions left out):\n")
    w("| file | kind | garrison hits | other garrison findings | pins | pip-audit hits (pins) | equal |")
    w("|---|---|---:|---|---:|---:|---|")
    for p, k, ga, pins, pa_hits, statuses in lock_rows:
        gc, pc = components(ga.hits, aliases), components(pa_hits, aliases)
        other = ", ".join(f"{r}: {n}" for r, n in sorted(ga.other.items())) or "-"
        gstat = len(gc) if ga.status == "ok" else f"error: {ga.message}"
        bad = [s for s in statuses if s != "ok"]
        pstat = f"{len(pc)}" + (f" ({'; '.join(bad)})" if bad else "")
        eq = "n/a" if not pins else ("yes" if gc == pc else "**no**")
        w(f"| `{rel(p)}` | {k} | {gstat} | {other} | {len(pins)} | {pstat} | {eq} |")
        if pins:
            diffs += diff_rows("locks", rel(p), gc, pc)
    w("")

    if stress:
        npins, nlayers, pa_hits, g_hits, errors, ga, pa_seconds = stress
        gc, pc = components(g_hits, aliases), components(pa_hits, aliases)
        w("## 3. Advisory stress\n")
        w(f"Every version named by an advisory's range events with its `.post1`, `rc1`, `.dev0` "
          f"and `+local1` neighbours, and from each `versions` list the first, last and every "
          f"10th version with its `+local1` neighbour: {npins} pins. Garrison reads them as "
          f"{nlayers} pinned requirements files (one version per name per file) in one invocation "
          f"({ga.seconds:.2f} s); pip-audit's OSV client (`OsvService.query`, what its CLI runs per "
          f"dependency) is called in-process for each pin ({pa_seconds:.1f} s).\n")
        w(f"- pip-audit hits: {len(pc)}; garrison hits: {len(gc)}; common: {len(set(pc) & set(gc))}; "
          f"garrison only: {len(set(gc) - set(pc))}; pip-audit only: {len(set(pc) - set(gc))}.")
        for e in errors:
            w(f"- {e}")
        w("")
        sd = diff_rows("stress", "stress", gc, pc)
        by_reason: dict[str, list[str]] = defaultdict(list)
        for row in sd:
            cells = [c.strip() for c in row.strip("|").split("|")]
            by_reason[(cells[1], cells[5])].append(f"{cells[2]} {cells[3]} {cells[4]}")
        if by_reason:
            w("| side | explanation | count | examples |")
            w("|---|---|---:|---|")
            for (side, why), items in sorted(by_reason.items(), key=lambda kv: -len(kv[1])):
                w(f"| {side} | {why} | {len(items)} | {'; '.join(items[:4])} |")
            w("")

    w("## Differences (corpus sections)\n")
    if diffs:
        w("| file | side | package | version | advisory | explanation |")
        w("|---|---|---|---|---|---|")
        out.extend(diffs)
    else:
        w("None: every compared hit set is equal.")
    w("")

    text = "\n".join(out) + "\n"
    if args.write:
        (HERE / "deps-differential.md").write_text(text)
        dump = {
            "stress": None if not stress else {
                "garrison_only": sorted(map(list, set(components(stress[3], aliases)) - set(components(stress[2], aliases)))),
                "pip_audit_only": sorted(map(list, set(components(stress[2], aliases)) - set(components(stress[3], aliases)))),
            }
        }
        (work / "differences.json").write_text(json.dumps(dump, indent=1))
        print(f"wrote bench/deps-differential.md; raw differences in {work}/differences.json", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
