"""Is the lab healthy? Expected adjacencies and sessions come from the design, not typed."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from communet.design.intent import RouterIntent
from communet.lab import bird, frr, kamailio
from communet.lab.netns import LabError
from communet.lab.state import Entry, State
from communet.lab.topology import Node, Topology


@dataclass(frozen=True, slots=True)
class Health:
    node: str
    kind: str
    processes: tuple[tuple[str, int, bool], ...]  # name, pid, alive
    detail: str
    ok: bool


def expected_adjacencies(topo: Topology, node: str) -> int:
    """OSPF neighbors a router should have: one per span it terminates."""
    return sum(1 for link in topo.links if link.role == "span" and node in (link.a.node, link.b.node))


def expected_sessions(topo: Topology, node: str) -> set[str]:
    intent = topo.intents.get(node)
    return {nb.address for nb in intent.bgp.neighbors} if isinstance(intent, RouterIntent) else set()


def router_health(state: State, topo: Topology, node: Node, holder: int) -> tuple[str, bool]:
    want_ospf = expected_adjacencies(topo, node.name)
    full4, full6 = frr.ospf_full(holder), frr.ospf_full(holder, v6=True)
    states = frr.bgp_states(holder)
    want_bgp = expected_sessions(topo, node.name) or set(states)
    up = {a for a, s in states.items() if s == "Established"}
    ok = full4 >= want_ospf and full6 >= want_ospf and want_bgp <= up
    return f"ospf {full4}/{want_ospf} ospf6 {full6}/{want_ospf} bgp {len(up & want_bgp)}/{len(want_bgp)}", ok


def node_health(state: State, topo: Topology, node: Node) -> tuple[str, bool]:
    holder = state.holder(node.name)
    if not holder:
        return "down", False
    if node.kind in ("router", "member", "transit"):
        return router_health(state, topo, node, holder)
    if node.kind == "routeserver":
        protos = bird.protocols(state, node.name, holder)
        up = sum(1 for s in protos.values() if s == "Established")
        return f"bgp {up}/{len(protos)}", bool(protos) and up == len(protos)
    if node.kind == "sip":
        ok = kamailio.uptime(state, node.name, holder)
        return "kamailio answers" if ok else "kamailio silent", ok
    return "up", True


#: Nodes asked at once: each question is a few short CLI processes that mostly wait.
ASKED_AT_ONCE = 8


def healths(state: State, topo: Topology, nodes: list[Node]) -> dict[str, tuple[str, bool]]:
    """``node_health`` of each of ``nodes``, asked side by side."""
    with ThreadPoolExecutor(max_workers=ASKED_AT_ONCE) as pool:
        answers = list(pool.map(lambda n: node_health(state, topo, n), nodes))
    return {n.name: a for n, a in zip(nodes, answers, strict=True)}


def current_pid(state: State, entry: Entry) -> tuple[int, bool]:
    """The PID doing ``entry``'s job and whether it runs: the recorded one, or for a SIP server
    restarted by a deploy, the server its restart started."""
    if state.alive(entry):
        return entry.pid, True
    holder = state.holder(entry.node) if entry.name == "kamailio" else 0
    restarted = kamailio.restarted_pid(state, entry.node, holder) if holder else 0
    return (restarted, True) if restarted else (entry.pid, False)


def lab_health(state: State, topo: Topology) -> list[Health]:
    procs: dict[str, list[tuple[str, int, bool]]] = {}
    for entry in state.of_kind("process"):
        procs.setdefault(entry.node, []).append((entry.name, *current_pid(state, entry)))
    out = []
    answers = healths(state, topo, list(topo.nodes))
    for node in topo.nodes:
        detail, ok = answers[node.name]
        mine = tuple(procs.get(node.name, []))
        out.append(Health(node.name, node.kind, mine, detail, ok and all(alive for _, _, alive in mine)))
    return out


def routing_nodes(topo: Topology) -> list[Node]:
    return [n for n in topo.nodes if n.kind in ("router", "member", "routeserver", "transit")]


def converged(state: State, topo: Topology) -> list[str]:
    """Routing nodes not yet converged, with what they lack (empty when all are)."""
    out = []
    for node in routing_nodes(topo):
        detail, ok = node_health(state, topo, node)
        if not ok:
            out.append(f"{node.name}: {detail}")
    return out


def ospf_done(state: State, topo: Topology) -> bool:
    for node in topo.of_kind("router"):
        holder, want = state.holder(node.name), expected_adjacencies(topo, node.name)
        if frr.ospf_full(holder) < want or frr.ospf_full(holder, v6=True) < want:
            return False
    return True


def nudge_bgp(state: State, topo: Topology, nudged: dict[tuple[str, str], float], every: float = 10) -> None:
    """Once the underlay is up, retry iBGP sessions now rather than after the connect-retry timer.

    A session whose first attempt found no route to the peer's loopback waits for the
    connect-retry timer (120 s by default); ``clear bgp PEER`` starts it again at once.
    """
    now = time.monotonic()
    for node in topo.of_kind("router"):
        holder = state.holder(node.name)
        for address, bgp_state in frr.bgp_states(holder).items():
            if bgp_state in ("Active", "Connect", "Idle") and now - nudged.get((node.name, address), 0) > every:
                nudged[(node.name, address)] = now
                frr.vtysh(holder, f"clear bgp {address}")


def wait_converged(state: State, topo: Topology, timeout: float, interval: float = 0.5, grace: float = 1) -> None:
    deadline = time.monotonic() + timeout
    pending = routing_nodes(topo)
    underlay_at = 0.0
    nudged: dict[tuple[str, str], float] = {}
    while pending:
        answers = healths(state, topo, pending)
        pending = [n for n in pending if not answers[n.name][1]]
        if not pending:
            return
        if not underlay_at and ospf_done(state, topo):
            underlay_at = time.monotonic()
        if underlay_at and time.monotonic() - underlay_at > grace:
            nudge_bgp(state, topo, nudged)
        if time.monotonic() > deadline:
            lagging = ", ".join(f"{n.name} ({answers[n.name][0]})" for n in pending)
            raise LabError(f"not converged after {timeout:g} s: {lagging}")
        time.sleep(interval)
