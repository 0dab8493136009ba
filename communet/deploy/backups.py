"""Backups of running configs: one timestamped directory per deploy, the newest N kept.

Backups hold the devices' real configs (secrets included, as rollback needs them),
so directories are private to the owner (0700) and files 0600.
"""

from __future__ import annotations

import os
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

STAMP_FORMAT = "%Y%m%dT%H%M%S%fZ"
_STAMP = re.compile(r"^\d{8}T\d{12}Z$")


def stamp(now: datetime | None = None) -> str:
    """A sortable UTC timestamp, e.g. ``20260101T120000000000Z``."""
    return (now or datetime.now(UTC)).strftime(STAMP_FORMAT)


class BackupStore:
    """``root/<stamp>/<device>/<name>``: this run's backups, under ``root``."""

    def __init__(self, root: Path, keep: int = 10, now: datetime | None = None) -> None:
        if keep < 1:
            raise ValueError("keep at least one backup")
        self.root = root
        self.keep = keep
        self.run_dir = root / stamp(now)

    def write(self, device: str, name: str, text: str) -> Path:
        folder = self.run_dir / device
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(self.root, 0o700)
        path = folder / name
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        return path

    def read(self, device: str, name: str) -> str:
        return (self.run_dir / device / name).read_text(encoding="utf-8")

    def runs(self) -> list[Path]:
        """Every backup directory, oldest first."""
        if not self.root.is_dir():
            return []
        return sorted(p for p in self.root.iterdir() if p.is_dir() and _STAMP.match(p.name))

    def rotate(self) -> list[Path]:
        """Remove all but the newest ``keep`` runs; return what was removed."""
        old = self.runs()[: -self.keep]
        for path in old:
            shutil.rmtree(path)
        return old
