#!/usr/bin/env python3
"""A small loopback OSV API serving a PyPA advisory-database checkout.

It implements the parts of https://google.github.io/osv.dev/api/ that pip-audit (and most OSV
clients) use, for the PyPI ecosystem only:

  POST /v1/query        {"package": {"name", "ecosystem": "PyPI"}, "version"}
                        -> {"vulns": [full OSV record, ...]}  or  {} when none
  POST /v1/querybatch   {"queries": [query, ...]}
                        -> {"results": [{"vulns": [{"id", "modified"}, ...]}, ...]}
  GET  /v1/vulns/<id>   -> the full OSV record (looked up by id, then by alias), 404 otherwise

Matching is an independent implementation of the OSV schema's evaluation algorithm
(IsAffected / IncludedInRanges / BeforeLimits) with `packaging.version` ordering, written for
the differential test against Garrison (bench/deps-differential.py). It deliberately does NOT
share Garrison's choices:

  - plain OSV semantics: full PEP 440 ordering including local labels (Garrison ignores the
    query's local label when the event has none);
  - the `versions` list is compared by PEP 440 equality when both sides parse, else by exact
    string (as osv.dev normalises PyPI versions);
  - a range whose events are not all PEP 440 is skipped (logged once): it cannot be ordered.

Only the standard library plus PyYAML (for the YAML records; loaded with the BaseLoader so
every scalar stays a string: `1.10` must not become the float 1.1) and `packaging`.

Bounded lifetime: the server exits after --lifetime seconds (default 900) or on SIGTERM/SIGINT.
It listens on 127.0.0.1 only, on a free port unless --port is given, and prints
`listening on http://127.0.0.1:<port>` (and writes the port to --port-file if given).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import yaml
from packaging.version import InvalidVersion, Version

try:
    from yaml import CBaseLoader as Loader
except ImportError:  # pragma: no cover - pure-Python PyYAML
    from yaml import BaseLoader as Loader

HERE = Path(__file__).resolve().parent
DEFAULT_DB = HERE.parent.parent / "shared" / "data" / "advisories" / "pypa-advisory-database"


def normalize(name: str) -> str:
    """PEP 503 normalisation."""
    return re.sub(r"[-_.]+", "-", name).lower()


def parse(text: str) -> Version | None:
    try:
        return Version(text.strip())
    except InvalidVersion:
        return None


class Index:
    def __init__(self, root: Path):
        self.by_id: dict[str, dict] = {}
        self.by_alias: dict[str, str] = {}
        self.by_package: dict[str, list[dict]] = {}
        self.unevaluable: set[str] = set()
        self.lock = threading.Lock()
        files = sorted((root / "vulns").glob("*/*.yaml"))
        if not files:
            files = sorted(root.rglob("*.yaml")) + sorted(root.rglob("*.json"))
        for f in files:
            text = f.read_text(encoding="utf-8")
            rec = json.loads(text) if f.suffix == ".json" else yaml.load(text, Loader=Loader)
            if not isinstance(rec, dict) or "id" not in rec:
                continue
            self.by_id[rec["id"]] = rec
            for a in rec.get("aliases") or []:
                self.by_alias.setdefault(a, rec["id"])
            if rec.get("withdrawn"):
                continue
            names = {
                normalize(a["package"]["name"])
                for a in rec.get("affected") or []
                if a.get("package", {}).get("ecosystem") == "PyPI"
            }
            for n in names:
                self.by_package.setdefault(n, []).append(rec)
        self.records = len(self.by_id)

    # --- the OSV evaluation algorithm -------------------------------------------------------

    def _range_affects(self, rec_id: str, rng: dict, v: Version) -> bool:
        events = rng.get("events") or []
        parsed = []
        limits = []
        for e in events:
            ((kind, text),) = e.items()
            if kind == "introduced" and text.strip() == "0":
                parsed.append((kind, None))
                continue
            if kind == "limit" and "*" in text:
                limits.append(None)
                continue
            pv = parse(text)
            if pv is None:
                with self.lock:
                    if rec_id not in self.unevaluable:
                        self.unevaluable.add(rec_id)
                        print(f"osv_server: {rec_id}: `{kind}: {text}` is not PEP 440; "
                              "range skipped", file=sys.stderr, flush=True)
                return False
            if kind == "limit":
                limits.append(pv)
            else:
                parsed.append((kind, pv))
        # BeforeLimits
        if limits and not any(l is None or v < l for l in limits):
            return False
        # IncludedInRange: events sorted by version ("0" first), stable for equal versions.
        parsed.sort(key=lambda kv: (0,) if kv[1] is None else (1, kv[1]))
        vulnerable = False
        for kind, ev in parsed:
            if kind == "introduced":
                if ev is None or v >= ev:
                    vulnerable = True
            elif kind == "fixed":
                if v >= ev:
                    vulnerable = False
            elif kind == "last_affected":
                if v > ev:
                    vulnerable = False
        return vulnerable

    def affected(self, name: str, version: str) -> list[dict]:
        n = normalize(name)
        v = parse(version)
        out = []
        for rec in self.by_package.get(n, []):
            hit = False
            for a in rec.get("affected") or []:
                pkg = a.get("package", {})
                if pkg.get("ecosystem") != "PyPI" or normalize(pkg.get("name", "")) != n:
                    continue
                for listed in a.get("versions") or []:
                    lv = parse(listed)
                    if (lv is not None and v is not None and lv == v) or listed.strip() == version.strip():
                        hit = True
                        break
                if not hit and v is not None:
                    for rng in a.get("ranges") or []:
                        if rng.get("type") in ("ECOSYSTEM", "SEMVER") and self._range_affects(rec["id"], rng, v):
                            hit = True
                            break
                if hit:
                    break
            if hit:
                out.append(rec)
        return out

    def lookup(self, vid: str) -> dict | None:
        rec = self.by_id.get(vid)
        if rec is None and vid in self.by_alias:
            rec = self.by_id.get(self.by_alias[vid])
        return rec


class Handler(BaseHTTPRequestHandler):
    index: Index
    verbose = False
    protocol_version = "HTTP/1.1"
    # Keep-alive + headers and body written separately: without TCP_NODELAY every response
    # waits for the client's delayed ACK (~40 ms), which would be charged to pip-audit.
    disable_nagle_algorithm = True

    def log_message(self, fmt, *args):  # noqa: D401 - quiet by default
        if self.verbose:
            super().log_message(fmt, *args)

    def _send(self, status: int, body: object) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> object:
        n = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(n) or b"{}")

    def _query(self, q: dict) -> list[dict]:
        pkg = q.get("package") or {}
        if pkg.get("ecosystem", "PyPI") != "PyPI" or "name" not in pkg or "version" not in q:
            raise ValueError("only PyPI queries with package.name and version are supported")
        return self.index.affected(pkg["name"], str(q["version"]))

    def do_POST(self):  # noqa: N802
        try:
            body = self._body()
            if self.path == "/v1/query":
                vulns = self._query(body)
                self._send(200, {"vulns": vulns} if vulns else {})
            elif self.path == "/v1/querybatch":
                results = []
                for q in body.get("queries") or []:
                    vulns = self._query(q)
                    results.append(
                        {"vulns": [{"id": r["id"], "modified": r.get("modified")} for r in vulns]}
                        if vulns else {}
                    )
                self._send(200, {"results": results})
            else:
                self._send(404, {"code": 5, "message": "Not Found"})
        except (ValueError, KeyError, TypeError, AttributeError) as e:
            self._send(400, {"code": 3, "message": str(e)})

    def do_GET(self):  # noqa: N802
        m = re.fullmatch(r"/v1/vulns/([^/?]+)", self.path)
        rec = self.index.lookup(m.group(1)) if m else None
        if rec is None:
            self._send(404, {"code": 5, "message": "Bug not found."})
        else:
            self._send(200, rec)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, default=DEFAULT_DB, help="PyPA advisory-database checkout")
    ap.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    ap.add_argument("--port-file", type=Path, help="write the port here once listening")
    ap.add_argument("--lifetime", type=float, default=900, help="exit after this many seconds")
    ap.add_argument("-v", "--verbose", action="store_true", help="log every request")
    args = ap.parse_args()

    t0 = time.perf_counter()
    index = Index(args.db)
    Handler.index = index
    Handler.verbose = args.verbose
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    port = server.server_address[1]
    print(f"osv_server: {index.records} records, {len(index.by_package)} packages loaded in "
          f"{time.perf_counter() - t0:.2f} s", file=sys.stderr, flush=True)

    def stop(*_):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    timer = threading.Timer(args.lifetime, stop)
    timer.daemon = True
    timer.start()
    if args.port_file:
        tmp = args.port_file.with_suffix(".tmp")
        tmp.write_text(str(port))
        os.replace(tmp, args.port_file)
    print(f"listening on http://127.0.0.1:{port}", flush=True)
    server.serve_forever()
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
