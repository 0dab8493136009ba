"""Firewall design: from the segment policy (``syndicate.yml``) to each router's firewall intent.

Every segment is enforced on the router it hangs off: what its hosts may start (its
role's ``reach``, both families), with strict uRPF on its sources, so a flow that
reaches another segment's router was already held to its source's policy there. Into a
segment, new flows come only from segments (never from the internet or the IX), and
into the data center's segments also from infrastructure (routers' NTP and syslog).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from netaddr import IPNetwork, IPSet

from communet import addressing as ad
from communet.design.acl import segment_acl
from communet.design.firewall_intent import Firewall, FlowRule, Ports, Protection, SegmentFilter
from communet.design.intent import Family, Interface, QosClass
from communet.model.network import Network
from communet.model.policy import MEANING, role_policy
from communet.model.site import DataCenter, Router, Site
from communet.platforms import platform

TABLE = "communet"
SSH_PORT = 22
SNMP_PORT = 161
BGP_PORT = 179
BFD_PORTS = (3784, 3785, 4784)  # single hop, echo, multihop (RFC 5881, 5883)
FAMILIES: tuple[tuple[Family, int], ...] = (("ipv4", 4), ("ipv6", 6))


@dataclass(frozen=True, slots=True)
class Segment:
    """A live segment anywhere in the syndicate."""

    site: str
    datacenter: bool
    role: str
    v4: str
    v6: str

    def prefix(self, version: int) -> str:
        return self.v4 if version == 4 else self.v6

    @property
    def label(self) -> str:
        return f"{self.site} {self.role}"


@dataclass(frozen=True, slots=True)
class Target:
    """Where a segment may start flows: prefixes (or outside ``ours``), on ports."""

    what: str  # the destination class
    prefixes: tuple[str, ...]
    outside: bool
    ports: tuple[Ports, ...]


def live_sites(net: Network) -> tuple[Site, ...]:
    return (net.datacenter, *net.live_towns)


def segments(net: Network) -> tuple[Segment, ...]:
    syn = net.syndicate
    out = []
    for site in live_sites(net):
        for role in site.segments:
            spec = syn.segment_roles[role]
            v4, v6 = ad.segment_v4(syn, site, spec), ad.segment_v6(syn, site, spec)
            out.append(Segment(site.name, isinstance(site, DataCenter), role, str(v4), str(v6)))
    return tuple(out)


def sip_servers(net: Network) -> tuple[str, ...]:
    out: list[str] = []
    for town in net.live_towns:
        if town.telephony is not None:
            v4, v6 = ad.sip_address(net.syndicate, town)
            out += [f"{v4}/32", f"{v6}/128"]
    return tuple(out)


def ours(net: Network, version: int) -> tuple[str, ...]:
    """The syndicate's own space: aggregates, every pool, the IX LAN; collapsed."""
    syn = net.syndicate
    pools = [p for p in syn.pools.model_dump().values()] + list(syn.aggregates) + [net.ix.lan_v4, net.ix.lan_v6]
    return _collapse(pools, version)


def _collapse(prefixes: Iterable[str], version: int) -> tuple[str, ...]:
    nets = IPSet(p for p in prefixes if IPNetwork(p).version == version)
    return tuple(str(c) for c in nets.iter_cidrs())


def infrastructure(net: Network, version: int) -> tuple[str, ...]:
    pools = net.syndicate.pools
    return (pools.loopback_v4, pools.span_v4) if version == 4 else (pools.loopback_v6, pools.span_v6)


def policy_ports(net: Network, kind: str) -> tuple[Ports, ...]:
    """``any``: no restriction; ``telephony``: SIP (UDP and TCP) and RTP (UDP)."""
    if kind == "any":
        return ()
    qos = net.syndicate.telephony.qos
    return (
        Ports("udp", qos.sip_port, qos.sip_port),
        Ports("tcp", qos.sip_port, qos.sip_port),
        Ports("udp", qos.rtp_ports[0], qos.rtp_ports[1]),
    )


def class_prefixes(net: Network, src: Segment, what: str, every: tuple[Segment, ...]) -> tuple[str, ...]:
    """Both families' prefixes of destination class ``what`` seen from ``src`` (routed classes only)."""
    if what == "own_town":
        picked = [s for s in every if s.site == src.site and s.role != src.role]
    elif what == "same_role":
        picked = [s for s in every if s.role == src.role and s.site != src.site]
    elif what == "datacenter":
        picked = [s for s in every if s.datacenter and s != src]
    elif what == "sip_servers":
        return tuple(p for p in sip_servers(net) if not _inside(p, src))
    else:
        return ()
    return tuple(p for s in picked for p in (s.v4, s.v6))


def _inside(prefix: str, seg: Segment) -> bool:
    p = IPNetwork(prefix)
    return any(p.version == IPNetwork(s).version and p in IPNetwork(s) for s in (seg.v4, seg.v6))


def targets(net: Network, src: Segment, every: tuple[Segment, ...]) -> tuple[Target, ...]:
    """What a segment's hosts may start flows to, per destination class of its role's ``reach``."""
    pol = role_policy(net.syndicate, src.role)
    ports = policy_ports(net, pol.ports)
    out = []
    for what in pol.reach:
        if what == "internet":
            out.append(Target(what, (), True, ports))
        elif what not in ("same_segment", "router_management"):
            prefixes = class_prefixes(net, src, what, every)
            if prefixes:
                out.append(Target(what, prefixes, False, ports))
    return tuple(out)


