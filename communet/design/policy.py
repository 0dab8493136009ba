"""IX routing policy (MANRS, RFC 7454): prefix-lists and route-maps for the edge.

Announce only our aggregates; from the IX reject bogons, our own space, the default
route and too-specific prefixes; accept from a bilateral peer only what it
registered; scrub communities on everything accepted.
"""

from __future__ import annotations

from netaddr import IPNetwork

from communet.design.intent import Family, PrefixList, PrefixListEntry, RouteMap, RouteMapEntry
from communet.model.ix import Peer
from communet.model.syndicate import Syndicate

FAMILIES: tuple[tuple[Family, int, str], ...] = (("ipv4", 4, "V4"), ("ipv6", 6, "V6"))
LOCAL_PREF_ROUTE_SERVER = 100
LOCAL_PREF_PEER = 200


def _width(version: int) -> int:
    return 32 if version == 4 else 128


def _default(version: int) -> str:
    return "0.0.0.0/0" if version == 4 else "::/0"


def _entries(prefixes: list[str], version: int, exact: bool = False) -> tuple[PrefixListEntry, ...]:
    nets = [IPNetwork(p) for p in prefixes if IPNetwork(p).version == version]
    return tuple(
        PrefixListEntry(
            seq=5 * (i + 1),
            action="permit",
            prefix=str(n.cidr),
            le=None if exact or n.prefixlen == _width(version) else _width(version),
        )
        for i, n in enumerate(nets)
    )


def peer_list_name(peer: Peer, suffix: str) -> str:
    return f"PEER-{peer.name.upper()}-{suffix}"


def prefix_lists(syn: Syndicate, peers: list[Peer]) -> tuple[PrefixList, ...]:
    lists: list[PrefixList] = []
    for family, version, suffix in FAMILIES:
        maxlen = syn.limits.max_v4_prefixlen if version == 4 else syn.limits.max_v6_prefixlen
        bogons = syn.bogons.v4 if version == 4 else syn.bogons.v6
        lists += [
            PrefixList(
                f"ANNOUNCE-{suffix}", family, "our aggregates, exactly", _entries(syn.aggregates, version, exact=True)
            ),
            PrefixList(f"BOGONS-{suffix}", family, "martians and unallocated space", _entries(bogons, version)),
            PrefixList(f"OWN-SPACE-{suffix}", family, "our own space, any length", _entries(syn.aggregates, version)),
            PrefixList(
                f"DEFAULT-{suffix}", family, "the default route", (PrefixListEntry(5, "permit", _default(version)),)
            ),
            PrefixList(
                f"TOO-SPECIFIC-{suffix}",
                family,
                f"longer than /{maxlen}",
                ()
                if maxlen >= _width(version)
                else (PrefixListEntry(5, "permit", _default(version), ge=maxlen + 1, le=_width(version)),),
            ),
        ]
        for peer in peers:
            registered = [str(p) for p in peer.prefixes]
            entries = tuple(
                PrefixListEntry(
                    e.seq, "permit", e.prefix, le=maxlen if IPNetwork(e.prefix).prefixlen < maxlen else None
                )
                for e in _entries(registered, version, exact=True)
            )
            lists.append(PrefixList(peer_list_name(peer, suffix), family, f"what {peer.name} registered", entries))
    return tuple(lists)


def _rejects(suffix: str) -> tuple[RouteMapEntry, ...]:
    return (
        RouteMapEntry(10, "deny", "reject bogons", match_prefix_list=f"BOGONS-{suffix}"),
        RouteMapEntry(20, "deny", "reject our own space", match_prefix_list=f"OWN-SPACE-{suffix}"),
        RouteMapEntry(30, "deny", "reject the default route", match_prefix_list=f"DEFAULT-{suffix}"),
        RouteMapEntry(40, "deny", "reject too-specific prefixes", match_prefix_list=f"TOO-SPECIFIC-{suffix}"),
    )


def route_server_in(suffix: str) -> str:
    return f"IX-RS-IN-{suffix}"


def peer_in(peer: Peer, suffix: str) -> str:
    return f"IX-{peer.name.upper()}-IN-{suffix}"


def out_map(suffix: str) -> str:
    return f"IX-OUT-{suffix}"


def ibgp_out(suffix: str) -> str:
    return f"IBGP-OUT-{suffix}"


def close_empty(
    lists: tuple[PrefixList, ...], maps: tuple[RouteMap, ...]
) -> tuple[tuple[PrefixList, ...], tuple[RouteMap, ...]]:
    """No empty prefix-list reaches a config: FRR and IOS-XE match everything with one, JunOS has none.

    An entry that rejects what an empty list holds rejects nothing and goes; an entry that
    accepts what an empty list holds (a peer with nothing registered in a family, no
    aggregate in a family) becomes a deny of everything, so the family is closed.
    """
    empty = {p.name for p in lists if not p.entries}
    closed: list[RouteMap] = []
    for rmap in maps:
        entries: list[RouteMapEntry] = []
        for e in rmap.entries:
            if e.match_prefix_list not in empty:
                entries.append(e)
            elif e.action == "permit":
                entries.append(RouteMapEntry(e.seq, "deny", "nothing registered in this family: deny all"))
        closed.append(RouteMap(rmap.name, rmap.family, tuple(entries)))
    return tuple(p for p in lists if p.entries), tuple(closed)


def route_maps(peers: list[Peer]) -> tuple[RouteMap, ...]:
    maps: list[RouteMap] = []
    for family, _, suffix in FAMILIES:
        maps.append(
            RouteMap(
                route_server_in(suffix),
                family,
                (
                    *_rejects(suffix),
                    RouteMapEntry(
                        100,
                        "permit",
                        "accept the rest, communities scrubbed",
                        set_local_preference=LOCAL_PREF_ROUTE_SERVER,
                        set_community_none=True,
                    ),
                ),
            )
        )
        for peer in peers:
            maps.append(
                RouteMap(
                    peer_in(peer, suffix),
                    family,
                    (
                        *_rejects(suffix),
                        RouteMapEntry(
                            100,
                            "permit",
                            f"accept what {peer.name} registered, communities scrubbed",
                            match_prefix_list=peer_list_name(peer, suffix),
                            set_local_preference=LOCAL_PREF_PEER,
                            set_community_none=True,
                        ),
                    ),
                )
            )
        maps.append(
            RouteMap(
                out_map(suffix),
                family,
                (RouteMapEntry(10, "permit", "announce our aggregates only", match_prefix_list=f"ANNOUNCE-{suffix}"),),
            )
        )
        # Our loopbacks lie inside our aggregates: carried in iBGP, an aggregate would resolve
        # the next hop of an edge that is down (keeping its dead default best); the more
        # specific routes and the default already cover all the aggregates would.
        maps.append(
            RouteMap(
                ibgp_out(suffix),
                family,
                (
                    RouteMapEntry(10, "deny", "aggregates stay at the edge", match_prefix_list=f"ANNOUNCE-{suffix}"),
                    RouteMapEntry(20, "permit", "the rest: towns, NAT pools, the default"),
                ),
            )
        )
    return tuple(maps)


def ix_policy(syn: Syndicate, peers: list[Peer]) -> tuple[tuple[PrefixList, ...], tuple[RouteMap, ...]]:
    """The edge's prefix-lists and route-maps, with no empty prefix-list left."""
    return close_empty(prefix_lists(syn, peers), route_maps(peers))
