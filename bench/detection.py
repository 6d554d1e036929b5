#!/usr/bin/env python3
"""Detection bench: recall, precision and severities on a labelled set of incident shapes.

Every case is a directory `bench/detection/cases/<case>/` with a `case.toml` label and one
input:

- `repo/`: the files of a checkout (workflows, pyproject.toml, SECURITY.md, ...). The script
  copies it into a temporary directory, makes it a git repository with one commit and runs
  `garrison scan --format json --isolated --history-window off` on it.
- `repo/` with `wheel/` and/or `sdist/` (family `release`): the files of a wheel (with one
  `*.dist-info/METADATA`; RECORD is written here) and of an sdist (with `PKG-INFO`), packed at
  run time; the source is `repo/` made a git repository tagged `v<version>`, and the run is
  `garrison release verify DISTS --source REPO --format json`.
- `history.commits`: a commit script (the language of `garrison_test::git`, see
  crates/garrison-test/src/git.rs). The script builds it with real `git` into a temporary
  directory and runs `garrison history --format json --no-cache --min-severity info` on it.

`case.toml` keys (anything else is an error):

    incident = "tj-actions/changed-files (March 2025)"   # what the case reproduces
    reference = "https://..."                             # a public write-up of it
    family = "workflow"        # workflow | history | posture | deps | release: the family under test
    shape = "..."              # one line: the shape reproduced (or, for benign, what it resembles)
    benign = true              # a look-alike: no finding of the family at >= medium may fire
    # a positive case has one or more expectations, all of which must hold:
    [[expect]]
    rule = "workflow/unpinned-uses"
    min_severity = "medium"    # critical | high | medium | low | info
    commit = "backdoor"        # history only, optional: the finding must be about this labelled commit

A positive case is detected (true positive) when every expectation holds: a finding of the rule
at or above `min_severity` (for history, the rule may also be one of the commit's contributing
evidence; the severity is the commit's). Otherwise it is a false negative. A benign case is a
false positive when any finding of its family fires at medium or above. Per family:
recall = TP / (TP + FN), precision = TP / (TP + FP).

Usage:
    bench/detection.py [--write] [--release] [--case NAME ...] [--keep DIR]

Environment:
    GARRISON_BIN  garrison binary (default: `cargo build -p garrison --locked`, debug profile, or
                  release with --release)

Standard library only. With --write the Markdown goes to bench/detection.md, otherwise to
standard output. A malformed case.toml or commit script stops the run with exit code 2 and a
message naming the file.
"""

from __future__ import annotations

import argparse
import calendar
import datetime
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CASES = HERE / "detection" / "cases"

SEVERITIES = ["info", "low", "medium", "high", "critical"]
FAMILIES = ["workflow", "history", "posture", "deps", "release"]
RANK = {s: i for i, s in enumerate(SEVERITIES)}
BENIGN_THRESHOLD = "medium"


class CaseError(Exception):
    """A malformed case: the message names the file."""


# --------------------------------------------------------------------------------------------
# Labels


@dataclass
class Expect:
    rule: str
    min_severity: str
    commit: str | None = None


@dataclass
class Case:
    name: str
    dir: Path
    incident: str
    reference: str
    family: str
    shape: str
    benign: bool
    expect: list[Expect]
    input: Path  # repo/ or history.commits


