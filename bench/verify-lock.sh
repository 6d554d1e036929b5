#!/usr/bin/env bash
# Times `garrison verify --lock` on a 100-package lock with 100 real dists, and PEP 740
# attestation verification throughput, against named baselines in the same run.
#
# Setup (not timed): a temporary venv with pypi-attestations (latest, PyPI); `pip download
# --no-deps --only-binary=:all:` of the 99 packages in bench/verify-lock-packages.txt (latest
# wheels for this Python, ~300 MB) plus the real sdist pypi_attestations-0.0.19.tar.gz, whose
# PEP 740 attestation from shared/data/sigstore/pep740 is placed next to it; locks written by
# bench/verify-lock-make.py (requirements.txt with --hash, pylock.toml with per-file hashes); a
# policy naming pypi-attestations' Trusted Publisher.
#
# Timed (fastest and median of RUNS, warm page cache; no network: under `unshare -rn` when the
# kernel allows it):
#   lock, 100 dists:
#     garrison verify --lock requirements.txt --dists DIR --policy P     (hash + attestation)
#     garrison verify --lock pylock.toml --dists DIR --policy P
#     baseline pip: pip install --no-index --find-links DIR --require-hashes --no-deps
#                   --ignore-installed --dry-run -r requirements-wheels.txt (99 wheels; pip cannot
#                   prepare the sdist without an index for its build backend)
#     baseline pip hash: pip hash DIR/* (sha256 of all 100 files)
#   attestations, N verifications of the real pypi_attestations-0.0.19 attestation against
#   github:trailofbits/pypi-attestations workflow=release.yml:
#     garrison: examples/attest_throughput (the lock mode's per-attestation call), parallel
#               and one thread, in one process
#     baseline: pypi-attestations Attestation.verify(..., offline=True) in a loop, one process
#               (bench/verify-lock-attest.py)
#
# Environment: GARRISON_BIN (else cargo build --release), BENCH_DIR (reuse a download dir:
# it must hold dists/ and venv/; else a temporary one), RUNS (default 5), N (attestations,
# default 100). Prints a summary with ratios; goal: the 100-package lock in under 1 s.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
data="$root/../shared/data/sigstore/pep740"
runs="${RUNS:-5}"
n="${N:-100}"
sdist="pypi_attestations-0.0.19.tar.gz"
sdist_sha="9bb1add04b1b4e182be6b0b80931593f7a291eb49d69b4fd728a5d4cbcdc4bd3"
publisher="github:trailofbits/pypi-attestations workflow=release.yml"

if [ -n "${BENCH_DIR:-}" ]; then
    work="$BENCH_DIR"; mkdir -p "$work"
else
    work="$(mktemp -d -t garrison-lock-bench.XXXXXX)"
    trap 'rm -rf "$work"' EXIT
fi
export XDG_CACHE_HOME="$work/xdg" XDG_DATA_HOME="$work/xdg"

offline=()
if unshare -rn true 2>/dev/null; then offline=(unshare -rn); fi

if [ ! -x "$work/venv/bin/pypi-attestations" ]; then
    python3 -m venv "$work/venv"
    "$work/venv/bin/pip" install -q pypi-attestations
fi
pip="$work/venv/bin/pip"
if [ ! -f "$work/dists/$sdist" ]; then
    "$pip" download -q --no-deps --only-binary=:all: -d "$work/dists" -r "$here/verify-lock-packages.txt"
    "$pip" download -q --no-deps --no-binary=:all: -d "$work/dists" "pypi-attestations==0.0.19"
