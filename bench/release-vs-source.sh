#!/usr/bin/env bash
# Times `garrison release verify DIST... --source REPO` (every file of each sdist and wheel
# compared with the git tree at its tag, generated files judged by content, METADATA vs
# pyproject.toml, RECORD verified) against the by-hand baseline in the same run: extract the
# tag's tree with `git archive | tar x`, unpack the dist (`tar xzf` / `unzip`), `diff -r -q`
# the two (which only lists differences: no layout mapping, no allowances, no explanation).
#
# Usage: bench/release-vs-source.sh PROJECT=REPO_GIT_DIR ...
#   PROJECT is `name==version` on PyPI; its sdist and one wheel are downloaded with pip
#   (PyPI must be reachable; nothing else is); REPO_GIT_DIR is a clone (or bare mirror) with
#   the release tag. Example:
#     bench/release-vs-source.sh numpy==2.3.5=/path/to/numpy lazy_loader==0.4=/path/to/lazy-loader
# Environment: GARRISON_BIN (else cargo build --release), BENCH_DIR (reuse downloads), RUNS
# (default 5), WHEEL_PLATFORM (default manylinux_2_28_x86_64), WHEEL_PY (default 3.11).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
runs="${RUNS:-5}"
plat="${WHEEL_PLATFORM:-manylinux_2_28_x86_64}"
pyver="${WHEEL_PY:-3.11}"
if [ -z "${GARRISON_BIN:-}" ]; then
  cargo build --release --quiet --manifest-path "$root/Cargo.toml" -p garrison
  GARRISON_BIN="$root/target/release/garrison"
fi
work="${BENCH_DIR:-$(mktemp -d)}"
mkdir -p "$work/dists"

# Milliseconds of the fastest of $runs runs of "$@".
best_ms() {
  local best=999999999 t0 t1 ms
  for _ in $(seq "$runs"); do
    t0=$(date +%s%N)
    "$@" >/dev/null 2>&1 || true
    t1=$(date +%s%N)
    ms=$(( (t1 - t0) / 1000000 ))
    [ "$ms" -lt "$best" ] && best=$ms
  done
  echo "$best"
}

baseline() { # dist repo tag
  local d="$1" repo="$2" tag="$3" tmp
  tmp=$(mktemp -d)
  mkdir -p "$tmp/src" "$tmp/dist"
  git --git-dir="$repo" archive "$tag" | tar x -C "$tmp/src"
  case "$d" in
    *.whl) unzip -q "$d" -d "$tmp/dist" ;;
    *) tar xzf "$d" -C "$tmp/dist" --strip-components=1 ;;
  esac
  diff -r -q "$tmp/src" "$tmp/dist" || true
  rm -rf "$tmp"
}

total_files=0
printf '%-40s %8s %8s %10s %12s %7s\n' dist files findings garrison_ms baseline_ms ratio
sum_g=0; sum_b=0
for spec in "$@"; do
  proj="${spec%%=/*}"; repo="/${spec#*=/}"
  name="${proj%%==*}"; version="${proj##*==}"
  dl="$work/dists/$name-$version"
  if [ ! -d "$dl" ]; then
    mkdir -p "$dl"
    pip download -q --no-deps --no-binary :all: --no-build-isolation "$proj" -d "$dl" 2>/dev/null \
      || pip download -q --no-deps --no-binary :all: "$proj" -d "$dl" 2>/dev/null || true
    pip download -q --no-deps --only-binary :all: --python-version "$pyver" --platform "$plat" \
      --platform any "$proj" -d "$dl" 2>/dev/null || true
  fi
  tag=$(git --git-dir="$repo" tag | grep -E "^v?${version}\$" | head -1)
  for d in "$dl"/*; do
    [ -f "$d" ] || continue
    files=$( (case "$d" in *.whl) unzip -Z1 "$d" ;; *) tar tzf "$d" ;; esac) | grep -vc '/$' || true)
    findings=$( { "$GARRISON_BIN" release verify "$d" --source "$repo" --format json 2>/dev/null || true; } \
      | python3 -c "import json,sys; r=json.load(sys.stdin); print(sum(1 for f in r['findings'] if f['severity']!='info'))" || echo "?")
    g=$(best_ms "$GARRISON_BIN" release verify "$d" --source "$repo")
    b=$(best_ms baseline "$d" "$repo" "$tag")
    ratio=$(python3 -c "print(f'{$g/max($b,1):.3f}')")
    printf '%-40s %8s %8s %10s %12s %7s\n' "$(basename "$d" | cut -c1-40)" "$files" "$findings" "$g" "$b" "$ratio"
    sum_g=$((sum_g + g)); sum_b=$((sum_b + b)); total_files=$((total_files + files))
  done
done
echo
echo "total: $total_files files; garrison ${sum_g} ms, baseline ${sum_b} ms; garrison/baseline $(python3 -c "print(f'{$sum_g/max($sum_b,1):.3f}')")"
echo "throughput: $(python3 -c "print(f'{$total_files/max($sum_g,1)*1000:.0f}')") dist files compared per second (garrison, including process start and reading the tree)"
