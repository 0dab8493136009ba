"""Our ports on the IX: ``ports`` (one per edge router) or the single ``port``, in the model,
the design, and the lab built from them."""

from __future__ import annotations

from pathlib import Path

from netaddr import IPNetwork

from communet import ROOT
from communet.design import RouterIntent, build_design
from communet.lab import bird, member
from communet.lab.topology import IX_NODE, build_topology
from communet.model.load import load_network
from communet.model.network import Network
from tests.test_variants import DELETE, variant

NET = load_network(ROOT / "inventory")
IX_KINDS = ("route_server", "peer")


def _routers(net: Network) -> dict[str, RouterIntent]:
    return {k: v for k, v in build_design(net).items() if isinstance(v, RouterIntent)}


def _single_port(tmp_path: Path) -> Network:
    """The example written the older way: one ``port`` (the first edge's), no ``ports``."""
    first = NET.ix.edge_ports[0].model_dump()
    return variant(tmp_path, [("ix.yml", "port", first), ("ix.yml", "ports", DELETE)])


def test_the_example_has_a_port_on_every_edge_router() -> None:
    edges = {r.hostname for r in NET.datacenter.routers if r.role == "edge"}
    assert NET.ix.port is None and NET.ix.ports is not None
    assert {p.device for p in NET.ix.edge_ports} == edges
    assert all(NET.on_ix(e) for e in edges)


def test_each_edge_gets_its_interface_sessions_and_filters() -> None:
    routers = _routers(NET)
    lan4, lan6 = IPNetwork(NET.ix.lan_v4), IPNetwork(NET.ix.lan_v6)
    neighbors = [*NET.ix.route_servers, *NET.ix.peers]
    for port in NET.ix.edge_ports:
        edge = routers[port.device]
        (iface,) = [i for i in edge.interfaces if i.kind == "ix"]
        assert iface.ipv4 == f"{port.v4}/{lan4.prefixlen}" and iface.ipv6 == f"{port.v6}/{lan6.prefixlen}"
        sessions = {(n.address, n.remote_as) for n in edge.bgp.neighbors if n.kind in IX_KINDS}
        want = {(a, n.asn) for n in neighbors for a in (n.v4, n.v6) if a is not None}
        assert sessions == want, port.device
        assert edge.prefix_lists and edge.route_maps
    first, second = (routers[p.device] for p in NET.ix.edge_ports[:2])
    assert first.route_maps == second.route_maps and first.prefix_lists == second.prefix_lists


def test_the_ibgp_policy_does_not_change_with_a_second_port(tmp_path: Path) -> None:
    """What the edges send the reflectors (and the reflectors' own sessions) is the same with one port or two."""
    one, two = _routers(_single_port(tmp_path)), _routers(NET)
    for name in two:
        ibgp = {(n.address, n.route_map_in, n.route_map_out) for n in two[name].bgp.neighbors if n.kind == "ibgp"}
        assert ibgp == {
            (n.address, n.route_map_in, n.route_map_out) for n in one[name].bgp.neighbors if n.kind == "ibgp"
        }
    for name in one:
        if one[name].role != "edge":
            assert one[name] == two[name], name


def test_a_single_port_still_works_as_before(tmp_path: Path) -> None:
    net = _single_port(tmp_path)
    holder, other = (p.device for p in NET.ix.edge_ports[:2])
    assert net.ix.port is not None and net.ix.ports is None
    assert [p.device for p in net.ix.edge_ports] == [holder]
    routers = _routers(net)
    assert routers[holder] == _routers(NET)[holder]
    spare = routers[other]
    assert not [i for i in spare.interfaces if i.kind == "ix"]
    assert not [n for n in spare.bgp.neighbors if n.kind in IX_KINDS]
    assert [n for n in spare.bgp.neighbors if n.kind == "transit"]  # its transit stays


def test_the_lab_joins_every_ix_port_to_the_ix_lan() -> None:
    topo = build_topology(NET)
    joined = {link.a.node for link in topo.links if link.role == "ix" and link.b.node == IX_NODE}
    assert {p.device for p in NET.ix.edge_ports} <= joined
    lan_ports = [link.b.ifname for link in topo.links if link.b.node == IX_NODE]
    assert len(lan_ports) == len(set(lan_ports))


def test_route_servers_and_the_member_peer_with_every_port(tmp_path: Path) -> None:
    ours = {a for p in NET.ix.edge_ports for a in (p.v4, p.v6)}
    for rs in NET.ix.route_servers:
        config = bird.rs_config(NET, rs, str(tmp_path / "bird.log"))
        clients = {c.address for c in config.clients}
        assert ours <= clients
        assert len({c.protocol for c in config.clients}) == len(config.clients)
        assert config.hold <= member.HOLD_S
    for peer in NET.ix.peers:
        config = member.member_config(NET, peer, str(tmp_path / "member.log"))
        assert ours <= {n.address for n in config.neighbors}
