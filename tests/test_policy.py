"""Segment policy: a role's behaviour from what it declares, the firewall intent from the policy."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from netaddr import IPNetwork

from communet import ROOT
from communet.design import build_design
from communet.design.firewall import segments, targets
from communet.design.intent import RouterIntent, SipIntent
from communet.model.load import load_network
from communet.model.policy import role_policy, telephony_role

NET = load_network(ROOT / "inventory")
INTENTS = build_design(NET)
ROUTERS = [i for i in INTENTS.values() if isinstance(i, RouterIntent)]


def renamed(tmp_path: Path, old: str, new: str) -> Path:
    """The example inventory with segment role ``old`` called ``new`` everywhere."""
    inv = tmp_path / "inventory"
    shutil.copytree(ROOT / "inventory", inv)
    for path in inv.rglob("*.yml"):
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(rf"\b{old}\b(?=[:,\]])", new, text), encoding="utf-8")
    return inv


def test_the_telephony_role_is_the_one_that_declares_it_not_a_name(tmp_path: Path) -> None:
    role = telephony_role(NET.syndicate)
    assert role is not None
    net = load_network(renamed(tmp_path, role, "voix"))
    assert telephony_role(net.syndicate) == "voix"
    design = build_design(net)
    sips = [i for i in design.values() if isinstance(i, SipIntent)]
    assert len(sips) == len([i for i in INTENTS.values() if isinstance(i, SipIntent)])
    # same SIP servers, same QoS marking, same firewall: only the role's name differs
    for name, intent in design.items():
        before = INTENTS[name]
        if isinstance(intent, RouterIntent):
            assert isinstance(before, RouterIntent)
            assert [i.qos_policy for i in intent.interfaces] == [i.qos_policy for i in before.interfaces]
            assert intent.firewall is not None and before.firewall is not None
            assert [s.from_segment for s in intent.firewall.segments] == [
                s.from_segment for s in before.firewall.segments
            ]
        else:
            assert intent == before


def test_a_role_reaching_only_the_internet_gets_only_outside_rules() -> None:
    only_internet = [r for r, p in NET.syndicate.segment_policy.items() if p.reach == ["internet"]]
    assert only_internet, "the example ships a role that reaches only the internet"
    for router in ROUTERS:
        assert router.firewall is not None
        for seg in router.firewall.segments:
            if seg.role in only_internet:
                assert seg.from_segment and all(rule.outside and not rule.destinations for rule in seg.from_segment)


def test_telephony_ports_restrict_every_rule_of_the_role() -> None:
    qos = NET.syndicate.telephony.qos
    for router in ROUTERS:
        assert router.firewall is not None
        for seg in router.firewall.segments:
            if role_policy(NET.syndicate, seg.role).ports == "telephony":
                ports = {(p.protocol, p.first, p.last) for r in seg.from_segment for p in r.ports}
                assert ports == {
                    ("udp", qos.sip_port, qos.sip_port),
                    ("tcp", qos.sip_port, qos.sip_port),
                    ("udp", *qos.rtp_ports),
                }
                assert all(rule.ports for rule in seg.from_segment)


def test_targets_follow_the_declared_classes_only() -> None:
    every = segments(NET)
    for seg in every:
        declared = set(role_policy(NET.syndicate, seg.role).reach)
        for t in targets(NET, seg, every):
            assert t.what in declared
            for prefix in t.prefixes:
                mine = [IPNetwork(seg.v4), IPNetwork(seg.v6)]
                assert not any(IPNetwork(prefix).version == m.version and IPNetwork(prefix) in m for m in mine)


def test_routers_take_ssh_only_from_management_and_bgp_only_from_neighbours() -> None:
    for router in ROUTERS:
        assert router.firewall is not None
        p = router.firewall.protection
        assert p.management_v4 == (NET.syndicate.pools.management_v4,)
        assert set(p.bgp_v4) | set(p.bgp_v6) == {n.address for n in router.bgp.neighbors}
        assert set(p.span_interfaces) == {i.name for i in router.interfaces if i.kind == "span"}


def test_every_segment_gets_strict_urpf() -> None:
    for router in ROUTERS:
        assert router.firewall is not None
        assert set(router.firewall.urpf_interfaces) == {i.name for i in router.interfaces if i.kind == "segment"}


def test_the_flow_matrix_follows_the_policy() -> None:
    from communet.lab.topology import build_topology
    from communet.verify import policy_matrix as pm

    flows = pm.matrix(NET, build_topology(NET))
    assert flows
    towns = {t.name for t in NET.live_towns}
    widest = pm.widest_role(NET)
    assert {f.label for f in flows} >= {f"{t} {widest}" for t in towns if widest in NET.town(t).segments}
    for f in flows:
        role = f.label.split(" ", 1)[1]
        pol = role_policy(NET.syndicate, role)
        if f.probe == "tcp":
            assert f.allowed == (f.what in pol.reach)
        else:
            assert f.allowed == (f.what in pol.reach and pol.ports == "any" and f.what != "router_management")
    assert not any(f.allowed for f in flows if f.what == pm.OTHER_TOWNS)
    assert {f.family for f in flows} == {"ipv4", "ipv6"}
