"""Garrison: security for the Scientific Python ecosystem.

The package ships the ``garrison`` executable; ``python -m garrison`` runs it.
"""

import os
import sys
import sysconfig


def find_garrison_bin() -> str:
    """Return the path to the installed ``garrison`` executable."""
    exe = "garrison" + sysconfig.get_config_var("EXE") if sysconfig.get_config_var("EXE") else "garrison"
    candidates = [
        os.path.join(sysconfig.get_path("scripts"), exe),
        os.path.join(sysconfig.get_path("scripts", vars={"base": sys.base_prefix}), exe),
    ]
    user_scheme = f"{os.name}_user"
    if user_scheme in sysconfig.get_scheme_names():
        candidates.append(os.path.join(sysconfig.get_path("scripts", scheme=user_scheme), exe))
    for path in candidates:
        if os.path.isfile(path):
            return path
    raise FileNotFoundError(exe)
