"""Thin helpers around ``ip``, ``nsenter`` and process start-up for the lab."""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from communet.lab.state import State


class LabError(RuntimeError):
    """A lab step failed; the message says which and why."""


def run(cmd: Sequence[str], stdin: str | None = None, check: bool = True, timeout: float = 30) -> str:
    """Run ``cmd``; return stdout. On failure raise LabError naming the command and its error."""
    try:
        proc = subprocess.run(list(cmd), input=stdin, capture_output=True, text=True, timeout=timeout, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise LabError(f"`{' '.join(cmd)}` failed: {exc}") from exc
    if check and proc.returncode != 0:
        raise LabError(f"`{' '.join(cmd)}` failed: {proc.stderr.strip() or proc.stdout.strip()}")
    return proc.stdout


def ip(*args: str, check: bool = True) -> str:
    return run(["ip", *args], check=check)


def ip_batch(netns: str | None, lines: list[str]) -> None:
    """Several ``ip`` commands in one process (``-n NETNS`` when given)."""
    if lines:
        run(["ip", *(["-n", netns] if netns else []), "-batch", "-"], stdin="\n".join(lines) + "\n")


def ip_json(*args: str) -> Any:
    text = ip("-j", *args, check=False)
    return json.loads(text) if text.strip() else []


def namespaces() -> set[str]:
    return {entry["name"] for entry in ip_json("netns", "list")}


def links() -> set[str]:
    return {entry["ifname"] for entry in ip_json("link", "show")}


def netns_ident(name: str) -> int:
    """The identity of namespace ``name`` (the inode of its /run/netns file), 0 when it is gone."""
    try:
        return os.stat(f"/run/netns/{name}").st_ino
    except OSError:
        return 0


def link_idents() -> dict[str, int]:
    """Root-namespace link name -> ifindex."""
    return {entry["ifname"]: int(entry["ifindex"]) for entry in ip_json("link", "show")}


def enter(holder: int, cmd: Sequence[str]) -> list[str]:
    """``cmd`` run inside a node: its network, mount and UTS namespaces (held by ``holder``)."""
    return ["nsenter", "-t", str(holder), "-n", "-m", "-u", "--", *cmd]


#: What a lab daemon gets of the environment: nothing else (no secret reaches a daemon this way).
DAEMON_ENV = ("PATH", "LANG", "LC_ALL", "TZ")


def daemon_env() -> dict[str, str]:
    """The environment lab daemons start with: the locale and PATH only."""
    env = {k: os.environ[k] for k in DAEMON_ENV if k in os.environ}
    env.setdefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
    return env


def spawn(state: State, node: str, name: str, cmd: Sequence[str], log: Path) -> int:
    """Start a long-running process in its own session, logging to ``log``; record its PID."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        proc = subprocess.Popen(
            list(cmd),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            close_fds=True,
            env=daemon_env(),
        )
    state.process(name, proc.pid, node)
    return proc.pid


def wait_for(check: Any, timeout: float, what: str, interval: float = 0.05) -> None:
    """Poll ``check()`` until true; raise LabError naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise LabError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(interval)
