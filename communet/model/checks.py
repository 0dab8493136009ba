"""Cross-object checks: what no single file can tell is wrong.

Each check yields :class:`Problem` objects naming the file and key path at fault.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from itertools import combinations
from typing import TYPE_CHECKING

from netaddr import IPAddress, IPNetwork

from communet import addressing as ad
from communet.errors import Problem
from communet.model.policy import telephony_role
from communet.model.policy_checks import check_policy
from communet.model.uplink_checks import check_nat, check_transit, transit_ports
from communet.platforms import platform

if TYPE_CHECKING:
    from communet.model.network import Network
    from communet.model.site import Site

Loc = tuple[int | str, ...]


class _Reporter:
    def __init__(self, net: Network) -> None:
        self.net = net
        self.problems: list[Problem] = []

    def add(self, site: str, loc: Loc, message: str, hint: str) -> None:
        from communet.model.load import dotted

        self.problems.append(Problem(self.net.file_of(site), dotted(loc), message, hint, self.net.line_of(site, loc)))


def check_duplicates(net: Network, r: _Reporter) -> None:
    """Ids and hostnames seed addresses and names: each is used once, in any file."""
    seen: dict[tuple[str, object], tuple[str, Loc]] = {}

    def once(kind: str, value: object, site: str, loc: Loc) -> None:
        first_site, first_loc = seen.setdefault((kind, value), (site, loc))
        if (first_site, first_loc) != (site, loc):
            where = r.net.file_of(first_site)
            line = r.net.line_of(first_site, first_loc)
            r.add(
                site,
                loc,
                f"{kind} {value!r} is already used in {where}" + (f":{line}" if line else ""),
                f"pick a {kind} not used elsewhere",
            )

    for site in net.sites:
        once("site id", site.id, site.name, ("id",))
        for i, span in enumerate(site.spans):
            once("span id", span.id, site.name, ("spans", i, "id"))
    for i, router in enumerate(net.datacenter.routers):
        once("device id", router.id, net.datacenter.name, ("routers", i, "id"))
        once("hostname", router.hostname, net.datacenter.name, ("routers", i, "hostname"))
    for town in net.towns:
        once("device id", town.router.id, town.name, ("router", "id"))
        once("hostname", town.router.hostname, town.name, ("router", "hostname"))
        if town.telephony:
            sip = town.telephony.sip_server
            once("device id", sip.id, town.name, ("telephony", "sip_server", "id"))
            once("hostname", town.sip_hostname, town.name, ("telephony", "sip_server", "hostname"))


def check_references(net: Network, r: _Reporter) -> None:
    routers = {rt.hostname: (site, rt) for site, rt in net.routers(live_only=False)}
    roles = net.syndicate.segment_roles
    own_by_site: dict[str, set[str]] = defaultdict(set)
    for s, rt in routers.values():
        own_by_site[s.name].add(rt.hostname)
    for site in net.sites:
        own = own_by_site[site.name]
        for i, span in enumerate(site.spans):
            if span.local.device not in own:
                r.add(
                    site.name,
                    ("spans", i, "local", "device"),
                    f"{span.local.device!r} is not a router of {site.name}",
                    f"a span starts on this site's router: one of {sorted(own)}",
                )
            if span.remote.device not in routers:
                r.add(
                    site.name,
                    ("spans", i, "remote", "device"),
                    f"unknown device {span.remote.device!r}",
                    "name a router hostname defined in inventory/",
                )
            if span.local.device == span.remote.device:
                r.add(
                    site.name,
                    ("spans", i),
                    f"span {span.id} joins {span.local.device} to itself",
                    "a span joins two different routers",
                )
        for i, role in enumerate(site.segments):
            if role not in roles:
                r.add(
                    site.name,
                    ("segments", i),
                    f"unknown segment role {role!r}",
                    f"use one of {sorted(roles)} (syndicate.yml segment_roles)",
                )
    for i, name in enumerate(net.syndicate.routing.route_reflectors):
        found = routers.get(name)
        if found is None or found[1].role != "core":
            r.add(
                "syndicate",
                ("routing", "route_reflectors", i),
                f"{name!r} is not a core router",
                "list hostnames of data center routers with role core",
            )
    for loc, port in net.ix.port_entries():
        found = routers.get(port.device)
        if found is None or found[1].role != "edge":
            r.add(
                "ix",
                (*loc, "device"),
                f"{port.device!r} is not an edge router",
                "name a data center router with role edge",
            )


def check_roles(net: Network, r: _Reporter) -> None:
    """Town routers are town routers; the data center holds the core and edge routers."""
    for town in net.towns:
        if town.router.role != "town":
            r.add(
                town.name,
                ("router", "role"),
                f"a town router cannot have role {town.router.role!r}",
                "remove role (it defaults to town); core and edge routers live in datacenter.yml",
            )
    for i, router in enumerate(net.datacenter.routers):
        if router.role == "town":
            r.add(
                net.datacenter.name,
                ("routers", i, "role"),
                f"{router.hostname} has role 'town'",
                "a data center router has role core or edge",
            )


def check_connected(net: Network, r: _Reporter) -> None:
    """Every live router reaches a core router over live spans."""
    links: dict[str, set[str]] = defaultdict(set)
    for _, span in net.spans():
        links[span.local.device].add(span.remote.device)
        links[span.remote.device].add(span.local.device)
    reached = {rt.hostname for _, rt in net.routers() if rt.role == "core"}
    todo = list(reached)
    while todo:
        for other in links[todo.pop()] - reached:
            reached.add(other)
            todo.append(other)
    for town in net.live_towns:
        if town.router.hostname not in reached:
            r.add(
                town.name,
                ("spans",),
                f"{town.router.hostname} has no path of live spans to a core router",
                "add a span to a live town or to the data center, or set phase: planned",
            )


def _trunk_port(platform_name: str) -> int | None:
    """The port number whose 802.1Q sub-interfaces carry the segments, on platforms that have one."""
    plat = platform(platform_name)
    if plat.trunk is None:
        return None
    return next((n for n in range(64) if plat.port(n).split(".")[0] == plat.trunk), None)


def _trunks(net: Network) -> dict[tuple[str, int], str]:
    """(router, port) -> what uses it, for routers that carry their site's segments on a trunk port."""
    cores = [r.hostname for r in net.datacenter.routers if r.role == "core"][:1]
    out: dict[tuple[str, int], str] = {}
    for site, router in net.routers(live_only=False):
        port = _trunk_port(router.platform)
        hosts = site is not net.datacenter or router.hostname in cores
        if port is not None and site.segments and hosts:
            out[(router.hostname, port)] = f"the {router.platform} trunk carrying {site.name}'s segment VLANs"
    return out


