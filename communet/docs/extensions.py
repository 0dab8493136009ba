"""The extension plan: which town owns which numbers, where calls go, what is free."""

from __future__ import annotations

from itertools import pairwise

from communet import addressing as ad
from communet.docs.markdown import code, link, page, section, table
from communet.model.network import Network


def ranges(net: Network) -> list[tuple[int, int, str]]:
    return sorted((t.telephony.extensions.first, t.telephony.extensions.last, t.name)
                  for t in net.towns if t.telephony)


def gaps(net: Network) -> list[tuple[int, int]]:
    """Unused numbers between the lowest and highest range, of the same digit count."""
    out = []
    taken = ranges(net)
    for (_, last, _), (first, _, _) in pairwise(taken):
        if first > last + 1 and len(str(last + 1)) == len(str(first - 1)):
            out.append((last + 1, first - 1))
    return out


def extensions_page(net: Network) -> str:
    syn = net.syndicate
    rows = []
    for t in net.towns:
        if not t.telephony:
            continue
        ext = t.telephony.extensions
        v4, _ = ad.sip_address(syn, t)
        rows.append((f"{ext.first}-{ext.last}", ext.last - ext.first + 1, link(t.display_name or t.name,
                     f"towns/{t.name}.md"), t.phase, code(t.sip_hostname),
                     code(v4)))
    without = [t.name for t in net.towns if not t.telephony]
    free = gaps(net)
    highest = max((last for _, last, _ in ranges(net)), default=None)
    qos = syn.telephony.qos
    return page(
        "Extension plan",
        f"SIP domain {code(syn.telephony.domain)}. Each town owns a range; a call to another town's range is "
        "routed by its prefix over the backbone to that town's SIP server. Only staged and active towns are "
        "in the dial plan.",
        table(["extensions", "numbers", "town", "phase", "SIP server", "address"], rows),
        section("Towns without telephony", ", ".join(without)) if without else "",
        section("Free ranges",
                "\n".join(f"- {a}-{b}" for a, b in free) if free else "No gaps between the ranges in use.",
                f"Next range after the highest in use: from {highest + 1}." if highest is not None else ""),
        section("Voice marking", table(["traffic", "DSCP", "ports"], [
            ("RTP media", f"{qos.media_dscp} (EF)" if qos.media_dscp == 46 else qos.media_dscp,
             f"UDP {qos.rtp_ports[0]}-{qos.rtp_ports[1]}"),
            ("SIP signalling", f"{qos.signalling_dscp} (CS3)" if qos.signalling_dscp == 24 else qos.signalling_dscp,
             f"UDP and TCP {qos.sip_port}"),
        ])),
    )
