"""The model and the design derived from it: what every intent must say, from the inventory."""

from __future__ import annotations

from typing import Any

import pytest
from netaddr import IPNetwork
from pydantic import ValidationError

from communet import ROOT
from communet import addressing as ad
from communet.design import RouterIntent, SipIntent, build_design
from communet.design.intent import PrefixList, RouteMap
from communet.model.base import Model
from communet.model.load import load_network
from communet.model.site import Router

NET = load_network(ROOT / "inventory")
SYN = NET.syndicate
DESIGN = build_design(NET)
ROUTERS = {h: i for h, i in DESIGN.items() if isinstance(i, RouterIntent)}
SIPS = {h: i for h, i in DESIGN.items() if isinstance(i, SipIntent)}
EDGE = next(i for i in ROUTERS.values() if i.role == "edge")


def all_models(base: type[Model] = Model) -> list[type[Model]]:
    out = []
    for sub in base.__subclasses__():
        out += [sub, *all_models(sub)]
    return out


@pytest.mark.parametrize("kind", all_models(), ids=lambda k: k.__name__)
def test_models_are_frozen_and_strict(kind: type[Model]) -> None:
    assert kind.model_config.get("frozen") is True
    assert kind.model_config.get("extra") == "forbid"


def test_a_model_rejects_change_and_unknown_keys() -> None:
    router = NET.towns[0].router
    with pytest.raises(ValidationError):
        router.id = router.id + 1  # type: ignore[misc]
    data = router.model_dump()
    with pytest.raises(ValidationError) as info:
        Router.model_validate({**data, "hostnmae": router.hostname})
    assert info.value.errors()[0]["type"] == "extra_forbidden"
    assert Router.model_validate(data) == router


def test_the_example_loads() -> None:
    assert NET.towns and NET.datacenter.routers and NET.ix.route_servers
    assert [t.id for t in NET.towns] == sorted(t.id for t in NET.towns)


def test_live_towns_exclude_planned() -> None:
    planned = {t.name for t in NET.towns if t.phase == "planned"}
    assert planned, "the example has a planned town"
    assert {t.name for t in NET.live_towns} == {t.name for t in NET.towns} - planned


def test_planned_spans_are_not_live() -> None:
    planned = [t for t in NET.towns if t.phase == "planned"]
    planned_spans = {s.id for t in planned for s in t.spans}
    assert planned_spans
    assert not planned_spans & {s.id for _, s in NET.spans()}
    assert planned_spans <= {s.id for _, s in NET.spans(live_only=False)}


def test_one_intent_per_live_device() -> None:
    routers = {r.hostname for _, r in NET.routers()}
    sips = {t.telephony.sip_server.hostname or f"{t.name}-sip" for t in NET.live_towns if t.telephony}
    assert set(ROUTERS) == routers
    assert set(SIPS) == sips
    assert len(DESIGN) == len(routers) + len(sips)
    planned = {t.router.hostname for t in NET.towns if t.phase == "planned"}
    assert not planned & set(DESIGN)


def loopbacks(hostnames: set[str]) -> set[tuple[str, str]]:
    ids = {r.hostname: r.id for _, r in NET.routers()}
    return {
        (fam, str(f(SYN, ids[h]))) for h in hostnames for fam, f in (("ipv4", ad.loopback_v4), ("ipv6", ad.loopback_v6))
    }


def ibgp(intent: RouterIntent) -> set[tuple[str, str]]:
    return {(n.family, n.address) for n in intent.bgp.neighbors if n.kind == "ibgp"}


@pytest.mark.parametrize("host", [h for h, i in ROUTERS.items() if i.role == "town"])
def test_town_routers_peer_with_the_route_reflectors_only(host: str) -> None:
    intent = ROUTERS[host]
    assert ibgp(intent) == loopbacks(set(SYN.routing.route_reflectors))
    assert all(n.remote_as == SYN.asn for n in intent.bgp.neighbors)


@pytest.mark.parametrize("host", SYN.routing.route_reflectors)
def test_route_reflectors_peer_with_every_other_live_router(host: str) -> None:
    intent = ROUTERS[host]
    assert ibgp(intent) == loopbacks(set(ROUTERS) - {host})
    clients = {n.description for n in intent.bgp.neighbors if n.route_reflector_client}
    assert clients == set(ROUTERS) - set(SYN.routing.route_reflectors)


def test_edge_ix_neighbors_match_ix_yml() -> None:
    got = {(n.kind, n.family, n.address, n.remote_as) for n in EDGE.bgp.neighbors if n.kind in ("route_server", "peer")}
    want = {
        (kind, fam, getattr(nb, attr), nb.asn)
        for kind, group in (("route_server", NET.ix.route_servers), ("peer", NET.ix.peers))
        for nb in group
        for fam, attr in (("ipv4", "v4"), ("ipv6", "v6"))
    }
    assert got == want
    assert all(n.route_map_in and n.route_map_out and n.max_prefix for n in EDGE.bgp.neighbors if n.kind != "ibgp")


