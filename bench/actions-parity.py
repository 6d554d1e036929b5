#!/usr/bin/env python3
"""Finding parity between zizmor and `garrison actions` on the corpus.

For every zizmor finding of severity High in an audit that garrison also covers (see
MAPPING), look for a garrison finding of the mapped rule(s) in the same file whose
locations cover zizmor's primary line (or whose primary line lies in zizmor's primary span). Also list garrison findings of mapped rules that no
zizmor finding (of any severity) of the corresponding audit(s) covers.

Usage:
    bench/actions-parity.py [--write] [--corpus DIR] [--limit-garrison-only N]
    bench/actions-parity.py --one-file-repos DIR [--explained JSON] [--out FILE]

With --one-file-repos, every YAML file under DIR becomes a repository of its own in a
temporary corpus (a workflow at `.github/workflows/<file>`, an `action.yml|yaml` at the
repository's root, a Dependabot configuration at `.github/dependabot.yml`; pre-commit
configurations are skipped): this is how zizmor's own integration test data is measured
(bench/actions-parity-zizmor-tests.md). With --explained, misses listed in that JSON file
(classes of misses, each with an explanation citing GitHub's documentation and the findings
it covers as `repo`, `path:line`, `audit`) are reported as explained rather than missing.

Environment:
    CORPUS        directory whose subdirectories are repositories
                  (default: ../shared/data/repos relative to the repository root)
    GARRISON_BIN  garrison binary (default: `cargo build --release -p garrison`)
    ZIZMOR_BIN    zizmor binary (default: `zizmor` on PATH, else pip-installed into a temp venv)

Standard library only. With --write the Markdown goes to bench/actions-parity.md, otherwise
to standard output.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
import venv
from dataclasses import dataclass, field
from pathlib import Path

# zizmor audit -> garrison rule ids that cover the same problem. A rule that does not exist
# (yet) simply never matches, so every zizmor finding of that audit counts as missing.
MAPPING: dict[str, list[str]] = {
    "template-injection": ["workflow/template-injection"],
    "github-env": ["workflow/github-env-injection"],
    "dangerous-triggers": ["workflow/dangerous-trigger"],
    "unpinned-uses": ["workflow/unpinned-uses"],
    "excessive-permissions": ["workflow/excessive-permissions", "workflow/missing-permissions"],
    "cache-poisoning": ["workflow/cache-poisoning"],
    "artipacked": ["workflow/credential-persistence"],
    "use-trusted-publishing": ["workflow/pypi-token"],
    "unpinned-images": ["workflow/unpinned-image"],
    "secrets-inherit": ["workflow/secrets-inherit"],
    "insecure-commands": ["workflow/insecure-commands"],
    "self-hosted-runner": ["workflow/self-hosted-runner"],
    "bot-conditions": ["workflow/bot-condition"],
    "hardcoded-container-credentials": ["workflow/hardcoded-credential"],
}

# Inverse: garrison rule -> zizmor audits.
REVERSE: dict[str, list[str]] = {}
for _audit, _rules in MAPPING.items():
    for _rule in _rules:
        REVERSE.setdefault(_rule, []).append(_audit)

# Only these inputs: zizmor 1.32 also collects .pre-commit-config.yaml and crashes on some.
ZIZMOR_ARGS = [
    "--offline",
    "--no-progress",
    "--format",
    "json",
    "--collect=workflows",
    "--collect=actions",
    "--collect=dependabot",
]

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


@dataclass
class ZFinding:
    repo: str
    path: str  # relative to the repository
    lines: list[int]  # 1-based start lines of the primary locations
    spans: list[tuple[int, int]]  # 1-based (start, end) lines of the primary locations
    audit: str
    severity: str
    confidence: str
    message: str


@dataclass
class GFinding:
    repo: str
    path: str
    rule: str
    severity: str
    confidence: str
    message: str
    primary_line: int
    spans: list[tuple[str, int, int]] = field(default_factory=list)  # (path, start, end)


def find_zizmor(tmp: Path) -> str:
    if os.environ.get("ZIZMOR_BIN"):
        return os.environ["ZIZMOR_BIN"]
    found = shutil.which("zizmor")
    if found:
        return found
    print("installing zizmor into a temporary venv...", file=sys.stderr)
    venv.create(tmp / "venv", with_pip=True)
    pip = tmp / "venv" / "bin" / "pip"
    subprocess.run(
        [str(pip), "install", "--quiet", "--disable-pip-version-check", "zizmor"],
        check=True,
        stdout=sys.stderr,
    )
    return str(tmp / "venv" / "bin" / "zizmor")


def find_garrison() -> str:
    if os.environ.get("GARRISON_BIN"):
        return os.environ["GARRISON_BIN"]
    print("building garrison (release)...", file=sys.stderr)
    subprocess.run(
        ["cargo", "build", "--release", "--quiet", "-p", "garrison"],
        cwd=ROOT,
        check=True,
        stdout=sys.stderr,
    )
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    return str(target / "release" / "garrison")


def rel(path: str, repo_dir: Path) -> str:
    p = Path(path)
    try:
        return p.resolve().relative_to(repo_dir.resolve()).as_posix()
    except ValueError:
        return p.as_posix()


def run_zizmor(zizmor: str, repo_dir: Path) -> tuple[list[ZFinding], str | None]:
    proc = subprocess.run(
        [zizmor, *ZIZMOR_ARGS, str(repo_dir)],
        capture_output=True,
        text=True,
    )
    # 0 = clean, 10-14 = findings, 3 = no inputs collected; anything else is a failure.
    if proc.returncode == 3 and "no inputs collected" in proc.stderr:
        return [], None
    if proc.returncode != 0 and not 10 <= proc.returncode <= 14:
        err = next(
            (l for l in proc.stderr.splitlines() if l.startswith("error")),
            proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "",
        )
        return [], f"zizmor exit {proc.returncode}: {err}"
    try:
        data = json.loads(proc.stdout or "[]")
    except json.JSONDecodeError as e:
        return [], f"zizmor output is not JSON: {e}"
    out = []
    for f in data:
        if f.get("ignored"):
            continue
        det = f.get("determinations", {})
        primaries = [
            loc
            for loc in f.get("locations", [])
            if loc.get("symbolic", {}).get("kind") == "Primary"
        ] or f.get("locations", [])[:1]
        if not primaries:
            continue
        key = primaries[0]["symbolic"]["key"]
        local = key.get("Local") or {}
        path = local.get("verbatim_path") or local.get("given_path") or json.dumps(key)
        spans = [
            (
                loc["concrete"]["location"]["start_point"]["row"] + 1,
                loc["concrete"]["location"]["end_point"]["row"] + 1,
            )
            for loc in primaries
            if "concrete" in loc
        ]
        lines = [start for start, _ in spans]
        annotation = primaries[0]["symbolic"].get("annotation", "")
        message = f.get("desc", "")
        if annotation:
            message = f"{message}: {annotation}"
        out.append(
            ZFinding(
                repo=repo_dir.name,
                path=rel(path, repo_dir),
                lines=lines,
                spans=spans,
                audit=f.get("ident", "?"),
                severity=det.get("severity", "?"),
                confidence=det.get("confidence", "?"),
                message=message,
            )
        )
    return out, None


def run_garrison(garrison: str, repo_dir: Path) -> tuple[list[GFinding], str | None]:
    proc = subprocess.run(
        [garrison, "actions", str(repo_dir), "--format", "json"],
        capture_output=True,
        text=True,
    )
    if proc.returncode not in (0, 1):
        tail = proc.stderr.strip().splitlines()[-1:] or [""]
        return [], f"garrison exit {proc.returncode}: {tail[0]}"
    try:
        data = json.loads(proc.stdout)
    except json.JSONDecodeError as e:
        return [], f"garrison output is not JSON: {e}"
    out = []
    for f in data.get("findings", []):
        locs = [l for l in f.get("locations", []) if l.get("span")]
        if not locs:
            continue
        spans = [
            (l["path"], l["span"]["start_line"], l["span"]["end_line"]) for l in locs
        ]
        out.append(
            GFinding(
                repo=repo_dir.name,
                path=locs[0]["path"],
                rule=f["rule"],
                severity=f.get("severity", "?"),
                confidence=f.get("confidence", "?"),
                message=f.get("message", ""),
                primary_line=locs[0]["span"]["start_line"],
                spans=spans,
            )
        )
    errors = data.get("errors") or []
    note = None
    if errors:
        note = f"garrison reported {len(errors)} file error(s)"
    return out, note


def covers(g: GFinding, path: str, line: int) -> bool:
    return any(p == path and start <= line <= end for p, start, end in g.spans)


def same_place(g: GFinding, z: ZFinding) -> bool:
    """zizmor's primary line lies in one of garrison's spans, or garrison's primary line lies in
    zizmor's primary span (zizmor points template-injection at the whole `run:` block,
    garrison at the expression inside it)."""
    if any(covers(g, z.path, line) for line in z.lines):
        return True
    return g.path == z.path and any(s <= g.primary_line <= e for s, e in z.spans)


def one_file_repos(source: Path, dest: Path) -> Path:
    """Every YAML file under `source` becomes `dest/<relative path, / as __>/` holding that one
    file where the tools look for its kind."""
    dest.mkdir(parents=True)
    for f in sorted(source.rglob("*")):
        if not f.is_file() or f.suffix not in (".yml", ".yaml"):
            continue
        relp = f.relative_to(source)
        if f.name.startswith(".pre-commit-config"):
            continue
        name = "__".join(relp.parts)
        if f.name in ("action.yml", "action.yaml"):
            target = Path(f.name)
        elif "dependabot" in relp.parts[0] or (
            f.name == "dependabot.yml" and ".github" not in relp.parts
        ):
            target = Path(".github") / "dependabot.yml"
        else:
            target = Path(".github") / "workflows" / f.name
        out = dest / name / target
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(f, out)
    return dest


@dataclass
class Explained:
    cls: str  # short name of the class of misses
    verdict: str  # "zizmor is wrong" / "out of scope" ...
    explanation: str  # Markdown, citing GitHub's documentation (URL + what it says)
    findings: set[tuple[str, str, str]]  # (repo, "path:line", audit)


def load_explained(path: Path) -> list[Explained]:
    data = json.loads(path.read_text())
    return [
        Explained(
            cls=c["class"],
            verdict=c["verdict"],
            explanation=c["explanation"],
            findings={(f["repo"], f["at"], f["audit"]) for f in c["findings"]},
        )
        for c in data["classes"]
    ]


def anchor(title: str) -> str:
    """GitHub's heading anchor."""
    keep = "".join(ch for ch in title.lower() if ch.isalnum() or ch in " -_")
    return keep.replace(" ", "-")


