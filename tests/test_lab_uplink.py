"""The lab's transit providers and internet node come from the model (no lab needed to check them)."""

from __future__ import annotations

from functools import cache

from netaddr import IPAddress, IPNetwork

from communet import ROOT
from communet.lab import transit
from communet.lab.topology import Topology, build_topology
from communet.model.load import load_network
from communet.model.network import Network


@cache
def net() -> Network:
    return load_network(ROOT / "inventory")


@cache
def topo() -> Topology:
    return build_topology(net())


def test_a_node_per_provider_wired_to_every_edge_port() -> None:
    for provider in net().datacenter.transit:
        assert topo().node(provider.name).kind == "transit"
        wired = {(link.a.node, link.a.ifname) for link in topo().links if link.b.node == provider.name}
        ports = {(i.name, h) for h, r in topo().intents.items() if hasattr(r, "interfaces") for i in r.interfaces}
        for link in provider.links:
            assert any(node == link.device and (ifname, node) in ports for node, ifname in wired)
        addresses = {a.cidr.split("/")[0] for a in topo().addresses if a.node == provider.name}
        assert {a for link in provider.links for a in (link.peer_v4, link.peer_v6) if a} <= addresses


def test_internet_node_outside_everything_we_use() -> None:
    syn = net().syndicate
    ours = [IPNetwork(p) for _, p in syn.pools] + [IPNetwork(a) for a in syn.aggregates]
    ours += [IPNetwork(net().ix.lan_v4), IPNetwork(net().ix.lan_v6)]
    found = transit.internet_addresses(net())
    assert found[4] and found[6]
    for address in found[4] + found[6]:
        ip = IPAddress(address)
        assert not any(ip.version == p.version and ip in p for p in ours), address
    assert topo().node(transit.INTERNET).kind == "internet"


def test_provider_config_sends_the_default_to_each_edge_address(monkeypatch) -> None:
    for provider in net().datacenter.transit:
        if provider.password_secret:
            monkeypatch.setenv(provider.password_secret, "lab-test-value")
        text = transit.provider_config(net(), provider.name, "frr.log")
        for link in provider.links:
            for ours in (link.v4, link.v6):
                if ours:
                    assert f"neighbor {IPNetwork(ours).ip} default-originate" in text
                    assert f"neighbor {IPNetwork(ours).ip} remote-as {net().syndicate.asn}" in text
