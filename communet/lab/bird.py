"""The IX route servers: one BIRD 2 per route server of the model, config generated here.

Clients are the IX members the model knows: us (each edge router's IX port) and every
bilateral peer. Each client's routes are filtered as an IX's route server filters
them from the registry: only what the client registered (our aggregates, a peer's
``prefixes``; nothing in a family with nothing registered), no bogons (the model's
list), not too short or too specific, first AS and next hop the client's, max-prefix.
A route server with ``password_secret`` keys its session with us with that secret
(the lab's value, the one our edge is rendered with), so the file is private (0600).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from netaddr import IPNetwork

from communet.lab.member import router_id
from communet.lab.netns import LabError, enter, run, spawn
from communet.lab.nodes import node_paths
from communet.lab.secrets import lab_secret
from communet.lab.session_timers import CONNECT_DELAY_S, CONNECT_RETRY_S, ERROR_WAIT_S, HOLD_S, KEEPALIVE_S
from communet.lab.state import State
from communet.lab.templates import render
from communet.model.checks import MIN_REGISTERED_LEN
from communet.model.ix import RouteServer
from communet.model.network import Network
from communet.model.text import bad_character

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
    registered: tuple[str, ...] = ()  # BIRD prefix patterns, e.g. 203.0.113.0/24{24,24}
    password: str | None = None


@dataclass(frozen=True, slots=True)
class RsConfig:
    name: str
    router_id: str
    asn: int
    log: str
    connect_retry: int
    connect_delay: int
    error_wait: tuple[int, int]
    keepalive: int
    hold: int
    bogons_v4: tuple[str, ...]
    bogons_v6: tuple[str, ...]
    clients: tuple[RsClient, ...]


def _ident(name: str) -> str:
    return name.replace("-", "_")


def rs_config(net: Network, rs: RouteServer, log: str) -> RsConfig:
    syn, ix = net.syndicate, net.ix
    ours = password(rs)
    members: list[tuple[str, str, int, str | None, str | None, int, int, list[str], str | None]] = [
        (
            f"{syn.name} {port.device}",
            f"syndicate_{_ident(port.device)}",
            syn.asn,
            port.v4,
            port.v6,
            ix.route_servers[0].max_prefix_v4,
            ix.route_servers[0].max_prefix_v6,
            [str(a) for a in syn.aggregates],
            ours,
        )
        for port in ix.edge_ports
    ]
    members += [
        (p.name, p.name, p.asn or 0, p.v4, p.v6, p.max_prefix_v4, p.max_prefix_v6, [str(x) for x in p.prefixes], None)
        for p in ix.peers
    ]
    clients = []
    for description, name, asn, v4, v6, max4, max6, prefixes, key in members:
        for version, address, local, limit, maxlen in (
            (4, v4, rs.v4, max4, syn.limits.max_v4_prefixlen),  # None: not present in that family
            (6, v6, rs.v6, max6, syn.limits.max_v6_prefixlen),
        ):
            if address is None or local is None:
                continue  # a member or route server without this family has no session in it
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
                    registered=registry_patterns(prefixes, version, maxlen),
                    password=key,
                )
            )
    return RsConfig(
        rs.name,
        router_id(rs, net.ix.route_servers.index(rs)),
        rs.asn or 0,
        log,
        CONNECT_RETRY_S,
        CONNECT_DELAY_S,
        ERROR_WAIT_S,
        KEEPALIVE_S,
        HOLD_S,
        tuple(f"{b}+" for b in syn.bogons.v4),
        tuple(f"{b}+" for b in syn.bogons.v6),
        tuple(clients),
    )


def registry_patterns(prefixes: list[str], version: int, maxlen: int) -> tuple[str, ...]:
    """BIRD prefix patterns accepting what was registered, up to ``maxlen`` as the edge's lists do.

    >>> registry_patterns(["203.0.113.0/24", "3fff:100::/40"], 6, 48)
    ('3fff:100::/40{40,48}',)
    """
    nets = [IPNetwork(p) for p in prefixes if IPNetwork(p).version == version]
    return tuple(f"{n.cidr}{{{n.prefixlen},{max(n.prefixlen, maxlen)}}}" for n in nets)


def password(rs: RouteServer) -> str | None:
    """The session key our edge and this route server share (the lab's value of ``password_secret``)."""
    if not rs.password_secret:
        return None
    value = lab_secret(rs.password_secret)
    if bad_character(value) or not value:
        raise LabError(f"{rs.password_secret} holds a character BIRD cannot quote (a quote, backslash or control)")
    return value


def render_rs(config: RsConfig) -> str:
    return render("bird-rs.conf.j2", rs=config)


def socket_path(state: State, node: str) -> str:
    return str(node_paths(state, node).run / "bird.ctl")


def start(state: State, net: Network, rs: RouteServer, holder: int) -> None:
    paths = node_paths(state, rs.name)
    for directory in (paths.etc, paths.run, paths.log):
        directory.mkdir(parents=True, exist_ok=True)
    conf = paths.etc / "bird.conf"
    fd = os.open(conf, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # may hold a session key
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(render_rs(rs_config(net, rs, str(paths.log / "bird.log"))))
    conf.chmod(0o600)
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
