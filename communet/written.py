"""What a command wrote into an output directory: the one writer and pruner of rendered files.

``communet render --out DIR`` and ``communet docs --out DIR`` keep a record of the files
they wrote into DIR (paths relative to DIR, one a line) in the user's cache, outside
DIR, so the output directory holds only the output. A file is removed as stale only
when that record names it and the current run no longer renders it: a file someone else
put in DIR is never touched. Without a record (a fresh clone) nothing is removed, and
``--check`` still names every file that should not be there.

``render`` also records, per file, the key of what rendered it (a hash of everything that
shapes the text: see :func:`communet.render.key`), the SHA-256 of the text and the file's
size and modification time when it was written. :func:`write_files` then renders a file
only when its key changed or the file on disk is not the one it wrote (another size or
time); :func:`check_files` never trusts the record alone: for an unchanged key it hashes
the file on disk and compares with the recorded hash, so a hand-edited file is stale.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path


class OutError(ValueError):
    """``--out`` names something that cannot hold the output (a file, say)."""


@dataclass(frozen=True, slots=True)
class Entry:
    """A file this tool wrote: its name in the output directory and, when known, what rendered it."""

    name: str
    key: str = ""  # what rendered it (empty: unknown)
    digest: str = ""  # SHA-256 of the text written
    size: int = -1
    mtime_ns: int = -1

    def line(self) -> str:
        if not self.key:
            return f"{self.name}\n"
        return f"{self.name}\t{self.key}\t{self.digest}\t{self.size}\t{self.mtime_ns}\n"


@dataclass(frozen=True, slots=True)
class File:
    """One file to render: its name in the output directory, its key, and how to make its text."""

    name: str
    key: str
    render: Callable[[], str]


def check_out(out: Path) -> None:
    """Refuse an output path that exists and is not a directory."""
    if out.exists() and not out.is_dir():
        raise OutError(f"--out {out}: not a directory\n    hint: name a directory (it is created when missing)")


def record_path(out: Path) -> Path:
    """Where the record of what was written into ``out`` is kept (one file per output directory)."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    digest = hashlib.sha256(str(out.resolve()).encode()).hexdigest()[:24]
    return cache / "communet" / "written" / digest


def _safe(name: str) -> bool:
    return bool(name) and not Path(name).is_absolute() and ".." not in Path(name).parts


def entries(out: Path) -> dict[str, Entry]:
    """What a previous run recorded as its own, by name (relative to ``out``)."""
    path = record_path(out)
    if not path.is_file():
        return {}
    found: dict[str, Entry] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        fields = line.strip("\n").split("\t")
        name = fields[0].strip()
        if not _safe(name):
            continue
        entry = Entry(name)
        if len(fields) == 5 and fields[3].lstrip("-").isdigit() and fields[4].lstrip("-").isdigit():
            entry = Entry(name, fields[1], fields[2], int(fields[3]), int(fields[4]))
        found[name] = entry
    return found


def written(out: Path) -> set[str]:
    """The files a previous run recorded as its own (relative to ``out``)."""
    return set(entries(out))


def stale(out: Path, wanted: Iterable[str]) -> list[Path]:
    """Files this tool wrote before that the current run no longer renders."""
    keep = set(wanted)
    return sorted(out / name for name in written(out) - keep if (out / name).is_file())


def record(out: Path, wanted: Iterable[str], known: dict[str, Entry] | None = None) -> None:
    """Remember ``wanted`` as what this tool wrote into ``out``, with what ``known`` (else the
    previous record) says about each file."""
    before = entries(out)
    known = known or {}
    text = "".join((known.get(n) or before.get(n) or Entry(n)).line() for n in sorted(set(wanted)))
    path = record_path(out)
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(path)  # a run cut short never leaves half a record


def prune(out: Path, wanted: Iterable[str], known: dict[str, Entry] | None = None) -> list[Path]:
    """Remove this tool's stale files, record ``wanted``; return what was removed."""
    keep = list(wanted)
    gone = stale(out, keep)
    for path in gone:
        path.unlink()
    record(out, keep, known)
    return gone


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _entry(name: str, key: str, data: bytes, path: Path) -> Entry:
    st = path.stat()
    return Entry(name, key, _digest(data), st.st_size, st.st_mtime_ns)


@dataclass(frozen=True, slots=True)
class Outcome:
    changed: list[Path]  # written or removed
    files: int  # files wanted
    rendered: int  # files whose text was made in this run (the others were known unchanged)


def write_files(out: Path, files: Iterable[File]) -> Outcome:
    """Write each file whose text changed, remove this tool's files no longer wanted, record the rest.

    A file is rendered only when its key differs from the recorded one or the file on disk is
    not the one recorded (missing, another size or modification time); it is written only when
    the new text differs from what is on disk.
    """
    check_out(out)
    out.mkdir(parents=True, exist_ok=True)
    before = entries(out)
    known: dict[str, Entry] = {}
    changed: list[Path] = []
    names: list[str] = []
    rendered = 0
    for f in files:
        names.append(f.name)
        path = out / f.name
        old = before.get(f.name)
        try:
            st = path.stat()
        except FileNotFoundError:
            st = None
        same = bool(old and f.key and old.key == f.key)
        if same and st and old and st.st_size == old.size and st.st_mtime_ns == old.mtime_ns:
            known[f.name] = old
            continue
        data = f.render().encode("utf-8")
        rendered += 1
        if st is None or st.st_size != len(data) or path.read_bytes() != data:
            path.write_bytes(data)
            changed.append(path)
        known[f.name] = _entry(f.name, f.key, data, path)
    return Outcome(changed + prune(out, names, known), len(names), rendered)


def check_files(out: Path, files: Iterable[File]) -> tuple[list[Path], int]:
    """Files that differ from what would render (missing, changed, hand-edited); and how many were rendered.

    For a file whose key is the recorded one, the file on disk is hashed and compared with the
    recorded hash of what that key renders; any other file is rendered and compared. Files
    found up to date are recorded, so the next check renders them no more; nothing in ``out``
    is touched.
    """
    check_out(out)
    before = entries(out)
    known: dict[str, Entry] = {}
    bad: list[Path] = []
    rendered = 0
    for f in files:
        path = out / f.name
        if not path.is_file():
            bad.append(path)
            continue
        data = path.read_bytes()
        old = before.get(f.name)
        if old and f.key and old.key == f.key and old.digest:
            if _digest(data) != old.digest:
                bad.append(path)
            else:
                known[f.name] = Entry(f.name, old.key, old.digest, *_stat(path))
            continue
        text = f.render().encode("utf-8")
        rendered += 1
        if text != data:
            bad.append(path)
        else:
            known[f.name] = _entry(f.name, f.key, data, path)
    if before:
        # remember what was verified; every name recorded before stays (a later render prunes it)
        record(out, set(before) | set(known), known)
    return bad, rendered


def _stat(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_size, st.st_mtime_ns