def load_case(d: Path) -> Case:
    path = d / "case.toml"
    where = path.relative_to(ROOT)
    if not path.is_file():
        raise CaseError(f"{where}: missing (every case directory needs a case.toml)")
    try:
        t = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise CaseError(f"{where}: not valid TOML: {e}") from None
    known = {"incident", "reference", "family", "shape", "benign", "expect"}
    unknown = sorted(set(t) - known)
    if unknown:
        raise CaseError(f"{where}: unknown key(s) {', '.join(unknown)} (known: {', '.join(sorted(known))})")

    def text(key: str) -> str:
        v = t.get(key)
        if not isinstance(v, str) or not v.strip():
            raise CaseError(f"{where}: `{key}` must be a non-empty string")
        return v.strip()

    incident, reference, family, shape = text("incident"), text("reference"), text("family"), text("shape")
    if not reference.startswith(("https://", "http://")):
        raise CaseError(f"{where}: `reference` must be a URL, got {reference!r}")
    if family not in FAMILIES:
        raise CaseError(f"{where}: `family` must be one of {', '.join(FAMILIES)}, got {family!r}")
    benign = t.get("benign", False)
    if not isinstance(benign, bool):
        raise CaseError(f"{where}: `benign` must be true or false")
    raw = t.get("expect", [])
    if not isinstance(raw, list) or not all(isinstance(e, dict) for e in raw):
        raise CaseError(f"{where}: `expect` must be an array of tables ([[expect]])")
    if benign and raw:
        raise CaseError(f"{where}: a benign case has no [[expect]] (it must stay quiet)")
    if not benign and not raw:
        raise CaseError(f"{where}: a positive case needs at least one [[expect]] (or `benign = true`)")
    expect = []
    for i, e in enumerate(raw, 1):
        bad = sorted(set(e) - {"rule", "min_severity", "commit"})
        if bad:
            raise CaseError(f"{where}: expect #{i}: unknown key(s) {', '.join(bad)}")
        rule, sev, commit = e.get("rule"), e.get("min_severity"), e.get("commit")
        if not isinstance(rule, str) or not re.fullmatch(r"[a-z]+/[a-z0-9-]+", rule):
            raise CaseError(f"{where}: expect #{i}: `rule` must be a rule id like `workflow/template-injection`, got {rule!r}")
        if sev not in RANK:
            raise CaseError(f"{where}: expect #{i}: `min_severity` must be one of {', '.join(SEVERITIES)}, got {sev!r}")
        if commit is not None and (not isinstance(commit, str) or family != "history"):
            raise CaseError(f"{where}: expect #{i}: `commit` is a commit label of a history case")
        expect.append(Expect(rule, sev, commit))
    repo, script = d / "repo", d / "history.commits"
    if repo.is_dir() == script.is_file():
        raise CaseError(f"{d.relative_to(ROOT)}: needs exactly one input, a repo/ directory or a history.commits script")
    if (family == "history") != script.is_file():
        raise CaseError(f"{d.relative_to(ROOT)}: history cases use history.commits, other families repo/")
    dists = [x for x in ("wheel", "sdist") if (d / x).is_dir()]
    if (family == "release") != bool(dists):
        raise CaseError(f"{d.relative_to(ROOT)}: release cases (and only they) have a wheel/ or sdist/ directory next to repo/")
    return Case(d.name, d, incident, reference, family, shape, benign, expect, script if script.is_file() else repo)


def load_cases(only: list[str]) -> list[Case]:
    if not CASES.is_dir():
        raise CaseError(f"{CASES.relative_to(ROOT)}: no case directory")
    dirs = sorted(p for p in CASES.iterdir() if p.is_dir())
    if only:
        missing = sorted(set(only) - {d.name for d in dirs})
        if missing:
            raise CaseError(f"no such case(s): {', '.join(missing)}")
        dirs = [d for d in dirs if d.name in only]
    return [load_case(d) for d in dirs]


# --------------------------------------------------------------------------------------------
# Commit scripts (the language of crates/garrison-test/src/git.rs)

DAY = 86_400


def _git(repo: Path, args: list[str], env: dict[str, str] | None = None, stdin: bytes | None = None) -> str:
    e = {
        **os.environ,
        "GIT_CONFIG_GLOBAL": "/dev/null",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Placeholder",
        "GIT_AUTHOR_EMAIL": "placeholder@example.invalid",
        "GIT_COMMITTER_NAME": "Placeholder",
        "GIT_COMMITTER_EMAIL": "placeholder@example.invalid",
        "GIT_AUTHOR_DATE": "1500000000 +0000",
        "GIT_COMMITTER_DATE": "1500000000 +0000",
    }
    e.update(env or {})
    p = subprocess.run(
        ["git", "-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false", "-c", "core.autocrlf=false", *args],
        cwd=repo, env=e, input=stdin or b"", capture_output=True,
    )
    if p.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)}: {p.stderr.decode(errors='replace').strip()}")
    return p.stdout.decode(errors="replace")


def blob(n: int, seed: int) -> bytes:
    """garrison_test::git::blob: xz magic then xorshift bytes."""
    v = bytearray(b"\xfd7zXZ\x00\x00")
    x = (seed * 2_654_435_761 + 12_345) & 0xFFFFFFFF
    while len(v) < n:
        x ^= (x << 13) & 0xFFFFFFFF
        x ^= x >> 17
        x ^= (x << 5) & 0xFFFFFFFF
        v.append((x >> 11) & 0xFF)
    return bytes(v[:n])


