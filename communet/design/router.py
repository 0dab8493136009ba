"""Router intent: interfaces, OSPF/BFD underlay, iBGP to the route reflectors, IX edge."""

from __future__ import annotations

from collections.abc import Callable

from netaddr import IPAddress, IPNetwork

from communet import addressing as ad
from communet.design import firewall, policy, protection, uplink
from communet.design.defaults import implicit
from communet.design.firewall import Segment
from communet.design.intent import (
    Bgp,
    BgpNeighbor,
    Family,
    Interface,
    Management,
    Ospf,
    QosClass,
    QosPolicy,
    RouterIntent,
    Snmp,
    StaticRoute,
)
from communet.model.network import Network
from communet.model.site import DataCenter, Router, Site, Span
from communet.model.syndicate import Syndicate
from communet.platforms import platform

VOICE_POLICY = "VOICE-MARK"
BFD_PROFILE = "backbone"


def span_cost(span: Span) -> int:
    """OSPF cost: the span's own, else 10 per km of fiber (at least 1)."""
    return span.cost if span.cost is not None else max(1, round(span.length_km * 10))


def span_description(span: Span, peer: str) -> str:
    text = f"span {span.id} to {peer}, {span.length_km:g} km {span.fiber}"
    return f"{text} {span.provider} {span.circuit}" if span.fiber == "leased" else text


def span_interfaces(net: Network, router: Router) -> list[Interface]:
    plat = platform(router.platform)
    out: list[Interface] = []
    for span in net.spans_of(router.hostname):
        for end, other, local in ((span.local, span.remote, True), (span.remote, span.local, False)):
            if end.device != router.hostname:
                continue
            out.append(
                Interface(
                    name=plat.port(end.port),
                    description=span_description(span, other.device),
                    kind="span",
                    ipv4=ad.span_end(ad.span_v4(net.syndicate, span.id), local),
                    ipv6=ad.span_end(ad.span_v6(net.syndicate, span.id), local),
                    ospf=True,
                    ospf_cost=span_cost(span),
                    ospf_p2p=True,
                    bfd=True,
                    peer=other.device,
                )
            )
    return out


def segment_prefixes(syn: Syndicate, site: Site) -> list[tuple[str, IPNetwork, IPNetwork]]:
    return [
        (role, ad.segment_v4(syn, site, syn.segment_roles[role]), ad.segment_v6(syn, site, syn.segment_roles[role]))
        for role in site.segments
    ]


def segment_host(site: Site, router: Router) -> bool:
    """Town segments hang off the town router; data center ones off the first core."""
    if isinstance(site, DataCenter):
        return router.hostname == next(r.hostname for r in site.routers if r.role == "core")
    return True


def segment_interfaces(
    syn: Syndicate,
    site: Site,
    router: Router,
    prefixes: list[tuple[str, IPNetwork, IPNetwork]] | None = None,
) -> list[Interface]:
    """``prefixes``: :func:`segment_prefixes` of the site, when the caller already has them."""
    if not segment_host(site, router):
        return []
    plat = platform(router.platform)
    out = []
    for role, v4, v6 in segment_prefixes(syn, site) if prefixes is None else prefixes:
        spec = syn.segment_roles[role]
        out.append(
            Interface(
                name=plat.segment(spec.vlan),
                description=f"{role}: {spec.description}".rstrip(": "),
                kind="segment",
                ipv4=ad.gateway(v4),
                ipv6=ad.gateway(v6),
                vlan=spec.vlan,
                qos_policy=VOICE_POLICY if spec.telephony else None,
                segment_filter=f"SEG-IN-{spec.vlan}",
            )
        )
    return out


def loopback(syn: Syndicate, router: Router) -> Interface:
    return Interface(
        name=platform(router.platform).loopback,
        description="router id, iBGP source",
        kind="loopback",
        ipv4=f"{ad.loopback_v4(syn, router.id)}/32",
        ipv6=f"{ad.loopback_v6(syn, router.id)}/128",
        ospf=True,
        ospf_passive=True,
    )


