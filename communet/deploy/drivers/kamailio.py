"""Kamailio: check the file with ``kamailio -c``, install it, restart the server on it.

Kamailio cannot swap its routing script live, so apply is a restart. What a SIP
server offers a deploy: its config :data:`CONFIG` in a directory the login user may
write (:data:`ETC`), and a restart command (:data:`RESTART`, allowed by sudo) that
checks the config with ``kamailio -c`` and restarts the server with its own command
line; root runs nothing else. The intended file is staged beside the config, checked
unprivileged with ``kamailio -c``, then moved over the config (atomically) and the
server restarted. Verify sends a SIP OPTIONS from the device and wants an answer.
Rollback puts the backed-up file back, restarts, and checks that the server answers
and that the config it runs is the backup byte for byte.
"""

from __future__ import annotations

import difflib
import shlex

from communet.deploy.drivers.base import Driver, Expect, Snapshot, StepFailed, wait_for
from communet.deploy.ssh import write_command

ETC = "/etc/kamailio"
CONFIG = f"{ETC}/kamailio.cfg"
STAGED = f"{ETC}/kamailio.cfg.intended"
RESTART = "/usr/local/sbin/kamailio-restart"


class KamailioDriver(Driver):
    staged_files = (STAGED, f"{STAGED}.communet-tmp", f"{CONFIG}.communet-tmp")
    lock_path = f"{ETC}/.communet-deploy.lock"

    @property
    def port(self) -> int:
        return self.intent.port  # type: ignore[union-attr]

    def snapshot(self) -> Snapshot:
        """Staged files of an earlier run go first; the config and the restart command must be there."""
        clean, config, restart = self.ssh.batch(
            [f"rm -f {' '.join(self.staged_files)}", f"cat {CONFIG}", f"test -x {RESTART}"]
        )
        if clean.rc != 0 or config.rc != 0:
            raise StepFailed(f"cannot back up {CONFIG}: {(clean.text + ' ' + config.text).strip()}")
        if restart.rc != 0:
            raise StepFailed(f"this SIP server offers no restart command ({RESTART})")
        return Snapshot(files={"kamailio.cfg": config.out})

    def stage(self, intended: str) -> None:
        self.intended = intended  # written with the check, in one round trip

    def check_and_diff(self, snap: Snapshot, intended: str) -> list[str]:
        write, out = self.ssh.batch([write_command(STAGED), f"kamailio -c -f {STAGED}"], stdin=intended)
        if write.rc != 0:
            raise StepFailed(f"cannot write {STAGED}: {write.text}")
        if out.rc != 0:
            errors = [line for line in out.text.splitlines() if "ERROR" in line or "error" in line]
            raise StepFailed(f"kamailio -c refuses the config: {' | '.join(errors[-2:]) or out.text[-300:]}")
        diff = difflib.unified_diff(
            snap.files["kamailio.cfg"].splitlines(), intended.splitlines(), "running", "intended", lineterm=""
        )
        return list(diff)

    def restart(self) -> None:
        out = self.ssh.run(self.ssh.sudo(RESTART))
        if out.rc != 0:
            raise StepFailed(f"the restart failed: {out.text[-300:] or f'exit {out.rc}'}")

    def apply(self) -> None:
        out = self.ssh.run(f"mv -f {STAGED} {CONFIG}")
        if out.rc != 0:
            raise StepFailed(f"cannot install {CONFIG}: {out.text}")
        self.restart()

    def answers(self) -> str | None:
        """None when the server answers a SIP OPTIONS on its address (sent from the device itself)."""
        address = self.intent.listen_v4  # type: ignore[union-attr]
        out = self.ssh.run(f"python3 -c {shlex.quote(OPTIONS_PROBE)} {shlex.quote(address)} {self.port}")
        if out.rc == 0:
            return None
        return f"Kamailio does not answer SIP OPTIONS on udp/{self.port}: {out.text[-200:] or f'exit {out.rc}'}"

    def verify(self, expect: Expect, timeout: float) -> None:
        problem = wait_for(self.answers, min(timeout, 15), interval=0.3)
        if problem:
            raise StepFailed(problem)

    def rollback(self, snap: Snapshot) -> None:
        """The backed-up file goes back first, then the restart, then the checks."""
        self.ssh.write(CONFIG, snap.files["kamailio.cfg"])
        self.restart()
        problem = wait_for(self.answers, 15, interval=0.3)
        if problem:
            raise StepFailed(f"after rollback: {problem}")
        if self.ssh.read(CONFIG) != snap.files["kamailio.cfg"]:
            raise StepFailed("the config Kamailio runs after rollback differs from the backup")

    def cleanup(self) -> None:
        self.ssh.run(f"rm -f {' '.join(self.staged_files)}")


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
