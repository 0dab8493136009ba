"""Design: from the validated model to one intent per device."""

from __future__ import annotations

from communet.design.firewall import segments
from communet.design.intent import Intent, RouterIntent, SipIntent
from communet.design.router import router_intent
from communet.design.sip import dial_plan, sip_intent, telephony_towns
from communet.model.network import Network


def build_design(net: Network, platform_override: str | None = None) -> dict[str, Intent]:
    """Every live device's intent, keyed by hostname, routers first.

    ``platform_override`` renders every router as that platform (a what-if).
    """
    intents: dict[str, Intent] = {}
    every = segments(net)
    for site, router in net.routers():
        if platform_override:
            router = router.model_copy(update={"platform": platform_override})
        intents[router.hostname] = router_intent(net, site, router, every)
    plan = dial_plan(net)
    for town in telephony_towns(net):
        intent = sip_intent(net, town, plan)
        intents[intent.hostname] = intent
    return intents


__all__ = ["Intent", "RouterIntent", "SipIntent", "build_design"]
