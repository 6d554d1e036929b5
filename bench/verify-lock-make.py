#!/usr/bin/env python3
"""Writes the locks for bench/verify-lock.sh from a directory of downloaded dists.

    verify-lock-make.py DISTS OUT

OUT/requirements.txt  `name==version --hash=sha256:…` per package (pip-compile style)
OUT/requirements-wheels.txt  the same for the wheels only (pip cannot build the sdist offline)
OUT/pylock.toml       PEP 751, one [[packages]] entry per dist with its file name and hash

Names and versions come from the file names (wheel: name-version-…; sdist: name-version.tar.gz),
names normalized per PEP 503. Standard library only.
"""
import hashlib
import pathlib
import re
import sys


def name_version(filename: str):
    if filename.endswith(".whl"):
        parts = filename[:-4].split("-")
        return parts[0], parts[1]
    stem = re.sub(r"\.(tar\.gz|zip)$", "", filename)
    name, _, version = stem.rpartition("-")
    return name, version


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def main() -> None:
    dists, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    req, wheels = [], []
    pylock = ['lock-version = "1.0"', 'created-by = "garrison bench/verify-lock-make.py"', ""]
    for f in sorted(p for p in dists.iterdir() if p.suffix in (".whl", ".gz", ".zip")):
        digest = hashlib.sha256(f.read_bytes()).hexdigest()
        name, version = name_version(f.name)
        line = f"{normalize(name)}=={version} --hash=sha256:{digest}"
        req.append(line)
        if f.name.endswith(".whl"):
            wheels.append(line)
        key = "wheels = [{" if f.name.endswith(".whl") else "sdist = {"
        end = "}]" if f.name.endswith(".whl") else "}"
        pylock += [
            "[[packages]]",
            f'name = "{normalize(name)}"',
            f'version = "{version}"',
            f'{key} name = "{f.name}", size = {f.stat().st_size}, hashes = {{ sha256 = "{digest}" }} {end}',
            "",
        ]
    (out / "requirements.txt").write_text("\n".join(req) + "\n")
    (out / "requirements-wheels.txt").write_text("\n".join(wheels) + "\n")
    (out / "pylock.toml").write_text("\n".join(pylock))
    print(f"{len(req)} packages locked ({len(wheels)} wheels)")


if __name__ == "__main__":
    main()