def _family(prefixes: Iterable[str], version: int) -> tuple[str, ...]:
    """The prefixes of one IP version; a prefix in text is IPv6 exactly when it holds a colon (no parse:
    this runs for every prefix of every class of every segment)."""
    return tuple(p for p in prefixes if (6 if ":" in p else 4) == version)


def from_rules(net: Network, src: Segment, every: tuple[Segment, ...]) -> tuple[FlowRule, ...]:
    out = []
    for t in targets(net, src, every):
        for family, version in FAMILIES:
            dst = _family(t.prefixes, version)
            if t.outside or dst:
                out.append(FlowRule(MEANING[t.what], family, (), dst, t.outside, t.ports, t.what))
    return tuple(out)


def segment_space(net: Network, version: int) -> tuple[str, ...]:
    """Where segments live (site blocks and the public pool): sources already policed at their own router."""
    pools = net.syndicate.pools
    return _collapse((pools.site_v4, pools.public_v4) if version == 4 else (pools.site_v6,), version)


def to_rules(net: Network, dst: Segment) -> tuple[FlowRule, ...]:
    """Flows others may start into ``dst``: from segments (each held to its role's policy where it
    enters the network, its source checked by uRPF), and to the data center from infrastructure."""
    out = [
        FlowRule("segments, held to their policy at their own router", f, segment_space(net, v)) for f, v in FAMILIES
    ]
    if dst.datacenter:
        out += [FlowRule("infrastructure (NTP, syslog)", f, infrastructure(net, v)) for f, v in FAMILIES]
    return tuple(out)


def management_rules(net: Network, every: tuple[Segment, ...]) -> tuple[FlowRule, ...]:
    """Segments whose role reaches ``router_management``: SSH and SNMP on every router."""
    syn = net.syndicate
    ports = (Ports("tcp", SSH_PORT, SSH_PORT), Ports("udp", SNMP_PORT, SNMP_PORT))
    out = []
    for seg in every:
        if "router_management" in role_policy(syn, seg.role).reach:
            for family, version in FAMILIES:
                out.append(
                    FlowRule(
                        f"{seg.label}: {MEANING['router_management']}", family, (seg.prefix(version),), (), False, ports
                    )
                )
    return tuple(out)


def protection(
    net: Network, router: Router, interfaces: tuple[Interface, ...], bgp: Iterable[str], every: tuple[Segment, ...]
) -> Protection:
    neighbors = list(bgp)
    return Protection(
        management_interface=platform(router.platform).management,
        management_v4=(net.syndicate.pools.management_v4,),
        management_extra=management_rules(net, every),
        infrastructure_v4=infrastructure(net, 4),
        infrastructure_v6=infrastructure(net, 6),
        span_interfaces=tuple(i.name for i in interfaces if i.kind == "span"),
        bgp_v4=tuple(a for a in neighbors if IPNetwork(a).version == 4),
        bgp_v6=tuple(a for a in neighbors if IPNetwork(a).version == 6),
        ssh_port=SSH_PORT,
        snmp_port=SNMP_PORT,
        bgp_port=BGP_PORT,
        bfd_ports=BFD_PORTS,
    )


def segment_filters(
    net: Network,
    site: Site,
    interfaces: tuple[Interface, ...],
    every: tuple[Segment, ...],
    marking: tuple[QosClass, ...] = (),
) -> tuple[SegmentFilter, ...]:
    mine = {s.v4: s for s in every if s.site == site.name}
    out = []
    for iface in interfaces:
        if iface.kind != "segment" or iface.ipv4 is None:
            continue
        seg = mine[str(IPNetwork(iface.ipv4).cidr)]
        rules = from_rules(net, seg, every)
        out.append(
            SegmentFilter(
                interface=iface.name,
                role=seg.role,
                prefix_v4=seg.v4,
                prefix_v6=seg.v6,
                from_segment=rules,
                to_segment=to_rules(net, seg),
                urpf=True,
                name=iface.segment_filter or "",
                acl_v4=segment_acl(seg.v4, rules, "ipv4", ours(net, 4)),
                acl_v6=segment_acl(seg.v6, rules, "ipv6", ours(net, 6)),
                marking=marking if iface.qos_policy else (),
            )
        )
    return tuple(out)


def firewall(
    net: Network,
    site: Site,
    router: Router,
    interfaces: tuple[Interface, ...],
    bgp: Iterable[str],
    every: tuple[Segment, ...] | None = None,
    marking: tuple[QosClass, ...] = (),
) -> Firewall:
    """``every``: :func:`segments` of the network, when the caller computed it once for all routers;
    ``marking``: the DSCP classes of a segment with a QoS policy (set before the policy on JunOS)."""
    every = segments(net) if every is None else every
    filters = segment_filters(net, site, interfaces, every, marking)
    return Firewall(
        table=TABLE,
        ours_v4=ours(net, 4),
        ours_v6=ours(net, 6),
        segments=filters,
        protection=protection(net, router, interfaces, bgp, every),
        urpf_interfaces=tuple(s.interface for s in filters if s.urpf),
    )