fi
echo "$sdist_sha  $work/dists/$sdist" | sha256sum -c --quiet
cp "$data/$sdist.publish.attestation" "$work/dists/"
python3 "$here/verify-lock-make.py" "$work/dists" "$work"
printf '[publishers]\npypi-attestations = "%s"\n' "$publisher" > "$work/policy.toml"
count=$(ls "$work"/dists/*.whl "$work"/dists/*.tar.gz | wc -l)
bytes=$(cat "$work"/dists/*.whl "$work"/dists/*.tar.gz | wc -c)

if [ -z "${GARRISON_BIN:-}" ]; then
    (cd "$root" && cargo build --release -q -p garrison && cargo build --release -q -p garrison-release --example attest_throughput)
    GARRISON_BIN="${CARGO_TARGET_DIR:-$root/target}/release/garrison"
fi
attest_bin="$(dirname "$GARRISON_BIN")/examples/attest_throughput"
[ -x "$attest_bin" ] || (cd "$root" && cargo build --release -q -p garrison-release --example attest_throughput)

# Wall time in ms of a command (output discarded); $rc is its exit code.
time_ms() {
    local t0 t1
    t0=$(date +%s%N)
    set +e; "$@" >/dev/null 2>&1; rc=$?; set -e
    t1=$(date +%s%N)
    ms=$(( (t1 - t0) / 1000000 ))
}
# Fastest and median of $runs runs: sets $best, $median; fails when the exit code is not $1.
bench() {
    local want="$1"; shift
    local all=()
    for _ in $(seq "$runs"); do
        time_ms "$@"
        if [ "$rc" != "$want" ]; then echo "unexpected exit $rc (want $want): $*" >&2; "$@" | tail -20 >&2 || true; exit 2; fi
        all+=("$ms")
    done
    best=$(printf '%s\n' "${all[@]}" | sort -n | head -1)
    median=$(printf '%s\n' "${all[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p")
}
ratio() { python3 -c "import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); print(f'{b / a:.1f}x' if a else 'inf')" "$1" "$2"; }

g=("${offline[@]}" "$GARRISON_BIN" verify --dists "$work/dists" --policy "$work/policy.toml")
# Outcome check (not timed): 99 hash-ok + 1 verified, exit 0.
"$GARRISON_BIN" verify --lock "$work/requirements.txt" --dists "$work/dists" --policy "$work/policy.toml" -f json > "$work/out.json"
summary=$(python3 -c "import json,sys; v=json.load(open(sys.argv[1])); print(' '.join(f'{k}={c}' for k,c in v['summary'].items() if c), 'ok=' + str(v['ok']))" "$work/out.json")

bench 0 "${g[@]}" --lock "$work/requirements.txt"; g_req=$best; g_req_med=$median
bench 0 "${g[@]}" --lock "$work/pylock.toml"; g_py=$best; g_py_med=$median
bench 0 "${offline[@]}" "$pip" install --no-index --find-links "$work/dists" --require-hashes --no-deps --ignore-installed --dry-run -q -r "$work/requirements-wheels.txt"; pip_dry=$best; pip_dry_med=$median
bench 0 "${offline[@]}" "$pip" hash "$work"/dists/*.whl "$work/dists/$sdist"; pip_hash=$best; pip_hash_med=$median

att="$data/$sdist.publish.attestation"
read -r a_par a_seq < <("${offline[@]}" "$attest_bin" "$att" "$sdist" "$sdist_sha" "$publisher" "$n")
a_py=$("${offline[@]}" "$work/venv/bin/python" "$here/verify-lock-attest.py" "$att" "$sdist" "$sdist_sha" trailofbits/pypi-attestations release.yml "$n" 2>/dev/null)
time_ms "${offline[@]}" "$work/venv/bin/pypi-attestations" verify attestation --offline \
    --identity "https://github.com/trailofbits/pypi-attestations/.github/workflows/release.yml@refs/tags/v0.0.19" "$work/dists/$sdist"
[ "$rc" = 0 ] || { echo "pypi-attestations verify failed" >&2; exit 2; }
cli_py=$ms

cat <<EOF
date:       $(date -u +%Y-%m-%d)
machine:    $(nproc) cores; $(python3 -c 'import platform; print(platform.python_implementation(), platform.python_version())'); pip $("$pip" --version | cut -d' ' -f2); pypi-attestations $("$pip" show pypi-attestations | sed -n 's/^Version: //p')
garrison:   $(cd "$root" && git rev-parse --short HEAD 2>/dev/null || echo '?') ($GARRISON_BIN)
offline:    ${offline[*]:-(no network namespace available)}
dists:      $count files, $((bytes / 1048576)) MiB; outcomes: $summary
runs:       $runs (fastest / median, ms)

lock verification, $count-package lock:
  garrison verify --lock requirements.txt   $g_req / $g_req_med ms
  garrison verify --lock pylock.toml        $g_py / $g_py_med ms
  pip install --dry-run --require-hashes    $pip_dry / $pip_dry_med ms   (99 wheels)   garrison $(ratio "$g_req" "$pip_dry") faster
  pip hash (100 files)                      $pip_hash / $pip_hash_med ms               garrison $(ratio "$g_req" "$pip_hash") faster
  garrison throughput: $(python3 -c "print(f'{$count / max($g_req, 1) * 1000:.0f} dists/s, {$bytes / 1048576 / max($g_req, 1) * 1000:.0f} MiB/s')")
  goal < 1000 ms: $([ "$g_req" -lt 1000 ] && [ "$g_py" -lt 1000 ] && echo met || echo NOT met)

attestation verification, $n x the real $sdist attestation:
  garrison, parallel ($(nproc) threads)       ${a_par} ms   ($(python3 -c "print(f'{$n / $a_par * 1000:.0f}')") /s)
  garrison, one thread                     ${a_seq} ms   ($(python3 -c "print(f'{$n / $a_seq * 1000:.0f}')") /s)
  pypi-attestations (in-process loop)      ${a_py} ms   ($(python3 -c "print(f'{$n / $a_py * 1000:.0f}')") /s)   garrison one thread $(ratio "$a_seq" "$a_py") faster, parallel $(ratio "$a_par" "$a_py")
  pypi-attestations verify attestation CLI, 1 file (process start included): ${cli_py} ms
EOF
