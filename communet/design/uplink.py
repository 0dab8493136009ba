"""The edge's way out: transit sessions and their policy, the conditional default, NAT44, source filters.

Transit is the only source of the default route: its inbound map accepts the default
(and, with ``full_table``, the rest) at a local preference below the route servers'
and the peers', so bilateral peers > route servers > transit. Toward the route
reflectors the edge originates a default only while a default learned from transit is
in its table: the condition matches the default at the transit's local preference,
which no other route carries (a default another edge originates arrives at
LOCAL_PREF_ORIGINATED_DEFAULT), so the default follows the transit session up and down.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Literal

from netaddr import IPNetwork

from communet import addressing as ad
from communet.design import policy
from communet.design.intent import BgpNeighbor, Family, Interface, PrefixList, RouteMap, RouteMapEntry, StaticRoute
from communet.design.uplink_intent import Nat44, SourceFilter, Uplink
from communet.model.ix import Peer
from communet.model.network import Network
from communet.model.site import Router
from communet.model.uplink import Transit, TransitLink
from communet.platforms import platform

LOCAL_PREF_TRANSIT = 50
#: The default an edge sends the reflectors: below transit, so every edge keeps using its own transit
#: (two edges preferring each other's default would loop), and towns pick the nearest edge.
LOCAL_PREF_ORIGINATED_DEFAULT = 20
#: IPv6 neighbour discovery on an uplink port speaks from link-local addresses (RFC 4861).
LINK_LOCAL_V6 = "fe80::/10"


def transit_in(name: str, suffix: str) -> str:
    return f"TRANSIT-{name.upper()}-IN-{suffix}"


def default_condition(suffix: str) -> str:
    return f"DEFAULT-FROM-TRANSIT-{suffix}"


def links_of(net: Network, router: Router) -> Iterator[tuple[Transit, TransitLink]]:
    """Transit links on ``router``'s ports."""
    for transit in net.datacenter.transit:
        for link in transit.links:
            if link.device == router.hostname:
                yield transit, link


def ix_transit(net: Network, router: Router) -> list[Peer]:
    """Transit providers on the IX LAN, when ``router`` holds an IX port."""
    return [p for p in net.ix.peers if p.role == "transit"] if net.on_ix(router.hostname) else []


def transit_interfaces(net: Network, router: Router) -> list[Interface]:
    plat = platform(router.platform)
    return [
        Interface(
            name=plat.port(link.port),
            description=f"transit {transit.name}",
            kind="transit",
            ipv4=link.v4,
            ipv6=link.v6,
        )
        for transit, link in links_of(net, router)
    ]


def transit_neighbors(net: Network, router: Router) -> list[BgpNeighbor]:
    out = []
    for family, version, suffix in policy.FAMILIES:
        for transit, link in links_of(net, router):
            address = link.peer_v4 if version == 4 else link.peer_v6
            if address is None:
                continue
            out.append(
                BgpNeighbor(
                    address=address,
                    remote_as=transit.asn,
                    description=transit.name,
                    family=family,
                    kind="transit",
                    route_map_in=transit_in(transit.name, suffix),
                    route_map_out=policy.out_map(suffix),
                    max_prefix=transit.max_prefix_v4 if version == 4 else transit.max_prefix_v6,
                    enforce_first_as=True,
                    password_secret=transit.password_secret,
                    ttl_security_hops=1,
                )
            )
    return out


def as_transit(neighbor: BgpNeighbor, peer: Peer) -> BgpNeighbor:
    """An IX bilateral session with ``role: transit``: the transit policy instead of the peer's."""
    if peer.role != "transit":
        return neighbor
    suffix = "V4" if neighbor.family == "ipv4" else "V6"
    return replace(neighbor, kind="transit", route_map_in=transit_in(peer.name, suffix))


def providers(net: Network, router: Router) -> dict[str, bool]:
    """Transit providers this router has a session with: name -> full table."""
    found = {t.name: t.full_table for t, _ in links_of(net, router)}
    found.update({p.name: p.full_table for p in ix_transit(net, router)})
    return found


def transit_families(neighbors: list[BgpNeighbor]) -> set[Family]:
    return {n.family for n in neighbors if n.kind == "transit"}


def _transit_map(name: str, full_table: bool, suffix: str, family: Family) -> RouteMap:
    keep = [e for e in policy._rejects(suffix) if e.match_prefix_list != f"DEFAULT-{suffix}"]
    accept = RouteMapEntry(
        50,
        "permit",
        "accept the default route, communities scrubbed",
        match_prefix_list=f"DEFAULT-{suffix}",
        set_local_preference=LOCAL_PREF_TRANSIT,
        set_community_none=True,
    )
    rest = RouteMapEntry(
        100,
        "permit",
        "accept the full table, communities scrubbed",
        set_local_preference=LOCAL_PREF_TRANSIT,
        set_community_none=True,
    )
    return RouteMap(transit_in(name, suffix), family, (*keep, accept, *([rest] if full_table else [])))


def condition_map(suffix: str, family: Family) -> RouteMap:
    """Matches a default learned from transit; a platform that filters with it passes other routes on."""
    entry = RouteMapEntry(
        10,
        "permit",
        "a default route learned from transit",
        match_prefix_list=f"DEFAULT-{suffix}",
        match_local_preference=LOCAL_PREF_TRANSIT,
        set_local_preference=LOCAL_PREF_ORIGINATED_DEFAULT,
    )
    return RouteMap(default_condition(suffix), family, (entry,), otherwise="next")


