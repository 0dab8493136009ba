"""Router protection on every platform, parsed back from the rendered text and held to the intent.

Expectations come from the router intent's own facts (its BGP neighbours, its span interfaces,
the management pool), never from the protection intent that rendered the filters, so a design
slip that drops a neighbour or lets in a foreign address fails here. IOS-XE and JunOS render
every example router as that platform (``platform_override``); FRR's nftables input chain is
read from the committed ``configs/``.
"""

from __future__ import annotations

import re
import shutil
from functools import cache

import pytest
import yaml
from hier_config import HConfig, Platform, get_hconfig
from netaddr import IPNetwork
from netaddr.ip import IPV6_LINK_LOCAL

from communet import ROOT
from communet.design import RouterIntent, build_design
from communet.design.intent import Family
from communet.filters import junos_ifd, junos_unit
from communet.firewall_filters import ios_operand
from communet.model.load import load_network
from communet.model.network import Network
from communet.render import jinja_env, render_intent
from tests.junos_config import junos_terms

NET = load_network(ROOT / "inventory")
BGP, SSH, SNMP, OSPF_PROTO = 179, 22, 161, 89
BFD_PORTS = {3784, 3785, 4784}


@cache
def routers(platform: str) -> tuple[RouterIntent, ...]:
    return _routers(NET, platform)


def _routers(net: Network, platform: str) -> tuple[RouterIntent, ...]:
    intents = build_design(net, platform_override=platform).values()
    return tuple(i for i in intents if isinstance(i, RouterIntent))


def hostnames(platform: str) -> list[str]:
    return [r.hostname for r in routers(platform)]


def intent_of(platform: str, hostname: str) -> RouterIntent:
    return next(r for r in routers(platform) if r.hostname == hostname)


# --- what the intent says, from the router's own facts ----------------------------------------------------------


def neighbours(intent: RouterIntent, family: Family) -> set[str]:
    return {n.address for n in intent.bgp.neighbors if n.family == family}


def span_prefixes(intent: RouterIntent) -> set[str]:
    return {str(IPNetwork(i.ipv4).cidr) for i in intent.interfaces if i.kind == "span" and i.ipv4}


def span_names(intent: RouterIntent) -> set[str]:
    return {i.name for i in intent.interfaces if i.kind == "span"}


def management(net: Network = NET) -> set[str]:
    return {net.syndicate.pools.management_v4}


# --- IOS-XE -------------------------------------------------------------------------------------------------------


@cache
def ios_tree(hostname: str) -> HConfig:
    return get_hconfig(Platform.CISCO_IOS, render_intent(jinja_env(), intent_of("ios_xe", hostname)))


def ios_entries(tree: HConfig, head: str) -> list[list[str]]:
    """An ACL's entries as words, without hier_config's sequence numbers and without remarks."""
    node = tree.get_child(equals=head)
    assert node is not None, f"{head} missing"
    out = []
    for child in node.children:
        words = child.text.split()
        words = words[1:] if words[0].isdigit() else words
        if words[0] != "remark":
            out.append(words)
    return out


def ios_prefix(operand: list[str], family: Family) -> str | None:
    """``any``, ``host A`` or ``NET WILDCARD`` (IPv4), a prefix (IPv6), back to a prefix."""
    if operand[0] == "any":
        return None
    if operand[0] == "host":
        return str(IPNetwork(operand[1]))
    if family == "ipv6":
        return str(IPNetwork(operand[0]).cidr)
    return str(IPNetwork(f"{operand[0]}/{operand[1]}").cidr)  # netaddr reads a wildcard as a hostmask


def ios_ace(words: list[str], family: Family) -> dict[str, object]:
    """``permit PROTO SRC [eq P] DST [eq P] [icmp-type]`` parsed into its parts."""
    action, proto, rest = words[0], words[1], words[2:]
    out: dict[str, object] = {"action": action, "protocol": proto}
    for side in ("source", "destination"):
        width = 1 if rest[0] == "any" or (family == "ipv6" and rest[0] != "host") else 2
        out[side] = ios_prefix(rest[:width], family)
        rest = rest[width:]
        if rest and rest[0] == "eq":
            out[f"{side}_port"] = int(rest[1])
            rest = rest[2:]
    out["icmp"] = rest[0] if rest else None
    return out