def gen_text(n: int, seed: int) -> str:
    return "".join(f"line {i} of version {seed}\n" for i in range(n))


def duration(s: str) -> int:
    m = re.fullmatch(r"(\d+)([hdw])", s)
    if not m:
        raise ValueError(f"`{s}`: expected a duration such as 3d, 12h or 2w")
    return int(m[1]) * {"h": 3600, "d": DAY, "w": 7 * DAY}[m[2]]


def offset_minutes(s: str) -> int | None:
    if s == "Z":
        return 0
    m = re.fullmatch(r"([+-])(\d\d):?(\d\d)", s)
    if not m:
        return None
    return (1 if m[1] == "+" else -1) * (int(m[2]) * 60 + int(m[3]))


def parse_date(s: str, cur: tuple[int, int]) -> tuple[int, int]:
    s = s.strip()
    bad = ValueError(f"`{s}`: expected YYYY-MM-DD[THH:MM[:SS]](Z|+HH:MM), @UNIX +HHMM, or +DURATION")
    if s.startswith("+"):
        return (cur[0] + duration(s[1:]), cur[1])
    if s.startswith("@"):
        t, _, off = s[1:].partition(" ")
        o = offset_minutes(off.strip() or "+0000")
        if not t.lstrip("-").isdigit() or o is None:
            raise bad
        return (int(t), o)
    date, _, clock = s.partition("T")
    clock = clock or "00:00Z"
    m = re.fullmatch(r"(\d+)-(\d+)-(\d+)", date)
    c = re.fullmatch(r"(\d+):(\d+)(?::(\d+))?(Z|[+-].*)", clock)
    if not m or not c:
        raise bad
    y, mo, d = int(m[1]), int(m[2]), int(m[3])
    o = offset_minutes(c[4])
    if not (1 <= mo <= 12 and 1 <= d <= 31) or o is None:
        raise bad
    local = calendar.timegm((y, mo, d, int(c[1]), int(c[2]), int(c[3] or 0)))
    return (local - o * 60, o)


def git_date(w: tuple[int, int]) -> str:
    sign = "-" if w[1] < 0 else "+"
    o = abs(w[1])
    return f"{w[0]} {sign}{o // 60:02}{o % 60:02}"


def identity(author: tuple[str, str], aw, committer: tuple[str, str], cw) -> dict[str, str]:
    return {
        "GIT_AUTHOR_NAME": author[0], "GIT_AUTHOR_EMAIL": author[1], "GIT_AUTHOR_DATE": git_date(aw),
        "GIT_COMMITTER_NAME": committer[0], "GIT_COMMITTER_EMAIL": committer[1], "GIT_COMMITTER_DATE": git_date(cw),
    }


def expand(lines: list[tuple[int, str]], i: int = 0, top: bool = True) -> tuple[list[tuple[int, str]], int]:
    out: list[tuple[int, str]] = []
    while i < len(lines):
        no, l = lines[i]
        t = l.strip()
        if t == "end":
            if top:
                raise ValueError(f"line {no}: `end` without `repeat`")
            return out, i
        if t.startswith("repeat "):
            w = t.split()[1:]
            if not w or not w[0].isdigit() or (len(w) > 1 and (len(w) != 3 or w[1] != "every")):
                raise ValueError(f"line {no}: expected `repeat N [every DURATION]`")
            body, end = expand(lines, i + 1, top=False)
            if end >= len(lines):
                raise ValueError(f"line {no}: `repeat` without `end`")
            for k in range(int(w[0])):
                if k > 0 and len(w) == 3:
                    out.append((no, f"date +{w[2]}"))
                out.extend((bn, bl.replace("{n}", str(k))) for bn, bl in body)
            i = end + 1
            continue
        out.append((no, l))
        i += 1
    return out, i


