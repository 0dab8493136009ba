"""Addressing guarantees: every address is the slot its id names, and stays there.

Expectations are computed with netaddr's own enumeration from the example's pools,
never typed.
"""

from __future__ import annotations

import shutil
from itertools import islice
from pathlib import Path
from typing import Any

import pytest
import yaml
from netaddr import IPNetwork

from communet import ROOT
from communet import addressing as ad
from communet.design import RouterIntent, SipIntent, build_design
from communet.model.load import load_network
from communet.model.network import Network

NET = load_network(ROOT / "inventory")
SYN = NET.syndicate
POOLS = dict(SYN.pools)


def nth(pool: str, prefixlen: int, index: int) -> IPNetwork:
    """The reference: netaddr's enumeration of the subnets of ``pool``."""
    return next(islice(IPNetwork(pool).subnet(prefixlen), index, None))


def tiny(pool: str, prefixlen: int) -> str:
    """A small synthetic pool: the first /prefixlen of an example pool."""
    return str(nth(pool, prefixlen, 0))


NTH_CASES = [
    (name, prefixlen, index)
    for name, prefixlen in (
        ("loopback_v4", 32),
        ("loopback_v6", 128),
        ("span_v4", 31),
        ("span_v6", 64),
        ("site_v4", SYN.site_block.v4),
        ("site_v6", SYN.site_block.v6),
    )
    for index in (0, 1, 7, ad.capacity(POOLS[name], prefixlen) - 1)
    if index < 70_000
]


@pytest.mark.parametrize(("pool", "prefixlen", "index"), NTH_CASES)
def test_nth_subnet_matches_netaddr(pool: str, prefixlen: int, index: int) -> None:
    assert ad.nth_subnet(POOLS[pool], prefixlen, index) == nth(POOLS[pool], prefixlen, index)


@pytest.mark.parametrize(("pool", "prefixlen"), [("loopback_v4", 32), ("span_v4", 31), ("site_v6", 48)])
def test_nth_subnet_refuses_past_the_end(pool: str, prefixlen: int) -> None:
    count = ad.capacity(POOLS[pool], prefixlen)
    assert count == len(list(IPNetwork(POOLS[pool]).subnet(prefixlen)))
    for index in (count, count + 1, -1):
        with pytest.raises(ad.PoolExhausted):
            ad.nth_subnet(POOLS[pool], prefixlen, index)


def test_nth_subnet_refuses_a_larger_subnet_than_the_pool() -> None:
    pool = POOLS["span_v4"]
    with pytest.raises(ad.PoolExhausted, match="does not fit"):
        ad.nth_subnet(pool, IPNetwork(pool).prefixlen - 1, 0)


@pytest.mark.parametrize(("pool", "prefixlen"), [("loopback_v4", 29), ("span_v4", 30), ("loopback_v6", 125)])
def test_tiny_pools_hold_exactly_their_slots(pool: str, prefixlen: int) -> None:
    small = tiny(POOLS[pool], prefixlen)
    width = 32 if IPNetwork(small).version == 4 else 128
    slots = [ad.nth_subnet(small, width, i) for i in range(ad.capacity(small, width))]
    assert [s.ip for s in slots] == list(IPNetwork(small))
    with pytest.raises(ad.PoolExhausted):
        ad.nth_subnet(small, width, len(slots))


@pytest.mark.parametrize("index", [0, 1, 2, 5])
def test_host_is_the_index_th_address(index: int) -> None:
    small = tiny(POOLS["management_v4"], 29)
    assert ad.host(small, index) == IPNetwork(small)[index]
    assert ad.host(IPNetwork(small), index) == IPNetwork(small)[index]


def test_host_refuses_outside_the_prefix() -> None:
    small = tiny(POOLS["management_v4"], 29)
    for index in (-1, IPNetwork(small).size):
        with pytest.raises(ad.PoolExhausted):
            ad.host(small, index)


