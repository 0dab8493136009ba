"""The IX route servers: one BIRD 2 per route server of the model, config generated here.

Clients are the IX members the model knows: us (the edge's IX port) and every
bilateral peer. Each client's routes are filtered: bogons (the model's list), too
short or too specific, first AS not the client's, next hop not the client's, max-prefix.
"""

from __future__ import annotations

from dataclasses import dataclass

from communet.lab.netns import enter, run, spawn
from communet.lab.nodes import node_paths
from communet.lab.state import State
from communet.lab.templates import render
from communet.model.checks import MIN_REGISTERED_LEN
from communet.model.ix import RouteServer
from communet.model.network import Network

CONNECT_RETRY_S = 5
#: Shortest prefix a route server accepts, per IP version.
MIN_LEN = MIN_REGISTERED_LEN


@dataclass(frozen=True, slots=True)
class RsClient:
    protocol: str
    filter: str
    description: str
    channel: str  # ipv4 / ipv6
    net_type: str  # NET_IP4 / NET_IP6
    bogons: str
    local: str
    address: str
    asn: int
    max_prefix: int
    min_len: int
    max_len: int


@dataclass(frozen=True, slots=True)
class RsConfig:
    name: str
    router_id: str
    asn: int
    log: str
    connect_retry: int
    bogons_v4: tuple[str, ...]
    bogons_v6: tuple[str, ...]
    clients: tuple[RsClient, ...]


def _ident(name: str) -> str:
    return name.replace("-", "_")


def rs_config(net: Network, rs: RouteServer, log: str) -> RsConfig:
    syn, ix = net.syndicate, net.ix
    members = [
        (
            syn.name,
            "syndicate",
            syn.asn,
            ix.port.v4,
            ix.port.v6,
            ix.route_servers[0].max_prefix_v4,
            ix.route_servers[0].max_prefix_v6,
        )
    ]
    members += [(p.name, p.name, p.asn or 0, p.v4, p.v6, p.max_prefix_v4, p.max_prefix_v6) for p in ix.peers]
    clients = []
    for description, name, asn, v4, v6, max4, max6 in members:
        for version, address, local, limit, maxlen in (
            (4, v4, rs.v4, max4, syn.limits.max_v4_prefixlen),
            (6, v6, rs.v6, max6, syn.limits.max_v6_prefixlen),
        ):
            ident = f"{_ident(name)}_v{version}"
            clients.append(
                RsClient(
                    protocol=ident,
                    filter=f"from_{ident}",
                    description=description,
                    channel=f"ipv{version}",
                    net_type=f"NET_IP{version}",
                    bogons=f"BOGONS_V{version}",
                    local=local,
                    address=address,
                    asn=asn,
                    max_prefix=limit,
                    min_len=MIN_LEN[version],
                    max_len=maxlen,
                )
            )
    return RsConfig(
        rs.name,
        rs.v4,
        rs.asn or 0,
        log,
        CONNECT_RETRY_S,
        tuple(f"{b}+" for b in syn.bogons.v4),
        tuple(f"{b}+" for b in syn.bogons.v6),
        tuple(clients),
    )


def render_rs(config: RsConfig) -> str:
    return render("bird-rs.conf.j2", rs=config)


def socket_path(state: State, node: str) -> str:
    return str(node_paths(state, node).run / "bird.ctl")


def start(state: State, net: Network, rs: RouteServer, holder: int) -> None:
    paths = node_paths(state, rs.name)
    for directory in (paths.etc, paths.run, paths.log):
        directory.mkdir(parents=True, exist_ok=True)
    conf = paths.etc / "bird.conf"
    conf.write_text(render_rs(rs_config(net, rs, str(paths.log / "bird.log"))), encoding="utf-8")
    run(["bird", "-p", "-c", str(conf)])  # parse only: a clear error before anything starts
    cmd = ["bird", "-f", "-c", str(conf), "-s", socket_path(state, rs.name), "-P", str(paths.run / "bird.pid")]
    spawn(state, rs.name, "bird", enter(holder, cmd), paths.log / "bird.out")


def protocols(state: State, node: str, holder: int) -> dict[str, str]:
    """BGP protocol name -> state info (``Established`` when up)."""
    text = run(enter(holder, ["birdc", "-s", socket_path(state, node), "show", "protocols"]), check=False)
    out = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 6 and parts[1] == "BGP":
            out[parts[0]] = parts[5]
    return out