def ios_aces(hostname: str, family: Family) -> list[dict[str, object]]:
    name = "ip access-list extended PROTECT-ROUTER" if family == "ipv4" else "ipv6 access-list PROTECT-ROUTER-V6"
    return [ios_ace(w, family) for w in ios_entries(ios_tree(hostname), name)]


@pytest.mark.parametrize("hostname", hostnames("ios_xe"))
@pytest.mark.parametrize("family", ["ipv4", "ipv6"])
def test_ios_xe_bgp_only_from_configured_neighbours_both_ways(hostname: str, family: Family) -> None:
    intent = intent_of("ios_xe", hostname)
    aces = ios_aces(hostname, family)
    to_us = {a["source"] for a in aces if a.get("destination_port") == BGP}
    from_their_port = {a["source"] for a in aces if a.get("source_port") == BGP}
    want = {str(IPNetwork(a)) for a in neighbours(intent, family)}
    assert want, "every router has BGP neighbours in both families"
    assert to_us == want
    assert from_their_port == want
    assert all(
        a["protocol"] == "tcp" and a["destination"] is None
        for a in aces
        if BGP in (a.get("destination_port"), a.get("source_port"))
    )


@pytest.mark.parametrize("hostname", hostnames("ios_xe"))
def test_ios_xe_ospf_and_bfd_only_from_spans(hostname: str) -> None:
    intent = intent_of("ios_xe", hostname)
    v4, v6 = ios_aces(hostname, "ipv4"), ios_aces(hostname, "ipv6")
    assert {a["source"] for a in v4 if a["protocol"] == "ospf"} == span_prefixes(intent)
    assert {a["source"] for a in v6 if a["protocol"] == str(OSPF_PROTO)} == {str(IPV6_LINK_LOCAL)}
    for aces, want in ((v4, span_prefixes(intent)), (v6, {str(IPV6_LINK_LOCAL)})):
        bfd = [a for a in aces if a.get("destination_port") in BFD_PORTS]
        assert {a["source"] for a in bfd} == want
        assert {a["destination_port"] for a in bfd} == BFD_PORTS
        assert all(a["protocol"] == "udp" for a in bfd)


@pytest.mark.parametrize("hostname", hostnames("ios_xe"))
@pytest.mark.parametrize("family", ["ipv4", "ipv6"])
def test_ios_xe_permits_nothing_from_an_unknown_source_but_icmp(hostname: str, family: Family) -> None:
    """Any source is let in only for ICMP (neighbour discovery, errors, echo replies): every other entry
    names its sources, each one of the intent's neighbours, spans, routers, management or NTP servers."""
    intent = intent_of("ios_xe", hostname)
    ntp = {str(IPNetwork(a)) for a in NET.syndicate.management.ntp if (":" in a) == (family == "ipv6")}
    pools = NET.syndicate.pools
    infra = {pools.loopback_v4, pools.span_v4} if family == "ipv4" else {pools.loopback_v6, pools.span_v6}
    known = (
        {str(IPNetwork(a)) for a in neighbours(intent, family)}
        | (span_prefixes(intent) if family == "ipv4" else {str(IPV6_LINK_LOCAL)})
        | (management() if family == "ipv4" else set())
        | infra
        | ntp
    )
    for ace in ios_aces(hostname, family):
        assert ace["action"] == "permit"
        assert ace["destination"] is None  # CoPP sees only what is addressed to the router
        if ace["source"] is None:
            assert ace["protocol"] == "icmp" and ace["icmp"], ace
        else:
            assert ace["source"] in known, ace


@pytest.mark.parametrize("hostname", hostnames("ios_xe"))
def test_ios_xe_ssh_and_snmp_only_from_management(hostname: str) -> None:
    tree = ios_tree(hostname)
    aces = ios_aces(hostname, "ipv4")
    for port in (SSH, SNMP):
        assert {a["source"] for a in aces if a.get("destination_port") == port} == management()
    assert not [a for a in ios_aces(hostname, "ipv6") if a.get("destination_port") in (SSH, SNMP)]
    mgmt = ios_entries(tree, "ip access-list standard MGMT-ACCESS")
    assert [ios_prefix(w[1:], "ipv4") for w in mgmt[:-1]] == sorted(management())
    assert mgmt[-1] == ["deny", "any", "log"]
    vty = tree.get_child(startswith="line vty")
    assert vty is not None
    assert {"access-class MGMT-ACCESS in", "transport input ssh"} <= {c.text for c in vty.children}
    assert tree.get_child(equals="snmp-server group NMS v3 priv access MGMT-ACCESS") is not None


