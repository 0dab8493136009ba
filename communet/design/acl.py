"""Stateless ACL entries for platforms without conntrack (IOS-XE ACLs, JunOS firewall filters).

The same policy as the nftables ruleset, as the first-match list a segment's ingress
filter applies: the role's permitted destinations (with its ports), then, for the
internet, a deny of our own space and a permit of the rest, then deny. Without state,
replies to flows others start towards the segment pass as TCP ``established``, ICMP
errors and echo replies, and (for a role restricted to telephony ports) from those ports.
"""

from __future__ import annotations

from dataclasses import dataclass

from communet.design.firewall_intent import FlowRule, Ports
from communet.design.intent import Family


@dataclass(frozen=True, slots=True)
class AclEntry:
    action: str  # permit or deny
    protocol: str  # ip, tcp, udp, icmp
    source: str | None  # prefix; None: any
    destination: str | None
    dst_ports: Ports | None = None
    src_ports: Ports | None = None
    established: bool = False
    remark: str = ""
    icmp_type: str | None = None  # neighbor-solicit, neighbor-advert, router-solicit (IPv6 neighbour discovery)
    group: str | None = None  # destinations: this object-group (IOS-XE) or prefix-list (JunOS), not ``destination``


#: IPv6 neighbour discovery a segment's hosts send from link-local sources: always let in.
ND_TYPES = ("neighbor-solicit", "neighbor-advert", "router-solicit")
#: ICMP a segment's hosts send in reply (to pings and as errors), without state.
REPLY_TYPES = ("echo-reply", "unreachable", "time-exceeded", "packet-too-big")


def policy_entries(prefix: str, rules: tuple[FlowRule, ...], family: Family) -> list[AclEntry]:
    """One entry per class and port: a class of several destinations is its group (the rule's
    ``group``), so the list does not grow with the number of towns."""
    out = []
    for rule in rules:
        if rule.family != family or rule.outside:
            continue
        for dst in (None,) if rule.grouped else rule.members():
            for port in rule.ports or (None,):
                proto = port.protocol if port else "ip"
                group = rule.group if rule.grouped else None
                out.append(AclEntry("permit", proto, prefix, dst, port, remark=rule.comment, group=group))
    return out


def reply_entries(prefix: str, rules: tuple[FlowRule, ...]) -> list[AclEntry]:
    ports = {p for r in rules for p in r.ports}
    out = [
        AclEntry("permit", "tcp", prefix, None, established=True, remark="replies: TCP established"),
    ]
    out += [AclEntry("permit", "icmp", prefix, None, icmp_type=t, remark="replies: ICMP") for t in REPLY_TYPES]
    out += [
        AclEntry("permit", p.protocol, prefix, None, src_ports=p, remark="replies from its own services")
        for p in sorted(ports, key=lambda p: (p.protocol, p.first))
    ]
    return out


def internet_entries(prefix: str, rules: tuple[FlowRule, ...], family: Family, ours: tuple[str, ...]) -> list[AclEntry]:
    outside = [r for r in rules if r.family == family and r.outside]
    if not outside:
        return []
    out = [AclEntry("deny", "ip", None, o, remark="our own space is not the internet") for o in ours]
    for rule in outside:
        for port in rule.ports or (None,):
            out.append(AclEntry("permit", port.protocol if port else "ip", prefix, None, port, remark=rule.comment))
    return out


def segment_acl(
    prefix: str, rules: tuple[FlowRule, ...], family: Family, ours: tuple[str, ...]
) -> tuple[AclEntry, ...]:
    """The ingress ACL of a segment ``prefix`` (one family), ending in an explicit deny."""
    nd = [AclEntry("permit", "icmp", None, None, icmp_type=t, remark="neighbour discovery") for t in ND_TYPES]
    replies = [e for e in reply_entries(prefix, rules) if family == "ipv6" or e.icmp_type != "packet-too-big"]
    return (
        *(nd if family == "ipv6" else []),
        *policy_entries(prefix, rules, family),
        *replies,
        *internet_entries(prefix, rules, family, ours),
        AclEntry("deny", "ip", None, None, remark="anything else"),
    )
