"""The towns' way out: transit sessions, the default route, NAT44 seen from the internet, failover.

Expectations come from the intent (transit sessions, NAT pools) and the lab topology (the
hosts of each town's translated roles, the internet node's addresses). Active checks
change one thing at a time, poll for the outcome and put the measured time in the detail.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from netaddr import IPAddress, IPNetwork

from communet.design.intent import RouterIntent
from communet.lab.transit import WHOAMI_PORT, internet_addresses
from communet.verify import frr_json as fj
from communet.verify.checks.resilience import poll
from communet.verify.lab_access import Lab, required
from communet.verify.results import NOT_COLLECTED, Check, check

if TYPE_CHECKING:
    from communet.lab.topology import Topology
    from communet.model.network import Network
    from communet.verify.run import Context

FAMILY = "uplink"
#: How long towns may take to lose, and to get back, the default route and the internet (measured: see README).
FAILOVER_S = 30.0
#: How long an edge's BGP sessions may take to come back once its ports are up again: a peer that
#: saw nothing of the outage holds the dead session for its hold time, and a route server refuses
#: the client for its error wait (the lab's timers: communet.lab.session_timers). A bound, not
#: the expected time (a few seconds in the lab).
RECOVER_S = 60.0
DEFAULT_COMMANDS = {4: "show ip route 0.0.0.0/0 json", 6: "show ipv6 route ::/0 json"}


@dataclass(frozen=True, slots=True)
class TownHost:
    """A host of a town on a translated segment: where a town's internet traffic starts."""

    town: str
    router: str
    node: str
    v4: str
    v6: str


def _routers(ctx: Context) -> dict[str, RouterIntent]:
    return {h: i for h, i in ctx.intents.items() if isinstance(i, RouterIntent)}


def edges(ctx: Context) -> list[RouterIntent]:
    return [i for i in _routers(ctx).values() if i.role == "edge"]


def transit_sessions(ctx: Context, state: dict[str, dict[str, Any]]) -> list[Check]:
    """Every transit session of every edge Established, its max-prefix as the intent says."""
    out = []
    for edge in edges(ctx):
        peers = fj.bgp_peers(state.get(edge.hostname, {}).get("bgp") or {})
        for nb in (n for n in edge.bgp.neighbors if n.kind == "transit"):
            p = peers.get(nb.address)
            where = f"{nb.description} {nb.address}"
            ok = p is not None and p.established and p.remote_as == nb.remote_as
            out.append(
                check(
                    FAMILY,
                    f"transit {nb.family} established",
                    edge.hostname,
                    where,
                    ok,
                    p.state if p else NOT_COLLECTED,
                )
            )
    return out


_TOPOLOGIES: dict[int, tuple[Network, Topology]] = {}


def _topology(net: Network) -> Topology:
    """The lab topology of ``net``, built once per network model."""
    from communet.lab.topology import build_topology

    if id(net) not in _TOPOLOGIES or _TOPOLOGIES[id(net)][0] is not net:
        _TOPOLOGIES[id(net)] = (net, build_topology(net))
    return _TOPOLOGIES[id(net)][1]


def town_hosts(net: Network) -> list[TownHost]:
    """Per live town, the host of its first translated role (or its first segment when nothing is translated)."""
    topo = _topology(net)
    roles = net.syndicate.nat.roles if net.syndicate.nat else []
    out = []
    for town in net.live_towns:
        wanted = [r for r in roles if r in town.segments] or town.segments[:1]
        if not wanted:
            continue
        node = f"{town.name}-{wanted[0]}"
        addrs = [a.cidr.split("/")[0] for a in topo.addresses if a.node == node]
        v4 = next((a for a in addrs if IPAddress(a).version == 4), None)
        v6 = next((a for a in addrs if IPAddress(a).version == 6), None)
        if v4 and v6:
            out.append(TownHost(town.name, town.router.hostname, node, v4, v6))
    return out


def has_default(ctx: Context, router: str, version: int) -> bool:
    try:
        data = json.loads(ctx.transport.show(router, DEFAULT_COMMANDS[version]) or "{}")
    except Exception:  # an unreadable router has no default we can count on
        return False
    prefix = "0.0.0.0/0" if version == 4 else "::/0"
    return any(r.get("installed") or r.get("selected") for r in data.get(prefix, []))


def defaults(ctx: Context) -> dict[tuple[str, int], bool]:
    return {(t.router, v): has_default(ctx, t.router, v) for t in town_hosts(ctx.net) for v in (4, 6)}


def default_routes(ctx: Context) -> list[Check]:
    return [
        check(FAMILY, f"default route ipv{v}", router, "from the edge", ok, "installed" if ok else "missing")
        for (router, v), ok in defaults(ctx).items()
    ]


