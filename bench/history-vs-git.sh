#!/usr/bin/env bash
# History mining vs `git log --numstat --no-renames` on the same repository, plus an incremental
# (cached) re-run. Usage: bench/history-vs-git.sh [REPO] [MAX_COMMITS]
# REPO defaults to a local numpy mirror (fetched for measurement only; nothing from it is committed).
# MAX_COMMITS limits both tools to the newest N commits (git log -n N), empty = full history.
set -euo pipefail
REPO=${1:-/work/.mirror/numpy+numpy/repo}
N=${2:-}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/work/target-history}
cd "$(dirname "$0")/.."
cargo build -q --release -p garrison-history --example mine
BIN=$CARGO_TARGET_DIR/release/examples/mine
GIT_N=(); OUR_N=()
if [ -n "$N" ]; then GIT_N=(-n "$N"); OUR_N=(--max-commits "$N"); fi
CACHE=$(mktemp -d)
trap 'rm -rf "$CACHE"' EXIT

t0=$(date +%s.%N)
git -C "$REPO" log --numstat --no-renames --format=%H "${GIT_N[@]}" >/dev/null
t1=$(date +%s.%N)
"$BIN" "$REPO" "${OUR_N[@]}"
t2=$(date +%s.%N)
"$BIN" "$REPO" "${OUR_N[@]}" --cache "$CACHE" >/dev/null   # fill the cache
t3=$(date +%s.%N)
"$BIN" "$REPO" "${OUR_N[@]}" --cache "$CACHE"               # incremental: nothing new
t4=$(date +%s.%N)
git_s=$(echo "$t1 - $t0" | bc -l); ours_s=$(echo "$t2 - $t1" | bc -l); inc_s=$(echo "$t4 - $t3" | bc -l)
printf 'repo %s commits %s cores %s\n' "$REPO" "${N:-all}" "$(nproc)"
printf 'git log --numstat --no-renames: %.2f s\n' "$git_s"
printf 'garrison-history mine:          %.2f s\n' "$ours_s"
printf 'ratio garrison/git:             %.2fx\n' "$(echo "$ours_s / $git_s" | bc -l)"
printf 'incremental re-run (cached):    %.2f s\n' "$inc_s"
