"""Backbone checks: OSPF adjacencies (v2, v3), BFD, iBGP, and town-to-town reachability."""

from __future__ import annotations

from typing import Any

from netaddr import IPAddress

from communet.verify import frr_json as fj
from communet.verify.expect import Expectations
from communet.verify.results import NOT_COLLECTED, Check, check

State = dict[str, dict[str, Any]]  # router -> command key -> JSON
FAMILY = "backbone"


def ospf(exp: Expectations, state: State) -> list[Check]:
    """Every expected adjacency Full on its interface, in OSPFv2 and OSPFv3; nothing else."""
    out = []
    for router in exp.routers:
        expected = {(a.peer_router_id, a.interface): a for a in exp.adjacencies_of(router)}
        for key, reader, label in (("ospf", fj.ospf_neighbors, "ospf"), ("ospf6", fj.ospf6_neighbors, "ospf6")):
            collected = state.get(router, {}).get(key) is not None
            seen = {(n.router_id, n.interface): n for n in reader(state.get(router, {}).get(key) or {})}
            for (rid, iface), adj in sorted(expected.items()):
                n = seen.get((rid, iface))
                out.append(
                    check(
                        FAMILY,
                        f"{label} adjacency",
                        router,
                        f"{adj.peer} on {iface}",
                        n is not None and n.full,
                        n.state if n else "no neighbor",
                    )
                )
            extra = sorted(
                f"{rid} on {iface} ({n.state})"
                for (rid, iface), n in seen.items()
                if (rid, iface) not in expected and not _stale(n)
            )
            out.append(
                check(
                    FAMILY,
                    f"{label} no unexpected neighbor",
                    router,
                    "all interfaces",
                    collected and not extra,
                    NOT_COLLECTED if not collected else ", ".join(extra) or f"{len(seen)} neighbor(s), all expected",
                )
            )
    return out


def _stale(n: fj.OspfNeighbor) -> bool:
    """A neighbor with no router id that is not Full: the leftover of a hello sent before the
    router id was configured (FRR keeps it until its dead timer runs out). Not a real adjacency."""
    return not n.full and not any(int(part) for part in n.router_id.split(".") if part.isdigit())


def bfd(exp: Expectations, state: State) -> list[Check]:
    """A BFD session up to each span neighbor: its IPv4 address, and one IPv6 (link-local) peer."""
    out = []
    for router in exp.routers:
        peers = fj.bfd_peers(state.get(router, {}).get("bfd") or [])
        for adj in exp.adjacencies_of(router):
            v4 = [p for p in peers if p.peer == adj.peer_v4]
            v6 = [p for p in peers if p.interface == adj.interface and IPAddress(p.peer).version == 6]
            out.append(
                check(
                    FAMILY,
                    "bfd ipv4",
                    router,
                    f"{adj.peer} on {adj.interface}",
                    any(p.status == "up" for p in v4),
                    v4[0].status if v4 else "no session",
                )
            )
            out.append(
                check(
                    FAMILY,
                    "bfd ipv6",
                    router,
                    f"{adj.peer} on {adj.interface}",
                    any(p.status == "up" for p in v6),
                    v6[0].status if v6 else "no session",
                )
            )
    return out


def ibgp(exp: Expectations, state: State) -> list[Check]:
    out = []
    for s in exp.sessions:
        if s.kind != "ibgp":
            continue
        peer = fj.bgp_peers(state.get(s.router, {}).get("bgp") or {}).get(s.address)
        out.append(
            check(
                FAMILY,
                f"ibgp {s.family}",
                s.router,
                f"{s.description} {s.address}",
                peer is not None and peer.established,
                peer.state if peer else "not configured",
            )
        )
    return out


Pings = dict[tuple[str, str], bool]  # (source router, address) -> answered


def ping_plan(exp: Expectations) -> dict[str, list[str]]:
    """Source router -> every address of every other town it must reach."""
    return {
        src: sorted({t.address for t in exp.targets if t.router != src}, key=lambda a: (IPAddress(a).version, a))
        for src in exp.sources
    }


def reachability(exp: Expectations, pings: Pings) -> list[Check]:
    out = []
    for src, addresses in ping_plan(exp).items():
        by_addr = {t.address: t for t in exp.targets}
        for address in addresses:
            t = by_addr[address]
            ok = pings.get((src, address))
            out.append(
                check(
                    FAMILY,
                    f"reach ipv{IPAddress(address).version}",
                    src,
                    f"{t.town} {t.what} {address}",
                    bool(ok),
                    "answered" if ok else ("no answer" if ok is False else "not tried"),
                )
            )
    return out


def all_checks(exp: Expectations, state: State, pings: Pings) -> list[Check]:
    return ospf(exp, state) + bfd(exp, state) + ibgp(exp, state) + reachability(exp, pings)
