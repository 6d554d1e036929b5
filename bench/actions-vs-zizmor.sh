#!/usr/bin/env bash
# Times `zizmor` against `garrison actions` on every repository of the corpus.
#
# Usage: bench/actions-vs-zizmor.sh
# Environment:
#   CORPUS        directory whose subdirectories are repositories
#                 (default: ../shared/data/repos relative to the repository root)
#   GARRISON_BIN  garrison binary to use (default: build it with `cargo build --release`)
#   ZIZMOR_BIN    zizmor binary to use (default: `pip install zizmor` into a temporary venv)
#   RUNS          runs per tool and repository; the minimum is kept (default: 1)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
corpus="${CORPUS:-$here/../../shared/data/repos}"
runs="${RUNS:-1}"

if [[ ! -d "$corpus" ]]; then
    echo "corpus not found: $corpus (set CORPUS)" >&2
    exit 2
fi
corpus="$(cd "$corpus" && pwd)"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

if [[ -n "${ZIZMOR_BIN:-}" ]]; then
    zizmor="$ZIZMOR_BIN"
else
    echo "installing zizmor into a temporary venv..." >&2
    python3 -m venv "$tmp/venv"
    "$tmp/venv/bin/pip" install --quiet --disable-pip-version-check zizmor >&2
    zizmor="$tmp/venv/bin/zizmor"
fi
zizmor_version="$("$zizmor" --version)"

if [[ -n "${GARRISON_BIN:-}" ]]; then
    garrison="$GARRISON_BIN"
else
    echo "building garrison (release)..." >&2
    (cd "$root" && cargo build --release --quiet -p garrison >&2)
    target_dir="${CARGO_TARGET_DIR:-$root/target}"
    garrison="$target_dir/release/garrison"
fi
garrison_commit="$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"

now_ns() { date +%s%N; }

# The first error line of a tool's stderr (zizmor prints a backtrace after it).
first_error() {
    { grep -m1 -E '^error|panicked' "$1" || grep -m1 '^fatal' "$1" || head -n1 "$1"; } | cut -c1-200
}

# time_cmd <logfile> <cmd...>: runs the command $runs times, prints "<ms> <exit status>" of the
# fastest run. stdout is discarded; stderr is kept in <logfile> for crashes.
time_cmd() {
    local log="$1"
    shift
    local best="" status=0
    for ((i = 0; i < runs; i++)); do
        local start end rc ms
        start="$(now_ns)"
        rc=0
        "$@" >/dev/null 2>"$log" || rc=$?
        end="$(now_ns)"
        ms=$(((end - start) / 1000000))
        if [[ -z "$best" || "$ms" -lt "$best" ]]; then best="$ms"; fi
        status="$rc"
    done
    echo "$best $status"
}

echo "zizmor:   $zizmor_version"
echo "garrison: $("$garrison" --version 2>/dev/null || echo garrison) (commit $garrison_commit)"
echo "corpus:   $corpus"
echo "machine:  $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
echo

printf '| %-40s | %9s | %11s | %7s | %6s | %8s |\n' repo "zizmor ms" "garrison ms" ratio "zizmor" garrison
echo "|------------------------------------------|----------:|------------:|--------:|-------:|---------:|"

total_z=0
total_g=0
failed=0
failures=()
no_inputs=()
n=0
for repo in "$corpus"/*/; do
    repo="${repo%/}"
    name="$(basename "$repo")"
    read -r zms zrc < <(time_cmd "$tmp/zizmor.err" "$zizmor" --offline --no-progress --format plain "$repo")
    read -r gms grc < <(time_cmd "$tmp/garrison.err" "$garrison" actions "$repo" --format json)
    # zizmor: 0 = clean, 10-14 = findings (by highest severity), 3 = no inputs collected (no
    # workflows in the repository; not a failure), anything else = failure.
    # garrison: 0 = clean, 1 = findings, anything else = failure.
    zok=1
    gok=1
    if [[ "$zrc" -eq 3 ]] && grep -q 'no inputs collected' "$tmp/zizmor.err"; then
        no_inputs+=("$name")
    elif [[ "$zrc" -ne 0 && ("$zrc" -lt 10 || "$zrc" -gt 14) ]]; then
        zok=0
    fi
    if [[ "$grc" -ne 0 && "$grc" -ne 1 ]]; then gok=0; fi
    if [[ "$zok" -eq 0 || "$gok" -eq 0 ]]; then
        failed=$((failed + 1))
        failures+=("$name: zizmor exit $zrc, garrison exit $grc")
        if [[ "$zok" -eq 0 ]]; then failures+=("    zizmor: $(first_error "$tmp/zizmor.err")"); fi
        if [[ "$gok" -eq 0 ]]; then failures+=("    garrison: $(first_error "$tmp/garrison.err")"); fi
    fi
    ratio="$(awk -v g="$gms" -v z="$zms" 'BEGIN { if (z > 0) printf "%.3f", g / z; else print "n/a" }')"
    printf '| %-40s | %9d | %11d | %7s | %6s | %8s |\n' "$name" "$zms" "$gms" "$ratio" "$zrc" "$grc"
    total_z=$((total_z + zms))
    total_g=$((total_g + gms))
    n=$((n + 1))
done

ratio="$(awk -v g="$total_g" -v z="$total_z" 'BEGIN { if (z > 0) printf "%.3f", g / z; else print "n/a" }')"
echo
echo "repositories:          $n"
echo "total zizmor:          ${total_z} ms"
echo "total garrison:        ${total_g} ms"
echo "garrison/zizmor ratio: $ratio (goal <= 0.2)"
echo "repos where zizmor collected no inputs (exit 3, no workflows): ${#no_inputs[@]}${no_inputs[*]+ (${no_inputs[*]})}"
echo "repos where a tool failed: $failed"
for f in "${failures[@]+"${failures[@]}"}"; do
    echo "  $f"
done