def internet_pings(lab: Lab, net: Network) -> dict[tuple[str, str], bool]:
    """From each town host, ping every internet address (IPv4 and IPv6)."""
    targets = [a for addrs in internet_addresses(net).values() for a in addrs]
    out = {}
    for host in town_hosts(net):
        for address, ok in lab.ping_many(host.node, host.v4, host.v6, targets, count=1, wait_s=1).items():
            out[(host.town, address)] = ok
    return out


def whoami(lab: Lab, node: str, address: str, timeout: float = 3) -> str | None:
    """The source address the internet node saw for a TCP connection from ``node`` (None: no answer)."""
    code = (
        "import socket,sys\n"
        "s=socket.create_connection((sys.argv[1],int(sys.argv[2])),timeout=float(sys.argv[3]))\n"
        "print(s.recv(200).decode().strip())"
    )
    proc = lab.run(node, ["python3", "-c", code, address, str(WHOAMI_PORT), str(timeout)], timeout=timeout + 5)
    seen = proc.stdout.strip()
    return seen if proc.returncode == 0 and seen else None


def nat_pools(net: Network) -> list[IPNetwork]:
    return [IPNetwork(p.prefix) for p in net.syndicate.nat.pools] if net.syndicate.nat else []


def nat_seen(ctx: Context) -> list[Check]:
    """IPv4 reaches the internet from a pool address; IPv6 from the host's own address, untranslated."""
    lab = required(ctx.lab)
    internet = internet_addresses(ctx.net)
    pools = nat_pools(ctx.net)
    out = []
    for host in town_hosts(ctx.net):
        for address in internet[4]:
            seen = whoami(lab, host.node, address)
            ok = seen is not None and any(IPAddress(seen) in p for p in pools)
            detail = f"seen as {seen}" if seen else "no answer"
            out.append(check(FAMILY, "ipv4 leaves through NAT", host.node, f"internet {address}", ok, detail))
        for address in internet[6]:
            seen = whoami(lab, host.node, address)
            ok = seen is not None and IPAddress(seen) == IPAddress(host.v6)
            detail = f"seen as {seen}" if seen else "no answer"
            out.append(check(FAMILY, "ipv6 leaves untranslated", host.node, f"internet {address}", ok, detail))
    return out


def transit_shut(lab: Lab, ctx: Context, down: bool) -> None:
    """``neighbor X shutdown`` (or its removal) on every transit session of every edge."""
    for edge in edges(ctx):
        lines = ["configure terminal", f"router bgp {edge.bgp.asn}"]
        lines += [
            f"{'' if down else 'no '}neighbor {n.address} shutdown" for n in edge.bgp.neighbors if n.kind == "transit"
        ]
        args = [a for line in lines for a in ("-c", line)]
        proc = lab.run(edge.hostname, ["vtysh", *args])
        if proc.returncode != 0:
            raise RuntimeError(f"{edge.hostname}: cannot change the transit sessions: {proc.stderr.strip()[:200]}")


def _observe(ctx: Context) -> tuple[list[str], list[str]]:
    """(what towns have: defaults and internet answers, what they lack)."""
    routes = defaults(ctx)
    pings = internet_pings(required(ctx.lab), ctx.net)
    have = [f"{r} ipv{v} default" for (r, v), ok in routes.items() if ok]
    have += [f"{town}->{a}" for (town, a), ok in pings.items() if ok]
    lack = [f"{r} ipv{v} default" for (r, v), ok in routes.items() if not ok]
    lack += [f"{town}->{a}" for (town, a), ok in pings.items() if not ok]
    return have, lack


def all_up(ctx: Context) -> tuple[bool, list[str]]:
    """Every town has both defaults and reaches every internet address; else what is missing."""
    _, lack = _observe(ctx)
    return not lack, lack


def all_gone(ctx: Context) -> tuple[bool, list[str]]:
    """No town has a default or reaches the internet; else what is still there."""
    have, _ = _observe(ctx)
    return not have, have


def sessions_back(lab: Lab, edge: RouterIntent) -> tuple[bool, list[str]]:
    """Every BGP session of ``edge`` Established; the others are restarted at once (not after connect-retry)."""
    try:
        peers = fj.bgp_peers(json.loads(lab.vtysh(edge.hostname, "show bgp neighbors json") or "{}"))
    except Exception as exc:  # a router still coming back
        return False, [str(exc)[:80]]
    down = [n.address for n in edge.bgp.neighbors if not (peers.get(n.address) and peers[n.address].established)]
    for address in down:
        lab.run(edge.hostname, ["vtysh", "-c", f"clear bgp {address}"])
    return not down, down


