"""IOS-XE and JunOS: golden files, parsed structure checked against the intent, and the CLI what-if.

Every router of the example is rendered as each vendor platform (``platform_override``).
The goldens pin the exact text; the parser checks (hier_config) pin the facts that
matter whatever the layout: interfaces with their addresses, every BGP neighbor, the
policies neighbors refer to.
"""

from __future__ import annotations

import difflib
import re
from functools import cache
from pathlib import Path

import pytest
from hier_config import HConfig, Platform, get_hconfig
from typer.testing import CliRunner

from communet import ROOT
from communet.cli import app
from communet.design import RouterIntent, build_design
from communet.design.intent import as_dict
from communet.filters import MASK, junos_ifd, junos_unit, netmask
from communet.filters import ip as bare_ip
from communet.firewall_filters import wildcard
from communet.model.load import load_network
from communet.platforms import GOLDEN_PLATFORMS
from communet.render import file_name, jinja_env, render_intent, template_name

GOLDEN = ROOT / "tests" / "golden"
NET = load_network(ROOT / "inventory")
VENDORS = GOLDEN_PLATFORMS


@cache
def routers(platform: str) -> tuple[RouterIntent, ...]:
    intents = build_design(NET, platform_override=platform).values()
    return tuple(i for i in intents if isinstance(i, RouterIntent))


@cache
def rendered(platform: str, hostname: str) -> str:
    intent = next(i for i in routers(platform) if i.hostname == hostname)
    return render_intent(jinja_env(), intent)


def cases() -> list[tuple[str, str]]:
    return [(p, r.hostname) for p in VENDORS for r in routers(p)]


def intent_of(platform: str, hostname: str) -> RouterIntent:
    return next(i for i in routers(platform) if i.hostname == hostname)


# --- golden files -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("platform", "hostname"), cases())
def test_matches_golden(platform: str, hostname: str) -> None:
    intent = intent_of(platform, hostname)
    golden = GOLDEN / platform / file_name(intent)
    assert golden.exists(), f"no golden file {golden.relative_to(ROOT)}: run python tests/golden/refresh.py"
    want = golden.read_text(encoding="utf-8")
    got = rendered(platform, hostname)
    if got != want:
        diff = difflib.unified_diff(
            want.splitlines(keepends=True), got.splitlines(keepends=True), str(golden.relative_to(ROOT)), "rendered now"
        )
        pytest.fail(
            "rendered config differs from its golden file "
            "(if intended: python tests/golden/refresh.py):\n" + "".join(diff)
        )


@pytest.mark.parametrize("platform", VENDORS)
def test_no_golden_file_left_over(platform: str) -> None:
    wanted = {file_name(i) for i in routers(platform)}
    present = {p.name for p in (GOLDEN / platform).iterdir()}
    assert present == wanted


@pytest.mark.parametrize(("platform", "hostname"), cases())
def test_dict_form_renders_the_same(platform: str, hostname: str) -> None:
    """Ansible and Nornir hand the template ``as_dict(intent)``: the bytes must not change."""
    intent = intent_of(platform, hostname)
    from_dict = jinja_env().get_template(template_name(intent)).render(intent=as_dict(intent), reveal=False)
    assert from_dict == rendered(platform, hostname)


@pytest.mark.parametrize(("platform", "hostname"), cases())
def test_no_python_value_leaks_into_text(platform: str, hostname: str) -> None:
    text = rendered(platform, hostname)
    for leak in ("None", "True", "False", "('", "['", "{'"):
        assert leak not in text, f"{leak!r} in {hostname}'s {platform} config"


@pytest.mark.parametrize("platform", VENDORS)
def test_secrets_masked_unless_revealed(platform: str, monkeypatch: pytest.MonkeyPatch) -> None:
    edge = next(i for i in routers(platform) if i.role == "edge")
    names = {n.password_secret for n in edge.bgp.neighbors if n.password_secret}
    names |= {edge.management.snmp.auth_secret, edge.management.snmp.priv_secret}
    for name in names:
        monkeypatch.setenv(name, f"s3cret-{name.lower()}")
    masked = render_intent(jinja_env(), edge)
    revealed = render_intent(jinja_env(), edge, reveal=True)
    for name in names:
        assert f"s3cret-{name.lower()}" not in masked
        assert f"s3cret-{name.lower()}" in revealed
    assert masked.count(MASK) >= len(names)


# --- IOS-XE, parsed ---------------------------------------------------------------------------------------------


def ios_tree(hostname: str) -> HConfig:
    return get_hconfig(Platform.CISCO_IOS, rendered("ios_xe", hostname))


