"""Read what the repository held at a git ref: committed configs, or the inventory."""

from __future__ import annotations

import io
import subprocess
import tarfile
from pathlib import Path

from communet import ROOT


class GitError(RuntimeError):
    """A git command failed (unknown ref, not a repository)."""


def _git(*args: str, cwd: Path = ROOT) -> bytes:
    proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    if proc.returncode != 0:
        raise GitError(proc.stderr.decode(errors="replace").strip() or f"git {' '.join(args)} failed")
    return proc.stdout


def files_at(ref: str, folder: str, cwd: Path = ROOT) -> dict[str, str]:
    """``{file name: text}`` of the files directly in ``folder`` at ``ref``."""
    names = _git("ls-tree", "--name-only", f"{ref}:{folder}", cwd=cwd).decode().split()
    return {name: _git("show", f"{ref}:{folder}/{name}", cwd=cwd).decode() for name in names}


def export_at(ref: str, folder: str, dest: Path, cwd: Path = ROOT) -> Path:
    """Extract ``folder`` as it was at ``ref`` under ``dest``; return its path there."""
    data = _git("archive", "--format=tar", ref, folder, cwd=cwd)
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(dest, filter="data")
    return dest / folder
