"""IX checks on every edge router with an IX port: sessions up, exactly our aggregates announced,
bad routes kept out, max-prefix set."""

from __future__ import annotations

from typing import Any

from netaddr import IPNetwork

from communet.verify import frr_json as fj
from communet.verify.expect import Expectations, Session
from communet.verify.results import NOT_COLLECTED, Check, check

FAMILY = "ix"
AFI = {"ipv4": "ipv4Unicast", "ipv6": "ipv6Unicast"}
TABLE_KEY = {"ipv4": "bgp_v4", "ipv6": "bgp_v6"}


def advertised_key(family: str, address: str) -> str:
    return f"advertised {family} {address}"


def neighbors_of(exp: Expectations, router: str) -> list[Session]:
    """The IX sessions of ``router``."""
    return [s for s in exp.ix_neighbors if s.router == router]


def edge_commands(exp: Expectations, router: str) -> dict[str, str]:
    """An IX edge router's extra commands: its BGP tables and what it sends each IX neighbor."""
    cmds = dict(fj.EDGE_COMMANDS)
    for s in neighbors_of(exp, router):
        cmds[advertised_key(s.family, s.address)] = fj.advertised_command(s.family, s.address)
    return cmds


def sessions(exp: Expectations, router: str, edge: dict[str, Any]) -> list[Check]:
    peers = fj.bgp_peers(edge.get("bgp") or {})
    out = []
    for s in neighbors_of(exp, router):
        p = peers.get(s.address)
        where = f"{s.description} {s.address}"
        out.append(
            check(
                FAMILY,
                f"{s.kind} {s.family} established",
                s.router,
                where,
                p is not None and p.established and p.remote_as == s.remote_as,
                f"{p.state}, AS{p.remote_as}" if p else "not configured",
            )
        )
        configured = p.max_prefix.get(AFI[s.family]) if p else None
        out.append(
            check(
                FAMILY,
                f"{s.kind} {s.family} max-prefix",
                s.router,
                where,
                s.max_prefix is not None and configured == s.max_prefix,
                f"configured {configured}, intent {s.max_prefix}",
            )
        )
    return out


def announced(exp: Expectations, router: str, edge: dict[str, Any]) -> list[Check]:
    out = []
    for s in neighbors_of(exp, router):
        sent = fj.advertised(edge.get(advertised_key(s.family, s.address)) or {})
        want = set(exp.announced[s.family])
        out.append(
            check(
                FAMILY,
                f"announce {s.family} exactly aggregates",
                s.router,
                f"{s.description} {s.address}",
                sent == want,
                f"sent {sorted(sent)}" + (f", want {sorted(want)}" if sent != want else ""),
            )
        )
    return out


def _family(prefix: str) -> str:
    return "ipv4" if IPNetwork(prefix).version == 4 else "ipv6"


def rejected(exp: Expectations, router: str, edge: dict[str, Any], bad: dict[str, str]) -> list[Check]:
    """No route for a bad prefix (what -> prefix) learned by ``router`` from any IX neighbor."""
    ix_addresses = {s.address for s in neighbors_of(exp, router)}
    tables = {"ipv4": fj.bgp_paths(edge.get("bgp_v4") or {}), "ipv6": fj.bgp_paths(edge.get("bgp_v6") or {})}
    out = []
    for what, prefix in bad.items():
        via = sorted(tables[_family(prefix)].get(prefix, set()) & ix_addresses)
        seen = edge.get(TABLE_KEY[_family(prefix)]) is not None  # an absent table proves nothing
        out.append(
            check(
                FAMILY,
                "bad prefix rejected",
                router,
                f"{what} {prefix}",
                seen and not via,
                NOT_COLLECTED
                if not seen
                else f"accepted from {', '.join(via)}"
                if via
                else "not in the table from the IX",
            )
        )
    return out


def accepted(exp: Expectations, router: str, edge: dict[str, Any], good: list[str]) -> list[Check]:
    """What a bilateral peer registered does arrive at ``router`` (the filters are not simply closed)."""
    ix_addresses = {s.address for s in neighbors_of(exp, router)}
    tables = {"ipv4": fj.bgp_paths(edge.get("bgp_v4") or {}), "ipv6": fj.bgp_paths(edge.get("bgp_v6") or {})}
    out = []
    for prefix in good:
        via = sorted(tables[_family(prefix)].get(prefix, set()) & ix_addresses)
        out.append(
            check(
                FAMILY,
                "registered prefix accepted",
                router,
                prefix,
                bool(via),
                f"from {', '.join(via)}" if via else "missing",
            )
        )
    return out


def edge_checks(
    exp: Expectations, router: str, edge: dict[str, Any], bad: dict[str, str], good: list[str]
) -> list[Check]:
    """Every IX check of one edge router, on its collected ``edge`` state."""
    return (
        sessions(exp, router, edge)
        + announced(exp, router, edge)
        + rejected(exp, router, edge, bad)
        + accepted(exp, router, edge, good)
    )


def all_checks(
    exp: Expectations, state: dict[str, dict[str, Any]], bad: dict[str, str], good: list[str]
) -> list[Check]:
    """The IX checks of every edge router on the IX."""
    return [c for router in exp.edges for c in edge_checks(exp, router, state.get(router, {}), bad, good)]
