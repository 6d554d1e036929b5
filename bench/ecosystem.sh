#!/usr/bin/env bash
# The ecosystem half, measured against its baselines in one run (issue 12):
#
#  1. scan: `garrison ecosystem scan` of every corpus repository (as local paths) into a fresh
#     SQLite store, cold (first run) and warm (second run), against one `garrison scan` per
#     repository in a shell loop. Goal: warm < 5 s.
#  2. replay: `garrison ecosystem replay --every month --since 2019-01` of a local numpy clone,
#     against `git archive` of each month's tree + `garrison scan` of it. Goal: < 30 s.
#  3. serve: `garrison serve` over a synthetic store of PROJECTS projects x MONTHS months (SQLite,
#     and PostgreSQL when PG_URL is set), p50/p95 of the overview and of a project page under
#     concurrent load from `wrk` on 127.0.0.1, and the server's peak RSS. Goal: p95 < 50 ms,
#     RSS < 200 MB.
#
# Usage: bench/ecosystem.sh [scan|replay|serve]...   (default: all three)
# Environment:
#   GARRISON_BIN  garrison binary (default: cargo build --release)
#   CORPUS        directory of repositories (default: ../shared/data/repos)
#   NUMPY_GIT     a numpy clone (bare or not) for the replay (default: /work/numpy-bench.git);
#                 the replay part is skipped with a note when it is missing
#   PG_URL        a postgres:// URL of a server where databases may be created (serve part)
#   PROJECTS, MONTHS, CONNECTIONS, DURATION   the server load (default 1000, 60, 16, 10s)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
corpus="${CORPUS:-$root/../shared/data/repos}"
corpus="$(cd "$corpus" && pwd)"
numpy="${NUMPY_GIT:-/work/numpy-bench.git}"
parts=("$@")
[ ${#parts[@]} -eq 0 ] && parts=(scan replay serve)

tmp="$(mktemp -d)"
cleanup() {
  [ -n "${server_pid:-}" ] && kill "$server_pid" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

if [ -n "${GARRISON_BIN:-}" ]; then
  garrison="$GARRISON_BIN"
else
  echo "building garrison (release)..." >&2
  (cd "$root" && cargo build --release --locked -q -p garrison)
  garrison="$root/target/release/garrison"
fi
export GARRISON_NO_PROGRESS=1 NO_COLOR=1
ms() { python3 -c 'import time; print(int(time.time()*1000))'; }

echo "machine: $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
echo "garrison: $("$garrison" --version), date: $(date -u +%Y-%m-%dT%H:%MZ)"

scan_part() {
  echo
  echo "== scan: ${corpus}"
  local manifest="$tmp/corpus.toml" n=0
  : > "$manifest"
  for d in "$corpus"/*/; do
    d="${d%/}"
    printf '[[project]]\nname = "%s"\nrepositories = ["%s"]\n\n' "$(basename "$d")" "$d" >> "$manifest"
    n=$((n + 1))
  done
  local db="sqlite:$tmp/scan.db"
  local t0 t1 t2 t3
  t0=$(ms)
  "$garrison" ecosystem scan --manifest "$manifest" --database "$db" 2> "$tmp/cold.log"
  t1=$(ms)
  "$garrison" ecosystem scan --manifest "$manifest" --database "$db" 2> "$tmp/warm.log"
  t2=$(ms)
  for d in "$corpus"/*/; do
    "$garrison" scan "${d%/}" --format json > /dev/null 2>&1 || true
  done
  t3=$(ms)
  local cold=$((t1 - t0)) warm=$((t2 - t1)) loop=$((t3 - t2))
  echo "repositories:                 $n"
  echo "ecosystem scan, cold:         ${cold} ms   ($(tail -n 1 "$tmp/cold.log"))"
  echo "ecosystem scan, warm:         ${warm} ms   (goal < 5000 ms)"
  echo "baseline, garrison scan loop: ${loop} ms"
  python3 -c "print(f'warm / baseline ratio:        {$warm/$loop:.3f}')"
}

replay_part() {
  echo
  echo "== replay: numpy monthly since 2019-01 ($numpy)"
  if [ ! -d "$numpy" ]; then
    echo "skipped: no numpy clone at $numpy (set NUMPY_GIT)"
    return
  fi
  printf '[[project]]\nname = "numpy"\nrepositories = ["%s"]\n' "$numpy" > "$tmp/numpy.toml"
  local db="sqlite:$tmp/replay.db" t0 t1 t2 t3 months=0
  t0=$(ms)
  "$garrison" ecosystem replay --manifest "$tmp/numpy.toml" --database "$db" --every month --since 2019-01 2> "$tmp/replay.log"
  t1=$(ms)
  "$garrison" ecosystem replay --manifest "$tmp/numpy.toml" --database "$db" --every month --since 2019-01 2> "$tmp/replay2.log"
  t2=$(ms)
  # Baseline: each month's tree exported with git archive, then scanned.
  local y m first commit
  for y in $(seq 2019 "$(date -u +%Y)"); do
    for m in 01 02 03 04 05 06 07 08 09 10 11 12; do
      first="$y-$m-01T00:00:00Z"
      [[ "$first" > "$(date -u +%Y-%m-%dT%H:%M:%SZ)" ]] && break
      commit="$(git -C "$numpy" rev-list --first-parent -1 --before="$first" HEAD)"
      [ -z "$commit" ] && continue
      rm -rf "$tmp/tree" && mkdir "$tmp/tree"
      git -C "$numpy" archive "$commit" | tar -x -C "$tmp/tree"
      "$garrison" scan "$tmp/tree" --format json > /dev/null 2>&1 || true
      months=$((months + 1))
    done
  done
  t3=$(ms)
  local first_run=$((t1 - t0)) again=$((t2 - t1)) base=$((t3 - t2))
  echo "months:                              $months"
  echo "ecosystem replay, first run:         ${first_run} ms   (goal < 30000 ms; $(tail -n 1 "$tmp/replay.log"))"
  echo "ecosystem replay, again (no new):    ${again} ms"
  echo "baseline, git archive + scan loop:   ${base} ms"
  python3 -c "print(f'replay / baseline ratio:             {$first_run/$base:.3f}')"
}

serve_one() {
  local url="$1" label="$2" port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  "$garrison" serve --database "$url" --bind "127.0.0.1:$port" 2> "$tmp/serve.log" &
  server_pid=$!
  for _ in $(seq 100); do curl -fsS "http://127.0.0.1:$port/" > /dev/null 2>&1 && break; sleep 0.1; done
  local page
  for page in "/" "/projects/project-0500"; do
    wrk -t2 -c "${CONNECTIONS:-16}" -d "${DURATION:-10s}" --latency "http://127.0.0.1:$port$page" > "$tmp/wrk.txt"
    python3 - "$tmp/wrk.txt" "$label" "$page" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
def lat(p):
    m = re.search(r"^\s+%s%%\s+([\d.]+)(us|ms|s)" % p, t, re.M)
    v, u = float(m.group(1)), m.group(2)
    return v / 1000 if u == "us" else v * 1000 if u == "s" else v
rps = re.search(r"Requests/sec:\s+([\d.]+)", t).group(1)
non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", t)
print(f"{sys.argv[2]:<10} {sys.argv[3]:<24} p50 {lat(50):7.2f} ms   p90 {lat(90):7.2f} ms   p99 {lat(99):7.2f} ms   {rps} req/s"
      + (f"   NON-2xx: {non2xx.group(1)}" if non2xx else ""))
PY
  done
  echo "${label} server peak RSS: $(awk '/VmHWM/ {printf "%.0f MB", $2/1024}' /proc/$server_pid/status) (goal < 200 MB)"
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true
  server_pid=""
}

serve_part() {
  local projects="${PROJECTS:-1000}" months="${MONTHS:-60}"
  echo
  echo "== serve: synthetic store of $projects projects x $months months"
  command -v wrk > /dev/null || { echo "wrk missing: apt-get install wrk"; return 1; }
  (cd "$root" && cargo build --release --locked -q -p garrison-fleet --example synthetic_store)
  local gen="$root/target/release/examples/synthetic_store"
  "$gen" "sqlite:$tmp/serve.db" "$projects" "$months"
  serve_one "sqlite:$tmp/serve.db" SQLite
  if [ -n "${PG_URL:-}" ]; then
    local name="garrison_bench_$$" pgdb
    psql "$PG_URL" -qc "CREATE DATABASE $name" > /dev/null
    pgdb="${PG_URL%/*}/$name"
    "$gen" "$pgdb" "$projects" "$months"
    serve_one "$pgdb" PostgreSQL
    psql "$PG_URL" -qc "DROP DATABASE $name WITH (FORCE)" > /dev/null || true
  else
    echo "PostgreSQL: skipped (set PG_URL)"
  fi
  echo "(wrk reports p50/p90/p99; p95 lies between p90 and p99)"
}

for p in "${parts[@]}"; do
  case "$p" in
    scan) scan_part ;;
    replay) replay_part ;;
    serve) serve_part ;;
    *) echo "unknown part: $p" >&2; exit 2 ;;
  esac
done
