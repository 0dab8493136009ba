"""The internet exchange: its LAN, our port, route servers and bilateral peers."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from communet.model.base import Address, Asn, Model, Name, Prefix
from communet.model.text import SecretName, Text

#: The largest prefix limit every platform takes (IOS-XE: 2147483647).
MAX_PREFIX_LIMIT = 2_147_483_647


class IxPort(Model):
    """One of our ports on the IX LAN: an edge router's port and the addresses the IX gave it."""

    device: Name
    port: int = Field(ge=0, le=63)
    v4: Address
    v6: Address


class IxNeighbor(Model):
    """A route server or peer on the IX LAN; one present in a single family gives only that address."""

    name: Name
    asn: Asn | None = None
    v4: Address | None = Field(None, description="its IPv4 address on the IX LAN (none: no IPv4 session)")
    v6: Address | None = Field(None, description="its IPv6 address on the IX LAN (none: no IPv6 session)")
    max_prefix_v4: int = Field(1000, ge=1, le=MAX_PREFIX_LIMIT)
    max_prefix_v6: int = Field(500, ge=1, le=MAX_PREFIX_LIMIT)
    password_secret: SecretName | None = Field(None, description="environment variable with the MD5 password")

    @model_validator(mode="after")
    def _some_family(self) -> IxNeighbor:
        if self.v4 is None and self.v6 is None:
            raise ValueError(f"{self.name} has neither v4 nor v6: give its address on the IX LAN in one family")
        return self

    def address(self, version: int) -> str | None:
        """Its address in IP ``version`` (4 or 6), None when it is not present in that family."""
        return self.v4 if version == 4 else self.v6


class RouteServer(IxNeighbor):
    pass


class Peer(IxNeighbor):
    prefixes: list[Prefix] = Field(default_factory=list, description="what the peer registered to announce")
    role: Literal["peer", "transit"] = Field("peer", description="transit: sends us the default route")
    full_table: bool = Field(False, description="transit only: accept every route it sends, not only the default")


class Ix(Model):
    name: Text
    lan_v4: Prefix
    lan_v6: Prefix
    port: IxPort | None = Field(None, description="our port, when one edge router is on the IX (give port or ports)")
    ports: list[IxPort] | None = Field(
        None, min_length=1, description="our ports, one per edge router on the IX (give port or ports)"
    )
    route_servers: list[RouteServer] = Field(min_length=1)
    peers: list[Peer] = Field(default_factory=list)

    def port_entries(self) -> tuple[tuple[tuple[int | str, ...], IxPort], ...]:
        """Each of our ports with its key path in ix.yml (``ports`` wins when both are given)."""
        if self.ports is not None:
            return tuple((("ports", i), p) for i, p in enumerate(self.ports))
        return ((("port",), self.port),) if self.port is not None else ()

    @property
    def edge_ports(self) -> tuple[IxPort, ...]:
        """Our ports on the IX LAN, one per edge router, in inventory order."""
        return tuple(p for _, p in self.port_entries())

    def port_of(self, hostname: str) -> IxPort | None:
        """``hostname``'s port on the IX LAN, None when it has none."""
        return next((p for p in self.edge_ports if p.device == hostname), None)