def check_ports(net: Network, r: _Reporter) -> None:
    used: dict[tuple[str, int], str] = _trunks(net)
    for loc, ours in net.ix.port_entries():
        ix_key = (ours.device, ours.port)
        if ix_key in used:
            r.add("ix", (*loc, "port"), f"port {ix_key[1]} of {ix_key[0]} is {used[ix_key]}", "pick another port")
        used[ix_key] = "the IX port"
    for device, port, what, loc in transit_ports(net):
        other = used.setdefault((device, port), what)
        if other != what:
            r.add(net.datacenter.name, loc, f"port {port} of {device} is already used by {other}", "pick a free port")
    for site in net.sites:
        for i, span in enumerate(site.spans):
            for end, side in ((span.local, "local"), (span.remote, "remote")):
                other = used.setdefault((end.device, end.port), f"span {span.id}")
                if other != f"span {span.id}":
                    r.add(
                        site.name,
                        ("spans", i, side, "port"),
                        f"port {end.port} of {end.device} is already used by {other}",
                        "pick a free port on that device",
                    )


def _overlaps(items: list[tuple[str, IPNetwork, str, Loc]]) -> Iterator[tuple[tuple[str, IPNetwork, str, Loc], ...]]:
    for a, b in combinations(items, 2):
        if a[1].version == b[1].version and (a[1] in b[1] or b[1] in a[1]):
            yield a, b


