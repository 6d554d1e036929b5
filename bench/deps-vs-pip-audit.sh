#!/usr/bin/env bash
# Times `garrison deps` against pip-audit over the lock and requirements files of the corpus.
#
# - garrison: `garrison deps <every file> --db DB -f json`, once for the whole corpus (one
#   process, database load included), and once per file (a process and a database load each).
#   The database is imported once beforehand (`garrison db import`, timed separately: it is a
#   one-off like `pip-audit`'s cache warm-up, not part of a scan).
# - pip-audit: per file, `pip-audit -r FILE --no-deps --disable-pip -s osv --osv-url <loopback>`
#   (pylock files: `pip-audit --locked DIR`), against bench/osv_server.py serving the same PyPA
#   advisories on 127.0.0.1, so no network is involved and pip-audit's OSV round trips cost
#   ~1 ms instead of a real internet round trip (this flatters pip-audit). Files pip-audit refuses
#   (unpinned lines) are timed too: the refusal costs its start-up. Formats pip-audit does not
#   read (uv.lock, pixi.lock, environment.yml) are listed, not timed.
#
# Environment: GARRISON_BIN (else `cargo build --release -p garrison`), PIP_AUDIT_VENV (a venv
# with pip-audit, pyyaml, packaging; else one is created in a temporary directory), CORPUS,
# ADVISORIES. Prints a per-file table, totals and the ratio (goals: garrison < 0.5 s in total,
# >= 100x faster than pip-audit).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
corpus="${CORPUS:-$root/../shared/data/repos}"
advisories="${ADVISORIES:-$root/../shared/data/advisories/pypa-advisory-database}"
work="$(mktemp -d -t garrison-deps-bench.XXXXXX)"
server_pid=""
cleanup() {
    if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

# Wall time of a command in milliseconds (stdout/stderr discarded), exit code in $rc.
time_ms() {
    local t0 t1
    t0=$(date +%s%N)
    set +e; "$@" >/dev/null 2>&1; rc=$?; set -e
    t1=$(date +%s%N)
    ms=$(( (t1 - t0) / 1000000 ))
}

if [ -z "${PIP_AUDIT_VENV:-}" ]; then
    PIP_AUDIT_VENV="$work/venv"
    python3 -m venv "$PIP_AUDIT_VENV"
    "$PIP_AUDIT_VENV/bin/pip" install -q pip-audit pyyaml packaging
fi
pip_audit="$PIP_AUDIT_VENV/bin/pip-audit"

if [ -z "${GARRISON_BIN:-}" ]; then
    (cd "$root" && cargo build --release -q -p garrison)
    GARRISON_BIN="${CARGO_TARGET_DIR:-$root/target}/release/garrison"
fi
garrison="$GARRISON_BIN"

db="$work/advisories.db"
time_ms "$garrison" db import "$advisories" --db "$db"
import_ms=$ms
[ "$rc" = 0 ] || { echo "garrison db import failed" >&2; "$garrison" db import "$advisories" --db "$db"; exit 2; }

"$PIP_AUDIT_VENV/bin/python" "$here/osv_server.py" --db "$advisories" --lifetime 1800 \
    --port-file "$work/port" >/dev/null 2>"$work/osv_server.log" &
server_pid=$!
for _ in $(seq 300); do [ -f "$work/port" ] && break; sleep 0.1; done
osv_url="http://127.0.0.1:$(cat "$work/port")/v1/query"

mapfile -t lines < <(python3 "$here/deps-differential.py" --list-files)
all_files=()
for l in "${lines[@]}"; do all_files+=("${l#*$'\t'}"); done

# garrison, one invocation for the whole corpus (includes process start and database load).
time_ms "$garrison" deps "${all_files[@]}" --db "$db" -f json
g_all_ms=$ms; g_all_rc=$rc
# Best of 3 as well, since a single run on a shared VM is noisy.
g_best=$g_all_ms
for _ in 1 2; do time_ms "$garrison" deps "${all_files[@]}" --db "$db" -f json; [ "$ms" -lt "$g_best" ] && g_best=$ms; done

printf '%-72s %-15s %10s %10s %8s\n' "file" "kind" "pip-audit" "garrison" "pa exit"
g_sum=0; g_sum_same=0; pa_sum=0; pa_files=0; refused=0; unsupported=0
for l in "${lines[@]}"; do
    kind="${l%%$'\t'*}"; f="${l#*$'\t'}"; rel="${f#"$corpus"/}"
    time_ms "$garrison" deps "$f" --db "$db" -f json
    g_ms=$ms
    g_sum=$((g_sum + g_ms))
    case "$kind" in
        requirements)
            time_ms "$pip_audit" -r "$f" --no-deps --disable-pip -s osv --osv-url "$osv_url" -f json \
                --progress-spinner off --cache-dir "$work/pa-cache"
            ;;
        pylock)
            mkdir -p "$work/pylock"; rm -f "$work/pylock"/*; cp "$f" "$work/pylock/"
            time_ms "$pip_audit" "$work/pylock" --locked -s osv --osv-url "$osv_url" -f json \
                --progress-spinner off --cache-dir "$work/pa-cache"
            ;;
        *)
            unsupported=$((unsupported + 1))
            printf '%-72s %-15s %10s %10s %8s\n' "$rel" "$kind" "n/a" "$g_ms" "-"
            continue
            ;;
    esac
    pa_sum=$((pa_sum + ms)); pa_files=$((pa_files + 1)); g_sum_same=$((g_sum_same + g_ms))
    # pip-audit exit codes: 0 clean, 1 vulnerabilities found or error (refusal prints ERROR).
    printf '%-72s %-15s %10s %10s %8s\n' "$rel" "$kind" "$ms" "$g_ms" "$rc"
done

echo
echo "files:                                   ${#all_files[@]} ($pa_files read by pip-audit, $unsupported formats it does not read)"
echo "garrison db import (one-off):            ${import_ms} ms"
echo "garrison, one invocation, all files:     ${g_all_ms} ms (best of 3: ${g_best} ms; exit $g_all_rc)"
echo "garrison, one process per file, sum:     ${g_sum} ms (same $pa_files files as pip-audit: ${g_sum_same} ms)"
echo "pip-audit, one process per file, sum:    ${pa_sum} ms ($pa_files files)"
python3 - "$pa_sum" "$g_all_ms" "$g_sum_same" <<'EOF'
import sys
pa, one, per = map(int, sys.argv[1:])
print(f"speed-up, garrison one invocation (all files) vs pip-audit: {pa / max(one, 1):.0f}x (goal >= 100x)")
print(f"speed-up, garrison per file (same files) vs pip-audit:      {pa / max(per, 1):.0f}x")
print(f"garrison total under 0.5 s: {'yes' if one < 500 else 'no'} ({one} ms)")
EOF
