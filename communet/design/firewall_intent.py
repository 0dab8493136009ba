"""The per-router firewall intent: typed data the nftables, IOS-XE and JunOS templates render.

Stateful everywhere it can be (conntrack on Linux): replies to allowed flows pass, and a
rule here only ever describes a flow that may *start*.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

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
class FlowRule:
    """Flows that may start: from ``sources`` to ``destinations`` (empty: any), on ``ports`` (empty: any).

    ``outside`` turns the destinations into "anything but these" (the internet: not our space).
    """

    comment: str
    family: Family
    sources: tuple[str, ...] = ()
    destinations: tuple[str, ...] = ()
    outside: bool = False
    ports: tuple[Ports, ...] = ()
    what: str = ""  # the destination class it stands for (segment policy rules)


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