def ix_interface(net: Network, router: Router) -> list[Interface]:
    ix = net.ix
    port = ix.port_of(router.hostname)
    if port is None:
        return []
    return [
        Interface(
            name=platform(router.platform).port(port.port),
            description=f"{ix.name} peering LAN",
            kind="ix",
            ipv4=f"{port.v4}/{IPNetwork(ix.lan_v4).prefixlen}",
            ipv6=f"{port.v6}/{IPNetwork(ix.lan_v6).prefixlen}",
        )
    ]


def management(syn: Syndicate, device_id: int, platform_name: str) -> Management:
    mgmt = syn.management
    prefixlen = IPNetwork(syn.pools.management_v4).prefixlen
    return Management(
        domain=mgmt.domain,
        interface=platform(platform_name).management,
        address=f"{ad.management(syn, device_id)}/{prefixlen}",
        user=mgmt.user,
        ntp=tuple(mgmt.ntp),
        syslog=tuple(mgmt.syslog),
        snmp=Snmp(mgmt.snmp.user, mgmt.snmp.auth_secret, mgmt.snmp.priv_secret, mgmt.snmp.location),
        station=str(ad.management_station(syn)),
    )


def voice_policy(syn: Syndicate) -> QosPolicy:
    qos = syn.telephony.qos
    sip = (qos.sip_port, qos.sip_port)
    return QosPolicy(
        VOICE_POLICY,
        (
            QosClass("voice-media", qos.media_dscp, "udp", qos.rtp_ports),
            QosClass("voice-signalling-udp", qos.signalling_dscp, "udp", sip),
            QosClass("voice-signalling-tcp", qos.signalling_dscp, "tcp", sip),
        ),
    )


def ibgp_neighbors(net: Network, router: Router) -> list[BgpNeighbor]:
    syn = net.syndicate
    reflectors = syn.routing.route_reflectors
    lo = platform(router.platform).loopback
    if router.role == "core":
        peers = [r for _, r in net.routers() if r.hostname != router.hostname]
    else:
        peers = list(net.reflectors)
    out = []
    families: tuple[tuple[Family, Callable[[Syndicate, int], IPAddress]], ...] = (
        ("ipv4", ad.loopback_v4),
        ("ipv6", ad.loopback_v6),
    )
    for family, address in families:
        for peer in peers:
            out.append(
                BgpNeighbor(
                    address=str(address(syn, peer.id)),
                    remote_as=syn.asn,
                    description=peer.hostname,
                    family=family,
                    kind="ibgp",
                    update_source=lo,  # type: ignore[arg-type]
                    route_reflector_client=router.role == "core" and peer.hostname not in reflectors,
                    next_hop_self=router.role == "edge",
                )
            )
    return out


def ix_neighbors(net: Network) -> list[BgpNeighbor]:
    out = []
    for family, version, suffix in policy.FAMILIES:
        for rs in net.ix.route_servers:
            rs_address = rs.address(version)
            if rs_address is None:
                continue  # a route server present in the other family only
            out.append(
                BgpNeighbor(
                    address=rs_address,
                    remote_as=rs.asn or 0,
                    description=rs.name,
                    family=family,
                    kind="route_server",
                    route_map_in=policy.route_server_in(suffix),
                    route_map_out=policy.out_map(suffix),
                    enforce_first_as=False,
                    max_prefix=rs.max_prefix_v4 if version == 4 else rs.max_prefix_v6,
                    password_secret=rs.password_secret,
                )
            )
        for peer in net.ix.peers:
            peer_address = peer.address(version)
            if peer_address is None:
                continue  # a peer present in the other family only
            out.append(
                uplink.as_transit(
                    BgpNeighbor(
                        address=peer_address,
                        remote_as=peer.asn or 0,
                        description=peer.name,
                        family=family,
                        kind="peer",
                        route_map_in=policy.peer_in(peer, suffix),
                        route_map_out=policy.out_map(suffix),
                        enforce_first_as=True,
                        max_prefix=peer.max_prefix_v4 if version == 4 else peer.max_prefix_v6,
                        password_secret=peer.password_secret,
                        ttl_security_hops=1,
                    ),
                    peer,
                )
            )
    return out


