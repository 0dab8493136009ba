"""Jinja filters for firewall rules: formatting only (nftables sets, ACL wildcards, comments).

>>> nft_set(["10.0.0.0/24"]), nft_set(["10.0.0.0/24", "10.0.1.0/24"])
('10.0.0.0/24', '{ 10.0.0.0/24, 10.0.1.0/24 }')
>>> nft_ports(3784, 3784), nft_ports(10000, 20000)
('3784', '10000-20000')
>>> wildcard("10.64.16.0/24"), wildcard("10.64.18.10/32")
('10.64.16.0 0.0.0.255', 'host 10.64.18.10')
>>> nft_comment('voice "lab"\\n x')
'voice lab x'
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from netaddr import IPNetwork

from communet.design.firewall_intent import address_groups

_UNSAFE = re.compile(r"[^A-Za-z0-9 ,.:;()/_+-]")


def nft_set(items: Iterable[object]) -> str:
    """One element as itself, several as an anonymous set."""
    values = [str(i) for i in items]
    return values[0] if len(values) == 1 else "{ " + ", ".join(values) + " }"


def nft_ports(first: int, last: int) -> str:
    return str(first) if first == last else f"{first}-{last}"


def nft_comment(text: str) -> str:
    """Free text made safe inside a quoted nftables comment (and an ACL remark): no quotes, no controls."""
    return " ".join(_UNSAFE.sub(" ", text).split())[:120]


def wildcard(prefix: str) -> str:
    """An IOS-XE IPv4 ACL operand: ``host A`` or ``NETWORK WILDCARD``."""
    net = IPNetwork(prefix)
    if net.prefixlen == 32:
        return f"host {net.ip}"
    return f"{net.network} {net.hostmask}"


def v6_operand(prefix: str) -> str:
    """An IOS-XE IPv6 ACL operand: ``host A`` or the prefix."""
    net = IPNetwork(prefix)
    return f"host {net.ip}" if net.prefixlen == 128 else str(net.cidr)


def ios_operand(prefix: str | None, family: str = "ipv4") -> str:
    """An IOS-XE ACL address operand: ``any``, ``host A``, a wildcard pair (IPv4) or a prefix (IPv6).

    >>> ios_operand(None), ios_operand("2001:db8::/64", "ipv6")
    ('any', '2001:db8::/64')
    """
    if prefix is None:
        return "any"
    return wildcard(prefix) if family == "ipv4" else v6_operand(prefix)


def ios_member(prefix: str) -> str:
    """An entry of an IOS-XE network object-group: ``host A``, ``NETWORK MASK`` (IPv4) or a prefix (IPv6).

    >>> ios_member("10.64.32.0/24"), ios_member("10.64.34.10/32"), ios_member("2001:db8:1002::/64")
    ('10.64.32.0 255.255.255.0', 'host 10.64.34.10', '2001:db8:1002::/64')
    """
    net = IPNetwork(prefix)
    if net.prefixlen == (32 if net.version == 4 else 128):
        return f"host {net.ip}"
    return f"{net.network} {net.netmask}" if net.version == 4 else str(net.cidr)


def ios_ports(ports: Any) -> str:
    """`` eq N`` or `` range A B`` (with its leading space), nothing for any port.

    >>> ios_ports(None), ios_ports({"first": 5060, "last": 5060}), ios_ports({"first": 1, "last": 9})
    ('', ' eq 5060', ' range 1 9')
    """
    if not ports:
        return ""
    first, last = (ports["first"], ports["last"]) if isinstance(ports, dict) else (ports.first, ports.last)
    return f" eq {first}" if first == last else f" range {first} {last}"


#: ICMP type names per platform and family, for the neutral names of communet/design/acl.py.
_ICMP = {
    ("ios_xe", "ipv4"): {"unreachable": "unreachable", "echo-request": "echo"},
    ("ios_xe", "ipv6"): {
        "neighbor-solicit": "nd-ns",
        "neighbor-advert": "nd-na",
        "router-solicit": "router-solicitation",
        "router-advert": "router-advertisement",
    },
    ("junos", "ipv4"): {},
    ("junos", "ipv6"): {
        "neighbor-advert": "neighbor-advertisement",
        "router-advert": "router-advertisement",
        "unreachable": "destination-unreachable",
    },
}


def icmp_name(neutral: str, platform: str, family: str) -> str:
    """The platform's word for an ICMP type.

    >>> icmp_name("neighbor-advert", "ios_xe", "ipv6"), icmp_name("unreachable", "junos", "ipv6")
    ('nd-na', 'destination-unreachable')
    >>> icmp_name("echo-request", "ios_xe", "ipv4"), icmp_name("echo-request", "junos", "ipv4")
    ('echo', 'echo-request')
    """
    return _ICMP[(platform, family)].get(neutral, neutral)


FIREWALL_FILTERS: dict[str, Callable[..., Any]] = {
    f.__name__: f
    for f in (
        nft_set,
        nft_ports,
        nft_comment,
        wildcard,
        v6_operand,
        ios_operand,
        ios_member,
        ios_ports,
        icmp_name,
        address_groups,
    )
}
