"""Readers for FRR's ``show ... json`` output: small typed records, tolerant of version drift.

Genie's parsers do not read FRR; FRR prints JSON itself, so these only pick fields.
Field names differ a little between FRR releases (``state`` vs ``nbrState``): each
reader accepts the variants and documents them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

#: The FRR commands a router is asked, keyed by a short name used in snapshots.
COMMANDS: dict[str, str] = {
    "ospf": "show ip ospf neighbor json",
    "ospf6": "show ipv6 ospf6 neighbor json",
    "bfd": "show bfd peers json",
    "bgp": "show bgp neighbors json",
    "routes_v4": "show ip route json",
    "routes_v6": "show ipv6 route json",
}
#: Extra commands for the IX edge router.
EDGE_COMMANDS: dict[str, str] = {
    "bgp_v4": "show bgp ipv4 unicast json",
    "bgp_v6": "show bgp ipv6 unicast json",
}


def advertised_command(family: str, address: str) -> str:
    return f"show bgp {family} unicast neighbors {address} advertised-routes json"


class FrrOutputError(ValueError):
    """A command printed something that is not the JSON expected."""


def loads(command: str, text: str) -> Any:
    """The JSON a command printed; a clear error when it printed something else."""
    try:
        return json.loads(text) if text.strip() else {}
    except json.JSONDecodeError as exc:
        first = text.strip().splitlines()[0] if text.strip() else ""
        raise FrrOutputError(f"{command!r} did not print JSON: {first[:120]!r}") from exc


@dataclass(frozen=True, slots=True)
class OspfNeighbor:
    router_id: str
    interface: str
    state: str  # "Full", "2-Way", ...

    @property
    def full(self) -> bool:
        return self.state.startswith("Full")


def _state(entry: dict[str, Any]) -> str:
    return str(entry.get("converged") or entry.get("nbrState") or entry.get("state") or "").split("/")[0]


def ospf_neighbors(data: dict[str, Any]) -> list[OspfNeighbor]:
    """``show ip ospf neighbor json``: ``{"neighbors": {RID: [{"ifaceName": "eth1:ADDR", ...}]}}``."""
    out = []
    for rid, entries in (data.get("neighbors") or {}).items():
        for e in entries if isinstance(entries, list) else [entries]:
            iface = str(e.get("ifaceName") or e.get("interfaceName") or "").split(":")[0]
            out.append(OspfNeighbor(rid, iface, _state(e)))
    return out


def ospf6_neighbors(data: dict[str, Any]) -> list[OspfNeighbor]:
    """``show ipv6 ospf6 neighbor json``: ``{"neighbors": [{"neighborId", "interfaceName", "state"}]}``."""
    return [
        OspfNeighbor(str(e.get("neighborId", "")), str(e.get("interfaceName", "")), _state(e))
        for e in data.get("neighbors") or []
    ]


@dataclass(frozen=True, slots=True)
class BfdPeer:
    peer: str
    interface: str
    status: str


def bfd_peers(data: Any) -> list[BfdPeer]:
    """``show bfd peers json``: a list of ``{"peer", "interface", "status"}``."""
    items = data if isinstance(data, list) else []
    return [BfdPeer(str(e.get("peer", "")), str(e.get("interface", "")), str(e.get("status", ""))) for e in items]


@dataclass(frozen=True, slots=True)
class BgpPeer:
    address: str
    remote_as: int
    state: str
    max_prefix: dict[str, int]  # address family ("ipv4Unicast") -> configured maximum
    accepted: dict[str, int]

    @property
    def established(self) -> bool:
        return self.state == "Established"


def bgp_peers(data: dict[str, Any]) -> dict[str, BgpPeer]:
    """``show bgp neighbors json``: ``{ADDR: {"remoteAs", "bgpState", "addressFamilyInfo": {...}}}``."""
    out = {}
    for address, e in data.items():
        if not isinstance(e, dict) or "bgpState" not in e:
            continue
        afi = e.get("addressFamilyInfo") or {}
        out[address] = BgpPeer(
            address,
            int(e.get("remoteAs", 0)),
            str(e["bgpState"]),
            {k: int(v["prefixAllowedMax"]) for k, v in afi.items() if "prefixAllowedMax" in v},
            {k: int(v.get("acceptedPrefixCounter", 0)) for k, v in afi.items()},
        )
    return out


def bgp_paths(data: dict[str, Any]) -> dict[str, set[str]]:
    """``show bgp ipv4 unicast json``: prefix -> the peers (``peerId``) a path came from."""
    return {prefix: {str(p.get("peerId", "")) for p in paths} for prefix, paths in (data.get("routes") or {}).items()}


def advertised(data: dict[str, Any]) -> set[str]:
    """``... advertised-routes json``: the prefixes sent to the neighbor."""
    return set(data.get("advertisedRoutes") or {})


def route_prefixes(data: dict[str, Any]) -> set[str]:
    """``show ip route json``: the prefixes in the routing table."""
    return set(data)
