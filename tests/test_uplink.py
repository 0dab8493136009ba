"""Transit, the conditional default, NAT44 and the edge's source filter, derived from the example.

Expectations come from the model (transit links, NAT pools, segment roles) and the
design's own names, never from typed addresses.
"""

from __future__ import annotations

import shutil
import subprocess
from functools import cache
from pathlib import Path

import pytest
from netaddr import IPAddress, IPNetwork

from communet import ROOT, filters, firewall_filters
from communet import addressing as ad
from communet.design import RouterIntent, build_design
from communet.design import uplink as up
from communet.design.intent import BgpNeighbor, RouteMap
from communet.design.policy import LOCAL_PREF_PEER, LOCAL_PREF_ROUTE_SERVER
from communet.model.load import load_network
from communet.model.network import Network
from communet.render import jinja_env, render_intent


@cache
def net() -> Network:
    return load_network(ROOT / "inventory")


@cache
def routers() -> dict[str, RouterIntent]:
    return {h: i for h, i in build_design(net()).items() if isinstance(i, RouterIntent)}


def edges() -> list[RouterIntent]:
    return [i for i in routers().values() if i.role == "edge"]


def route_map(router: RouterIntent, name: str) -> RouteMap:
    return next(m for m in router.route_maps if m.name == name)


def transit_sessions(router: RouterIntent) -> list[BgpNeighbor]:
    return [n for n in router.bgp.neighbors if n.kind == "transit"]


def test_example_has_transit_and_nat() -> None:
    assert net().datacenter.transit, "the example declares a transit provider"
    assert net().syndicate.nat is not None


def test_every_transit_link_is_a_session_and_a_port() -> None:
    for transit in net().datacenter.transit:
        for link in transit.links:
            router = routers()[link.device]
            sessions = {n.address for n in transit_sessions(router)}
            assert {a for a in (link.peer_v4, link.peer_v6) if a} <= sessions
            ports = {i.ipv4 for i in router.interfaces if i.kind == "transit"}
            assert link.v4 in ports


def test_transit_sessions_are_filtered_and_announce_our_aggregates() -> None:
    for router in edges():
        for nb in transit_sessions(router):
            assert nb.enforce_first_as and nb.max_prefix and nb.ttl_security_hops == 1
            out = route_map(router, nb.route_map_out or "")
            plist = next(p for p in router.prefix_lists if p.name == out.entries[0].match_prefix_list)
            family = 4 if nb.family == "ipv4" else 6
            assert {e.prefix for e in plist.entries} == {
                a for a in net().syndicate.aggregates if IPNetwork(a).version == family
            }


def _accepts_default(rmap: RouteMap) -> bool:
    """Walks the map as BGP does for the default route: first entry whose prefix-list holds it."""
    default_lists = {"DEFAULT-V4", "DEFAULT-V6"}
    for entry in rmap.entries:
        if entry.match_prefix_list is None or entry.match_prefix_list in default_lists:
            return entry.action == "permit"
    return False


def test_default_only_from_transit() -> None:
    for router in edges():
        for nb in router.bgp.neighbors:
            if nb.kind in ("route_server", "peer", "transit"):
                assert _accepts_default(route_map(router, nb.route_map_in or "")) == (nb.kind == "transit"), nb


def test_preference_peers_over_route_servers_over_transit() -> None:
    assert LOCAL_PREF_PEER > LOCAL_PREF_ROUTE_SERVER > up.LOCAL_PREF_TRANSIT
    for router in edges():
        for nb in transit_sessions(router):
            prefs = {e.set_local_preference for e in route_map(router, nb.route_map_in or "").entries}
            assert prefs - {None} == {up.LOCAL_PREF_TRANSIT}


