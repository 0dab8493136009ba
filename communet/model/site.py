"""Sites: the towns and the data center, their routers, segments and spans."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import Field, model_validator

from communet.model.base import Id, Model, Name
from communet.model.text import Text
from communet.model.uplink import Transit
from communet.platforms import ROUTER_PLATFORMS

#: Extensions stay below 10**9: Kamailio compares them as signed 32-bit integers.
EXTENSION_MAX = 999_999_999

if TYPE_CHECKING:
    Platform = str
else:  # the router platforms of communet.platforms, as a Literal: the same choices and messages
    Platform = Literal[ROUTER_PLATFORMS]
Phase = Literal["planned", "staged", "active"]


class Router(Model):
    id: Id = Field(description="device id: seeds its loopback and management addresses")
    hostname: Name
    platform: Platform = Field("frr", description="which templates render its config")
    role: Literal["town", "core", "edge"] = Field("town", description="core: route reflector; edge: the IX uplink")
    model: Text = Field("", description="hardware model, for the record")


class Endpoint(Model):
    device: Name = Field(description="hostname of a router")
    port: int = Field(ge=0, le=63, description="port number on that router")


class Span(Model):
    """A fiber span between a port of this site's router and another device."""

    id: Id = Field(description="span id: seeds the span's /31 and /127")
    local: Endpoint = Field(description="this site's router and port")
    remote: Endpoint = Field(description="the other router and port")
    fiber: Literal["owned", "leased"] = "owned"
    provider: Text = Field("", description="who leases the fiber to us (required when leased)")
    circuit: Text = Field("", description="the provider's circuit id (required when leased)")
    length_km: float = Field(1.0, gt=0, le=500, description="fiber length; sets the OSPF cost unless cost is given")
    cost: int | None = Field(None, ge=1, le=65535, description="OSPF cost; default 10 per km")

    @model_validator(mode="after")
    def _leased_has_circuit(self) -> Span:
        if self.fiber == "leased" and not (self.provider and self.circuit):
            raise ValueError("a leased span needs its provider and circuit id")
        return self


class ExtensionRange(Model):
    first: int = Field(ge=0, le=EXTENSION_MAX)
    last: int = Field(ge=0, le=EXTENSION_MAX)

    @model_validator(mode="after")
    def _ordered(self) -> ExtensionRange:
        if self.last < self.first:
            raise ValueError(f"last ({self.last}) is below first ({self.first})")
        if len(str(self.first)) != len(str(self.last)):
            raise ValueError("first and last must have the same number of digits")
        return self


class SipServer(Model):
    id: Id
    hostname: Name | None = None


class TownTelephony(Model):
    extensions: ExtensionRange
    sip_server: SipServer
    phones: int = Field(2, ge=1, le=50, description="phones the lab starts on the voice segment")


class Site(Model):
    """What towns and the data center share."""

    id: int = Field(ge=0, le=65535, description="site id: seeds the site's address blocks")
    name: Name = Field(description="also the file name, towns/NAME.yml")
    display_name: Text = Field("", description="as people write it: accents, spaces, capitals")
    segments: list[Name] = Field(default_factory=list, description="segment roles from syndicate.yml segment_roles")
    spans: list[Span] = Field(default_factory=list, description="fiber spans starting on this site's router")


class Town(Site):
    phase: Phase = Field("active", description="planned: not rendered; staged and active: rendered and deployed")
    router: Router = Field(description="the town hall router")
    telephony: TownTelephony | None = Field(None, description="the town's extensions and SIP server")

    @property
    def sip_hostname(self) -> str:
        """The SIP server's hostname: the one given, else ``<town>-sip``."""
        given = self.telephony.sip_server.hostname if self.telephony else None
        return given or f"{self.name}-sip"


class DataCenter(Site):
    routers: list[Router] = Field(min_length=1)
    transit: list[Transit] = Field(default_factory=list, description="transit providers on edge router ports")
