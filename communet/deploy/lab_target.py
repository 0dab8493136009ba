"""The lab as a deploy target: its user, key and host keys, and a refusal when it is not up."""

from __future__ import annotations

import atexit
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from communet.deploy.target import Target, TargetError
from communet.inventories import Device
from communet.lab.nodes import node_paths
from communet.lab.state import State

HOST_KEY = "ssh/ssh_host_ed25519_key.pub"


def lab_nodes(state: State) -> set[str]:
    """Nodes of the lab made from ``state`` whose namespace holder still runs."""
    return {e.node for e in state.of_kind("process") if e.name == "holder" and state.alive(e)}


def deploy_user() -> str:
    """The unprivileged user the lab makes for deploys (sudo for what they run), else root."""
    try:
        from communet.lab.access import DEPLOY_USER  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return "root"
    return str(DEPLOY_USER)


def known_hosts_file(state: State, devices: Sequence[Device]) -> Path:
    """The lab's known_hosts when it wrote one, else one built from its nodes' host keys."""
    written = state.ssh_dir / "known_hosts"
    if written.is_file():
        return written
    lines = []
    for dev in devices:
        public = node_paths(state, dev.name).base / HOST_KEY
        if not public.is_file():
            raise TargetError(f"the lab holds no host key for {dev.name} ({public})")
        kind, blob = public.read_text(encoding="utf-8").split()[:2]
        lines.append(f"{dev.address} {kind} {blob}\n")
    fd, name = tempfile.mkstemp(prefix="cn-known-hosts-")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.writelines(lines)
    atexit.register(lambda: Path(name).unlink(missing_ok=True))
    return Path(name)


def lab_target(
    devices: Sequence[Device],
    user: str | None,
    key: Path | None,
    known: Path | None,
    state: State | None = None,
) -> Target:
    """The running lab's target for ``devices``; :class:`TargetError` when the lab cannot serve them."""
    state = state or State()
    hint = "start it with `communet lab up`, or deploy to a real network with --target network"
    if not state.exists() or not state.complete():
        raise TargetError(f"the target is the lab, and the lab is not up; {hint}")
    nodes = lab_nodes(state)
    if not nodes:
        raise TargetError(f"the target is the lab, and the lab in {state.dir} is not running; {hint}")
    strangers = sorted(d.name for d in devices if d.name not in nodes)
    if strangers:
        raise TargetError(f"not nodes of the running lab: {', '.join(strangers)}; hint: `communet lab status`")
    key = key or (state.private_key if state.private_key.is_file() else None)
    if key is None:
        raise TargetError(f"the lab's SSH key is missing ({state.private_key}); hint: `communet lab down`, then up")
    return Target("lab", user or deploy_user(), key, known or known_hosts_file(state, devices))
