"""The one list of verify checks: families, and the groups each family is made of.

Everything that names checks reads this table: ``communet verify --family`` (its
choices and its runs), the aetest classes of the scripts in ``verify/`` (one looped
testcase per group, generated from here) and the generated docs (``docs/verify.md``).
A new check family adds its groups here, in the order they should run; nothing else
needs to learn its name.

>>> families()[:2]
('backbone', 'ix')
>>> [g.name for g in of_family("backbone")]
['ospf', 'bfd', 'ibgp', 'reachability']
>>> get("ospf").testcase
'OspfAdjacencies'
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from communet.verify.checks import backbone, ix, policy, resilience, telephony, uplink
from communet.verify.results import Check

if TYPE_CHECKING:
    from communet.verify.run import Context

State = dict[str, dict[str, Any]]  # router -> command key -> JSON, as communet.verify.collect learns it
GroupRun = Callable[["Context", State], list[Check]]


@dataclass(frozen=True, slots=True)
class Group:
    """One group of checks: a family's part that runs (and reports) as one aetest testcase."""

    family: str  # what `communet verify --family` selects
    name: str  # unique over all groups
    testcase: str  # the aetest class name in verify/<family>.py
    summary: str  # one line for the docs
    run: GroupRun
    reads_state: bool = False  # needs the FRR state collected at the start of a run
    needs_lab: bool = False  # active (cuts spans, places calls) or run from inside the lab's nodes


def _pings(ctx: Context) -> backbone.Pings:
    from communet.verify.run import ping_all  # the run module imports this table

    return ping_all(ctx, backbone.ping_plan(ctx.exp))


def _ix(ctx: Context, state: State) -> list[Check]:
    return ix.all_checks(ctx.exp, state, ctx.bad_prefixes, ctx.registered)


GROUPS: tuple[Group, ...] = (
    Group(
        "backbone",
        "ospf",
        "OspfAdjacencies",
        "every expected OSPFv2 and OSPFv3 adjacency Full on its interface, and no other neighbor",
        lambda ctx, st: backbone.ospf(ctx.exp, st),
        reads_state=True,
    ),
    Group(
        "backbone",
        "bfd",
        "BfdSessions",
        "a BFD session up with the peer of every backbone span",
        lambda ctx, st: backbone.bfd(ctx.exp, st),
        reads_state=True,
    ),
    Group(
        "backbone",
        "ibgp",
        "IbgpSessions",
        "every iBGP session to the route reflectors Established",
        lambda ctx, st: backbone.ibgp(ctx.exp, st),
        reads_state=True,
    ),
    Group(
        "backbone",
        "reachability",
        "Reachability",
        "every router pings every other router's loopback, IPv4 and IPv6",
        lambda ctx, _st: backbone.reachability(ctx.exp, _pings(ctx)),
        needs_lab=True,
    ),
    Group(
        "ix",
        "ix",
        "IxPeering",
        "sessions to the route servers and peers up, only our aggregates announced, bad routes kept out",
        _ix,
        reads_state=True,
    ),
    Group(
        "telephony",
        "registrations",
        "Registrations",
        "every phone registers with its town's SIP server",
        lambda ctx, _st: telephony.registrations(ctx),
        needs_lab=True,
    ),
    Group(
        "telephony",
        "calls",
        "Calls",
        "a call between every pair of towns with telephony completes through both SIP servers",
        lambda ctx, _st: telephony.calls(ctx),
        needs_lab=True,
    ),
    Group(
        "policy",
        "flows",
        "FlowMatrix",
        "the flow matrix from the segment policy: each allowed probe answered, each denied one dropped",
        lambda ctx, _st: policy.flows(ctx),
        needs_lab=True,
    ),
    Group(
        "policy",
        "spoofing",
        "Spoofing",
        "pings with another town's source address never reach their target; the genuine ones do",
        lambda ctx, _st: policy.spoofing(ctx),
        needs_lab=True,
    ),
    Group(
        "uplink",
        "transit",
        "TransitSessions",
        "every transit session of every edge router Established",
        lambda ctx, st: uplink.transit_sessions(ctx, st),
        reads_state=True,
    ),
    Group(
        "uplink",
        "default",
        "DefaultRoute",
        "every town router has the default route the edges originate while transit is up, IPv4 and IPv6",
        lambda ctx, _st: uplink.default_routes(ctx),
        needs_lab=True,
    ),
    Group(
        "uplink",
        "nat",
        "Nat44",
        "the internet node sees a town's IPv4 from a NAT pool address and its IPv6 untranslated",
        lambda ctx, _st: uplink.nat_seen(ctx),
        needs_lab=True,
    ),
    Group(
        "uplink",
        "failover",
        "TransitFailover",
        "every transit session shut: towns lose the default and the internet; restored: both back, in bounded time",
        lambda ctx, _st: uplink.failover(ctx),
        needs_lab=True,
    ),
    Group(
        "resilience",
        "resilience",
        "SpanCuts",
        "each ring span cut in turn: every town stays reachable, a call completes; restored, it is Full again",
        lambda ctx, _st: resilience.all_checks(ctx),
        needs_lab=True,
    ),
    Group(
        "resilience",
        "edges",
        "EdgeOutages",
        "each edge router down, then each of its IX and transit ports: towns keep the default and the internet",
        lambda ctx, _st: uplink.edge_outages(ctx),
        needs_lab=True,
    ),
)


def families() -> tuple[str, ...]:
    """Every family, in the order of the table."""
    return tuple(dict.fromkeys(g.family for g in GROUPS))


def of_family(family: str) -> tuple[Group, ...]:
    return tuple(g for g in GROUPS if g.family == family)


def get(name: str) -> Group:
    """The group called ``name``; KeyError names the known ones."""
    for g in GROUPS:
        if g.name == name:
            return g
    raise KeyError(f"no check group {name!r}; known: {', '.join(g.name for g in GROUPS)}")


def reads_state(selected: tuple[str, ...]) -> bool:
    """Whether any group of the ``selected`` families needs the collected FRR state."""
    return any(g.reads_state for g in GROUPS if g.family in selected)


def run_family(family: str, ctx: Context, state: State) -> list[Check]:
    """Every check of ``family``, its groups in order."""
    return [c for g in of_family(family) for c in g.run(ctx, state)]
