"""Firewall design: from the segment policy (``syndicate.yml``) to each router's firewall intent.

Every segment is enforced on the router it hangs off: what its hosts may start (its
role's ``reach``, both families), with strict uRPF on its sources, so a flow that
reaches another segment's router was already held to its source's policy there. Into a
segment, new flows come only from segments (never from the internet or the IX), and
into the data center's segments also from infrastructure (routers' NTP and syslog).
"""

from __future__ import annotations

import sys
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache, partial
from typing import Any, TypeVar

from netaddr import IPAddress, IPNetwork, IPSet

from communet import addressing as ad
from communet.design.acl import segment_acl
from communet.design.firewall_intent import Firewall, FlowRule, Ports, Protection, SegmentFilter, Spread
from communet.design.intent import Family, Interface, QosClass
from communet.model.network import Network
from communet.model.policy import MEANING, role_policy, telephony_role
from communet.model.site import DataCenter, Router, Site
from communet.platforms import platform

T = TypeVar("T")

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
    """Where a segment may start flows: prefixes and spreads (or outside ``ours``), on ports."""

    what: str  # the destination class
    prefixes: tuple[str, ...]  # listed one by one (both families)
    outside: bool
    ports: tuple[Ports, ...]
    spreads: tuple[Spread, ...] = ()  # one member in each of many site blocks (at most one per family)

    def members(self) -> tuple[str, ...]:
        return self.prefixes + tuple(m for s in self.spreads for m in s.members())


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


@dataclass(frozen=True, slots=True)
class Place:
    """One place of every site block of one family (a role's segment, a SIP server's address)."""

    version: int
    pool_first: int  # the site pool's first address
    block_len: int
    prefixlen: int
    offset: int  # from the start of a block

    def spread(self, runs: Iterable[tuple[int, int]]) -> Spread | None:
        """The members in the blocks of site ids ``runs`` (first, last), collapsed; None for none."""
        width = 32 if self.version == 4 else 128
        size = 1 << (width - self.block_len)
        blocks = [
            f"{_address(first, self.version)}/{length}"
            for a, b in runs
            for first, length in _aligned(self.pool_first + a * size, self.pool_first + (b + 1) * size - 1, width)
        ]
        if not blocks:
            return None
        mask = ((1 << (width - self.block_len)) - 1) ^ ((1 << (width - self.prefixlen)) - 1)
        return Spread(
            tuple(blocks),
            self.block_len,
            self.prefixlen,
            str(IPAddress(self.offset, self.version)),
            str(IPAddress(mask, self.version)),
        )


@lru_cache(maxsize=65536)
def _address(value: int, version: int) -> str:
    """An address as text (cached: the blocks of most spreads recur from router to router)."""
    return str(IPAddress(value, version))


def _aligned(first: int, last: int, width: int) -> Iterator[tuple[int, int]]:
    """The fewest prefixes (first address, length) that cover ``first``..``last`` exactly."""
    while first <= last:
        size = first & -first if first else 1 << width
        while size > last - first + 1:
            size >>= 1
        yield first, width - size.bit_length() + 1
        first += size


Runs = tuple[tuple[int, int], ...]


def _runs(ids: Iterable[int]) -> Runs:
    """Site ids, sorted, as runs of consecutive ids (first, last)."""
    out: list[tuple[int, int]] = []
    for i in sorted(set(ids)):
        if out and out[-1][1] == i - 1:
            out[-1] = (out[-1][0], i)
        else:
            out.append((i, i))
    return tuple(out)


def _less(runs: Runs, without: int | None) -> Runs:
    """``runs`` without the id ``without``: the run that holds it split in two (a bisect, not a scan)."""
    if without is None:
        return runs
    at = bisect_right(runs, (without, sys.maxsize)) - 1
    if at < 0 or runs[at][1] < without:
        return runs
    first, last = runs[at]
    split: Runs = ((first, without - 1),) if first < without else ()
    split += ((without + 1, last),) if without < last else ()
    return runs[:at] + split + runs[at + 1 :]


