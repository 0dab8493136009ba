"""The segment policy as a matrix: per segment role, which destination classes it may reach.

Read from ``syndicate.yml`` (``segment_policy``) through the same functions the firewall
design uses, so the page shows what every router enforces.
"""

from __future__ import annotations

from communet.docs.markdown import code, page, section, table
from communet.model.network import Network
from communet.model.policy import DESTINATIONS, MEANING, role_policy, telephony_role


def matrix_table(net: Network) -> str:
    syn = net.syndicate
    qos = syn.telephony.qos
    rows = []
    for role in syn.segment_roles:
        pol = role_policy(syn, role)
        marks = ["yes" if d in pol.reach else "no" for d in DESTINATIONS]
        ports = (
            "any" if pol.ports == "any" else f"SIP {qos.sip_port} (UDP, TCP), RTP {qos.rtp_ports[0]}-{qos.rtp_ports[1]}"
        )
        declared = "" if role in syn.segment_policy else " (no policy: its own segment only)"
        rows.append((f"{role}{declared}", *marks, ports))
    return table(["role \\ may reach", *(MEANING[d] for d in DESTINATIONS), "ports"], rows)


def rules_text(net: Network) -> str:
    phones = telephony_role(net.syndicate)
    return "\n".join(
        [
            "- Stateful: replies to an allowed flow always pass (conntrack `established,related`); a rule only says"
            " which flows may *start*. Another role of another town is in no class: always refused.",
            "- Enforced on the router each segment hangs off, where its traffic enters the network, with strict"
            " uRPF on its sources (a forged source is dropped there). Into a segment, new flows come only from"
            " segments (never from the internet or the IX); data-center segments also take the routers' own"
            " NTP and syslog.",
            "- The routers themselves: SSH and SNMP only from the management network"
            f" ({code(net.syndicate.pools.management_v4)}) and the roles that reach router management, BGP only"
            " from configured neighbours, OSPF and BFD only on spans, ping from routers and management:"
            " the nftables input chain on FRR, lo0 input filters on JunOS, an infrastructure ACL pair in"
            " the control-plane policy on IOS-XE (see ARCHITECTURE.md).",
            "- "
            + (
                f"Phones and SIP servers live on the {code(phones)} segments (the role with `telephony: true`)."
                if phones
                else "No role declares telephony."
            ),
            "- Its own segment is switched, not routed: the access switch or access point enforces it, not a router.",
            "- Rendered as nftables on FRR routers (`configs/<router>.nft`), ACLs on IOS-XE, firewall filters on"
            " JunOS; `communet verify --family policy` probes the matrix with real packets in the lab.",
        ]
    )


def policy_page(net: Network) -> str:
    return page(
        "Segment policy",
        "Which destination classes each segment role may reach, from `segment_policy` in `syndicate.yml`.",
        section("Matrix", matrix_table(net)),
        section("How it is enforced", rules_text(net)),
    )