def build_script(script: str, repo: Path) -> dict[str, str]:
    """Builds a commit script into a fresh repository at `repo`; returns label -> commit id."""
    repo.mkdir(parents=True)
    _git(repo, ["init", "-q", "-b", "main"])
    raw = [(i + 1, l) for i, l in enumerate(script.splitlines()) if l.strip() and not l.lstrip().startswith("#")]
    lines, _ = expand(raw)
    people: dict[str, tuple[str, str]] = {}
    st = {"author": ("Placeholder", "placeholder@example.invalid"), "committer": None, "date": (1_577_836_800, 0), "pending": None}
    ids: dict[str, str] = {}

    def err(no: int, msg: str) -> ValueError:
        return ValueError(f"line {no}: {msg}")

    def person(no: int, s: str) -> tuple[str, str]:
        s = s.strip()
        if s in people:
            return people[s]
        m = re.fullmatch(r"(.*)<([^<>]*)>", s)
        if not m:
            raise err(no, f"`{s}`: expected a person's short name or `Full Name <email>`")
        return (m[1].strip(), m[2].strip())

    def head() -> str:
        return _git(repo, ["rev-parse", "HEAD"]).strip()

    def flush() -> None:
        p = st["pending"]
        if p is None:
            return
        st["pending"] = None
        committer = st["committer"] or st["author"]
        _git(repo, ["add", "-A"])
        _git(repo, ["commit", "-q", "--allow-empty", "-m", p[2]], identity(st["author"], st["date"], committer, st["date"]))
        if p[1]:
            if p[1] in ids:
                raise err(p[0], f"label [{p[1]}] used twice")
            ids[p[1]] = head()

    def content(i: int) -> tuple[str, int]:
        out = []
        while i < len(lines) and lines[i][1].lstrip().startswith("|"):
            r = lines[i][1].lstrip()[1:]
            out.append((r[1:] if r.startswith(" ") else r) + "\n")
            i += 1
        return "".join(out), i

    def label(s: str) -> tuple[str | None, str]:
        m = re.fullmatch(r"\[([^\]]*)\](.*)", s)
        return (m[1].strip(), m[2].strip()) if m else (None, s.strip())

    def fpath(p: str) -> Path:
        f = repo / p
        if not f.resolve().is_relative_to(repo.resolve()):
            raise ValueError(f"`{p}` is outside the repository")
        return f

    i = 0
    while i < len(lines):
        no, line = lines[i]
        t = line.strip()
        word, _, rest = t.partition(" ")
        rest = rest.strip()
        change = word in ("write", "append", "replace", "delete", "move", "chmod")
        if change and st["pending"] is None:
            raise err(no, f"`{word}` outside a commit")
        if not change:
            flush()
        parts = rest.split()

        def need(n: int) -> list[str]:
            if len(parts) < n:
                raise err(no, f"`{word}`: expected {n} argument(s)")
            return parts
        nxt = i + 1
        if word == "person":
            name, eq, who = rest.partition("=")
            if not eq:
                raise err(no, "expected `person NAME = Full Name <email>`")
            people[name.strip()] = person(no, who)
        elif word == "author":
            st["author"], st["committer"] = person(no, rest), None
        elif word == "committer":
            st["committer"] = person(no, rest)
        elif word == "date":
            try:
                st["date"] = parse_date(rest, st["date"])
            except ValueError as e:
                raise err(no, str(e)) from None
        elif word == "commit":
            lab, msg = label(rest)
            if not msg:
                raise err(no, "`commit`: a message is needed")
            st["pending"] = (no, lab, msg)
        elif word == "write":
            p = need(1)
            f = fpath(p[0])
            f.parent.mkdir(parents=True, exist_ok=True)
            if len(p) > 1 and p[1] in ("binary", "lines"):
                if len(p) < 3 or not p[2].isdigit():
                    raise err(no, "expected a size after `binary`/`lines`")
                seed = 0
                if len(p) > 3:
                    if len(p) != 5 or p[3] != "seed" or not p[4].isdigit():
                        raise err(no, "expected `seed N`")
                    seed = int(p[4])
                if p[1] == "binary":
                    f.write_bytes(blob(int(p[2]), seed))
                else:
                    f.write_text(gen_text(int(p[2]), seed))
            elif len(p) == 1 or p[1] == "noeol":
                body, nxt = content(i + 1)
                if len(p) > 1:
                    body = body[:-1]
                f.write_bytes(body.encode())
            else:
                raise err(no, f"`write`: unknown `{p[1]}`")
        elif word == "append":
            f = fpath(need(1)[0])
            body, nxt = content(i + 1)
            f.parent.mkdir(parents=True, exist_ok=True)
            with f.open("ab") as h:
                h.write(body.encode())
        elif word == "replace":
            path = need(1)[0]
            old, new, j = [], [], i + 1
            while j < len(lines):
                s = lines[j][1].lstrip()
                if s[:1] not in ("-", "+"):
                    break
                r = s[1:]
                (old if s[0] == "-" else new).append((r[1:] if r.startswith(" ") else r) + "\n")
                j += 1
            f = fpath(path)
            now = f.read_text() if f.is_file() else ""
            o = "".join(old)
            if not o or now.count(o) != 1:
                raise err(no, f"`replace {path}`: the `-` lines must occur exactly once")
            f.write_text(now.replace(o, "".join(new), 1))
            nxt = j
        elif word == "delete":
            fpath(need(1)[0]).unlink()
        elif word == "move":
            p = need(2)
            _git(repo, ["mv", p[0], p[1]])
        elif word == "chmod":
            p = need(2)
            if p[0] not in ("+x", "-x"):
                raise err(no, f"`chmod {p[0]}`: expected +x or -x")
            f = fpath(p[1])
            f.chmod(f.stat().st_mode | 0o111 if p[0] == "+x" else f.stat().st_mode & ~0o111)
        elif word == "branch":
            _git(repo, ["checkout", "-q", "-b", need(1)[0]])
        elif word == "checkout":
            _git(repo, ["checkout", "-q", need(1)[0]])
        elif word == "merge":
            lab, branch = label(rest)
            if not branch:
                raise err(no, "`merge`: a branch is needed")
            a = st["author"]
            _git(repo, ["merge", "-q", "--no-ff", "-m", f"Merge branch '{branch}'", branch], identity(a, st["date"], a, st["date"]))
            if lab:
                ids[lab] = head()
        elif word == "tag":
            p = need(1)
            a = st["author"]
            if len(p) == 1:
                _git(repo, ["tag", "-a", p[0], "-m", f"release {p[0]}"], identity(a, st["date"], a, st["date"]))
            elif p[1] == "lightweight":
                _git(repo, ["tag", p[0]])
            elif p[1] == "signed":
                body = (
                    f"object {head()}\ntype commit\ntag {p[0]}\ntagger {a[0]} <{a[1]}> {git_date(st['date'])}\n\n"
                    f"Release {p[0]}\n-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n-----END SSH SIGNATURE-----\n"
                )
                tid = _git(repo, ["mktag"], stdin=body.encode()).strip()
                _git(repo, ["update-ref", f"refs/tags/{p[0]}", tid])
            else:
                raise err(no, f"`tag`: unknown `{p[1]}`")
        elif word == "routine":
            p = need(3)
            if not p[0].isdigit() or p[1] != "every":
                raise err(no, "expected `routine N every DURATION`")
            every = duration(p[2])
            if every % DAY:
                raise err(no, "`routine`: the interval is whole days")
            a, start = st["author"], st["date"]
            when = start
            for k in range(int(p[0])):
                when = (start[0] + k * every + (k % 5) * 1800, start[1])
                f = repo / "src" / "core.py"
                f.parent.mkdir(parents=True, exist_ok=True)
                with f.open("a") as h:
                    h.write(f"# routine change {k} by {a[0]}\n")
                _git(repo, ["add", "-A"])
                _git(repo, ["commit", "-q", "--allow-empty", "-m", f"core: routine change {k}"], identity(a, when, a, when))
            st["date"] = when
        else:
            raise err(no, f"unknown statement `{word}`")
        i = nxt
    flush()
    return ids