def device_ids(net: Network) -> list[int]:
    ids = [r.id for _, r in net.routers(live_only=False)]
    return ids + [t.telephony.sip_server.id for t in net.towns if t.telephony]


@pytest.mark.parametrize("device_id", device_ids(NET))
def test_loopbacks_and_management_are_slot_id(device_id: int) -> None:
    assert ad.loopback_v4(SYN, device_id) == IPNetwork(POOLS["loopback_v4"])[device_id]
    assert ad.loopback_v6(SYN, device_id) == IPNetwork(POOLS["loopback_v6"])[device_id]
    assert ad.management(SYN, device_id) == IPNetwork(POOLS["management_v4"])[device_id]
    assert ad.management(SYN, device_id) != ad.management_station(SYN)


def test_management_station_is_the_last_usable_address() -> None:
    assert ad.management_station(SYN) == IPNetwork(POOLS["management_v4"])[-2]


@pytest.mark.parametrize("span", [s for _, s in NET.spans(live_only=False)], ids=lambda s: f"span{s.id}")
def test_span_ends(span: Any) -> None:
    v4, v6 = ad.span_v4(SYN, span.id), ad.span_v6(SYN, span.id)
    assert v4 == nth(POOLS["span_v4"], 31, span.id)
    assert v6.prefixlen == 127 and v6 in nth(POOLS["span_v6"], 64, span.id)
    assert ad.span_end(v4, local=True) == f"{v4[0]}/31"
    assert ad.span_end(v4, local=False) == f"{v4[1]}/31"
    assert ad.span_end(v6, local=True) == f"{v6[0]}/127"
    assert ad.span_end(v6, local=False) == f"{v6[1]}/127"


@pytest.mark.parametrize("site", NET.sites, ids=lambda s: s.name)
def test_site_blocks_and_segments(site: Any) -> None:
    block4, block6 = ad.site_block_v4(SYN, site.id), ad.site_block_v6(SYN, site.id)
    assert block4 == nth(POOLS["site_v4"], SYN.site_block.v4, site.id)
    assert block6 == nth(POOLS["site_v6"], SYN.site_block.v6, site.id)
    for name in site.segments:
        role = SYN.segment_roles[name]
        v4, v6 = ad.segment_v4(SYN, site, role), ad.segment_v6(SYN, site, role)
        home = IPNetwork(POOLS["public_v4"]) if role.pool_v4 == "public" else block4
        assert v4 == nth(str(home), role.v4_prefixlen, role.slot)
        assert v6 == nth(str(block6), 64, role.slot)
        assert ad.gateway(v4) == f"{v4[1]}/{v4.prefixlen}"
    if "voice" in site.segments:
        sip4, sip6 = ad.sip_address(SYN, site)
        voice = SYN.segment_roles["voice"]
        assert sip4 == ad.segment_v4(SYN, site, voice)[SYN.telephony.sip_host]
        assert sip6 == ad.segment_v6(SYN, site, voice)[SYN.telephony.sip_host]


def test_segments_never_overlap() -> None:
    prefixes = [
        p
        for site in NET.sites
        for name in site.segments
        for p in (ad.segment_v4(SYN, site, SYN.segment_roles[name]), ad.segment_v6(SYN, site, SYN.segment_roles[name]))
    ]
    for i, a in enumerate(prefixes):
        for b in prefixes[i + 1 :]:
            assert a.version != b.version or not (a in b or b in a), (a, b)


def addresses(net: Network) -> dict[tuple[str, ...], str]:
    """Every address the design assigns, keyed by what it belongs to."""
    out: dict[tuple[str, ...], str] = {}
    for host, intent in build_design(net).items():
        out[(host, "management")] = intent.management.address
        if isinstance(intent, RouterIntent):
            for iface in intent.interfaces:
                out[(host, iface.name, "ipv4")] = iface.ipv4 or ""
                out[(host, iface.name, "ipv6")] = iface.ipv6 or ""
        elif isinstance(intent, SipIntent):
            out[(host, "listen_v4")] = intent.listen_v4
            out[(host, "listen_v6")] = intent.listen_v6
            out[(host, "segment_v4")] = intent.segment_v4
            for route in intent.routes:
                out[(host, "route", route.town)] = route.target
    return out


