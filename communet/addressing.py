"""Deterministic addressing: every address is the n-th slot of a pool, n an inventory id.

Because a slot depends only on the pool and the id, adding a town or a span never
moves an existing address.

>>> str(nth_subnet("10.254.0.0/23", 31, 3))
'10.254.0.6/31'
>>> str(host("198.51.100.0/26", 10))
'198.51.100.10'
"""

from __future__ import annotations

from functools import lru_cache

from netaddr import IPAddress, IPNetwork

from communet.model.policy import telephony_spec
from communet.model.site import Site
from communet.model.syndicate import SegmentRole, Syndicate


class PoolExhausted(ValueError):
    """An id points past the end of its pool."""


@lru_cache(maxsize=4096)
def network(prefix: str) -> IPNetwork:
    return IPNetwork(prefix)


@lru_cache(maxsize=65536)
def nth_subnet(pool: str, prefixlen: int, index: int) -> IPNetwork:
    """The ``index``-th subnet of length ``prefixlen`` in ``pool`` (cached: do not modify the result)."""
    net = network(pool)
    width = 32 if net.version == 4 else 128
    if prefixlen < net.prefixlen or prefixlen > width:
        raise PoolExhausted(f"/{prefixlen} does not fit in {pool}")
    size = 1 << (width - prefixlen)
    first = net.first + index * size
    if index < 0 or first + size - 1 > net.last:
        count = 1 << (prefixlen - net.prefixlen)
        raise PoolExhausted(f"slot {index} is past the end of {pool} ({count} /{prefixlen} slots)")
    return IPNetwork((first, prefixlen), version=net.version)


def capacity(pool: str, prefixlen: int) -> int:
    """How many ``/prefixlen`` slots ``pool`` holds."""
    return 1 << (prefixlen - network(pool).prefixlen)


def host(prefix: str | IPNetwork, index: int) -> IPAddress:
    """The ``index``-th address of ``prefix`` (0 is the network address)."""
    net = prefix if isinstance(prefix, IPNetwork) else network(prefix)
    if index < 0 or net.first + index > net.last:
        raise PoolExhausted(f"host {index} is outside {net}")
    return IPAddress(net.first + index, net.version)


def with_len(address: IPAddress, prefixlen: int) -> str:
    return f"{address}/{prefixlen}"


def loopback_v4(syn: Syndicate, device_id: int) -> IPAddress:
    return nth_subnet(syn.pools.loopback_v4, 32, device_id).ip


def loopback_v6(syn: Syndicate, device_id: int) -> IPAddress:
    return nth_subnet(syn.pools.loopback_v6, 128, device_id).ip


def span_v4(syn: Syndicate, span_id: int) -> IPNetwork:
    """The /31 of a span: the local end takes the first address, the remote the second."""
    return nth_subnet(syn.pools.span_v4, 31, span_id)


def span_v6(syn: Syndicate, span_id: int) -> IPNetwork:
    """The /127 at the start of the span's own /64 (a /64 is kept per link, RFC 6164)."""
    return IPNetwork((nth_subnet(syn.pools.span_v6, 64, span_id).first, 127), version=6)


def span_end(net: IPNetwork, local: bool) -> str:
    return with_len(host(net, 0 if local else 1), net.prefixlen)


def site_block_v4(syn: Syndicate, site_id: int) -> IPNetwork:
    return nth_subnet(syn.pools.site_v4, syn.site_block.v4, site_id)


def site_block_v6(syn: Syndicate, site_id: int) -> IPNetwork:
    return nth_subnet(syn.pools.site_v6, syn.site_block.v6, site_id)


def segment_v4(syn: Syndicate, site: Site, role: SegmentRole) -> IPNetwork:
    if role.pool_v4 == "public":
        return nth_subnet(syn.pools.public_v4, role.v4_prefixlen, role.slot)
    return nth_subnet(str(site_block_v4(syn, site.id)), role.v4_prefixlen, role.slot)


def segment_v6(syn: Syndicate, site: Site, role: SegmentRole) -> IPNetwork:
    return nth_subnet(str(site_block_v6(syn, site.id)), 64, role.slot)


def gateway(segment: IPNetwork) -> str:
    """The router's address on a segment: the first host, with the segment's length."""
    return with_len(host(segment, 1), segment.prefixlen)


def sip_address(syn: Syndicate, site: Site) -> tuple[IPAddress, IPAddress]:
    role = telephony_spec(syn)
    index = syn.telephony.sip_host
    return host(segment_v4(syn, site, role), index), host(segment_v6(syn, site, role), index)


def management(syn: Syndicate, device_id: int) -> IPAddress:
    """A device's management address: slot ``device_id`` of the management pool."""
    return host(syn.pools.management_v4, device_id)


def management_station(syn: Syndicate) -> IPAddress:
    """Where automation runs from: the last usable address of the management pool."""
    net = network(syn.pools.management_v4)
    return IPAddress(net.last - 1, 4)
