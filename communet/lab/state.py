"""The lab's state directory and its manifest: a record of everything ``up`` created.

Every namespace, root-namespace link, process and user is written to the manifest
*before* it is created (processes right after they start), one JSON object a line,
flushed at once, so ``down`` can remove exactly what ``up`` made, also after a crash.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from communet import ROOT

#: Every namespace, bridge and root-namespace link of the lab starts with this.
PREFIX = "cn-"
DEFAULT_DIR = ROOT / ".lab"


@dataclass(frozen=True, slots=True)
class Entry:
    """One thing the lab made: ``kind`` is netns, link, process, user, dir, done, or an identity.

    ``netns-id`` and ``link-id`` entries follow the creation of a namespace or a
    root-namespace link and carry its identity (``ident``: the namespace's inode, the
    link's ifindex), so ``down`` removes it only while it is still the one this lab made.
    """

    kind: str
    name: str
    pid: int = 0
    start: int = 0  # process start time (clock ticks since boot), guards against PID reuse
    node: str = ""
    ident: int = 0


def proc_start(pid: int) -> int:
    """Start time of ``pid`` from /proc, 0 when the process is gone (or a zombie)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0
    fields = text.rsplit(")", 1)[1].split()
    return 0 if fields[0] in ("Z", "X") else int(fields[19])


#: What ``up`` makes directly under the state dir; ``down`` removes these and nothing else.
OWN_ENTRIES = ("nodes", "ssh", "private", "sipp", "logs", "manifest.jsonl", "lock")


class State:
    """The state directory (``.lab/`` by default) and its append-only manifest."""

    def __init__(self, directory: Path = DEFAULT_DIR) -> None:
        self.dir = directory.resolve()
        self.manifest = self.dir / "manifest.jsonl"

    @contextmanager
    def exclusive(self) -> Iterator[bool]:
        """Hold the state dir's lock while building or removing a lab; yields False when another holds it."""
        self.dir.mkdir(parents=True, exist_ok=True)
        with (self.dir / "lock").open("a") as fh:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            yield True

    def node_dir(self, node: str) -> Path:
        return self.dir / "nodes" / node

    @property
    def ssh_dir(self) -> Path:
        return self.dir / "ssh"

    @property
    def private_dir(self) -> Path:
        """Where the lab keeps what must stay private (the client key, secrets): 0700."""
        return self.dir / "private"

    @property
    def private_key(self) -> Path:
        return self.private_dir / "id_ed25519"

    @property
    def known_hosts(self) -> Path:
        """The host keys of the lab's nodes, written by ``lab up``: clients pin them."""
        return self.ssh_dir / "known_hosts"

    @property
    def secrets_file(self) -> Path:
        return self.private_dir / "secrets.env"

    def record(self, entry: Entry) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        line = json.dumps({k: getattr(entry, k) for k in Entry.__slots__ if getattr(entry, k)})
        with self.manifest.open("a", encoding="utf-8") as fh:
            fh.write(line + "\n")
            fh.flush()
            os.fsync(fh.fileno())

    def process(self, name: str, pid: int, node: str = "") -> None:
        self.record(Entry("process", name, pid=pid, start=proc_start(pid), node=node))

    def entries(self) -> list[Entry]:
        if not self.manifest.exists():
            return []
        out = []
        for line in self.manifest.read_text(encoding="utf-8").splitlines():
            try:
                data = json.loads(line)
            except json.JSONDecodeError:
                continue  # a line cut short by a crash
            out.append(Entry(**data))
        return out

    def of_kind(self, kind: str) -> Iterator[Entry]:
        return (e for e in self.entries() if e.kind == kind)

    def exists(self) -> bool:
        return self.manifest.exists()

    def complete(self) -> bool:
        """``up`` finished (a ``done`` entry closes the manifest)."""
        return any(e.kind == "done" for e in self.entries())

    def holder(self, node: str) -> int:
        """PID of the process holding ``node``'s namespaces (0 when unknown or gone)."""
        for e in self.of_kind("process"):
            if e.node == node and e.name == "holder" and proc_start(e.pid) == e.start:
                return e.pid
        return 0

    def identity(self, kind: str, name: str) -> int:
        """The identity recorded for namespace or link ``name`` (0: none recorded)."""
        found = [e.ident for e in self.of_kind(f"{kind}-id") if e.name == name]
        return found[-1] if found else 0

    def alive(self, entry: Entry) -> bool:
        return entry.pid > 0 and proc_start(entry.pid) == entry.start
