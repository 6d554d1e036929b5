#!/usr/bin/env bash
# History mining and the full contribution-risk analysis vs `git log --numstat --no-renames` on
# the same repository, in one run, plus an incremental (cached) re-run.
#
# Usage: bench/history-vs-git.sh [REPO] [MAX_COMMITS]
#   REPO        a git repository (default /work/numpy-bench.git, made by bench/numpy-snapshot.sh
#               from a numpy mirror fetched for measurement only; nothing from it is committed)
#   MAX_COMMITS limit both tools to the newest N commits (git log -n N); empty = full history
#   RUNS=N      repeat each timing N times and keep the fastest (default 1)
set -euo pipefail
REPO=${1:-/work/numpy-bench.git}
N=${2:-}
RUNS=${RUNS:-1}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target}
cd "$(dirname "$0")/.."
cargo build -q --release -p garrison -p garrison-history --example mine
MINE=$CARGO_TARGET_DIR/release/examples/mine
GARRISON=$CARGO_TARGET_DIR/release/garrison
GIT_N=(); OUR_N=()
if [ -n "$N" ]; then GIT_N=(-n "$N"); OUR_N=(--max-commits "$N"); fi
CACHE=$(mktemp -d)
trap 'rm -rf "$CACHE"' EXIT

best() { # best-of-RUNS wall time of a command, in seconds
  local b=""
  for _ in $(seq "$RUNS"); do
    local t0 t1 d
    t0=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; t1=$(date +%s.%N)
    d=$(echo "$t1 - $t0" | bc -l)
    if [ -z "$b" ] || [ "$(echo "$d < $b" | bc -l)" = 1 ]; then b=$d; fi
  done
  echo "$b"
}

git_s=$(best git -C "$REPO" log --numstat --no-renames --format=%H "${GIT_N[@]}")
mine_s=$(best "$MINE" "$REPO" "${OUR_N[@]}")
full_s=$(best "$GARRISON" history "$REPO" "${OUR_N[@]}" --no-cache --format json --min-severity info)
"$GARRISON" history "$REPO" "${OUR_N[@]}" --cache-dir "$CACHE" --format json >/dev/null 2>&1 || true  # fill
inc_s=$(best "$GARRISON" history "$REPO" "${OUR_N[@]}" --cache-dir "$CACHE" --format json --min-severity info)
commits=$(git -C "$REPO" rev-list --count "${GIT_N[@]}" HEAD 2>/dev/null || echo "?")

printf 'repo %s, %s commits (%s), %s cores, best of %s\n' "$REPO" "$commits" "${N:-full history}" "$(nproc)" "$RUNS"
printf 'git log --numstat --no-renames:            %7.2f s\n' "$git_s"
printf 'garrison-history mining only:              %7.2f s  (%.2fx git)\n' "$mine_s" "$(echo "$mine_s / $git_s" | bc -l)"
printf 'garrison history (mining + full analysis): %7.2f s  (%.2fx git)\n' "$full_s" "$(echo "$full_s / $git_s" | bc -l)"
printf 'garrison history, incremental (cached):    %7.2f s\n' "$inc_s"
