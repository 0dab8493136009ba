"""A lock on the device itself, so two deploys (two checkouts, a direct playbook run) never
change one device at once.

Held for the whole device run by a channel of the device's own connection: ``flock`` on
a file in the login user's staging directory, kept while the channel's stdin is open.
When the deploy or its connection dies, the channel ends and the lock frees itself.
"""

from __future__ import annotations

import contextlib
import select
import shlex
import subprocess

from communet.transport import Session

#: ``flock -E``: the exit status when another holds the lock.
HELD = 75
READY = b"locked\n"


class DeviceLocked(RuntimeError):
    """Another deploy holds this device."""


class DeviceLock:
    def __init__(self, session: Session, path: str, wait: float = 20) -> None:
        self.session = session
        self.path = path
        self.wait = wait
        self._proc: subprocess.Popen[bytes] | None = None

    def command(self) -> str:
        folder, path = shlex.quote(self.path.rsplit("/", 1)[0]), shlex.quote(self.path)
        hold = f"mkdir -p -m 0700 {folder} && exec flock -n -E {HELD} {path} sh -c 'echo locked; exec cat >/dev/null'"
        return hold

    def acquire(self) -> None:
        """Take the lock (raises :class:`DeviceLocked`, or ``Unreachable`` from the session)."""
        proc = self.session.channel(self.command())
        assert proc.stdout is not None
        ready, _, _ = select.select([proc.stdout], [], [], self.wait)
        line = proc.stdout.readline() if ready else b""
        if line == READY:
            self._proc = proc
            return
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=5)
        self.session.forget(proc)
        address = self.session.endpoint.address
        if proc.returncode == HELD:
            raise DeviceLocked(f"{address}: another deploy holds this device ({self.path}); nothing was changed")
        raise DeviceLocked(f"{address}: cannot take the device lock {self.path} (exit {proc.returncode})")

    def release(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        with contextlib.suppress(OSError):
            if proc.stdin is not None:
                proc.stdin.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=10)
        self.session.forget(proc)
