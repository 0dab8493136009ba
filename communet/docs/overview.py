"""The entry page: the syndicate at a glance, the backbone diagram, what a fiber cut isolates."""

from __future__ import annotations

from collections import defaultdict

from communet import addressing as ad
from communet.docs.markdown import code, link, page, section, table
from communet.model.network import Network
from communet.model.site import Span


def isolated_by(net: Network, cut: Span) -> list[str]:
    """Live routers that lose every path to the data center when ``cut`` fails."""
    links: dict[str, set[str]] = defaultdict(set)
    for _, span in net.spans():
        if span.id != cut.id:
            links[span.local.device].add(span.remote.device)
            links[span.remote.device].add(span.local.device)
    start = [r.hostname for r in net.datacenter.routers]
    seen = set(start)
    while start:
        for nxt in links[start.pop()] - seen:
            seen.add(nxt)
            start.append(nxt)
    return sorted(r.hostname for _, r in net.routers() if r.hostname not in seen)


def resilience(net: Network) -> str:
    rows = [(span.id, f"{span.local.device} - {span.remote.device}", span.fiber, ", ".join(cut))
            for _, span in sorted(net.spans(), key=lambda s: s[1].id) if (cut := isolated_by(net, span))]
    if not rows:
        return "No single span cut isolates a live router from the data center."
    return ("These live spans are single points of failure: cutting one isolates the routers named.\n\n"
            + table(["span", "between", "fiber", "isolates"], rows))


def towns_table(net: Network) -> str:
    rows = []
    for t in net.towns:
        ext = f"{t.telephony.extensions.first}-{t.telephony.extensions.last}" if t.telephony else ""
        rows.append((link(t.display_name or t.name, f"towns/{t.name}.md"), t.phase, t.id, code(t.router.hostname),
                     code(ad.site_block_v4(net.syndicate, t.id)), ", ".join(t.segments), ext))
    return table(["town", "phase", "site id", "router", "block", "segments", "extensions"], rows)


def datacenter(net: Network) -> str:
    syn = net.syndicate
    rows = [(code(r.hostname), r.role, r.id, r.platform, code(ad.loopback_v4(syn, r.id)),
             code(ad.loopback_v6(syn, r.id)), "yes" if r.hostname in syn.routing.route_reflectors else "")
            for r in net.datacenter.routers]
    return table(["router", "role", "id", "platform", "loopback v4", "loopback v6", "route reflector"], rows)


def overview_page(net: Network) -> str:
    syn = net.syndicate
    spans = list(net.spans())  # live spans, as `communet validate` counts them
    planned = sum(1 for _ in net.spans(live_only=False)) - len(spans)
    leased = sum(1 for _, s in spans if s.fiber == "leased")
    t = syn.routing.ospf_timers
    facts = table(["", ""], [
        ("AS number", syn.asn),
        ("aggregates announced", ", ".join(code(a) for a in syn.aggregates)),
        ("towns", f"{len(net.towns)} ({len(net.live_towns)} staged or active)"),
        ("spans", f"{len(spans)} live ({leased} leased)" + (f", {planned} more planned" if planned else "")),
        ("underlay", f"OSPF area {syn.routing.ospf_area}, hello {syn.routing.ospf_timers.hello_s} s "
                     f"dead {syn.routing.ospf_timers.dead_s} s, BFD {syn.routing.bfd.interval_ms} ms "
                     f"x {syn.routing.bfd.multiplier}, SPF {t.spf_delay_ms}/{t.spf_hold_ms}/{t.spf_max_ms} ms, "
                     f"LSA every {t.lsa_min_interval_ms} ms at most"),
        ("route reflectors", ", ".join(code(r) for r in syn.routing.route_reflectors)),
        ("internet exchange", link(net.ix.name, "ix.md")),
    ])
    pages = "\n".join(f"- {link(text, target)}" for text, target in (
        ("IP plan: pools, allocations, free space", "ip-plan.md"),
        ("Extension plan", "extensions.md"),
        ("Internet exchange: peers, sessions, filters", "ix.md"),
        ("Segment policy: what each role may reach", "policy.md"),
        ("Inventory format reference", "inventory.md"),
        ("What verify checks", "verify.md"),
        ("Worked example: adding a town", "worked-example.md"),
    ))
    return page(
        f"{syn.name}: network overview",
        "Everything on these pages is generated from `inventory/` by `communet docs`.",
        facts,
        section("Pages", pages),
        section("Backbone", "![backbone topology](diagrams/backbone.svg)"),
        section("Towns", towns_table(net)),
        section("Data center", datacenter(net)),
        section("Single points of failure", resilience(net)),
    )
