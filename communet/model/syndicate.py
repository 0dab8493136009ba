"""Syndicate-wide settings: ASN, pools, segment roles, routing, management."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

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
    """Hello and dead intervals on the backbone spans (both ends of a span must agree, so they are one setting),
    and the throttles that decide how soon a router floods and computes a change.

    BFD detects a cut in under a second; what the towns wait for after that is the LSA
    throttle (a router re-originates its LSA at most once per ``lsa_min_interval_ms``,
    5 s on most platforms by default) and the SPF throttle (first run ``spf_delay_ms``
    after a change, later runs spaced from ``spf_hold_ms`` up to ``spf_max_ms``). The hello
    interval bounds how long a repaired span takes to carry traffic again (a neighbour is
    two-way only once it hears a hello that lists it). The ranges are those every supported
    platform accepts (JunOS: SPF delay 50-8000 ms, holddown 2000-20000 ms).
    """

    hello_s: int = Field(10, ge=1, le=255)
    dead_s: int = Field(40, ge=2, le=65535)
    spf_delay_ms: int = Field(50, ge=50, le=8000, description="first SPF run after a change")
    spf_hold_ms: int = Field(100, ge=1, le=600000, description="first wait between SPF runs (it grows)")
    spf_max_ms: int = Field(2000, ge=2000, le=20000, description="longest wait between SPF runs")
    lsa_min_interval_ms: int = Field(100, ge=1, le=5000, description="shortest time between two originations of an LSA")
    lsa_min_arrival_ms: int = Field(50, ge=0, le=5000, description="an LSA arriving sooner after the last is dropped")

    @model_validator(mode="after")
    def _dead_after_hello(self) -> OspfTimers:
        if self.dead_s <= self.hello_s:
            raise ValueError(f"dead_s ({self.dead_s}) must be longer than hello_s ({self.hello_s})")
        return self

    @field_validator("spf_max_ms")
    @classmethod
    def _max_bounds_spf(cls, value: int, info: ValidationInfo) -> int:
        waits = {k: info.data[k] for k in ("spf_delay_ms", "spf_hold_ms") if info.data.get(k, 0) > value}
        if waits:
            said = " and ".join(f"{k} ({v})" for k, v in waits.items())
            raise ValueError(f"{said} must not exceed spf_max_ms ({value})")
        return value

    @field_validator("lsa_min_arrival_ms")
    @classmethod
    def _arrival_within_interval(cls, value: int, info: ValidationInfo) -> int:
        interval = info.data.get("lsa_min_interval_ms")
        if interval is not None and value > interval:
            raise ValueError(f"{value} must not exceed lsa_min_interval_ms ({interval})")
        return value


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
