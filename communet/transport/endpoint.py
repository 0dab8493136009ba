"""Where a device is reached and how its identity is checked.

Host keys are always checked (``StrictHostKeyChecking=yes``): against the
known_hosts file the target provides (the lab writes its own), else OpenSSH's
default files (the operator's ``~/.ssh/known_hosts``). There is no option to turn
checking off.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Endpoint:
    address: str
    user: str
    key: Path | None = None  # None: OpenSSH's default identities
    known_hosts: Path | None = None  # None: OpenSSH's default known_hosts files
    port: int = 22
    connect_timeout: int = 5

    def options(self) -> list[str]:
        """``ssh`` options every connection to this endpoint uses."""
        opts = {
            "BatchMode": "yes",
            "StrictHostKeyChecking": "yes",
            "ConnectTimeout": str(self.connect_timeout),
            "LogLevel": "ERROR",
            "ServerAliveInterval": "5",
            "ServerAliveCountMax": "3",
        }
        if self.known_hosts is not None:
            opts["UserKnownHostsFile"] = str(self.known_hosts)
            opts["GlobalKnownHostsFile"] = "none"
        if self.key is not None:
            opts.update({"IdentityFile": str(self.key), "IdentitiesOnly": "yes", "IdentityAgent": "none"})
        out = ["-p", str(self.port)]
        for name, value in opts.items():
            out += ["-o", f"{name}={value}"]
        return out

    @property
    def login(self) -> str:
        return f"{self.user}@{self.address}"