# --------------------------------------------------------------------------------------------
# Distributions for release cases: wheel/ and sdist/ hold the files, packed here

FIXED_TIME = (2024, 12, 4, 0, 0, 0)


def dist_name_version(meta: Path) -> tuple[str, str]:
    fields = {}
    for line in meta.read_text(encoding="utf-8").splitlines():
        k, sep, v = line.partition(":")
        if sep and k in ("Name", "Version") and k not in fields:
            fields[k] = v.strip()
    if set(fields) != {"Name", "Version"}:
        raise CaseError(f"{meta.relative_to(ROOT)}: needs Name: and Version: lines")
    return fields["Name"], fields["Version"]


def pack_wheel(src: Path, out: Path) -> tuple[Path, str]:
    """Zips wheel/ into NAME-VERSION-py3-none-any.whl with a RECORD of every file."""
    import base64
    import hashlib
    import zipfile

    infos = sorted(src.glob("*.dist-info"))
    if len(infos) != 1 or not (infos[0] / "METADATA").is_file():
        raise CaseError(f"{src.relative_to(ROOT)}: needs exactly one *.dist-info directory with METADATA")
    name, version = dist_name_version(infos[0] / "METADATA")
    record_path = f"{infos[0].name}/RECORD"
    files = sorted(p for p in src.rglob("*") if p.is_file() and p.relative_to(src).as_posix() != record_path)
    whl = out / f"{name.replace('-', '_')}-{version}-py3-none-any.whl"
    rows = []
    with zipfile.ZipFile(whl, "w", zipfile.ZIP_DEFLATED) as z:
        for p in files:
            rel = p.relative_to(src).as_posix()
            data = p.read_bytes()
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            rows.append(f"{rel},sha256={digest},{len(data)}")
            z.writestr(zipfile.ZipInfo(rel, FIXED_TIME), data)
        rows.append(f"{record_path},,")
        z.writestr(zipfile.ZipInfo(record_path, FIXED_TIME), "\n".join(rows) + "\n")
    return whl, version