def _family_of(prefix: str) -> str:
    """Family of a canonical address or prefix: only IPv6 text holds a colon."""
    return "ipv6" if ":" in prefix else "ipv4"


def router_intent(net: Network, site: Site, router: Router, every: tuple[Segment, ...] | None = None) -> RouterIntent:
    """``every``: :func:`firewall.segments` of the network, computed once for all routers."""
    syn = net.syndicate
    plat = platform(router.platform)
    edge = router.role == "edge"
    prefixes = segment_prefixes(syn, site) if segment_host(site, router) else []
    interfaces = (
        loopback(syn, router),
        *span_interfaces(net, router),
        *segment_interfaces(syn, site, router, prefixes),
        *ix_interface(net, router),
        *uplink.transit_interfaces(net, router),
    )
    statics = uplink.nat_statics(net, router) if edge else []
    announced = [str(p) for _, v4, v6 in prefixes for p in (v4, v6)] + (list(syn.aggregates) if edge else [])
    announced += [s.prefix for s in statics]
    up = uplink.uplink(net, router, interfaces) if edge else None
    interfaces = uplink.annotate(interfaces, up)
    router_id = str(ad.loopback_v4(syn, router.id))
    on_ix = net.on_ix(router.hostname)
    transit = uplink.transit_neighbors(net, router) if edge else []
    neighbors = ibgp_neighbors(net, router) + (ix_neighbors(net) if on_ix else []) + transit
    neighbors = uplink.conditional_default(neighbors)
    neighbors = uplink.aggregates_kept_out_of_ibgp(neighbors) if on_ix or transit else neighbors
    peers = [p for p in net.ix.peers if p.role != "transit"]
    plists, rmaps = policy.ix_policy(syn, peers) if on_ix or transit else ((), ())
    rmaps += uplink.transit_route_maps(uplink.providers(net, router), uplink.transit_families(neighbors))
    plists, rmaps = uplink.used_only(plists, rmaps, neighbors)
    fw = firewall.firewall(
        net, site, router, interfaces, (n.address for n in neighbors), every, voice_policy(syn).classes
    )
    ospf_settings = {
        "reference_bandwidth_mbps": syn.routing.reference_bandwidth_mbps,
        "bfd_interval_ms": syn.routing.bfd.interval_ms,
        "bfd_multiplier": syn.routing.bfd.multiplier,
        **syn.routing.ospf_timers.model_dump(),
    }
    return RouterIntent(
        hostname=router.hostname,
        platform=plat.name,
        role=router.role,
        site=site.name,
        site_display=site.display_name or site.name,
        loopback_v4=router_id,
        loopback_v6=str(ad.loopback_v6(syn, router.id)),
        interfaces=interfaces,
        ospf=Ospf(
            router_id,
            syn.routing.ospf_area,
            bfd_profile=BFD_PROFILE,
            **ospf_settings,
            implicit=implicit(plat.name, ospf_settings),
        ),
        bgp=Bgp(
            asn=syn.asn,
            router_id=router_id,
            neighbors=tuple(neighbors),
            networks_v4=tuple(p for p in announced if _family_of(p) == "ipv4"),
            networks_v6=tuple(p for p in announced if _family_of(p) == "ipv6"),
            first_as_exempt=any(n.enforce_first_as is False for n in neighbors),
        ),
        prefix_lists=plists,
        route_maps=rmaps,
        static_routes=tuple(
            StaticRoute(a, _family_of(a), "blackhole", "aggregate, announced at the IX")  # type: ignore[arg-type]
            for a in syn.aggregates
        )
        + tuple(statics)
        if edge
        else (),
        qos_policies=(voice_policy(syn),) if any(i.qos_policy for i in interfaces) else (),
        management=management(syn, router.id, plat.name),
        trunk=plat.trunk if any(i.kind == "segment" for i in interfaces) else None,
        firewall=fw,
        uplink=up,
        control_plane=protection.control_plane(fw.protection, interfaces, tuple(syn.management.ntp)),
    )
