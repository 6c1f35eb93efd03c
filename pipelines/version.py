"""The code version that built a table or an export: the git commit when run from a checkout, else the package's."""

from __future__ import annotations

import functools
import subprocess
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@functools.cache
def code_version() -> str:
    try:
        package = version("crm360")
    except PackageNotFoundError:
        package = "unknown"
    if (ROOT / ".git").exists():
        try:
            commit = subprocess.run(["git", "-C", str(ROOT), "describe", "--always", "--dirty", "--abbrev=12"],
                                    capture_output=True, text=True, timeout=10, check=True).stdout.strip()
            return f"{package}+{commit}"
        except (OSError, subprocess.SubprocessError):
            pass
    return package