def pack_sdist(src: Path, out: Path) -> tuple[Path, str]:
    """Tars sdist/ into NAME-VERSION.tar.gz under the directory NAME-VERSION/."""
    import tarfile

    if not (src / "PKG-INFO").is_file():
        raise CaseError(f"{src.relative_to(ROOT)}: needs PKG-INFO")
    name, version = dist_name_version(src / "PKG-INFO")
    top = f"{name}-{version}"
    tgz = out / f"{top}.tar.gz"
    with tarfile.open(tgz, "w:gz") as t:
        for p in sorted(src.rglob("*")):
            if p.is_file():
                info = t.gettarinfo(str(p), arcname=f"{top}/{p.relative_to(src).as_posix()}")
                info.mtime, info.uid, info.gid, info.uname, info.gname = 1_733_270_400, 0, 0, "", ""
                with p.open("rb") as h:
                    t.addfile(info, h)
    return tgz, version


# --------------------------------------------------------------------------------------------
# Running garrison


def find_garrison(release: bool) -> str:
    if os.environ.get("GARRISON_BIN"):
        return os.environ["GARRISON_BIN"]
    cmd = ["cargo", "build", "--quiet", "--locked", "-p", "garrison"] + (["--release"] if release else [])
    env = {**os.environ, "CARGO_PROFILE_DEV_DEBUG": "0"}
    subprocess.run(cmd, cwd=ROOT, check=True, env=env)
    return str(ROOT / "target" / ("release" if release else "debug") / "garrison")


@dataclass
class Outcome:
    case: Case
    findings: list[dict] = field(default_factory=list)
    ids: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    # per expectation: (met, best severity seen for the rule or None, how)
    got: list[tuple[bool, str | None, str]] = field(default_factory=list)
    noisy: list[dict] = field(default_factory=list)  # benign: findings of the family >= medium

    @property
    def detected(self) -> bool:
        return self.error is None and all(m for m, _, _ in self.got)


def finding_rules(f: dict) -> list[tuple[str, str]]:
    """(rule, how) pairs a finding stands for: its own rule, and for history its contributions."""
    out = [(f["rule"], "primary")]
    for c in (f.get("evidence") or {}).get("contributions") or []:
        if isinstance(c, dict) and isinstance(c.get("rule"), str) and c["rule"] != f["rule"]:
            out.append((c["rule"], "contributing"))
    return out


