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

from communet.transport import Endpoint, HostKeyChanged, Session
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
    """OpenSSH over the management network (:mod:`communet.transport`, the same stack as deploy),
    logging in as the target's user (a CLI login: the command given runs in vtysh).

    One master connection per device, reused for all its commands. The host key must be
    the one in ``known_hosts`` (``StrictHostKeyChecking=yes``): an unknown or changed key
    stops the run (:class:`HostKeyMismatch`).
    """

    def __init__(
        self, hosts: dict[str, str], username: str, key_file: Path | None, known_hosts: Path, timeout: float = 20
    ) -> None:
        self.hosts = hosts  # device -> management address
        self.username = username
        self.key_file = key_file
        self.known_hosts = known_hosts
        self.timeout = timeout
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()

    def endpoint(self, device: str) -> Endpoint:
        return Endpoint(self.hosts[device], self.username, self.key_file, self.known_hosts)

    def _session(self, device: str) -> Session:
        with self._lock:
            session = self._sessions.get(device)
            if session is None:
                session = self._sessions[device] = Session(self.endpoint(device))
        return session

    def show(self, device: str, command: str) -> str:
        try:
            out = self._session(device).run(command, timeout=self.timeout, shell=False)
        except HostKeyChanged as exc:
            raise HostKeyMismatch(host_key_message(device, self.hosts[device], self.known_hosts)) from exc
        if out.rc != 0:
            raise RuntimeError(f"exit {out.rc}: {out.text[:200]}")
        return out.out

    def close(self) -> None:
        with self._lock:
            sessions, self._sessions = list(self._sessions.values()), {}
        for session in sessions:
            with contextlib.suppress(Exception):
                session.close()


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