def check_pools(net: Network, r: _Reporter) -> None:
    syn = net.syndicate
    pools: list[tuple[str, IPNetwork, str, Loc]] = [
        (name, IPNetwork(value), "syndicate", ("pools", name)) for name, value in syn.pools
    ]
    pools += [
        ("IX LAN", IPNetwork(net.ix.lan_v4), "ix", ("lan_v4",)),
        ("IX LAN", IPNetwork(net.ix.lan_v6), "ix", ("lan_v6",)),
    ]
    for a, b in _overlaps(pools):
        r.add(b[2], b[3], f"{b[0]} {b[1]} overlaps {a[0]} {a[1]}", "give every pool its own range")
    aggregates = [IPNetwork(a) for a in syn.aggregates]
    for name in ("public_v4", "site_v6", "loopback_v6", "span_v6"):
        pool = IPNetwork(getattr(syn.pools, name))
        if not any(pool.version == a.version and pool in a for a in aggregates):
            r.add(
                "syndicate",
                ("pools", name),
                f"{name} {pool} is outside every aggregate",
                "public space must sit inside one of the aggregates we announce",
            )
    for family in ("v4", "v6"):
        for i, bogon in enumerate(getattr(syn.bogons, family)):
            b = IPNetwork(bogon)
            for agg in aggregates:
                if agg.version == b.version and (agg in b or b in agg):
                    r.add(
                        "syndicate",
                        ("bogons", family, i),
                        f"bogon {b} covers our aggregate {agg}",
                        "leave the ranges we use as public out of the bogon list",
                    )
    for (name, role), (other, orole) in combinations(syn.segment_roles.items(), 2):
        if role.vlan == orole.vlan:
            r.add(
                "syndicate",
                ("segment_roles", other, "vlan"),
                f"VLAN {orole.vlan} is also used by {name}",
                "give each segment role its own VLAN",
            )
        if role.slot == orole.slot:
            r.add(
                "syndicate",
                ("segment_roles", other, "slot"),
                f"slot {orole.slot} is also used by {name}",
                "give each segment role its own slot",
            )
    check_role_sizes(net, r)


def check_role_sizes(net: Network, r: _Reporter) -> None:
    syn = net.syndicate
    block4 = (
        str(ad.nth_subnet(syn.pools.site_v4, syn.site_block.v4, 0))
        if _fits(syn.pools.site_v4, syn.site_block.v4)
        else None
    )
    placed: list[tuple[str, IPNetwork, str, Loc]] = []
    for name, role in syn.segment_roles.items():
        pool = syn.pools.public_v4 if role.pool_v4 == "public" else block4
        if pool is None:
            continue
        try:
            placed.append(
                (name, ad.nth_subnet(pool, role.v4_prefixlen, role.slot), "syndicate", ("segment_roles", name))
            )
        except ad.PoolExhausted as exc:
            r.add(
                "syndicate",
                ("segment_roles", name, "slot"),
                f"pool too small: {exc}",
                "use a smaller slot or prefix, or a larger block",
            )
    for a, b in _overlaps(placed):
        if syn.segment_roles[a[0]].pool_v4 == syn.segment_roles[b[0]].pool_v4:
            r.add(
                "syndicate",
                b[3],
                f"segment {b[0]} overlaps segment {a[0]} in a site block",
                "choose slots and prefix lengths that do not overlap",
            )
    v6_slots = 1 << (64 - syn.site_block.v6)
    for name, role in syn.segment_roles.items():
        if role.slot >= v6_slots:
            r.add(
                "syndicate",
                ("segment_roles", name, "slot"),
                f"slot {role.slot} is past the end of a /{syn.site_block.v6} site block ({v6_slots} /64 slots)",
                "use a smaller slot, or a shorter site_block.v6",
            )
    if syn.site_block.v4 < IPNetwork(syn.pools.site_v4).prefixlen:
        r.add(
            "syndicate",
            ("site_block", "v4"),
            f"/{syn.site_block.v4} is larger than site_v4",
            "use a longer prefix length",
        )


def _fits(pool: str, prefixlen: int) -> bool:
    return IPNetwork(pool).prefixlen <= prefixlen