def run_case(garrison: str, case: Case, tmp: Path) -> Outcome:
    out = Outcome(case)
    work = tmp / case.name
    try:
        if case.family == "history":
            out.ids = build_script(case.input.read_text(encoding="utf-8"), work)
            cmd = [garrison, "history", str(work), "--format", "json", "--no-cache", "--min-severity", "info", "--fail-on", "critical"]
        else:
            src = work / "source" if case.family == "release" else work
            shutil.copytree(case.input, src, symlinks=True)
            _git(src, ["init", "-q", "-b", "main"])
            _git(src, ["add", "-A"])
            who = ("Mara Maintainer", "mara@example.org")
            _git(src, ["commit", "-q", "-m", "import"], identity(who, (1_700_000_000, 0), who, (1_700_000_000, 0)))
            if case.family == "release":
                dists, versions = [], set()
                for kind, pack in (("wheel", pack_wheel), ("sdist", pack_sdist)):
                    if (case.dir / kind).is_dir():
                        path, version = pack(case.dir / kind, work)
                        dists.append(str(path))
                        versions.add(version)
                for v in sorted(versions):
                    _git(src, ["tag", f"v{v}"])
                cmd = [garrison, "release", "verify", *dists, "--source", str(src), "--format", "json", "--fail-on", "critical"]
            else:
                # A database path that does not exist: the advisory snapshot built into garrison.
                cmd = [garrison, "scan", str(work), "--format", "json", "--isolated",
                       "--history-window", "off", "--db", str(tmp / "no-advisory.db")]
    except (ValueError, RuntimeError, OSError) as e:
        raise CaseError(f"{case.input.relative_to(ROOT)}: {e}") from None
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode not in (0, 1):
        out.error = f"exit {p.returncode}: {p.stderr.strip()[:300]}"
        return out
    try:
        doc = json.loads(p.stdout)
    except json.JSONDecodeError as e:
        out.error = f"unreadable JSON: {e}"
        return out
    out.findings = doc.get("findings", [])
    for e in case.expect:
        want_commit = None
        if e.commit is not None:
            want_commit = out.ids.get(e.commit)
            if want_commit is None:
                raise CaseError(f"{case.dir.relative_to(ROOT)}/case.toml: commit label [{e.commit}] is not in history.commits")
        best: tuple[int, str] | None = None
        for f in out.findings:
            if want_commit and (f.get("evidence") or {}).get("commit") != want_commit:
                continue
            for rule, how in finding_rules(f):
                if rule == e.rule:
                    r = RANK.get(f["severity"], -1)
                    if best is None or r > best[0] or (r == best[0] and how == "primary"):
                        best = (r, how)
        if best is None:
            out.got.append((False, None, ""))
        else:
            sev = SEVERITIES[best[0]] if best[0] >= 0 else "?"
            out.got.append((best[0] >= RANK[e.min_severity], sev, best[1]))
    if case.benign:
        out.noisy = [
            f for f in out.findings
            if f["rule"].split("/")[0] == case.family and RANK.get(f["severity"], 0) >= RANK[BENIGN_THRESHOLD]
        ]
    return out


# --------------------------------------------------------------------------------------------
# Report


def pct(n: int, d: int) -> str:
    return "—" if d == 0 else f"{100 * n / d:.0f}% ({n}/{d})"