def test_every_address_is_assigned_once() -> None:
    owned = [v.split("/")[0] for k, v in addresses(NET).items() if k[1] not in ("segment_v4", "route")]
    assert all(owned)
    twice = {a for a in owned if owned.count(a) > 1}
    assert not twice, f"assigned twice: {twice}"


def test_routed_interfaces_are_dual_stack() -> None:
    routers = [i for i in build_design(NET).values() if isinstance(i, RouterIntent)]
    assert routers
    for intent in routers:
        for iface in intent.interfaces:
            assert iface.ipv4 and IPNetwork(iface.ipv4).version == 4, (intent.hostname, iface.name)
            assert iface.ipv6 and IPNetwork(iface.ipv6).version == 6, (intent.hostname, iface.name)


def _edit(inventory: Path, file: str, change: Any) -> None:
    path = inventory / file
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def free(net: Network) -> dict[str, int]:
    """Ids and ports nothing in the example uses yet."""
    spans = [s for _, s in net.spans(live_only=False)]
    return {
        "site": max(s.id for s in net.sites) + 1,
        "device": max(device_ids(net)) + 1,
        "span": max(s.id for s in spans) + 1,
        "port": max(e.port for s in spans for e in (s.local, s.remote)) + 1,
        "ext": max(t.telephony.extensions.last for t in net.towns if t.telephony) + 1,
    }


@pytest.fixture
def inventory(tmp_path: Path) -> Path:
    copy = tmp_path / "inventory"
    shutil.copytree(ROOT / "inventory", copy)
    return copy


def assert_kept(before: dict[tuple[str, ...], str], after: dict[tuple[str, ...], str]) -> None:
    moved = {k: (v, after.get(k)) for k, v in before.items() if after.get(k) != v}
    assert not moved, f"addresses moved: {moved}"


def test_a_new_town_moves_no_address(inventory: Path) -> None:
    ids = free(NET)
    anchor = NET.live_towns[0].router.hostname
    town = {
        "id": ids["site"],
        "name": "newtown",
        "phase": "active",
        "router": {"id": ids["device"], "hostname": "newtown-r1"},
        "segments": ["administration", "voice"],
        "telephony": {
            "extensions": {"first": ids["ext"], "last": ids["ext"] + 99},
            "sip_server": {"id": ids["device"] + 1},
        },
        "spans": [
            {
                "id": ids["span"],
                "local": {"device": "newtown-r1", "port": 1},
                "remote": {"device": anchor, "port": ids["port"]},
            }
        ],
    }
    (inventory / "towns" / "newtown.yml").write_text(yaml.safe_dump(town), encoding="utf-8")
    before, after = addresses(NET), addresses(load_network(inventory))
    assert len(after) > len(before)
    assert ("newtown-r1", "management") in after
    assert_kept({k: v for k, v in before.items() if k[1] != "route"}, after)
    # the other SIP servers now route newtown's extensions too; their old routes stay
    assert all(after.get(k) == v for k, v in before.items() if k[1] == "route")


def test_a_new_span_between_existing_towns_moves_no_address(inventory: Path) -> None:
    ids = free(NET)
    a, b = NET.live_towns[0], NET.live_towns[-1]
    span = {
        "id": ids["span"],
        "local": {"device": a.router.hostname, "port": ids["port"]},
        "remote": {"device": b.router.hostname, "port": ids["port"]},
    }
    _edit(inventory, f"towns/{a.name}.yml", lambda d: d.setdefault("spans", []).append(span))
    before, after = addresses(NET), addresses(load_network(inventory))
    assert len(after) == len(before) + 4  # two new interfaces, two families
    assert_kept(before, after)
