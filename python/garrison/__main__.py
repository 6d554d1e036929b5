"""``python -m garrison``: run the garrison executable with the same arguments."""

import os
import sys

from garrison import find_garrison_bin


def _run() -> None:
    garrison = find_garrison_bin()
    if sys.platform == "win32":
        import subprocess

        sys.exit(subprocess.run([garrison, *sys.argv[1:]]).returncode)
    os.execvp(garrison, [garrison, *sys.argv[1:]])


if __name__ == "__main__":
    _run()
