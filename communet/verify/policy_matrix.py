"""The flow matrix, generated from the segment policy: which probes must be answered, which dropped.

Sources: each role's segment in (up to) two sites, plus the segment of the widest role (the
one reaching the most destination classes, the town hall's in the example) of every town.
For each source and destination class, one target in the lab: a ping and a TCP connect,
IPv4 and IPv6. ``other_towns`` (another role of another town) is in no role's ``reach`` and
is always denied. ``same_segment`` is switched, not routed: no router sees it, so it is not
probed. A role whose ``ports`` is ``telephony`` probes with the SIP port and expects pings
dropped; router management is probed on SSH and never answers a ping from a segment.
"""

from __future__ import annotations

from dataclasses import dataclass

from netaddr import IPAddress, IPNetwork

from communet.design import firewall as fw
from communet.design.firewall import Segment
from communet.lab.firewall import INTERNET_NODE, PROBE_PORT
from communet.lab.topology import Node, Topology
from communet.model.network import Network
from communet.model.policy import role_policy

OTHER_TOWNS = "other_towns"
#: Destination classes probed, in matrix order.
CLASSES = ("own_town", "same_role", OTHER_TOWNS, "datacenter", "sip_servers", "internet", "router_management")
FAMILIES = (("ipv4", 4), ("ipv6", 6))


@dataclass(frozen=True, slots=True)
class Flow:
    source: str  # lab node of the source segment's host
    label: str  # "aldermoor wifi"
    what: str  # destination class
    target: str  # lab node (or router) answering for the class
    family: str
    probe: str  # ping or tcp
    address: str
    port: int  # 0 for ping
    allowed: bool


@dataclass(frozen=True, slots=True)
class Host:
    node: str
    segment: Segment
    v4: str
    v6: str

    def address(self, version: int) -> str:
        return self.v4 if version == 4 else self.v6


def _addresses(topo: Topology, node: str) -> dict[int, str]:
    """The first global address of each family of ``node``, in the order the lab assigns them."""
    out: dict[int, str] = {}
    for a in topo.addresses:
        if a.node == node:
            ip = IPNetwork(a.cidr).ip
            if not ip.is_link_local():
                out.setdefault(ip.version, str(ip))
    return out


def hosts(net: Network, topo: Topology) -> list[Host]:
    """Every segment host of the lab with its segment, in the design's segment order."""
    by_prefix = {s.v4: s for s in fw.segments(net)}
    out = []
    for node in topo.of_kind("host"):
        addrs = _addresses(topo, node.name)
        if 4 not in addrs or 6 not in addrs:
            continue
        seg = next((s for p, s in by_prefix.items() if IPAddress(addrs[4]) in IPNetwork(p)), None)
        if seg is not None:
            out.append(Host(node.name, seg, addrs[4], addrs[6]))
    order = {s: i for i, s in enumerate(fw.segments(net))}
    return sorted(out, key=lambda h: order[h.segment])


def widest_role(net: Network) -> str:
    roles = list(net.syndicate.segment_roles)
    return max(roles, key=lambda r: (len(set(role_policy(net.syndicate, r).reach)), -roles.index(r)))


def sources(net: Network, every: list[Host]) -> list[Host]:
    """Each role in up to two towns (or the data center), then the widest role in every town."""
    picked: list[Host] = []
    for role in net.syndicate.segment_roles:
        of_role = [h for h in every if h.segment.role == role]
        towns = [h for h in of_role if not h.segment.datacenter]
        picked += (towns or of_role)[:2]
    widest = widest_role(net)
    picked += [h for h in every if h.segment.role == widest and not h.segment.datacenter and h not in picked]
    return picked


def _first(items: list[Host]) -> Host | None:
    return items[0] if items else None


def target_host(src: Host, what: str, every: list[Host]) -> Host | None:
    s = src.segment
    others = [h for h in every if h is not src]
    if what == "own_town":
        return _first([h for h in others if h.segment.site == s.site])
    if what == "same_role":
        return _first([h for h in others if h.segment.role == s.role and h.segment.site != s.site])
    if what == OTHER_TOWNS:
        return _first(
            [h for h in others if h.segment.site != s.site and h.segment.role != s.role and not h.segment.datacenter]
        )
    if what == "datacenter":
        return _first([h for h in others if h.segment.datacenter])
    return None


def sip_target(topo: Topology, src: Host) -> tuple[Node, dict[int, str]] | None:
    for node in topo.of_kind("sip"):
        if node.site != src.segment.site:
            addrs = _addresses(topo, node.name)
            if 4 in addrs and 6 in addrs:
                return node, addrs
    return None


def internet_target(topo: Topology) -> dict[int, str] | None:
    try:
        topo.node(INTERNET_NODE)
    except KeyError:
        return None
    addrs = _addresses(topo, INTERNET_NODE)
    return addrs if 4 in addrs and 6 in addrs else None


def router_of(net: Network, seg: Segment) -> tuple[str, dict[int, str]]:
    """The router a segment hangs off, and its gateway addresses there."""
    site = next(s for s in fw.live_sites(net) if s.name == seg.site)
    router = site.router if hasattr(site, "router") else next(r for r in site.routers if r.role == "core")  # type: ignore[attr-defined]
    return router.hostname, {v: str(IPNetwork(seg.prefix(v))[1]) for _, v in FAMILIES}


def targets(net: Network, topo: Topology, src: Host, every: list[Host]) -> dict[str, tuple[str, dict[int, str]]]:
    """Destination class -> (target node, address per family); classes without a target are left out."""
    out: dict[str, tuple[str, dict[int, str]]] = {}
    for what in CLASSES:
        host = target_host(src, what, every)
        if host is not None:
            out[what] = (host.node, {4: host.v4, 6: host.v6})
    sip = sip_target(topo, src)
    if sip is not None:
        out["sip_servers"] = (sip[0].name, sip[1])
    internet = internet_target(topo)
    if internet is not None:
        out["internet"] = (INTERNET_NODE, internet)
    out["router_management"] = router_of(net, src.segment)
    return out


def flows_of(net: Network, topo: Topology, src: Host, every: list[Host]) -> list[Flow]:
    pol = role_policy(net.syndicate, src.segment.role)
    sip_port = net.syndicate.telephony.qos.sip_port
    out = []
    for what, (node, addrs) in targets(net, topo, src, every).items():
        allowed = what in pol.reach
        if what == "router_management":
            port, ping_ok = fw.SSH_PORT, False
        else:
            port, ping_ok = (sip_port, False) if pol.ports == "telephony" else (PROBE_PORT, True)
        for family, version in FAMILIES:
            a = addrs[version]
            out.append(Flow(src.node, src.segment.label, what, node, family, "ping", a, 0, allowed and ping_ok))
            out.append(Flow(src.node, src.segment.label, what, node, family, "tcp", a, port, allowed))
    return out


def matrix(net: Network, topo: Topology) -> list[Flow]:
    """Every flow to probe, from the policy and the lab's hosts."""
    every = hosts(net, topo)
    return [f for src in sources(net, every) for f in flows_of(net, topo, src, every)]
