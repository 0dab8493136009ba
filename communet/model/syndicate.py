"""Syndicate-wide settings: ASN, pools, segment roles, routing, management."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from communet.model.base import Area, Asn, HostAddress, Model, Name, Prefix, VlanId
from communet.model.policy import RolePolicy
from communet.model.text import Domain, Login, LongText, SecretName, Text
from communet.model.uplink import Nat

#: FRR and IOS-XE take a reference bandwidth of 1..4294967 Mbit/s.
REFERENCE_BANDWIDTH_MAX = 4_294_967
#: A UDP port for RTP media: unprivileged.
RtpPort = Annotated[int, Field(ge=1024, le=65535)]


class Pools(Model):
    """Address pools; every derived address is carved from one of them."""

    loopback_v4: Prefix
    loopback_v6: Prefix
    span_v4: Prefix
    span_v6: Prefix
    site_v4: Prefix
    site_v6: Prefix
    public_v4: Prefix
    management_v4: Prefix


class SiteBlock(Model):
    """Size of the block each site receives from ``site_v4``/``site_v6``."""

    v4: int = Field(20, ge=8, le=30)
    v6: int = Field(48, ge=16, le=64)


class SegmentRole(Model):
    """A kind of town segment: its VLAN, its slot in the site block, its size."""

    vlan: VlanId
    slot: int = Field(ge=0, le=4095)
    v4_prefixlen: int = Field(24, ge=8, le=30)
    pool_v4: Literal["site", "public"] = "site"
    description: Text = ""
    telephony: bool = Field(False, description="its segments carry phones and the town's SIP server")


class Bfd(Model):
    interval_ms: int = Field(300, ge=10, le=60000)
    multiplier: int = Field(3, ge=2, le=255)


class OspfTimers(Model):
    """Hello and dead intervals on the backbone spans (both ends of a span must agree, so they are one setting).

    BFD detects a cut; the hello interval bounds how long a repaired span takes to carry
    traffic again (a neighbour is two-way only once it hears a hello that lists it).
    """

    hello_s: int = Field(10, ge=1, le=255)
    dead_s: int = Field(40, ge=2, le=65535)

    @model_validator(mode="after")
    def _dead_after_hello(self) -> OspfTimers:
        if self.dead_s <= self.hello_s:
            raise ValueError(f"dead_s ({self.dead_s}) must be longer than hello_s ({self.hello_s})")
        return self


class Routing(Model):
    ospf_area: Area = "0.0.0.0"
    reference_bandwidth_mbps: int = Field(100000, ge=1, le=REFERENCE_BANDWIDTH_MAX)
    ospf_timers: OspfTimers = OspfTimers()
    bfd: Bfd = Bfd()
    route_reflectors: list[Name] = Field(min_length=1)


class Snmp(Model):
    user: Login
    auth_secret: SecretName = Field(description="environment variable holding the SNMPv3 auth key")
    priv_secret: SecretName = Field(description="environment variable holding the SNMPv3 priv key")
    location: LongText = ""


class Management(Model):
    user: Login = "communet"
    ntp: list[HostAddress] = Field(min_length=1)
    syslog: list[HostAddress] = Field(min_length=1)
    snmp: Snmp
    domain: Domain


class VoiceQos(Model):
    """DSCP marking for voice. Media is EF; signalling is CS3 (RFC 4594)."""

    media_dscp: int = Field(46, ge=0, le=63)
    signalling_dscp: int = Field(24, ge=0, le=63)
    rtp_ports: tuple[RtpPort, RtpPort] = (10000, 20000)

    @model_validator(mode="after")
    def _rtp_ordered(self) -> VoiceQos:
        first, last = self.rtp_ports
        if last < first:
            raise ValueError(f"rtp_ports: last ({last}) is below first ({first})")
        return self

    sip_port: int = Field(5060, ge=1, le=65535)


class Telephony(Model):
    sip_host: int = Field(10, ge=1, description="host index of a SIP server in its voice segment")
    domain: Domain
    qos: VoiceQos = VoiceQos()


class Bogons(Model):
    v4: list[Prefix]
    v6: list[Prefix]


class Limits(Model):
    """Prefix lengths beyond which routes from the IX are too specific."""

    max_v4_prefixlen: int = Field(24, ge=8, le=32)
    max_v6_prefixlen: int = Field(48, ge=16, le=128)


class Syndicate(Model):
    name: Text
    asn: Asn
    aggregates: list[Prefix] = Field(min_length=1)
    pools: Pools
    site_block: SiteBlock = SiteBlock()
    segment_roles: dict[Name, SegmentRole]
    segment_policy: dict[Name, RolePolicy] = Field(default_factory=dict)
    routing: Routing
    management: Management
    telephony: Telephony
    bogons: Bogons
    limits: Limits = Limits()
    nat: Nat | None = None