def garrison_commit() -> str:
    try:
        c = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
        return c + (" (with uncommitted changes)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    git = subprocess.run(["git", "--version"], capture_output=True, text=True).stdout.strip()
    return (
        f"{platform.system()} {platform.release()}, {cpu}, {os.cpu_count()} CPU(s), "
        f"Python {platform.python_version()}, {git}"
    )


def expect_text(e: Expect) -> str:
    at = f" on [{e.commit}]" if e.commit else ""
    return f"`{e.rule}` ≥ {e.min_severity}{at}"


def got_text(g: tuple[bool, str | None, str]) -> str:
    met, sev, how = g
    if sev is None:
        return "not fired"
    note = " (contributing)" if how == "contributing" else ""
    return f"{sev}{note}" + ("" if met else " — below")


def report(outcomes: list[Outcome], garrison: str, version: str) -> str:
    L: list[str] = []
    w = L.append
    w("# Detection bench: incident shapes and benign look-alikes\n")
    w("Generated by `bench/detection.py --write`; do not edit by hand. The labelled set is")
    w("`bench/detection/cases/` (one directory per case: `case.toml` names the incident, a public")
    w("write-up, the family under test and the expected rule(s) with a minimum severity, or")
    w("`benign = true`). Workflow/posture/deps cases are checkouts scanned with `garrison scan`; release")
    w("cases pack a wheel/sdist and run `garrison release verify --source`; history")
    w("cases are commit scripts built with git at run time and mined with `garrison history`.\n")
    w(f"- date: {datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}")
    w(f"- {version}, commit {garrison_commit()}")
    w(f"- machine: {machine()}\n")
    w("A positive case is **detected** when every expected rule fires at or above its minimum")
    w("severity (for history, the rule may be the commit finding's own rule or one of its")
    w("contributing evidence; the severity is the commit's). A benign case is a **false positive**")
    w(f"when any finding of its family fires at {BENIGN_THRESHOLD} or above. Recall = TP / (TP + FN);")
    w("precision = TP / (TP + FP), counted in cases.\n")
    w("## Per family\n")
    w("| family | positive cases | TP | FN | benign cases | FP | recall | precision |")
    w("|---|---:|---:|---:|---:|---:|---:|---:|")
    tot = [0, 0, 0, 0, 0]
    for fam in FAMILIES:
        os_ = [o for o in outcomes if o.case.family == fam]
        if not os_:
            continue
        pos = [o for o in os_ if not o.case.benign]
        ben = [o for o in os_ if o.case.benign]
        tp = sum(o.detected for o in pos)
        fn = len(pos) - tp
        fp = sum(bool(o.noisy) or o.error is not None for o in ben)
        for k, v in enumerate([len(pos), tp, fn, len(ben), fp]):
            tot[k] += v
        w(f"| {fam} | {len(pos)} | {tp} | {fn} | {len(ben)} | {fp} | {pct(tp, tp + fn)} | {pct(tp, tp + fp)} |")
    w(f"| **all** | {tot[0]} | {tot[1]} | {tot[2]} | {tot[3]} | {tot[4]} | {pct(tot[1], tot[1] + tot[2])} | {pct(tot[1], tot[1] + tot[4])} |\n")

    w("## Positive cases: the severity each got\n")
    w("| case | family | incident | expected | got | result |")
    w("|---|---|---|---|---|---|")
    for o in outcomes:
        if o.case.benign:
            continue
        c = o.case
        exp = "<br>".join(expect_text(e) for e in c.expect)
        got = o.error or "<br>".join(got_text(g) for g in o.got)
        res = "detected" if o.detected else "**missed**"
        w(f"| `{c.name}` | {c.family} | [{c.incident}]({c.reference}) | {exp} | {got} | {res} |")
    w("")
    w("## Benign look-alikes\n")
    w(f"| case | family | looks like | findings of the family ≥ {BENIGN_THRESHOLD} | result |")
    w("|---|---|---|---|---|")
    for o in outcomes:
        if not o.case.benign:
            continue
        c = o.case
        noisy = o.error or (", ".join(sorted({f"`{f['rule']}` ({f['severity']})" for f in o.noisy})) or "none")
        res = "**false positive**" if (o.noisy or o.error) else "quiet"
        w(f"| `{c.name}` | {c.family} | [{c.incident}]({c.reference}) | {noisy} | {res} |")
    w("")
    w("## Shapes\n")
    for o in outcomes:
        w(f"- `{o.case.name}`{' (benign)' if o.case.benign else ''}: {o.case.shape}")
    w("")
    return "\n".join(L)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--write", action="store_true", help="write bench/detection.md")
    ap.add_argument("--release", action="store_true", help="build the release binary (default: debug)")
    ap.add_argument("--case", action="append", default=[], help="run only this case (repeatable)")
    ap.add_argument("--keep", metavar="DIR", help="build the cases' repositories in DIR and keep them")
    ap.add_argument("--verbose", action="store_true", help="print every case's findings to stderr")
    a = ap.parse_args()
    try:
        cases = load_cases(a.case)
    except CaseError as e:
        print(f"detection.py: {e}", file=sys.stderr)
        return 2
    garrison = find_garrison(a.release)
    version = subprocess.run([garrison, "--version"], capture_output=True, text=True).stdout.strip()
    with tempfile.TemporaryDirectory(prefix="garrison-detection-") as t:
        tmp = Path(a.keep) if a.keep else Path(t)
        if a.keep:
            shutil.rmtree(tmp, ignore_errors=True)
            tmp.mkdir(parents=True)
        outcomes = []
        try:
            for c in cases:
                o = run_case(garrison, c, tmp)
                outcomes.append(o)
                status = "error " + o.error if o.error else (
                    ("FP" if o.noisy else "ok") if c.benign else ("TP" if o.detected else "FN"))
                print(f"{c.name:45} {c.family:9} {status}", file=sys.stderr)
                if a.verbose:
                    for f in (f for f in o.findings if f["severity"] != "info"):
                        rules = ",".join(r for r, _ in finding_rules(f))
                        print(f"    {f['severity']:8} {rules}  {f['message'][:150]}", file=sys.stderr)
        except CaseError as e:
            print(f"detection.py: {e}", file=sys.stderr)
            return 2
    md = report(outcomes, garrison, version)
    if a.write:
        (HERE / "detection.md").write_text(md, encoding="utf-8")
        print(f"wrote {(HERE / 'detection.md').relative_to(ROOT)}", file=sys.stderr)
    else:
        print(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
