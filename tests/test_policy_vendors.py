"""The segment policy on IOS-XE and JunOS: the rendered ACLs and filters, parsed back, match the intent."""

from __future__ import annotations

from functools import cache

import pytest
from hier_config import Platform, get_hconfig
from netaddr import IPNetwork

from communet import ROOT
from communet.design import RouterIntent, build_design
from communet.design.acl import AclEntry
from communet.design.firewall_intent import SegmentFilter
from communet.filters import junos_ifd, junos_unit
from communet.firewall_filters import ios_member
from communet.model.load import load_network
from communet.render import jinja_env, render_intent
from tests.junos_config import junos_terms

NET = load_network(ROOT / "inventory")


@cache
def design(platform: str) -> dict[str, RouterIntent]:
    return {h: i for h, i in build_design(NET, platform).items() if isinstance(i, RouterIntent)}


def with_segments(platform: str) -> list[RouterIntent]:
    return [i for i in design(platform).values() if i.firewall and i.firewall.segments]


def ios_operand(prefix: str | None) -> str:
    if prefix is None:
        return "any"
    net = IPNetwork(prefix)
    if net.version == 6:
        return f"host {net.ip}" if net.prefixlen == 128 else str(net.cidr)
    return f"host {net.ip}" if net.prefixlen == 32 else f"{net.network} {net.hostmask}"


@pytest.mark.parametrize("intent", with_segments("ios_xe"), ids=lambda i: i.hostname)
def test_ios_xe_segment_acls_parse_back_to_the_intent(intent: RouterIntent) -> None:
    tree = get_hconfig(Platform.CISCO_IOS, render_intent(jinja_env(), intent))
    assert intent.firewall is not None
    for seg in intent.firewall.segments:
        for head, acl in (
            (f"ip access-list extended {seg.name}", seg.acl_v4),
            (f"ipv6 access-list {seg.name}-V6", seg.acl_v6),
        ):
            node = tree.get_child(equals=head)
            assert node is not None, f"{head} missing on {intent.hostname}"
            # hier_config numbers ACL entries (10, 20, ...) as IOS shows them
            lines = [c.text.split(" ", 1)[1] if c.text.split()[0].isdigit() else c.text for c in node.children]
            assert len(lines) == len(acl)
            for line, entry in zip(lines, acl, strict=True):
                words = line.split()
                assert words[0] == entry.action
                if entry.group:
                    assert f"object-group {entry.group}" in line
                else:
                    assert ios_operand(entry.destination) in line
                assert (entry.source is None) == (words[2] == "any")
            assert lines[-1] in ("deny ip any any", "deny ipv6 any any")
        for family, kind in (("ipv4", "network"), ("ipv6", "v6-network")):
            for name, members in seg.groups(family):
                group = tree.get_child(equals=f"object-group {kind} {name}")
                assert group is not None, f"object-group {name} missing on {intent.hostname}"
                assert [c.text for c in group.children] == [ios_member(m) for m in members]
        iface = tree.get_child(equals=f"interface {seg.interface}")
        assert iface is not None
        assert {
            f"ip access-group {seg.name} in",
            f"ipv6 traffic-filter {seg.name}-V6 in",
            "ip verify unicast source reachable-via rx",
            "ipv6 verify unicast source reachable-via rx",
        } <= {c.text for c in iface.children}


def internet_permit(seg: SegmentFilter, acl: tuple[AclEntry, ...], prefix: str) -> bool:
    return any(
        e.action == "permit"
        and e.source == prefix
        and e.destination is None
        and e.group is None
        and not e.established
        and e.icmp_type is None
        and e.src_ports is None
        for e in acl
    )


@pytest.mark.parametrize("intent", with_segments("ios_xe"), ids=lambda i: i.hostname)
def test_only_internet_roles_permit_any_destination(intent: RouterIntent) -> None:
    assert intent.firewall is not None
    for seg in intent.firewall.segments:
        internet = any(r.what == "internet" for r in seg.from_segment)
        assert internet_permit(seg, seg.acl_v4, seg.prefix_v4) == internet
        assert internet_permit(seg, seg.acl_v6, seg.prefix_v6) == internet
        for rule in seg.from_segment:
            acl = seg.acl_v4 if rule.family == "ipv4" else seg.acl_v6
            if rule.grouped:  # one entry per port names the class's group, which lists every destination
                assert any(e.group == rule.group and e.action == "permit" for e in acl), (seg.role, rule.group)
                assert dict(seg.groups(rule.family))[rule.group] == rule.members()
                continue
            for dst in rule.members():
                assert any(e.destination == dst and e.action == "permit" for e in acl), (seg.role, dst)


@pytest.mark.parametrize("intent", with_segments("ios_xe"), ids=lambda i: i.hostname)
def test_an_acl_does_not_grow_with_the_towns_its_groups_do(intent: RouterIntent) -> None:
    """One entry per class and port: the towns a class spans are members of its group, not entries."""
    assert intent.firewall is not None
    for seg in intent.firewall.segments:
        for rule in seg.from_segment:
            acl = seg.acl_v4 if rule.family == "ipv4" else seg.acl_v6
            if rule.outside:
                continue
            mine = [e for e in acl if e.remark == rule.comment and e.source is not None]
            assert len(mine) == (len(rule.ports) or 1) * (1 if rule.grouped else len(rule.destinations))


@pytest.mark.parametrize("intent", with_segments("junos"), ids=lambda i: i.hostname)
def test_junos_segment_filters_parse_back_to_the_intent(intent: RouterIntent) -> None:
    lines = render_intent(jinja_env(), intent).splitlines()
    assert intent.firewall is not None
    for seg in intent.firewall.segments:
        for family, name, acl in (("inet", seg.name, seg.acl_v4), ("inet6", f"{seg.name}-V6", seg.acl_v6)):
            terms = junos_terms(lines, family, name)
            policy = [t for t in terms if t.startswith("t")]
            assert len(policy) == len(acl)
            for term, entry in zip(policy, acl, strict=True):
                want = "then accept" if entry.action == "permit" else "then discard"
                assert terms[term][-1] == want
                if entry.group:
                    assert f"from destination-prefix-list {entry.group}" in terms[term]
                elif entry.destination:
                    assert f"from destination-address {entry.destination}" in terms[term]
            marks = [t for t in terms if t.startswith("mark-")]
            assert len(marks) == len(seg.marking)
            assert all(terms[t][-1] == "then next term" for t in marks)
        for family in ("ipv4", "ipv6"):
            for name, members in seg.groups(family):
                listed = [
                    line.rsplit(" ", 1)[1]
                    for line in lines
                    if line.startswith(f"set policy-options prefix-list {name} ")
                ]
                assert listed == list(members)
        unit = f"set interfaces {junos_ifd(seg.interface)} unit {junos_unit(seg.interface)}"
        for family, name in (("inet", seg.name), ("inet6", f"{seg.name}-V6")):
            assert f"{unit} family {family} filter input {name}" in lines
            assert f"{unit} family {family} rpf-check" in lines
