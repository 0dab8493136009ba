"""What the live network must show, derived from the model and the intents, never typed.

Every expectation names the device it is checked on. Nothing here touches a device:
the same expectations drive the pyATS scripts, ``communet verify`` and the unit tests.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import combinations

from netaddr import IPNetwork

from communet.design import Intent, RouterIntent, SipIntent
from communet.filters import ip
from communet.model.network import Network

#: The extension the n-th phone (0-based) of a SIP server's town registers.
PhoneNumbering = Callable[[SipIntent, int], int]


@dataclass(frozen=True, slots=True)
class SpanLink:
    """A live fiber span as the routers see it: both ends, their ports and addresses."""

    id: int
    a: str
    a_port: str
    a_v4: str  # bare address
    b: str
    b_port: str
    b_v4: str

    @property
    def ends(self) -> tuple[str, str]:
        return self.a, self.b

    @property
    def label(self) -> str:
        return f"span {self.id} {self.a}:{self.a_port} - {self.b}:{self.b_port}"


@dataclass(frozen=True, slots=True)
class Adjacency:
    """One OSPF (v2 and v3) neighbor ``router`` must see Full on ``interface``."""

    router: str
    interface: str
    peer: str
    peer_router_id: str
    peer_v4: str  # the peer's address on the span: also its BFD peer


#: Session kinds of IX members (a transit may send the default; the uplink family checks it).
IX_KINDS = ("route_server", "peer")


@dataclass(frozen=True, slots=True)
class Session:
    """A BGP session from ``router`` to ``address``."""

    router: str
    address: str
    remote_as: int
    description: str
    family: str
    kind: str
    max_prefix: int | None


@dataclass(frozen=True, slots=True)
class Target:
    """An address of ``town`` that every other town must reach."""

    town: str
    router: str
    what: str  # "loopback" or the segment's interface name
    address: str


@dataclass(frozen=True, slots=True)
class Phone:
    town: str
    sip_server: str
    extension: int


@dataclass(frozen=True, slots=True)
class Call:
    caller_town: str
    callee_town: str
    caller: int
    callee: int


@dataclass(frozen=True, slots=True)
class Expectations:
    adjacencies: tuple[Adjacency, ...]
    sessions: tuple[Session, ...]
    sources: dict[str, str]  # town router -> its loopback v4 (where pings start)
    sources_v6: dict[str, str]
    targets: tuple[Target, ...]
    spans: tuple[SpanLink, ...]
    ring: tuple[SpanLink, ...]  # spans whose loss cuts no router off
    edges: tuple[str, ...]  # the routers the IX checks read: each edge router with an IX port
    announced: dict[str, tuple[str, ...]]  # family -> our aggregates
    ix_neighbors: tuple[Session, ...]
    phones: tuple[Phone, ...]
    calls: tuple[Call, ...]

    def sessions_of(self, router: str) -> list[Session]:
        return [s for s in self.sessions if s.router == router]

    def adjacencies_of(self, router: str) -> list[Adjacency]:
        return [a for a in self.adjacencies if a.router == router]

    @property
    def routers(self) -> list[str]:
        return sorted({s.router for s in self.sessions} | {a.router for a in self.adjacencies})


def routers(intents: dict[str, Intent]) -> dict[str, RouterIntent]:
    return {name: i for name, i in intents.items() if isinstance(i, RouterIntent)}


def sip_servers(intents: dict[str, Intent]) -> dict[str, SipIntent]:
    return {name: i for name, i in intents.items() if isinstance(i, SipIntent)}


def adjacencies(intents: dict[str, Intent]) -> tuple[Adjacency, ...]:
    """One per span interface: the router at the far end, by its router id."""
    rts = routers(intents)
    out = []
    for name, intent in rts.items():
        for iface in intent.interfaces:
            if iface.kind != "span" or not iface.ospf or iface.peer not in rts:
                continue
            peer = rts[iface.peer]
            far = next(
                i
                for i in peer.interfaces
                if i.kind == "span"
                and i.peer == name
                and i.ipv4
                and IPNetwork(i.ipv4).cidr == IPNetwork(iface.ipv4 or "").cidr
            )
            out.append(Adjacency(name, iface.name, iface.peer, peer.ospf.router_id, ip(far.ipv4 or "")))
    return tuple(out)


def sessions(intents: dict[str, Intent]) -> tuple[Session, ...]:
    return tuple(
        Session(name, nb.address, nb.remote_as, nb.description, nb.family, nb.kind, nb.max_prefix)
        for name, intent in routers(intents).items()
        for nb in intent.bgp.neighbors
    )


def span_links(net: Network, intents: dict[str, Intent]) -> tuple[SpanLink, ...]:
    rts = routers(intents)
    out = []
    for _, span in sorted(net.spans(), key=lambda s: s[1].id):
        a, b = span.local.device, span.remote.device
        a_if = next(
            i
            for i in rts[a].interfaces
            if i.kind == "span" and i.peer == b and f"span {span.id} " in f"{i.description} "
        )
        b_if = next(
            i
            for i in rts[b].interfaces
            if i.kind == "span" and i.peer == a and f"span {span.id} " in f"{i.description} "
        )
        out.append(SpanLink(span.id, a, a_if.name, ip(a_if.ipv4 or ""), b, b_if.name, ip(b_if.ipv4 or "")))
    return tuple(out)


def connected(nodes: set[str], links: list[tuple[str, str]]) -> bool:
    """Whether ``links`` join every node of ``nodes`` into one piece.

    >>> connected({"a", "b", "c"}, [("a", "b"), ("b", "c")])
    True
    >>> connected({"a", "b", "c"}, [("a", "b")])
    False
    """
    if not nodes:
        return True
    seen, todo = set(), [next(iter(sorted(nodes)))]
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        todo += [b if a == node else a for a, b in links if node in (a, b)]
    return nodes <= seen


def ring_spans(spans: tuple[SpanLink, ...]) -> tuple[SpanLink, ...]:
    """Spans whose loss leaves every router reachable: the ones a resilience test may cut."""
    nodes = {n for s in spans for n in s.ends}
    return tuple(s for s in spans if connected(nodes, [o.ends for o in spans if o.id != s.id]))


def targets(net: Network, intents: dict[str, Intent]) -> tuple[Target, ...]:
    """Every town's loopbacks and segment gateways, both families."""
    out = []
    for town in net.live_towns:
        intent = intents[town.router.hostname]
        assert isinstance(intent, RouterIntent)
        out += [
            Target(town.name, intent.hostname, "loopback", intent.loopback_v4),
            Target(town.name, intent.hostname, "loopback", intent.loopback_v6),
        ]
        for iface in intent.interfaces:
            if iface.kind == "segment":
                out += [Target(town.name, intent.hostname, iface.name, ip(a)) for a in (iface.ipv4, iface.ipv6) if a]
    return tuple(out)