def test_conditional_default_toward_the_reflectors_only() -> None:
    for router in routers().values():
        for nb in router.bgp.neighbors:
            if nb.default_originate_map:
                assert router.role == "edge" and nb.kind == "ibgp", (router.hostname, nb)
                condition = route_map(router, nb.default_originate_map).entries
                assert condition[0].match_local_preference == up.LOCAL_PREF_TRANSIT
                assert condition[0].match_prefix_list in {"DEFAULT-V4", "DEFAULT-V6"}
                assert condition[0].set_local_preference == up.LOCAL_PREF_ORIGINATED_DEFAULT
    assert up.LOCAL_PREF_ORIGINATED_DEFAULT < up.LOCAL_PREF_TRANSIT, "an edge must prefer its own transit"
    for router in edges():
        families = {n.family for n in transit_sessions(router)}
        originating = {n.family for n in router.bgp.neighbors if n.default_originate_map}
        assert originating == families


def test_nat_translates_the_declared_roles_of_every_live_site() -> None:
    nat = net().syndicate.nat
    assert nat is not None
    for pool in nat.pools:
        intent = routers()[pool.device].uplink
        assert intent is not None and intent.nat is not None
        assert intent.nat.pool == pool.prefix
        assert IPAddress(intent.nat.pool_first) in IPNetwork(pool.prefix)
        sources = [IPNetwork(s) for s in intent.nat.sources]
        assert all(s.version == 4 for s in sources), "IPv6 is never translated"
        syn = net().syndicate
        expected = {
            str(ad.segment_v4(syn, t, syn.segment_roles[role]))
            for t in net().live_towns
            for role in t.segments
            if role in nat.roles
        }
        assert expected and set(intent.nat.sources) >= expected
        assert not any(s in IPNetwork(a) for s in sources for a in syn.aggregates if IPNetwork(a).version == 4)


def test_nat_pool_is_announced_into_ibgp_and_blackholed() -> None:
    nat = net().syndicate.nat
    assert nat is not None
    for pool in nat.pools:
        router = routers()[pool.device]
        assert pool.prefix in router.bgp.networks_v4
        assert any(s.prefix == pool.prefix and s.next_hop == "blackhole" for s in router.static_routes)


def test_source_filter_on_every_uplink_port() -> None:
    aggregates = set(net().syndicate.aggregates)
    for router in edges():
        uplink_ports = {i.name: i for i in router.interfaces if i.kind in ("ix", "transit")}
        assert router.uplink is not None
        assert {f.interface for f in router.uplink.source_filters} == set(uplink_ports)
        for f in router.uplink.source_filters:
            own = uplink_ports[f.interface]
            assert aggregates <= set(f.v4) | set(f.v6)
            assert f"{IPNetwork(own.ipv4 or '').ip}/32" in f.v4


def test_no_uplink_on_towns_and_cores() -> None:
    assert all(r.uplink is None for r in routers().values() if r.role != "edge")


def _nft() -> str:
    path = shutil.which("nft") or shutil.which("nft", path="/usr/sbin:/sbin")
    if path is None:
        pytest.fail("nft is not installed: run `make setup` (Debian package nftables)")
    return path


@pytest.mark.parametrize("hostname", [r.hostname for r in edges()])
def test_nat_rules_in_the_nftables_file_accepted_by_nft(hostname: str, tmp_path: Path) -> None:
    intent = routers()[hostname]
    assert intent.uplink is not None and intent.uplink.nat is not None
    text = jinja_env().get_template("frr/nftables.j2").render(intent=intent)
    assert f"snat ip to {intent.uplink.nat.pool_first}-{intent.uplink.nat.pool_last}" in text
    for f in intent.uplink.source_filters:
        assert f'oifname "{f.interface}" ip saddr != {firewall_filters.nft_set(f.v4)} counter drop' in text
    committed = (ROOT / "configs" / f"{hostname}.nft").read_text(encoding="utf-8")
    assert committed == text
    rules = tmp_path / "edge.nft"
    rules.write_text(text, encoding="utf-8")
    result = subprocess.run([_nft(), "-c", "-f", str(rules)], capture_output=True, text=True, timeout=30, check=False)
    assert result.returncode == 0, result.stderr