class Classes:
    """Where every destination class lives, computed once for the network: each router's rules
    are then built from a few prefixes and spreads, never from a scan of every segment."""

    def __init__(self, net: Network, every: tuple[Segment, ...]) -> None:
        syn = net.syndicate
        self.net = net
        self.every = every
        self.by_site: dict[str, list[Segment]] = {}
        self.by_role: dict[str, list[Segment]] = {}
        for seg in every:
            self.by_site.setdefault(seg.site, []).append(seg)
            self.by_role.setdefault(seg.role, []).append(seg)
        self.datacenter = [s for s in every if s.datacenter]
        self.site_id = {site.name: site.id for site in live_sites(net)}
        role_ids: dict[str, list[int]] = {}
        for site in live_sites(net):
            for role in site.segments:
                role_ids.setdefault(role, []).append(site.id)
        self.role_runs = {role: _runs(ids) for role, ids in role_ids.items()}
        self.sip_runs = _runs(t.id for t in net.live_towns if t.telephony is not None)
        self.sip_prefixes = {t.name: ad.sip_address(syn, t) for t in net.live_towns if t.telephony is not None}
        v4_first = IPNetwork(syn.pools.site_v4).first
        v6_first = IPNetwork(syn.pools.site_v6).first
        block4, block6 = ad.site_block_v4(syn, 0), ad.site_block_v6(syn, 0)
        self.places: dict[tuple[str, int], Place] = {}
        for role_name, spec in syn.segment_roles.items():
            if spec.pool_v4 != "public":
                seg4 = ad.nth_subnet(str(block4), spec.v4_prefixlen, spec.slot)
                offset = seg4.first - block4.first
                self.places[role_name, 4] = Place(4, v4_first, block4.prefixlen, seg4.prefixlen, offset)
            seg6 = ad.nth_subnet(str(block6), 64, spec.slot)
            self.places[role_name, 6] = Place(6, v6_first, block6.prefixlen, 64, seg6.first - block6.first)
        self.memo: dict[tuple[object, ...], Any] = {}
        self.sip_places: dict[int, Place] = {}
        voice = telephony_role(syn)
        host = syn.telephony.sip_host
        for version in (4, 6):
            seat = self.places.get((voice, version)) if voice else None
            if seat is not None:
                width = 32 if version == 4 else 128
                self.sip_places[version] = Place(version, seat.pool_first, seat.block_len, width, seat.offset + host)

    def once(self, key: tuple[object, ...], make: Callable[[], T]) -> T:
        """``make()``, computed once per network for what is the same on every router."""
        if key not in self.memo:
            self.memo[key] = make()
        return self.memo[key]  # type: ignore[no-any-return]

    def same_role(self, src: Segment) -> tuple[tuple[str, ...], tuple[Spread, ...]]:
        """The segments of ``src``'s role in every other site."""
        listed: list[str] = []
        spreads: list[Spread] = []
        without = self.site_id[src.site]
        runs = _less(self.role_runs.get(src.role, ()), without)
        for version in (4, 6):
            place = self.places.get((src.role, version))
            if place is None:  # a role in the public pool: listed
                listed += [s.prefix(version) for s in self.by_role[src.role] if s.site != src.site]
            elif (spread := place.spread(runs)) is not None:
                spreads.append(spread)
        return tuple(listed), tuple(spreads)

    def sip_servers(self, src: Segment) -> tuple[tuple[str, ...], tuple[Spread, ...]]:
        """Every SIP server not on ``src`` itself."""
        own = self.sip_prefixes.get(src.site)
        inside = own is not None and any(_inside(f"{a}/{32 if a.version == 4 else 128}", src) for a in own)
        without = self.site_id[src.site] if inside else None
        runs = _less(self.sip_runs, without)
        listed: list[str] = []
        spreads: list[Spread] = []
        for version, place in self.sip_places.items():
            # the same on every segment but the SIP servers' own: made once
            key = ("sip", version, without)
            if (spread := self.once(key, partial(place.spread, runs))) is not None:
                spreads.append(spread)
        if not self.sip_places:
            listed = [p for p in sip_servers(self.net) if not _inside(p, src)]
        return tuple(listed), tuple(spreads)

    def of(self, src: Segment, what: str) -> tuple[tuple[str, ...], tuple[Spread, ...]]:
        """Destination class ``what`` seen from ``src``: listed prefixes and spreads (routed classes only)."""
        if what == "own_town":
            picked = [s for s in self.by_site.get(src.site, ()) if s.role != src.role]
        elif what == "same_role":
            return self.same_role(src)
        elif what == "datacenter":
            picked = [s for s in self.datacenter if s != src]
        elif what == "sip_servers":
            return self.sip_servers(src)
        else:
            return (), ()
        return tuple(p for s in picked for p in (s.v4, s.v6)), ()


