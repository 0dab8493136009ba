"""A device's shell for the deploy drivers, over the one SSH stack (:mod:`communet.transport`).

Deploys are file based: the device's shell runs ``vtysh``, ``frr-reload.py``, ``nft``
and ``kamailio``. Every command of a device's run goes over one connection; commands
that need root are wrapped by :meth:`Remote.sudo` when the login user is not root.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence

from communet.transport import Endpoint, HostKeyChanged, Output, Session, Unreachable
from communet.transport.batch import run_batch

__all__ = ["Endpoint", "HostKeyChanged", "Output", "Remote", "Unreachable"]


class Remote:
    """Commands on one device over its session."""

    def __init__(self, session: Session) -> None:
        self.session = session

    @property
    def address(self) -> str:
        return self.session.endpoint.address

    def sudo(self, command: str) -> str:
        """``command`` as root: as is for root, else through ``sudo -n`` (never a password prompt)."""
        return command if self.session.endpoint.user == "root" else f"sudo -n {command}"

    def run(self, command: str, stdin: str | None = None, timeout: float = 120) -> Output:
        return self.session.run(command, stdin=stdin, timeout=timeout)

    def batch(self, commands: Sequence[str], timeout: float = 120) -> list[Output]:
        """Run ``commands`` in one round trip; each keeps its own output and exit status."""
        return run_batch(self.session, commands, timeout)

    def read(self, path: str) -> str:
        """The file's text (raises OSError when it cannot be read: never an empty text instead)."""
        out = self.run(self.sudo(f"cat {shlex.quote(path)}"))
        if out.rc != 0:
            raise OSError(f"cannot read {path}: {out.text}")
        return out.out

    def write(self, path: str, text: str) -> None:
        """Write ``text`` to ``path`` on the device atomically, owner and mode kept (new files 0640)."""
        tmp = f"{path}.communet-tmp"
        q, qt = shlex.quote(path), shlex.quote(tmp)
        keep = f"(chown --reference={q} {qt}; chmod --reference={q} {qt}) 2>/dev/null"
        script = f"umask 027 && cat > {qt} && {{ {keep}; mv -f {qt} {q}; }}"
        out = self.run(self.sudo(f"sh -c {shlex.quote(script)}"), stdin=text)
        if out.rc != 0:
            raise OSError(f"cannot write {path}: {out.text}")
