"""The per-router firewall intent: typed data the nftables, IOS-XE and JunOS templates render.

Stateful everywhere it can be (conntrack on Linux): replies to allowed flows pass, and a
rule here only ever describes a flow that may *start*.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from netaddr import IPAddress

from communet.design.intent import Family, QosClass

if TYPE_CHECKING:
    from communet.design.acl import AclEntry


@dataclass(frozen=True, slots=True)
class Ports:
    """``protocol`` ports ``first``..``last`` (one port when equal)."""

    protocol: str  # "tcp" or "udp"
    first: int
    last: int


@dataclass(frozen=True, slots=True)
class Spread:
    """Members at one place of many site blocks: a destination class spread over the towns.

    An address is a member when it lies in one of ``blocks`` and its bits under ``mask``
    equal ``offset``: the site blocks of consecutive site ids collapse into a few
    prefixes, so a router's rule does not grow with the number of towns (nftables
    matches it as it is). :meth:`members` lists the members one by one, for the
    platforms that take a list (an IOS-XE object-group, a JunOS prefix-list).
    """

    blocks: tuple[str, ...]  # whole site blocks (collapsed) that hold one member each
    block_len: int  # a site block's prefix length
    prefixlen: int  # a member's prefix length
    offset: str  # a member's place in its block, as an address (0.0.2.10: host 10 of slot 2)
    mask: str  # the bits of that place (0.0.15.255 for a /32 in a /20 block)

    @property
    def version(self) -> int:
        return 6 if ":" in self.offset else 4

    def members(self) -> Iterator[str]:
        return spread_members(self.blocks, self.block_len, self.prefixlen, self.offset)


def spread_members(blocks: Iterable[str], block_len: int, prefixlen: int, offset: str) -> Iterator[str]:
    """A spread's members one by one, in address order (see :class:`Spread`)."""
    version = 6 if ":" in offset else 4
    width = 32 if version == 4 else 128
    size = 1 << (width - block_len)
    place = int(IPAddress(offset, version))
    for block in blocks:
        text, _, length = block.partition("/")
        first = int(IPAddress(text, version))
        for start in range(first, first + (1 << (width - int(length))), size):
            yield f"{IPAddress(start + place, version)}/{prefixlen}"


def is_grouped(group: str, outside: bool, spread: object, destinations: Sequence[str]) -> bool:
    """A rule's destinations are one object on platforms with address groups: several, or a spread."""
    return bool(group) and not outside and (spread is not None or len(destinations) > 1)


def _field(obj: Any, name: str) -> Any:
    """A field of an intent object or of its dict form (what Ansible and Nornir hand the templates)."""
    return obj[name] if isinstance(obj, dict) else getattr(obj, name)


def address_groups(seg: Any, family: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The destination groups a segment filter's ACL names (IOS-XE object-groups, JunOS prefix-lists),
    each with its members listed; ``seg`` is a :class:`SegmentFilter` or its dict form."""
    out = []
    for rule in _field(seg, "from_segment"):
        group, spread, listed = _field(rule, "group"), _field(rule, "spread"), tuple(_field(rule, "destinations"))
        if _field(rule, "family") != family or not is_grouped(group, _field(rule, "outside"), spread, listed):
            continue
        keys = ("blocks", "block_len", "prefixlen", "offset")
        spread_list = tuple(spread_members(*(_field(spread, k) for k in keys))) if spread is not None else ()
        out.append((group, listed + spread_list))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class FlowRule:
    """Flows that may start: from ``sources`` to ``destinations`` and ``spread`` (both empty: any),
    on ``ports`` (empty: any).

    ``outside`` turns the destinations into "anything but these" (the internet: not our space).
    """

    comment: str
    family: Family
    sources: tuple[str, ...] = ()
    destinations: tuple[str, ...] = ()
    outside: bool = False
    ports: tuple[Ports, ...] = ()
    what: str = ""  # the destination class it stands for (segment policy rules)
    spread: Spread | None = None  # more destinations: one member in each of many site blocks
    group: str = ""  # the name of its destinations as one object (IOS-XE object-group, JunOS prefix-list)

    @property
    def grouped(self) -> bool:
        """Its destinations are one object on platforms with address groups (several, or a spread)."""
        return is_grouped(self.group, self.outside, self.spread, self.destinations)

    def members(self) -> tuple[str, ...]:
        """Every destination prefix, the spread's listed one by one (grows with the towns: vendor lists only)."""
        return self.destinations + (tuple(self.spread.members()) if self.spread else ())


@dataclass(frozen=True, slots=True)
class SegmentFilter:
    """One segment interface of this router: what may leave it, what may enter it, uRPF."""

    interface: str
    role: str
    prefix_v4: str
    prefix_v6: str
    from_segment: tuple[FlowRule, ...]  # flows its hosts may start (the role's policy)
    to_segment: tuple[FlowRule, ...]  # flows others may start towards it
    urpf: bool  # strict reverse-path check of its sources
    name: str = ""  # the ingress filter's name on platforms with named ACLs or filters
    acl_v4: tuple[AclEntry, ...] = ()  # the same policy, stateless (IOS-XE, JunOS)
    acl_v6: tuple[AclEntry, ...] = ()
    marking: tuple[QosClass, ...] = ()  # DSCP marks a JunOS filter sets before the policy (telephony)

    def groups(self, family: Family) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """The destination groups its ACL names (IOS-XE object-groups, JunOS prefix-lists), members listed."""
        return address_groups(self, family)


@dataclass(frozen=True, slots=True)
class Protection:
    """What the router itself accepts, beyond replies: its control and management planes."""

    management_interface: str
    management_v4: tuple[str, ...]  # SSH and SNMP from here
    management_extra: tuple[FlowRule, ...]  # segments whose role reaches router_management
    infrastructure_v4: tuple[str, ...]  # loopbacks and spans: ping
    infrastructure_v6: tuple[str, ...]
    span_interfaces: tuple[str, ...]  # OSPF and BFD only here
    bgp_v4: tuple[str, ...]  # configured neighbours only
    bgp_v6: tuple[str, ...]
    ssh_port: int
    snmp_port: int
    bgp_port: int
    bfd_ports: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Firewall:
    table: str
    ours_v4: tuple[str, ...]  # the syndicate's own space: not the internet
    ours_v6: tuple[str, ...]
    segments: tuple[SegmentFilter, ...]
    protection: Protection
    urpf_interfaces: tuple[str, ...]  # segments whose sources get the strict reverse-path check
