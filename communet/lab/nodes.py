"""Node holders: one process per node keeping its network, mount and UTS namespaces.

A holder is ``unshare --mount --uts --propagation private`` run inside the node's
network namespace: it sets the hostname, bind-mounts the node's own directories under
the state dir onto the paths daemons expect (``/etc/frr``, ``/run/frr``), then sleeps.
Every daemon and sshd of the node is started with ``nsenter`` into those namespaces,
so over SSH ``vtysh`` and ``frr-reload.py`` work with their default paths.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path

from communet.lab.access import SUDO_COMMANDS, write_sudoers
from communet.lab.netns import spawn, wait_for
from communet.lab.state import State, proc_start
from communet.lab.topology import Node

#: Where an FRR node's daemons log, inside the node. Every path FRR opens as the ``frr`` user is a
#: mount inside the node, never a path through the state dir, whose parents may be closed to it
#: (a checkout under /root or a ``mktemp -d`` directory is mode 0700).
FRR_LOG_DIR = "/var/log/frr"
#: (directory under the node's state dir, where it is mounted inside the node)
FRR_MOUNTS = (("etc", "/etc/frr"), ("run", "/run/frr"), ("log", FRR_LOG_DIR))
#: The deploy user's sudo rules, only inside the node (see communet.lab.access).
SUDO_MOUNT = ("sudoers.d", "/etc/sudoers.d")
#: A SIP server's config directory and the lab's restart command for it.
#: The node's /etc/hosts (its own name), mounted over the machine's inside the node.
HOSTS = "hosts"
SIP_MOUNTS = (("kamailio-etc", "/etc/kamailio"), ("sbin", "/usr/local/sbin"))
#: Nodes that forward packets, and the sysctls that make them behave as routers (off in a new
#: namespace): forwarding, and IPv6 addresses kept when a port goes down, as a router keeps its
#: configured addresses (Linux flushes them otherwise, so an IPv6 session never returns after an outage).
ROUTING_KINDS = ("router", "member", "transit")
FORWARDING = (
    "net.ipv4.ip_forward=1",
    "net.ipv6.conf.all.forwarding=1",
    "net.ipv6.conf.all.keep_addr_on_down=1",
    "net.ipv6.conf.default.keep_addr_on_down=1",
)
#: Every node: no duplicate address detection. The model gives each address once (validation
#: refuses a duplicate), and DAD holds an address tentative for a second or two after each
#: link-up, which delays OSPFv3 hellos (link-local) and IPv6 sessions after every repaired link.
NO_DAD = ("net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0")


@dataclass(frozen=True, slots=True)
class NodePaths:
    """Where a node's files live, seen from the root namespace."""

    base: Path
    etc: Path
    run: Path
    log: Path


def node_paths(state: State, node: str) -> NodePaths:
    """Per-node paths (the deploy code may read configs and logs from here)."""
    base = state.node_dir(node)
    return NodePaths(base, base / "etc", base / "run", base / "log")


def mounts(node: Node) -> tuple[tuple[str, str], ...]:
    out: tuple[tuple[str, str], ...] = FRR_MOUNTS if node.daemons else ()
    if node.kind in SUDO_COMMANDS:
        out += (SUDO_MOUNT,)
    if node.kind == "sip":
        out += SIP_MOUNTS
    return out


def holder_script(state: State, node: Node) -> str:
    paths = node_paths(state, node.name)
    lines = [f"hostname {shlex.quote(node.name)}"]
    if node.mgmt:  # the node's own name resolves (sudo looks it up)
        lines.append(f"mount --bind {shlex.quote(str(paths.base / HOSTS))} /etc/hosts")
    sysctls = NO_DAD + (FORWARDING if node.kind in ROUTING_KINDS else ())
    lines.append(f"sysctl -qw {' '.join(sysctls)}")
    for sub, target in mounts(node):
        lines.append(f"mount --bind {shlex.quote(str(paths.base / sub))} {shlex.quote(target)}")
    lines.append("exec sleep infinity")
    return "; ".join(lines)


def start_holder(state: State, node: Node) -> int:
    paths = node_paths(state, node.name)
    for sub, _ in mounts(node):
        (paths.base / sub).mkdir(parents=True, exist_ok=True)
    if node.kind in SUDO_COMMANDS:
        write_sudoers(paths.base / SUDO_MOUNT[0], node.kind)
    if node.mgmt:
        paths.base.mkdir(parents=True, exist_ok=True)
        (paths.base / HOSTS).write_text(f"127.0.0.1 localhost\n127.0.1.1 {node.name}\n::1 localhost\n")
    cmd = [
        "ip",
        "netns",
        "exec",
        node.netns,
        "unshare",
        "--mount",
        "--uts",
        "--propagation",
        "private",
        "sh",
        "-ec",
        holder_script(state, node),
    ]
    return spawn(state, node.name, "holder", cmd, paths.log / "holder.log")


def _comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def wait_holders(pids: dict[str, int], timeout: float = 10) -> None:
    """Wait until every holder has set up its namespaces (it is then ``sleep``)."""
    for name, pid in pids.items():
        wait_for(lambda p=pid: _comm(p) == "sleep" or not proc_start(p), timeout, f"the holder of {name}")
        if not proc_start(pid):
            raise_holder(name)


def raise_holder(name: str) -> None:
    from communet.lab.netns import LabError

    raise LabError(f"the namespace holder of {name} exited; see its holder.log under the state dir")
