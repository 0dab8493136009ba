"""The internet exchange: peers, BGP sessions, what we announce and what we filter.

Sessions and filters are read from the intents of the edge routers with an IX port, the
same data their configs are rendered from.
"""

from __future__ import annotations

from communet.design import RouterIntent, build_design
from communet.docs.markdown import code, page, section, table
from communet.model.network import Network


def neighbors_table(net: Network) -> str:
    rows = []
    for kind, items in (("route server", net.ix.route_servers), ("bilateral peer", net.ix.peers)):
        for n in items:
            registered = ", ".join(code(p) for p in getattr(n, "prefixes", []))
            rows.append((n.name, kind, f"AS{n.asn}", code(n.v4) if n.v4 else "-", code(n.v6) if n.v6 else "-", n.max_prefix_v4, n.max_prefix_v6,
                         f"MD5 from {code(n.password_secret)}" if n.password_secret else "none", registered))
    return table(["neighbor", "kind", "ASN", "IPv4", "IPv6", "max v4", "max v6", "password", "registered prefixes"],
                 rows)


def sessions_table(edge: RouterIntent) -> str:
    rows = [(code(n.address), n.description, n.kind.replace("_", " "), n.family, n.remote_as, code(n.route_map_in),
             code(n.route_map_out), n.max_prefix, "yes" if n.enforce_first_as else "no",
             n.ttl_security_hops or "")
            for n in edge.bgp.neighbors if n.kind != "ibgp"]
    return table(["address", "neighbor", "kind", "family", "remote AS", "in", "out", "max-prefix", "first AS check",
                  "TTL security hops"], rows)


def route_maps_text(edge: RouterIntent) -> str:
    parts = []
    for rm in edge.route_maps:
        rows = [(e.seq, e.action, e.description, code(e.match_prefix_list),
                 e.set_local_preference or "", "scrub all" if e.set_community_none else (e.set_community or ""))
                for e in rm.entries]
        parts.append(section(f"{code(rm.name)} ({rm.family})", table(
            ["seq", "action", "what", "match prefix-list", "local-pref", "communities"], rows), level=3))
    return "\n\n".join(parts)


def prefix_lists_text(edge: RouterIntent) -> str:
    rows = []
    for pl in edge.prefix_lists:
        entries = ", ".join(
            code(e.prefix + (f" ge {e.ge}" if e.ge else "") + (f" le {e.le}" if e.le else "")) for e in pl.entries)
        rows.append((code(pl.name), pl.family, pl.description, entries or "(empty)"))
    return table(["prefix-list", "family", "what", "entries"], rows)


def ix_edges(net: Network) -> list[RouterIntent]:
    """The intents of the edge routers with an IX port, in the order of the ports."""
    design = build_design(net)
    edges = [design[p.device] for p in net.ix.edge_ports]
    assert all(isinstance(e, RouterIntent) for e in edges)
    return [e for e in edges if isinstance(e, RouterIntent)]


def ports_text(net: Network) -> str:
    ix = net.ix
    return "; ".join(f"{code(p.device)} port {p.port}: {code(p.v4)}, {code(p.v6)}" for p in ix.edge_ports)


def sessions_text(edges: list[RouterIntent]) -> str:
    """One table of sessions per edge router on the IX."""
    if len(edges) == 1:
        return section("BGP sessions", "From the edge router's intent: one session per neighbor and address family.",
                       sessions_table(edges[0]))
    parts = [section(code(e.hostname), sessions_table(e), level=3) for e in edges]
    return section("BGP sessions", "From each edge router's intent: one session per neighbor and address family, "
                   "on every edge router with an IX port.", *parts)


def ix_page(net: Network) -> str:
    ix = net.ix
    edges = ix_edges(net)
    edge = edges[0]
    same = all(e.route_maps == edge.route_maps and e.prefix_lists == edge.prefix_lists for e in edges)
    where = "every edge router on the IX has the same filters" if same else f"as on {code(edge.hostname)}"
    syn = net.syndicate
    return page(
        f"Internet exchange: {ix.name}",
        table(["", ""], [
            ("peering LAN", f"{code(ix.lan_v4)}, {code(ix.lan_v6)} (assigned by the IX, never announced)"),
            ("our port" if len(edges) == 1 else "our ports", ports_text(net)),
            ("our AS", syn.asn),
        ]),
        section("Neighbors", neighbors_table(net)),
        sessions_text(edges),
        section("What we announce", "Only our aggregates, exactly, each held up by a blackhole route on the edge:",
                "\n".join(f"- {code(a)}" for a in syn.aggregates)),
        section("What we filter (MANRS, RFC 7454)",
                "Inbound from the IX we reject bogons, our own space, the default route and prefixes longer than "
                f"/{syn.limits.max_v4_prefixlen} (IPv4) or /{syn.limits.max_v6_prefixlen} (IPv6); from a "
                "bilateral peer we accept only what it registered; communities are scrubbed on everything we "
                "accept; max-prefix caps every session; the first AS of a bilateral peer's path must be its own "
                f"({where}).",
                route_maps_text(edge)),
        section("Prefix-lists", prefix_lists_text(edge)),
    )
