"""Commands on a device over SSH, with the OpenSSH client.

Deploys are file based: the device's shell runs ``vtysh``, ``frr-reload.py`` and
``kamailio``. Host keys are not pinned (lab devices get fresh keys on every
``lab up``); authentication is by key only (``BatchMode``), so a wrong key fails fast
instead of prompting.
"""

from __future__ import annotations

import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path

#: ``ssh`` exits with 255 when the connection or the authentication fails.
SSH_FAILED = 255


class Unreachable(ConnectionError):
    """SSH could not connect or authenticate."""


@dataclass(frozen=True, slots=True)
class Output:
    rc: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return (self.out + self.err).strip()


@dataclass(frozen=True, slots=True)
class Ssh:
    address: str
    user: str
    key: Path | None = None
    port: int = 22
    connect_timeout: int = 5

    def argv(self, command: str) -> list[str]:
        options = [
            "-o",
            "BatchMode=yes",
            "-o",
            "StrictHostKeyChecking=no",
            "-o",
            "UserKnownHostsFile=/dev/null",
            "-o",
            f"ConnectTimeout={self.connect_timeout}",
            "-o",
            "LogLevel=ERROR",
            "-o",
            "ServerAliveInterval=5",
            "-o",
            "ServerAliveCountMax=3",
            "-p",
            str(self.port),
        ]
        if self.key is not None:
            options += ["-i", str(self.key), "-o", "IdentitiesOnly=yes", "-o", "IdentityAgent=none"]
        return ["ssh", *options, f"{self.user}@{self.address}", command]

    def run(self, command: str, stdin: str | None = None, timeout: float = 120) -> Output:
        """Run ``command`` in the device's shell; raise :class:`Unreachable` on an SSH failure."""
        # a command's own exit status 255 would read as an SSH failure: report it as 254
        wrapped = f"{{ {command}\n}}; rc=$?; [ $rc -eq {SSH_FAILED} ] && rc=254; exit $rc"
        try:
            proc = subprocess.run(
                self.argv(wrapped), input=stdin, capture_output=True, text=True, timeout=timeout, check=False
            )
        except subprocess.TimeoutExpired:
            raise Unreachable(f"{self.address}: no answer within {timeout:g}s") from None
        if proc.returncode == SSH_FAILED:
            reason = proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "ssh failed"
            raise Unreachable(f"{self.user}@{self.address}: {reason}")
        return Output(proc.returncode, proc.stdout, proc.stderr)

    def read(self, path: str) -> str:
        out = self.run(f"cat {shlex.quote(path)}")
        if out.rc != 0:
            raise OSError(f"cannot read {path}: {out.text}")
        return out.out

    def write(self, path: str, text: str) -> None:
        """Write ``text`` to ``path`` on the device (mode 0640), atomically."""
        tmp = f"{path}.communet-tmp"
        q, qt = shlex.quote(path), shlex.quote(tmp)
        keep = f"(chown --reference={q} {qt}; chmod --reference={q} {qt}) 2>/dev/null"
        out = self.run(f"umask 027 && cat > {qt} && {{ {keep}; mv -f {qt} {q}; }}", stdin=text)
        if out.rc != 0:
            raise OSError(f"cannot write {path}: {out.text}")
