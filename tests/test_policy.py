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


def _scanned(src, what, every):  # type: ignore[no-untyped-def]
    """A destination class the plain way: every segment looked at, one by one."""
    from communet.design.firewall import _inside, sip_servers

    if what == "own_town":
        picked = [s for s in every if s.site == src.site and s.role != src.role]
    elif what == "same_role":
        picked = [s for s in every if s.role == src.role and s.site != src.site]
    elif what == "datacenter":
        picked = [s for s in every if s.datacenter and s != src]
    elif what == "sip_servers":
        return sorted(str(IPNetwork(p)) for p in sip_servers(NET) if not _inside(p, src))
    else:
        return []
    return sorted(str(IPNetwork(p)) for s in picked for p in (s.v4, s.v6))


def test_classes_by_spread_hold_exactly_the_segments_a_scan_finds() -> None:
    every = segments(NET)
    for src in every:
        for t in targets(NET, src, every):
            if not t.outside:
                assert sorted(str(IPNetwork(p)) for p in t.members()) == _scanned(src, t.what, every), (src, t.what)


def test_a_spread_matches_its_members_and_nothing_else() -> None:
    """What nftables checks (in one of the blocks, the place's bits equal) holds for the members only:
    probed with every segment's gateway and every SIP server of the example."""
    from netaddr import IPAddress

    from communet.design.firewall import sip_servers

    every = segments(NET)
    probes = [IPNetwork(p)[1] for s in every for p in (s.v4, s.v6)] + [IPNetwork(p).ip for p in sip_servers(NET)]
    seen = 0
    for src in every:
        for t in targets(NET, src, every):
            for spread in t.spreads:
                members = [IPNetwork(m) for m in spread.members()]
                blocks = [IPNetwork(b) for b in spread.blocks]
                mask, offset = int(IPAddress(spread.mask)), int(IPAddress(spread.offset))
                for address in (a for a in probes if a.version == spread.version):
                    matched = any(address in b for b in blocks) and int(address) & mask == offset
                    assert matched == any(address in m for m in members), (src, t.what, address)
                    seen += matched
    assert seen
