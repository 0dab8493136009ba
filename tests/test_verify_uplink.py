"""The uplink family's expectations and state checks, from the intent (no lab needed)."""

from __future__ import annotations

from types import SimpleNamespace

from netaddr import IPAddress, IPNetwork

from communet import ROOT
from communet.design import RouterIntent, build_design
from communet.model.load import load_network
from communet.verify import registry
from communet.verify.checks import uplink

NET = load_network(ROOT / "inventory")
INTENTS = build_design(NET)
CTX = SimpleNamespace(net=NET, intents=INTENTS)


def test_one_host_per_live_town_on_a_translated_segment() -> None:
    hosts = uplink.town_hosts(NET)
    assert {h.town for h in hosts} == {t.name for t in NET.live_towns}
    nat = NET.syndicate.nat
    assert nat is not None
    for h in hosts:
        role = h.node.removeprefix(f"{h.town}-")
        assert role in nat.roles
        assert IPAddress(h.v4).version == 4 and IPAddress(h.v6).version == 6


def _state(established: bool) -> dict:
    state: dict = {}
    for edge in uplink.edges(CTX):  # type: ignore[arg-type]
        state[edge.hostname] = {
            "bgp": {
                n.address: {"remoteAs": n.remote_as, "bgpState": "Established" if established else "Active"}
                for n in edge.bgp.neighbors
            }
        }
    return state


def test_transit_sessions_of_every_edge_are_checked() -> None:
    checks = uplink.transit_sessions(CTX, _state(True))  # type: ignore[arg-type]
    want = {
        (i.hostname, n.address)
        for i in INTENTS.values()
        if isinstance(i, RouterIntent)
        for n in i.bgp.neighbors
        if n.kind == "transit"
    }
    assert len(checks) == len(want) >= 2
    assert {c.device for c in checks} == {h for h, _ in want}
    assert all(c.ok for c in checks)
    assert not any(c.ok for c in uplink.transit_sessions(CTX, _state(False)))  # type: ignore[arg-type]


def test_outages_cover_every_edge_and_uplink_port() -> None:
    for edge in uplink.edges(CTX):  # type: ignore[arg-type]
        ports = {i.name for i in edge.interfaces if i.kind in ("ix", "transit")}
        assert set(uplink.uplink_ports(edge)) == ports
        assert ports < set(uplink.all_ports(edge))


def test_nat_pools_come_from_the_model() -> None:
    nat = NET.syndicate.nat
    assert nat is not None
    assert uplink.nat_pools(NET) == [IPNetwork(p.prefix) for p in nat.pools]


def test_registry_has_the_uplink_family_and_edge_outages() -> None:
    assert "uplink" in registry.families()
    assert {g.name for g in registry.of_family("uplink")} == {"transit", "default", "nat", "failover"}
    assert "edges" in {g.name for g in registry.of_family("resilience")}
