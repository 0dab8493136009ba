"""The way out to the internet: transit providers on edge ports, and NAT44 for private segments.

A transit provider reached on a port of an edge router is declared in ``datacenter.yml``
(``transit:``); one reached on the IX LAN is a bilateral peer of ``ix.yml`` with
``role: transit``. The NAT pools (one per edge router: replies must come back to the
router that translated) and the segment roles they translate are in ``syndicate.yml``
(``nat:``). IPv6 is never translated.
"""

from __future__ import annotations

from typing import Annotated

from netaddr import AddrFormatError, IPNetwork
from pydantic import AfterValidator, Field, model_validator

from communet.model.base import Address, Asn, Model, Name, Prefix
from communet.model.ix import MAX_PREFIX_LIMIT
from communet.model.text import SecretName


def _interface_address(value: str) -> str:
    """An interface address with its prefix length, host bits allowed: ``192.0.2.0/31``."""
    try:
        net = IPNetwork(value)
    except (AddrFormatError, ValueError, TypeError) as exc:
        raise ValueError(f"{value!r} is not an interface address (write it as ADDRESS/LENGTH)") from exc
    if "/" not in str(value):
        raise ValueError(f"{value!r} has no prefix length (write it as ADDRESS/LENGTH)")
    return f"{net.ip}/{net.prefixlen}"


#: Our address on a link with its prefix length, such as ``192.0.2.0/31``.
InterfaceAddress = Annotated[str, AfterValidator(_interface_address)]


class TransitLink(Model):
    """One link to the provider: a port of one of our edge routers, our address and theirs per family."""

    device: Name = Field(description="the edge router holding the port")
    port: int = Field(ge=0, le=63, description="port number on that router")
    v4: InterfaceAddress | None = Field(None, description="our IPv4 address on the link, ADDRESS/LENGTH")
    v6: InterfaceAddress | None = Field(None, description="our IPv6 address on the link, ADDRESS/LENGTH")
    peer_v4: Address | None = Field(None, description="the provider's IPv4 address on the link")
    peer_v6: Address | None = Field(None, description="the provider's IPv6 address on the link")

    @model_validator(mode="after")
    def _families(self) -> TransitLink:
        if not (self.v4 or self.v6):
            raise ValueError("a transit link needs an address family: give v4 and peer_v4, or v6 and peer_v6")
        for ours, theirs, family in ((self.v4, self.peer_v4, "v4"), (self.v6, self.peer_v6, "v6")):
            if bool(ours) != bool(theirs):
                raise ValueError(f"give both {family} and peer_{family}, or neither")
        return self


class Transit(Model):
    """A transit provider on ports of our edge routers: it sends us the default route (or a full table)."""

    name: Name
    asn: Asn
    links: list[TransitLink] = Field(min_length=1, description="one per edge router port reaching the provider")
    full_table: bool = Field(False, description="accept every route it sends, not only the default")
    max_prefix_v4: int = Field(1000, ge=1, le=MAX_PREFIX_LIMIT)
    max_prefix_v6: int = Field(500, ge=1, le=MAX_PREFIX_LIMIT)
    password_secret: SecretName | None = Field(None, description="environment variable with the MD5 password")
    prefixes: list[Prefix] = Field(
        default_factory=list, description="the provider's own networks (the lab's internet node sits there)"
    )


class NatPool(Model):
    """Public IPv4 addresses one edge router translates private segments to."""

    device: Name = Field(description="the edge router that translates with this pool")
    prefix: Prefix = Field(description="an IPv4 prefix inside our aggregates")


class Nat(Model):
    """NAT44 at the edge: which segment roles are translated, and the pools."""

    roles: list[str] = Field(min_length=1, description="segment roles whose IPv4 traffic is translated")
    pools: list[NatPool] = Field(min_length=1, description="one per edge router")
