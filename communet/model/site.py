"""Sites: the towns and the data center, their routers, segments and spans."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from communet.model.base import Id, Model, Name

Platform = Literal["frr", "ios_xe", "junos"]
Phase = Literal["planned", "staged", "active"]


class Router(Model):
    id: Id
    hostname: Name
    platform: Platform = "frr"
    role: Literal["town", "core", "edge"] = "town"
    model: str = ""


class Endpoint(Model):
    device: Name
    port: int = Field(ge=0, le=63)


class Span(Model):
    """A fiber span between a port of this site's router and another device."""

    id: Id
    local: Endpoint
    remote: Endpoint
    fiber: Literal["owned", "leased"] = "owned"
    provider: str = ""
    circuit: str = ""
    length_km: float = Field(1.0, gt=0, le=500)
    cost: int | None = Field(None, ge=1, le=65535)

    @model_validator(mode="after")
    def _leased_has_circuit(self) -> Span:
        if self.fiber == "leased" and not (self.provider and self.circuit):
            raise ValueError("a leased span needs its provider and circuit id")
        return self


class ExtensionRange(Model):
    first: int = Field(ge=0)
    last: int = Field(ge=0)

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

    id: int = Field(ge=0, le=65535)
    name: Name
    display_name: str = ""
    segments: list[str] = Field(default_factory=list)
    spans: list[Span] = Field(default_factory=list)


class Town(Site):
    phase: Phase = "active"
    router: Router
    telephony: TownTelephony | None = None


class DataCenter(Site):
    routers: list[Router] = Field(min_length=1)
