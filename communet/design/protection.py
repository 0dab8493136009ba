"""Router protection without conntrack: the control plane's own filter on IOS-XE and JunOS.

FRR routers enforce :class:`~communet.design.firewall_intent.Protection` as the nftables input
chain (stateful: replies to what the router opens pass as ``established``). This module turns the
same ``Protection`` into prefix sets and terms for platforms whose filter has no state, so the
three platforms accept the same traffic:

- SSH and SNMP from the management network (and the roles that declare ``router_management``);
- BGP from configured neighbours only, both directions (their port 179 or ours: without state the
  replies to a session this router opens must be let in by their source port);
- OSPF and BFD only from this router's spans: IPv4 from the span prefixes, IPv6 from link-local
  sources (OSPFv3 and its BFD speak link-local, RFC 5340, which no router forwards), on JunOS also
  matched on the span interfaces;
- ICMP: neighbour discovery, errors (PMTU discovery: unreachable, packet-too-big), echo replies,
  echo requests from routers and management; NTP replies from the configured servers;
- and nothing else (a final discard, counted).

The platforms:

- **JunOS**: ``PROTECT-ROUTER`` (inet) and ``PROTECT-ROUTER-V6`` (inet6) as lo0.0 input filters,
  sources as ``policy-options prefix-list``: the lo0 filter sees everything the routing engine
  receives, which is what Juniper's own PROTECT-RE practice relies on.
- **IOS-XE**: the same terms as an infrastructure ACL pair (``ip access-list extended`` and
  ``ipv6 access-list``) classified by a control-plane policy (CoPP): one class for what is
  permitted, one for every other IP packet punted to the route processor, dropped by a policer
  whose both actions drop (IOS-XE's CoPP takes only ``police`` and ``set``, and ``class-default``
  also carries ARP, which must stay up). CoPP rather than ``ip access-group`` on every interface:
  it sees only what is addressed to the router, so transit and the segment ACLs stay untouched,
  and it covers interfaces added later. The vty lines (``access-class``) and the SNMP group keep
  their own management ACL, so SSH and SNMP are refused even where CoPP is not in the path.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from netaddr import IPNetwork
from netaddr.ip import IPV6_LINK_LOCAL

from communet.design.acl import AclEntry
from communet.design.firewall_intent import Ports, Protection
from communet.design.intent import Family, Interface

FAMILIES: tuple[Family, ...] = ("ipv4", "ipv6")
NAME = "PROTECT-ROUTER"
MANAGEMENT_ACL = "MGMT-ACCESS"
NTP_PORT = 123
#: IOS-XE's drop class: a policer needs a rate; with both actions ``drop`` none passes at any rate.
DROP_POLICER_BPS = 8000
#: Neighbour discovery (RFC 4861): always in, before anything else.
ND_TYPES = ("neighbor-solicit", "neighbor-advert", "router-solicit", "router-advert")
#: ICMP the router takes from anywhere: replies to its own pings and the errors PMTU discovery and
#: traceroute need (IPv6 has packet-too-big of its own; IPv4's is an unreachable).
ICMP_TYPES: dict[Family, tuple[str, ...]] = {
    "ipv4": ("echo-reply", "unreachable", "time-exceeded", "parameter-problem"),
    "ipv6": ("echo-reply", "unreachable", "packet-too-big", "time-exceeded", "parameter-problem"),
}


@dataclass(frozen=True, slots=True)
class PrefixSet:
    """Named sources (a JunOS prefix-list; expanded into one ACL entry per prefix on IOS-XE)."""

    name: str
    family: Family
    prefixes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Term:
    """One kind of traffic the router takes for itself: one protocol, from one prefix set."""

    name: str
    comment: str
    family: Family
    protocol: str  # tcp, udp, icmp, ospf
    sources: str | None = None  # a PrefixSet's name; None: any source
    dst_ports: tuple[int, ...] = ()
    src_ports: tuple[int, ...] = ()
    ports: tuple[int, ...] = ()  # either port: source or destination (BGP, both directions)
    icmp_types: tuple[str, ...] = ()
    interfaces: tuple[str, ...] = ()  # received on these only, where the platform's filter can match it (JunOS)


@dataclass(frozen=True, slots=True)
class ControlPlane:
    """What the router itself accepts, stateless: prefix sets, terms, and the terms as ACL entries."""

    name: str  # filter (JunOS) and ACL, class and policy (IOS-XE) name; IPv6 adds "-V6"
    prefix_sets: tuple[PrefixSet, ...]
    terms: tuple[Term, ...]
    acl_v4: tuple[AclEntry, ...]  # the terms expanded, in order (IOS-XE's permit class)
    acl_v6: tuple[AclEntry, ...]
    management_acl: str  # vty lines and SNMP group (IOS-XE)
    management_v4: tuple[str, ...]  # SSH and SNMP sources
    management_v6: tuple[str, ...]
    drop_policer_bps: int
    counter: str  # JunOS: counts what the final term discards


def _family(prefixes: Iterable[str], family: Family) -> tuple[str, ...]:
    return tuple(p for p in prefixes if (":" in p) == (family == "ipv6"))


def _hosts(addresses: Iterable[str]) -> tuple[str, ...]:
    return tuple(str(IPNetwork(a)) for a in addresses)


def _set_name(what: str, family: Family) -> str:
    return f"{NAME}-{what}-{'V4' if family == 'ipv4' else 'V6'}"


def management_sources(p: Protection, family: Family) -> tuple[str, ...]:
    """The management network, then the segments whose role reaches router management."""
    pool = p.management_v4 if family == "ipv4" else ()
    extra = tuple(s for r in p.management_extra if r.family == family for s in r.sources)
    return tuple(dict.fromkeys((*pool, *extra)))


def prefix_sets(
    p: Protection, interfaces: tuple[Interface, ...], ntp: tuple[str, ...], family: Family
) -> dict[str, tuple[str, ...]]:
    """Every set of sources a term of ``family`` names, keyed by its purpose."""
    v4 = family == "ipv4"
    spans = tuple(str(IPNetwork(i.ipv4).cidr) for i in interfaces if i.kind == "span" and i.ipv4)
    has_spans = any(i.kind == "span" for i in interfaces)
    mgmt = management_sources(p, family)
    return {
        "MGMT": mgmt,
        "BGP": _hosts(p.bgp_v4 if v4 else p.bgp_v6),
        "SPANS": spans if v4 else ((str(IPV6_LINK_LOCAL),) if has_spans else ()),
        "PING": (*p.infrastructure_v4, *p.management_v4) if v4 else p.infrastructure_v6,
        "NTP": _hosts(_family(ntp, family)),
    }


def terms(p: Protection, sets: dict[str, str], family: Family) -> tuple[Term, ...]:
    """The terms of one family; ``sets``: purpose -> prefix set name, for the non-empty sets only."""
    v6 = family == "ipv6"
    link = p.span_interfaces if v6 else ()  # link-local sources: also the interface, where it can be matched
    wanted = [
        Term("nd", "neighbour discovery", family, "icmp", icmp_types=ND_TYPES) if v6 else None,
        Term("ssh", "SSH from management", family, "tcp", "MGMT", dst_ports=(p.ssh_port,)),
        Term("snmp", "SNMP from management", family, "udp", "MGMT", dst_ports=(p.snmp_port,)),
        Term("bgp", "BGP from configured neighbours, both directions", family, "tcp", "BGP", ports=(p.bgp_port,)),
        Term("ospf", "OSPF on spans only", family, "ospf", "SPANS", interfaces=link),
        Term("bfd", "BFD on spans only", family, "udp", "SPANS", dst_ports=p.bfd_ports, interfaces=link),
        Term("ping", "ping from routers and management", family, "icmp", "PING", icmp_types=("echo-request",)),
        Term("icmp", "ICMP errors and echo replies", family, "icmp", icmp_types=ICMP_TYPES[family]),
        Term("ntp", "NTP replies from the configured servers", family, "udp", "NTP", src_ports=(NTP_PORT,)),
    ]
    # a term whose sources are empty is left out: it would match nothing
    return tuple(
        replace(t, sources=sets[t.sources]) if t.sources else t
        for t in wanted
        if t is not None and (t.sources is None or t.sources in sets)
    )


def acl_entries(t: Term, sets: dict[str, tuple[str, ...]]) -> list[AclEntry]:
    """One term as first-match ACL entries: one per source prefix and port (an either port: two).

    >>> bgp = Term("bgp", "BGP", "ipv4", "tcp", "PEERS", ports=(179,))
    >>> [(e.source, e.dst_ports and e.dst_ports.first, e.src_ports and e.src_ports.first)
    ...  for e in acl_entries(bgp, {"PEERS": ("peer-a",)})]
    [('peer-a', 179, None), ('peer-a', None, 179)]
    """
    out = []
    for src in sets[t.sources] if t.sources else (None,):
        if t.icmp_types:
            out += [AclEntry("permit", t.protocol, src, None, icmp_type=i, remark=t.comment) for i in t.icmp_types]
        elif t.dst_ports or t.src_ports or t.ports:
            for port in (*t.dst_ports, *t.ports):
                out.append(AclEntry("permit", t.protocol, src, None, Ports(t.protocol, port, port), remark=t.comment))
            for port in (*t.src_ports, *t.ports):
                ports = Ports(t.protocol, port, port)
                out.append(AclEntry("permit", t.protocol, src, None, src_ports=ports, remark=t.comment))
        else:
            out.append(AclEntry("permit", t.protocol, src, None, remark=t.comment))
    return out


def control_plane(p: Protection, interfaces: tuple[Interface, ...], ntp: tuple[str, ...]) -> ControlPlane:
    """The router's control-plane filter, from the same ``Protection`` its nftables input chain renders."""
    all_sets: list[PrefixSet] = []
    all_terms: list[Term] = []
    acls: dict[Family, tuple[AclEntry, ...]] = {}
    for family in FAMILIES:
        by_purpose = {k: v for k, v in prefix_sets(p, interfaces, ntp, family).items() if v}
        named = {k: _set_name(k, family) for k in by_purpose}
        sets = [PrefixSet(named[k], family, v) for k, v in by_purpose.items()]
        fam_terms = terms(p, named, family)
        contents = {s.name: s.prefixes for s in sets}
        acls[family] = tuple(e for t in fam_terms for e in acl_entries(t, contents))
        all_sets += sets
        all_terms += fam_terms
    return ControlPlane(
        name=NAME,
        prefix_sets=tuple(all_sets),
        terms=tuple(all_terms),
        acl_v4=acls["ipv4"],
        acl_v6=acls["ipv6"],
        management_acl=MANAGEMENT_ACL,
        management_v4=management_sources(p, "ipv4"),
        management_v6=management_sources(p, "ipv6"),
        drop_policer_bps=DROP_POLICER_BPS,
        counter=f"{NAME}-DISCARD",
    )
