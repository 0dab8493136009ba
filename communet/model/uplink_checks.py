"""Cross-object checks of the uplink: transit links and NAT pools against the rest of the inventory."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import combinations
from typing import TYPE_CHECKING

from netaddr import IPAddress, IPNetwork

from communet import addressing as ad

if TYPE_CHECKING:
    from communet.model.checks import Loc, _Reporter
    from communet.model.network import Network


def edge_routers(net: Network) -> set[str]:
    return {r.hostname for r in net.datacenter.routers if r.role == "edge"}


def transit_ports(net: Network) -> Iterator[tuple[str, int, str, Loc]]:
    """(device, port, what, key path) of every transit link."""
    for i, transit in enumerate(net.datacenter.transit):
        for j, link in enumerate(transit.links):
            yield link.device, link.port, f"transit {transit.name}", ("transit", i, "links", j, "port")


def link_networks(net: Network) -> Iterator[tuple[str, IPNetwork, Loc]]:
    for i, transit in enumerate(net.datacenter.transit):
        for j, link in enumerate(transit.links):
            for family in ("v4", "v6"):
                value = getattr(link, family)
                if value:
                    yield f"transit {transit.name}", IPNetwork(value).cidr, ("transit", i, "links", j, family)


def check_transit(net: Network, r: _Reporter) -> None:
    dc, edges = net.datacenter.name, edge_routers(net)
    names = {n.name for n in (*net.ix.route_servers, *net.ix.peers)}
    for i, transit in enumerate(net.datacenter.transit):
        if transit.asn == net.syndicate.asn:
            r.add(dc, ("transit", i, "asn"), f"{transit.name} has our own ASN {transit.asn}", "eBGP needs its ASN")
        if transit.name in names:
            r.add(dc, ("transit", i, "name"), f"{transit.name!r} is already an IX neighbor", "give it its own name")
        names.add(transit.name)
        for j, link in enumerate(transit.links):
            loc: Loc = ("transit", i, "links", j)
            if link.device not in edges:
                r.add(dc, (*loc, "device"), f"{link.device!r} is not an edge router", f"use one of {sorted(edges)}")
            for family, version in (("v4", 4), ("v6", 6)):
                _check_link_family(net, r, getattr(link, family), getattr(link, f"peer_{family}"), version, loc)
    _check_link_overlaps(net, r)
    for i, peer in enumerate(net.ix.peers):
        if peer.full_table and peer.role != "transit":
            r.add(
                "ix", ("peers", i, "full_table"), "full_table applies to transit only", "set role: transit or drop it"
            )


def _check_link_family(
    net: Network, r: _Reporter, ours: str | None, theirs: str | None, version: int, loc: Loc
) -> None:
    if not ours or not theirs:
        return
    family = f"v{version}"
    link, peer = IPNetwork(ours), IPAddress(theirs)
    dc = net.datacenter.name
    if link.version != version:
        r.add(dc, (*loc, family), f"{ours} is not an IPv{version} address", f"write an IPv{version} ADDRESS/LENGTH")
    elif peer.version != version:
        r.add(dc, (*loc, f"peer_{family}"), f"{peer} is not an IPv{version} address", f"write an IPv{version} address")
    elif peer not in link.cidr or peer == link.ip:
        r.add(
            dc,
            (*loc, f"peer_{family}"),
            f"{peer} is not another address of the link {link.cidr}",
            f"the provider's address sits in {link.cidr}, beside ours ({link.ip})",
        )


def _check_link_overlaps(net: Network, r: _Reporter) -> None:
    syn = net.syndicate
    taken = [(name, IPNetwork(value)) for name, value in syn.pools]
    taken += [("the IX LAN", IPNetwork(net.ix.lan_v4)), ("the IX LAN", IPNetwork(net.ix.lan_v6))]
    links = list(link_networks(net))
    for what, prefix, loc in links:
        for name, other in taken:
            if prefix.version == other.version and (prefix in other or other in prefix):
                r.add(net.datacenter.name, loc, f"{what} link {prefix} overlaps {name} {other}", "number it apart")
    for a, b in combinations(links, 2):
        if a[1].version == b[1].version and (a[1] in b[1] or b[1] in a[1]):
            r.add(net.datacenter.name, b[2], f"{b[0]} link {b[1]} overlaps {a[0]} link {a[1]}", "one /31 per link")


def public_segments(net: Network) -> list[tuple[str, IPNetwork]]:
    """Segment roles numbered from the public pool, where they sit (the same in every site)."""
    syn = net.syndicate
    out = []
    for name, role in syn.segment_roles.items():
        if role.pool_v4 == "public":
            try:
                out.append((f"segment {name}", ad.nth_subnet(syn.pools.public_v4, role.v4_prefixlen, role.slot)))
            except ad.PoolExhausted:
                continue  # reported by the pool checks
    return out


def check_nat(net: Network, r: _Reporter) -> None:
    nat = net.syndicate.nat
    if nat is None:
        return
    roles = net.syndicate.segment_roles
    for i, role in enumerate(nat.roles):
        if role not in roles:
            r.add("syndicate", ("nat", "roles", i), f"unknown segment role {role!r}", f"use one of {sorted(roles)}")
        elif roles[role].pool_v4 == "public":
            r.add("syndicate", ("nat", "roles", i), f"{role} already has public addresses", "translate private roles")
        elif role in nat.roles[:i]:
            r.add("syndicate", ("nat", "roles", i), f"{role} is listed twice", "list each role once")
    _check_nat_pools(net, r)
    _check_nat_coverage(net, r)


def _check_nat_pools(net: Network, r: _Reporter) -> None:
    syn = net.syndicate
    assert syn.nat is not None
    edges, aggregates = edge_routers(net), [IPNetwork(a) for a in syn.aggregates]
    taken = [(f"pool {name}", IPNetwork(value)) for name, value in syn.pools if name != "public_v4"]
    taken += [*public_segments(net), ("the IX LAN", IPNetwork(net.ix.lan_v4))]
    taken += [(f"{what} link", prefix) for what, prefix, _ in link_networks(net)]
    placed: list[tuple[int, IPNetwork]] = []
    for i, pool in enumerate(syn.nat.pools):
        loc: Loc = ("nat", "pools", i)
        prefix = IPNetwork(pool.prefix)
        if pool.device not in edges:
            r.add(
                "syndicate", (*loc, "device"), f"{pool.device!r} is not an edge router", f"use one of {sorted(edges)}"
            )
        elif pool.device in [p.device for p in syn.nat.pools[:i]]:
            r.add("syndicate", (*loc, "device"), f"{pool.device} already has a pool", "one pool per edge router")
        if prefix.version != 4:
            r.add("syndicate", (*loc, "prefix"), f"{prefix} is not IPv4", "NAT44 pools are IPv4; IPv6 is routed as is")
            continue
        if not any(a.version == 4 and prefix in a for a in aggregates):
            r.add("syndicate", (*loc, "prefix"), f"{prefix} is outside our aggregates", "take it from our public space")
        for name, other in taken:
            if other.version == 4 and (prefix in other or other in prefix):
                r.add("syndicate", (*loc, "prefix"), f"{prefix} overlaps {name} {other}", "pick a free public range")
        for j, other in placed:
            if prefix in other or other in prefix:
                r.add("syndicate", (*loc, "prefix"), f"{prefix} overlaps nat.pools[{j}] {other}", "one range per pool")
        placed.append((i, prefix))


def uplink_devices(net: Network) -> set[str]:
    """Edge routers that send traffic to the internet: each IX port's, and every transit link's."""
    return {p.device for p in net.ix.edge_ports} | {link.device for t in net.datacenter.transit for link in t.links}


def _check_nat_coverage(net: Network, r: _Reporter) -> None:
    assert net.syndicate.nat is not None
    pooled = {p.device for p in net.syndicate.nat.pools}
    for device in sorted(uplink_devices(net) & edge_routers(net) - pooled):
        r.add(
            "syndicate",
            ("nat", "pools"),
            f"{device} carries an uplink but has no NAT pool",
            f"add a pool with device: {device}",
        )
