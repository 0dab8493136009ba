"""Per-device intent: the structured config every template renders from.

Plain, typed, frozen data: strings, numbers, booleans, tuples and these classes.
Templates read attributes and loop; they decide nothing. ``as_dict`` turns an intent
into the host variables the Ansible and Nornir inventories carry.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from communet.design.firewall_intent import Firewall
    from communet.design.protection import ControlPlane

from communet.design.uplink_intent import Uplink

Family = Literal["ipv4", "ipv6"]


@dataclass(frozen=True, slots=True)
class Interface:
    """A routed interface. ``name`` is already the platform's name for the port."""

    name: str
    description: str
    kind: Literal["loopback", "span", "segment", "ix", "transit"]
    ipv4: str | None = None  # address/length
    ipv6: str | None = None
    ospf: bool = False  # in the OSPF area (v2 and v3)
    ospf_passive: bool = False
    ospf_cost: int | None = None
    ospf_p2p: bool = False
    bfd: bool = False
    vlan: int | None = None
    peer: str = ""  # the device at the other end of a span
    qos_policy: str | None = None  # ingress marking policy (voice segments)
    segment_filter: str | None = None  # the segment policy's ingress ACL or filter (IOS-XE, JunOS)
    nat: Literal["inside", "outside"] | None = None  # NAT44 side on an edge router (IOS-XE marks interfaces)
    filter_out_v4: str | None = None  # egress source filter on an uplink port (IOS-XE ACL, JunOS filter)
    filter_out_v6: str | None = None


@dataclass(frozen=True, slots=True)
class Ospf:
    router_id: str
    area: str
    reference_bandwidth_mbps: int
    bfd_profile: str
    bfd_interval_ms: int
    bfd_multiplier: int
    hello_s: int = 10  # on the spans (not on passive interfaces)
    dead_s: int = 40
    spf_delay_ms: int = 50  # SPF throttle: first run, initial and longest wait between runs
    spf_hold_ms: int = 100
    spf_max_ms: int = 2000
    lsa_min_interval_ms: int = 100  # LSA throttle: origination and accepted arrival
    lsa_min_arrival_ms: int = 50
    #: settings above that equal the platform's default, which its running config omits (design/defaults.py)
    implicit: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PrefixListEntry:
    seq: int
    action: Literal["permit", "deny"]
    prefix: str
    ge: int | None = None
    le: int | None = None


@dataclass(frozen=True, slots=True)
class PrefixList:
    name: str
    family: Family
    description: str
    entries: tuple[PrefixListEntry, ...]


@dataclass(frozen=True, slots=True)
class RouteMapEntry:
    seq: int
    action: Literal["permit", "deny"]
    description: str
    match_prefix_list: str | None = None
    match_local_preference: int | None = None
    set_local_preference: int | None = None
    set_community_none: bool = False  # community scrubbing
    set_community: str | None = None


@dataclass(frozen=True, slots=True)
class RouteMap:
    name: str
    family: Family
    entries: tuple[RouteMapEntry, ...]
    otherwise: Literal["reject", "next"] = "reject"  # routes no entry matches: denied, or passed to the next policy


@dataclass(frozen=True, slots=True)
class BgpNeighbor:
    address: str
    remote_as: int
    description: str
    family: Family
    kind: Literal["ibgp", "route_server", "peer", "transit"]
    update_source: str | None = None  # interface name (loopback) for iBGP
    route_reflector_client: bool = False
    next_hop_self: bool = False
    route_map_in: str | None = None
    route_map_out: str | None = None
    max_prefix: int | None = None
    enforce_first_as: bool | None = None  # eBGP only: check the first AS (off for route servers)
    password_secret: str | None = None  # environment variable name; rendered masked
    ttl_security_hops: int | None = None
    default_originate_map: str | None = None  # send a default route while this route-map matches a route


@dataclass(frozen=True, slots=True)
class Bgp:
    asn: int
    router_id: str
    neighbors: tuple[BgpNeighbor, ...]
    networks_v4: tuple[str, ...]
    networks_v6: tuple[str, ...]
    cluster_id: str | None = None  # set on route reflectors
    first_as_exempt: bool = False  # some eBGP session (a route server) must skip the first-AS check


@dataclass(frozen=True, slots=True)
class StaticRoute:
    prefix: str
    family: Family
    next_hop: str  # "blackhole" or an address
    description: str = ""


@dataclass(frozen=True, slots=True)
class Snmp:
    user: str
    auth_secret: str  # environment variable name
    priv_secret: str
    location: str


@dataclass(frozen=True, slots=True)
class Management:
    domain: str
    interface: str  # the platform's management port
    address: str  # management address/length
    user: str
    ntp: tuple[str, ...]
    syslog: tuple[str, ...]
    snmp: Snmp
    station: str  # the automation station's address


@dataclass(frozen=True, slots=True)
class QosClass:
    name: str
    dscp: int
    protocol: Literal["udp", "tcp"]
    ports: tuple[int, int]  # first, last


@dataclass(frozen=True, slots=True)
class QosPolicy:
    name: str
    classes: tuple[QosClass, ...]


@dataclass(frozen=True, slots=True)
class RouterIntent:
    hostname: str
    platform: str
    role: Literal["town", "core", "edge"]
    site: str
    site_display: str
    loopback_v4: str  # bare addresses, for router ids and update sources
    loopback_v6: str
    interfaces: tuple[Interface, ...]
    ospf: Ospf
    bgp: Bgp
    prefix_lists: tuple[PrefixList, ...]
    route_maps: tuple[RouteMap, ...]
    static_routes: tuple[StaticRoute, ...]
    qos_policies: tuple[QosPolicy, ...]
    management: Management
    trunk: str | None = None  # parent port of the segment sub-interfaces, when the platform has one
    firewall: Firewall | None = None  # segment policy, uRPF, router protection (design/firewall.py)
    uplink: Uplink | None = None  # edge routers toward the internet: NAT44 and source filters
    control_plane: ControlPlane | None = None  # router protection, stateless (IOS-XE, JunOS): design/protection.py
    kind: Literal["router"] = "router"


@dataclass(frozen=True, slots=True)
class DialRoute:
    """Extensions ``first``..``last`` belong to ``town``, served by ``target``."""

    town: str
    first: int
    last: int
    target: str  # SIP server address (IPv4)
    local: bool


@dataclass(frozen=True, slots=True)
class SipIntent:
    hostname: str
    platform: str
    site: str
    site_display: str
    domain: str
    listen_v4: str
    listen_v6: str
    port: int
    gateway_v4: str
    segment_v4: str  # the voice segment (phones register from there)
    signalling_tos: int  # the TOS byte for SIP: DSCP << 2
    local: DialRoute
    routes: tuple[DialRoute, ...]  # the other towns, by extension range
    management: Management
    kind: Literal["sip"] = "sip"
    peers_v4: tuple[str, ...] = field(default=())  # SIP servers trusted to send us calls


Intent = RouterIntent | SipIntent


def as_dict(intent: Intent) -> dict[str, Any]:
    """Host variables for Ansible and Nornir: the same data as plain dicts and lists."""
    return asdict(intent)
