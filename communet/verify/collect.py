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

from communet.verify import frr_json as fj
from communet.verify.lab_access import Lab
from communet.verify.target import Target


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


class HostKeyMismatch(RuntimeError):
    """A device's host key is not the one pinned in known_hosts: the run stops."""


class SshTransport:
    """netmiko over the management network, logging in as the target's user (a CLI login).

    One connection per device, reused for all its commands. The host key must be the one
    in ``known_hosts`` (paramiko's RejectPolicy: an unknown or changed key is refused).
    """

    def __init__(
        self, hosts: dict[str, str], username: str, key_file: Path | None, known_hosts: Path, timeout: float = 20
    ) -> None:
        self.hosts = hosts  # device -> management address
        self.username = username
        self.key_file = key_file
        self.known_hosts = known_hosts
        self.timeout = timeout
        self._conns: dict[str, Any] = {}
        self._lock = threading.Lock()

    def _conn(self, device: str) -> Any:
        with self._lock:
            conn = self._conns.get(device)
        if conn is None:
            conn = self._connect(device)
            with self._lock:
                self._conns[device] = conn
        return conn

    def _connect(self, device: str) -> Any:
        from netmiko import ConnectHandler
        from paramiko import BadHostKeyException

        from communet.platforms import platform

        try:
            return ConnectHandler(
                device_type=platform("frr").netmiko,
                host=self.hosts[device],
                username=self.username,
                use_keys=True,
                key_file=str(self.key_file) if self.key_file else None,
                allow_agent=self.key_file is None,
                timeout=self.timeout,
                conn_timeout=self.timeout,
                fast_cli=True,
                ssh_strict=True,
                system_host_keys=False,
                alt_host_keys=True,
                alt_key_file=str(self.known_hosts),
            )
        except BadHostKeyException as exc:
            raise HostKeyMismatch(host_key_message(device, self.hosts[device], self.known_hosts)) from exc
        except Exception as exc:
            if "not found in known_hosts" in str(exc) or isinstance(exc.__cause__, BadHostKeyException):
                raise HostKeyMismatch(host_key_message(device, self.hosts[device], self.known_hosts)) from exc
            raise

    def show(self, device: str, command: str) -> str:
        return str(self._conn(device).send_command(command, read_timeout=self.timeout))

    def close(self) -> None:
        for conn in self._conns.values():
            with contextlib.suppress(Exception):
                conn.disconnect()
        self._conns.clear()


def host_key_message(device: str, address: str, known_hosts: Path) -> str:
    return (
        f"{device} ({address}): its host key is not the one pinned in {known_hosts}; verify stopped\n"
        "    hint: if the device was really re-keyed, replace its line in that file (ssh-keygen -R)"
    )


State = dict[str, dict[str, Any]]
TRANSPORTS = ("ssh", "lab")


def make_transport(kind: str, target: Target, lab: Lab | None) -> Transport:
    """``ssh``: log in over the management network as the target says; ``lab``: vtysh in the node."""
    if kind == "lab":
        if lab is None:
            raise ValueError("--transport lab needs the lab as the target")
        return LabTransport(lab)
    return SshTransport(target.hosts, target.user, target.key, target.known_hosts)


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
            except HostKeyMismatch:
                raise
            except Exception as exc:  # every failure becomes a named error, the run goes on
                errors.append(f"{device}: {command}: {exc}")
                out[key] = None
        if on_done:
            on_done(device)
        return device, out

    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(plan)))) as pool:
        state = dict(pool.map(one, sorted(plan)))
    return state, errors
