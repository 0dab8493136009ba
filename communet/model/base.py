"""The base of every inventory model: frozen, strict about unknown keys."""

from __future__ import annotations

from typing import Annotated

from netaddr import AddrFormatError, IPAddress, IPNetwork
from pydantic import AfterValidator, BaseModel, ConfigDict, Field


class Model(BaseModel):
    """Frozen, and a typo in the inventory (an unknown key) fails at load."""

    model_config = ConfigDict(frozen=True, extra="forbid")


def _prefix(value: str) -> str:
    try:
        net = IPNetwork(value)
    except (AddrFormatError, ValueError, TypeError) as exc:
        raise ValueError(f"{value!r} is not an IP prefix (write it as ADDRESS/LENGTH)") from exc
    if "/" not in str(value):
        raise ValueError(f"{value!r} has no prefix length (write it as ADDRESS/LENGTH)")
    if net.ip != net.network:
        raise ValueError(f"{value!r} has host bits set; the prefix is {net.cidr}")
    return str(net.cidr)


def _address(value: str) -> str:
    try:
        return str(IPAddress(value))
    except (AddrFormatError, ValueError, TypeError) as exc:
        raise ValueError(f"{value!r} is not an IP address") from exc


def _asn(value: int) -> int:
    if not 1 <= value <= 4_294_967_294 or value == 23456:
        raise ValueError(f"{value} is not a usable AS number (1..4294967294, not 23456)")
    return value


#: An IPv4 or IPv6 prefix such as ``198.51.100.0/24``, kept as its canonical text.
Prefix = Annotated[str, AfterValidator(_prefix)]
#: An IPv4 or IPv6 address, kept as its canonical text.
Address = Annotated[str, AfterValidator(_address)]
#: A 32-bit BGP AS number.
Asn = Annotated[int, AfterValidator(_asn)]
#: An 802.1Q VLAN id.
VlanId = Annotated[int, Field(ge=1, le=4094)]
#: A name usable as hostname, file name and namespace name.
Name = Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]{0,30}[a-z0-9]$")]
#: A numeric id, the seed of every derived address.
Id = Annotated[int, Field(ge=1, le=65535)]
