"""Router protection in the lab, with real packets: a router's BGP port answers its configured
neighbours and no other router, its SSH no router at all, and without its ruleset the same
probes get through (the check can fail)."""

from __future__ import annotations

import sys
from typing import Any

import pytest

from communet import ROOT
from communet.design import RouterIntent, build_design
from communet.lab.firewall import NFT_FILE
from communet.lab.nodes import node_paths
from communet.model.load import load_network

NET = load_network(ROOT / "inventory")
ROUTERS = {h: i for h, i in build_design(NET).items() if isinstance(i, RouterIntent)}
BGP_PORT, SSH_PORT = 179, 22
FAMILIES = ("ipv4", "ipv6")
pytestmark = pytest.mark.lab

#: A TCP connect from a chosen source address, run inside the node: answered, refused or silent (dropped).
CONNECT = """
import socket, sys
src, dst, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
s = socket.socket(socket.AF_INET6 if ":" in dst else socket.AF_INET)
s.settimeout(2)
s.bind((src, 0))
try:
    s.connect((dst, port))
    print("answered")
except TimeoutError:
    print("silent")
except OSError:
    print("refused")
"""


def connect(lab: Any, node: str, src: str, dst: str, port: int) -> str:
    proc = lab.run(node, [sys.executable, "-I", "-c", CONNECT, src, dst, str(port)], timeout=20)
    return proc.stdout.strip() or f"no result ({proc.stderr.strip()[:80]})"


def loopback(intent: RouterIntent, family: str) -> str:
    return intent.loopback_v4 if family == "ipv4" else intent.loopback_v6


def cast() -> tuple[RouterIntent, RouterIntent, RouterIntent]:
    """A town router, one of its BGP neighbours, and a router that is not one."""
    town = next(i for i in ROUTERS.values() if i.role == "town")
    peers = {n.address for n in town.bgp.neighbors}
    neighbour = next(i for i in ROUTERS.values() if i.loopback_v4 in peers)
    stranger = next(i for i in ROUTERS.values() if i is not town and i.loopback_v4 not in peers)
    return town, neighbour, stranger


@pytest.mark.parametrize("family", FAMILIES)
def test_lab_bgp_port_answers_configured_neighbours_only(lab_ctx: Any, family: str) -> None:
    town, neighbour, stranger = cast()
    lab, dst = lab_ctx.lab, loopback(town, family)
    assert connect(lab, neighbour.hostname, loopback(neighbour, family), dst, BGP_PORT) == "answered"
    assert connect(lab, stranger.hostname, loopback(stranger, family), dst, BGP_PORT) == "silent"
    assert connect(lab, neighbour.hostname, loopback(neighbour, family), dst, SSH_PORT) == "silent"


def test_lab_without_its_ruleset_the_router_answers_anyone(lab_ctx: Any) -> None:
    town, _, stranger = cast()
    lab = lab_ctx.lab
    assert lab.run(town.hostname, ["nft", "delete", "table", "inet", "communet"]).returncode == 0
    try:
        got = connect(lab, stranger.hostname, stranger.loopback_v4, town.loopback_v4, BGP_PORT)
    finally:
        path = node_paths(lab.state, town.hostname).etc / NFT_FILE
        assert lab.run(town.hostname, ["nft", "-f", str(path)]).returncode == 0
    assert got == "answered"
