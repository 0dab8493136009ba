"""The segment policy in the lab: each FRR router's nftables file loaded in its namespace, and
the listeners the flow matrix connects to (``communet verify --family policy``).

``lab up`` loads every router's rendered nftables file (``nft -f`` inside the router's
namespace: one transaction that replaces the router's table) so the policy holds from the
start, also before a deploy pushes it.
"""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from communet.design.intent import RouterIntent
from communet.lab import listener
from communet.lab.netns import LabError, enter, spawn, wait_for
from communet.lab.nodes import node_paths
from communet.lab.state import State
from communet.lab.topology import Topology
from communet.render import jinja_env, outputs, render_intent

#: The TCP port every flow-matrix target listens on (and the SIP port, on segment hosts).
PROBE_PORT = 8443
LISTENER = "probe-listener"
#: Where a router's nftables file sits in its node directory (its /etc/frr).
NFT_FILE = "communet.nft"
INTERNET_NODE = "internet"


def nft_text(intent: RouterIntent) -> str | None:
    """The router's rendered nftables file, or None for a router without one."""
    extra = [o for o in outputs(intent) if o.file.endswith(".nft")]
    return render_intent(jinja_env(), intent, template=extra[0].template) if extra else None


def load_firewalls(topo: Topology, state: State, holders: dict[str, int]) -> list[str]:
    """``nft -f`` every router's file in its namespace, all at once; returns the routers loaded."""
    jobs: list[tuple[str, Path]] = []
    for node in topo.of_kind("router"):
        intent = topo.intents.get(node.name)
        text = nft_text(intent) if isinstance(intent, RouterIntent) else None
        if text is None:
            continue
        path = node_paths(state, node.name).etc / NFT_FILE
        path.write_text(text, encoding="utf-8")
        jobs.append((node.name, path))

    def load(job: tuple[str, Path]) -> tuple[str, subprocess.CompletedProcess[str]]:
        name, path = job
        cmd = enter(holders[name], ["nft", "-f", str(path)])
        return name, subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False)

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(load, jobs))
    bad = [f"  {name}: {(p.stderr or p.stdout).strip()[:300]}" for name, p in results if p.returncode != 0]
    if bad:
        raise LabError("nftables refused the ruleset of:\n" + "\n".join(bad))
    return [name for name, _ in results]


def listener_targets(topo: Topology, sip_port: int) -> dict[str, tuple[int, ...]]:
    """Node -> TCP ports to listen on: segment hosts (and the internet node) the probe port and the
    SIP port (the telephony role's probe); SIP servers the probe port (Kamailio holds the SIP port)."""
    out: dict[str, tuple[int, ...]] = {}
    for node in topo.nodes:
        if node.kind == "host" or node.name == INTERNET_NODE:
            out[node.name] = (PROBE_PORT, sip_port)
        elif node.kind == "sip":
            out[node.name] = (PROBE_PORT,)
    return out


def start_listeners(topo: Topology, state: State, holders: dict[str, int], sip_port: int) -> int:
    """One recorded process listening in every target namespace; returns its PID."""
    specs = [
        f"{holders[name]}:{','.join(map(str, ports))}"
        for name, ports in listener_targets(topo, sip_port).items()
        if holders.get(name)
    ]
    log = state.dir / "logs" / f"{LISTENER}.log"
    pid = spawn(state, "", LISTENER, [sys.executable, "-I", listener.__file__, *specs], log)
    wait_for(lambda: b"listening on" in log.read_bytes(), 10, f"the flow-matrix listener (see {log})")
    return pid
