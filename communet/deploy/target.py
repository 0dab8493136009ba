"""Where a deploy goes: the devices' management addresses, the SSH user, key and known_hosts.

Addresses come from the inventory (each device's management address). User, key and
known_hosts come from, in order: the command line, the environment
(``COMMUNET_SSH_USER``, ``COMMUNET_SSH_KEY``, ``COMMUNET_KNOWN_HOSTS``), then the
target's provider:

- ``lab``: the lab of this checkout provides them (its deploy user, its key, the host
  keys its nodes got). When it is not up, or a device is not one of its nodes, the
  deploy stops before any connection is opened: a lab deploy never leaves the lab.
- ``network``: a real network; the user defaults to the inventory's management user,
  the key and known_hosts to OpenSSH's own defaults (the operator's ``~/.ssh``).

Host keys are always checked; no setting turns that off.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from communet.inventories import Device
from communet.transport import Endpoint

TargetKind = Literal["lab", "network"]
TARGETS: tuple[TargetKind, ...] = ("lab", "network")
ENV_USER, ENV_KEY, ENV_KNOWN_HOSTS = "COMMUNET_SSH_USER", "COMMUNET_SSH_KEY", "COMMUNET_KNOWN_HOSTS"
ENV_TARGET = "COMMUNET_TARGET"


class TargetError(ValueError):
    """The target cannot be reached as asked (the lab is down, a file is missing, ...)."""


@dataclass(frozen=True, slots=True)
class Target:
    kind: TargetKind
    user: str | None  # None: each device's management user from the inventory
    key: Path | None
    known_hosts: Path | None
    port: int = 22

    def endpoint(self, device: Device) -> Endpoint:
        return Endpoint(device.address, self.user or device.username, self.key, self.known_hosts, self.port)


@dataclass(frozen=True, slots=True)
class Overrides:
    """What the command line sets (None: not given)."""

    kind: str | None = None
    user: str | None = None
    key: Path | None = None
    known_hosts: Path | None = None


def pick(flag: Path | str | None, env: Mapping[str, str], name: str) -> str | None:
    value = flag if flag is not None else env.get(name) or None
    return None if value is None else str(value)


def existing(value: str | None, what: str) -> Path | None:
    if value is None:
        return None
    path = Path(value).expanduser()
    if not path.is_file():
        raise TargetError(f"{what}: {path} is not a file")
    return path


def resolve(devices: Sequence[Device], given: Overrides = Overrides(), env: Mapping[str, str] | None = None) -> Target:
    """The target for ``devices`` (raises :class:`TargetError` before any connection)."""
    env = os.environ if env is None else env
    kind = pick(given.kind, env, ENV_TARGET) or "lab"
    if kind not in TARGETS:
        raise TargetError(f"--target: {kind!r} is not one of {', '.join(TARGETS)}")
    user = pick(given.user, env, ENV_USER)
    key = existing(pick(given.key, env, ENV_KEY), "SSH key")
    known = existing(pick(given.known_hosts, env, ENV_KNOWN_HOSTS), "known_hosts")
    if kind == "network":
        return Target("network", user, key, known)
    from communet.deploy.lab_target import lab_target

    return lab_target(devices, user, key, known)
