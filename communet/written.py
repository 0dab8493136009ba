"""What a command wrote into an output directory, so that it prunes only its own files.

``communet render --out DIR`` and ``communet docs --out DIR`` keep a list of the files
they wrote into DIR (paths relative to DIR, one a line) in the user's cache, outside
DIR, so the output directory holds only the output. A file is removed as stale only
when that list names it and the current run no longer renders it: a file someone else
put in DIR is never touched. Without a list (a fresh clone) nothing is removed, and
``--check`` still names every file that should not be there.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path


class OutError(ValueError):
    """``--out`` names something that cannot hold the output (a file, say)."""


def check_out(out: Path) -> None:
    """Refuse an output path that exists and is not a directory."""
    if out.exists() and not out.is_dir():
        raise OutError(f"--out {out}: not a directory\n    hint: name a directory (it is created when missing)")


def record_path(out: Path) -> Path:
    """Where the list of what was written into ``out`` is kept (one file per output directory)."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    digest = hashlib.sha256(str(out.resolve()).encode()).hexdigest()[:24]
    return cache / "communet" / "written" / digest


def written(out: Path) -> set[str]:
    """The files a previous run recorded as its own (relative to ``out``)."""
    path = record_path(out)
    if not path.is_file():
        return set()
    names = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        name = line.strip()
        if name and not Path(name).is_absolute() and ".." not in Path(name).parts:
            names.add(name)
    return names


def stale(out: Path, wanted: Iterable[str]) -> list[Path]:
    """Files this tool wrote before that the current run no longer renders."""
    keep = set(wanted)
    return sorted(out / name for name in written(out) - keep if (out / name).is_file())


def record(out: Path, wanted: Iterable[str]) -> None:
    """Remember ``wanted`` as what this tool wrote into ``out``."""
    text = "".join(f"{name}\n" for name in sorted(set(wanted)))
    path = record_path(out)
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def prune(out: Path, wanted: Iterable[str]) -> list[Path]:
    """Remove this tool's stale files, record ``wanted``; return what was removed."""
    keep = list(wanted)
    gone = stale(out, keep)
    for path in gone:
        path.unlink()
    record(out, keep)
    return gone
