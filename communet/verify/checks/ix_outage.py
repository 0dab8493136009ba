"""IX port outages: each edge router's IX port down in turn; the IX routes stay reachable through
the other edges, both ways, then the port comes back.

With the port down, every town's best route to each prefix a bilateral peer registered must
lead to another edge on the IX (its loopback is the BGP next hop, the route installed), and
every such peer must reach our aggregates through another edge's IX address. The outcome is
polled for, as BGP converges (the peer moves only when the dead port's sessions time out).
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from netaddr import IPNetwork

from communet.design.intent import RouterIntent
from communet.filters import ip
from communet.verify.checks.resilience import poll
from communet.verify.checks.uplink import RECOVER_S, sessions_back, set_ports
from communet.verify.lab_access import required
from communet.verify.results import Check, check

if TYPE_CHECKING:
    from communet.verify.run import Context

FAMILY = "resilience"
#: How long the IX routes may take to move to another edge: the member's and route servers' hold time, and some.
CONVERGE_S = 45.0
FAMILY_OF = {4: "ipv4", 6: "ipv6"}


@dataclass(frozen=True, slots=True)
class IxPortOutage:
    """One edge router's IX port, and where the IX routes must go while it is down."""

    edge: RouterIntent
    port: str  # its IX interface
    addresses: frozenset[str]  # its addresses on the IX LAN
    other_loopbacks: frozenset[str]  # the BGP next hops the towns may use meanwhile
    other_addresses: frozenset[str]  # the IX addresses the peers may use meanwhile

    @property
    def label(self) -> str:
        return f"{self.edge.hostname} {self.port} (IX port) down"


def _ix_addresses(intent: RouterIntent) -> set[str]:
    return {ip(a) for i in intent.interfaces if i.kind == "ix" for a in (i.ipv4, i.ipv6) if a}


def outages(ctx: Context) -> list[IxPortOutage]:
    """One per IX port, when another edge router is on the IX to take over."""
    on_ix = [i for e in ctx.exp.edges if isinstance(i := ctx.intents.get(e), RouterIntent) and _ix_addresses(i)]
    out = []
    for edge in on_ix:
        others = [o for o in on_ix if o is not edge]
        if not others:
            continue
        port = next(i.name for i in edge.interfaces if i.kind == "ix")
        out.append(
            IxPortOutage(
                edge,
                port,
                frozenset(_ix_addresses(edge)),
                frozenset(a for o in others for a in (o.loopback_v4, o.loopback_v6)),
                frozenset(a for o in others for a in _ix_addresses(o)),
            )
        )
    return out


def best_next_hops(data: dict[str, Any]) -> set[str]:
    """``show bgp ... <prefix> json``: the next hops of the best path (empty when there is none)."""
    best = [p for p in data.get("paths") or [] if (p.get("bestpath") or {}).get("overall")]
    return {str(n.get("ip")) for p in best for n in p.get("nexthops") or [] if n.get("ip")}


def installed(data: dict[str, Any], prefix: str) -> bool:
    """``show ip route <prefix> json``: the route is in the forwarding table."""
    return any(r.get("installed") for r in data.get(prefix) or [])


def _show(ctx: Context, router: str, command: str) -> dict[str, Any]:
    try:
        return json.loads(ctx.transport.show(router, command) or "{}") or {}
    except Exception:  # an unreadable router has no route we can count on
        return {}


def town_misses(ctx: Context, town: str, outage: IxPortOutage) -> list[str]:
    """The peers' prefixes ``town`` does not reach through another edge."""
    out = []
    for prefix in ctx.registered:
        family = FAMILY_OF[IPNetwork(prefix).version]
        hops = best_next_hops(_show(ctx, town, f"show bgp {family} unicast {prefix} json"))
        table = _show(ctx, town, f"show {'ip' if family == 'ipv4' else 'ipv6'} route {prefix} json")
        if not hops & outage.other_loopbacks or not installed(table, prefix):
            out.append(f"{town}->{prefix} via {','.join(sorted(hops)) or 'nothing'}")
    return out


def member_misses(ctx: Context, outage: IxPortOutage) -> list[str]:
    """Our aggregates a bilateral peer does not reach through another edge's IX address."""
    lab = required(ctx.lab)
    out = []
    for peer in ctx.net.ix.peers:
        for family, aggregates in ctx.exp.announced.items():
            if peer.address(4 if family == "ipv4" else 6) is None:
                continue
            for prefix in aggregates:
                try:
                    data = json.loads(lab.vtysh(peer.name, f"show bgp {family} unicast {prefix} json") or "{}")
                except Exception as exc:  # a member still coming back
                    out.append(f"{peer.name}: {str(exc)[:60]}")
                    continue
                hops = best_next_hops(data)
                if not hops & outage.other_addresses or hops & outage.addresses:
                    out.append(f"{peer.name}->{prefix} via {','.join(sorted(hops)) or 'nothing'}")
    return out


def misses(ctx: Context, outage: IxPortOutage) -> tuple[bool, list[str]]:
    """What does not yet go around the dead port, towns and peers."""
    with ThreadPoolExecutor(max_workers=max(1, ctx.workers)) as pool:
        parts = list(pool.map(lambda t: town_misses(ctx, t, outage), sorted(ctx.exp.sources)))
    lost = [m for part in parts for m in part] + member_misses(ctx, outage)
    return not lost, lost


def _few(items: list[str]) -> str:
    return ", ".join(items[:6]) + (f" (+{len(items) - 6})" if len(items) > 6 else "")


def one_port(ctx: Context, outage: IxPortOutage) -> list[Check]:
    lab, edge = required(ctx.lab), outage.edge.hostname
    ctx.say(f"taking down {outage.label}")
    set_ports(lab, edge, [outage.port], up=False)
    try:
        ok, lost, took = poll(lambda: misses(ctx, outage), CONVERGE_S, interval=0.5)
        detail = f"through the other edges in {took:.1f} s" if ok else f"not around the port: {_few(lost)}"
        kept = check(FAMILY, "IX routes kept through another edge", edge, outage.label, ok, detail)
    finally:
        set_ports(lab, edge, [outage.port], up=True)
    ok, down, took = poll(lambda: sessions_back(lab, outage.edge), RECOVER_S, interval=2)
    detail = f"every session Established in {took:.1f} s" if ok else f"not back: {_few(down)}"
    back = check(FAMILY, "IX sessions back, port restored", edge, outage.label, ok, detail)
    return [kept, back]


def ix_port_outages(ctx: Context) -> list[Check]:
    """Each IX port down in turn, when another edge is on the IX: the IX routes go around it."""
    return [c for outage in outages(ctx) for c in one_port(ctx, outage)]