@pytest.mark.parametrize("hostname", hostnames("ios_xe"))
def test_ios_xe_applies_it_as_control_plane_policy(hostname: str) -> None:
    tree = ios_tree(hostname)
    cp = tree.get_child(equals="control-plane")
    assert cp is not None
    assert [c.text for c in cp.children] == ["service-policy input PROTECT-ROUTER"]
    policy = tree.get_child(equals="policy-map PROTECT-ROUTER")
    assert policy is not None
    classes = [c.text for c in policy.children]
    assert classes == ["class PROTECT-ROUTER", "class PROTECT-ROUTER-OTHER", "class class-default"]
    (permitted, other, default) = policy.children
    assert not permitted.children and not default.children  # ARP and other non-IP punts keep the platform's own path
    (police,) = other.children
    assert re.fullmatch(r"police cir \d+ conform-action drop exceed-action drop", police.text)
    for name in ("PROTECT-ROUTER", "PROTECT-ROUTER-OTHER"):
        cmap = tree.get_child(equals=f"class-map match-any {name}")
        assert cmap is not None
        assert {c.text for c in cmap.children} == {
            f"match access-group name {name}",
            f"match access-group name {name}-V6",
        }
    assert ios_entries(tree, "ip access-list extended PROTECT-ROUTER-OTHER") == [["permit", "ip", "any", "any"]]
    assert ios_entries(tree, "ipv6 access-list PROTECT-ROUTER-OTHER-V6") == [["permit", "ipv6", "any", "any"]]


# --- JunOS --------------------------------------------------------------------------------------------------------


def parsed_junos(intent: RouterIntent) -> tuple[str, ...]:
    text = render_intent(jinja_env(), intent)
    return tuple(c.text for c in get_hconfig(Platform.JUNIPER_JUNOS, text).children)


@cache
def junos_lines(hostname: str) -> tuple[str, ...]:
    return parsed_junos(intent_of("junos", hostname))


