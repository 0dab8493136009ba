"""Jinja filters: formatting only, registered once for every renderer.

Nornir, Ansible (``playbooks/filter_plugins``) and the CLI all take this table, so
the same template gives the same bytes everywhere.

>>> ip("10.254.0.2/31"), prefixlen("10.254.0.2/31"), netmask("10.254.0.2/31")
('10.254.0.2', 31, '255.255.255.254')
>>> network("2001:db8:1001::1/64")
'2001:db8:1001::/64'
>>> junos_ifd("ge-0/0/0.30"), junos_unit("ge-0/0/0.30")
('ge-0/0/0', '30')
>>> keyword("ipv6", ipv4="ip", ipv6="ipv6"), keyword("x", blackhole="Null0", default="x")
('ipv6', 'x')
>>> dscp_name(46), dscp_name(24), dscp_name(10), dscp_name(0), dscp_name(1)
('ef', 'cs3', 'af11', 'default', '1')
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from netaddr import IPNetwork

from communet.firewall_filters import FIREWALL_FILTERS

MASK = "********"


class MissingSecret(LookupError):
    """A secret's environment variable is not set when rendering for a device."""


def ip(value: str) -> str:
    return str(IPNetwork(value).ip)


def prefixlen(value: str) -> int:
    return IPNetwork(value).prefixlen


def netmask(value: str) -> str:
    return str(IPNetwork(value).netmask)


def network(value: str) -> str:
    return str(IPNetwork(value).cidr)


def secret(name: str, reveal: bool = False) -> str:
    """The secret held in environment variable ``name``; masked unless ``reveal``."""
    if not reveal:
        return MASK
    try:
        return os.environ[name]
    except KeyError:
        raise MissingSecret(f"environment variable {name} is not set") from None


def junos_ifd(name: str) -> str:
    return name.partition(".")[0]


def junos_unit(name: str) -> str:
    return name.partition(".")[2] or "0"


def keyword(value: str, default: str | None = None, **table: str) -> str:
    """The platform's word for ``value``: ``{{ family | keyword(ipv4="ip", ipv6="ipv6") }}``.

    The table sits in the platform's template; a value it lacks takes ``default``, else fails naming the choices.
    """
    if value in table:
        return table[value]
    if default is not None:
        return default
    raise ValueError(f"no keyword for {value!r}; known: {', '.join(sorted(table))}")


_DSCP_NAMES = (
    {46: "ef", 0: "default"}
    | {8 * n: f"cs{n}" for n in range(1, 8)}
    | {8 * cls + 2 * drop: f"af{cls}{drop}" for cls in range(1, 5) for drop in range(1, 4)}
)


def dscp_name(value: int) -> str:
    """A DSCP code point by its per-hop-behaviour name (``ef``, ``cs3``, ``af41``), else the number."""
    return _DSCP_NAMES.get(value, str(value))


FILTERS: dict[str, Callable[..., Any]] = {
    f.__name__: f for f in (ip, prefixlen, netmask, network, secret, junos_ifd, junos_unit, keyword, dscp_name)
}
FILTERS.update(FIREWALL_FILTERS)