# -- IX policy, evaluated: a route map with its prefix lists, applied to a prefix --------------


def _matches(plist: PrefixList, prefix: IPNetwork) -> bool:
    for entry in plist.entries:
        net = IPNetwork(entry.prefix)
        lo = entry.ge if entry.ge is not None else net.prefixlen
        hi = entry.le if entry.le is not None else (entry.ge and (32 if net.version == 4 else 128)) or lo
        if prefix.version == net.version and prefix in net and lo <= prefix.prefixlen <= hi:
            return entry.action == "permit"
    return False


def verdict(map_name: str, prefix: IPNetwork) -> str:
    lists = {p.name: p for p in EDGE.prefix_lists}
    rmap: RouteMap = next(m for m in EDGE.route_maps if m.name == map_name)
    for entry in rmap.entries:
        if entry.match_prefix_list is None or _matches(lists[entry.match_prefix_list], prefix):
            return entry.action
    return "deny"


def neighbor(kind: str, family: str) -> Any:
    return next(n for n in EDGE.bgp.neighbors if n.kind == kind and n.family == family)


def maxlen(version: int) -> int:
    return SYN.limits.max_v4_prefixlen if version == 4 else SYN.limits.max_v6_prefixlen


def candidates(version: int) -> dict[str, list[IPNetwork]]:
    """Prefixes an IX neighbor could send, derived from the model."""
    family = "v4" if version == 4 else "v6"
    ours = [IPNetwork(a) for a in SYN.aggregates if IPNetwork(a).version == version]
    bogons = [IPNetwork(b) for b in getattr(SYN.bogons, family)]
    legit = [IPNetwork(p) for peer in NET.ix.peers for p in peer.prefixes if IPNetwork(p).version == version]
    assert ours and bogons and legit
    return {
        "bogon": bogons + [next(b.subnet(max(b.prefixlen, min(b.prefixlen + 1, maxlen(version))))) for b in bogons],
        "own": ours + [next(a.subnet(maxlen(version))) for a in ours],
        "default": [IPNetwork((0, 0), version=version)],
        "too specific": [next(p.subnet(maxlen(version) + 1)) for p in legit],
        "legit": legit + [next(p.subnet(maxlen(version))) for p in legit],
    }


@pytest.mark.parametrize("family", ["ipv4", "ipv6"])
@pytest.mark.parametrize("kind", ["route_server", "peer"])
def test_ix_import_rejects_bogons_own_space_default_and_too_specific(kind: str, family: str) -> None:
    rmap = neighbor(kind, family).route_map_in
    for label, prefixes in candidates(4 if family == "ipv4" else 6).items():
        want = "permit" if label == "legit" else "deny"
        for prefix in prefixes:
            assert verdict(rmap, prefix) == want, (rmap, label, prefix)


def test_ix_import_scrubs_communities() -> None:
    for n in EDGE.bgp.neighbors:
        if n.kind != "ibgp":
            rmap = next(m for m in EDGE.route_maps if m.name == n.route_map_in)
            assert all(e.set_community_none for e in rmap.entries if e.action == "permit")


@pytest.mark.parametrize("family", ["ipv4", "ipv6"])
def test_ix_export_announces_only_the_aggregates(family: str) -> None:
    version = 4 if family == "ipv4" else 6
    rmap = neighbor("route_server", family).route_map_out
    ours = [IPNetwork(a) for a in SYN.aggregates if IPNetwork(a).version == version]
    for agg in ours:
        assert verdict(rmap, agg) == "permit"
        assert verdict(rmap, next(agg.subnet(agg.prefixlen + 1))) == "deny"
    for label, prefixes in candidates(version).items():
        for prefix in prefixes:
            if prefix not in ours:
                assert verdict(rmap, prefix) == "deny", (label, prefix)


@pytest.mark.parametrize("host", sorted(SIPS))
def test_dial_plan_routes_every_other_town_to_its_sip_server(host: str) -> None:
    intent = SIPS[host]
    towns = {t.name: t for t in NET.live_towns if t.telephony}
    own = towns[intent.site]
    assert (intent.local.first, intent.local.last) == (own.telephony.extensions.first, own.telephony.extensions.last)
    want = {
        (name, t.telephony.extensions.first, t.telephony.extensions.last, str(ad.sip_address(SYN, t)[0]))
        for name, t in towns.items()
        if name != intent.site
    }
    assert {(r.town, r.first, r.last, r.target) for r in intent.routes} == want
    assert not any(r.local for r in intent.routes)
    assert intent.listen_v4 == str(ad.sip_address(SYN, own)[0])
