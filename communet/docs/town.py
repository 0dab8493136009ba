"""One page per town: sites, segments, spans, telephony, phase."""

from __future__ import annotations

from netaddr import IPNetwork

from communet import addressing as ad
from communet.design.router import segment_prefixes, span_cost
from communet.docs.markdown import code, link, page, section, table
from communet.model.network import Network
from communet.model.site import Town

PHASES = {
    "planned": "in the source of truth only: not rendered, not deployed",
    "staged": "rendered and deployed, joining the network",
    "active": "rendered, deployed and in service",
}


def segments_table(net: Network, town: Town) -> str:
    syn = net.syndicate
    rows = []
    for role, v4, v6 in segment_prefixes(syn, town):
        spec = syn.segment_roles[role]
        rows.append((role, spec.vlan, code(v4), code(ad.host(v4, 1)), code(v6), code(ad.host(v6, 1)),
                     spec.description))
    return table(["segment", "VLAN", "IPv4 prefix", "IPv4 gateway", "IPv6 prefix", "IPv6 gateway", "what"], rows)


def spans_table(net: Network, town: Town) -> str:
    syn = net.syndicate
    rt = town.router.hostname
    rows = []
    for site, span in sorted(net.spans(live_only=False), key=lambda s: s[1].id):
        if rt not in (span.local.device, span.remote.device):
            continue
        local = span.local.device == rt
        here, there = (span.local, span.remote) if local else (span.remote, span.local)
        v4, v6 = ad.span_v4(syn, span.id), ad.span_v6(syn, span.id)
        rows.append((span.id, f"port {here.port}", f"{there.device} port {there.port}", span.fiber,
                     span.provider, code(span.circuit), f"{span.length_km:g}", span_cost(span),
                     code(ad.span_end(v4, local)), code(ad.span_end(v6, local)),
                     "here" if site.name == town.name else net.file_of(site.name)))
    if not rows:
        return "No span connects this town yet: add one under `spans:` in its file."
    return table(["span", "here", "far end", "fiber", "provider", "circuit", "km", "OSPF cost", "IPv4", "IPv6",
                  "defined in"], rows)


def router_table(net: Network, town: Town) -> str:
    syn = net.syndicate
    r = town.router
    mgmt = f"{ad.management(syn, r.id)}/{IPNetwork(syn.pools.management_v4).prefixlen}"
    return table(["router", "id", "platform", "loopback v4", "loopback v6", "management"],
                 [(code(r.hostname), r.id, r.platform, code(ad.loopback_v4(syn, r.id)),
                   code(ad.loopback_v6(syn, r.id)), code(mgmt))])


def telephony(net: Network, town: Town) -> str:
    tel = town.telephony
    if tel is None:
        return "This town has no telephony of its own."
    v4, v6 = ad.sip_address(net.syndicate, town)
    ext = tel.extensions
    return table(["", ""], [
        ("extensions", f"{ext.first}-{ext.last} ({ext.last - ext.first + 1} numbers)"),
        ("SIP server", f"{code(tel.sip_server.hostname or town.name + '-sip')} (device id {tel.sip_server.id})"),
        ("SIP address", f"{code(v4)}, {code(v6)}, port {net.syndicate.telephony.qos.sip_port}"),
        ("SIP domain", code(net.syndicate.telephony.domain)),
        ("phones in the lab", tel.phones),
    ])


def town_page(net: Network, town: Town) -> str:
    syn = net.syndicate
    return page(
        f"{town.display_name or town.name}",
        f"{link('overview', '../README.md')} · source: `{net.file_of(town.name)}`",
        table(["", ""], [
            ("phase", f"**{town.phase}**: {PHASES[town.phase]}"),
            ("site id", town.id),
            ("site blocks", f"{code(ad.site_block_v4(syn, town.id))}, {code(ad.site_block_v6(syn, town.id))}"),
        ]),
        f"![{town.name} segments](../diagrams/town-{town.name}.svg)",
        section("Router", router_table(net, town)),
        section("Segments", segments_table(net, town)),
        section("Spans", spans_table(net, town)),
        section("Telephony", telephony(net, town)),
    )
