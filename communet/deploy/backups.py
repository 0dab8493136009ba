"""Backups of running configs: one numbered directory per deploy, the newest N of each kind kept.

Runs are numbered in order (``000001-commit``, ``000002-dry-run``, ...), never named
by the wall clock, so a clock that steps backwards cannot make the current run look
old. Rotation keeps the newest ``keep`` runs of each kind separately, so dry runs
never evict the backups taken before real changes, and it never removes the current
run's directory.

Backups hold the devices' real configs (secrets included, as rollback needs them),
so directories are private to the owner (0700) and files 0600.

>>> import tempfile, pathlib
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> for kind in ("commit", "dry-run", "dry-run", "dry-run"):
...     store = BackupStore(root, keep=1, kind=kind)
...     _ = store.write("r1", "running.conf", "x")
...     _ = store.rotate()
>>> sorted(p.name for p in store.runs())
['000001-commit', '000004-dry-run']
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from pathlib import Path

KINDS = ("commit", "dry-run")
_RUN = re.compile(r"^(\d{6,})-(commit|dry-run)$")


def run_number(path: Path) -> int:
    match = _RUN.match(path.name)
    return int(match.group(1)) if match else 0


class BackupStore:
    """``root/<number>-<kind>/<device>/<name>``: this run's backups, under ``root``."""

    def __init__(self, root: Path, keep: int = 10, kind: str = "commit") -> None:
        if keep < 1:
            raise ValueError("keep at least one backup")
        if kind not in KINDS:
            raise ValueError(f"backup kind {kind!r} is not one of {', '.join(KINDS)}")
        self.root = root
        self.keep = keep
        self.kind = kind
        self._run_dir: Path | None = None
        self._lock = threading.Lock()

    @property
    def run_dir(self) -> Path:
        """This run's directory, numbered after every run already there (made on first use)."""
        with self._lock:
            if self._run_dir is None:
                self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
                os.chmod(self.root, 0o700)
                number = max((run_number(p) for p in self.runs()), default=0) + 1
                while True:
                    path = self.root / f"{number:06d}-{self.kind}"
                    try:
                        path.mkdir(mode=0o700)
                        break
                    except FileExistsError:  # another deploy of this state dir took the number
                        number += 1
                self._run_dir = path
            return self._run_dir

    def use_run(self, name: str) -> None:
        """Write into run ``name``, numbered by another process of the same deploy (Ansible's workers)."""
        if not _RUN.match(name) or not name.endswith(f"-{self.kind}"):
            raise ValueError(f"{name!r} is not a {self.kind} backup run")
        with self._lock:
            self._run_dir = self.root / name
            self._run_dir.mkdir(parents=True, exist_ok=True, mode=0o700)

    def write(self, device: str, name: str, text: str) -> Path:
        folder = self.run_dir / device
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = folder / name
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8", errors="surrogateescape", newline="") as fh:
            fh.write(text)
        return path

    def read(self, device: str, name: str) -> str:
        """The text as written, byte for byte (line ends untranslated)."""
        with open(self.run_dir / device / name, encoding="utf-8", errors="surrogateescape", newline="") as fh:
            return fh.read()

    def runs(self, kind: str | None = None) -> list[Path]:
        """Backup directories (of ``kind``, or all), oldest first by their number."""
        if not self.root.is_dir():
            return []
        found = [p for p in self.root.iterdir() if p.is_dir() and _RUN.match(p.name)]
        return sorted((p for p in found if kind is None or p.name.endswith(f"-{kind}")), key=run_number)

    def rotate(self) -> list[Path]:
        """Remove all but the newest ``keep`` runs of each kind (never this run's); return them."""
        current = self._run_dir
        old = [p for kind in KINDS for p in self.runs(kind)[: -self.keep] if p != current]
        for path in old:
            shutil.rmtree(path)
        return old
