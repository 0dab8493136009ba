"""The edge's way out, as intent: NAT44 and the source filter on every port toward the internet.

Plain frozen data, like the rest of the intent (``design/intent.py``); the transit BGP
sessions themselves are ordinary :class:`~communet.design.intent.BgpNeighbor` entries.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Nat44:
    """Source NAT of private town segments to this edge's pool, on the way out of an uplink port."""

    pool: str  # the pool prefix
    pool_first: str  # first and last address of the pool
    pool_last: str
    sources: tuple[str, ...]  # IPv4 prefixes translated: the segments of the translated roles, every live site
    outside: tuple[str, ...]  # interface names toward the internet (IX port, transit ports)
    inside: tuple[str, ...]  # interface names toward our network (spans)


@dataclass(frozen=True, slots=True)
class SourceFilter:
    """What may leave an uplink port: our aggregates and our own address on that port (MANRS action 2)."""

    interface: str
    description: str
    name_v4: str  # ACL / firewall filter names where a platform names them
    name_v6: str
    v4: tuple[str, ...]  # allowed source prefixes
    v6: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Uplink:
    nat: Nat44 | None
    source_filters: tuple[SourceFilter, ...]
    nat_acl: str = "NAT-INSIDE"
    nat_pool_name: str = "NAT-POOL"
