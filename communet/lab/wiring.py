"""Namespaces, veth pairs, bridges, addresses and routes of the lab topology."""

from __future__ import annotations

from collections import defaultdict

from netaddr import IPAddress, IPNetwork

from communet.lab.netns import LabError, ip, ip_batch, ip_json, link_idents, namespaces, netns_ident
from communet.lab.state import PREFIX, Entry, State
from communet.lab.topology import MGMT_BRIDGE, MGMT_IF, Topology


def mgmt_root_link(node_index: int) -> str:
    return f"{PREFIX}m{node_index}"


def check_management(topo: Topology) -> None:
    """Refuse when the management prefix overlaps a route of the root namespace."""
    prefix = IPNetwork(topo.mgmt_prefix)
    for route in ip_json("-4", "route", "show", "table", "all"):
        dst = route.get("dst", "")
        if dst in ("default", "") or route.get("type") in ("local", "broadcast", "multicast"):
            continue
        try:
            net = IPNetwork(dst)
        except ValueError:
            continue
        if net in prefix or prefix in net:
            raise LabError(
                f"the management prefix {prefix} (inventory/syndicate.yml: pools.management_v4) overlaps the "
                f"route {net} on {route.get('dev', '?')} of this machine\n    hint: pick a management_v4 pool "
                "unused on this machine, so lab traffic stays inside the lab"
            )


def check_free(topo: Topology) -> None:
    """Refuse to touch a namespace or link of the same name that the lab did not make."""
    taken = namespaces() & {n.netns for n in topo.nodes}
    if taken:
        raise LabError(
            f"namespaces already exist: {', '.join(sorted(taken))}\n"
            "    hint: `communet lab down` removes a lab's leftovers; others are not ours to remove"
        )


def create_namespaces(state: State, topo: Topology) -> None:
    """Each namespace recorded before it is made, and its identity right after."""
    for node in topo.nodes:
        state.record(Entry("netns", node.netns))
        ip("netns", "add", node.netns)
        state.record(Entry("netns-id", node.netns, ident=netns_ident(node.netns)))


def record_link_idents(state: State, names: list[str]) -> None:
    present = link_idents()
    for name in names:
        if name in present:
            state.record(Entry("link-id", name, ident=present[name]))


def create_links(state: State, topo: Topology) -> None:
    """Every veth straight into its two namespaces, named as the intent names the ports."""
    lines = []
    for link in topo.links:
        a, b = topo.node(link.a.node), topo.node(link.b.node)
        lines.append(f"link add {link.a.ifname} netns {a.netns} type veth peer name {link.b.ifname} netns {b.netns}")
    ip_batch(None, lines)


def create_management(state: State, topo: Topology) -> dict[str, str]:
    """Root bridge with the station address; a veth into each managed node. Returns node -> root link."""
    state.record(Entry("link", MGMT_BRIDGE))
    ip("link", "add", MGMT_BRIDGE, "type", "bridge")
    record_link_idents(state, [MGMT_BRIDGE])
    ip("addr", "add", topo.station, "dev", MGMT_BRIDGE)
    ends: dict[str, str] = {}
    for index, node in enumerate(n for n in topo.nodes if n.mgmt):
        name = mgmt_root_link(index)
        state.record(Entry("link", name, node=node.name))
        ends[node.name] = name
    ip_batch(
        None,
        [f"link add {ends[n.name]} type veth peer name {MGMT_IF} netns {n.netns}" for n in topo.nodes if n.mgmt]
        + [f"link set {end} master {MGMT_BRIDGE} up" for end in ends.values()]
        + [f"link set {MGMT_BRIDGE} up"],
    )
    record_link_idents(state, list(ends.values()))
    return ends


def configure_namespaces(topo: Topology) -> None:
    """Bridges, bridge ports, addresses, default routes, links up: one ``ip -batch`` per namespace."""
    per_ns: dict[str, list[str]] = defaultdict(list)
    for node_name, bridge in topo.bridges:
        per_ns[topo.node(node_name).netns].append(f"link add {bridge} type bridge")
    for link in topo.links:
        for end in (link.a, link.b):
            if end.bridge:
                per_ns[topo.node(end.node).netns].append(f"link set {end.ifname} master {end.bridge}")
    for addr in topo.addresses:
        nodad = " nodad" if IPAddress(addr.cidr.split("/")[0]).version == 6 else ""
        per_ns[topo.node(addr.node).netns].append(f"addr add {addr.cidr} dev {addr.ifname}{nodad}")
    for node in topo.nodes:
        lines = per_ns[node.netns]
        lines.append("link set lo up")
        if node.mgmt:
            lines += [f"addr add {node.mgmt} dev {MGMT_IF}", f"link set {MGMT_IF} up"]
        lines += [f"link set {link.a.ifname} up" for link in topo.links if link.a.node == node.name]
        lines += [f"link set {link.b.ifname} up" for link in topo.links if link.b.node == node.name]
        lines += [f"link set {bridge} up" for n, bridge in topo.bridges if n == node.name]
    for route in topo.routes:
        default = IPNetwork((0, 0), version=IPAddress(route.via).version)
        per_ns[topo.node(route.node).netns].append(f"route add {default} via {route.via}")
    for netns, lines in per_ns.items():
        ip_batch(netns, lines)