def phones(net: Network, intents: dict[str, Intent], extension_of: PhoneNumbering) -> tuple[Phone, ...]:
    out = []
    for sip in sip_servers(intents).values():
        town = net.town(sip.site)
        assert town.telephony is not None
        out += [Phone(town.name, sip.hostname, extension_of(sip, n)) for n in range(town.telephony.phones)]
    return tuple(out)


def first_extensions(sip: SipIntent, n: int) -> int:
    """The extension the ``n``-th phone of a SIP server's town registers (0-based)."""
    return sip.local.first + n


def calls(phone_list: tuple[Phone, ...]) -> tuple[Call, ...]:
    """One call for every pair of towns with telephony: first phone of one to last phone of the other."""
    by_town: dict[str, list[Phone]] = {}
    for p in phone_list:
        by_town.setdefault(p.town, []).append(p)
    return tuple(
        Call(a, b, by_town[a][0].extension, by_town[b][-1].extension) for a, b in combinations(sorted(by_town), 2)
    )


def ix_edges(net: Network, rts: dict[str, RouterIntent]) -> tuple[str, ...]:
    """The routers the IX checks read: each edge router with an IX port (else the first edge router).

    Transit sessions on every edge are the uplink family's.
    """
    on_ix = tuple(p.device for p in net.ix.edge_ports if p.device in rts)
    return on_ix or tuple(n for n, i in rts.items() if i.role == "edge")[:1]


def build(net: Network, intents: dict[str, Intent], numbering: PhoneNumbering | None = None) -> Expectations:
    rts = routers(intents)
    edges = ix_edges(net, rts)
    all_sessions = sessions(intents)
    links = span_links(net, intents)
    town_routers = [t.router.hostname for t in net.live_towns]
    phone_list = phones(net, intents, numbering or first_extensions)
    return Expectations(
        adjacencies=adjacencies(intents),
        sessions=all_sessions,
        sources={r: rts[r].loopback_v4 for r in town_routers},
        sources_v6={r: rts[r].loopback_v6 for r in town_routers},
        targets=targets(net, intents),
        spans=links,
        ring=ring_spans(links),
        edges=edges,
        announced={
            fam: tuple(a for a in net.syndicate.aggregates if IPNetwork(a).version == ver)
            for fam, ver in (("ipv4", 4), ("ipv6", 6))
        },
        ix_neighbors=tuple(s for s in all_sessions if s.kind in IX_KINDS and s.router in edges),
        phones=phone_list,
        calls=calls(phone_list),
    )