def child_texts(node: HConfig | object) -> set[str]:
    return {c.text for c in node.children}  # type: ignore[attr-defined]


@pytest.mark.parametrize("hostname", [r.hostname for r in routers("ios_xe")])
def test_ios_xe_interfaces_have_their_addresses(hostname: str) -> None:
    tree, intent = ios_tree(hostname), intent_of("ios_xe", hostname)
    for iface in intent.interfaces:
        node = tree.get_child(equals=f"interface {iface.name}")
        assert node is not None, f"interface {iface.name} missing on {hostname}"
        lines = child_texts(node)
        if iface.ipv4:
            assert f"ip address {bare_ip(iface.ipv4)} {netmask(iface.ipv4)}" in lines
        if iface.ipv6:
            assert f"ipv6 address {iface.ipv6}" in lines
        if iface.vlan:
            assert f"encapsulation dot1Q {iface.vlan}" in lines
        if iface.bfd:
            assert {"ip ospf bfd", "ospfv3 bfd"} <= lines
        if iface.qos_policy:
            assert f"service-policy input {iface.qos_policy}" in lines
            assert tree.get_child(equals=f"policy-map {iface.qos_policy}") is not None


@pytest.mark.parametrize("hostname", [r.hostname for r in routers("ios_xe")])
def test_ios_xe_bgp_neighbors_and_their_policies(hostname: str) -> None:
    tree, intent = ios_tree(hostname), intent_of("ios_xe", hostname)
    bgp = tree.get_child(equals=f"router bgp {intent.bgp.asn}")
    assert bgp is not None
    process_lines = child_texts(bgp)
    for nb in intent.bgp.neighbors:
        assert f"neighbor {nb.address} remote-as {nb.remote_as}" in process_lines
        family = bgp.get_child(equals=f"address-family {nb.family}")
        assert family is not None
        assert f"neighbor {nb.address} activate" in child_texts(family)
        for name, way in ((nb.route_map_in, "in"), (nb.route_map_out, "out")):
            if name:
                assert f"neighbor {nb.address} route-map {name} {way}" in child_texts(family)
                assert tree.get_child(startswith=f"route-map {name} ") is not None, f"route-map {name} undefined"
        if nb.password_secret:
            assert f"neighbor {nb.address} password {MASK}" in process_lines
    route_servers = [n for n in intent.bgp.neighbors if n.enforce_first_as is False]
    assert (
        tree.get_child(equals=f"router bgp {intent.bgp.asn}").get_child(  # type: ignore[union-attr]
            equals="no bgp enforce-first-as"
        )
        is not None
    ) == bool(route_servers)


def test_ios_xe_edge_policy_and_management() -> None:
    edge = next(i for i in routers("ios_xe") if i.role == "edge")
    tree = ios_tree(edge.hostname)
    top = child_texts(tree)
    for plist in edge.prefix_lists:
        keyword = "ip" if plist.family == "ipv4" else "ipv6"
        for e in plist.entries:
            assert any(
                t.startswith(f"{keyword} prefix-list {plist.name} seq {e.seq} {e.action} {e.prefix}") for t in top
            ), f"{plist.name} seq {e.seq}"
    scrubbing = [e for m in edge.route_maps for e in m.entries if e.set_community_none]
    assert scrubbing
    for rmap in edge.route_maps:
        for e in rmap.entries:
            node = tree.get_child(equals=f"route-map {rmap.name} {e.action} {e.seq}")
            assert node is not None
            assert ("set community none" in child_texts(node)) == e.set_community_none
    for route in edge.static_routes:
        assert any(t.endswith(" Null0") and bare_ip(route.prefix) in t for t in top)
    vty = tree.get_child(startswith="line vty")
    assert vty is not None
    assert {"transport input ssh", "access-class MGMT-ACCESS in"} <= child_texts(vty)
    acl = tree.get_child(equals="ip access-list standard MGMT-ACCESS")
    assert acl is not None
    assert f"10 permit {wildcard(NET.syndicate.pools.management_v4)}" in child_texts(acl)
    assert tree.get_child(equals="control-plane") is not None  # the rest of router protection: tests/test_protection.py
    assert "ip ssh version 2" in top


def test_ios_xe_voice_marking() -> None:
    town = next(i for i in routers("ios_xe") if i.qos_policies)
    tree = ios_tree(town.hostname)
    for policy in town.qos_policies:
        node = tree.get_child(equals=f"policy-map {policy.name}")
        assert node is not None
        classes = {c.text: child_texts(c) for c in node.children}
        marks = {46: "ef", 24: "cs3"}
        for cls in policy.classes:
            assert f"set dscp {marks.get(cls.dscp, str(cls.dscp))}" in classes[f"class {cls.name}"]
            assert tree.get_child(equals=f"class-map match-any {cls.name}") is not None