def _few(items: list[str]) -> str:
    return ", ".join(items[:8]) + (f" (+{len(items) - 8})" if len(items) > 8 else "")


def failover(ctx: Context) -> list[Check]:
    """Shut every transit session: towns lose the default and the internet; restore: both come back."""
    lab = required(ctx.lab)
    ctx.say("shutting every transit session")
    transit_shut(lab, ctx, down=True)
    try:
        ok, state, took = poll(lambda: all_gone(ctx), FAILOVER_S, interval=0.5)
        gone = check(
            FAMILY,
            "transit down: default and internet gone",
            "every town",
            "all transit sessions shut",
            ok,
            f"gone in {took:.1f} s (bound {FAILOVER_S:g} s)" if ok else f"still there: {_few(state)}",
        )
    finally:
        transit_shut(lab, ctx, down=False)
    ok, state, took = poll(lambda: all_up(ctx), FAILOVER_S, interval=0.5)
    back = check(
        FAMILY,
        "transit restored: default and internet back",
        "every town",
        "all transit sessions restored",
        ok,
        f"back in {took:.1f} s (bound {FAILOVER_S:g} s)" if ok else f"still missing: {_few(state)}",
    )
    return [gone, back]


def uplink_ports(edge: RouterIntent) -> list[str]:
    return [i.name for i in edge.interfaces if i.kind in ("ix", "transit")]


def all_ports(edge: RouterIntent) -> list[str]:
    return [i.name for i in edge.interfaces if i.kind in ("span", "ix", "transit")]


def set_ports(lab: Lab, router: str, ports: list[str], up: bool) -> None:
    script = "; ".join(f"ip link set {shlex.quote(p)} {'up' if up else 'down'}" for p in ports)
    proc = lab.run(router, ["sh", "-ec", script])
    if proc.returncode != 0:
        raise RuntimeError(f"{router}: cannot set {', '.join(ports)} {'up' if up else 'down'}: {proc.stderr.strip()}")


def route_get(lab: Lab, node: str, address: str) -> str:
    """``ip route get`` on ``node``: where it sends a packet for ``address`` (gateway and port), or why not."""
    proc = lab.run(node, ["ip", "-o", "route", "get", address], timeout=5)
    words = (proc.stdout or proc.stderr).split()
    picked = [f"{k} {words[i + 1]}" for i, k in enumerate(words[:-1]) if k in ("via", "dev")]
    return " ".join(picked) or " ".join(words)[:60] or "no answer"


def forwarding_trace(ctx: Context) -> str:
    """Where a town's packets for the internet go, and where the answers go, hop by hop (for a failed check)."""
    lab = required(ctx.lab)
    host = town_hosts(ctx.net)[0]
    internet = internet_addresses(ctx.net)
    pools = nat_pools(ctx.net)
    out = []
    for version, source in ((4, str(pools[0][0]) if pools else host.v4), (6, host.v6)):
        if not internet[version]:
            continue
        target = internet[version][0]
        hops = [f"{r}: {route_get(lab, r, target)}" for r in [host.router, *(e.hostname for e in edges(ctx))]]
        hops += [f"{t.name}: {route_get(lab, t.name, source)}" for t in ctx.net.datacenter.transit]
        out.append(f"ipv{version} {'; '.join(hops)}")
    return " | ".join(out)


def _keeps_uplink(ctx: Context, edge: RouterIntent, ports: list[str], what: str) -> list[Check]:
    lab = required(ctx.lab)
    ctx.say(f"taking down {what}")
    set_ports(lab, edge.hostname, ports, up=False)
    try:
        ok, lack, took = poll(lambda: all_up(ctx), FAILOVER_S, interval=0.5)
        detail = f"default and internet kept ({took:.1f} s)" if ok else f"lost: {_few(lack)}; {forwarding_trace(ctx)}"
        kept = check("resilience", "towns keep their uplink", edge.hostname, what, ok, detail)
    finally:
        set_ports(lab, edge.hostname, ports, up=True)
    ok, down, took = poll(lambda: sessions_back(lab, edge), RECOVER_S, interval=2)
    detail = f"every session Established in {took:.1f} s" if ok else f"not back: {_few(down)}"
    back = check("resilience", "edge sessions back", edge.hostname, f"{what} restored", ok, detail)
    return [kept, back]


def edge_outages(ctx: Context) -> list[Check]:
    """Each edge router down (every port), then each IX or transit port alone: towns keep their uplink."""
    if len(edges(ctx)) < 2:
        return []
    out = []
    for edge in edges(ctx):
        out += _keeps_uplink(ctx, edge, all_ports(edge), f"{edge.hostname} down (every port)")
        for port in uplink_ports(edge):
            out += _keeps_uplink(ctx, edge, [port], f"{edge.hostname} {port} down")
    return out