_CLASSES: list[Classes] = []


def classes(net: Network, every: tuple[Segment, ...]) -> Classes:
    """The :class:`Classes` of ``net`` (kept for the last network and segments asked for)."""
    if not (_CLASSES and _CLASSES[0].net is net and _CLASSES[0].every is every):
        _CLASSES[:] = [Classes(net, every)]
    return _CLASSES[0]


def class_prefixes(net: Network, src: Segment, what: str, every: tuple[Segment, ...]) -> tuple[str, ...]:
    """Both families' prefixes of destination class ``what`` seen from ``src``, listed one by one."""
    listed, spreads = classes(net, every).of(src, what)
    return listed + tuple(m for s in spreads for m in s.members())


def _inside(prefix: str, seg: Segment) -> bool:
    p = IPNetwork(prefix)
    return any(p.version == IPNetwork(s).version and p in IPNetwork(s) for s in (seg.v4, seg.v6))


def targets(net: Network, src: Segment, every: tuple[Segment, ...]) -> tuple[Target, ...]:
    """What a segment's hosts may start flows to, per destination class of its role's ``reach``."""
    pol = role_policy(net.syndicate, src.role)
    ports = policy_ports(net, pol.ports)
    index = classes(net, every)
    out = []
    for what in pol.reach:
        if what == "internet":
            out.append(Target(what, (), True, ports))
        elif what not in ("same_segment", "router_management"):
            prefixes, spreads = index.of(src, what)
            if prefixes or spreads:
                out.append(Target(what, prefixes, False, ports, spreads))
    return tuple(out)


def _family(prefixes: Iterable[str], version: int) -> tuple[str, ...]:
    """The prefixes of one IP version; a prefix in text is IPv6 exactly when it holds a colon (no parse:
    this runs for every prefix of every class of every segment)."""
    return tuple(p for p in prefixes if (6 if ":" in p else 4) == version)


def group_name(filter_name: str, what: str, version: int) -> str:
    """The name of a class's destinations as one object on a router (``SEG-IN-10-SAME-ROLE-V6``)."""
    return f"{filter_name}-{what.upper().replace('_', '-')}{'-V6' if version == 6 else ''}"


def from_rules(net: Network, src: Segment, every: tuple[Segment, ...], name: str = "") -> tuple[FlowRule, ...]:
    """``name``: the segment's ingress filter, which names each class's destination group."""
    out = []
    for t in targets(net, src, every):
        for family, version in FAMILIES:
            dst = _family(t.prefixes, version)
            spread = next((s for s in t.spreads if s.version == version), None)
            if t.outside or dst or spread:
                group = "" if t.outside or not name else group_name(name, t.what, version)
                out.append(FlowRule(MEANING[t.what], family, (), dst, t.outside, t.ports, t.what, spread, group))
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
        management_extra=classes(net, every).once(("management",), lambda: management_rules(net, every)),
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
    index = classes(net, every)
    mine = {s.v4: s for s in index.by_site.get(site.name, ())}
    ours_v4 = index.once(("ours", 4), lambda: ours(net, 4))
    ours_v6 = index.once(("ours", 6), lambda: ours(net, 6))
    out = []
    for iface in interfaces:
        if iface.kind != "segment" or iface.ipv4 is None:
            continue
        seg = mine[str(IPNetwork(iface.ipv4).cidr)]
        rules = from_rules(net, seg, every, iface.segment_filter or "")
        out.append(
            SegmentFilter(
                interface=iface.name,
                role=seg.role,
                prefix_v4=seg.v4,
                prefix_v6=seg.v6,
                from_segment=rules,
                to_segment=index.once(("to", seg.datacenter), partial(to_rules, net, seg)),
                urpf=True,
                name=iface.segment_filter or "",
                acl_v4=segment_acl(seg.v4, rules, "ipv4", ours_v4),
                acl_v6=segment_acl(seg.v6, rules, "ipv6", ours_v6),
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
    index = classes(net, every)
    return Firewall(
        table=TABLE,
        ours_v4=index.once(("ours", 4), lambda: ours(net, 4)),
        ours_v6=index.once(("ours", 6), lambda: ours(net, 6)),
        segments=filters,
        protection=protection(net, router, interfaces, bgp, every),
        urpf_interfaces=tuple(s.interface for s in filters if s.urpf),
    )
