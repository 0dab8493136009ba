"""FRR in the lab: per-node directories, daemons, config loading, json queries."""

from __future__ import annotations

import grp
import json
import os
import pwd
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from communet.design.intent import RouterIntent
from communet.lab.netns import enter, run, spawn, wait_for
from communet.lab.nodes import FRR_LOG_DIR, node_paths
from communet.lab.secrets import lab_secret
from communet.lab.state import State
from communet.lab.templates import render
from communet.lab.topology import MGMT_IF, Node
from communet.render import jinja_env, render_intent

DAEMON_DIR = Path("/usr/lib/frr")
VTY_GROUP = "frrvty"
#: Extra options per daemon (zebra's larger netlink buffer, as the Debian package uses).
OPTIONS: dict[str, tuple[str, ...]] = {"zebra": ("-s", "90000000")}
#: Scheduling priority (nice) per daemon: BFD's sub-second timers must not starve on a busy
#: machine running dozens of daemons, or adjacencies flap under load.
NICE: dict[str, int] = {"bfdd": -15, "ospfd": -5, "ospf6d": -5}


@dataclass(frozen=True, slots=True)
class Bootstrap:
    hostname: str
    log: str
    mgmt_if: str


def frr_ids() -> tuple[int, int]:
    entry = pwd.getpwnam("frr")
    return entry.pw_uid, entry.pw_gid


def prepare(state: State, node: Node, config: str) -> None:
    """Write the node's /etc/frr (frr.conf, vtysh.conf, daemons) and its run and log dirs, owned by frr."""
    paths = node_paths(state, node.name)
    uid, gid = frr_ids()
    for directory in (paths.etc, paths.run, paths.log):
        directory.mkdir(parents=True, exist_ok=True)
        os.chown(directory, uid, gid)
    # As Debian's /etc/frr: the CLI group reaches vtysh.conf, only frr reads frr.conf (it holds secrets).
    os.chown(paths.etc, uid, grp.getgrnam(VTY_GROUP).gr_gid)
    paths.etc.chmod(0o750)
    files = {
        "frr.conf": (config, gid),
        "vtysh.conf": (render("vtysh.conf.j2", hostname=node.name), grp.getgrnam(VTY_GROUP).gr_gid),
        "daemons": ("".join(f"{d}=yes\n" for d in node.daemons), gid),
    }
    for name, (text, group) in files.items():
        write_private(paths.etc / name, text, uid, group)


def write_private(path: Path, text: str, uid: int, gid: int, mode: int = 0o640) -> None:
    """Write ``path`` created with ``mode`` (never world-readable, not even for a moment)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.chown(path, uid, gid)
    path.chmod(mode)


def bootstrap_config(state: State, node: Node) -> str:
    return render("frr-bootstrap.conf.j2", boot=Bootstrap(node.name, f"{FRR_LOG_DIR}/frr.log", MGMT_IF))


def router_config(state: State, node: Node, intent: RouterIntent | None) -> str:
    """The router's intended config (``--with-configs``), else the minimal bootstrap.

    configs/ holds secrets masked, so the lab renders the same templates with the real
    values: the environment's, else the lab's own (shared with the other IX member).
    """
    if intent is None:
        return bootstrap_config(state, node)
    for name in {nb.password_secret for nb in intent.bgp.neighbors if nb.password_secret}:
        os.environ.setdefault(name, lab_secret(name))
    return render_intent(jinja_env(), intent, reveal=True)


def start_daemons(state: State, node: Node, holder: int, zebra: bool) -> None:
    """zebra alone (``zebra``), or the node's other daemons once zebra listens (see wait_zebra)."""
    log = node_paths(state, node.name).log
    for daemon in (d for d in node.daemons if (d == "zebra") == zebra):
        cmd = [
            str(DAEMON_DIR / daemon),
            "-u",
            "frr",
            "-g",
            "frr",
            "-P",
            "0",  # no TCP vty: vtysh uses the sockets
            *OPTIONS.get(daemon, ()),
            "--log",
            f"file:{FRR_LOG_DIR}/{daemon}.log",
        ]
        nice = ["nice", "-n", str(NICE[daemon])] if daemon in NICE else []
        spawn(state, node.name, daemon, enter(holder, [*nice, *cmd]), log / f"{daemon}.out")


def wait_zebra(state: State, node: Node, timeout: float = 20) -> None:
    """Until zebra takes clients: a daemon that starts before it runs without interface data for a while
    (bgpd then withdraws every IPv6 route a neighbour sends with a link-local next hop, until the session
    resets), so zebra starts first, as FRR's own init script does."""
    if "zebra" in node.daemons:
        api = node_paths(state, node.name).run / "zserv.api"
        wait_for(api.exists, timeout, f"zebra on {node.name}")


def wait_daemons(state: State, node: Node, timeout: float = 20) -> None:
    run_dir = node_paths(state, node.name).run
    for daemon in node.daemons:
        wait_for((run_dir / f"{daemon}.vty").exists, timeout, f"{daemon} on {node.name}")


def load_config_cmd(holder: int) -> list[str]:
    """Apply /etc/frr/frr.conf to the running daemons, as the init script does at boot."""
    return enter(holder, ["vtysh", "-b"])


def vtysh(holder: int, command: str) -> str:
    return run(enter(holder, ["vtysh", "-c", command]), check=False, timeout=10)


def vtysh_json(holder: int, command: str) -> Any:
    text = vtysh(holder, command)
    try:
        return json.loads(text) if text.strip() else {}
    except json.JSONDecodeError:
        return {}


def ospf_full(holder: int, v6: bool = False) -> int:
    """How many OSPF (v3 when ``v6``) neighbors are Full."""
    data = vtysh_json(holder, "show ipv6 ospf6 neighbor json" if v6 else "show ip ospf neighbor json")
    if v6:
        return sum(1 for nb in data.get("neighbors", []) if nb.get("state") == "Full")
    count = 0
    for entries in data.get("neighbors", {}).values():
        for nb in entries if isinstance(entries, list) else [entries]:
            state = nb.get("nbrState") or nb.get("state", "")
            count += state.startswith("Full")
    return count


def bgp_states(holder: int) -> dict[str, str]:
    """BGP neighbor address -> state (``Established`` when up)."""
    data = vtysh_json(holder, "show bgp neighbors json")
    return {addr: nb.get("bgpState", "") for addr, nb in data.items() if isinstance(nb, dict)}


def has_vtysh() -> bool:
    return shutil.which("vtysh") is not None
