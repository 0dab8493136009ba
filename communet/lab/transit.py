"""The lab's internet: a node per transit provider (FRR) and one ``internet`` node behind them.

Derived from ``datacenter.yml``'s transit providers: each provider's node holds the
provider's side of every transit link and sends our edges the default route (and its own
networks). The ``internet`` node sits on the first network of each provider (IPv4 and
IPv6), outside everything the syndicate uses, and answers ping and a TCP port that tells
the caller which source address it saw (so a NAT check reads the translated address).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from netaddr import IPNetwork

from communet import addressing as ad
from communet.lab.netns import enter, spawn
from communet.lab.secrets import lab_secret
from communet.lab.session_timers import CONNECT_RETRY_S
from communet.lab.state import State
from communet.lab.templates import render
from communet.model.network import Network
from communet.model.uplink import Transit

INTERNET = "internet"
#: The TCP port the internet node answers on (it replies with the source address it saw).
WHOAMI_PORT = 80
TRANSIT_DAEMONS = ("zebra", "bgpd")


@dataclass(frozen=True, slots=True)
class TransitNeighbor:
    address: str  # our edge's address on the link
    family: str
    description: str
    password: str | None


@dataclass(frozen=True, slots=True)
class TransitConfig:
    hostname: str
    asn: int
    peer_as: int
    router_id: str | None  # an IPv4 address of the provider, when it has one
    log: str
    connect_retry: int
    neighbors: tuple[TransitNeighbor, ...]
    networks_v4: tuple[str, ...]
    networks_v6: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class InternetSide:
    """Where the internet node sits behind one provider: the provider's gateway and the node's address."""

    provider: str
    prefix_v4: str | None  # the LAN (host 1 is the provider, the last host the internet node)
    prefix_v6: str | None

    def gateway(self, version: int) -> str | None:
        prefix = self.prefix_v4 if version == 4 else self.prefix_v6
        return str(ad.host(prefix, 1)) if prefix else None

    def internet(self, version: int) -> str | None:
        prefix = self.prefix_v4 if version == 4 else self.prefix_v6
        return str(ad.host(prefix, _last_host(IPNetwork(prefix)))) if prefix else None


def _last_host(net: IPNetwork) -> int:
    return net.size - 2 if net.version == 4 else min(net.size - 1, 0xFFFF)


def internet_side(transit: Transit) -> InternetSide:
    """The first IPv4 network and the first /64 of the first IPv6 network the provider declares."""
    v4 = next((p for p in transit.prefixes if IPNetwork(p).version == 4), None)
    v6 = next((p for p in transit.prefixes if IPNetwork(p).version == 6), None)
    lan6 = str(ad.nth_subnet(v6, max(64, IPNetwork(v6).prefixlen), 0)) if v6 else None
    return InternetSide(transit.name, v4, lan6)


def internet_addresses(net: Network) -> dict[int, list[str]]:
    """The internet node's addresses by IP version (what a town pings to prove its uplink)."""
    out: dict[int, list[str]] = {4: [], 6: []}
    for transit in net.datacenter.transit:
        side = internet_side(transit)
        for version in (4, 6):
            address = side.internet(version)
            if address:
                out[version].append(address)
    return out


def _password(transit: Transit) -> str | None:
    return lab_secret(transit.password_secret) if transit.password_secret else None


def transit_config(net: Network, transit: Transit, log: str) -> TransitConfig:
    neighbors = [
        TransitNeighbor(str(IPNetwork(ours).ip), family, link.device, _password(transit))
        for link in transit.links
        for family, ours in (("ipv4", link.v4), ("ipv6", link.v6))
        if ours
    ]
    side = internet_side(transit)
    router_id = next((link.peer_v4 for link in transit.links if link.peer_v4), None) or side.gateway(4)
    return TransitConfig(
        hostname=transit.name,
        asn=transit.asn,
        peer_as=net.syndicate.asn,
        router_id=router_id,
        log=log,
        connect_retry=CONNECT_RETRY_S,
        neighbors=tuple(neighbors),
        networks_v4=tuple(p for p in transit.prefixes if IPNetwork(p).version == 4),
        networks_v6=tuple(p for p in transit.prefixes if IPNetwork(p).version == 6),
    )


def render_transit(config: TransitConfig) -> str:
    return render("transit.conf.j2", transit=config)


def provider_config(net: Network, name: str, log: str) -> str:
    """The FRR config of the transit provider node ``name``."""
    return render_transit(transit_config(net, next(t for t in net.datacenter.transit if t.name == name), log))


def start_whoami(state: State, holder: int, log: Path) -> int:
    """The internet node's TCP listener (``python -m communet.lab.whoami``), inside its namespaces."""
    cmd = enter(holder, [sys.executable, "-m", "communet.lab.whoami", str(WHOAMI_PORT)])
    return spawn(state, INTERNET, "whoami", cmd, log)
