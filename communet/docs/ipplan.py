"""The IP plan: every pool, every allocation in it, and the free space left."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

from netaddr import IPNetwork, IPSet

from communet import addressing as ad
from communet.design.router import segment_prefixes
from communet.docs.markdown import code, page, section, table
from communet.model.network import Network

#: What one slot of each pool is, and which id picks it.
SLOTS = {
    "loopback_v4": (32, "device id"),
    "loopback_v6": (128, "device id"),
    "span_v4": (31, "span id"),
    "span_v6": (64, "span id"),
    "management_v4": (32, "device id"),
}


@dataclass(frozen=True, slots=True)
class Allocation:
    pool: str
    prefix: IPNetwork
    holder: str
    phase: str


def _phase(net: Network, site: str) -> str:
    return next((t.phase for t in net.towns if t.name == site), "active")


def _devices(net: Network) -> Iterator[tuple[str, int, str, bool]]:
    """(hostname, device id, site, is a router) for every device, planned ones included."""
    for r in net.datacenter.routers:
        yield r.hostname, r.id, net.datacenter.name, True
    for t in net.towns:
        yield t.router.hostname, t.router.id, t.name, True
    for t in net.towns:
        if t.telephony:
            yield t.sip_hostname, t.telephony.sip_server.id, t.name, False


def allocations(net: Network) -> list[Allocation]:
    syn = net.syndicate
    out: list[Allocation] = []
    for host, dev_id, site_name, router in _devices(net):
        phase = _phase(net, site_name)
        if router:
            out.append(Allocation("loopback_v4", IPNetwork(f"{ad.loopback_v4(syn, dev_id)}/32"), host, phase))
            out.append(Allocation("loopback_v6", IPNetwork(f"{ad.loopback_v6(syn, dev_id)}/128"), host, phase))
        out.append(Allocation("management_v4", IPNetwork(f"{ad.management(syn, dev_id)}/32"), host, phase))
    out.append(Allocation("management_v4", IPNetwork(f"{ad.management_station(syn)}/32"), "management station",
                          "active"))
    for site, span in net.spans(live_only=False):
        phase = _phase(net, site.name)
        label = f"span {span.id}: {span.local.device} - {span.remote.device}"
        out.append(Allocation("span_v4", ad.span_v4(syn, span.id), label, phase))
        out.append(Allocation("span_v6", ad.nth_subnet(syn.pools.span_v6, 64, span.id), label, phase))
    for site in net.sites:
        phase = _phase(net, site.name)
        out.append(Allocation("site_v4", ad.site_block_v4(syn, site.id), f"{site.name} block", phase))
        out.append(Allocation("site_v6", ad.site_block_v6(syn, site.id), f"{site.name} block", phase))
        for role, v4, _ in segment_prefixes(syn, site):
            if syn.segment_roles[role].pool_v4 == "public":
                out.append(Allocation("public_v4", v4, f"{site.name} {role}", phase))
    return sorted(out, key=lambda a: (a.pool, a.prefix.version, a.prefix.first))


def count(n: int) -> str:
    """Large counts as powers of two: ``2^64``; small ones in full."""
    if n >= 1 << 24:
        exp = round(math.log2(n))
        return f"2^{exp}" if n == 1 << exp else f"about 2^{exp}"
    return f"{n:,}"


def pools_table(net: Network, allocs: list[Allocation]) -> str:
    syn = net.syndicate
    rows = []
    for name, value in syn.pools:
        pool = IPNetwork(value)
        used = [a.prefix for a in allocs if a.pool == name]
        free = IPSet([pool]) - IPSet(used)
        size, by = SLOTS.get(name, (syn.site_block.v4 if name == "site_v4" else syn.site_block.v6
                                    if name == "site_v6" else None, "site id" if name.startswith("site") else ""))
        slots = (f"{count(ad.capacity(value, size) - len(used))} of {count(ad.capacity(value, size))} /{size}"
                 if size else "")
        largest = sorted(free.iter_cidrs(), key=lambda c: (c.prefixlen, c.first))[:1]
        rows.append((name, code(pool), f"/{size} by {by}" if size else "by segment role slot", len(used), slots,
                     f"{100 * free.size / pool.size:.1f}%", code(largest[0]) if largest else "none"))
    return table(["pool", "prefix", "slot", "allocated", "free slots", "free space", "largest free block"], rows)


def site_blocks_table(net: Network) -> str:
    syn = net.syndicate
    rows = []
    for site in net.sites:
        block = ad.site_block_v4(syn, site.id)
        used = IPSet(v4 for role, v4, _ in segment_prefixes(syn, site) if syn.segment_roles[role].pool_v4 == "site")
        free = 100 * (block.size - used.size) / block.size
        rows.append((site.name, code(block), code(ad.site_block_v6(syn, site.id)),
                     f"{count(used.size)} of {count(block.size)}", f"{free:.0f}%"))
    return table(["site", "IPv4 block", "IPv6 block", "IPv4 used by segments", "IPv4 free"], rows)


def roles_table(net: Network) -> str:
    rows = [(name, r.vlan, r.slot, f"/{r.v4_prefixlen}", r.pool_v4, r.description)
            for name, r in net.syndicate.segment_roles.items()]
    return table(["segment role", "VLAN", "slot", "IPv4 size", "IPv4 pool", "what"], rows)


def allocations_table(allocs: list[Allocation]) -> str:
    return table(["pool", "prefix", "holder", "phase"],
                 [(a.pool, code(a.prefix), a.holder, a.phase) for a in allocs])


def ipplan_page(net: Network) -> str:
    allocs = allocations(net)
    return page(
        "IP plan",
        "Every address is the n-th slot of a pool, n an id from the inventory: adding a town or a span never "
        "moves an existing address. Planned towns hold their slots already.",
        section("Aggregates we announce", "\n".join(f"- {code(a)}" for a in net.syndicate.aggregates)),
        section("Pools and free space", pools_table(net, allocs)),
        section("Segment roles", "Each role takes the same slot in every site block (IPv6: one /64 per slot).",
                roles_table(net)),
        section("Site blocks", site_blocks_table(net)),
        section("Allocations", allocations_table(allocs)),
        section("Not ours", f"The IX LAN {code(net.ix.lan_v4)}, {code(net.ix.lan_v6)} is assigned by "
                f"{net.ix.name} and never announced."),
    )