def md_cell(text: str, limit: int = 160) -> str:
    text = " ".join(str(text).split()).replace("|", "\\|")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write", action="store_true", help="write bench/actions-parity.md")
    ap.add_argument("--corpus", default=os.environ.get("CORPUS"))
    ap.add_argument("--limit-garrison-only", type=int, default=100)
    ap.add_argument("--one-file-repos", metavar="DIR",
                    help="make every YAML file under DIR a repository of its own")
    ap.add_argument("--explained", metavar="JSON",
                    help="classes of misses explained (see the module documentation)")
    ap.add_argument("--out", metavar="FILE", help="write the Markdown to FILE")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        if args.one_file_repos:
            source = Path(args.one_file_repos).resolve()
            if not source.is_dir():
                print(f"not a directory: {source}", file=sys.stderr)
                return 2
            corpus = one_file_repos(source, Path(tmp) / "corpus")
            corpus_desc = (f"{source.name}/ (every YAML file a repository of its own, "
                           f"`--one-file-repos`)")
        else:
            corpus = (Path(args.corpus) if args.corpus
                      else HERE / ".." / ".." / "shared" / "data" / "repos")
            if not corpus.is_dir():
                print(f"corpus not found: {corpus} (set CORPUS)", file=sys.stderr)
                return 2
            corpus = corpus.resolve()
            corpus_desc = None
        repos = sorted(p for p in corpus.iterdir() if p.is_dir())
        explained = load_explained(Path(args.explained)) if args.explained else []
        meta = json.loads(Path(args.explained).read_text()) if args.explained else {}
        about = meta.get("about", "")
        remaining_note = meta.get("remaining", "")
        zizmor = find_zizmor(Path(tmp))
        garrison = find_garrison()
        zversion = subprocess.run(
            [zizmor, "--version"], capture_output=True, text=True, check=True
        ).stdout.strip()
        commit = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
        ).stdout.strip() or "unknown"

        zall: list[ZFinding] = []
        gall: list[GFinding] = []
        failures: list[str] = []
        for repo in repos:
            print(f"  {repo.name}", file=sys.stderr)
            z, zerr = run_zizmor(zizmor, repo)
            g, gerr = run_garrison(garrison, repo)
            zall += z
            gall += g
            for e in (zerr, gerr):
                if e:
                    failures.append(f"{repo.name}: {e}")

    g_by_file: dict[tuple[str, str], list[GFinding]] = {}
    for g in gall:
        for p in {s[0] for s in g.spans}:
            g_by_file.setdefault((g.repo, p), []).append(g)

    # zizmor High -> garrison.
    highs = [z for z in zall if z.audit in MAPPING and z.severity == "High"]
    matched, unmatched = [], []
    per_audit: dict[str, list[int]] = {a: [0, 0] for a in MAPPING}
    for z in highs:
        rules = MAPPING[z.audit]
        cands = [g for g in g_by_file.get((z.repo, z.path), []) if g.rule in rules]
        hit = any(same_place(g, z) for g in cands)
        (matched if hit else unmatched).append(z)
        per_audit[z.audit][0 if hit else 1] += 1

    # garrison (mapped rules) -> any zizmor finding of the corresponding audits.
    z_by_file: dict[tuple[str, str], list[ZFinding]] = {}
    for z in zall:
        z_by_file.setdefault((z.repo, z.path), []).append(z)
    mapped_g = [g for g in gall if g.rule in REVERSE]
    g_only = []
    for g in mapped_g:
        audits = REVERSE[g.rule]
        hit = any(
            z.audit in audits and same_place(g, z)
            for p in {s[0] for s in g.spans}
            for z in z_by_file.get((g.repo, p), [])
        )
        if not hit:
            g_only.append(g)
    present_rules = sorted({g.rule for g in gall})

    # Misses a class of explanations covers.
    def explanation_of(z: ZFinding) -> Explained | None:
        key = (z.repo, f"{z.path}:{z.lines[0] if z.lines else '?'}", z.audit)
        return next((c for c in explained if key in c.findings), None)

    explained_z = [(z, c) for z in unmatched if (c := explanation_of(z))]
    missing = [z for z in unmatched if not explanation_of(z)]
    listed = {k for c in explained for k in c.findings}
    stale = sorted(listed - {(z.repo, f"{z.path}:{z.lines[0] if z.lines else '?'}", z.audit)
                             for z in unmatched})

    out: list[str] = []
    w = out.append
    w("# actions parity: zizmor vs garrison" +
      (f" on {args.one_file_repos and Path(args.one_file_repos).name}" if corpus_desc else ""))
    w("")
    w(f"Generated {datetime.date.today().isoformat()} by `bench/actions-parity.py` on "
      f"{len(repos)} repositories{' of ' + corpus_desc if corpus_desc else ''}; {zversion} "
      f"(`{' '.join(ZIZMOR_ARGS)}`, regular persona), garrison commit `{commit}`.")
    w("")
    if about:
        w(about)
        w("")
    w("Matching: a zizmor finding matches when garrison has a finding of a mapped rule in the "
      "same file whose primary or any other location span contains zizmor's primary line, or "
      "whose primary line lies inside zizmor's primary span (zizmor points template-injection "
      "at the whole `run:` block, garrison at the expression). "
      "Garrison's rule set is still being extended; re-run with "
      "`bench/actions-parity.py --write` after merging rules.")
    w("")
    w("## Summary")
    w("")
    w(f"- zizmor findings (mapped audits, all severities): {sum(1 for z in zall if z.audit in MAPPING)}")
    w(f"- zizmor **High** findings in mapped audits: {len(highs)}")
    w(f"  - matched by garrison: {len(matched)}")
    if explained:
        pct = 100 * (len(matched) + len(explained_z)) / max(len(highs), 1)
        w(f"  - not matched, explained below (zizmor is wrong or asks something else): "
          f"{len(explained_z)}")
        w(f"  - **not matched, not explained**: {len(missing)}")
        w(f"  - matched or explained: {len(matched) + len(explained_z)} of {len(highs)} "
          f"({pct:.1f}%)")
    else:
        w(f"  - **not matched**: {len(unmatched)}")
    w(f"- garrison findings of mapped rules: {len(mapped_g)}")
    w(f"  - with no zizmor finding of the mapped audit(s) at that file:line: {len(g_only)}")
    w(f"- garrison rules that fired: {', '.join(f'`{r}`' for r in present_rules) or 'none'}")
    w(f"- tool failures: {len(failures)}")
    for f in failures:
        w(f"  - {md_cell(f, 300)}")
    if stale:
        w(f"- explanations listed for findings that are no longer misses: {len(stale)}")
        for r, at, a in stale:
            w(f"  - {r} `{at}` {a}")
    w("")
    w("### Per audit (zizmor High)")
    w("")
    if explained:
        w("| zizmor audit | garrison rule(s) | matched | explained | missing |")
        w("|---|---|---:|---:|---:|")
    else:
        w("| zizmor audit | garrison rule(s) | matched | missing |")
        w("|---|---|---:|---:|")
    for audit, (m, u) in per_audit.items():
        rules = ", ".join(f"`{r}`" + ("" if r in present_rules else " (no findings)")
                          for r in MAPPING[audit])
        if explained:
            e = sum(1 for z, _ in explained_z if z.audit == audit)
            w(f"| {audit} | {rules} | {m} | {e} | {u - e} |")
        else:
            w(f"| {audit} | {rules} | {m} | {u} |")
    w("")
    w("## zizmor High findings garrison does not match")
    w("")
    if unmatched:
        w("| repo | file:line | audit | zizmor message | explanation |")
        w("|---|---|---|---|---|")
        for z in sorted(unmatched, key=lambda z: (z.audit, z.repo, z.path, z.lines)):
            line = z.lines[0] if z.lines else "?"
            c = explanation_of(z)
            note = f"[{c.cls}](#{anchor(c.cls)})" if c else ""
            w(f"| {z.repo} | `{z.path}:{line}` | {z.audit} | {md_cell(z.message)} | {note} |")
    else:
        w("None.")
    w("")
    if explained:
        w("## Explanations")
        w("")
        for c in explained:
            n = sum(1 for _, k in explained_z if k is c)
            w(f"### {c.cls}")
            w("")
            w(f"*{c.verdict}*; {n} finding(s).")
            w("")
            w(c.explanation.strip())
            w("")
    if remaining_note and missing:
        w("## Not matched and not explained")
        w("")
        w(remaining_note.strip())
        w("")
    if args.one_file_repos:
        w("## Matched")
        w("")
        w("| repo | file:line | audit | zizmor message |")
        w("|---|---|---|---|")
        for z in sorted(matched, key=lambda z: (z.audit, z.repo, z.path, z.lines)):
            line = z.lines[0] if z.lines else "?"
            w(f"| {z.repo} | `{z.path}:{line}` | {z.audit} | {md_cell(z.message)} |")
        w("")
    w(f"## garrison-only findings (first {args.limit_garrison_only} of {len(g_only)})")
    w("")
    if g_only:
        w("| repo | file:line | rule | severity/confidence | garrison message |")
        w("|---|---|---|---|---|")
        for g in sorted(g_only, key=lambda g: (g.rule, g.repo, g.path, g.primary_line))[
            : args.limit_garrison_only
        ]:
            w(f"| {g.repo} | `{g.path}:{g.primary_line}` | {g.rule} | "
              f"{g.severity}/{g.confidence} | {md_cell(g.message)} |")
    else:
        w("None.")
    w("")
    text = "\n".join(out)

    if args.out:
        Path(args.out).write_text(text)
        print(f"wrote {args.out}", file=sys.stderr)
    elif args.write:
        (HERE / "actions-parity.md").write_text(text)
        print(f"wrote {HERE / 'actions-parity.md'}", file=sys.stderr)
    else:
        print(text)
    print(
        f"zizmor High (mapped): {len(highs)}, matched {len(matched)}, unmatched {len(unmatched)} "
        f"(explained {len(explained_z)}, missing {len(missing)}); "
        f"garrison-only: {len(g_only)}; failures: {len(failures)}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