def check_pool_sizes(net: Network, r: _Reporter) -> None:
    """Every id must have a slot in the pools derived from it."""
    syn = net.syndicate
    id_pools: list[tuple[str, Callable[[int], object]]] = [
        ("loopback_v4", lambda i: ad.loopback_v4(syn, i)),
        ("loopback_v6", lambda i: ad.loopback_v6(syn, i)),
        ("management_v4", lambda i: _mgmt_ok(net, i)),
    ]
    for owner, loc, dev_id in _device_ids(net):
        for pool, derive in id_pools:
            try:
                derive(dev_id)
            except ad.PoolExhausted as exc:
                r.add(owner.name, loc, f"pool too small: {pool}: {exc}", f"enlarge pools.{pool} or use a smaller id")
    for site in net.sites:
        for i, span in enumerate(site.spans):
            for pool, derive2 in (("span_v4", ad.span_v4), ("span_v6", ad.span_v6)):
                try:
                    derive2(syn, span.id)
                except ad.PoolExhausted as exc:
                    r.add(
                        site.name,
                        ("spans", i, "id"),
                        f"pool too small: {pool}: {exc}",
                        f"enlarge pools.{pool} or use a smaller span id",
                    )
        for pool, derive3 in (("site_v4", ad.site_block_v4), ("site_v6", ad.site_block_v6)):
            try:
                derive3(syn, site.id)
            except ad.PoolExhausted as exc:
                r.add(
                    site.name,
                    ("id",),
                    f"pool too small: {pool}: {exc}",
                    f"enlarge pools.{pool} or use a smaller site id",
                )
    check_sip_host(net, r)


def check_sip_host(net: Network, r: _Reporter) -> None:
    """A SIP server is a host of the telephony segment: not its network, gateway (1) or broadcast."""
    role = telephony_role(net.syndicate)
    index = net.syndicate.telephony.sip_host
    if role is None:
        return
    voice = net.syndicate.segment_roles[role]
    last = (1 << (32 - voice.v4_prefixlen)) - 2
    if not 2 <= index <= last:
        r.add(
            "syndicate",
            ("telephony", "sip_host"),
            f"host {index} is not a free host of a {role} segment (/{voice.v4_prefixlen}: hosts 2 to {last})",
            "host 1 is the router's gateway; pick an index from the range shown",
        )


def _mgmt_ok(net: Network, device_id: int) -> None:
    if ad.management(net.syndicate, device_id) >= ad.management_station(net.syndicate):
        raise ad.PoolExhausted(f"host {device_id} collides with the management station")


def _device_ids(net: Network) -> Iterator[tuple[Site, Loc, int]]:
    for i, router in enumerate(net.datacenter.routers):
        yield net.datacenter, ("routers", i, "id"), router.id
    for town in net.towns:
        yield town, ("router", "id"), town.router.id
        if town.telephony:
            yield town, ("telephony", "sip_server", "id"), town.telephony.sip_server.id


def check_telephony(net: Network, r: _Reporter) -> None:
    ranges: list[tuple[str, int, int]] = []
    role = telephony_role(net.syndicate)
    for town in net.towns:
        tel = town.telephony
        if tel is None:
            continue
        if role is None:
            r.add(
                town.name,
                ("telephony",),
                "telephony, but no segment role declares telephony: true",
                "in syndicate.yml, set telephony: true on the segment role that carries the phones",
            )
        elif role not in town.segments:
            r.add(
                town.name,
                ("telephony",),
                f"telephony without a {role} segment (the role that declares telephony)",
                f"add '{role}' to segments, or remove telephony",
            )
        first, last = tel.extensions.first, tel.extensions.last
        for other, o_first, o_last in ranges:
            if first <= o_last and o_first <= last:
                r.add(
                    town.name,
                    ("telephony", "extensions"),
                    f"extensions {first}-{last} overlap {other}'s {o_first}-{o_last}",
                    "give each town its own extension range",
                )
        ranges.append((town.name, first, last))


def check_ix_ports(net: Network, r: _Reporter) -> None:
    """Our ports: ``port`` (one edge router) or ``ports`` (one per edge router), never both, one per router."""
    ix = net.ix
    if ix.port is not None and ix.ports is not None:
        r.add("ix", ("ports",), "both port and ports are given", "keep ports (one per edge router) and remove port")
    elif ix.port is None and ix.ports is None:
        r.add("ix", (), "no port on the IX", "add port (our port on the IX LAN) or ports (one per edge router)")
    seen: dict[str, int] = {}
    for i, port in enumerate(ix.ports or []):
        first = seen.setdefault(port.device, i)
        if first != i:
            r.add(
                "ix", ("ports", i, "device"), f"{port.device} already has ports[{first}]", "one IX port per edge router"
            )


