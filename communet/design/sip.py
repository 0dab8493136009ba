"""SIP server intent: where it listens, its own extensions, and the inter-town dial plan."""

from __future__ import annotations

from communet import addressing as ad
from communet.design.intent import DialRoute, SipIntent
from communet.design.router import management
from communet.model.network import Network
from communet.model.policy import telephony_spec
from communet.model.site import Town


def dial_route(net: Network, town: Town, local: bool) -> DialRoute:
    assert town.telephony is not None
    ext = town.telephony.extensions
    v4, _ = ad.sip_address(net.syndicate, town)
    return DialRoute(town=town.name, first=ext.first, last=ext.last, target=str(v4), local=local)


def telephony_towns(net: Network) -> list[Town]:
    return [t for t in net.live_towns if t.telephony is not None]


def dial_plan(net: Network) -> dict[str, DialRoute]:
    """Town name -> the route other towns use to reach its extensions, computed once per design."""
    return {t.name: dial_route(net, t, local=False) for t in telephony_towns(net)}


def sip_intent(net: Network, town: Town, plan: dict[str, DialRoute] | None = None) -> SipIntent:
    """``plan`` is :func:`dial_plan`'s result, shared by every SIP server of one design."""
    assert town.telephony is not None
    syn = net.syndicate
    segment = ad.segment_v4(syn, town, telephony_spec(syn))
    v4, v6 = ad.sip_address(syn, town)
    plan = dial_plan(net) if plan is None else plan
    others = [route for name, route in plan.items() if name != town.name]
    return SipIntent(
        hostname=town.sip_hostname,
        platform="kamailio",
        site=town.name,
        site_display=town.display_name or town.name,
        domain=syn.telephony.domain,
        listen_v4=str(v4),
        listen_v6=str(v6),
        port=syn.telephony.qos.sip_port,
        gateway_v4=str(ad.host(segment, 1)),
        segment_v4=str(segment),
        signalling_tos=syn.telephony.qos.signalling_dscp << 2,
        local=dial_route(net, town, local=True),
        routes=tuple(others),
        management=management(syn, town.telephony.sip_server.id, "kamailio"),
        peers_v4=tuple(route.target for route in others),
    )