# --- JunOS, parsed ----------------------------------------------------------------------------------------------


def junos_lines(hostname: str) -> set[str]:
    return child_texts(get_hconfig(Platform.JUNIPER_JUNOS, rendered("junos", hostname)))


@pytest.mark.parametrize("hostname", [r.hostname for r in routers("junos")])
def test_junos_interfaces_have_their_addresses(hostname: str) -> None:
    lines, intent = junos_lines(hostname), intent_of("junos", hostname)
    assert all(line.startswith("set ") for line in lines)
    for iface in intent.interfaces:
        unit = f"set interfaces {junos_ifd(iface.name)} unit {junos_unit(iface.name)}"
        if iface.ipv4:
            assert f"{unit} family inet address {iface.ipv4}" in lines
        if iface.ipv6:
            assert f"{unit} family inet6 address {iface.ipv6}" in lines
        if iface.vlan:
            assert f"{unit} vlan-id {iface.vlan}" in lines
        if iface.ospf_p2p:
            assert f"set protocols ospf area {intent.ospf.area} interface {iface.name} interface-type p2p" in lines
        if iface.qos_policy:  # the marking filter, or the segment filter that marks before its policy
            applied = iface.segment_filter or iface.qos_policy
            assert f"{unit} family inet filter input {applied}" in lines
            assert any(
                line.startswith(f"set firewall family inet filter {applied} term") and " dscp " in line
                for line in lines
            )


@pytest.mark.parametrize("hostname", [r.hostname for r in routers("junos")])
def test_junos_bgp_neighbors_and_their_policies(hostname: str) -> None:
    lines, intent = junos_lines(hostname), intent_of("junos", hostname)
    for nb in intent.bgp.neighbors:
        pattern = re.compile(rf"set protocols bgp group \S+ neighbor {re.escape(nb.address)} peer-as {nb.remote_as}")
        assert any(pattern.fullmatch(line) for line in lines), f"neighbor {nb.address} missing on {hostname}"
        for name in (nb.route_map_in, nb.route_map_out):
            if name:
                assert any(line.startswith(f"set policy-options policy-statement {name} term ") for line in lines)
    used = {m.group(1) for line in lines if (m := re.search(r"from route-filter-list (\S+)", line))}
    defined = {line.split()[3] for line in lines if line.startswith("set policy-options route-filter-list ")}
    assert used <= defined


def test_junos_edge_policy_and_management() -> None:
    edge = next(i for i in routers("junos") if i.role == "edge")
    lines = junos_lines(edge.hostname)
    for rmap in edge.route_maps:
        last = "implicit-deny then reject" if rmap.otherwise == "reject" else "other then next policy"
        assert f"set policy-options policy-statement {rmap.name} term {last}" in lines
        for e in rmap.entries:
            term = f"set policy-options policy-statement {rmap.name} term {e.action}-{e.seq}"
            assert (f"{term} then community delete ALL" in lines) == e.set_community_none
    mgmt = "set policy-options prefix-list PROTECT-ROUTER-MGMT-V4"
    assert f"{mgmt} {NET.syndicate.pools.management_v4}" in lines
    assert (
        "set firewall family inet filter PROTECT-ROUTER term ssh from source-prefix-list PROTECT-ROUTER-MGMT-V4"
        in lines
    )
    assert "set interfaces lo0 unit 0 family inet filter input PROTECT-ROUTER" in lines
    assert "set interfaces lo0 unit 0 family inet6 filter input PROTECT-ROUTER-V6" in lines
    assert "set system services ssh protocol-version v2" in lines
    assert not any("services telnet" in line for line in lines)
    for route in edge.static_routes:
        assert any(line.endswith(f"static route {route.prefix} discard") for line in lines)


# --- the CLI what-if ---------------------------------------------------------------------------------------------


def test_render_unknown_platform_fails_cleanly(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["render", "--platform", "vyos", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "unknown platform 'vyos'" in result.output
    assert "Traceback" not in result.output
    assert not any(tmp_path.iterdir())


def test_render_junos_writes_one_set_file_per_router(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["render", "--platform", "junos", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    written = {p.name for p in tmp_path.glob("*.set")}
    assert written == {f"{r.hostname}.set" for r in routers("junos")}
    for router in routers("junos"):
        assert (tmp_path / f"{router.hostname}.set").read_text(encoding="utf-8") == rendered("junos", router.hostname)
