"""Transit providers and the ``internet`` node in the lab topology (see communet.lab.transit)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from netaddr import IPNetwork

from communet.design.intent import RouterIntent
from communet.lab.topology import Address, End, Link, Node, Route
from communet.lab.transit import INTERNET, TRANSIT_DAEMONS, InternetSide, internet_side
from communet.platforms import platform

if TYPE_CHECKING:
    from communet.lab.topology import _Builder
    from communet.model.uplink import Transit


def add_transit(b: _Builder, transit: Transit, routers: dict[str, RouterIntent]) -> bool:
    """The provider's node and its side of every link to a router of the lab; False when it has none."""
    links = [link for link in transit.links if link.device in routers]
    if not links:
        return False
    b.nodes.append(Node(transit.name, "transit", daemons=TRANSIT_DAEMONS))
    for j, link in enumerate(links):
        port = platform(routers[link.device].platform).port(link.port)
        b.links.append(Link(End(link.device, port), End(transit.name, f"e{j}"), "transit"))
        for ours, theirs in ((link.v4, link.peer_v4), (link.v6, link.peer_v6)):
            if ours and theirs:
                b.addresses.append(Address(transit.name, f"e{j}", f"{theirs}/{IPNetwork(ours).prefixlen}"))
    return True


def add_internet(b: _Builder, sides: list[InternetSide]) -> None:
    """One internet node on the first network of each provider; its default route via the first one."""
    b.nodes.append(Node(INTERNET, "internet"))
    for k, side in enumerate(sides):
        b.links.append(Link(End(side.provider, "inet0"), End(INTERNET, f"t{k}"), "internet"))
        for version, prefix in ((4, side.prefix_v4), (6, side.prefix_v6)):
            if prefix:
                length = IPNetwork(prefix).prefixlen
                b.addresses += [
                    Address(side.provider, "inet0", f"{side.gateway(version)}/{length}"),
                    Address(INTERNET, f"t{k}", f"{side.internet(version)}/{length}"),
                ]
    b.routes += [Route(INTERNET, gw) for gw in (sides[0].gateway(4), sides[0].gateway(6)) if gw]


def add_uplink(b: _Builder, routers: dict[str, RouterIntent]) -> None:
    sides = [internet_side(t) for t in b.net.datacenter.transit if add_transit(b, t, routers)]
    sides = [s for s in sides if s.prefix_v4 or s.prefix_v6]
    if sides:
        add_internet(b, sides)
