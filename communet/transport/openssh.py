"""A device session over OpenSSH: one master connection, every command a channel over it.

:meth:`Session.open` starts ``ssh -M -N`` (the master, in its own process group so a
Ctrl-C in the terminal does not cut a remote reload short) and waits until its
control socket exists, which OpenSSH creates only once the host key was checked and
the login succeeded. :meth:`Session.run` then costs one channel, not one handshake.
Output is decoded tolerantly (a non-UTF-8 byte becomes U+FFFD, never an exception).
"""

from __future__ import annotations

import contextlib
import os
import shlex
import signal
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from communet.transport.endpoint import Endpoint

#: ``ssh`` exits with 255 when the connection or the authentication fails.
SSH_FAILED = 255
#: What OpenSSH prints when the host key does not match, or is not known, with strict checking.
HOST_KEY_SIGNS = ("REMOTE HOST IDENTIFICATION HAS CHANGED", "Host key verification failed", "host key is known")


class Unreachable(ConnectionError):
    """SSH could not connect or authenticate, or the connection broke."""


class HostKeyChanged(Unreachable):
    """The device's host key is not the one pinned in known_hosts: stop, someone may be in between."""


@dataclass(frozen=True, slots=True)
class Output:
    rc: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return (self.out + self.err).strip()


def decode(data: bytes | None) -> str:
    """Device output as text, whatever bytes it holds.

    >>> decode(b"ok \\xff")
    'ok \\ufffd'
    """
    return (data or b"").decode("utf-8", errors="replace")


_children: set[subprocess.Popen[bytes]] = set()
_children_lock = threading.Lock()


def _track(proc: subprocess.Popen[bytes], live: bool) -> None:
    with _children_lock:
        (_children.add if live else _children.discard)(proc)


def stop_children() -> int:
    """Stop every ssh child still running (each is its own process group); return how many."""
    with _children_lock:
        procs = list(_children)
    for proc in procs:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGTERM)
    for proc in procs:
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=5)
    return len(procs)


def _spawn(argv: list[str], **kwargs: object) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(argv, start_new_session=True, **kwargs)  # type: ignore[call-overload]
    _track(proc, True)
    return proc  # type: ignore[no-any-return]


def classify(endpoint: Endpoint, stderr: str) -> Unreachable:
    """The exception for an ssh failure, from what ssh printed."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip() and not set(line.strip()) <= {"@"}]
    reason = lines[-1] if lines else "ssh failed"
    if any(sign in stderr for sign in HOST_KEY_SIGNS):
        where = f" in {endpoint.known_hosts}" if endpoint.known_hosts else ""
        return HostKeyChanged(
            f"{endpoint.login}: host key does not match the one pinned{where}; stopping "
            f"(hint: if the device was really re-keyed, update the known_hosts file): {reason}"
        )
    return Unreachable(f"{endpoint.login}: {reason}")


class Session:
    """One master connection to ``endpoint``; open it first, close it last."""

    def __init__(self, endpoint: Endpoint) -> None:
        self.endpoint = endpoint
        self._dir: Path | None = None
        self._master: subprocess.Popen[bytes] | None = None

    @property
    def socket(self) -> Path:
        if self._dir is None:
            raise Unreachable(f"{self.endpoint.login}: not connected")
        return self._dir / "s"

    def open(self) -> None:
        """Connect and authenticate (raises :class:`Unreachable`, :class:`HostKeyChanged`)."""
        if self._master is not None:
            return
        self._dir = Path(tempfile.mkdtemp(prefix="cn-ssh-"))
        with tempfile.TemporaryFile() as err:
            argv = ["ssh", "-M", "-N", "-S", str(self.socket), "-o", "ControlPersist=no", *self.endpoint.options()]
            self._master = _spawn([*argv, self.endpoint.login], stdin=subprocess.DEVNULL, stdout=err, stderr=err)
            problem = self._wait_master(err)
        if problem is not None:
            self.close()
            raise problem

    def _wait_master(self, err: IO[bytes]) -> Unreachable | None:
        """None once the control socket exists; the failure when the master exits or times out first."""
        assert self._master is not None
        deadline = time.monotonic() + self.endpoint.connect_timeout + 15
        while not self.socket.exists():
            if self._master.poll() is not None or time.monotonic() > deadline:
                err.seek(0)
                return classify(self.endpoint, decode(err.read()) or "no answer")
            time.sleep(0.01)
        return None

    def run(self, command: str, stdin: str | bytes | None = None, timeout: float = 120, shell: bool = True) -> Output:
        """Run ``command`` in the device's shell (as given, for a CLI login, when not ``shell``);
        raise :class:`Unreachable` on an SSH failure."""
        rc, out, err = self.run_raw(command, stdin, timeout, shell)
        return Output(rc, decode(out), decode(err))

    def run_raw(
        self, command: str, stdin: str | bytes | None = None, timeout: float = 120, shell: bool = True
    ) -> tuple[int, bytes, bytes]:
        """:meth:`run` with the output as bytes."""
        self.open()
        # a command's own exit status 255 would read as an SSH failure: report it as 254
        wrapped = f"{{ {command}\n}}; rc=$?; [ $rc -eq {SSH_FAILED} ] && rc=254; exit $rc" if shell else command
        argv = ["ssh", "-S", str(self.socket), "-o", "ControlMaster=no", *self.endpoint.options()]
        data = stdin.encode() if isinstance(stdin, str) else stdin
        proc = _spawn(
            [*argv, self.endpoint.login, wrapped],
            stdin=subprocess.PIPE if data is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        try:
            out, err = proc.communicate(data, timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            proc.communicate()
            raise Unreachable(f"{self.endpoint.address}: no answer within {timeout:g}s") from None
        finally:
            _track(proc, False)
        if proc.returncode == SSH_FAILED:
            raise classify(self.endpoint, decode(err))
        return proc.returncode, out, err

    def channel(self, command: str) -> subprocess.Popen[bytes]:
        """A long-lived command over the connection (stdin and stdout piped); :meth:`forget` it when done."""
        self.open()
        argv = ["ssh", "-S", str(self.socket), "-o", "ControlMaster=no", *self.endpoint.options()]
        return _spawn([*argv, self.endpoint.login, command], stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def forget(self, proc: subprocess.Popen[bytes]) -> None:
        if proc.stdout is not None:
            proc.stdout.close()
        _track(proc, False)

    def read(self, path: str) -> str:
        """The file's text; raises OSError when it cannot be read (never an empty text instead)."""
        out = self.run(f"cat {shlex.quote(path)}")
        if out.rc != 0:
            raise OSError(f"cannot read {path}: {out.text}")
        return out.out

    def close(self) -> None:
        master, self._master = self._master, None
        if master is not None:
            if master.poll() is None and self._dir is not None:
                subprocess.run(
                    ["ssh", "-S", str(self.socket), "-O", "exit", self.endpoint.login],
                    capture_output=True,
                    timeout=10,
                    check=False,
                )
            with contextlib.suppress(ProcessLookupError):
                if master.poll() is None:
                    os.killpg(master.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                master.wait(timeout=5)
            _track(master, False)
        if self._dir is not None:
            with contextlib.suppress(FileNotFoundError):
                (self._dir / "s").unlink()
            with contextlib.suppress(OSError):
                self._dir.rmdir()
            self._dir = None

    def __enter__(self) -> Session:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
