"""The command-line tools the tests run: beside the running interpreter (its venv), else on PATH."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path


def tool(name: str) -> str:
    """``name``'s path: the one installed with this interpreter first, then PATH; a clear error if neither."""
    here = Path(sys.executable).parent / name
    if here.is_file():
        return str(here)
    found = shutil.which(name)
    if found is None:
        raise FileNotFoundError(f"{name}: not installed beside {sys.executable} nor on PATH")
    return found
