"""Kamailio: ship the file, check it with ``kamailio -c``, then restart the server.

Kamailio cannot replace its routing script live, so apply is a restart: stop the
running server by the PID in its PID file, start it on the new file, and wait until
it listens again. The diff is a plain unified diff of the config files.
"""

from __future__ import annotations

import difflib

from communet.deploy.drivers.base import Driver, Expect, Snapshot, StepFailed, wait_for

CONF = "/etc/kamailio/kamailio.cfg"
STAGED = "/etc/kamailio/kamailio.cfg.intended"
ROLLBACK = "/etc/kamailio/kamailio.cfg.rollback"
PIDFILE = "/run/kamailio/kamailio.pid"
#: Starts the server on CONF (the node's start command, kept by the node itself).
START = "/etc/kamailio/start"


class KamailioDriver(Driver):
    def snapshot(self) -> Snapshot:
        out = self.ssh.run(f"cat {CONF}")
        if out.rc != 0:
            raise StepFailed(f"cannot read {CONF}: {out.text}")
        return Snapshot(files={"kamailio.cfg": out.out})

    def stage(self, intended: str) -> None:
        self.ssh.write(STAGED, intended)

    def diff(self, snap: Snapshot, intended: str) -> list[str]:
        lines = difflib.unified_diff(snap.files["kamailio.cfg"].splitlines(), intended.splitlines(),
                                     f"a{CONF}", f"b{CONF}", lineterm="")
        return list(lines)

    def check(self) -> None:
        out = self.ssh.run(f"kamailio -c -f {STAGED}")
        if out.rc != 0:
            raise StepFailed(f"kamailio -c refuses the config: {out.text.splitlines()[-1] if out.text else ''}")

    def restart(self, path: str) -> None:
        out = self.ssh.run(f"cp {path} {CONF} && {START}")
        if out.rc != 0:
            raise StepFailed(f"restart failed: {out.text}")

    def apply(self) -> None:
        self.restart(STAGED)

    def verify(self, expect: Expect, timeout: float) -> None:
        port = self.intent.port  # type: ignore[union-attr]

        def probe() -> str | None:
            out = self.ssh.run(f"test -s {PIDFILE} && kill -0 $(cat {PIDFILE}) && ss -Hlun sport = :{port}")
            return None if out.rc == 0 and out.out.strip() else f"kamailio is not listening on udp/{port}"

        problem = wait_for(probe, min(timeout, 15))
        if problem:
            raise StepFailed(problem)

    def rollback(self, snap: Snapshot) -> None:
        self.ssh.write(ROLLBACK, snap.files["kamailio.cfg"])
        self.restart(ROLLBACK)
        if self.ssh.read(CONF) != snap.files["kamailio.cfg"]:
            raise StepFailed(f"{CONF} after rollback differs from the backup")

    def cleanup(self) -> None:
        self.ssh.run(f"rm -f {STAGED} {ROLLBACK}")
