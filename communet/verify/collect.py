"""Collect FRR state from every router in parallel, over SSH (as from a real device) or the lab.

A transport answers ``show(device, command) -> text``. ``collect`` asks every device its
commands, several devices at once, and returns the parsed JSON and any errors, so one
unreachable router is a failed check, not a crash.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Protocol

from communet.design import Intent, RouterIntent
from communet.filters import ip
from communet.model.network import Network
from communet.verify import frr_json as fj
from communet.verify.lab_access import Lab


class Transport(Protocol):
    def show(self, device: str, command: str) -> str: ...

    def close(self) -> None: ...


class LabTransport:
    """vtysh run inside the router's namespaces (the lab's exec path)."""

    def __init__(self, lab: Lab) -> None:
        self.lab = lab

    def show(self, device: str, command: str) -> str:
        return self.lab.vtysh(device, command)

    def close(self) -> None:
        return None


class SshTransport:
    """netmiko over the lab's management network, logging in as the vtysh user with the lab key.

    One connection per device, reused for all its commands.
    """

    def __init__(self, hosts: dict[str, str], username: str, key_file: Path, timeout: float = 20) -> None:
        self.hosts = hosts  # device -> management address
        self.username = username
        self.key_file = key_file
        self.timeout = timeout
        self._conns: dict[str, Any] = {}
        self._lock = threading.Lock()

    def _conn(self, device: str) -> Any:
        with self._lock:
            conn = self._conns.get(device)
        if conn is None:
            from netmiko import ConnectHandler

            from communet.platforms import platform

            conn = ConnectHandler(
                device_type=platform("frr").netmiko,
                host=self.hosts[device],
                username=self.username,
                use_keys=True,
                key_file=str(self.key_file),
                allow_agent=False,
                timeout=self.timeout,
                conn_timeout=self.timeout,
                fast_cli=True,
                ssh_strict=False,
                system_host_keys=False,
                alt_host_keys=False,
            )
            with self._lock:
                self._conns[device] = conn
        return conn

    def show(self, device: str, command: str) -> str:
        return str(self._conn(device).send_command(command, read_timeout=self.timeout))

    def close(self) -> None:
        for conn in self._conns.values():
            with contextlib.suppress(Exception):
                conn.disconnect()
        self._conns.clear()


State = dict[str, dict[str, Any]]
TRANSPORTS = ("ssh", "lab")


def make_transport(kind: str, lab: Lab, net: Network, intents: dict[str, Intent]) -> Transport:
    """``ssh``: log in over the management network as the model's user; ``lab``: vtysh in the node."""
    if kind == "lab":
        return LabTransport(lab)
    hosts = {h: ip(i.management.address) for h, i in intents.items() if isinstance(i, RouterIntent)}
    return SshTransport(hosts, net.syndicate.management.user, lab.state.private_key)


def collect(
    transport: Transport,
    plan: dict[str, dict[str, str]],
    workers: int = 8,
    on_done: Callable[[str], None] | None = None,
) -> tuple[State, list[str]]:
    """Run ``plan`` (device -> key -> command); return device -> key -> JSON, and errors."""
    errors: list[str] = []

    def one(device: str) -> tuple[str, dict[str, Any]]:
        out: dict[str, Any] = {}
        for key, command in plan[device].items():
            try:
                out[key] = fj.loads(command, transport.show(device, command))
            except Exception as exc:  # every failure becomes a named error, the run goes on
                errors.append(f"{device}: {command}: {exc}")
                out[key] = None
        if on_done:
            on_done(device)
        return device, out

    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(plan)))) as pool:
        state = dict(pool.map(one, sorted(plan)))
    return state, errors
