"""Risk lines per device: where a reviewer should look, from comparing two intents.

>>> risks(None, None, config_changed=True)
['rendering only: same intent, different config text (a template changed)']
"""

from __future__ import annotations

from communet.design.intent import Intent, Interface, RouterIntent, SipIntent
from communet.report.policy_risk import firewall_risks


def _by_name(items: tuple[Interface, ...]) -> dict[str, Interface]:
    return {i.name: i for i in items}


def interface_risks(a: RouterIntent, b: RouterIntent) -> list[str]:
    out = []
    old, new = _by_name(a.interfaces), _by_name(b.interfaces)
    for name, i in new.items():
        if name not in old:
            what = f"span to {i.peer}" if i.kind == "span" else i.kind
            out.append(f"adds a {what} ({name})")
    for name, i in old.items():
        if name not in new:
            out.append(f"removes a span to {i.peer} ({name})" if i.kind == "span" else f"removes a {i.kind} ({name})")
    for name in old.keys() & new.keys():
        x, y = old[name], new[name]
        if (x.ipv4, x.ipv6) != (y.ipv4, y.ipv6):
            out.append(f"renumbers an interface ({name})")
        if (x.ospf, x.ospf_cost, x.ospf_passive, x.bfd) != (y.ospf, y.ospf_cost, y.ospf_passive, y.bfd):
            out.append(f"changes OSPF/BFD on {name} (traffic may shift)")
        if x.peer != y.peer:
            out.append(f"repoints {name} from {x.peer} to {y.peer}")
    return sorted(out)


def router_risks(a: RouterIntent, b: RouterIntent) -> list[str]:
    out = interface_risks(a, b)
    ix_a = {n for n in a.bgp.neighbors if n.kind != "ibgp"}
    ix_b = {n for n in b.bgp.neighbors if n.kind != "ibgp"}
    if ix_a != ix_b:
        out.append("touches BGP to the IX")
    if {n for n in a.bgp.neighbors if n.kind == "ibgp"} != {n for n in b.bgp.neighbors if n.kind == "ibgp"}:
        out.append("changes iBGP sessions")
    if (a.prefix_lists, a.route_maps) != (b.prefix_lists, b.route_maps):
        out.append("changes routing policy (prefix-lists, route-maps)")
    if (a.bgp.networks_v4, a.bgp.networks_v6, a.static_routes) != (
        b.bgp.networks_v4,
        b.bgp.networks_v6,
        b.static_routes,
    ):
        out.append("changes what BGP announces")
    if a.ospf != b.ospf:
        out.append("changes the OSPF/BFD process (every adjacency)")
    if (a.loopback_v4, a.loopback_v6) != (b.loopback_v4, b.loopback_v6):
        out.append("renumbers the loopback: router id and iBGP source change")
    if a.platform != b.platform:
        out.append(f"changes platform {a.platform} -> {b.platform}")
    if a.qos_policies != b.qos_policies:
        out.append("changes voice QoS marking")
    if a.management != b.management:
        out.append("changes management access (SSH, SNMP, NTP, syslog)")
    return out + firewall_risks(a.firewall, b.firewall)


def sip_risks(a: SipIntent, b: SipIntent) -> list[str]:
    out = []
    if (a.listen_v4, a.listen_v6, a.port) != (b.listen_v4, b.listen_v6, b.port):
        out.append("renumbers the SIP server: phones must re-register")
    if a.local != b.local:
        out.append("changes the town's own extensions")
    if a.routes != b.routes:
        out.append("changes the dial plan (inter-town routes)")
    if a.peers_v4 != b.peers_v4:
        out.append("changes the trusted SIP peers")
    if a.management != b.management:
        out.append("changes management access")
    return out


def risks(before: Intent | None, after: Intent | None, config_changed: bool = True) -> list[str]:
    """What a reviewer should check on one device; empty when nothing changes."""
    if before is None and after is not None:
        return ["new device: first deployment"]
    if after is None and before is not None:
        return ["device removed: decommission it (its config is deleted)"]
    if isinstance(before, RouterIntent) and isinstance(after, RouterIntent):
        out = router_risks(before, after)
    elif isinstance(before, SipIntent) and isinstance(after, SipIntent):
        out = sip_risks(before, after)
    elif before is not None and after is not None:
        out = [f"device changes kind {before.kind} -> {after.kind}"]
    else:
        out = []
    if not out and config_changed:
        out = ["rendering only: same intent, different config text (a template changed)"]
    return out