# --- the same intent on IOS-XE and JunOS, parsed back ----------------------------------------------------------


@cache
def vendor(platform: str) -> dict[str, RouterIntent]:
    intents = build_design(net(), platform_override=platform).values()
    return {i.hostname: i for i in intents if isinstance(i, RouterIntent) and i.role == "edge"}


@pytest.mark.parametrize("hostname", [r.hostname for r in edges()])
def test_ios_xe_nat_and_source_acls(hostname: str) -> None:
    from hier_config import Platform, get_hconfig

    intent = vendor("ios_xe")[hostname]
    tree = get_hconfig(Platform.CISCO_IOS, render_intent(jinja_env(), intent))
    up = intent.uplink
    assert up is not None and up.nat is not None
    nat_acl = tree.get_child(equals=f"ip access-list standard {up.nat_acl}")
    assert nat_acl is not None
    permitted = {" ".join(c.text.split()[2:]) for c in nat_acl.children}
    assert permitted == {firewall_filters.wildcard(p) for p in up.nat.sources}
    assert tree.get_child(equals=f"ip nat inside source list {up.nat_acl} pool {up.nat_pool_name} overload")
    for iface in intent.interfaces:
        node = tree.get_child(equals=f"interface {iface.name}")
        assert node is not None
        texts = {c.text for c in node.children}
        assert ("ip nat outside" in texts) == (iface.name in up.nat.outside)
        assert ("ip nat inside" in texts) == (iface.name in up.nat.inside)
    for f in up.source_filters:
        node = tree.get_child(equals=f"interface {f.interface}")
        assert node is not None and node.get_child(equals=f"ip access-group {f.name_v4} out")
        acl = tree.get_child(equals=f"ip access-list extended {f.name_v4}")
        assert acl is not None
        lines = [" ".join(c.text.split()[1:]) for c in acl.children]
        assert lines[-1] == "deny ip any any"
        assert lines[:-1] == [f"permit ip {firewall_filters.wildcard(p)} any" for p in f.v4]


@pytest.mark.parametrize("hostname", [r.hostname for r in edges()])
def test_junos_source_nat_and_output_filters(hostname: str) -> None:
    intent = vendor("junos")[hostname]
    lines = render_intent(jinja_env(), intent).splitlines()
    up = intent.uplink
    assert up is not None and up.nat is not None
    rule_set = f"set security nat source rule-set {up.nat_pool_name}"
    assert f"set security nat source pool {up.nat_pool_name} address {up.nat.pool}" in lines
    assert {ln.split()[-1] for ln in lines if ln.startswith(f"{rule_set} to interface ")} == set(up.nat.outside)
    matched = {ln.split()[-1] for ln in lines if ln.startswith(f"{rule_set} rule translate match source-address ")}
    assert matched == set(up.nat.sources)
    for f in up.source_filters:
        unit = f"set interfaces {filters.junos_ifd(f.interface)} unit {filters.junos_unit(f.interface)}"
        assert f"{unit} family inet filter output {f.name_v4}" in lines
        term = f"set firewall family inet filter {f.name_v4} term"
        assert {ln.split()[-1] for ln in lines if ln.startswith(f"{term} ours from source-address ")} == set(f.v4)
        assert f"{term} spoofed then discard" in lines


def test_junos_exports_the_transit_default_to_the_reflectors() -> None:
    for intent in vendor("junos").values():
        lines = render_intent(jinja_env(), intent).splitlines()
        for nb in intent.bgp.neighbors:
            if nb.default_originate_map:
                assert any(ln.endswith(f"neighbor {nb.address} export {nb.default_originate_map}") for ln in lines)
                policy = f"set policy-options policy-statement {nb.default_originate_map}"
                assert f"{policy} term permit-10 from local-preference {up.LOCAL_PREF_TRANSIT}" in lines
                assert f"{policy} term other then next policy" in lines