def check_ix(net: Network, r: _Reporter) -> None:
    ix = net.ix
    lans = {4: IPNetwork(ix.lan_v4), 6: IPNetwork(ix.lan_v6)}
    seen: dict[str, str] = {}
    check_ix_ports(net, r)
    entries: list[tuple[Loc, str]] = [
        ((*loc, fam), getattr(p, fam)) for loc, p in ix.port_entries() for fam in ("v4", "v6")
    ]
    groups = (("route_servers", ix.route_servers), ("peers", ix.peers))
    for key, neighbors in groups:
        for i, nb in enumerate(neighbors):
            entries += [((key, i, fam), text) for fam, text in (("v4", nb.v4), ("v6", nb.v6)) if text is not None]
            if nb.asn is None:
                r.add("ix", (key, i, "asn"), f"{nb.name} has no ASN", "add the AS number the IX or the peer gave you")
            elif nb.asn == net.syndicate.asn:
                r.add("ix", (key, i, "asn"), f"{nb.name} has our own ASN {nb.asn}", "eBGP needs the peer's ASN")
    for loc, text in entries:
        addr = IPAddress(text)
        lan = lans[addr.version]
        expected = "lan_v4" if loc[-1] == "v4" else "lan_v6"
        if addr.version != (4 if loc[-1] == "v4" else 6):
            r.add("ix", loc, f"{addr} is not an IPv{str(loc[-1])[1]} address", f"write an address in {expected}")
        elif addr not in lan or addr in (lan.network, lan.broadcast):
            r.add("ix", loc, f"{addr} is outside the IX LAN {lan}", f"the IX assigns addresses in {lan}")
        other = seen.setdefault(str(addr), "/".join(map(str, loc)))
        if other != "/".join(map(str, loc)):
            r.add("ix", loc, f"{addr} is already used by {other}", "each IX member has its own address")
    ours = [IPNetwork(a) for a in net.syndicate.aggregates]
    for i, peer in enumerate(ix.peers):
        for j, prefix in enumerate(peer.prefixes):
            p = IPNetwork(prefix)
            if any(p.version == a.version and (p in a or a in p) for a in ours):
                r.add(
                    "ix",
                    ("peers", i, "prefixes", j),
                    f"{p} overlaps our own space",
                    "a peer's registered prefixes cannot be ours",
                )


def check_phases(net: Network, r: _Reporter) -> None:
    phase = {t.router.hostname: t.phase for t in net.towns}
    for town in net.live_towns:
        for i, span in enumerate(town.spans):
            if phase.get(span.remote.device) == "planned":
                r.add(
                    town.name,
                    ("spans", i, "remote", "device"),
                    f"{town.phase} town reaches planned router {span.remote.device}",
                    "define the span in the planned town's file instead",
                )


#: Longest interface description each platform takes (IOS-XE: 200 characters; FRR and JunOS take more).
DESCRIPTION_MAX = {"ios_xe": 200, "junos": 900, "frr": 900}


def check_description_lengths(net: Network, r: _Reporter) -> None:
    """A span's description joins hostname, provider and circuit: it must fit each end's platform."""
    from communet.design.router import span_description

    platforms = {rt.hostname: rt.platform for _, rt in net.routers(live_only=False)}
    for site in net.sites:
        for i, span in enumerate(site.spans):
            for end, other in ((span.local, span.remote), (span.remote, span.local)):
                plat = platforms.get(end.device, "frr")
                text = span_description(span, other.device)
                limit = DESCRIPTION_MAX.get(plat, 200)
                if len(text) > limit:
                    r.add(
                        site.name,
                        ("spans", i),
                        f"span {span.id}'s description is {len(text)} characters; {plat} takes at most {limit}",
                        "shorten provider or circuit",
                    )


#: Shortest prefix a peer may register, per IP version (the route servers' floor too).
MIN_REGISTERED_LEN = {4: 8, 6: 16}


