#!/usr/bin/env bash
# Prepare /work/numpy-bench.git for bench/history-vs-git.sh and bench/history-fp.md from the
# numpy mirror fetched for local measurement (the workplace's `fetch github:numpy/numpy`).
#
# The snapshot lacks one blob (02711d86…, numpy/f2py/lib/research/04-007.pdf, touched by two
# commits of 2006), so `git log --numstat` aborts on the full history. This makes a bare
# repository that borrows the mirror's objects (alternates) and maps the missing blob to a small
# binary placeholder with a replace ref, which git and gix both honour; both tools then read
# exactly the same objects. Nothing from numpy is committed to Garrison.
set -euo pipefail
MIRROR=${1:-/work/.mirror/numpy+numpy/repo}
OUT=${2:-/work/numpy-bench.git}
rm -rf "$OUT"
git init -q --bare "$OUT"
echo "$MIRROR/objects" >"$OUT/objects/info/alternates"
cp "$MIRROR/packed-refs" "$OUT/" 2>/dev/null || true
cp -r "$MIRROR/refs/." "$OUT/refs/" 2>/dev/null || true
cat "$MIRROR/HEAD" >"$OUT/HEAD"
B=$(printf '%%PDF-1.4\0placeholder for a blob missing from the snapshot\n' | git -C "$OUT" hash-object -w --stdin)
git -C "$OUT" update-ref refs/replace/02711d8672314800fac758d2674669e3e6f891f3 "$B"
echo "$OUT: $(git -C "$OUT" rev-list --count HEAD) commits"
