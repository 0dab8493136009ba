"""Kamailio in the lab: one per SIP server of the model, with its rendered config from configs/."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from communet import ROOT
from communet.lab.access import KAMAILIO_ETC, KAMAILIO_RESTART, kamailio_restart_script
from communet.lab.netns import LabError, enter, run, spawn
from communet.lab.nodes import node_paths
from communet.lab.state import State, proc_start
from communet.lab.topology import Node

CONFIGS = ROOT / "configs"
SHM_MB = "32"
PKG_MB = "8"
CONFIG_NAME = "kamailio.cfg"


def ctl_socket(state: State, node: str) -> str:
    return str(node_paths(state, node).run / "kamailio_ctl")


def start(state: State, node: Node, holder: int) -> None:
    """Kamailio from /etc/kamailio/kamailio.cfg inside the node (a copy of configs/), and its restart command."""
    source = CONFIGS / f"{node.name}.cfg"
    if not source.exists():
        raise LabError(f"{source.relative_to(ROOT)} not found\n    hint: run `communet render` first")
    paths = node_paths(state, node.name)
    for directory in (paths.run, paths.log):
        directory.mkdir(parents=True, exist_ok=True)
    etc = paths.base / "kamailio-etc"
    shutil.copyfile(source, etc / CONFIG_NAME)
    config = f"{KAMAILIO_ETC}/{CONFIG_NAME}"
    cmd = [
        "kamailio",
        "-DD",
        "-E",
        "-m",
        SHM_MB,
        "-M",
        PKG_MB,
        "-f",
        config,
        "-P",
        str(paths.run / "kamailio.pid"),
        "-Y",
        str(paths.run),
        "-A",
        f'CTL_SOCKET="unix:{ctl_socket(state, node.name)}"',
    ]
    script = paths.base / "sbin" / Path(KAMAILIO_RESTART).name
    script.write_text(kamailio_restart_script(cmd, cmd[cmd.index("-P") + 1], str(paths.log / "kamailio.log")))
    script.chmod(0o755)
    spawn(state, node.name, "kamailio", enter(holder, cmd), paths.log / "kamailio.log")


def restarted_pid(state: State, node: str, holder: int) -> int:
    """The server a restart started (the deploy's, through the lab's restart command): the PID
    in its PID file, when that process lives in the node's network namespace; else 0."""
    try:
        pid = int((node_paths(state, node).run / "kamailio.pid").read_text().split()[0])
        same = os.stat(f"/proc/{pid}/ns/net").st_ino == os.stat(f"/proc/{holder}/ns/net").st_ino
    except (OSError, ValueError, IndexError):
        return 0
    return pid if same and proc_start(pid) else 0


def uptime(state: State, node: str, holder: int) -> bool:
    """Kamailio answers on its control socket."""
    out = run(enter(holder, ["kamcmd", "-s", f"unix:{ctl_socket(state, node)}", "core.uptime"]), check=False, timeout=5)
    return "uptime" in out


def contacts(state: State, node: str, holder: int) -> str:
    return run(enter(holder, ["kamcmd", "-s", f"unix:{ctl_socket(state, node)}", "ul.dump"]), check=False, timeout=5)


def aors(dump: str) -> set[str]:
    """The addresses of record in ``kamcmd ul.dump`` output (its ``AoR: ...`` lines).

    >>> sorted(aors("Domain: location\\n\\tAoR: 2701\\n\\t\\tAddress: sip:2702@h\\n"))
    ['2701']
    """
    out = set()
    for line in dump.splitlines():
        key, sep, value = line.strip().partition(":")
        if sep and key.lower() == "aor":
            out.add(value.lstrip(":").strip())
    return out


def registered(dump: str, extension: int) -> bool:
    """``extension`` is an address of record exactly (``EXT`` or ``EXT@domain``), not a part of another."""
    return any(aor.split("@", 1)[0] == str(extension) for aor in aors(dump))
