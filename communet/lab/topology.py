"""The lab topology, derived from the model and the design: nodes, links, addresses.

Nothing here is lab-specific data: a town added to the inventory appears as a router
namespace, its spans as veth pairs, its segments as host namespaces, its SIP server
and phones on its voice segment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from netaddr import IPNetwork

from communet import addressing as ad
from communet.design import build_design
from communet.design.intent import RouterIntent, SipIntent
from communet.lab.state import PREFIX
from communet.model.ix import Peer, RouteServer
from communet.model.network import Network
from communet.model.policy import telephony_role, telephony_spec
from communet.platforms import platform

Kind = Literal["router", "sip", "host", "switch", "routeserver", "member", "transit", "internet"]
ROUTER_DAEMONS = ("zebra", "staticd", "bfdd", "ospfd", "ospf6d", "bgpd")
MEMBER_DAEMONS = ("zebra", "bgpd")
MGMT_BRIDGE = f"{PREFIX}mgmt"
MGMT_IF = platform("frr").management  # the lab runs every router as FRR
SWITCH = "sw0"
IX_NODE = "ix-lan"


@dataclass(frozen=True, slots=True)
class Node:
    name: str
    kind: Kind
    daemons: tuple[str, ...] = ()
    mgmt: str | None = None  # management address/length
    site: str = ""

    @property
    def netns(self) -> str:
        return f"{PREFIX}{self.name}"


@dataclass(frozen=True, slots=True)
class End:
    node: str
    ifname: str
    bridge: str | None = None  # enslave this end into a bridge of its namespace


@dataclass(frozen=True, slots=True)
class Link:
    a: End
    b: End
    role: str  # span, segment, ix, sip


@dataclass(frozen=True, slots=True)
class Address:
    node: str
    ifname: str
    cidr: str


@dataclass(frozen=True, slots=True)
class Route:
    node: str
    via: str  # default route via this gateway


@dataclass(frozen=True, slots=True)
class Phone:
    node: str  # the namespace it runs in (the voice segment's host)
    town: str
    extension: int
    address: str
    sip_server: str  # address of the town's SIP server
    domain: str


@dataclass(frozen=True, slots=True)
class Topology:
    nodes: tuple[Node, ...]
    links: tuple[Link, ...]
    bridges: tuple[tuple[str, str], ...]  # (node, bridge name) inside namespaces
    addresses: tuple[Address, ...]
    routes: tuple[Route, ...]
    phones: tuple[Phone, ...]
    mgmt_prefix: str
    station: str  # management station address/length, on the root bridge
    intents: dict[str, RouterIntent | SipIntent] = field(default_factory=dict)
    #: (hostname, inventory platform) of routers the lab runs as FRR from the same intent
    as_frr: tuple[tuple[str, str], ...] = ()

    def node(self, name: str) -> Node:
        for node in self.nodes:
            if node.name == name:
                return node
        raise KeyError(name)

    def of_kind(self, *kinds: Kind) -> tuple[Node, ...]:
        return tuple(n for n in self.nodes if n.kind in kinds)


def _cidr(address: object, prefix: IPNetwork) -> str:
    return f"{address}/{prefix.prefixlen}"


def test_host_index(segment: IPNetwork) -> int:
    """Test hosts sit at the top of a segment: the last usable address (IPv4)."""
    return segment.size - 2


class _Builder:
    def __init__(self, net: Network) -> None:
        self.net = net
        self.nodes: list[Node] = []
        self.links: list[Link] = []
        self.bridges: list[tuple[str, str]] = []
        self.addresses: list[Address] = []
        self.routes: list[Route] = []
        self.phones: list[Phone] = []

    def host_segment(self, router: RouterIntent, iface_name: str, role: str, v4: IPNetwork, v6: IPNetwork) -> str:
        name = f"{router.site}-{role}"
        self.nodes.append(Node(name, "host", site=router.site))
        self.bridges.append((name, SWITCH))
        self.links.append(Link(End(router.hostname, iface_name), End(name, "r0", SWITCH), "segment"))
        self.addresses += [
            Address(name, SWITCH, _cidr(ad.host(v4, test_host_index(v4)), v4)),
            Address(name, SWITCH, _cidr(ad.host(v6, test_host_index(v4)), v6)),
        ]
        self.routes += [Route(name, str(ad.host(v4, 1))), Route(name, str(ad.host(v6, 1)))]
        return name

    def segments(self, router: RouterIntent) -> dict[str, str]:
        """One host namespace per segment; returns role -> host node name."""
        syn = self.net.syndicate
        site = next(s for s in self.net.sites if s.name == router.site)
        by_vlan = {spec.vlan: role for role, spec in syn.segment_roles.items()}
        hosts: dict[str, str] = {}
        for iface in router.interfaces:
            if iface.kind != "segment" or iface.vlan is None:
                continue
            role = by_vlan[iface.vlan]
            spec = syn.segment_roles[role]
            hosts[role] = self.host_segment(
                router, iface.name, role, ad.segment_v4(syn, site, spec), ad.segment_v6(syn, site, spec)
            )
        return hosts

    def sip(self, intent: SipIntent, voice_host: str) -> None:
        v4 = IPNetwork(intent.segment_v4)
        town = self.net.town(intent.site)
        v6 = ad.segment_v6(self.net.syndicate, town, telephony_spec(self.net.syndicate))
        self.nodes.append(Node(intent.hostname, "sip", mgmt=intent.management.address, site=intent.site))
        self.links.append(Link(End(intent.hostname, "eth0"), End(voice_host, "s0", SWITCH), "sip"))
        self.addresses += [
            Address(intent.hostname, "eth0", _cidr(intent.listen_v4, v4)),
            Address(intent.hostname, "eth0", _cidr(intent.listen_v6, v6)),
        ]
        self.routes += [Route(intent.hostname, intent.gateway_v4), Route(intent.hostname, str(ad.host(v6, 1)))]
        assert town.telephony is not None
        for i in range(town.telephony.phones):
            address = ad.host(v4, test_host_index(v4) - 1 - i)
            self.addresses.append(Address(voice_host, SWITCH, _cidr(address, v4)))
            self.phones.append(
                Phone(voice_host, town.name, intent.local.first + i, str(address), intent.listen_v4, intent.domain)
            )

    def ix(self, routers: dict[str, RouterIntent]) -> None:
        ix = self.net.ix
        lan4, lan6 = IPNetwork(ix.lan_v4), IPNetwork(ix.lan_v6)
        self.nodes.append(Node(IX_NODE, "switch"))
        self.bridges.append((IX_NODE, SWITCH))
        for i, ours in enumerate(p for p in ix.edge_ports if p.device in routers):
            port = platform(routers[ours.device].platform).port(ours.port)
            self.links.append(Link(End(ours.device, port), End(IX_NODE, f"e{i}", SWITCH), "ix"))
        members: list[tuple[RouteServer | Peer, Kind, str]] = [
            (rs, "routeserver", f"r{i}") for i, rs in enumerate(ix.route_servers)
        ]
        members += [(peer, "member", f"m{i}") for i, peer in enumerate(ix.peers)]
        for neighbor, kind, lan_port in members:
            daemons = MEMBER_DAEMONS if kind == "member" else ()
            self.nodes.append(Node(neighbor.name, kind, daemons=daemons))
            self.links.append(Link(End(neighbor.name, "eth0"), End(IX_NODE, lan_port, SWITCH), "ix"))
            self.addresses += [
                Address(neighbor.name, "eth0", _cidr(address, lan))
                for address, lan in ((neighbor.v4, lan4), (neighbor.v6, lan6))
                if address is not None  # a neighbor present in one family only
            ]

    def build(self) -> Topology:
        net = self.net
        intents = build_design(net, platform_override="frr")  # every router runs as FRR in the lab
        routers = {h: i for h, i in intents.items() if isinstance(i, RouterIntent)}
        voice_hosts: dict[str, str] = {}
        for intent in routers.values():
            self.nodes.append(Node(intent.hostname, "router", ROUTER_DAEMONS, intent.management.address, intent.site))
        for _, span in sorted(net.spans(), key=lambda s: s[1].id):
            ends = (span.local, span.remote)
            if all(e.device in routers for e in ends):
                a, b = (End(e.device, platform(routers[e.device].platform).port(e.port)) for e in ends)
                self.links.append(Link(a, b, "span"))
        phones_role = telephony_role(net.syndicate)
        for intent in routers.values():
            hosts = self.segments(intent)
            if phones_role in hosts:
                voice_hosts[intent.site] = hosts[phones_role]
        for sip in intents.values():
            if isinstance(sip, SipIntent) and sip.site in voice_hosts:
                self.sip(sip, voice_hosts[sip.site])
        self.ix(routers)
        from communet.lab.transit_topology import add_uplink  # transit providers and the internet node

        add_uplink(self, routers)
        mgmt = IPNetwork(net.syndicate.pools.management_v4)
        return Topology(
            nodes=tuple(self.nodes),
            links=tuple(self.links),
            bridges=tuple(self.bridges),
            addresses=tuple(self.addresses),
            routes=tuple(self.routes),
            phones=tuple(self.phones),
            mgmt_prefix=str(mgmt),
            station=_cidr(ad.management_station(net.syndicate), mgmt),
            intents={h: i for h, i in intents.items() if h in routers or isinstance(i, SipIntent)},
            as_frr=tuple((r.hostname, r.platform) for _, r in net.routers() if r.platform != "frr"),
        )


def as_frr_note(topo: Topology) -> str | None:
    """What ``lab up`` and ``lab status`` say when some routers are not FRR in the inventory."""
    if not topo.as_frr:
        return None
    names = ", ".join(f"{host} ({plat})" for host, plat in topo.as_frr)
    return f"running as FRR from the same intent (the lab has no other router platform): {names}"


def build_topology(net: Network) -> Topology:
    """The whole lab for ``net``: every router (as FRR, whatever its platform), hosts, SIP, IX, management."""
    return _Builder(net).build()
