"""Kamailio: check the file with ``kamailio -c``, then restart the server on it.

Kamailio cannot swap its routing script live, so apply is a restart. The driver
learns how the server runs from the server itself: the process listening on the
SIP port (``ss -p`` sees the node's own sockets), its command line (``-f`` config,
``-P`` PID file, ``-A`` defines). The intended file is installed next to the PID
file and the server restarted with ``-f`` pointing at it; the file it ran before is
never touched, so a rollback restarts the server with its previous command line.
"""

from __future__ import annotations

import difflib
import posixpath
import re
import shlex
import time

from communet.deploy.drivers.base import Driver, Expect, Snapshot, StepFailed, wait_for

INTENDED = "kamailio.cfg"  # installed in the PID file's directory
STAGED = "kamailio.cfg.intended"
LOG = "kamailio-deploy.log"
_PID = re.compile(r"pid=(\d+)")


def option(argv: list[str], flag: str) -> str | None:
    """The value after ``flag`` in ``argv``.

    >>> option(["kamailio", "-f", "a.cfg", "-P", "k.pid"], "-P")
    'k.pid'
    """
    for i, arg in enumerate(argv[:-1]):
        if arg == flag:
            return argv[i + 1]
    return None


def with_option(argv: list[str], flag: str, value: str) -> list[str]:
    """``argv`` with ``flag``'s value replaced (appended when absent)."""
    out = list(argv)
    for i, arg in enumerate(out[:-1]):
        if arg == flag:
            out[i + 1] = value
            return out
    return [*out, flag, value]


def defines(argv: list[str]) -> list[str]:
    """The ``-A NAME=VALUE`` defines, which a config check needs as the server had them."""
    return [x for i, arg in enumerate(argv[:-1]) if arg == "-A" for x in ("-A", argv[i + 1])]


class KamailioDriver(Driver):
    argv: list[str]

    @property
    def port(self) -> int:
        return self.intent.port  # type: ignore[union-attr]

    def running_argv(self) -> list[str]:
        out = self.ssh.run(f"ss -Hlunp 'sport = :{self.port}'")
        pids = _PID.findall(out.out)
        if out.rc != 0 or not pids:
            raise StepFailed(f"no Kamailio listens on udp/{self.port}")
        cmdline = self.ssh.run(f"cat /proc/{min(map(int, pids))}/cmdline")
        argv = [a for a in cmdline.out.split("\0") if a]
        if cmdline.rc != 0 or option(argv, "-f") is None or option(argv, "-P") is None:
            raise StepFailed(f"cannot read how Kamailio runs (-f, -P): {argv}")
        return argv

    def paths(self) -> tuple[str, str, str]:
        """(PID file, the intended file's path, the staged file's path)."""
        pidfile = option(self.argv, "-P") or ""
        folder = posixpath.dirname(pidfile)
        return pidfile, posixpath.join(folder, INTENDED), posixpath.join(folder, STAGED)

    def snapshot(self) -> Snapshot:
        self.argv = self.running_argv()
        config = self.ssh.read(option(self.argv, "-f") or "")
        return Snapshot(files={"kamailio.cfg": config, "kamailio.argv": "\0".join(self.argv)})

    def stage(self, intended: str) -> None:
        self.ssh.write(self.paths()[2], intended)

    def diff(self, snap: Snapshot, intended: str) -> list[str]:
        lines = difflib.unified_diff(
            snap.files["kamailio.cfg"].splitlines(), intended.splitlines(), "running", "intended", lineterm=""
        )
        return list(lines)

    def check(self) -> None:
        staged = self.paths()[2]
        argv = ["kamailio", "-c", "-f", staged, *defines(self.argv)]
        out = self.ssh.run(shlex.join(argv))
        if out.rc != 0:
            lines = [line for line in out.text.splitlines() if "ERROR" in line or "error" in line]
            raise StepFailed(f"kamailio -c refuses the config: {' | '.join(lines[-2:]) or out.text[-300:]}")

    def restart(self, argv: list[str]) -> None:
        pidfile = option(argv, "-P") or ""
        log = posixpath.join(posixpath.dirname(pidfile), LOG)
        self.ssh.run(f"test -s {pidfile} && kill $(cat {pidfile})")
        deadline = time.monotonic() + 10
        while self.ssh.run(f"test -s {pidfile} && kill -0 $(cat {pidfile})").rc == 0:
            if time.monotonic() > deadline:
                raise StepFailed("the running Kamailio did not stop within 10s")
            time.sleep(0.2)
        out = self.ssh.run(f"rm -f {pidfile}; setsid {shlex.join(argv)} >>{log} 2>&1 </dev/null & echo started")
        if out.rc != 0:
            raise StepFailed(f"cannot start Kamailio: {out.text}")

    def apply(self) -> None:
        _, target, staged = self.paths()
        out = self.ssh.run(f"cp {staged} {target}")
        if out.rc != 0:
            raise StepFailed(f"cannot install {target}: {out.text}")
        self.restart(with_option(self.argv, "-f", target))

    def listening(self) -> str | None:
        out = self.ssh.run(f"ss -Hlun 'sport = :{self.port}'")
        return None if out.rc == 0 and out.out.strip() else f"Kamailio does not listen on udp/{self.port}"

    def verify(self, expect: Expect, timeout: float) -> None:
        problem = wait_for(self.listening, min(timeout, 15), interval=0.3)
        if problem:
            raise StepFailed(problem)

    def rollback(self, snap: Snapshot) -> None:
        argv = [a for a in snap.files["kamailio.argv"].split("\0") if a]
        self.restart(argv)
        problem = wait_for(self.listening, 15, interval=0.3)
        if problem:
            raise StepFailed(f"after rollback: {problem}")
        if self.ssh.read(option(argv, "-f") or "") != snap.files["kamailio.cfg"]:
            raise StepFailed("the config Kamailio runs after rollback differs from the backup")

    def cleanup(self) -> None:
        self.ssh.run(f"rm -f {self.paths()[2]}")
