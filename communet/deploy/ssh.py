"""A device's shell for the deploy drivers, over the one SSH stack (:mod:`communet.transport`).

Deploys are file based: the device's shell runs ``vtysh``, ``frr-reload.py``, ``nft``
and ``kamailio``. Every command of a device's run goes over one connection. Files are
written as the login user, in places it owns (a staging directory); only the commands
a device's sudo rules allow run as root, wrapped by :meth:`Remote.sudo` when the login
user is not root.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence

from communet.transport import Endpoint, HostKeyChanged, Output, Session, Unreachable
from communet.transport.batch import run_batch

#: Daemons' tools live in sbin, which an unprivileged login's PATH may lack.
SBIN_PATH = 'PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"; '

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
        return self.session.run(f"{SBIN_PATH}{command}", stdin=stdin, timeout=timeout)

    def batch(self, commands: Sequence[str], timeout: float = 120, stdin: str | None = None) -> list[Output]:
        """Run ``commands`` in one round trip; each keeps its own output and exit status.
        ``stdin`` goes to the first command (e.g. :func:`write_command`)."""
        return run_batch(self.session, [f"{SBIN_PATH}{c}" for c in commands], timeout, stdin)

    def read(self, path: str) -> str:
        """The file's text, read as the login user (raises OSError when it cannot be read)."""
        out = self.run(f"cat {shlex.quote(path)}")
        if out.rc != 0:
            raise OSError(f"cannot read {path}: {out.text}")
        return out.out

    def write(self, path: str, text: str) -> None:
        """Write ``text`` to ``path`` as the login user, atomically; new files 0600 (they hold secrets)."""
        out = self.run(write_command(path), stdin=text)
        if out.rc != 0:
            raise OSError(f"cannot write {path}: {out.text}")


def write_command(path: str) -> str:
    """A command writing its stdin to ``path`` atomically (a temporary file, then ``mv``), mode kept."""
    tmp = f"{path}.communet-tmp"
    q, qt = shlex.quote(path), shlex.quote(tmp)
    keep = f"chmod --reference={q} {qt} 2>/dev/null"
    return f"umask 077 && cat > {qt} && {{ {keep}; mv -f {qt} {q}; }}"