def prefix_lists(lines: tuple[str, ...]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for line in lines:
        if line.startswith("set policy-options prefix-list "):
            _, _, _, name, prefix = line.split()
            out.setdefault(name, set()).add(str(IPNetwork(prefix)))
    return out


def matches(term: list[str], what: str) -> list[str]:
    return [line.split(" ", 2)[2] for line in term if line.startswith(f"from {what} ")]


FILTERS = (("ipv4", "inet", "PROTECT-ROUTER", "protocol"), ("ipv6", "inet6", "PROTECT-ROUTER-V6", "next-header"))


@pytest.mark.parametrize("hostname", hostnames("junos"))
@pytest.mark.parametrize(("family", "junos_family", "name", "proto"), FILTERS)
def test_junos_filter_on_lo0_input_ends_in_a_counted_discard(
    hostname: str, family: Family, junos_family: str, name: str, proto: str
) -> None:
    intent = intent_of("junos", hostname)
    lines = junos_lines(hostname)
    (lo,) = [i for i in intent.interfaces if i.kind == "loopback"]
    unit = f"set interfaces {junos_ifd(lo.name)} unit {junos_unit(lo.name)}"
    assert f"{unit} family {junos_family} filter input {name}" in lines
    assert not any(line.startswith("set firewall") and "PROTECT-RE " in line for line in lines)
    terms = junos_terms(lines, junos_family, name)
    *accepting, last = terms
    assert last == "discard"
    assert terms["discard"][-1] == "then discard" and any(t.startswith("then count ") for t in terms["discard"])
    assert not [line for line in terms["discard"] if line.startswith("from ")]
    defined = prefix_lists(lines)
    for term in accepting:
        assert terms[term][-1] == "then accept"
        assert matches(terms[term], proto), f"term {term} names its protocol"
        for plist in matches(terms[term], "source-prefix-list"):
            assert plist in defined, f"term {term}: prefix-list {plist} undefined"


def term_sources(hostname: str, junos_family: str, name: str, term: str) -> set[str]:
    lines = junos_lines(hostname)
    (plist,) = matches(junos_terms(lines, junos_family, name)[term], "source-prefix-list")
    return prefix_lists(lines)[plist]


@pytest.mark.parametrize("hostname", hostnames("junos"))
@pytest.mark.parametrize(("family", "junos_family", "name", "proto"), FILTERS)
def test_junos_bgp_term_holds_exactly_the_neighbours(
    hostname: str, family: Family, junos_family: str, name: str, proto: str
) -> None:
    intent = intent_of("junos", hostname)
    term = junos_terms(junos_lines(hostname), junos_family, name)["bgp"]
    assert matches(term, "port") == [str(BGP)]  # source or destination port: both directions
    assert matches(term, proto) == ["tcp"]
    assert term_sources(hostname, junos_family, name, "bgp") == {str(IPNetwork(a)) for a in neighbours(intent, family)}


@pytest.mark.parametrize("hostname", hostnames("junos"))
def test_junos_ospf_and_bfd_only_from_spans(hostname: str) -> None:
    intent = intent_of("junos", hostname)
    lines = junos_lines(hostname)
    for junos_family, name, want in (
        ("inet", "PROTECT-ROUTER", span_prefixes(intent)),
        ("inet6", "PROTECT-ROUTER-V6", {str(IPV6_LINK_LOCAL)}),
    ):
        terms = junos_terms(lines, junos_family, name)
        proto = "protocol" if junos_family == "inet" else "next-header"
        assert matches(terms["ospf"], proto) == ["ospf"]
        assert {int(p) for p in matches(terms["bfd"], "destination-port")} == BFD_PORTS
        for term in ("ospf", "bfd"):
            assert term_sources(hostname, junos_family, name, term) == want
            if junos_family == "inet6":  # link-local sources: also held to the span interfaces
                assert set(matches(terms[term], "interface")) == span_names(intent)
        others = [t for t, body in terms.items() if t not in ("ospf", "discard") and "ospf" in matches(body, proto)]
        assert not others


@pytest.mark.parametrize("hostname", hostnames("junos"))
def test_junos_ssh_and_snmp_only_from_management(hostname: str) -> None:
    lines = junos_lines(hostname)
    terms = junos_terms(lines, "inet", "PROTECT-ROUTER")
    for term, port in (("ssh", SSH), ("snmp", SNMP)):
        assert matches(terms[term], "destination-port") == [str(port)]
        assert term_sources(hostname, "inet", "PROTECT-ROUTER", term) == management()
    v6 = junos_terms(lines, "inet6", "PROTECT-ROUTER-V6")
    assert "ssh" not in v6 and "snmp" not in v6  # the management network is IPv4; no role reaches it here


@pytest.mark.parametrize("hostname", hostnames("junos"))
def test_junos_any_source_only_for_icmp(hostname: str) -> None:
    lines = junos_lines(hostname)
    for junos_family, name, proto in (
        ("inet", "PROTECT-ROUTER", "protocol"),
        ("inet6", "PROTECT-ROUTER-V6", "next-header"),
    ):
        for term, body in junos_terms(lines, junos_family, name).items():
            if term != "discard" and not matches(body, "source-prefix-list"):
                assert matches(body, proto) in (["icmp"], ["icmp6"]) and matches(body, "icmp-type"), term


# --- FRR: the nftables input chain --------------------------------------------------------------------------------

FRR = [r for r in build_design(NET).values() if isinstance(r, RouterIntent) and r.platform == "frr"]


def input_chain(hostname: str) -> list[str]:
    text = (ROOT / "configs" / f"{hostname}.nft").read_text(encoding="utf-8")
    body = text.split("chain input {", 1)[1].split("\n\t}", 1)[0]
    return [line.strip() for line in body.splitlines() if line.strip()]


def nft_elements(rule: str, key: str) -> set[str]:
    """The values after ``key`` in a rule: one value or an anonymous set ``{ a, b }``."""
    m = re.search(rf"{key} (\{{ [^}}]+ \}}|\S+)", rule)
    assert m, f"{key} not in {rule}"
    return {v.strip().strip('"') for v in m.group(1).strip("{} ").split(",")}


@pytest.mark.parametrize("intent", FRR, ids=[r.hostname for r in FRR])
def test_frr_input_chain_accepts_only_what_the_intent_allows(intent: RouterIntent) -> None:
    """Policy drop; every accept is one of the kinds below, each from the intent's own sources.
    Replies to sessions the router opens (BGP from the neighbour's port 179, NTP) pass by conntrack,
    which comes before every other accept."""
    rules = input_chain(intent.hostname)
    assert rules[0] == "type filter hook input priority filter; policy drop;"
    states = rules.index("ct state established,related accept")
    accepts = [r for r in rules[1:] if r.endswith("accept") or " accept comment " in r]
    mgmt_if = intent.management.interface
    for rule in accepts:
        if rule in ('iif "lo" accept', "ct state established,related accept"):
            continue
        if rule.startswith(("icmp type", "icmpv6 type")):
            assert "echo-request" not in rule.split(" accept", 1)[0].split("type", 1)[1]
            continue
        assert rules.index(rule) > states or rule.startswith("icmpv6 type { nd-")
        if "tcp dport 179" in rule:
            family: Family = "ipv4" if rule.startswith("ip ") else "ipv6"
            assert nft_elements(rule, "saddr") == neighbours(intent, family)
        elif "tcp dport 22" in rule or "udp dport 161" in rule:
            assert nft_elements(rule, "iifname") == {mgmt_if}
            assert nft_elements(rule, "saddr") == management()
        elif "meta l4proto ospf" in rule or "udp dport" in rule:
            assert nft_elements(rule, "iifname") == span_names(intent)
            if "udp dport" in rule:
                assert {int(p) for p in nft_elements(rule, "dport")} == BFD_PORTS
        elif "echo-request" in rule:
            pools = NET.syndicate.pools
            allowed = {pools.loopback_v4, pools.span_v4, pools.loopback_v6, pools.span_v6} | management()
            assert nft_elements(rule, "saddr") <= allowed
        else:
            pytest.fail(f"unexpected accept in {intent.hostname}'s input chain: {rule}")
    assert rules[-1].startswith("counter")
    assert any("tcp dport 179" in r and r.startswith("ip6 ") for r in accepts)


# --- a role that reaches router management, both families ---------------------------------------------------------


@pytest.fixture(scope="module")
def managed_net(tmp_path_factory: pytest.TempPathFactory) -> Network:
    """The example with its widest role (internet and its own town) allowed to manage routers (SSH, SNMP)."""
    inventory = tmp_path_factory.mktemp("managed") / "inventory"
    shutil.copytree(ROOT / "inventory", inventory)
    path = inventory / "syndicate.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    role = next(r for r, p in data["segment_policy"].items() if "internet" in p["reach"] and "own_town" in p["reach"])
    data["segment_policy"][role]["reach"].append("router_management")
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return load_network(inventory)


def managing_segments(net: Network, family: Family) -> set[str]:
    from communet.design.firewall import segments
    from communet.model.policy import role_policy

    return {
        s.v4 if family == "ipv4" else s.v6
        for s in segments(net)
        if "router_management" in role_policy(net.syndicate, s.role).reach
    }


def test_a_managing_role_reaches_ssh_and_snmp_on_every_platform(managed_net: Network) -> None:
    v4, v6 = managing_segments(managed_net, "ipv4"), managing_segments(managed_net, "ipv6")
    assert v4 and v6
    ios = _routers(managed_net, "ios_xe")[0]
    tree = get_hconfig(Platform.CISCO_IOS, render_intent(jinja_env(), ios))
    std = ios_entries(tree, "ip access-list standard MGMT-ACCESS")
    assert {ios_prefix(w[1:], "ipv4") for w in std[:-1]} == management(managed_net) | v4
    v6_acl = ios_entries(tree, "ipv6 access-list MGMT-ACCESS-V6")
    assert {ios_prefix(w[2:3], "ipv6") for w in v6_acl[:-1]} == v6
    assert v6_acl[-1] == ["deny", "ipv6", "any", "any", "log"]
    vty = tree.get_child(startswith="line vty")
    assert vty is not None and "ipv6 access-class MGMT-ACCESS-V6 in" in {c.text for c in vty.children}
    snmp = "snmp-server group NMS v3 priv access ipv6 MGMT-ACCESS-V6 MGMT-ACCESS"
    assert tree.get_child(equals=snmp) is not None
    v6_aces = [ios_ace(w, "ipv6") for w in ios_entries(tree, "ipv6 access-list PROTECT-ROUTER-V6")]
    assert {a["source"] for a in v6_aces if a.get("destination_port") == SSH} == v6
    junos = _routers(managed_net, "junos")[0]
    lines = parsed_junos(junos)
    terms = junos_terms(lines, "inet6", "PROTECT-ROUTER-V6")
    (plist,) = matches(terms["ssh"], "source-prefix-list")
    assert prefix_lists(lines)[plist] == v6
    assert ios_operand(sorted(v6)[0], "ipv6") in render_intent(jinja_env(), ios)