def transit_route_maps(found: dict[str, bool], families: set[Family]) -> tuple[RouteMap, ...]:
    maps: list[RouteMap] = []
    for family, _, suffix in policy.FAMILIES:
        if family not in families:
            continue
        maps += [_transit_map(name, full, suffix, family) for name, full in found.items()]
        maps.append(condition_map(suffix, family))
    return tuple(maps)


def conditional_default(neighbors: list[BgpNeighbor]) -> list[BgpNeighbor]:
    """iBGP sessions of an edge get a default while the same family's transit default is there."""
    families = transit_families(neighbors)
    return [
        replace(n, default_originate_map=default_condition("V4" if n.family == "ipv4" else "V6"))
        if n.kind == "ibgp" and n.family in families
        else n
        for n in neighbors
    ]


def aggregates_kept_out_of_ibgp(neighbors: list[BgpNeighbor]) -> list[BgpNeighbor]:
    """An edge's iBGP sessions get the map that keeps our aggregates out (policy.ibgp_out)."""
    return [
        replace(n, route_map_out=policy.ibgp_out("V4" if n.family == "ipv4" else "V6")) if n.kind == "ibgp" else n
        for n in neighbors
    ]


def nat_pool(net: Network, router: Router) -> str | None:
    nat = net.syndicate.nat
    return next((p.prefix for p in nat.pools if p.device == router.hostname), None) if nat else None


def nat_sources(net: Network) -> tuple[str, ...]:
    """IPv4 prefixes of every live site's segments whose role is translated."""
    syn = net.syndicate
    roles = set(syn.nat.roles) if syn.nat else set()
    sites = (net.datacenter, *net.live_towns)
    return tuple(
        str(ad.segment_v4(syn, site, syn.segment_roles[role]))
        for site in sites
        for role in site.segments
        if role in roles
    )


def nat44(net: Network, router: Router, interfaces: tuple[Interface, ...]) -> Nat44 | None:
    pool = nat_pool(net, router)
    outside = tuple(i.name for i in interfaces if i.kind in ("ix", "transit"))
    if pool is None or not outside:
        return None
    prefix = IPNetwork(pool)
    return Nat44(
        pool=pool,
        pool_first=str(prefix[0]),
        pool_last=str(prefix[-1]),
        sources=nat_sources(net),
        outside=outside,
        inside=tuple(i.name for i in interfaces if i.kind == "span"),
    )


def _own(address: str | None) -> tuple[str, ...]:
    if not address:
        return ()
    ip = IPNetwork(address).ip
    return (f"{ip}/{32 if ip.version == 4 else 128}",)


def source_filters(net: Network, interfaces: tuple[Interface, ...]) -> tuple[SourceFilter, ...]:
    aggregates = net.syndicate.aggregates
    v4 = tuple(a for a in aggregates if IPNetwork(a).version == 4)
    v6 = tuple(a for a in aggregates if IPNetwork(a).version == 6)
    return tuple(
        SourceFilter(
            interface=i.name,
            description=f"only our sources leave {i.description}",
            name_v4=f"SOURCE-OUT-{n}-V4",
            name_v6=f"SOURCE-OUT-{n}-V6",
            v4=(*v4, *_own(i.ipv4)),
            v6=(*v6, *_own(i.ipv6), LINK_LOCAL_V6) if i.ipv6 else (),
        )
        for n, i in enumerate((i for i in interfaces if i.kind in ("ix", "transit")), start=1)
    )


def uplink(net: Network, router: Router, interfaces: tuple[Interface, ...]) -> Uplink | None:
    """NAT44 and source filters of an edge router with a port toward the internet."""
    filters = source_filters(net, interfaces)
    if not filters:
        return None
    return Uplink(nat=nat44(net, router, interfaces), source_filters=filters)


def nat_statics(net: Network, router: Router) -> list[StaticRoute]:
    """The pool as a blackhole, announced into iBGP so replies reaching the other edge come here."""
    pool = nat_pool(net, router)
    return [StaticRoute(pool, "ipv4", "blackhole", "NAT pool, translated here")] if pool else []


def annotate(interfaces: tuple[Interface, ...], up: Uplink | None) -> tuple[Interface, ...]:
    """Mark the NAT side and the egress source filter on the interfaces of an edge router."""
    if up is None:
        return interfaces
    filters = {f.interface: f for f in up.source_filters}
    inside = set(up.nat.inside) if up.nat else set()
    outside = set(up.nat.outside) if up.nat else set()
    out = []
    for iface in interfaces:
        f = filters.get(iface.name)
        side: Literal["inside", "outside"] | None = (
            "inside" if iface.name in inside else "outside" if iface.name in outside else None
        )
        out.append(
            replace(
                iface,
                nat=side,
                filter_out_v4=f.name_v4 if f and f.v4 else None,
                filter_out_v6=f.name_v6 if f and f.v6 else None,
            )
        )
    return tuple(out)


def used_only(
    lists: tuple[PrefixList, ...], maps: tuple[RouteMap, ...], neighbors: list[BgpNeighbor]
) -> tuple[tuple[PrefixList, ...], tuple[RouteMap, ...]]:
    """The route-maps some session refers to, and the prefix-lists those maps match (an edge off the IX)."""
    wanted = {n for nb in neighbors for n in (nb.route_map_in, nb.route_map_out, nb.default_originate_map) if n}
    kept = tuple(m for m in maps if m.name in wanted)
    matched = {e.match_prefix_list for m in kept for e in m.entries}
    return tuple(p for p in lists if p.name in matched), kept
