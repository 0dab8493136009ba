"""Kamailio in the lab: one per SIP server of the model, with its rendered config from configs/."""

from __future__ import annotations

from communet import ROOT
from communet.lab.netns import LabError, enter, run, spawn
from communet.lab.nodes import node_paths
from communet.lab.state import State
from communet.lab.topology import Node

CONFIGS = ROOT / "configs"
SHM_MB = "32"
PKG_MB = "8"


def ctl_socket(state: State, node: str) -> str:
    return str(node_paths(state, node).run / "kamailio_ctl")


def start(state: State, node: Node, holder: int) -> None:
    config = CONFIGS / f"{node.name}.cfg"
    if not config.exists():
        raise LabError(f"{config.relative_to(ROOT)} not found\n    hint: run `communet render` first")
    paths = node_paths(state, node.name)
    for directory in (paths.run, paths.log):
        directory.mkdir(parents=True, exist_ok=True)
    cmd = [
        "kamailio",
        "-DD",
        "-E",
        "-m",
        SHM_MB,
        "-M",
        PKG_MB,
        "-f",
        str(config),
        "-P",
        str(paths.run / "kamailio.pid"),
        "-Y",
        str(paths.run),
        "-A",
        f'CTL_SOCKET="unix:{ctl_socket(state, node.name)}"',
    ]
    spawn(state, node.name, "kamailio", enter(holder, cmd), paths.log / "kamailio.log")


def uptime(state: State, node: str, holder: int) -> bool:
    """Kamailio answers on its control socket."""
    out = run(enter(holder, ["kamcmd", "-s", f"unix:{ctl_socket(state, node)}", "core.uptime"]), check=False, timeout=5)
    return "uptime" in out


def contacts(state: State, node: str, holder: int) -> str:
    return run(enter(holder, ["kamcmd", "-s", f"unix:{ctl_socket(state, node)}", "ul.dump"]), check=False, timeout=5)
