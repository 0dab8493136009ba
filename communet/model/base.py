"""The base of every inventory model: frozen, strict about unknown keys."""

from __future__ import annotations

from typing import Annotated

from netaddr import AddrFormatError, IPAddress, IPNetwork
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from communet.model.text import Name, shown


class Model(BaseModel):
    """Frozen, and a typo in the inventory (an unknown key) fails at load."""

    model_config = ConfigDict(frozen=True, extra="forbid")


def _prefix(value: str) -> str:
    try:
        net = IPNetwork(value)
    except (AddrFormatError, ValueError, TypeError) as exc:
        raise ValueError(f"{shown(value)} is not an IP prefix (write it as ADDRESS/LENGTH)") from exc
    if "/" not in str(value):
        raise ValueError(f"{shown(value)} has no prefix length (write it as ADDRESS/LENGTH)")
    if net.ip != net.network:
        raise ValueError(f"{shown(value)} has host bits set; the prefix is {net.cidr}")
    return str(net.cidr)


def _address(value: str) -> str:
    try:
        return str(IPAddress(value))
    except (AddrFormatError, ValueError, TypeError) as exc:
        raise ValueError(f"{shown(value)} is not an IP address") from exc


#: AS numbers no session may use: AS_TRANS (RFC 6793) and the last 16-bit one (RFC 7300).
RESERVED_ASNS = (23456, 65535)


def _asn(value: int) -> int:
    if not 1 <= value <= 4_294_967_294 or value in RESERVED_ASNS:
        raise ValueError(f"{value} is not a usable AS number (1..4294967294, not 23456 or 65535)")
    return value


def _host_address(value: str) -> str:
    """An address a service listens on: not unspecified, loopback or multicast."""
    addr = IPAddress(_address(value))
    if addr.value == 0 or addr.is_loopback() or addr.is_multicast():
        raise ValueError(f"{addr} is not the address of a server (unspecified, loopback or multicast)")
    return str(addr)


def _number_as_text(value: object) -> object:
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _area(value: str) -> str:
    """An OSPF area in dotted form; a number (0..4294967295) is written dotted."""
    text = str(value)
    if text.isdigit() and int(text) <= 0xFFFFFFFF:
        return str(IPAddress(int(text), 4))
    parts = text.split(".")
    if len(parts) == 4 and all(p.isdigit() and int(p) <= 255 and str(int(p)) == p for p in parts):
        return text
    raise ValueError(f"{text[:60]!r} is not an OSPF area (dotted like 0.0.0.0, or a number up to 4294967295)")


#: An IPv4 or IPv6 prefix such as ``198.51.100.0/24``, kept as its canonical text.
Prefix = Annotated[str, AfterValidator(_prefix)]
#: An IPv4 or IPv6 address, kept as its canonical text.
Address = Annotated[str, AfterValidator(_address)]
#: A 32-bit BGP AS number.
Asn = Annotated[int, AfterValidator(_asn)]
#: The address of a server (NTP, syslog): a host, never unspecified, loopback or multicast.
HostAddress = Annotated[str, AfterValidator(_host_address)]
#: An OSPF area id, kept in dotted form.
Area = Annotated[str, BeforeValidator(_number_as_text), AfterValidator(_area)]
#: An 802.1Q VLAN id.
VlanId = Annotated[int, Field(ge=1, le=4094)]
#: A numeric id, the seed of every derived address.
Id = Annotated[int, Field(ge=1, le=65535)]

__all__ = ["Address", "Area", "Asn", "HostAddress", "Id", "Model", "Name", "Prefix", "VlanId"]
