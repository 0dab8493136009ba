"""The other IX member (FRR): its sessions and what it announces, derived from the model.

Besides its registered prefixes it announces what our edge must reject: a bogon, a
more-specific of our own aggregate, the default route and a too-specific prefix, in
both families.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from netaddr import IPNetwork

from communet.lab.secrets import lab_secret
from communet.lab.templates import render
from communet.model.ix import Peer
from communet.model.network import Network

CONNECT_RETRY_S = 5


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
    out += [
        Announced(bogons[0], "bogon: must be rejected"),
        Announced(_first_sub(ours, IPNetwork(ours).prefixlen + 1), "more-specific of the syndicate's space: reject"),
        Announced(str(IPNetwork((0, 0), version=version)), "default route: must be rejected"),
    ]
    if own:
        out.append(Announced(_first_sub(own[0], min(maxlen + 1, width)), f"longer than /{maxlen}: reject"))
    return tuple(out)


def password(peer: Peer) -> str | None:
    """The session password: the environment's when set, else a lab secret deploy also reads."""
    if not peer.password_secret:
        return None
    return lab_secret(peer.password_secret)


def member_config(net: Network, peer: Peer, log: str) -> MemberConfig:
    ix = net.ix
    neighbors: list[MemberNeighbor] = []
    families: tuple[tuple[Literal["ipv4", "ipv6"], str], ...] = (("ipv4", "v4"), ("ipv6", "v6"))
    for family, attr in families:
        neighbors.append(
            MemberNeighbor(getattr(ix.port, attr), net.syndicate.asn, net.syndicate.name, family, password(peer), 1)
        )
        neighbors += [
            MemberNeighbor(
                getattr(rs, attr),
                rs.asn or 0,
                rs.name,
                family,
                enforce_first_as=False,
            )
            for rs in ix.route_servers
        ]
    return MemberConfig(
        peer.name,
        peer.asn or 0,
        peer.v4,
        log,
        CONNECT_RETRY_S,
        tuple(neighbors),
        announcements(net, peer, 4),
        announcements(net, peer, 6),
    )


def render_member(config: MemberConfig) -> str:
    return render("ix-member.conf.j2", member=config)
