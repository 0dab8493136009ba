"""Kamailio: check the file with ``kamailio -c``, then restart the server on it.

Kamailio cannot swap its routing script live, so apply is a restart. The driver
learns how the server runs from the server itself: the process listening on the
SIP port (``ss -p`` sees the node's own sockets), its command line (``-f`` config,
``-P`` PID file, ``-A`` defines). The intended file is installed in the one of two
slots next to the PID file that the server does not run on, and the server restarted
with ``-f`` pointing at it. A rollback puts the backed-up file back where the previous
command line reads it (when it differs), restarts on it, and checks that the server
answers a SIP OPTIONS and runs the backed-up file byte for byte.
"""

from __future__ import annotations

import difflib
import posixpath
import re
import shlex
import time

from communet.deploy.drivers.base import Driver, Expect, Snapshot, StepFailed, wait_for

#: Two config slots in the PID file's directory: apply installs the one the server does not run,
#: so the file a rollback restarts on is never the file just written.
SLOTS = ("kamailio.a.cfg", "kamailio.b.cfg")
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
    """Learns how the server runs in :meth:`snapshot`; every later step needs that first."""

    argv: list[str] | None = None

    @property
    def port(self) -> int:
        return self.intent.port  # type: ignore[union-attr]

    def running(self) -> list[str]:
        if self.argv is None:
            raise StepFailed("how Kamailio runs is not known: the backup did not run")
        return self.argv

    def running_argv(self) -> list[str]:
        out = self.ssh.run(self.ssh.sudo(f"ss -Hlunp 'sport = :{self.port}'"))
        pids = _PID.findall(out.out)
        if out.rc != 0 or not pids:
            raise StepFailed(f"no Kamailio listens on udp/{self.port}")
        cmdline = self.ssh.run(self.ssh.sudo(f"cat /proc/{min(map(int, pids))}/cmdline"))
        argv = [a for a in cmdline.out.split("\0") if a]
        if cmdline.rc != 0 or option(argv, "-f") is None or option(argv, "-P") is None:
            raise StepFailed(f"cannot read how Kamailio runs (-f, -P): {argv}")
        return argv

    def folder(self) -> str:
        return posixpath.dirname(option(self.running(), "-P") or "")

    def staged(self) -> str:
        return posixpath.join(self.folder(), STAGED)

    def next_slot(self) -> str:
        """The slot the server does not run on now."""
        current = posixpath.basename(option(self.running(), "-f") or "")
        return posixpath.join(self.folder(), SLOTS[1] if current == SLOTS[0] else SLOTS[0])

    def snapshot(self) -> Snapshot:
        self.argv = self.running_argv()
        clean, config = self.ssh.batch(
            [self.ssh.sudo(f"rm -f {shlex.quote(self.staged())}"), self.ssh.sudo(f"cat {shlex.quote(self.config())}")]
        )
        if clean.rc != 0 or config.rc != 0:
            raise StepFailed(f"cannot back up {self.config()}: {(clean.text + ' ' + config.text).strip()}")
        return Snapshot(files={"kamailio.cfg": config.out, "kamailio.argv": "\0".join(self.argv)})

    def config(self) -> str:
        return option(self.running(), "-f") or ""

    def stage(self, intended: str) -> None:
        self.ssh.write(self.staged(), intended)

    def check_and_diff(self, snap: Snapshot, intended: str) -> list[str]:
        argv = ["kamailio", "-c", "-f", self.staged(), *defines(self.running())]
        out = self.ssh.run(shlex.join(argv))  # a check needs no privilege
        if out.rc != 0:
            errors = [line for line in out.text.splitlines() if "ERROR" in line or "error" in line]
            raise StepFailed(f"kamailio -c refuses the config: {' | '.join(errors[-2:]) or out.text[-300:]}")
        diff = difflib.unified_diff(
            snap.files["kamailio.cfg"].splitlines(), intended.splitlines(), "running", "intended", lineterm=""
        )
        return list(diff)

    def restart(self, argv: list[str]) -> None:
        pidfile = shlex.quote(option(argv, "-P") or "")
        log = shlex.quote(posixpath.join(posixpath.dirname(option(argv, "-P") or ""), LOG))
        self.ssh.run(self.ssh.sudo(f"sh -c {shlex.quote(f'test -s {pidfile} && kill $(cat {pidfile})')}"))
        alive = self.ssh.sudo(f"sh -c {shlex.quote(f'test -s {pidfile} && kill -0 $(cat {pidfile})')}")
        deadline = time.monotonic() + 10
        while self.ssh.run(alive).rc == 0:
            if time.monotonic() > deadline:
                raise StepFailed("the running Kamailio did not stop within 10s")
            time.sleep(0.1)
        start = f"rm -f {pidfile}; setsid {shlex.join(argv)} >>{log} 2>&1 </dev/null & echo started"
        out = self.ssh.run(self.ssh.sudo(f"sh -c {shlex.quote(start)}"))
        if out.rc != 0:
            raise StepFailed(f"cannot start Kamailio: {out.text}")

    def apply(self) -> None:
        slot = self.next_slot()
        out = self.ssh.run(self.ssh.sudo(f"cp {shlex.quote(self.staged())} {shlex.quote(slot)}"))
        if out.rc != 0:
            raise StepFailed(f"cannot install {slot}: {out.text}")
        self.restart(with_option(self.running(), "-f", slot))

    def answers(self) -> str | None:
        """None when the server answers a SIP OPTIONS on its address (sent from the device itself)."""
        out = self.ssh.run(f"python3 -c {shlex.quote(OPTIONS_PROBE)} {shlex.quote(self.intent.listen_v4)} {self.port}")  # type: ignore[union-attr]
        if out.rc == 0:
            return None
        return f"Kamailio does not answer SIP OPTIONS on udp/{self.port}: {out.text[-200:] or f'exit {out.rc}'}"

    def verify(self, expect: Expect, timeout: float) -> None:
        problem = wait_for(self.answers, min(timeout, 15), interval=0.3)
        if problem:
            raise StepFailed(problem)

    def rollback(self, snap: Snapshot) -> None:
        """The backed-up file goes back where the previous command line reads it, then the restart."""
        argv = [a for a in snap.files["kamailio.argv"].split("\0") if a]
        path = option(argv, "-f") or ""
        try:
            same = self.ssh.read(path) == snap.files["kamailio.cfg"]
        except OSError:
            same = False
        if not same:
            self.ssh.write(path, snap.files["kamailio.cfg"])
        self.restart(argv)
        problem = wait_for(self.answers, 15, interval=0.3)
        if problem:
            raise StepFailed(f"after rollback: {problem}")
        if self.ssh.read(path) != snap.files["kamailio.cfg"]:
            raise StepFailed("the config Kamailio runs after rollback differs from the backup")

    def cleanup(self) -> None:
        if self.argv is not None:
            self.ssh.run(self.ssh.sudo(f"rm -f {shlex.quote(self.staged())}"))


#: Send one SIP OPTIONS over UDP to argv[1]:argv[2]; exit 0 on any SIP answer within 2 s.
OPTIONS_PROBE = """
import socket, sys, uuid
host, port = sys.argv[1], int(sys.argv[2])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
s.connect((host, port))
me, mine = s.getsockname()
tag = uuid.uuid4().hex[:12]
msg = (f"OPTIONS sip:{host}:{port} SIP/2.0\\r\\nVia: SIP/2.0/UDP {me}:{mine};branch=z9hG4bK{tag}\\r\\n"
       f"Max-Forwards: 5\\r\\nFrom: <sip:probe@{me}>;tag={tag}\\r\\nTo: <sip:{host}:{port}>\\r\\n"
       f"Call-ID: {tag}@{me}\\r\\nCSeq: 1 OPTIONS\\r\\nContent-Length: 0\\r\\n\\r\\n")
s.send(msg.encode())
answer = s.recv(4096).decode(errors="replace")
print(answer.splitlines()[0] if answer else "")
sys.exit(0 if answer.startswith("SIP/2.0 ") else 1)
"""