def _repeats(values: list[object]) -> Iterator[tuple[int, object, int]]:
    """(index, value, first index) for each value seen before in ``values``."""
    first: dict[str, int] = {}
    for i, value in enumerate(values):
        key = str(value)
        if key in first:
            yield i, value, first[key]
        else:
            first[key] = i


def check_repeats(net: Network, r: _Reporter) -> None:
    """A value listed twice renders twice (two stanzas, two sessions): each list names a thing once."""
    syn, ix = net.syndicate, net.ix
    lists: list[tuple[str, Loc, list[object]]] = [
        ("syndicate", ("routing", "route_reflectors"), list(syn.routing.route_reflectors)),
        ("syndicate", ("aggregates",), [IPNetwork(a) for a in syn.aggregates]),
        ("syndicate", ("bogons", "v4"), [IPNetwork(b) for b in syn.bogons.v4]),
        ("syndicate", ("bogons", "v6"), [IPNetwork(b) for b in syn.bogons.v6]),
        ("syndicate", ("management", "ntp"), list(syn.management.ntp)),
        ("syndicate", ("management", "syslog"), list(syn.management.syslog)),
    ]
    lists += [(site.name, ("segments",), list(site.segments)) for site in net.sites]
    lists += [
        ("ix", ("peers", i, "prefixes"), [IPNetwork(p) for p in peer.prefixes]) for i, peer in enumerate(ix.peers)
    ]
    for site, loc, values in lists:
        for i, value, first in _repeats(values):
            r.add(site, (*loc, i), f"{value} is listed twice (first as item {first})", "list each value once")
    names = [("route_servers", i, n.name) for i, n in enumerate(ix.route_servers)]
    names += [("peers", i, n.name) for i, n in enumerate(ix.peers)]
    seen: dict[str, str] = {}
    for key, i, name in names:
        other = seen.setdefault(name, f"{key}[{i}]")
        if other != f"{key}[{i}]":
            r.add(
                "ix", (key, i, "name"), f"{name!r} is already the name of {other}", "give each IX neighbor its own name"
            )


def check_public_segments(net: Network, r: _Reporter) -> None:
    """A public-pool segment has one place in the public pool: at two sites it is one prefix on two routers."""
    holder: dict[str, str] = {}
    for site in net.sites:
        for i, role in enumerate(site.segments):
            spec = net.syndicate.segment_roles.get(role)
            if spec is None or spec.pool_v4 != "public":
                continue
            first = holder.setdefault(role, site.name)
            if first != site.name:
                r.add(
                    site.name,
                    ("segments", i),
                    f"segment {role!r} takes its IPv4 prefix from the public pool, and {first} already has it",
                    f"keep {role} at one site, or give this site a role numbered from the site block",
                )


def check_ix_space(net: Network, r: _Reporter) -> None:
    """The IX LAN is the IX's space, never ours; a peer registers prefixes of a sane length."""
    ours = [IPNetwork(a) for a in net.syndicate.aggregates]
    for key in ("lan_v4", "lan_v6"):
        lan = IPNetwork(getattr(net.ix, key))
        for agg in ours:
            if agg.version == lan.version and (lan in agg or agg in lan):
                r.add(
                    "ix", (key,), f"the IX LAN {lan} overlaps our aggregate {agg}", "the IX LAN is numbered by the IX"
                )
    for i, peer in enumerate(net.ix.peers):
        for j, prefix in enumerate(peer.prefixes):
            p = IPNetwork(prefix)
            if p.prefixlen < MIN_REGISTERED_LEN[p.version]:
                r.add(
                    "ix",
                    ("peers", i, "prefixes", j),
                    f"{p} is shorter than /{MIN_REGISTERED_LEN[p.version]}",
                    "a peer registers its own blocks, never a large part of the address space",
                )


CHECKS = (
    check_duplicates,
    check_repeats,
    check_public_segments,
    check_ix_space,
    check_description_lengths,
    check_references,
    check_roles,
    check_ports,
    check_pools,
    check_pool_sizes,
    check_telephony,
    check_ix,
    check_transit,
    check_nat,
    check_phases,
    check_connected,
    check_policy,
)


def check_network(net: Network) -> list[Problem]:
    """Run every cross-object check; return all problems found."""
    reporter = _Reporter(net)
    for check in CHECKS:
        check(net, reporter)
    return reporter.problems
