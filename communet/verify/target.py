"""What verify talks to: the devices' management addresses, the login, the key, the pinned host keys.

Two providers: the lab (its manifest gives the key and the known_hosts it wrote, and
only a lab that is up is a target) and the network (the inventory's management
addresses and user, the operator's key and ``~/.ssh/known_hosts``). The environment
(:data:`ENV`) overrides either, flags override the environment. Host keys are always
checked; no setting turns that off.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from communet.design import Intent, RouterIntent
from communet.filters import ip
from communet.lab.state import State
from communet.model.network import Network

KINDS = ("lab", "network")
#: Environment variables a target reads (flags win over them).
ENV = {"user": "COMMUNET_SSH_USER", "key": "COMMUNET_SSH_KEY", "known_hosts": "COMMUNET_KNOWN_HOSTS"}
OPERATOR_KNOWN_HOSTS = Path("~/.ssh/known_hosts")


class TargetError(RuntimeError):
    """The target cannot be used (the lab is not up, a file is missing); nothing was contacted."""


@dataclass(frozen=True, slots=True)
class Target:
    kind: str  # lab or network
    hosts: dict[str, str]  # router -> management address
    user: str
    key: Path | None  # None: the SSH client's default identities
    known_hosts: Path
    lab_state: State | None = None  # the lab's state dir when the target is the lab


@dataclass(frozen=True, slots=True)
class Overrides:
    """What the command line gives (None: not given)."""

    user: str | None = None
    key: Path | None = None
    known_hosts: Path | None = None


def router_hosts(intents: dict[str, Intent]) -> dict[str, str]:
    """Each router's management address, from the design (the inventory's pools)."""
    return {h: ip(i.management.address) for h, i in intents.items() if isinstance(i, RouterIntent)}


def _pick(flag: object, env_name: str, default: object) -> object:
    if flag is not None:
        return flag
    return os.environ.get(env_name) or default


def resolve(
    kind: str, net: Network, intents: dict[str, Intent], given: Overrides, lab_state: State | None = None
) -> Target:
    """The target of ``kind``; raises TargetError (before any connection) when it cannot be reached."""
    if kind not in KINDS:
        raise TargetError(f"unknown target {kind!r}; choose {' or '.join(KINDS)}")
    state = None
    default_key: Path | None = None
    default_known = OPERATOR_KNOWN_HOSTS.expanduser()
    if kind == "lab":
        state = lab_state or State()
        require_lab(state)
        default_key, default_known = state.private_key, state.known_hosts
    user = str(_pick(given.user, ENV["user"], net.syndicate.management.user))
    key_value = _pick(given.key, ENV["key"], default_key)
    key = Path(str(key_value)).expanduser() if key_value else None
    known = Path(str(_pick(given.known_hosts, ENV["known_hosts"], default_known))).expanduser()
    problems = []
    if key is not None and not key.is_file():
        problems.append(f"the SSH key {key} does not exist")
    if not known.is_file():
        problems.append(
            f"the known_hosts file {known} does not exist: host keys are always checked\n"
            f"    hint: add the devices' host keys to it, or name another file with --known-hosts "
            f"or {ENV['known_hosts']}"
        )
    if problems:
        raise TargetError("\n".join(problems))
    return Target(kind, router_hosts(intents), user, key, known, state)


def require_lab(state: State) -> None:
    """Stop unless a complete lab made from ``state`` is running (nothing is contacted otherwise)."""
    from communet.lab.control import running

    if not state.exists() or not state.complete() or not running(state):
        raise TargetError(
            f"the lab is not running (state dir {state.dir}): nothing was contacted\n"
            "    hint: start it with `communet lab up`, or verify a network with `--target network`"
        )
