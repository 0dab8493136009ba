"""The other IX member (FRR): its sessions and what it announces, derived from the model.

Besides its registered prefixes it announces what our edge must reject: a prefix it
never registered (in a family with nothing registered too), a bogon, a more-specific
of our own aggregate, the default route and a too-specific prefix, in both families.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from netaddr import IPAddress, IPNetwork

from communet.lab.secrets import lab_secret
from communet.lab.session_timers import CONNECT_RETRY_S, HOLD_S, KEEPALIVE_S
from communet.lab.templates import render
from communet.model.ix import IxNeighbor, Peer
from communet.model.network import Network


@dataclass(frozen=True, slots=True)
class Announced:
    prefix: str
    why: str


@dataclass(frozen=True, slots=True)
class MemberNeighbor:
    address: str
    remote_as: int
    description: str
    family: Literal["ipv4", "ipv6"]
    password: str | None = None
    ttl_security_hops: int | None = None
    enforce_first_as: bool = True


@dataclass(frozen=True, slots=True)
class MemberConfig:
    hostname: str
    asn: int
    router_id: str
    log: str
    connect_retry: int
    neighbors: tuple[MemberNeighbor, ...]
    networks_v4: tuple[Announced, ...]
    networks_v6: tuple[Announced, ...]
    keepalive: int = KEEPALIVE_S
    hold: int = HOLD_S


def _first_sub(prefix: str, prefixlen: int) -> str:
    net = IPNetwork(prefix)
    return str(IPNetwork((net.first, max(prefixlen, net.prefixlen)), version=net.version))


def announcements(net: Network, peer: Peer, version: int) -> tuple[Announced, ...]:
    syn = net.syndicate
    width = 32 if version == 4 else 128
    maxlen = syn.limits.max_v4_prefixlen if version == 4 else syn.limits.max_v6_prefixlen
    own = [p for p in peer.prefixes if IPNetwork(p).version == version]
    ours = next(a for a in syn.aggregates if IPNetwork(a).version == version)
    bogons = syn.bogons.v4 if version == 4 else syn.bogons.v6
    out = [Announced(p, "registered") for p in own]
    stray = unregistered(net, peer, version)
    if stray:
        out.append(Announced(stray, "not registered: must be rejected"))
    out += [
        Announced(bogons[0], "bogon: must be rejected"),
        Announced(_first_sub(ours, IPNetwork(ours).prefixlen + 1), "more-specific of the syndicate's space: reject"),
        Announced(str(IPNetwork((0, 0), version=version)), "default route: must be rejected"),
    ]
    if own:
        out.append(Announced(_first_sub(own[0], min(maxlen + 1, width)), f"longer than /{maxlen}: reject"))
    return tuple(out)


def unregistered(net: Network, peer: Peer, version: int) -> str | None:
    """A prefix of sane length nobody registered: not the peer's, not ours, no bogon, not the IX LAN.

    Taken next to a registered prefix (or to our aggregate when the family has none).
    """
    syn = net.syndicate
    maxlen = syn.limits.max_v4_prefixlen if version == 4 else syn.limits.max_v6_prefixlen
    taken = [IPNetwork(p) for p in (*peer.prefixes, *syn.aggregates, *syn.bogons.v4, *syn.bogons.v6)]
    taken += [IPNetwork(net.ix.lan_v4), IPNetwork(net.ix.lan_v6)]
    bases = [IPNetwork(p) for p in (*peer.prefixes, *syn.aggregates) if IPNetwork(p).version == version]
    for base in bases:
        size = min(base.prefixlen, maxlen)
        start = IPNetwork((base.first, size), version=version).cidr
        for step in range(1, 64):
            value = start.value + step * start.size
            if value + start.size - 1 >= (1 << (32 if version == 4 else 128)):
                break
            candidate = IPNetwork((value, size), version=version)
            if not any(t.version == version and (candidate in t or t in candidate) for t in taken):
                return str(candidate)
    return None


def password(peer: Peer) -> str | None:
    """The session password: the environment's when set, else a lab secret deploy also reads."""
    if not peer.password_secret:
        return None
    return lab_secret(peer.password_secret)


def member_config(net: Network, peer: Peer, log: str) -> MemberConfig:
    ix = net.ix
    neighbors: list[MemberNeighbor] = []
    families: tuple[tuple[Literal["ipv4", "ipv6"], str], ...] = (("ipv4", "v4"), ("ipv6", "v6"))
    present = {4: peer.v4 is not None, 6: peer.v6 is not None}
    for (family, attr), version in zip(families, (4, 6), strict=True):
        if not present[version]:
            continue
        neighbors += [
            MemberNeighbor(
                getattr(port, attr), net.syndicate.asn, f"{net.syndicate.name} {port.device}", family, password(peer), 1
            )
            for port in ix.edge_ports
        ]
        neighbors += [
            MemberNeighbor(address, rs.asn or 0, rs.name, family, enforce_first_as=False)
            for rs in ix.route_servers
            if (address := rs.address(version)) is not None
        ]
    return MemberConfig(
        peer.name,
        peer.asn or 0,
        router_id(peer, ix.peers.index(peer)),
        log,
        CONNECT_RETRY_S,
        tuple(neighbors),
        announcements(net, peer, 4) if present[4] else (),
        announcements(net, peer, 6) if present[6] else (),
    )


def router_id(neighbor: IxNeighbor, index: int) -> str:
    """Its IPv4 address, or (present in IPv6 only) a router id from its position: BGP needs one."""
    return neighbor.v4 or str(IPAddress(index + 1, 4))


def render_member(config: MemberConfig) -> str:
    return render("ix-member.conf.j2", member=config)
